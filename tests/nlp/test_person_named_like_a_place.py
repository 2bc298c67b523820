"""A contact whose name is also a place name (高明区, 黄山市) does not make the investor come from there."""

from __future__ import annotations

from datetime import date

import pytest

from nlp import parse


@pytest.mark.parametrize(
    "text",
    [
        "线索：江西赣兴食品有限公司拟投资6000万元建设脐橙深加工项目，联系人高明，电话13979712345",
        "线索：福建闽越茶业有限公司拟投资3000万元建设茶叶精制项目，对接人：黄山 15080012345",
    ],
)
def test_a_contact_named_like_a_district_is_no_place(text: str) -> None:
    assert parse(text, date(2026, 3, 10)).to_contract()["place"] is None
