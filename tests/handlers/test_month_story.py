"""A month of three units in one chat (issue 8): re-sends, repeats, drafts answered early and late, an
agreement then its contract, funds by a short company name, public and in-county money, a plan, a
correction and a retraction. The ranking's counts must equal the table worked out by hand below."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

from ..conftest import Chat
from .test_reporting import number_in

# (sender, local time, text). Numbers in comments: what the message adds to its unit's counts.
MONTH: list[tuple[str, str, str]] = [
    # 卫庄镇
    ("wz_liu", "2026-03-02 09:00:00", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目"),  # lead 1
    ("wz_liu", "2026-03-02 09:00:20", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目"),  # re-send: 0
    ("wz_liu", "2026-03-03 10:00", "线索：福建圣农发展股份有限公司拟投资5000万元"),  # draft
    ("wz_liu", "2026-03-03 10:05", "建设肉鸡养殖项目"),  # answered early: lead 2
    ("wz_liu", "2026-03-04 10:00", "拜访：3月4日赴苏州拜访企业3家"),  # visits 3
    ("wz_liu", "2026-03-05 10:00", "接待：今天接待浙江客商一行5人考察竹木加工项目"),  # reception 1
    ("wz_liu", "2026-03-06 10:00", "签约：江苏恒润新材料有限公司可降解塑料项目签订框架协议，总投资8000万元"),  # signing 1
    ("wz_liu", "2026-03-09 10:00", "签约：江苏恒润新材料有限公司可降解塑料项目签订正式合同，总投资8000万元"),  # contract: 0
    ("wz_liu", "2026-03-10 10:00", "资金到位：恒润新材料项目首笔资金到账2000万元"),  # funds 2000, short name
    ("wz_liu", "2026-03-12 10:00", "线索：美的暖通公司拟投资1亿元建设空调配件项目"),  # lead 3
    ("wz_liu", "2026-03-16 10:00", "线索：广东美的暖通设备有限公司拟投资1亿元建设空调配件项目"),  # repeat: 0
    ("wz_liu", "2026-03-17 10:00", "线索：晋南恒润食品有限公司拟投资3000万元"),  # draft never answered: 0
    ("wz_liu", "2026-03-18 10:00", "线索：苏州澄岚精密机械有限公司拟投资6000万元"),  # draft
    ("wz_liu", "2026-03-18 11:30", "建设精密零部件加工项目"),  # answered late: lapsed, 0
    ("wz_liu", "2026-03-18 11:35", "线索：苏州澄岚精密机械有限公司拟投资6000万元建设精密零部件加工项目"),  # lead 4
    # 南樊镇
    ("nf_wang", "2026-03-02 10:00", "签约：江西赣锋锂业股份有限公司锂电池回收项目签订框架协议，总投资5亿元"),  # signing 1
    ("nf_wang", "2026-03-05 10:00", "签约：江西赣锋锂业股份有限公司锂电池回收项目签订正式合同，总投资5亿元"),  # contract: 0
    ("nf_wang", "2026-03-06 10:00:00", "资金到位：赣锋锂业回收项目首笔资金到账8000万元"),  # funds 8000
    ("nf_wang", "2026-03-06 10:00:15", "资金到位：赣锋锂业回收项目首笔资金到账8000万元"),  # re-send: 0
    ("nf_wang", "2026-03-09 10:00", "开工：赣锋锂业锂电池回收项目今日开工"),  # start 1
    ("nf_wang", "2026-03-10 10:00", "拜访：3月10日赴深圳拜访企业2家"),  # visits 2
    ("nf_wang", "2026-03-11 10:00", "接待：浙江客商下周来考察竹木加工项目"),  # a plan: 0
    ("nf_wang", "2026-03-12 10:00", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目"),  # 卫庄镇's: 0
    ("nf_wang", "2026-03-13 10:00", "线索：县城投公司拟投资2亿元建设标准化厂房项目"),  # public money: 0
    ("nf_wang", "2026-03-14 10:00", "线索：上海振华重工有限公司拟投资3亿元建设港机配件项目"),  # lead 1
    ("nf_wang", "2026-03-15 10:00", "签约：上海振华重工有限公司港机配件项目正式签约，总投资3亿元"),  # signing 2
    ("nf_wang", "2026-03-16 10:00", "资金到位：振华重工港机配件项目资金到位5000万元"),  # funds 5000
    # 横水镇
    ("hs_li", "2026-03-03 10:00", "接待：今天接待福建客商一行考察茶叶加工项目"),  # reception 1
    ("hs_li", "2026-03-04 10:00", "签约：江西赣锋锂业股份有限公司锂电池回收项目正式签约，总投资5亿元"),  # 南樊镇's: 0
    ("hs_li", "2026-03-05 10:00", "线索：本县企业华兴纺织追加投资3000万元建设二期项目"),  # in-county: 0
    ("hs_li", "2026-03-06 10:00", "线索：浙江华友钴业股份有限公司拟投资2亿元"),  # draft
    ("hs_li", "2026-03-06 10:10", "新能源材料项目"),  # answered: lead 1
    ("hs_li", "2026-03-09 10:00", "拜访：3月9日赴杭州拜访浙江华友钴业股份有限公司"),  # visit 1
    ("hs_li", "2026-03-10 10:00", "签约：浙江华友钴业股份有限公司新能源材料项目正式签约，总投资2亿元"),  # signing 1
    ("hs_li", "2026-03-12 10:00", "开工：华友钴业新能源材料项目开工"),  # start 1, short name
    ("hs_li", "2026-03-13 10:00", "更正 #{signing} 项目新能源电池材料项目"),  # correction: 0
    ("hs_li", "2026-03-16 10:00", "线索：宁波均胜电子股份有限公司拟投资5000万元建设汽车电子项目"),  # lead 2 …
    ("hs_li", "2026-03-16 10:01", "撤回 #{last}"),  # … retracted: lead 1
    ("hs_li", "2026-03-17 10:00", "接待：今天接待广东客商2批考察电子项目"),  # receptions 2
    ("county_boss", "2026-03-19 10:00", "本季度开工率是多少"),  # a question: 0
]

#: Worked out by hand from the comments above.
EXPECTED = {
    "卫庄镇": {"leads": 4, "visits": 3, "receptions": 1, "signings": 1, "signed_wan": 8000, "starts": 0,
            "funds_wan": 2000},
    "南樊镇": {"leads": 1, "visits": 2, "receptions": 0, "signings": 2, "signed_wan": 80000, "starts": 1,
            "funds_wan": 13000},
    "横水镇": {"leads": 1, "visits": 1, "receptions": 3, "signings": 1, "signed_wan": 20000, "starts": 1,
            "funds_wan": 0},
}


def test_a_month_of_three_units_counts_each_thing_once(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert len(MONTH) == 40
    numbers: dict[str, int] = {}
    replies = []
    for user, at, text in MONTH:
        reply = chat.send(user, text.format(**numbers), at=at)
        replies.append(reply.text)
        if "已登记签约" in reply.text and user == "hs_li":
            numbers["signing"] = number_in(reply.text)
        if reply.records:
            numbers["last"] = reply.records[0]
    assert "重复 #1" in replies[1] and "作废" in replies[13] and "开工率" in replies[-1]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZSBOT_CONFIG", raising=False)
    monkeypatch.setenv("ZSBOT_DATABASE__URL", chat.runtime.settings.database.url)
    result = CliRunner().invoke(app, ["rank", "--period", "2026-03", "--json"])
    assert result.exit_code == 0, result.output
    got = {r["unit"]: {k: r[k] for k in EXPECTED["卫庄镇"]} for r in json.loads(result.output) if r["unit"] in EXPECTED}
    assert got == EXPECTED
    with chat.store() as store:
        by_company = {(p.company_key, p.unit_id): p for p in store.projects.at_stages(
            ("lead", "talks", "signed", "contract", "started", "completed"))}
        units = {u.name: u.id for u in store.roster.units()}
    hengrun = by_company[("恒润", units["卫庄镇"])]
    ganfeng = by_company[("赣锋锂业", units["南樊镇"])]
    huayou = by_company[("华友钴业", units["横水镇"])]
    assert (hengrun.stage, hengrun.signed_wan, hengrun.funds_cny_wan) == ("contract", 8000, 2000)
    assert (ganfeng.stage, ganfeng.funds_cny_wan) == ("started", 8000)
    assert (huayou.stage, huayou.name) == ("started", "新能源电池材料项目")
    listed = chat.send("office", "审核", at="2026-03-19 11:00").text
    assert "待审核 4 条" in listed  # 南樊镇's repeat of 卫庄镇, 县城投, 横水镇's repeat of 南樊镇, 本县企业
