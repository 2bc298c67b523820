"""The office imports its roster from CSV or XLSX; bad rows are named by line and the rest imports."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.runtime import Runtime
from handlers.core.roster import RosterFileError, import_roster, read_rows
from storage.store import unit_of_work


def _import(runtime: Runtime, path: Path):  # type: ignore[no-untyped-def]
    with unit_of_work(runtime.engine) as store:
        return import_roster(read_rows(path), store)


def test_chinese_headers_with_bom_and_bad_rows(runtime: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "名册.csv"
    path.write_bytes(
        "企业微信账号,姓名,单位,角色,手机\n"
        "wz_liu,刘伟,卫庄镇,联络员,13800000001\n"
        ",无账号,卫庄镇,联络员,\n"
        "x_role,某人,卫庄镇,科员,\n"
        "no_unit,孙某,,联络员,\n"
        "boss,张县长,,领导,\n".encode("utf-8-sig")
    )
    result = _import(runtime, path)
    assert (result.created, result.updated) == (2, 0)
    assert [line for line, _ in result.errors] == [3, 4, 5]
    assert "科员" in result.errors[1][1]
    with unit_of_work(runtime.engine) as store:
        assert store.roster.member("wz_liu").unit_id == store.roster.unit_named("卫庄镇").id
        assert store.roster.member("boss").unit_id is None


def test_reimport_updates_people_and_keeps_records(chat, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    chat.send("wz_liu", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", at="2026-03-10 10:00")
    path = tmp_path / "roster.csv"
    path.write_text("userid,name,unit,role,mobile\nwz_liu,刘伟伟,卫庄镇,liaison,139\n", encoding="utf-8")
    result = _import(chat.runtime, path)
    assert (result.created, result.updated) == (0, 1)
    with unit_of_work(chat.runtime.engine) as store:
        assert store.roster.member("wz_liu").name == "刘伟伟"
        assert len(store.records.in_periods(["2026-03"])) == 1


def test_xlsx_roster_imports(runtime: Runtime, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["userid", "name", "unit", "role", "mobile"])
    sheet.append(["hs_li", "李明", "横水镇", "liaison", 13800000003])
    sheet.append(["office", "李主任", None, "admin", None])
    path = tmp_path / "roster.xlsx"
    book.save(path)
    result = _import(runtime, path)
    assert result.created == 2 and not result.errors


def test_unreadable_files_are_refused_clearly(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("userid,name,unit,role\nwz,刘伟,卫庄镇,联络员\n".encode("gbk"))
    with pytest.raises(RosterFileError, match="UTF-8"):
        list(read_rows(gbk))
    nohead = tmp_path / "x.csv"
    nohead.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(RosterFileError, match="表头"):
        list(read_rows(nohead))
    with pytest.raises(RosterFileError, match="不支持"):
        list(read_rows(tmp_path / "roster.pdf"))
