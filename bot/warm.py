"""Start-up work every process that handles messages does before it takes the first one."""

from __future__ import annotations

import gc
import logging
import time
from datetime import datetime

from bot.runtime import Runtime
from storage.db import ping

log = logging.getLogger(__name__)


def warm_up(runtime: Runtime, freeze: bool = False) -> None:
    """Load now what the first message would otherwise pay for: jieba's dictionary and the
    parser's lazy tables (a full parse of a real report), and a pooled database connection.

    `freeze`: what is loaded by now lives as long as the process; moved out of the collector's
    sight (CPython's `gc.freeze`), a full collection no longer walks it. It took ~110 ms, holding
    every acknowledgement in flight: the p99 of a burst of callbacks."""
    from nlp import parse

    today = datetime.now(runtime.settings.schedule.tz).date()
    started = time.perf_counter()
    for text in ("线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目，联系人张三",
                 "签约：苏州某某科技有限公司5亿元智能制造项目3月10日签约", "本月排名"):
        parse(text, today)
    ping(runtime.engine)
    if freeze:
        gc.collect()
        gc.freeze()
    log.info("warmed up in %.0f ms (%d objects frozen)", (time.perf_counter() - started) * 1000,
             gc.get_freeze_count())
