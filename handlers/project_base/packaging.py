"""策划包装 (seed 000): each unit packages 3–5 projects a quarter for investors, each planning at least
5000万, reported by the deadline of the quarter's last month; no repeats, no government investment,
only money from outside the county.

A packaged project is a record of kind `packaging`. It is checked when it arrives and stored either
way; what fails is its `not_counting` reason and the receipt says it. It counts for the quarter of its
period (a report after March's deadline counts for the second quarter), it never makes a unit
"reported" for the monthly ranking, and it scores only if `[scoring] packaging` > 0.
"""

from __future__ import annotations

from datetime import datetime

from handlers.core.context import Context
from handlers.core.periods import Month, Period, deadline_of, is_late, month_of, period, quarter_key
from handlers.core.receipts import format_amount
from handlers.core.rules import Rules
from handlers.core.words import mentions
from storage.keys import project_core
from storage.kinds import RecordKind
from storage.models import Record
from storage.projects import similarity
from storage.records import counts
from storage.store import Store

KIND = RecordKind.PACKAGING.value


def quarter_of(record_period: str, rules: Rules) -> Period:
    """The quarter a record's period (`2026-03`) belongs to."""
    return period(quarter_key(Month.parse(record_period)), rules.schedule)


def is_quarter_late(at: datetime, rules: Rules) -> bool:
    """Sent after the deadline of a quarter's last month: it missed that quarter (counts for the next)."""
    local = at.astimezone(rules.schedule.tz)
    return local.month % 3 == 0 and is_late(at, rules.schedule)


def core(record: Record) -> str:
    """What makes two packaged projects one: the investor's core name, else the project's core words."""
    return record.company_key or project_core(record.project_name)


#: Two packaged projects whose core words are this alike are one, reworded (智慧物流园 → 智慧物流产业园).
_REWORDED = 0.8


def same_package(a: str, b: str) -> bool:
    """One packaged project, maybe reworded: the same core words, or nearly (as repeats are found by core names)."""
    if a == b:
        return True
    return min(len(a), len(b)) >= 3 and similarity(a, b) >= _REWORDED


def packaged_in(store: Store, unit_id: int, quarter: Period, until: datetime | None = None) -> list[Record]:
    """The unit's packaged projects that count in `quarter`, oldest first; with `until`, those reported
    by then (a reminder replayed at its time)."""
    return [r for r in store.records.of_kind(unit_id, KIND, quarter.keys)
            if counts(r) and (until is None or r.reported_at <= until)]


def check(record: Record, ctx: Context) -> list[str]:
    """Apply seed 000's rules to a just-stored packaged project; the receipt lines that explain them."""
    rules = ctx.rules.packaging
    reasons: list[str] = []
    amount = record.amount_cny_wan
    if amount is not None and amount < rules.min_wan:
        reasons.append(f"拟投资{format_amount(amount)}，低于{format_amount(rules.min_wan)}")
    mine = core(record)
    first = next((r for r in ctx.store.records.of_kind(record.unit_id, KIND)
                  if r.id != record.id and r.repeat_of is None and mine and same_package(core(r), mine)), None)
    if first is not None:
        reasons.append(f"与本单位 #{first.id} 为同一项目（策划包装项目不可重复）")
    public = next((w for w in (*rules.government_words, *ctx.rules.counting.government_words)
                   if mentions(w, record.text)), None)
    local = next((w for w in ctx.rules.counting.in_county_words if mentions(w, record.text)), None)
    if public:
        reasons.append(f"政府性投资（{public}）不能作为招商项目")
    if local:
        reasons.append(f"须为县域外资金（{local}）")
    if reasons:
        ctx.store.records.flag(record, "；".join(reasons), review=bool(public or local), actor=ctx.member.userid,
                               repeat_of=first.id if first is not None else None)
        return [f"⚠️ 不计入策划包装：{'；'.join(reasons)}。已登记备查"
                + ("，已转招商办审核。" if public or local else "。")]
    return [tally(record, ctx)]


def tally(record: Record, ctx: Context) -> str:
    """本季度已报N个 against the requirement (3–5)."""
    rules = ctx.rules.packaging
    quarter = quarter_of(record.period, ctx.rules)
    done = len(packaged_in(ctx.store, record.unit_id, quarter))
    line = f"{quarter.label}本单位已报策划包装{done}个（要求{rules.per_quarter}-{rules.per_quarter_max}个）"
    if done < rules.per_quarter:
        due = deadline_of(quarter.months[-1], ctx.rules.schedule)
        return f"{line}，还差{rules.per_quarter - done}个，请于{due.month}月{due.day}日前报送。"
    if done > rules.per_quarter_max:
        return f"{line}，已超过{rules.per_quarter_max}个，照常登记。"
    return f"{line}，已达要求。"


def late_line(record: Record, ctx: Context) -> str:
    """Sent after the quarter's deadline: which quarter it missed and which it counts for."""
    local = record.reported_at.astimezone(ctx.rules.schedule.tz)
    missed = quarter_of(month_of(record.reported_at, ctx.rules.schedule).shift(-1).key, ctx.rules)
    deadline = deadline_of(Month(local.year, local.month), ctx.rules.schedule)
    return (f"⚠️ 已过{missed.label}策划包装报送截止（{deadline.month}月{deadline.day}日），"
            f"本条计入{quarter_of(record.period, ctx.rules).label}。")
