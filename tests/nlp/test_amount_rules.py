"""Amount rules of parse-contract.md: numerals, units, currencies, hedges, ranges, priority."""

from datetime import date

import pytest

from nlp import parse

TODAY = date(2025, 6, 18)


def _lead(amount: str) -> tuple[float | None, str | None]:
    parsed = parse(f"线索：江苏某新材料有限公司拟投资{amount}建设新材料项目", TODAY)
    return parsed.amount_wan, parsed.currency


@pytest.mark.parametrize(
    ("written", "wan", "currency"),
    [
        ("5000万", 5000, "CNY"),
        ("5000万元", 5000, "CNY"),
        ("1.2亿元", 12000, "CNY"),
        ("5千万", 5000, "CNY"),
        ("五千万", 5000, "CNY"),
        ("一千二百万元", 1200, "CNY"),
        ("两千五百万", 2500, "CNY"),
        ("一点二亿", 12000, "CNY"),
        ("一亿二千万", 12000, "CNY"),
        ("1亿2千万", 12000, "CNY"),
        ("两亿五千万元", 25000, "CNY"),
        ("两亿", 20000, "CNY"),
        ("一亿五", 15000, "CNY"),
        ("2.3个亿", 23000, "CNY"),
        ("10个亿", 100000, "CNY"),
        ("5个亿", 50000, "CNY"),
        ("伍佰万元", 500, "CNY"),
        ("壹仟贰佰万元", 1200, "CNY"),
        ("3,000万元", 3000, "CNY"),
        ("2百万元", 200, "CNY"),
        ("3500000元", 350, "CNY"),
        ("6500万远", 6500, "CNY"),
        ("2亿元人民币", 20000, "CNY"),
        ("3亿美元", 30000, "USD"),
        ("3000万美元", 3000, "USD"),
        ("500万美金", 500, "USD"),
        ("2000万港元", 2000, "HKD"),
        ("2000万港币", 2000, "HKD"),
        ("800万欧元", 800, "EUR"),
        ("5亿日元", 50000, "JPY"),
        ("约5千万", 5000, "CNY"),
        ("近3亿元", 30000, "CNY"),
        ("超2亿", 20000, "CNY"),
        ("5000多万元", 5000, "CNY"),
        ("1000余万元", 1000, "CNY"),
        ("3000万元左右", 3000, "CNY"),
        ("不低于5000万", 5000, "CNY"),
        ("3000-5000万", 3000, "CNY"),
        ("3～5亿元", 30000, "CNY"),
        ("3到5亿", 30000, "CNY"),
        ("3亿至5亿元", 30000, "CNY"),
        ("５０００万元", 5000, "CNY"),
    ],
)
def test_amount_forms(written: str, wan: float, currency: str) -> None:
    assert _lead(written) == (pytest.approx(wan), currency)


@pytest.mark.parametrize(
    "text",
    [
        "线索：某企业拟建设年产5万吨饲料项目",
        "线索：某企业拟新建厂房1.5万平方米",
        "线索：某企业拟建设年产30万方商品混凝土项目",
        "开工：年产20万立方米加气混凝土砌块项目开工",
        "接待：今天接待浙江客商一行4人",
        "进展：某项目厂房装修已完成80%",
        "线索：张三介绍长三角一家企业，联系人李四 13800001111",
    ],
)
def test_numbers_that_are_not_money(text: str) -> None:
    assert parse(text, TODAY).amount_wan is None
    assert parse(text, TODAY).currency is None


def test_investment_total_beats_phase_and_revenue() -> None:
    parsed = parse(
        "线索：河南某食品有限公司拟投资建设速冻食品项目，其中一期投资8000万元，总投资2亿元，达产后年销售收入3亿元",
        TODAY,
    )
    assert parsed.amount_wan == 20000


def test_output_value_is_never_the_investment() -> None:
    parsed = parse("签约：某项目正式签约，达产后年产值可达5亿元", TODAY)
    assert parsed.amount_wan is None
    assert parsed.missing == ("amount_wan",)


def test_signing_prefers_total_over_first_funds() -> None:
    parsed = parse("签约：某集团冷链项目今日签约，首期到位资金3000万元，总投资2亿元", TODAY)
    assert parsed.amount_wan == 20000


def test_funds_prefer_this_report_over_running_total() -> None:
    parsed = parse("到位：某项目累计到位资金5000万元，本月新增到位800万元", TODAY)
    assert parsed.amount_wan == 800


def test_funds_prefer_arrived_over_planned_investment() -> None:
    parsed = parse("到位：某包装有限公司项目计划投资6500万元，截至目前已到位1千万", TODAY)
    assert parsed.amount_wan == 1000


def test_currency_written_before_the_number() -> None:
    assert _lead("美元500万") == (500, "USD")


@pytest.mark.parametrize(
    "text",
    [
        "签约：A公司B项目正式签约，总投资1e308亿元",  # digits glued to Latin letters
        "签约：A公司B项目正式签约，总投资abc300万元",
        "签约：A公司B项目正式签约，总投资" + "9" * 400 + "亿元",  # would be inf
        "签约：A公司B项目正式签约，总投资" + "9" * 400 + "元",
        "签约：A公司B项目正式签约，总投资1234567890123元",  # more than 12 digits
        "签约：A公司B项目正式签约，总投资10001亿元",  # above 1万亿
        "签约：A公司B项目正式签约，总投资2万亿美元",
    ],
)
def test_implausible_amounts_are_no_amount(text: str) -> None:
    parsed = parse(text, TODAY)
    assert (parsed.amount_wan, parsed.currency) == (None, None)
    assert parsed.missing == ("amount_wan",)


def test_largest_plausible_amount_and_currency_codes() -> None:
    assert parse("签约：A公司B项目正式签约，总投资10000亿元", TODAY).amount_wan == 1e8
    assert parse("签约：总投资1.1234567890123亿元", TODAY).amount_wan == pytest.approx(11234.567890123)
    parsed = parse("签约：A公司B项目正式签约，总投资RMB5000万", TODAY)
    assert (parsed.amount_wan, parsed.currency) == (5000, "CNY")
    parsed = parse("签约：A公司B项目正式签约，总投资USD300万", TODAY)
    assert (parsed.amount_wan, parsed.currency) == (300, "USD")


def test_huge_counts_never_crash() -> None:
    parsed = parse("拜访：赴苏州拜访企业" + "9" * 400 + "家", TODAY)
    assert parsed.intent == "visit" and parsed.count is None
