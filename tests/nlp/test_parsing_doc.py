"""The examples docs/parsing.md gives for the contract's silent corners read as the page says."""

from datetime import date

import pytest

from nlp import parse

TODAY = date(2026, 5, 20)


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        (
            "昨天跟浙江巨化签了协议，投资额4个亿",
            {"intent": "signing", "company": "浙江巨化", "amount_wan": 40000},
        ),
        ("苏州客商拟于5月25日来我县考察，想建模具厂", {"intent": "lead", "date": None, "company": "苏州客商"}),
        ("线索：苏州客商拟投资1亿元建设模具项目，联系人刘经理", {"contact_name": "刘经理"}),
        ("线索：苏州客商拟投资1亿元建设模具项目，联系人：经理", {"contact_name": None}),
        ("线索：宁德时代拟投资10亿元建设电池项目", {"company": "宁德时代", "place": None}),
        ("线索：上海联影拟投资5000万元建设影像设备项目", {"company": "上海联影", "place": None}),
        ("线索：上海某某科技有限公司拟投资2亿元建设芯片项目", {"place": "上海"}),
        ("南京客商拟于下周来我县考察", {"intent": "unknown"}),
        ("南京客商拟于下周来我县考察，想投5000万", {"intent": "lead"}),
        ("周五的签约仪式取消了，客商那边临时有事", {"intent": "unknown"}),
        ("上个月排名第二，这个月继续努力", {"intent": "unknown"}),
        ("计划下月去深圳拜访几家电子企业", {"intent": "unknown"}),
        ("签约的格式是啥？", {"intent": "help"}),
        ("好的，下班前把线索补上", {"intent": "unknown"}),
        ("我这个月都报了些啥", {"intent": "query_summary"}),
        ("#53那条报错了，撤回", {"intent": "retract"}),
        ("线索：万华化学新材料项目拟投资5亿元", {"company": "万华化学"}),
        ("更正 #20 企业陕西秦川果业集团有限公司", {"company": "陕西秦川果业集团有限公司"}),
        ("线索：有个老乡想在我县设厂，投资千一万", {"amount_wan": 1100, "project": "设厂"}),
        ("线索：宁波客商拟投资1亿元建设模具项目，联系人高明", {"contact_name": "高明", "place": "宁波"}),
        ("进展：宁波旭升科技有限公司复合材料生产线项目完成摘牌", {"project": "复合材料生产线项目"}),
        ("月底台州客商过来考察，时间都定好了", {"intent": "unknown"}),
        ("下周二温州客商来考察，已经约好了", {"intent": "unknown"}),
        (
            "今天去松山湖走访了东莞华贝电子，对方计划明年来我县考察",
            {"intent": "visit", "place": "松山湖", "date": "2026-05-20"},
        ),
        ("昨天接待了宁波客商一行，对方计划下月再来考察一次", {"intent": "reception", "date": "2026-05-19"}),
        ("这个机器人咋用", {"intent": "help"}),
        ("【通知】仍有3个镇未报送本月线索", {"intent": "bulletin"}),
        (
            "今天陪同星辰光电的李总一行3人实地查看了标准厂房",
            {"intent": "reception", "company": "星辰光电", "count": None},
        ),
        ("今天陪同县长实地查看了施工现场", {"intent": "unknown"}),
        ("线索：日本名古屋松和电装株式会社拟投资20亿日元", {"company": "日本名古屋松和电装株式会社"}),
        (
            "线索：德国Kessler Antriebstechnik GmbH拟投资500万欧元",
            {"company": "德国Kessler Antriebstechnik GmbH"},
        ),
        ("线索：一家香港公司想投2亿港币建冷链中心", {"company": None, "place": "香港"}),
        ("线索：榆次客商拟投资两个多亿建设焦化项目", {"amount_wan": 20000}),
        ("线索：县里争取资金建设高标准农田，总投资3000万元", {"project": "高标准农田", "missing": []}),
        ("宁波客商在我县新建仓储用房已封顶", {"project": "仓储用房"}),
        ("线索：有个温州老板想在我县搞个项目，投资五千万", {"missing": ["project"]}),
        ("线索：有个温州老板想在我县搞个印染项目，投资五千万", {"project": "印染项目"}),
        ("XX项目计划6月30日前开工", {"intent": "plan", "plan_of": "start", "date": "2026-06-30"}),
        ("预计6月签约，总投资3亿元", {"intent": "plan", "plan_of": "signing", "date": "2026-06-30"}),
        ("预计下月到位资金5000万元", {"intent": "plan", "plan_of": "funds", "date": "2026-06-30", "amount_wan": 5000}),
        ("拟于下月中旬开工", {"intent": "plan", "date": "2026-06-20"}),
        ("签约：储能项目今天正式签约，总投资1.2亿元，计划6月开工", {"intent": "signing", "planned": {"start": "2026-06-30"}}),
        ("鼎晟速冻食品项目昨天正式投产了，二期拟明年开工", {"intent": "completion"}),
        ("线索：华峰集团有投资意向，拟投资2亿元建设氨纶项目", {"intent": "lead"}),
        ("签订生猪养殖项目投资意向书，拟投资2亿元", {"intent": "intention", "amount_wan": 20000}),
        ("问题：P8用地手续卡住，需自然资源局协调，月底前解决",
         {"intent": "problem", "project_ref": "P8", "department": "自然资源局", "due": "2026-05-31"}),
        ("XX项目开工受阻，需要电力局协调接电", {"intent": "problem", "department": "电力局"}),
        ("开发区项目已开工", {"intent": "start"}),
        ("驳回 #41 城投项目不计", {"intent": "unknown", "command": "review", "ref": 41}),
        ("确认3月18日举行恒润项目签约仪式", {"intent": "signing"}),
        ("#15 归入 P2", {"intent": "unknown", "command": "attach", "ref": 15, "project_ref": "P2"}),
        ("P2", {"intent": "unknown", "command": "attach", "project_ref": "P2"}),
        ("解决 问题3", {"intent": "unknown", "command": "solve", "ref": 3}),
        ("线索：北京康龙生物医药有限公司拟投资1亿元建设P3实验室项目", {"intent": "lead", "project_ref": None}),
        ("今天带队赴深圳拜访欣旺达电子，双方达成初步合作意向", {"intent": "visit"}),
        ("欣旺达锂电池模组项目3月8日开工建设，目前存在用工缺口问题", {"intent": "start"}),
        ("恒润项目环评报告有误，需修改后重新提交生态环境局", {"intent": "progress"}),
        ("下步计划：继续对接深圳客商", {"intent": "unknown"}),
        ("开工：分布式光伏电站项目今日开工，装机容量500kW", {"amount_wan": None}),
        ("携程温泉项目 更正一下 投资额是1.8个亿", {"intent": "correction", "amount_wan": 18000, "project": "携程温泉项目"}),
        ("刚报的到位资金写错了，是2000W不是200W", {"intent": "correction", "amount_wan": 2000}),
    ],
)
def test_doc_example(text: str, expect: dict[str, object]) -> None:
    got = parse(text, TODAY).to_contract()
    for key, value in expect.items():
        assert got.get(key) == value, key
