"""Roster import: CSV (UTF-8, BOM or not) or XLSX, English or Chinese headers; bad rows reported by line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from storage.models import Role
from storage.store import Store

HEADERS = {
    "userid": "userid", "企业微信账号": "userid", "账号": "userid",
    "name": "name", "姓名": "name",
    "unit": "unit", "单位": "unit",
    "role": "role", "角色": "role",
    "mobile": "mobile", "手机": "mobile", "手机号": "mobile",
}
ROLES = {
    "liaison": Role.LIAISON, "联络员": Role.LIAISON,
    "leader": Role.LEADER, "领导": Role.LEADER,
    "admin": Role.ADMIN, "管理员": Role.ADMIN,
}


class RosterFileError(Exception):
    """The file cannot be read as a roster at all (wrong type, no header)."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    units: set[str] = field(default_factory=set)
    errors: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"导入完成：新增 {self.created} 人，更新 {self.updated} 人，涉及 {len(self.units)} 个单位。"]
        lines += [f"第{line}行：{why}" for line, why in self.errors]
        return "\n".join(lines)


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, row by canonical header) of a roster file."""
    return read_keyed(path, HEADERS, {"userid", "name", "role"}, "userid,name,unit,role,mobile")


def read_keyed(path: Path, headers: Mapping[str, str], required: set[str], need: str
               ) -> list[tuple[int, dict[str, str]]]:
    """(line number, row by canonical key) from a CSV or XLSX whose first row names the columns in
    English or Chinese (`headers` maps each name to its key); blank rows skipped. The one reader of
    the office's import files (roster, targets, 包干); RosterFileError names what the header lacks."""
    rows = iter(read_table(path))
    header = next(rows, None)
    if header is None:
        raise RosterFileError("文件是空的")
    names = [(h or "").strip().lstrip("\ufeff") for h in header]
    keys = [headers.get(n.lower(), headers.get(n, "")) for n in names]
    missing = required - set(keys)
    if missing:
        raise RosterFileError(f"表头缺少列：{', '.join(sorted(missing))}（需要 {need}）")
    return [(number, {k: (cells[i] or "").strip() for i, k in enumerate(keys) if k and i < len(cells)})
            for number, cells in enumerate(rows, start=2) if any((c or "").strip() for c in cells)]


def read_table(path: Path) -> Iterable[list[str]]:
    """The cells of a CSV (UTF-8, with or without BOM) or of an XLSX's first sheet, row by row."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    if suffix in (".csv", ".txt"):
        return _csv_rows(path)
    raise RosterFileError(f"不支持的文件类型 {suffix}：请用 CSV 或 XLSX")


def _csv_rows(path: Path) -> Iterable[list[str]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterFileError("CSV 不是 UTF-8 编码：请在 Excel 中另存为「CSV UTF-8」") from None
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(path: Path) -> Iterable[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise RosterFileError(f"无法读取 XLSX：{exc}") from None
    sheet = book.worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def import_roster(rows: Iterable[tuple[int, dict[str, str]]], store: Store) -> ImportResult:
    """Upsert people by userid; a bad row is reported and skipped, the rest imported."""
    result = ImportResult()
    for number, row in rows:
        userid, name = row.get("userid", ""), row.get("name", "")
        role = ROLES.get(row.get("role", "").strip().lower())
        unit = row.get("unit") or None
        mobile = row.get("mobile") or None
        if not userid:
            result.errors.append((number, "缺少企业微信账号(userid)"))
        elif not name:
            result.errors.append((number, f"{userid} 缺少姓名"))
        elif role is None:
            result.errors.append((number, f"{userid} 的角色「{row.get('role', '')}」无效，应为 联络员/领导/管理员"))
        elif role is Role.LIAISON and not unit:
            result.errors.append((number, f"联络员 {userid} 必须填写单位"))
        else:
            _, created = store.roster.upsert_member(userid, name, role, unit, mobile)
            result.created += created
            result.updated += not created
            if unit:
                result.units.add(unit)
    return result
