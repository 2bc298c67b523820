"""Intent classification, report splitting, commands, queries and the named fields."""

from datetime import date

import pytest

from nlp import Intent, parse

TODAY = date(2025, 6, 18)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("线索：某公司拟投资1亿元建设物流园项目", Intent.LEAD),
        ("新线索：无锡一家企业想来投资", Intent.LEAD),
        ("项目信息：某集团拟建设数据中心", Intent.LEAD),
        ("拜访：赴上海拜访客商", Intent.VISIT),
        ("外出招商：赴深圳对接企业", Intent.VISIT),
        ("昨天带队赴合肥拜方客商", Intent.VISIT),
        ("接待：接待温州客商", Intent.RECEPTION),
        ("洽谈：与某公司洽谈合作", Intent.RECEPTION),
        ("泉州客商来我镇考察鞋业项目", Intent.RECEPTION),
        ("签约：某项目签约", Intent.SIGNING),
        ("我县与某集团签订投资协议", Intent.SIGNING),
        ("开工：某项目开工", Intent.START),
        ("某公司项目今日动工", Intent.START),
        ("到位：某项目到位资金500万", Intent.FUNDS),
        ("某公司第二笔资金800万元已到账", Intent.FUNDS),
        ("竣工：某项目竣工", Intent.COMPLETION),
        ("投产：某项目投产", Intent.COMPLETION),
        ("进展：某项目已完成土地摘牌", Intent.PROGRESS),
        ("本月排名", Intent.QUERY_RANK),
        ("卫庄镇排名怎么样", Intent.QUERY_RANK),
        ("我们镇这个月排第几啊？", Intent.QUERY_RANK),
        ("排名图", Intent.QUERY_RANK_CHART),
        ("发一下上月排名的图表", Intent.QUERY_RANK_CHART),
        ("未报送", Intent.QUERY_MISSING),
        ("哪些单位还没报？", Intent.QUERY_MISSING),
        ("我的上报", Intent.QUERY_SUMMARY),
        ("台账", Intent.QUERY_SUMMARY),
        ("通报：本月报送截止到25日", Intent.BULLETIN),
        ("公告:下周一召开调度会", Intent.BULLETIN),
        ("通知：请及时报送", Intent.BULLETIN),
        ("更正 #12 投资8000万元", Intent.CORRECTION),
        ("撤回 #12", Intent.RETRACT),
        ("帮助", Intent.HELP),
        ("?", Intent.HELP),
        ("？", Intent.HELP),
        ("使用说明", Intent.HELP),
        ("格式", Intent.HELP),
        ("收到", Intent.UNKNOWN),
        ("好的👌", Intent.UNKNOWN),
        ("辛苦了[抱拳]", Intent.UNKNOWN),
        ("🎉🎉", Intent.UNKNOWN),
        ("", Intent.UNKNOWN),
    ],
)
def test_intent(text: str, intent: Intent) -> None:
    assert parse(text, TODAY).intent is intent


def test_numbered_report_has_one_item_per_line_in_order() -> None:
    parsed = parse(
        "6月份招商工作报送：\n1.拜访：6月5日赴杭州拜访企业3家\n2.接待：接待深圳客商2批\n"
        "3.签约：浙江华立集团新材料项目签约，总投资3亿元",
        TODAY,
    )
    assert parsed.intent is Intent.REPORT
    assert [i.intent for i in parsed.items] == [Intent.VISIT, Intent.RECEPTION, Intent.SIGNING]
    assert parsed.items[0].place == "杭州" and parsed.items[0].count == 3
    assert parsed.items[2].company == "浙江华立集团" and parsed.items[2].amount_wan == 30000
    assert "items" in parsed.to_contract()


def test_semicolon_report_and_circled_numbers() -> None:
    semi = parse("线索:温州客商拟投资8000万元建设竹木项目；到位:某公司项目到位资金1500万元", TODAY)
    assert [i.intent for i in semi.items] == [Intent.LEAD, Intent.FUNDS]
    circled = parse("5月工作情况：①线索：某企业拟建设康养中心项目②进展：某公司项目完成土地平整", TODAY)
    assert [i.intent for i in circled.items] == [Intent.LEAD, Intent.PROGRESS]


def test_key_value_message_is_one_record_not_a_report() -> None:
    parsed = parse("外出招商:\n时间:3月5日\n地点:深圳\n拜访企业:3家\n带队领导:镇长王海平", TODAY)
    assert parsed.intent is Intent.VISIT
    assert (parsed.place, parsed.count, parsed.items) == ("深圳", 3, ())


def test_correction_reads_the_fields_it_changes() -> None:
    parsed = parse("更正#35：签约日期应为3月8日，投资额1.5亿元", TODAY)
    assert parsed.ref == 35
    assert parsed.date == date(2025, 3, 8) and parsed.amount_wan == 15000
    assert {"date", "amount_wan", "currency"} <= parsed.stated
    assert "company" not in parsed.stated
    assert parsed.body == "签约日期应为3月8日，投资额1.5亿元"


