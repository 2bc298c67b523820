"""包干制 (issue 11): the office gives a project to a county leader, who then sees it, gets its
milestone receipts and its stale-project alerts privately. Standard roster: 张县长 (county_boss) and
赵镇长 (wz_zhao) are leaders, 李主任 (office) the admin, 刘伟 (wz_liu) 卫庄镇's liaison."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from bot.cli import app
from handlers.jobs import job_named, run_job
from storage.models import OutboxItem

from ..conftest import Chat, local
from .test_integrity_stories import ledger, rows_of

SIGNING = "签约：江苏恒润新材料有限公司可降解塑料项目正式签约，总投资8000万元"
START = "开工：江苏恒润新材料有限公司可降解塑料项目今天开工"


def pushes_to(chat: Chat, userid: str) -> list[OutboxItem]:
    with chat.store() as store:
        return [p for p in store.outbox.all() if p.target == f"user:{userid}"]


def owner_of(chat: Chat, project_id: int) -> str | None:
    with chat.store() as store:
        project = store.projects.get(project_id)
        assert project is not None
        return project.owner


def test_the_office_assigns_a_leader_by_name_and_unknown_names_get_close_matches(chat: Chat) -> None:
    assert "已新建项目档案 P1" in chat.send("wz_liu", SIGNING, at="2026-03-05 10:00").text

    unknown = chat.send("office", "包干 P1 王副县长", at="2026-03-05 11:00").text
    # No 王 in the roster: the leaders named are those most like the words (县长 is in 张县长's name).
    assert "名册中没有「王副县长」" in unknown and "张县长（county_boss）" in unknown
    assert owner_of(chat, 1) is None

    done = chat.send("office", "包干 P1 张县长", at="2026-03-05 11:01").text
    assert done.startswith("✅ 已将 P1 交由张县长包干")
    # The project as a leader reads it: signed 8000万 on 3月5日, nothing arrived yet.
    assert "P1 卫庄镇 江苏恒润新材料有限公司 可降解塑料项目｜签约｜投资8,000万元 签约8,000万元｜最近进展2026年3月5日" in done
    assert owner_of(chat, 1) == "county_boss"
    told = pushes_to(chat, "county_boss")
    assert len(told) == 1 and "交由您包干" in told[0].body

    # By userid too; the earlier owner is named.
    moved = chat.send("office", "包干P1 wz_zhao", at="2026-03-05 11:02").text
    assert "交由赵镇长包干（原包干领导：张县长）" in moved
    assert owner_of(chat, 1) == "wz_zhao"

    assert "已取消 P1 的包干（原包干领导：赵镇长）" in chat.send("office", "取消包干 P1", at="2026-03-05 11:03").text
    assert owner_of(chat, 1) is None
    assert "目前没有包干领导" in chat.send("office", "取消包干 P1", at="2026-03-05 11:04").text


def test_only_the_office_assigns_and_only_leaders_own(chat: Chat) -> None:
    chat.send("wz_liu", SIGNING, at="2026-03-05 10:00")
    assert "包干由县招商办（管理员）安排" in chat.send("county_boss", "包干 P1 张县长", at="2026-03-05 11:00").text
    assert "联络员照常报送" in chat.send("wz_liu", "包干 P1 张县长", at="2026-03-05 11:00").text
    assert "刘伟是联络员" in chat.send("office", "包干 P1 刘伟", at="2026-03-05 11:00").text
    assert "没有找到项目 P9" in chat.send("office", "包干 P9 张县长", at="2026-03-05 11:00").text
    assert "请写明包干领导" in chat.send("office", "包干 P1", at="2026-03-05 11:00").text
    assert owner_of(chat, 1) is None


def test_milestones_on_an_owned_project_are_copied_to_its_leader_and_listed_for_him(chat: Chat) -> None:
    chat.send("wz_liu", SIGNING, at="2026-03-05 10:00")
    chat.send("office", "包干 P1 张县长", at="2026-03-05 11:00")
    start = chat.send("wz_liu", START, at="2026-03-08 10:00").text
    chat.send("wz_liu", "到位：江苏恒润新材料有限公司可降解塑料项目到位资金500万元", at="2026-03-12 10:00")
    chat.send("wz_liu", "进展：江苏恒润新材料有限公司可降解塑料项目厂房封顶", at="2026-03-15 10:00")

    copies = [p for p in pushes_to(chat, "county_boss") if p.key.startswith("owner-copy:")]
    # 开工 (#2) and 资金到位 (#3) are milestones; 项目进展 (#4) is not.
    assert [p.key for p in copies] == ["owner-copy:2", "owner-copy:3"]
    assert copies[0].body == "【包干项目动态】P1 江苏恒润新材料有限公司（卫庄镇）\n" + start

    mine = chat.send("county_boss", "我的包干项目", at="2026-03-16 09:00").text
    # Stage 开工; 8000万 planned and signed, 500万 arrived; last progress the 进展 of 3月15日.
    assert mine == ("**张县长包干项目 1 个**\nP1 卫庄镇 江苏恒润新材料有限公司 可降解塑料项目｜开工｜"
                    "投资8,000万元 签约8,000万元 到位500万元｜最近进展2026年3月15日")
    assert "您目前没有包干项目" in chat.send("wz_zhao", "我的包干项目", at="2026-03-16 09:00").text
    overview = chat.send("office", "包干项目", at="2026-03-16 09:00").text
    assert overview.startswith("**已包干项目 1 个**") and "张县长：P1 卫庄镇" in overview


def test_stale_signed_projects_are_also_pushed_to_their_owner(chat: Chat) -> None:
    chat.send("wz_liu", SIGNING, at="2026-01-05 10:00")
    chat.send("wz_liu", "签约：陕西秦川冷链物流有限公司冷库项目签约，投资6000万元", at="2026-01-06 10:00")
    chat.send("office", "包干 P1 张县长", at="2026-01-06 11:00")
    job = job_named("stale-projects")
    assert job is not None
    # Monday 2026-03-09 09:00, stale_days 60: 60 days before is 2026-01-08 09:00; P1 (1月5日) and
    # P2 (1月6日) both have had no progress since, so 卫庄镇 is told of both, 张县长 of his P1 only.
    run_job(chat.runtime.engine, job, local("2026-03-09 09:00"), chat.runtime.rules, forced=True)
    private = [p for p in pushes_to(chat, "county_boss") if p.key.startswith("stale-projects:")]
    assert len(private) == 1
    assert private[0].key.endswith(":owner:county_boss")
    assert "P1 卫庄镇 江苏恒润新材料有限公司（8,000万元，1月5日后无进展）" in private[0].body
    assert "P2" not in private[0].body
    with chat.store() as store:
        group = [p for p in store.outbox.all() if p.key.startswith("stale-projects:") and p.target == "group"]
    assert len(group) == 1 and "P1" in group[0].body and "P2" in group[0].body


def _import(chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, path: Path) -> Any:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZSBOT_CONFIG", raising=False)
    monkeypatch.setenv("ZSBOT_DATABASE__URL", chat.runtime.settings.database.url)
    return CliRunner().invoke(app, ["owners", "import", str(path)])


def test_owners_import_reports_bad_rows_by_line_and_imports_the_rest(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    chat.send("wz_liu", SIGNING, at="2026-03-05 10:00")
    chat.send("wz_liu", "签约：陕西秦川冷链物流有限公司冷库项目签约，投资6000万元", at="2026-03-06 10:00")
    csv = tmp_path / "包干.csv"
    csv.write_text("\ufeff项目,包干领导\nP1,张县长\n2,wz_zhao\nP7,张县长\nP2,王副县长\n", encoding="utf-8")
    result = _import(chat, monkeypatch, tmp_path, csv)
    assert result.exit_code == 1, result.output
    # Lines 2 and 3 assigned; line 4 names no project; line 5 no roster member (so P2 keeps wz_zhao).
    assert "安排包干 2 个项目，取消 0 个" in result.output
    assert "第4行：没有项目「P7」" in result.output and "第5行：名册中没有「王副县长」" in result.output
    assert (owner_of(chat, 1), owner_of(chat, 2)) == ("county_boss", "wz_zhao")

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["project", "owner"])
    sheet.append(["P1", ""])          # an empty owner clears
    sheet.append(["P2", "county_boss"])
    xlsx = tmp_path / "owners.xlsx"
    book.save(xlsx)
    result = _import(chat, monkeypatch, tmp_path, xlsx)
    assert result.exit_code == 0, result.output
    assert "安排包干 1 个项目，取消 1 个" in result.output
    assert (owner_of(chat, 1), owner_of(chat, 2)) == (None, "county_boss")

    bad = tmp_path / "bad.csv"
    bad.write_text("项目,单位\nP1,卫庄镇\n", encoding="utf-8")
    result = _import(chat, monkeypatch, tmp_path, bad)
    assert result.exit_code == 2 and "表头缺少列：owner" in result.output


def test_the_ledger_project_sheet_names_the_owner(chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    chat.send("wz_liu", SIGNING, at="2026-03-05 10:00")
    chat.send("wz_liu", "签约：陕西秦川冷链物流有限公司冷库项目签约，投资6000万元", at="2026-03-06 10:00")
    chat.send("office", "包干 P1 张县长", at="2026-03-06 11:00")
    sheet = rows_of(ledger(chat, monkeypatch, tmp_path)["项目"])
    assert [(r["项目号"], r["包干领导"]) for r in sheet] == [("P1", "张县长"), ("P2", None)]


def test_copies_also_follow_completed_drafts_and_answers_naming_the_project(chat: Chat) -> None:
    chat.send("wz_liu", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", at="2026-03-02 10:00")
    chat.send("office", "包干 P1 张县长", at="2026-03-02 11:00")
    # A signing without its amount waits as a draft; the answer completes it (#2, on P1).
    assert "已存为草稿" in chat.send("wz_liu", "签约：江苏恒润新材料有限公司可降解塑料项目正式签约", at="2026-03-05 10:00").text
    signed = chat.send("wz_liu", "8000万元", at="2026-03-05 10:05").text
    assert "已归入本单位跟踪项目 P1" in signed
    # Funds naming no project of the unit: the bot asks, the liaison answers P1 (#3).
    asked = chat.send("wz_liu", "到位：秦川冷库项目到位资金500万元", at="2026-03-12 10:00").text
    assert "回复「P编号」" in asked
    assert "已归入项目 P1" in chat.send("wz_liu", "P1", at="2026-03-12 10:01").text
    copies = {p.key: p.body for p in pushes_to(chat, "county_boss") if p.key.startswith("owner-copy:")}
    assert list(copies) == ["owner-copy:2", "owner-copy:3"]
    assert copies["owner-copy:2"].endswith(signed)
    assert "#3 资金到位" in copies["owner-copy:3"] and "已归入项目 P1" in copies["owner-copy:3"]


def test_the_chat_list_of_signed_projects_names_owners(chat: Chat) -> None:
    chat.send("wz_liu", SIGNING, at="2026-03-05 10:00")
    chat.send("wz_liu", "签约：陕西秦川冷链物流有限公司冷库项目签约，投资6000万元", at="2026-03-06 10:00")
    chat.send("office", "包干 P2 张县长", at="2026-03-06 11:00")
    lines = chat.send("office", "哪些项目签约未开工", at="2026-03-07 10:00").text.splitlines()
    assert lines[1].startswith("P1 ") and "包干" not in lines[1]
    assert lines[2].startswith("P2 ") and lines[2].endswith("｜包干：张县长")


def test_help_names_the_new_commands_for_who_may_use_them(chat: Chat) -> None:
    office = chat.send("office", "帮助", at="2026-03-10 10:00").text
    assert "• 包干项目：" in office and "「包干 P5 张县长」" in office and "zsbot owners import" in office
    leader = chat.send("county_boss", "帮助", at="2026-03-10 10:00").text
    assert "• 包干项目：" in leader and "「包干 P5 张县长」" not in leader
    liaison = chat.send("wz_liu", "帮助", at="2026-03-10 10:00").text
    assert "包干" not in liaison and "• 策划包装：" in liaison and "例：策划包装：" in liaison
