"""The county's rules of the game, as typed config sections (`[schedule]`, `[scoring]`, `[reporting]`).

They live with the features that apply them; `bot.settings` assembles them from TOML.
"""

from __future__ import annotations

from datetime import date, time
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from handlers.core.metrics import Metric, MetricKind
from storage.kinds import RecordKind


class Section(BaseModel):
    """A config section: unknown keys are errors that name the key."""

    model_config = ConfigDict(extra="forbid", frozen=True)


#: 台前's seven contests (百日竞赛: "比新上招商引资项目，比拜访客商数，比邀请客商数，比签约项目数量，比签约项目
#: 资金量，比项目资金到位数量，比项目竣工率") and the `[scoring]` weight each one sets in a campaign.
#: 新上项目 = new leads; 邀请客商 = investors received here (接待); 签约资金 and 资金到位 score per 亿元;
#: 竣工率 scores each completion (a rate over a few weeks has too small a base to compare units by).
CAMPAIGN_METRICS: dict[str, str] = {
    "新上项目": "lead", "拜访客商": "visit", "邀请客商": "reception", "签约个数": "signing",
    "签约资金": "signed_per_yi", "资金到位": "funds_per_yi", "竣工率": "completion",
}
#: `[scoring]` point weights a campaign may set by their own names too (lead, visit, start …).
CAMPAIGN_WEIGHTS = ("lead", "lead_big", "visit", "reception", "signing", "signed_per_yi", "start", "funds",
                    "funds_per_yi", "completion", "progress", "intention")


def _task_metric(key: str) -> bool:
    """A base task counts records over the campaign: any target metric but 策划包装 and the rates."""
    try:
        metric = Metric.parse(key)
    except ValueError:
        return False
    return metric.kind not in (MetricKind.PACKAGED, MetricKind.RATE)


class Phase(Section):
    """One stage of a campaign ("宣传发动阶段 4月13日—4月20日"): the group is told when it begins."""

    name: str
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Phase:
        if self.end < self.start:
            raise ValueError(f"phase {self.name}: end {self.end} is before start {self.start}")
        return self


class Campaign(Section):
    """A named campaign with its own dates, e.g. 百日竞赛 4月13日–7月31日, its phases, its own weights
    and a base task every unit must meet ("每个单位必须引进一个投资过亿元的项目")."""

    name: str
    start: date
    end: date
    phases: list[Phase] = Field(default_factory=list)
    #: Its own metrics and weights: keys from CAMPAIGN_METRICS (新上项目 …) or CAMPAIGN_WEIGHTS (lead …).
    #: Given, only these score (no size bonus unless `tier_bonus`, no on-time points); empty: [scoring].
    weights: dict[str, float] = Field(default_factory=dict)
    #: Size bonus in the campaign ({min 万元: points}), only with `weights`.
    tier_bonus: dict[str, float] = Field(default_factory=dict)
    #: Base task per unit over the campaign: {metric: at least}, e.g. {"signings_over:10000": 1}.
    base_task: dict[str, float] = Field(default_factory=dict)
    #: A 工作调度会 every this many days from the start ("每30天召开一次"); 0 for none.
    meeting_every_days: int = Field(0, ge=0)

    @model_validator(mode="after")
    def _valid(self) -> Campaign:
        if self.end < self.start:
            raise ValueError(f"campaign {self.name}: end {self.end} is before start {self.start}")
        for phase in self.phases:
            if phase.start < self.start or phase.end > self.end:
                raise ValueError(f"campaign {self.name}: phase {phase.name} lies outside {self.start}–{self.end}")
        unknown = [k for k in self.weights if k not in CAMPAIGN_METRICS and k not in CAMPAIGN_WEIGHTS]
        if unknown:
            raise ValueError(f"campaign {self.name}: unknown weights {unknown}; use {list(CAMPAIGN_METRICS)} "
                             f"or {list(CAMPAIGN_WEIGHTS)}")
        bad = [k for k in self.base_task if not _task_metric(k)]
        if bad:
            raise ValueError(f"campaign {self.name}: unknown base_task metrics {bad} (e.g. signings_over:10000; "
                             f"a base task counts records, not packaged projects or rates)")
        for key in self.tier_bonus:
            float(key)
        return self


