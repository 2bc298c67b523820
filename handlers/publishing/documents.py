"""What follows a bulletin into the group: the ranking chart, and after the monthly final also the
pipeline chart and the 通报 .docx (saved under `[documents] folder` and sent as a file message).

Everything is drawn from `contract_stats` (the shape of `zsbot stats --json`), so the pictures and
the document say what the stats say. The pushes go through the outbox like any other.

matplotlib and python-docx are imported by the functions that draw and write (`handlers.publishing.charts`,
`handlers.publishing.official_doc`), not with this module: every message's handler chain imports it (the chart
questions), and `zsbot say` must not pay ~0.5 s for a chart it does not draw.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from handlers.assessment.stats import not_started
from handlers.assessment.stats_view import Extras, Stats, contract_stats, parse_stats, pipeline, waiting_lines
from handlers.core.periods import Period
from handlers.core.rules import Rules
from storage.media import Media
from storage.models import saved_id
from storage.store import Store

log = logging.getLogger(__name__)


def stats_for(store: Store, chosen: Period, rules: Rules, as_of: datetime | None = None) -> Stats:
    return parse_stats(contract_stats(store, chosen, rules, as_of))


def extras_for(store: Store, chosen: Period, rules: Rules, at: datetime) -> Extras:
    """签约未开工 as chat's `签约未开工` and the 开工率 count them (this year's signings not started by the
    period's end, `handlers.assessment.stats.not_started`), with those stale for `stale_days`; the pipeline.

    All as of the period's end (or `at`, when the period was still open then): a 通报 regenerated
    months later says what it said, and measures "no progress for 60 days" from the period's end."""
    units = {saved_id(u): u.name for u in store.roster.units()}
    end = chosen.months[-1].key
    upto = min(at, chosen.ends_at)
    projects = not_started(store, chosen, as_of=at)
    news = store.projects.last_progress_by([saved_id(p) for p in projects], end)
    waiting, stale = waiting_lines(projects, units, upto, rules.schedule.stale_days, news)
    return Extras(pipeline=pipeline(store, end), waiting=waiting, stale=stale, stale_days=rules.schedule.stale_days)


def ranking_image(stats: Stats) -> Media:
    """The ranking chart as an image push; ValueError when it cannot be one (over 2 MB, too many units)."""
    from handlers.publishing.charts import ranking_chart

    return Media("image", f"排名图-{stats.period}.png", ranking_chart(stats))


def _made(what: str, make: Callable[[], Media]) -> Media | None:
    """A picture or file for the group, or None (logged) when WeCom could not take it: an image over 2 MB
    or a file over 20 MB must not hold back the bulletin it follows, nor fail its round again and again."""
    try:
        return make()
    except ValueError as exc:
        log.error("%s not sent to the group: %s", what, exc)
        return None


def bulletin_docx(store: Store, chosen: Period, rules: Rules, at: datetime) -> tuple[Stats, bytes]:
    from handlers.publishing.official_doc import build_bulletin_docx

    stats = stats_for(store, chosen, rules)
    issued = at.astimezone(rules.schedule.tz).date()
    return stats, build_bulletin_docx(stats, extras_for(store, chosen, rules, at), rules.documents, issued)


def docx_name(stats: Stats) -> str:
    from handlers.publishing.official_doc import title_of

    return f"{title_of(stats)}.docx"


def save_docx(folder: Path, stats: Stats, data: bytes) -> Path:
    """Write the .docx under `folder` (made if missing), replacing an earlier one of the same period."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / docx_name(stats)
    tmp = path.with_suffix(".docx.part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path


def follow_ups(store: Store, chosen: Period, rules: Rules, at: datetime, final: bool) -> list[tuple[Media, str]]:
    """The pictures (and, after the monthly final, the .docx) that follow a bulletin, each with its
    idempotency-key suffix; none when `[documents] charts = false`. (Jobs wrap them in `Push.of_media`;
    this module stays below `handlers.jobs`.)"""
    if not rules.documents.charts:
        return []
    from handlers.publishing.charts import pipeline_chart
    from handlers.publishing.official_doc import build_bulletin_docx

    stats = stats_for(store, chosen, rules, at)
    made = [(_made("the ranking chart", lambda: ranking_image(stats)), ":chart")]
    if final:
        extras = extras_for(store, chosen, rules, at)
        made.append((_made("the pipeline chart", lambda: Media(
            "image", f"项目推进-{stats.period}.png", pipeline_chart(extras.pipeline, stats.label))), ":pipeline"))
        issued: date = at.astimezone(rules.schedule.tz).date()
        data = build_bulletin_docx(stats, extras, rules.documents, issued)
        try:
            log.info("通报 saved to %s", save_docx(Path(rules.documents.folder), stats, data))
        except OSError as exc:
            # The group still gets the file: a folder that cannot be written must not hold back the bulletin.
            log.error("could not save the 通报 under [documents] folder %s: %s", rules.documents.folder, exc)
        made.append((_made("the 通报 .docx", lambda: Media("file", docx_name(stats), data)), ":docx"))
    return [(media, suffix) for media, suffix in made if media is not None]