def test_retract_and_bulletin_bodies() -> None:
    assert parse("撤回#47 重复报送了[捂脸]", TODAY).ref == 47
    assert parse("通报：截至目前8个单位已报送", TODAY).body == "截至目前8个单位已报送"


def test_query_units() -> None:
    assert parse("卫庄镇排名怎么样", TODAY).target_unit == "卫庄镇"
    own = parse("我单位排名", TODAY)
    assert own.own_unit and own.target_unit is None
    assert parse("查一下我们镇本月台账", TODAY).target_unit is None


def test_mention_unit_tag_and_emoji_are_stripped() -> None:
    parsed = parse("@招商助手 【横水镇】签约：深圳华拓新能源有限公司项目签约[强]🎉，投资1亿元", TODAY)
    assert parsed.intent is Intent.SIGNING
    assert parsed.company == "深圳华拓新能源有限公司"


def test_traditional_text_comes_back_as_written() -> None:
    parsed = parse("線索：香港利晉國際貿易有限公司擬投資2億元建設冷鏈倉儲項目，聯繫人：陳家豪", TODAY)
    assert parsed.company == "香港利晉國際貿易有限公司"
    assert parsed.contact_name == "陳家豪"
    assert parsed.project == "冷鏈倉儲項目"
    assert parsed.amount_wan == 20000


def test_company_starts_after_verbs_and_prepositions() -> None:
    assert (
        parse("今天上午我县与深圳澄峰新能源科技有限公司签订协议", TODAY).company
        == "深圳澄峰新能源科技有限公司"
    )
    assert parse("赴苏州拜访苏州澄岚精密机械有限公司", TODAY).company == "苏州澄岚精密机械有限公司"
    assert parse("总投资8000万元的泉州闽顺鞋业有限公司生产线投产", TODAY).company == "泉州闽顺鞋业有限公司"
    assert (
        parse("签约：我县与德国博世（中国）投资有限公司签约", TODAY).company == "德国博世（中国）投资有限公司"
    )
    assert parse("接待：接待宁波客商考察", TODAY).company == "宁波客商"


def test_place_depends_on_intent() -> None:
    assert parse("拜访：今天赴苏州拜访客商", TODAY).place == "苏州"
    assert parse("接待：接待来自臺中的客商", TODAY).place == "臺中"
    assert parse("新线索：东莞一家企业想建设生产线", TODAY).place == "东莞"
    assert parse("今天外出拜访客商3家", TODAY).missing == ("place",)


def test_contact_name_needs_a_label_and_phone_is_digits() -> None:
    parsed = parse("线索：华为配套企业拟投资1亿元建设项目，联系人:周明远 138 0615 2739", TODAY)
    assert parsed.contact_name == "周明远"
    assert parsed.contact_phone == "13806152739"
    assert parse("线索：宁德时代配套企业来访 139-3592-6647", TODAY).contact_name is None
    assert parse("线索：联系电话0371-6359 8842", TODAY).contact_phone == "037163598842"


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("拜访企业3家", 3),
        ("今天走访了五家企业，其中两家有意向", 5),
        ("接待客商3批次共15人", 3),
        ("接待了两批客商", 2),
        ("上周赴厦门拜访客商，对接了两家企业", 2),
    ],
)
def test_count(text: str, count: int) -> None:
    assert parse(text, TODAY).count == count


def test_industry_from_field_or_dictionary() -> None:
    assert parse("线索：某公司拟投资，行业为医疗器械", TODAY).industry == "医疗器械"
    # the investor named by its trade, as written (graded by substring: 羽絨 or 羽絨服飾)
    assert "羽絨" in (parse("新線索：晉江一家羽絨服飾企業有意來我縣", TODAY).industry or "")


def test_lead_missing_lists_what_is_not_stated() -> None:
    assert parse("线索：温州客商计划投资3000万，具体建设内容待进一步洽谈", TODAY).missing == ("project",)
    both = parse("有个在上海做新能源的老乡想回来投资，金额和项目都还没定，先报个线索", TODAY)
    assert both.missing == ("amount_wan", "project")
    assert parse("线索：某公司拟投资1亿元建设数据中心项目", TODAY).missing == ()


def test_government_funded_is_flagged_but_still_a_lead() -> None:
    parsed = parse("线索：县水利局申请中央预算内资金建设河道治理工程，总投资约3亿元", TODAY)
    assert parsed.intent is Intent.LEAD and parsed.government_funded


@pytest.mark.parametrize(
    "text",
    [
        "1、线索：苏州某公司拟投资2亿建设光伏组件项目\n2、签约：深圳华拓科技有限公司项目签约，投资5000万元",
        "一、线索：苏州某公司拟投资2亿建设光伏组件项目\n二、签约：深圳华拓科技有限公司项目签约",
        "(1)线索：苏州某公司拟投资2亿建设光伏组件项目；(2)签约：深圳华拓科技有限公司项目签约",
    ],
)
def test_numbering_styles_split_a_report(text: str) -> None:
    parsed = parse(text, TODAY)
    assert [i.intent for i in parsed.items] == [Intent.LEAD, Intent.SIGNING]
    assert parsed.items[1].company == "深圳华拓科技有限公司"
