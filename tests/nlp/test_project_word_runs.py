"""A project named without a build verb keeps every project word that ends its name (…生产线项目)."""

from __future__ import annotations

from datetime import date

import pytest

from nlp import parse


@pytest.mark.parametrize(
    ("text", "project"),
    [
        ("进展：湖南岳麓精工有限公司数控机床生产线项目完成设备招标", "数控机床生产线项目"),
        ("进展：福建闽海食品有限公司冷链工厂项目取得施工许可", "冷链工厂项目"),
        ("开工：安徽皖江新能源电池生产基地项目今日开工", "电池生产基地项目"),
    ],
)
def test_consecutive_project_words_stay_in_the_name(text: str, project: str) -> None:
    assert parse(text, date(2026, 3, 10)).to_contract()["project"].endswith(project)

