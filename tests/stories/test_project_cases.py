"""Issue 19, case by case: what the county's figures stand on. Each story is told in the liaisons' and the
office's own words and checked through what the office reads (`projects --json`, `stats --json`,
`rank --json`, the workbook), never through reply wording alone. Figures are worked out by hand in the
comments."""

from __future__ import annotations

import re

from .conftest import Office

XWD = "签约：深圳欣旺达电子股份有限公司锂电池模组项目正式签约，总投资3亿元"
ANTA_SHOES = "签约：安踏体育用品集团有限公司运动鞋服项目正式签约，总投资2亿元"
ANTA_PARK = "签约：安踏体育用品集团有限公司智慧物流园项目正式签约，总投资1亿元"


def p_number(project: dict[str, object]) -> int:
    return int(str(project["id"]).removeprefix("P"))


# 1. Milestones reach their project ----------------------------------------------------------------------


def test_milestones_by_short_name_and_product_words_reach_the_signed_project(office: Office) -> None:
    office.say("wz_liu", XWD, "2026-03-02 10:00")
    office.say("wz_liu", ANTA_SHOES, "2026-03-03 10:00")
    office.say("wz_liu", "欣旺达锂电池模组项目开工", "2026-03-05 10:00")
    office.say("wz_liu", "资金到位：安踏运动鞋服项目到位资金1.2亿元", "2026-03-06 10:00")
    xwd, anta = office.project("欣旺达"), office.project("安踏")
    assert (xwd["stage"], xwd["started_on"]) == ("开工", "2026-03-05")
    assert (anta["stage"], anta["funds_wan"]) == ("签约", 12000)
    # Two signed this year (5亿 in all), one started, both performing (a start, funds): 50 %, 100 %, 1.2/5.
    rates = office.stats()["county"]["rates"]
    assert (rates["开工率"], rates["履约率"], rates["资金到位率"]) == (0.5, 1.0, 0.24)


def test_the_same_brand_with_other_words_is_asked_about_never_assumed(office: Office) -> None:
    office.say("wz_liu", "签约：江苏恒润新材料有限公司可降解塑料项目正式签约，总投资8000万元", "2026-03-02 10:00")
    asked = office.say("wz_liu", "恒润电子元件项目今天开工", "2026-03-05 10:00")
    project = office.project("恒润")
    # Suggested, not assumed: the start waits for 是 / P-number.
    assert f"是 {project['id']}" in asked.text, asked.text
    assert office.project("恒润")["stage"] == "签约"
    office.say("wz_liu", "是", "2026-03-05 10:01")
    assert office.project("恒润")["stage"] == "开工"


def test_that_project_means_the_project_spoken_of_or_named_by_its_brand(office: Office) -> None:
    office.say("nf_wang", "线索：河南牧原食品股份有限公司拟投资8000万元建设生猪屠宰项目", "2026-03-02 10:00")
    office.say("nf_wang", "线索：江苏恒顺醋业股份有限公司拟投资5000万元建设食醋酿造项目", "2026-03-03 10:00")
    office.say("nf_wang", "牧原那个项目签了 签约金额六千万", "2026-03-09 10:00")
    office.say("nf_wang", "那个项目计划6月30日前开工", "2026-03-09 11:00")
    muyuan = office.project("牧原")
    assert (muyuan["stage"], muyuan["signed_wan"], muyuan["planned"]) == ("签约", 6000, {"start": "2026-06-30"})
    assert office.project("恒顺")["stage"] == "线索"
    assert office.rank()["南樊镇"]["signings"] == 1


def test_a_question_about_the_project_waits_until_answered_the_next_morning(office: Office) -> None:
    office.say("kfq_chen", ANTA_SHOES, "2026-03-03 10:00")
    office.say("kfq_chen", ANTA_PARK, "2026-03-03 11:00")
    asked = office.say("kfq_chen", "安踏项目今天开工", "2026-03-06 16:00")
    shoes, park = office.project("运动鞋服"), office.project("物流园")
    assert shoes["id"] in asked.text and park["id"] in asked.text, asked.text
    # Waiting, it is on the office's list and in no rate: 0 of 2 started.
    assert f"#{office.number(asked)}" in office.say("office", "审核", "2026-03-06 17:00").text
    assert office.stats()["county"]["rates"]["开工率"] == 0.0
    answered = office.say("kfq_chen", park["id"], "2026-03-07 09:00")
    assert "已归入项目" in answered.text, answered.text
    park = office.project("物流园")
    assert (park["stage"], park["started_on"]) == ("开工", "2026-03-06")
    assert f"#{office.number(asked)}" in park["records"]
    assert office.stats()["county"]["rates"]["开工率"] == 0.5
    assert f"#{office.number(asked)}" not in office.say("office", "审核", "2026-03-07 10:00").text
    # The office moves it with the words a correction would use: the record, not a project named "P…".
    office.say("office", f"更正 #{office.number(asked)} 项目{shoes['id']}", "2026-03-08 10:00")
    assert office.project("运动鞋服")["stage"] == "开工" and office.project("物流园")["stage"] == "签约"
    assert not [p for p in office.projects() if p["name"] == shoes["id"]]


