"""Jobs are declared like handlers: one module each, registered once, listed by the registry.

The nag asks the database who has not reported instead of ranking everyone, and its @-mentions cost
one query however many units are missing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event

from handlers.jobs import Trigger, job, job_named, jobs
from handlers.jobs.bulletin import push_bulletin
from storage.models import Role
from storage.store import unit_of_work
from tests.assessment.conftest import Group, add_record
from tests.conftest import Chat

FIVE = ["monthly-nag", "overdue-list", "bulletin", "stale-projects", "quarterly-planning"]
#: The assessment calendar's jobs (issue 11), each from its own module too.
ALL = FIVE + ["campaign-phases", "campaign-close", "half-year", "year-end", "meeting", "weekly-inspection"]


def test_the_registry_lists_each_job_once_from_its_own_module() -> None:
    assert [j.name for j in jobs()] == ALL
    modules = [j.run.__module__ for j in jobs()]
    assert len(set(modules)) == len(ALL) and all(m.startswith("handlers.jobs.") for m in modules)


def test_a_second_job_under_a_taken_name_is_refused() -> None:
    with pytest.raises(ValueError, match="bulletin"):
        job("bulletin", "again", trigger=lambda s: Trigger(s.nag_time), due=lambda d, r, w: [],
            forced=lambda a, r, w: None)(lambda ctx, rnd: [])  # type: ignore[arg-type,return-value]
    found = job_named("bulletin")
    assert found is not None and found.run is push_bulletin
    assert [j.name for j in jobs()] == ALL


def test_the_nag_skips_units_with_a_counted_report_only(chat: Chat, group: Group) -> None:
    """卫庄镇 reported; 南樊镇's only record was retracted and 横水镇's is government money: both are nagged."""
    add_record(group.runtime, "卫庄镇", "lead", amount_wan=8000)
    add_record(group.runtime, "南樊镇", "lead", amount_wan=6000, status="retracted")
    add_record(group.runtime, "横水镇", "signing", amount_wan=9000, government_funded=True)
    add_record(group.runtime, "开发区", "lead", period="2026-02", amount_wan=9000)
    [outcome] = group.job_run("monthly-nag", "2026-03-18 09:00")
    assert outcome.status == "sent"
    [nag] = group.pushes("monthly-nag")
    assert "还有4个单位未报送：南樊镇、横水镇、开发区、商务局" in nag.body
    assert list(nag.mentions) == ["nf_wang", "hs_li", "kfq_chen", "sw_sun"]


@pytest.fixture
def statements(group: Group) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    event.listen(group.runtime.engine, "before_cursor_execute", count)
    yield seen
    event.remove(group.runtime.engine, "before_cursor_execute", count)


def reads(statements: list[str]) -> dict[str, int]:
    """How many SELECTs read the roster's tables."""
    found = {"member": 0, "unit": 0}
    for sql in statements:
        head = sql.split(" WHERE ")[0]
        for table in found:
            if sql.startswith("SELECT") and f"FROM {table}" in head:
                found[table] += 1
    return found


def test_the_last_nag_reads_the_roster_as_often_for_five_missing_units_as_for_ten(
    chat: Chat, group: Group, statements: list[str]
) -> None:
    group.job_run("monthly-nag", "2026-03-20 09:00")
    five = reads(statements)
    with unit_of_work(group.runtime.engine) as store:
        for i in range(5):
            store.roster.upsert_member(f"extra_{i}", f"联络员{i}", Role.LIAISON, f"新单位{i}", None)
            store.roster.upsert_member(f"extra_lead_{i}", f"领导{i}", Role.LEADER, f"新单位{i}", None)
    statements.clear()
    group.job_run("monthly-nag", "2026-04-20 09:00")
    [last] = group.pushes("monthly-nag:2026-04:2026-04-20")
    assert "还有10个单位未报送" in last.body and "extra_lead_4" in last.mentions
    assert reads(statements) == five == {"member": 2, "unit": 1}
