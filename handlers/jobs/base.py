"""The job machinery: what a job is, the registry `@job(...)` fills, and running rounds once.

A job is declared like a handler: one module per job under `handlers/jobs/`, its run function
decorated with `@job(name, summary, trigger=..., due=..., forced=...)`.

Every run claims its (job, period, round) in `JobRun` in the same transaction as its outbox pushes,
so a misfire, a restart, a second process or `zsbot job run` twice never sends anything twice, and
a round that fails half-way leaves no claim behind: it runs again at the next wake-up.
The scheduler in `bot/` only turns triggers into wake-ups; which day is due (workdays, 调休) is here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine

from handlers.core.rules import Rules, ScheduleRules
from handlers.core.workdays import Workdays
from storage.media import Media
from storage.outbox import Target
from storage.states import RoundStatus
from storage.store import Store, unit_of_work

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Trigger:
    """When the scheduler wakes a job: every day at `at` (local time); the job's `due` decides whether
    the day has a round (workdays, 调休), so the trigger needs no weekdays."""

    at: time


@dataclass(frozen=True, slots=True)
class Round:
    """One sending of a job: e.g. monthly-nag, period 2026-03, round 2026-03-18."""

    period: str
    name: str
    #: The last round before a deadline (the nag then also mentions the units' leaders).
    last: bool = False
    #: Further round names this one stands for (nag days that fall on the same workday).
    covers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Push:
    body: str
    mentions: tuple[str, ...] = ()
    target: Target = Target.group()
    kind: str = "markdown"
    #: Appended to the idempotency key when a round pushes more than one message.
    suffix: str = ""

    @classmethod
    def of_media(cls, media: Media, suffix: str) -> Push:
        """An image or file message to the group (a chart after a bulletin, the 通报 .docx)."""
        return cls(media.body(), kind=media.kind, suffix=suffix)


@dataclass(frozen=True, slots=True)
class JobContext:
    store: Store
    at: datetime
    rules: Rules
    workdays: Workdays

    @property
    def local_at(self) -> datetime:
        return self.at.astimezone(self.rules.schedule.tz)

    @property
    def today(self) -> date:
        return self.local_at.date()


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    summary: str
    trigger: Callable[[ScheduleRules], Trigger]
    #: The rounds due on a local date when the scheduler wakes the job (usually none).
    due: Callable[[date, Rules, Workdays], list[Round]]
    #: The round `zsbot job run NAME --at T` means: today's due round, else one for T itself.
    forced: Callable[[datetime, Rules, Workdays], Round]
    run: Callable[[JobContext, Round], list[Push]]


@dataclass(frozen=True, slots=True)
class Outcome:
    job: str
    round: Round
    status: RoundStatus
    pushes: int = 0

    def describe(self) -> str:
        what = {RoundStatus.SENT: f"已推送 {self.pushes} 条", RoundStatus.NOTHING: "无需推送",
                RoundStatus.ALREADY: "本轮已执行过，未重复推送"}
        return f"{self.job} {self.round.period} 第{self.round.name}轮：{what[self.status]}"


RunFn = Callable[[JobContext, Round], list[Push]]

_REGISTRY: dict[str, Job] = {}


def job(
    name: str,
    summary: str,
    *,
    trigger: Callable[[ScheduleRules], Trigger],
    due: Callable[[date, Rules, Workdays], list[Round]],
    forced: Callable[[datetime, Rules, Workdays], Round],
) -> Callable[[RunFn], RunFn]:
    """Register the decorated function as the run of job `name` (one job per name, like `router.on`)."""

    def register(fn: RunFn) -> RunFn:
        if name in _REGISTRY:
            raise ValueError(f"job {name} already declared by {_REGISTRY[name].run.__name__}")
        _REGISTRY[name] = Job(name, summary, trigger, due, forced, fn)
        return fn

    return register


def jobs() -> tuple[Job, ...]:
    """Every scheduled job, in the order `handlers.jobs` imports their modules."""
    return tuple(_REGISTRY.values())


def job_named(name: str) -> Job | None:
    return _REGISTRY.get(name)


def run_job(engine: Engine, job: Job, at: datetime, rules: Rules, forced: bool = False) -> list[Outcome]:
    """Run the job's due rounds (or its forced round) at `at`, each claimed once in one transaction."""
    workdays = Workdays(rules.schedule)
    local_day = at.astimezone(rules.schedule.tz).date()
    rounds = [job.forced(at, rules, workdays)] if forced else job.due(local_day, rules, workdays)
    outcomes = []
    for rnd in rounds:
        with unit_of_work(engine) as store:
            outcomes.append(_run_round(store, job, rnd, JobContext(store, at, rules, workdays)))
    return outcomes


def _run_round(store: Store, job: Job, rnd: Round, ctx: JobContext) -> Outcome:
    """Claim, compute and queue in the caller's one transaction: any failure undoes the claim too."""
    runs = store.jobruns
    claim = runs.claim(job.name, rnd.period, rnd.name, {"at": ctx.at.isoformat()})
    if claim is None:
        return Outcome(job.name, rnd, RoundStatus.ALREADY)
    for other in rnd.covers:
        runs.claim(job.name, rnd.period, other, {"at": ctx.at.isoformat(), "covered_by": rnd.name})
    keys = []
    for push in job.run(ctx, rnd):
        key = f"{job.name}:{rnd.period}:{rnd.name}{push.suffix}"
        if store.outbox.push(key, push.body, target=push.target, kind=push.kind, mentions=push.mentions):
            keys.append(key)
    runs.note(claim, pushes=keys)
    log.info("job %s %s round %s: %d push(es)", job.name, rnd.period, rnd.name, len(keys))
    return Outcome(job.name, rnd, RoundStatus.SENT if keys else RoundStatus.NOTHING, len(keys))


def fire_times(job: Job, rules: Rules, start: datetime, end: datetime) -> Iterator[datetime]:
    """The instants in [start, end] at which the scheduler would wake `job` (for tests and catch-up)."""
    trigger = job.trigger(rules.schedule)
    tz = rules.schedule.tz
    day = start.astimezone(tz).date()
    while day <= end.astimezone(tz).date():
        moment = datetime.combine(day, trigger.at, tzinfo=tz)
        if start <= moment <= end:
            yield moment
        day += timedelta(days=1)


def run_due_between(engine: Engine, rules: Rules, start: datetime, end: datetime) -> list[Outcome]:
    """Walk every job's trigger from `start` to `end` in time order, running what is due (no sleeping)."""
    wakeups = sorted((at, index) for index, job in enumerate(jobs()) for at in fire_times(job, rules, start, end))
    outcomes: list[Outcome] = []
    for at, index in wakeups:
        outcomes += run_job(engine, jobs()[index], at, rules)
    return outcomes


def next_runs(job: Job, rules: Rules, after: datetime, count: int = 3, horizon_days: int = 400) -> list[datetime]:
    """The next `count` instants after `after` at which `job` has a round due (workdays and 调休 applied).

    Walks days rather than cron ticks: a job wakes daily but only sends on days its rounds are due.
    """
    workdays = Workdays(rules.schedule)
    tz = rules.schedule.tz
    at = job.trigger(rules.schedule).at
    local = after.astimezone(tz)
    found: list[datetime] = []
    day = local.date()
    for _ in range(horizon_days):
        moment = datetime.combine(day, at, tzinfo=tz)
        if moment > local and job.due(day, rules, workdays):
            found.append(moment)
            if len(found) == count:
                break
        day += timedelta(days=1)
    return found
