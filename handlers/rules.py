"""The county's rules of the game, as typed config sections (`[schedule]`, `[scoring]`, `[reporting]`).

They live with the features that apply them; `bot.settings` assembles them from TOML.
"""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Section(BaseModel):
    """A config section: unknown keys are errors that name the key."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Campaign(Section):
    """A named campaign period with its own dates, e.g. 百日竞赛 4月13日–7月31日."""

    name: str
    start: date
    end: date


class ScheduleRules(Section):
    timezone: str = "Asia/Shanghai"
    deadline_day: int = Field(20, ge=1, le=28)
    nag_days: list[int] = Field(default_factory=lambda: [15, 18, 19])
    nag_time: time = time(9, 0)
    bulletin_days: list[int] = Field(default_factory=lambda: [1, 16])
    bulletin_time: time = time(9, 30)
    overdue_time: time = time(9, 0)
    stale_days: int = Field(60, ge=1)
    #: Extra public holidays / make-up workdays for years `chinesecalendar` does not know yet.
    holidays: list[date] = Field(default_factory=list)
    workdays: list[date] = Field(default_factory=list)
    campaigns: list[Campaign] = Field(default_factory=list)

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


class ScoringRules(Section):
    """Weights of the ranking. Defaults follow the seeds' practice (see config.example.toml)."""

    lead: float = 10
    lead_big: float = 10
    lead_big_min_wan: float = 3000
    visit: float = 4
    reception: float = 5
    signing: float = 30
    signed_per_yi: float = 5
    start: float = 20
    funds_per_yi: float = 5
    completion: float = 20
    progress: float = 2
    on_time: float = 5
    tier_bonus: dict[str, float] = Field(
        default_factory=lambda: {"5000": 5, "10000": 10, "20000": 20, "50000": 40}
    )


class Rules(Section):
    """The rule sections the handlers and jobs need, bundled once from Settings."""

    schedule: ScheduleRules = Field(default_factory=ScheduleRules)
    reporting: ReportingRules = Field(default_factory=ReportingRules)
    scoring: ScoringRules = Field(default_factory=ScoringRules)