def test_the_office_attaches_at_any_time_the_liaison_before_the_deadline(office: Office) -> None:
    office.say("hs_li", XWD, "2026-03-02 10:00")
    funds = office.say("hs_li", "资金到位：王总的项目本月到位资金8000万元", "2026-03-10 10:00")
    n, project = office.number(funds), office.project("欣旺达")
    # After March's deadline (the 20th) the liaison is sent to the office; the office attaches it.
    late = office.say("hs_li", f"#{n} 归入 {project['id']}", "2026-03-22 10:00")
    assert "联系招商办" in late.text and office.project("欣旺达")["funds_wan"] == 0
    office.say("office", f"#{n} 归入 {project['id']}", "2026-03-22 11:00")
    assert office.project("欣旺达")["funds_wan"] == 8000 and f"#{n}" in office.project("欣旺达")["records"]
    # The March figures take it: funds 8000 on a 3亿 signing.
    assert office.stats()["county"]["rates"]["资金到位率"] == round(8000 / 30000, 4)
    assert office.rank()["横水镇"]["funds_wan"] == 8000


# 2. Plans and intentions count as nothing done ----------------------------------------------------------


def test_plans_set_planned_dates_and_count_nothing(office: Office) -> None:
    office.say("wz_liu", XWD, "2026-03-02 10:00")
    office.say("wz_liu", "线索：天合光能股份有限公司拟投资3亿元建设储能电池项目", "2026-03-03 10:00")
    office.say("wz_liu", "欣旺达锂电池模组项目计划6月30日前开工", "2026-03-04 10:00")
    office.say("wz_liu", "欣旺达项目预计下月到位资金5000万元", "2026-03-04 11:00")
    office.say("wz_liu", "天合储能项目预计6月签约，总投资3亿元", "2026-03-05 10:00")
    office.say("wz_liu", "天合光能项目拟于下月开工", "2026-03-05 11:00")
    row = office.rank()["卫庄镇"]
    assert (row["signings"], row["starts"], row["funds_wan"]) == (1, 0, 0)
    xwd, trina = office.project("欣旺达"), office.project("天合")
    assert xwd["stage"] == "签约" and xwd["planned"] == {"start": "2026-06-30", "funds": "2026-04-30"}
    assert trina["stage"] == "线索" and trina["planned"] == {"signing": "2026-06-30", "start": "2026-04-30"}
    assert office.stats()["county"]["rates"]["开工率"] == 0.0
    assert "欣旺达" in office.say("office", "签约未开工", "2026-03-06 10:00").text


def test_an_intention_agreement_is_the_stage_intention_not_a_signing(office: Office) -> None:
    office.say("nf_wang", "签订生猪养殖项目投资意向书，拟投资2亿元", "2026-03-10 10:00")
    row = office.rank()["南樊镇"]
    assert (row["signings"], row["signed_wan"], row["reported"]) == (0, 0, True)
    project = office.project("生猪养殖")
    assert (project["stage"], project["signed_wan"]) == ("意向", None)
    assert office.stats()["county"]["rates"]["开工率"] is None  # nothing signed this year


# 3. Corrections and office commands are never reports ---------------------------------------------------


def test_a_correction_without_a_number_asks_which_record_and_corrects_it(office: Office) -> None:
    office.say("wz_liu", "线索：携程集团拟投资1.5亿元建设温泉康养度假区项目", "2026-03-02 10:00")
    asked = office.say("wz_liu", "携程温泉项目 更正一下 投资额是1.8个亿", "2026-03-03 10:00")
    assert "是更正 #" in asked.text and not asked.records, asked.text
    office.say("wz_liu", "是", "2026-03-03 10:01")
    assert office.rank()["卫庄镇"]["leads"] == 1 and office.project("携程")["records"] == ["#1"]
    head, *rows = office.sheet("台账")
    # One record, the lead itself, corrected: no 项目进展 was stored.
    assert [(r[head.index("类型")], r[head.index("金额(万)")]) for r in rows] == [("线索", 18000)]


