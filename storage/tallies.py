"""One figure per unit over a span of reports: how a campaign's base task is checked.

"每个乡镇和县直有关单位必须引进一个投资过亿元的项目": a count (or a sum) of one record kind, optionally
only records of at least some amount, per unit, over the months asked and the dates given. One
aggregate in the database, the same counting rules as the ranking (`counted()`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Float, cast, func, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from storage.models import Project, Record
from storage.ranking import within
from storage.records import counted, how_many
from storage.stats import started_amount


def per_unit(
    session: Session,
    kind: str,
    months: Sequence[str],
    *,
    measure: str = "count",
    at_least_wan: float | None = None,
    currency: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[int, float]:
    """{unit id: figure} for units with any: `measure` "count" (records), "events" (visits counted as
    `外出招商2次` = 2), "amount" (sum of 万元 CNY) or "started_amount" (新开工 amounts as the targets count
    them, `storage.stats.started_amount`); with `at_least_wan`, only records that large; with
    `currency`, only records agreed in it, and `at_least_wan` is then in 万 of that currency."""
    amount = func.coalesce(col(Record.amount_cny_wan), 0.0)
    figures: dict[str, ColumnElement[float]] = {
        "count": cast(func.count(), Float), "events": func.sum(how_many()), "amount": func.sum(amount),
        "started_amount": func.sum(started_amount()),
    }
    figure = figures[measure]
    query = (
        select(col(Record.unit_id), figure)
        .select_from(Record)
        .where(col(Record.period).in_(list(months)), col(Record.kind) == kind, counted(), *within(since, until))
        .group_by(col(Record.unit_id))
    )
    if measure == "started_amount":
        query = query.outerjoin(Project, col(Project.id) == col(Record.project_id))
    if currency is not None:
        query = query.where(col(Record.currency) == currency)
        if at_least_wan is not None:
            query = query.where(func.coalesce(col(Record.amount_wan), 0.0) >= at_least_wan)
    elif at_least_wan is not None:
        query = query.where(amount >= at_least_wan)
    return {int(unit): float(value or 0) for unit, value in session.execute(query).all()}


__all__ = ["per_unit"]
