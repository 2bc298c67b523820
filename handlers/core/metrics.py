"""Target metrics, defined once: the text key of a target file (`signings_over:10000`) as a typed value.

A counting metric is measured by the counted records of the year up to the period asked (as the
ranking counts them); `packaged` is per quarter; a rate metric (`rate:履约率`, value a fraction such
as 0.4) is measured by the pipeline rate of the same name and compared with its bar, not with 序时进度.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from handlers.core.receipts import format_amount


class MetricKind(StrEnum):
    LEADS = "leads"
    LEADS_OVER = "leads_over"
    VISITS = "visits"
    RECEPTIONS = "receptions"
    SIGNINGS = "signings"
    SIGNED_WAN = "signed_wan"
    SIGNINGS_OVER = "signings_over"
    SIGNINGS_OVER_USD = "signings_over_usd"
    STARTS = "starts"
    STARTED_WAN = "started_wan"
    FUNDS_WAN = "funds_wan"
    COMPLETIONS = "completions"
    PACKAGED = "packaged"
    RATE = "rate"


#: The pipeline rates (fractions), in the order replies and the JSON list them.
RATE_NAMES = ("开工率", "履约率", "资金到位率", "线索转化率")

#: Metrics that take a threshold after the colon, in 万元 (CNY) or 万美元 (USD).
_WITH_THRESHOLD = frozenset({MetricKind.LEADS_OVER, MetricKind.SIGNINGS_OVER, MetricKind.SIGNINGS_OVER_USD})
#: Metrics measured in 万元 (shown as amounts); the rest are counts.
_AMOUNTS = frozenset({MetricKind.SIGNED_WAN, MetricKind.STARTED_WAN, MetricKind.FUNDS_WAN})
_LABELS = {
    MetricKind.LEADS: "线索", MetricKind.VISITS: "外出招商", MetricKind.RECEPTIONS: "接待洽谈",
    MetricKind.SIGNINGS: "签约项目", MetricKind.SIGNED_WAN: "签约", MetricKind.STARTS: "新开工项目",
    MetricKind.STARTED_WAN: "新开工", MetricKind.FUNDS_WAN: "资金到位", MetricKind.COMPLETIONS: "竣工投产",
    MetricKind.PACKAGED: "策划包装项目",
}
#: How a count is counted where it is not 个: 外出招商3次, 接待洽谈2批.
_COUNT_UNITS = {MetricKind.VISITS: "次", MetricKind.RECEPTIONS: "批"}
_KEY = re.compile(r"^\s*([a-z_]+)\s*(?::\s*(.+?))?\s*$")


@dataclass(frozen=True, slots=True)
class Metric:
    """One metric: its kind, its threshold (万元 / 万美元) or rate name, if any."""

    kind: MetricKind
    threshold: float | None = None
    rate: str | None = None

    @classmethod
    def parse(cls, text: str) -> Metric:
        """`signings_over:10000` -> Metric(SIGNINGS_OVER, 10000); ValueError with a Chinese reason."""
        m = _KEY.match(text or "")
        try:
            kind = MetricKind(m[1]) if m else None
        except ValueError:
            kind = None
        if m is None or kind is None:
            raise ValueError(f"未知指标「{text}」（可用：{'、'.join(k.value for k in MetricKind)}）")
        arg = m[2]
        if kind is MetricKind.RATE:
            if arg not in RATE_NAMES:
                raise ValueError(f"未知比率「{arg}」（可用：{'、'.join(RATE_NAMES)}，如 rate:履约率）")
            return cls(kind, rate=arg)
        if kind in _WITH_THRESHOLD:
            try:
                threshold = float(arg or "")
            except ValueError:
                raise ValueError(f"指标 {kind.value} 需要金额门槛，如 {kind.value}:10000") from None
            if threshold <= 0:
                raise ValueError(f"指标 {kind.value} 的门槛应大于0")
            return cls(kind, threshold=threshold)
        if arg:
            raise ValueError(f"指标 {kind.value} 不带参数")
        return cls(kind)

    @property
    def key(self) -> str:
        """The text key again (`signings_over:10000`), as stored and printed in the JSON."""
        if self.rate is not None:
            return f"{self.kind.value}:{self.rate}"
        if self.threshold is not None:
            return f"{self.kind.value}:{self.threshold:g}"
        return self.kind.value

    @property
    def per_quarter(self) -> bool:
        """策划包装 is assessed per quarter (3–5 each quarter); everything else per year."""
        return self.kind is MetricKind.PACKAGED

    @property
    def is_rate(self) -> bool:
        return self.kind is MetricKind.RATE

    @property
    def is_amount(self) -> bool:
        return self.kind in _AMOUNTS

    @property
    def label(self) -> str:
        """签约 / 签约1亿元以上项目 / 履约率 …"""
        if self.rate is not None:
            return self.rate
        if self.kind is MetricKind.LEADS_OVER:
            return f"{format_amount(self.threshold)}以上线索"
        if self.kind is MetricKind.SIGNINGS_OVER:
            return f"签约{format_amount(self.threshold)}以上项目"
        if self.kind is MetricKind.SIGNINGS_OVER_USD:
            return f"签约{format_amount(self.threshold, 'USD')}以上外资项目"
        return _LABELS[self.kind]

    def show(self, value: float) -> str:
        """A value of this metric as a person reads it: 3.1亿元, 6个, 42%."""
        if self.is_rate:
            return f"{value:.0%}"
        if self.is_amount:
            # A target line reads like a 通报 (76.03亿元, 3,700万元), not a receipt (76.0315亿元).
            return format_amount(round(value, -2) if abs(value) >= 10000 else round(value))
        return f"{value:g}{_COUNT_UNITS.get(self.kind, '个')}"


__all__ = ["RATE_NAMES", "Metric", "MetricKind"]