def test_a_rejection_whose_reason_speaks_of_a_project_is_a_rejection(office: Office) -> None:
    signed = office.say("nf_wang", "签约：山西中条山建设集团有限公司标准化厂房项目正式签约，总投资2亿元", "2026-03-10 10:00")
    before = office.rank()["南樊镇"]
    assert (before["signings"], before["signed_wan"]) == (1, 20000)
    office.say("office", f"驳回 #{office.number(signed)} 城投项目不计", "2026-03-11 10:00")
    after = office.rank()["南樊镇"]
    assert (after["signings"], after["signed_wan"]) == (0, 0)
    head, *rows = office.sheet("台账")
    assert [r[head.index("类型")] for r in rows] == ["签约"]  # the command stored no report
    project = office.project("中条山")
    assert project["counted"] is False and "城投项目不计" in project["not_counted_reason"]
    assert office.stats()["county"]["rates"]["开工率"] is None


def test_a_visit_that_tells_the_investors_next_step_stays_a_visit(office: Office) -> None:
    office.say("kfq_chen", "今天赴常州拜访了天合储能 对方对标准厂房很感兴趣 下一步准备来实地考察", "2026-03-04 16:00")
    row = office.rank()["开发区"]
    assert (row["visits"], row["leads"]) == (1, 0)
    assert not office.projects()


# 4. The office's decisions reach every output -----------------------------------------------------------


def test_the_statistics_sheet_counts_only_the_projects_that_count(office: Office) -> None:
    office.say("wz_liu", XWD, "2026-03-02 10:00")  # counts: 3亿
    office.say("wz_liu", "签约：县城投公司标准化厂房项目签约，总投资2亿元", "2026-03-03 10:00")  # government money
    office.say("wz_liu", "签约：绛县宏达建材有限公司新型墙材项目正式签约，总投资3000万元", "2026-03-04 10:00")  # own money
    office.say("nf_wang", XWD, "2026-03-05 10:00")  # 卫庄镇's investor: a repeat
    rejected = office.say("hs_li", "签约：浙江正泰电器股份有限公司光伏项目正式签约，总投资3亿元", "2026-03-06 10:00")
    office.say("office", f"驳回 #{office.number(rejected)} 重复报送", "2026-03-07 10:00")
    rows = {r[0]: r for r in office.sheet("统计")[1:]}
    assert rows["卫庄镇"][1:3] == (1, 30000)
    assert rows["南樊镇"][1:3] == (0, 0) and rows["横水镇"][1:3] == (0, 0)
    assert rows["全县"][1:3] == (1, 30000)


def test_confirming_another_units_repeat_asks_how_and_the_county_counts_the_investor_once(office: Office) -> None:
    office.say("nf_wang", XWD, "2026-03-02 10:00")
    repeat = office.say("sw_sun", XWD, "2026-03-04 10:00")
    n = office.number(repeat)
    asked = office.say("office", f"确认 #{n}", "2026-03-05 10:00")
    assert "两家都计" in asked.text and "转计本单位" in asked.text
    assert office.rank()["商务局"]["signings"] == 0  # nothing decided yet
    office.say("office", f"确认 #{n} 两家都计", "2026-03-05 10:01")
    ranked = office.rank()
    assert (ranked["南樊镇"]["signings"], ranked["商务局"]["signings"]) == (1, 1)
    county = office.stats()["county"]["pipeline"]
    assert (county["signed"], county["signed_wan"]) == (1, 30000)  # one investor, once
    rows = {r[0]: r for r in office.sheet("统计")[1:]}
    assert rows["全县"][1:3] == (1, 30000)


def test_the_office_may_move_the_credit_to_the_unit_that_reported_second(office: Office) -> None:
    office.say("nf_wang", XWD, "2026-03-02 10:00")
    repeat = office.say("sw_sun", XWD, "2026-03-04 10:00")
    office.say("office", f"确认 #{office.number(repeat)} 转计本单位", "2026-03-05 10:00")
    ranked = office.rank()
    assert (ranked["南樊镇"]["signings"], ranked["商务局"]["signings"]) == (0, 1)
    assert office.project("欣旺达", "南樊镇")["counted"] is False
    assert office.project("欣旺达", "商务局")["counted"] is True
    assert office.stats()["county"]["pipeline"]["signed"] == 1


def test_a_reworded_packaged_project_is_the_same_one(office: Office) -> None:
    office.say("wz_liu", "策划包装：智慧物流园项目，拟投资1.5亿元", "2026-03-02 10:00")
    again = office.say("wz_liu", "策划包装：智慧物流产业园项目，拟投资1.5亿元", "2026-03-09 10:00")
    assert "同一项目" in again.text
    rows = office.sheet("台账")
    head = rows[0]
    counted = [r[head.index("计分")] for r in rows[1:] if r[head.index("类型")] == "策划包装"]
    assert counted == ["是", "否"]


def test_a_bulletin_regenerated_in_december_measures_stale_from_the_periods_end(office: Office) -> None:
    from docx import Document

    office.say("wz_liu", XWD, "2026-03-02 10:00")
    out = office.tmp / "通报.docx"
    office.cli("bulletin", "--period", "2026-03", "--docx", str(out))
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    # Signed on March 2: 18 days without news at the period's end, not 60 (as it would be by December).
    assert "签约未开工项目1个" in text and "暂无超过60天无进展的项目" in text, text
    assert "开工率0.0%" in text


