"""What will be built (`project`), so a lead's `missing` asks the right question."""

from datetime import date

import pytest

from nlp import parse

TODAY = date(2026, 4, 15)


@pytest.mark.parametrize(
    ("text", "project"),
    [
        ("线索：温州一家阀门企业拟在我县设厂，投资2000万", "设厂"),
        ("线索：有个老乡想回来办个箱包厂，投资四百万", "箱包厂"),
        ("线索：国轩高科拟投资3亿元设立动力电池生产基地", "动力电池生产基地"),
        ("线索：深圳一家企业打算转移一条摄像模组生产线过来，投资3000万", "摄像模组生产线"),
        ("线索：日本客商拟与本地企业设立合资工厂，投资500万美元", "合资工厂"),
        ("新线索：苏州一家企业想建一条光伏组件封装线，投资5000万", "光伏组件封装线"),
        ("线索：泉州客商准备开个鞋底厂，投资一千万", "鞋底厂"),
        ("线索：宁波一家企业想把一条注塑生产线搬过来，投资1200万", "注塑生产线"),
    ],
)
def test_project_is_found_in_plain_phrasing(text: str, project: str) -> None:
    parsed = parse(text, TODAY)
    assert parsed.project == project
    assert parsed.missing == ()


def test_a_capacity_before_a_plant_is_no_company() -> None:
    parsed = parse("线索：河南客商有意建设年产20万吨面粉厂，投资8000万元", TODAY)
    assert (parsed.company, parsed.project) == ("河南客商", "年产20万吨面粉厂")