class ScheduleRules(Section):
    timezone: str = "Asia/Shanghai"
    deadline_day: int = Field(20, ge=1, le=28)
    nag_days: list[int] = Field(default_factory=lambda: [15, 18, 19])
    nag_time: time = time(9, 0)
    bulletin_days: list[int] = Field(default_factory=lambda: [1, 16])
    bulletin_time: time = time(9, 30)
    overdue_time: time = time(9, 0)
    stale_days: int = Field(60, ge=1)
    #: 每周督查通报: ISO weekday (1 = Monday … 7 = Sunday; 0 = none) and time.
    inspection_weekday: int = Field(5, ge=0, le=7)
    inspection_time: time = time(16, 0)
    #: Extra public holidays / make-up workdays for years `chinesecalendar` does not know yet.
    holidays: list[date] = Field(default_factory=list)
    workdays: list[date] = Field(default_factory=list)
    campaigns: list[Campaign] = Field(default_factory=list)
    #: Days of the month the monthly 调度会 is held; its table goes to the group at meeting_time
    #: (a holiday: the workday before). Empty: no meeting job.
    meeting_days: list[int] = Field(default_factory=list)
    meeting_time: time = time(8, 30)
    meeting_name: str = "调度会"

    @field_validator("campaigns")
    @classmethod
    def _unique_campaigns(cls, value: list[Campaign]) -> list[Campaign]:
        names = [c.name for c in value]
        if len(set(names)) != len(names):
            raise ValueError(f"campaign names must differ (add the year: 2026百日竞赛): {names}")
        return value

    @field_validator("meeting_days")
    @classmethod
    def _days_of_month(cls, value: list[int]) -> list[int]:
        if any(not 1 <= d <= 31 for d in value):
            raise ValueError(f"meeting_days are days of the month (1–31): {value}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class ReportingRules(Section):
    """How reports are taken in."""

    #: Minutes a draft (a report lacking a required field) waits for the missing answer.
    draft_minutes: int = Field(30, ge=1)
    #: Longer messages are refused with a request to split them.
    max_message_chars: int = Field(4000, ge=100)
    #: CNY per one unit of each foreign currency, to value USD/HKD/EUR/JPY amounts.
    fx_to_cny: dict[str, float] = Field(
        default_factory=lambda: {"USD": 7.1, "HKD": 0.91, "EUR": 7.7, "JPY": 0.047}
    )
    #: Similarity (0–1) above which a milestone attaches to an existing project.
    project_match_threshold: float = Field(0.6, ge=0, le=1)


class CountingRules(Section):
    """What counts in the assessment, after seed 000: only money from outside the county, no
    government money; each thing once; big surprises checked by the office."""

    #: Words naming government platforms and public money: such reports are stored, flagged, not counted.
    #: A word ending in 投 never matches inside 投资 (`在县城投资`, `美国投资方` are not 城投/国投).
    government_words: list[str] = Field(default_factory=lambda: [
        "城投", "国投", "城建投", "交投", "财政", "专项债", "政府投资", "中央预算内", "国有平台", "县属国企", "县国资",
    ])
    #: Words naming investors from inside the county: stored, flagged, not counted.
    in_county_words: list[str] = Field(default_factory=lambda: [
        "本县企业", "县内企业", "我县企业", "本地企业", "县属企业", "本县民营企业", "本县客商",
    ])
    #: Words that make a visit or reception a plan, not an event (下周来考察): not stored as one.
    plan_words: list[str] = Field(default_factory=lambda: [
        "下周", "下月", "下个月", "近期将", "拟于", "将于", "计划于", "准备来", "拟来", "预计来", "打算来", "约定于",
    ])
    #: Identical text from the same unit within this many hours is a re-send: answered, not stored.
    resend_hours: int = Field(72, ge=0)
    #: Record kinds that happen once per investor: a second report of one is a repeat.
    once_kinds: list[str] = Field(default_factory=lambda: ["lead", "signing", "start", "completion"])
    #: An amount this many times the unit's usual (mean of its last 20) goes to review.
    review_factor: float = Field(10, ge=1)
    #: The usual is only trusted with at least this many earlier amounts.
    review_min_history: int = Field(3, ge=1)
    #: Any amount above this (万元; 500000 = 50亿) goes to review.
    review_above_wan: float = Field(500000, ge=0)


class CountyRules(Section):
    """The county itself (`[county]`): money from a firm of the county is its own, not 招商引资 (seed 000:
    only money from outside the county counts)."""

    #: The county's name (绛县): a firm named with it (绛县宏达建材有限公司) is the county's own.
    name: str = ""
    #: Its 6-digit division code (140826): a 统一社会信用代码 whose digits 3–8 equal it is a firm registered here.
    adcode: str = Field("", pattern=r"^(\d{6})?$")
    #: Its towns, besides the roster's units named 镇/乡/街道 (a firm named with a town is the county's own).
    towns: list[str] = Field(default_factory=list)


class PackagingRules(Section):
    """策划包装 (seed 000): "每季度精心策划包装3-5个拟投资5000万元以上…项目", reported by the deadline of
    the quarter's last month; no repeats, no government investment, only money from outside the county."""

    #: 万元: a packaged project must plan at least this investment to count.
    min_wan: float = Field(5000, ge=0)
    #: Packaged projects each unit must report per quarter (the quarterly reminder names units below it) …
    per_quarter: int = Field(3, ge=0)
    #: … and the most the requirement asks for (receipts say when a unit is past it; those still count).
    per_quarter_max: int = Field(5, ge=0)
    #: Words that make a packaged project government investment (besides [counting] government_words).
    government_words: list[str] = Field(default_factory=lambda: ["政府性投资", "财政资金", "财政投资", "政府出资"])


class UnitTarget(Section):
    """A unit's yearly task: "各承担一个5000万元招商任务" / "谋划6个投资额3000万元以上招商线索"."""

    #: Signed amount (万元, 签约额) to bring in.
    amount_wan: float | None = Field(None, ge=0)
    #: Leads at or above `lead_big_min_wan` to find.
    big_leads: int | None = Field(None, ge=0)


class ScoringRules(Section):
    """Weights of the ranking. Defaults follow the seeds' practice (see config.example.toml)."""

    lead: float = Field(10, ge=0)
    lead_big: float = Field(10, ge=0)
    lead_big_min_wan: float = Field(3000, ge=0)
    visit: float = Field(4, ge=0)
    reception: float = Field(5, ge=0)
    signing: float = Field(30, ge=0)
    signed_per_yi: float = Field(5, ge=0)
    start: float = Field(20, ge=0)
    funds: float = Field(5, ge=0)
    funds_per_yi: float = Field(5, ge=0)
    completion: float = Field(20, ge=0)
    progress: float = Field(2, ge=0)
    #: An intention agreement (意向书): more than a lead's progress, never a signing.
    intention: float = Field(5, ge=0)
    #: Per counted 策划包装; 0 (default): packaging is assessed per quarter, not in the monthly score.
    packaging: float = Field(0, ge=0)
    on_time: float = Field(5, ge=0)
    #: Bonus by project size: {min 万元: points}; a record earns its highest tier only.
    tier_bonus: dict[str, float] = Field(
        default_factory=lambda: {"5000": 5.0, "10000": 10.0, "20000": 20.0, "50000": 40.0}
    )
    #: Record kinds the size bonus applies to (lead, signing, start, completion …).
    tier_kinds: list[str] = Field(default_factory=lambda: ["signing"])
    #: Yearly tasks: by unit name, and "*" for every unit not named (the roster's targets next).
    targets: dict[str, UnitTarget] = Field(default_factory=dict)
    #: 优/中/差 by "rank" (top / bottom N) or by "score" bands.
    grade_by: Literal["rank", "score"] = "rank"
    grade_top: int = Field(3, ge=0)
    grade_bottom: int = Field(3, ge=0)
    grade_excellent_min: float = 100
    grade_poor_below: float = 20

    @field_validator("tier_bonus")
    @classmethod
    def _numeric_tiers(cls, value: dict[str, float]) -> dict[str, float]:
        for key in value:
            float(key)
        return value

    @field_validator("tier_kinds")
    @classmethod
    def _known_kinds(cls, value: list[str]) -> list[str]:
        known = {k.value for k in RecordKind}
        unknown = [k for k in value if k not in known]
        if unknown:
            raise ValueError(f"unknown record kinds {unknown}; use {sorted(known)}")
        return value


class DocumentRules(Section):
    """The pictures after bulletins and the 通报 as an official document (`[documents]`)."""

    #: A ranking chart follows each bulletin (and the monthly final also a pipeline chart and the .docx).
    charts: bool = True
    #: Where the monthly final 通报 .docx is saved (relative to the working directory).
    folder: str = "通报"
    #: Font profile: "gbt9704" (方正小标宋简体/仿宋_GB2312/黑体/楷体_GB2312) or "windows" (宋体/仿宋/黑体/楷体).
    profile: Literal["gbt9704", "windows"] = "gbt9704"
    #: 发文机关 in the signature.
    issuer: str = "县招商引资工作领导小组办公室"
    #: 主送机关.
    recipients: str = "各乡镇人民政府，县直各有关单位："
    #: 文号 template, e.g. "县招商办〔{year}〕{month}号"; empty for none.
    doc_number: str = ""
    #: 工作要求, one paragraph each.
    requirements: list[str] = Field(default_factory=lambda: [
        "各单位要对照年度目标任务和序时进度，查找差距，倒排工期，确保按时完成全年任务。",
        "排名后三位的单位要认真分析原因，制定整改措施，于五个工作日内报县招商办。",
        "签约未开工项目所在单位要逐个明确责任人和时间节点，加快推动项目落地开工。",
        "各单位要严格按照报送要求，于每月20日前如实报送招商引资工作进展，逾期不报视为没有。",
    ])


class Rules(Section):
    """The rule sections the handlers and jobs need, bundled once from Settings."""

    schedule: ScheduleRules = Field(default_factory=ScheduleRules)
    reporting: ReportingRules = Field(default_factory=ReportingRules)
    scoring: ScoringRules = Field(default_factory=ScoringRules)
    counting: CountingRules = Field(default_factory=CountingRules)
    packaging: PackagingRules = Field(default_factory=PackagingRules)
    documents: DocumentRules = Field(default_factory=DocumentRules)
    county: CountyRules = Field(default_factory=CountyRules)