def test_the_indicators_sheet_lists_each_county_rate_once(office: Office) -> None:
    office.say("wz_liu", XWD, "2026-03-02 10:00")
    (office.tmp / "t.csv").write_text("unit,year,metric,value\n全县,2026,rate:履约率,0.4\n", encoding="utf-8")
    office.cli("targets", "import", str(office.tmp / "t.csv"))
    rows = office.sheet("指标")
    county = [r[1] for r in rows[1:] if r[0] == "全县"]
    assert county.count("履约率") == 1 and county.count("开工率") == 1, county


# 5. The county's own money -------------------------------------------------------------------------------


def test_the_countys_own_firms_and_people_are_not_outside_money(office: Office) -> None:
    office.say("wz_liu", "线索：绛县宏达建材有限公司拟投资5000万元建设新型建材项目", "2026-03-02 10:00")
    office.say("wz_liu", "线索：我县民营企业家李总拟投资2000万元建设农产品冷链仓储项目", "2026-03-03 10:00")
    office.say("wz_liu", "线索：卫庄镇恒信机械有限公司拟投资3000万元建设农机配件项目", "2026-03-04 10:00")
    office.say("wz_liu", "线索：山西晋宏实业有限公司（统一社会信用代码91140826MA0K8XY71R）拟投资4000万元建设仓储项目",
               "2026-03-05 10:00")
    assert office.rank()["卫庄镇"]["leads"] == 0
    assert all(p["counted"] is False and "县内投资" in p["not_counted_reason"] for p in office.projects())
    review = office.say("office", "审核", "2026-03-06 10:00").text
    assert review.count("县内投资") == 4, review


# 6. Padded reports, 7. generic names, 8. the bot's own example ------------------------------------------


def test_padded_leads_go_to_review_with_the_reason(office: Office) -> None:
    office.say("hs_li", "线索：江苏恒力化纤股份有限公司拟投资1亿元建设化纤项目，2025年已报", "2026-03-02 10:00")
    office.say("hs_li", "线索：福建安溪铁观音集团有限公司拟投资3000万元建设茶叶加工项目，已建成投产", "2026-03-03 10:00")
    (office.tmp / "base.csv").write_text("单位,投资方,项目名称,阶段,签约额,签约日期\n横水镇,山西美锦能源股份有限公司,氢能装备项目,签约,50000,2025-05-10\n",
                                         encoding="utf-8")
    office.cli("projects", "import", str(office.tmp / "base.csv"))
    office.say("hs_li", "线索：山西美锦能源股份有限公司拟投资5亿元建设氢能装备项目", "2026-03-04 10:00")
    assert office.rank()["横水镇"]["leads"] == 0
    review = office.say("office", "审核", "2026-03-05 10:00").text
    assert "2025年已报" in review and "已建成投产" in review and "项目库已有" in review, review


def test_firms_named_only_by_a_trade_word_and_a_number_are_strangers(office: Office) -> None:
    for n in (1, 2, 3):
        office.say("kfq_chen", f"线索：测试{n}号新材料有限公司拟投资5000万元建设新材料项目", f"2026-03-0{n + 1} 10:00")
    assert office.rank()["开发区"]["leads"] == 3
    assert len(office.projects()) == 3
    # A trade word with a region is nobody in particular either: two units, two investors, no repeat.
    office.say("nf_wang", "线索：江苏新材料有限公司拟投资3000万元建设复合材料项目", "2026-03-10 10:00")
    office.say("hs_li", "线索：浙江新材料有限公司拟投资3000万元建设复合材料项目", "2026-03-11 10:00")
    ranked = office.rank()
    assert (ranked["南樊镇"]["leads"], ranked["横水镇"]["leads"]) == (1, 1)


def test_the_bots_own_example_is_not_a_report(office: Office) -> None:
    reply = office.say("wz_liu", "线索：XX公司拟投资5000万元建设XX项目", "2026-03-02 10:00")
    assert "示例" in reply.text and not reply.stored
    assert office.rank()["卫庄镇"]["reported"] is False and not office.projects()


# Problems, and plans past their date ---------------------------------------------------------------------


