"""Hand-made `zsbot stats --json` objects for layout checks (the documents take that shape)."""

from __future__ import annotations

from typing import Any

TOWNS = ["城关镇", "卫庄镇", "南樊镇", "横水镇", "新华乡", "人力资源和社会保障局", "经济技术开发区", "文化和旅游局",
         "行政审批服务管理局", "青山乡"]


def unit(rank: int, name: str, score: float, grade: str, reported: bool = True, **counts: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"rank": rank, "unit": name, "score": score, "grade": grade, "reported": reported,
                           "leads": 0, "visits": 0, "receptions": 0, "signings": 0, "signed_wan": 0, "starts": 0,
                           "funds_wan": 0, "completions": 0, "rates": {}, "targets": []}
    row.update(counts)
    return row


def many(n: int, targets: bool = False, silent: int = 2) -> dict[str, Any]:
    """`n` units with falling scores (the last `silent` did not report), optional signed-amount targets."""
    units = []
    for i in range(n):
        reported = i < n - silent
        grade = "优" if i < 3 else "差" if n - silent - 3 <= i < n - silent else "中"
        row = unit(i + 1, f"{TOWNS[i % len(TOWNS)]}{i + 1}", round(300 - i * 4.5, 2) if reported else 0, grade,
                   reported, leads=i % 4, signings=i % 2, signed_wan=1000 * (i % 3))
        if targets:
            row["targets"] = [{"metric": "signed_wan", "target": 5000, "done": 250 * i, "rate": 0.05 * i,
                               "ahead_pp": 5 * i - 25}]
        units.append(row)
    return {"period": "2026-03", "label": "2026年3月", "schedule_progress": 0.25,
            "county": {"leads": 40, "visits": 7, "receptions": 5, "signings": 3, "signed_wan": 12000, "starts": 1,
                       "funds_wan": 800, "completions": 0, "rates": {"开工率": 0.5, "履约率": None},
                       "targets": [{"metric": "signed_wan", "target": 100000, "done": 30000, "rate": 0.3,
                                    "ahead_pp": 5.0}]},
            "units": units}