def test_a_problem_stays_on_its_project_until_solved(office: Office) -> None:
    office.say("nf_wang", XWD, "2026-03-02 10:00")
    pid = office.project("欣旺达")["id"]
    office.say("office", f"包干 {pid} 张县长", "2026-03-02 11:00")
    reply = office.say("nf_wang", f"问题：{pid}用地手续卡住，需自然资源局协调，月底前解决", "2026-03-10 10:00")
    number = re.search(r"问题(\d+)", reply.text)
    assert number is not None, reply.text
    [problem] = office.project("欣旺达")["problems"]
    assert (problem["department"], problem["due"], problem["status"]) == ("自然资源局", "2026-03-31", "open")
    assert "用地手续卡住" in office.say("county_boss", "我的包干项目", "2026-03-11 10:00").text
    head, *rows = office.sheet("台账")
    assert [r[head.index("类型")] for r in rows] == ["签约"]  # a problem is no report of progress
    office.say("nf_wang", f"解决 问题{number.group(1)}", "2026-03-15 10:00")
    assert office.project("欣旺达")["problems"][0]["status"] == "solved"
    assert "用地手续卡住" not in office.say("county_boss", "我的包干项目", "2026-03-16 10:00").text


def test_the_weekly_inspection_names_plans_past_their_date_and_open_problems(office: Office) -> None:
    office.say("nf_wang", XWD, "2026-03-02 10:00")
    pid = office.project("欣旺达")["id"]
    office.say("nf_wang", "欣旺达锂电池模组项目计划3月10日前开工", "2026-03-03 10:00")
    office.say("nf_wang", f"问题：{pid}电力增容审批慢，需县供电公司协调，3月12日前解决", "2026-03-04 10:00")
    out = office.cli("job", "run", "weekly-inspection", "--at", "2026-03-13T16:00")
    assert "计划逾期项目" in out and "计划3月10日前开工" in out, out
    assert "待解决问题" in out and "电力增容" in out and "已超期" in out, out
    meeting = office.cli("job", "run", "meeting", "--at", "2026-03-13T08:30")
    assert "计划逾期项目" in meeting and "电力增容" in meeting, meeting
    office.say("nf_wang", "欣旺达锂电池模组项目今天开工", "2026-03-16 10:00")
    later = office.cli("job", "run", "weekly-inspection", "--at", "2026-03-20T16:00")
    assert "计划逾期项目" not in later, later


# Onboarding: the office's existing ledger ----------------------------------------------------------------


def test_an_imported_ledger_gets_this_years_milestones_and_adds_no_score(office: Office) -> None:
    (office.tmp / "ledger.csv").write_text(
        "unit,company,name,stage,signed_wan,signed_on,started_on,funds_wan,owner,planned_start\n"
        "卫庄镇,隆基绿能科技股份有限公司,分布式光伏电站项目,签约,12000,2026-01-15,,0,张县长,2026-03-15\n"
        "南樊镇,北京首农食品集团有限公司,肉制品深加工项目,开工,20000,2025-11-18,2026-01-05,3000,,\n"
        "没有的镇,某公司,某项目,签约,1,2025-01-01,,,,\n"
        "卫庄镇,甲公司,乙项目,签了一半,1,2025-01-01,,,,\n",
        encoding="utf-8")
    from typer.testing import CliRunner

    from bot.cli import app

    result = CliRunner().invoke(app, ["--config", str(office.config), "projects", "import", str(office.tmp / "ledger.csv")])
    assert result.exit_code == 1 and "第4行" in result.output and "第5行" in result.output, result.output
    assert len(office.projects()) == 2
    assert office.rank()["卫庄镇"]["reported"] is False  # an import is no report
    office.say("wz_liu", "分布式光伏电站项目今天开工了", "2026-03-05 09:00")
    longi = office.project("隆基")
    assert (longi["stage"], longi["started_on"], longi["owner"]) == ("开工", "2026-03-05", "张县长")
    # 2026's rates: 隆基 only (首农 was signed in 2025): 1 of 1 started.
    stats = office.stats()["county"]
    assert (stats["pipeline"]["signed"], stats["rates"]["开工率"]) == (1, 1.0)
    assert office.rank()["卫庄镇"]["starts"] == 1
    # A second import updates by unit + investor + name.
    (office.tmp / "again.csv").write_text(
        "单位,投资方,项目名称,阶段,签约额,签约日期\n卫庄镇,隆基绿能科技股份有限公司,分布式光伏电站项目,签约,15000,2026-01-15\n",
        encoding="utf-8")
    office.cli("projects", "import", str(office.tmp / "again.csv"))
    assert len(office.projects()) == 2 and office.project("隆基")["signed_wan"] == 15000


# One definition: a replay derives the same figures as the stored state -----------------------------------


def test_a_replay_as_of_now_derives_what_the_stored_state_says(office: Office) -> None:
    """The rates read the derived columns; a replayed round derives from the records reported by its time.
    Asked of the same moment, the two give the same pipeline, unit by unit and for the county."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from storage.pipeline import pipeline
    from storage.store import unit_of_work

    (office.tmp / "base.csv").write_text(
        "单位,投资方,项目名称,阶段,签约额,签约日期,累计到位\n卫庄镇,隆基绿能科技股份有限公司,光伏电站项目,签约,12000,2026-01-15,2000\n",
        encoding="utf-8")
    office.cli("projects", "import", str(office.tmp / "base.csv"))
    office.say("wz_liu", XWD, "2026-03-02 10:00")
    office.say("wz_liu", "欣旺达锂电池模组项目开工", "2026-03-05 10:00")
    office.say("wz_liu", "资金到位：欣旺达项目到位资金6000万元", "2026-03-06 10:00")
    office.say("nf_wang", ANTA_SHOES, "2026-03-03 10:00")
    office.say("nf_wang", "资金到位：安踏运动鞋服项目到位资金1.2亿元", "2026-03-09 10:00")
    repeat = office.say("sw_sun", ANTA_SHOES, "2026-03-04 10:00")
    office.say("office", f"确认 #{office.number(repeat)} 两家都计", "2026-03-05 10:00")
    rejected = office.say("hs_li", "签约：浙江正泰电器股份有限公司光伏项目正式签约，总投资3亿元", "2026-03-06 10:00")
    office.say("office", f"驳回 #{office.number(rejected)} 重复报送", "2026-03-07 10:00")
    office.say("hs_li", "线索：江苏恒顺醋业股份有限公司拟投资5000万元建设食醋酿造项目", "2026-03-08 10:00")
    months = ["2026-01", "2026-02", "2026-03"]
    with unit_of_work(office.runtime.engine) as store:
        stored = pipeline(store.session, months)
        replayed = pipeline(store.session, months, until=datetime(2026, 3, 20, 23, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert replayed == stored
    # By hand: 隆基 (imported, 2000 arrived), 欣旺达 (started, 6000), 安踏 twice (12000 at 南樊镇; 商务局 shared).
    assert (stored.county.signed, stored.county.started, stored.county.performing) == (3, 1, 3)
    assert (stored.county.signed_wan, stored.county.funds_wan) == (12000 + 30000 + 20000, 2000 + 6000 + 12000)


# What a review found: ordinary messages that must not move credit or drop a report -------------------------


def test_a_report_naming_a_new_investor_is_its_own_project_whatever_else_it_says(office: Office) -> None:
    office.say("wz_liu", XWD, "2026-03-02 10:00")
    office.say("wz_liu", "签约：山西潞安太阳能科技有限公司光伏组件项目正式签约，签约金额3亿元，该项目建成后年产值5亿元",
               "2026-03-03 10:00")
    assert office.project("潞安")["signed_wan"] == 30000
    assert office.rank()["卫庄镇"]["signings"] == 2


def test_another_brands_product_is_never_attached_by_the_product_words(office: Office) -> None:
    office.say("wz_liu", XWD, "2026-03-02 10:00")
    funds = office.say("wz_liu", "到位：比亚迪锂电池模组项目本月到位资金3000万元", "2026-03-04 10:00")
    start = office.say("wz_liu", "开工：国轩高科锂电池模组项目今日开工", "2026-03-05 10:00")
    assert "❓" in funds.text and "❓" in start.text
    xwd = office.project("欣旺达")
    assert (xwd["funds_wan"], xwd["stage"], xwd["records"]) == (0, "签约", ["#1"])
    assert office.rank()["卫庄镇"]["starts"] == 1  # counted for the unit all the same, not as a repeat


def test_once_the_office_confirms_a_project_its_milestones_count_again(office: Office) -> None:
    lead = office.say("hs_li", "线索：县城投公司拟投资3亿元建设标准化厂房项目", "2026-03-02 10:00")
    office.say("hs_li", "签约：标准化厂房项目正式签约，总投资3亿元", "2026-03-03 10:00")
    office.say("hs_li", "资金到位：标准化厂房项目到位资金5000万元", "2026-03-04 10:00")
    before = office.rank()["横水镇"]
    assert (before["signings"], before["funds_wan"]) == (0, 0)  # a project that does not count
    office.say("office", f"确认 #{office.number(lead)}", "2026-03-05 10:00")
    after = office.rank()["横水镇"]
    assert (after["leads"], after["signings"], after["signed_wan"], after["funds_wan"]) == (1, 1, 30000, 5000)
    pipe = office.stats()["county"]["pipeline"]
    assert (pipe["signed"], pipe["performing"], pipe["funds_wan"]) == (1, 1, 5000)


def test_a_record_moved_off_a_wrong_project_is_no_longer_its_repeat(office: Office) -> None:
    office.say("kfq_chen", ANTA_SHOES, "2026-03-02 10:00")
    office.say("kfq_chen", "安踏项目今天开工", "2026-03-03 10:00")  # its one project: 运动鞋服
    again = office.say("kfq_chen", "安踏项目3月6日开工", "2026-03-06 10:00")  # in fact another project's start
    assert office.rank()["开发区"]["starts"] == 1  # read as a repeat on 运动鞋服
    office.say("kfq_chen", f"#{office.number(again)} 新项目", "2026-03-06 11:00")
    assert office.rank()["开发区"]["starts"] == 2
    assert all(p["counted"] for p in office.projects())


def test_where_an_outside_investor_builds_is_not_whose_money_it_is(office: Office) -> None:
    office.say("wz_liu", "线索：浙江华友钴业有限公司拟在卫庄镇工业园区投资3亿元新建厂房", "2026-03-02 10:00")
    office.say("wz_liu", "线索：深圳比亚迪股份有限公司拟投资5亿元在绛县经济开发区建设新能源电池厂", "2026-03-03 10:00")
    assert office.rank()["卫庄镇"]["leads"] == 2
    assert all(p["counted"] for p in office.projects())


def test_a_number_inside_a_product_is_no_project_number(office: Office) -> None:
    office.say("wz_liu", XWD, "2026-03-02 10:00")
    office.say("wz_liu", "线索：北京康龙生物医药有限公司拟投资1亿元建设P1实验室项目", "2026-03-03 10:00")
    assert office.rank()["卫庄镇"]["leads"] == 1 and len(office.projects()) == 2


def test_an_imported_government_project_does_not_count_and_dates_fall_in_their_period(office: Office) -> None:
    (office.tmp / "base.csv").write_text(
        "单位,投资方,项目名称,阶段,签约额,签约日期\n"
        "横水镇,绛县城投集团有限公司,城区供热管网项目,签约,30000,2026-01-15\n"
        "横水镇,浙江正泰电器股份有限公司,光伏项目,签约,20000,2026-03-25\n",
        encoding="utf-8")
    office.cli("projects", "import", str(office.tmp / "base.csv"))
    heating = office.project("城投")
    assert heating["counted"] is False and "城投" in heating["not_counted_reason"]
    # Signed on March 25: after March's deadline, so in April's figures, not March's.
    assert office.stats("2026-03")["county"]["pipeline"]["signed"] == 0
    assert office.stats("2026-04")["county"]["pipeline"]["signed"] == 1


def test_a_ledger_row_for_a_project_the_unit_reported_takes_its_place(office: Office) -> None:
    office.say("wz_liu", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", "2026-03-02 10:00")
    (office.tmp / "base.csv").write_text(
        "单位,投资方,项目名称,阶段,签约额,签约日期\n卫庄镇,江苏恒润新材料有限公司,可降解塑料项目,签约,8000,2026-01-10\n",
        encoding="utf-8")
    office.cli("projects", "import", str(office.tmp / "base.csv"))
    [project] = office.projects()
    assert (project["stage"], project["signed_wan"], project["records"]) == ("签约", 8000, ["#1"])


def test_after_the_deadline_only_the_office_attaches_and_only_the_reporter_before(office: Office) -> None:
    office.say("kfq_chen", ANTA_SHOES, "2026-03-02 10:00")
    office.say("kfq_chen", ANTA_PARK, "2026-03-02 11:00")
    office.say("kfq_chen", "安踏项目今天开工", "2026-03-20 22:05")
    park = office.project("物流园")["id"]
    late = office.say("kfq_chen", park, "2026-03-21 09:00")
    assert "截止" in late.text and office.project("物流园")["stage"] == "签约"
    office.say("office", f"#3 归入 {park}", "2026-03-21 10:00")
    assert office.project("物流园")["stage"] == "开工"
    # Another person of the unit may not move the reporter's record.
    refused = office.say("wz_zhao", f"#3 归入 {office.project('运动鞋服')['id']}", "2026-03-10 10:00")
    assert "报送人" in refused.text


def test_moving_the_credit_takes_the_first_units_later_milestones_with_it(office: Office) -> None:
    office.say("wz_liu", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", "2026-03-02 10:00")
    repeat = office.say("nf_wang", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", "2026-03-03 10:00")
    office.say("wz_liu", "签约：江苏恒润新材料有限公司可降解塑料项目正式签约，总投资8000万元", "2026-03-04 10:00")
    office.say("office", f"确认 #{office.number(repeat)} 转计本单位", "2026-03-05 10:00")
    ranked = office.rank()
    assert (ranked["卫庄镇"]["leads"], ranked["卫庄镇"]["signings"]) == (0, 0)
    assert ranked["南樊镇"]["leads"] == 1


def test_the_county_counts_a_shared_investors_lead_once(office: Office) -> None:
    office.say("wz_liu", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", "2026-03-02 10:00")
    repeat = office.say("nf_wang", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", "2026-03-03 10:00")
    office.say("office", f"确认 #{office.number(repeat)} 两家都计", "2026-03-04 10:00")
    assert office.stats()["county"]["pipeline"]["leads"] == 1


def test_the_offices_words_are_read_as_it_means_them(office: Office) -> None:
    signed = office.say("wz_liu", XWD, "2026-03-02 10:00")
    repeat = office.say("nf_wang", XWD, "2026-03-03 10:00")
    public = office.say("hs_li", "线索：县城投公司拟投资3亿元建设标准化厂房项目", "2026-03-03 11:00")
    assert office.number(public) == 3
    mistaken = office.say("office", "确认3月18日举行恒润项目签约仪式", "2026-03-04 10:00")
    assert "已确认" not in mistaken.text and office.rank()["横水镇"]["leads"] == 0  # #3 stays unconfirmed
    office.say("office", f"@招商助手 确认 #{office.number(repeat)} 两家都计", "2026-03-04 11:00")
    assert office.rank()["南樊镇"]["signings"] == 1 and office.number(signed) == 1


def test_talk_that_sounds_like_a_report_is_read_for_what_happened(office: Office) -> None:
    office.say("wz_liu", "今天带队赴深圳拜访欣旺达电子，双方达成初步合作意向", "2026-03-02 10:00")
    office.say("wz_liu", XWD, "2026-03-03 10:00")
    office.say("wz_liu", "欣旺达锂电池模组项目3月8日开工建设，目前存在用工缺口问题", "2026-03-09 10:00")
    office.say("wz_liu", "欣旺达项目环评报告有误，需修改后重新提交生态环境局", "2026-03-10 10:00")
    office.say("wz_liu", "下步计划：继续对接深圳客商", "2026-03-11 10:00")
    office.say("wz_liu", "拜访：已经约好了，下周赴苏州拜访博世汽车", "2026-03-11 11:00")
    row = office.rank()["卫庄镇"]
    assert (row["visits"], row["starts"], row["signings"]) == (1, 1, 1)
    assert office.project("欣旺达")["stage"] == "开工"
    head, *rows = office.sheet("台账")
    assert [r[head.index("类型")] for r in rows] == ["外出招商", "签约", "开工", "项目进展"]


def test_a_monthly_report_keeps_its_problem_and_the_line_after_it(office: Office) -> None:
    office.say("wz_liu", XWD, "2026-03-02 10:00")
    pid = office.project("欣旺达")["id"]
    reply = office.say("wz_liu", f"3月份报送：\n1、拜访：3月5日赴苏州拜访企业2家\n2、存在问题：{pid}用地手续卡住，需自然资源局协调\n"
                                 "3、下月计划：力争欣旺达锂电池模组项目4月底前开工", "2026-03-10 10:00")
    assert "已登记问题" in reply.text, reply.text
    xwd = office.project("欣旺达")
    assert [p["status"] for p in xwd["problems"]] == ["open"] and xwd["planned"] == {"start": "2026-04-30"}


def test_of_two_candidates_the_one_the_sender_answers_for_is_meant(office: Office) -> None:
    office.say("wz_liu", ANTA_SHOES, "2026-03-02 10:00")
    office.say("wz_liu", ANTA_PARK, "2026-03-02 11:00")
    park = office.project("物流园")["id"]
    office.say("office", f"包干 {park} 赵镇长", "2026-03-03 10:00")
    office.say("wz_zhao", "安踏项目今天开工", "2026-03-05 10:00")  # the town's leader, 包干 of the 物流园
    assert office.project("物流园")["stage"] == "开工" and office.project("运动鞋服")["stage"] == "签约"


def test_a_question_about_a_project_does_not_block_an_answer_to_a_missing_amount(office: Office) -> None:
    office.say("kfq_chen", ANTA_SHOES, "2026-03-02 10:00")
    office.say("kfq_chen", ANTA_PARK, "2026-03-02 11:00")
    office.say("kfq_chen", "线索：福建圣农发展股份有限公司拟投资5000万元", "2026-03-03 10:00")  # waits for 建设内容
    office.say("kfq_chen", "安踏项目今天开工", "2026-03-03 10:02")  # asks which 安踏 project
    done = office.say("kfq_chen", "建设肉鸡养殖项目", "2026-03-03 10:05")
    assert "已登记线索" in done.text, done.text
    office.say("kfq_chen", office.project("物流园")["id"], "2026-03-10 10:00")  # days later, still open
    assert office.project("物流园")["stage"] == "开工"


def test_yes_to_the_bots_suggestion_is_taken_days_later(office: Office) -> None:
    office.say("hs_li", "签约：浙江华友钴业股份有限公司新能源材料项目正式签约，总投资2亿元", "2026-03-02 10:00")
    asked = office.say("hs_li", "资金到位：本月到位资金3000万元", "2026-03-03 10:00")  # names nothing: suggested
    assert f"是 {office.project('华友')['id']}" in asked.text, asked.text
    office.say("hs_li", "是", "2026-03-06 09:00")
    assert office.project("华友")["funds_wan"] == 3000
