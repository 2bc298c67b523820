"""The parser on the long tail (issue 20): open vocabulary, names of any shape, non-events, numbers.

Each case is a kind of failure seen on messages written by other hands; the rules behind them are
general (the national industry classification, facility nouns, name boundaries, homophones by pinyin),
and these lines are their examples.
"""

from __future__ import annotations

from datetime import date

import pytest

from nlp import parse
from nlp.types import Intent

TODAY = date(2026, 3, 10)


def _p(text: str):  # type: ignore[no-untyped-def]
    return parse(text, TODAY)


# 1. Industries outside the hand dictionary: the classification's words, and trades said as such.
@pytest.mark.parametrize(
    ("text", "industry"),
    [
        ("线索：做钢材的客商拟投资5000万", "钢材"),
        ("线索：一家做玉米深加工的企业拟投资3亿元", "玉米"),
        ("线索：天然气企业拟投资2亿", "天然气"),
        ("线索：汽车座椅企业拟投资1亿", "汽车座椅"),
        ("线索：做童车的企业拟投资3000万", "童车"),
        ("线索：晋中做醋的客商想在我县建个醋厂", "醋"),
        ("线索：榆林兰炭客商想来园区搞个煤焦油深加工项目，投资十来个亿", "兰炭"),
        ("昨天赴深圳拜访了Bright Optics Co., Ltd.，对方做树脂眼镜镜片，有意在内地设厂", "树脂眼镜镜片"),
        ("线索：上海张江一家生物医药公司拟投资1.5亿元建设原料药生产基地", "生物医药"),
        ("线索：某公司拟投资3000万元建设中药饮片加工厂", "中药饮片"),  # GB/T 4754 C2730 中药饮片加工
    ],
)
def test_trades_outside_the_hand_dictionary(text: str, industry: str) -> None:
    assert industry in (_p(text).industry or "")


def test_a_trade_is_not_a_kind_of_firm() -> None:
    assert _p("接待：一家民营企业来我镇考察").industry is None
    assert _p("接待：华为公司来我镇考察").industry is None


# 2. Project words: a facility noun after a light verb is a project; `missing` no longer asks for one.
@pytest.mark.parametrize(
    ("text", "project"),
    [
        ("计划在园区搞个预制菜车间，投资大概500w", "预制菜车间"),
        ("有个老板想在我们村建蔬菜大棚，投资300万", "蔬菜大棚"),
        ("宁波客商想在我镇建个仓，投资2000万", "建个仓"),
        ("老乡想回来建个厂，投资一两个亿", "建个厂"),
        ("温州一家企业打算把产能转过来，投资5kw", "产能转过来"),
        ("签约：我镇与中化农业签订高标准农田建设项目，投资3000万元", "高标准农田建设项目"),
        ("福建晋江一家做鞋材的企业想在我镇建厂，投资八千万", "建厂"),
        ("线索：有个老板想在我们镇搞个屠宰场，说能投一千来万", "屠宰场"),
        ("线索：太原晋祥化工有限公司拟投资1.2亿元建设水处理剂（聚合氯化铝）生产项目", "水处理剂（聚合氯化铝）生产项目"),
        ("线索：常州客商意向在开发区设分厂，建设内容为线束加工车间及成品仓库，投资5000万", "线束加工车间及成品仓库"),
    ],
)
def test_facility_nouns_are_projects(text: str, project: str) -> None:
    parsed = _p(text)
    assert parsed.intent is (Intent.SIGNING if text.startswith("签约") else Intent.LEAD)
    assert parsed.project == project
    assert "project" not in parsed.missing


# 3. Company boundaries.
@pytest.mark.parametrize(
    ("text", "company"),
    [
        ("接待：浙江吉利控股（集团）有限公司一行5人来考察", "浙江吉利控股（集团）有限公司"),
        ("拜访：赴上海拜访Johnson Controls Asia公司，洽谈储能项目", "Johnson Controls Asia公司"),
        ("线索：一家叫测试1号科技的公司想投资2000万建电子厂", "测试1号科技"),
        ("今天拜访了58同城，对方有意投资呼叫中心", "58同城"),
        ("洽谈：与河北365食品有限公司董事长洽谈红薯粉条项目", "河北365食品有限公司"),
        ("线索：一家二级供应商（宁波拓普汽车零部件有限公司）拟投资1亿元建设底盘件项目", "宁波拓普汽车零部件有限公司"),
        ("接待：常州天合储能副总一行4人来我镇考察储能项目", "常州天合储能"),
        ("今天河南牧原的张总一行三人来我镇考察生猪养殖项目", "河南牧原"),
        ("拜访：赴江西拜访宁德时代配套企业江西赣锋锂业的王总", "江西赣锋锂业"),
        ("拜访：赴合肥拜访了中国建材集团下属的中建材（合肥）新能源有限公司", "中建材（合肥）新能源有限公司"),
        ("去苏州拜访了昆山华信电子 对方想投个新厂", "昆山华信电子"),
        ("线索：一家名为青岛蓝湾海洋食品有限公司的企业有意投资9000万元", "青岛蓝湾海洋食品有限公司"),
        ("开工：上周五晋城泰和化工有限公司项目开工", "晋城泰和化工有限公司"),
        ("签约：东和精工株式会社汽车座椅调角器项目签约，投资额3亿日元", "东和精工株式会社"),
    ],
)
def test_company_boundaries(text: str, company: str) -> None:
    assert _p(text).company == company


def test_a_place_inside_the_project_is_not_where_the_investor_is_from() -> None:
    parsed = _p("接待：携程集团来我县考察温泉康养度假区项目，投资1.5亿")
    assert parsed.project == "温泉康养度假区项目"
    assert parsed.place is None


def test_a_chamber_of_commerce_is_a_channel() -> None:
    parsed = _p("北京山西商会会长一行来我县考察")
    assert parsed.channel == "北京山西商会"
    assert parsed.place == "北京"  # where the chamber sits; 山西 is where its members come from
    assert parsed.company == "北京山西商会"


# 4. Non-events.
@pytest.mark.parametrize(
    "text",
    [
        "本来要去苏州拜访客商，临时取消了",
        "原计划今天来考察的深圳客商临时有事，来不了了",
        "今晚把线索整理一下明天报",
        "我们签约额排第三",
        "3、资金到位：无",
        "本月无签约、无开工、无到位",
        "本月外出招商：无\n接待客商：无\n签约项目：无",
        "昨天那个项目的材料我已经发邮箱了",
    ],
)
def test_non_events_are_no_records(text: str) -> None:
    assert _p(text).intent is Intent.UNKNOWN


def test_an_empty_part_of_a_report_is_left_out() -> None:
    parsed = _p("1、外出招商：赴苏州拜访华为\n2、资金到位：无\n3、签约：与江苏恒润新材料有限公司签约，投资5000万")
    assert parsed.intent is Intent.REPORT
    assert [item.intent for item in parsed.items] == [Intent.VISIT, Intent.SIGNING]


def test_a_talk_that_names_a_project_and_an_amount_is_a_lead() -> None:
    parsed = _p("今天跟浙江正泰电器谈了光伏项目 对方说大概三五千万")
    assert (parsed.intent, parsed.company, parsed.project, parsed.amount_wan) == (
        Intent.LEAD, "浙江正泰电器", "光伏项目", 3000)


def test_a_meeting_of_natives_at_home_is_a_reception_with_its_head_count() -> None:
    parsed = _p("召开在外乡贤回乡座谈会，参会企业家30余人")
    assert (parsed.intent, parsed.persons) == (Intent.RECEPTION, 30)
    assert _p("赴深圳召开在外乡贤座谈会").intent is Intent.VISIT


def test_a_form_after_a_label_is_one_record() -> None:
    parsed = _p("线索：企业名称：Kessler Medical GmbH；拟在我县投资600万欧元建设一次性输液器生产项目；行业：医疗器械；"
                "联系人：Anna Weber；电话：021-6288 3417")
    assert parsed.intent is Intent.LEAD
    assert (parsed.company, parsed.amount_wan, parsed.currency) == ("Kessler Medical GmbH", 600, "EUR")
    assert (parsed.contact_name, parsed.contact_phone) == ("Anna Weber", "02162883417")


# 5. Numbers and head counts.
@pytest.mark.parametrize(
    ("text", "wan"),
    [
        ("线索：XX客商拟投资500w建厂", 500),
        ("线索：XX客商拟投资5kw建厂", 5000),
        ("线索：XX客商拟投资3千w建厂", 3000),
        ("线索：XX客商拟投资十来个亿建厂", 100000),
        ("线索：XX客商拟投资20来个亿建厂", 200000),
        ("到位：晋南泰丰种业有限公司项目截至本月累计到位3000万元，其中本月到位800万元", 800),
    ],
)
def test_shorthand_amounts(text: str, wan: float) -> None:
    assert _p(text).amount_wan == wan


def test_a_correction_takes_the_new_figure() -> None:
    assert _p("更正 #12 金额不是八千万 是八千五百万").amount_wan == 8500


@pytest.mark.parametrize(("text", "persons"), [("接待：常州天合储能副总一行4人来我镇考察", 4),
                                               ("接待：召开回乡创业人士座谈会，走访企业家12人", 12),
                                               ("河南牧原的张总一行三人来我镇考察", 3)])
def test_head_counts_are_kept_and_are_never_money(text: str, persons: int) -> None:
    parsed = _p(text)
    assert parsed.persons == persons
    assert parsed.amount_wan is None
    assert parsed.to_contract()["persons"] == persons


# 6. Phones.
@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("线索：澳门客商拟投资1亿元建酒店，联系电话28881234", "28881234"),
        ("线索：香港客商拟投资5000万港元建物流仓储，电话 9123 4567", "91234567"),
        ("线索：联系人王总，电话幺三八零零一三八零零零，投资2000万建玩具厂", "13800138000"),
        ("接待：临沂客商来考察木业项目，电话幺八六 零三五九 四四二七", "18603594427"),
        ("线索：洛阳恒达轴承有限公司拟投资6000万元，联系人：陈晓东（138.3590.1122）", "13835901122"),
    ],
)
def test_phones_of_any_shape(text: str, phone: str) -> None:
    assert _p(text).contact_phone == phone


def test_seven_chinese_digits_in_a_row_are_not_a_phone_without_a_label() -> None:
    assert _p("接待：一二三四五六七号客商来考察").contact_phone is None


# 7. Homophone slips of the words that decide the kind.
@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("截待：深圳客商来我镇考察电子项目", Intent.RECEPTION),
        ("头产：绛州裕丰农业科技有限公司小米深加工项目昨天正式投入生产", Intent.COMPLETION),
        ("今天跟着王县长去无锡，拜放了无锡澄润（集团）纺织有限公司", Intent.VISIT),
        ("意象：与浙江万盛电器有限公司签了投资意象书，意向投资2000万", Intent.INTENTION),
    ],
)
def test_homophone_slips_of_event_words(text: str, intent: Intent) -> None:
    assert _p(text).intent is intent


def test_a_real_word_that_sounds_like_an_event_word_stays() -> None:
    parsed = _p("拜访：带队赴厦门拜访厦门鹭岛卫浴有限公司")  # 岛卫 sounds like 到位
    assert (parsed.intent, parsed.company) == (Intent.VISIT, "厦门鹭岛卫浴有限公司")
    assert _p("今天和大头产品公司的人吃了饭").intent is not Intent.COMPLETION


# Kinds from the fourth hand's set: how five different liaisons write.
@pytest.mark.parametrize(
    ("text", "intent", "amount"),
    [
        ("那个香菇大棚的温州老板钱到了 到了二百万 昨天到的账", Intent.FUNDS, 200),
        ("鑫茂羊绒那边上周五又打过来一笔 一千二百万", Intent.FUNDS, 1200),
        ("温州老板说香菇大棚的第二笔钱大概下个月能打过来", Intent.PLAN, None),
        ("跟洛阳铸造签了意向 1.5亿", Intent.INTENTION, 15000),
        ("王县长今天会见宁波客商", Intent.RECEPTION, None),
        ("跟领导汇报一下杨凌秦苗那个苹果园昨天已经动工了挖机都进场了", Intent.START, None),
        ("今天去拜访了一个老板 谈得还行 回头细说", Intent.VISIT, None),
        ("周四有两个河北的客商要过来转转", Intent.UNKNOWN, None),
        ("秦苗苹果园的滴灌都铺好了", Intent.PROGRESS, None),
    ],
)
def test_colloquial_events(text: str, intent: Intent, amount: float | None) -> None:
    parsed = _p(text)
    assert parsed.intent is intent
    if amount is not None:
        assert parsed.amount_wan == amount


def test_a_form_whose_label_ends_in_a_semicolon_is_one_record() -> None:
    parsed = _p("计划开工；项目：高端岩板生产线项目；企业：广东佛山顺捷陶瓷有限公司；计划开工时间：2026年10月16日")
    assert (parsed.intent, parsed.plan_of, parsed.company) == (Intent.PLAN, Intent.START, "广东佛山顺捷陶瓷有限公司")
    assert _p("问题反馈；项目编号：P12；问题：天然气管道接入费用企业有异议；诉求：请县发改局协调").intent is Intent.PROBLEM


def test_a_spoken_report_splits_at_its_ordinals() -> None:
    parsed = _p("这个月我们乡的情况说一下第一个是接待了两批客商第二个是秦苗的苹果园到位资金五百万第三个是温州老板的香菇大棚开工了")
    assert [(i.intent, i.count, i.amount_wan) for i in parsed.items] == [
        (Intent.RECEPTION, 2, None), (Intent.FUNDS, None, 500), (Intent.START, None, None)]


def test_a_labelled_visit_line_keeps_its_count_in_a_report() -> None:
    parsed = _p("2月份招商工作报送\n1. 线索：晋城客商拟投资1亿元建设中药饮片加工项目\n"
                "2. 外出招商：2月18日—20日赴雄安、北京开展招商，拜访企业6家\n3. 接待：接待客商2批次")
    assert [(i.intent, i.count) for i in parsed.items] == [(Intent.LEAD, None), (Intent.VISIT, 6), (Intent.RECEPTION, 2)]


def test_a_chamber_that_invests_is_the_investor() -> None:
    assert _p("线索：运城市福建商会组织会员企业拟联合投资3个亿建设石材加工产业园").company == "运城市福建商会"
    assert _p("这个月参加商会活动两次").company is None


def test_a_currency_corrected_alone() -> None:
    parsed = _p("更正 #19 币种应为美元，金额1200万")
    assert (parsed.currency, parsed.amount_wan) == ("USD", 1200)


# Kinds from the fifth hand's set (another county's year).
def test_a_spoken_month_splits_where_it_goes_on_to_the_next_thing() -> None:
    parsed = _p("我说一下我们河溜镇这个月的情况啊，月初去了一趟上海拜访了四家企业，然后接待了两批客商，"
                "还有北京客商那个预制菜中央厨房项目已经签约了投资两个亿")
    assert [(i.intent, i.place, i.count, i.amount_wan) for i in parsed.items] == [
        (Intent.VISIT, "上海", 4, None), (Intent.RECEPTION, None, 2, None), (Intent.SIGNING, None, None, 20000)]
    assert _p("今天拜访了华为，然后聊了聊合作的事").intent is Intent.VISIT  # the second piece reports no event


def test_labels_followed_by_a_space() -> None:
    parsed = _p("常坟镇 3月\n线索 江苏客商拟投资1800万建设彩钢板加工厂\n接待 3月12日接待合肥客商考察")
    assert [i.intent for i in parsed.items] == [Intent.LEAD, Intent.RECEPTION]


def test_what_did_not_happen_leaves_what_did() -> None:
    parsed = _p("和安徽ABC光电科技有限公司初步达成投资意向，还没签约，后续继续跟进")
    assert parsed.intent is Intent.INTENTION


def test_a_townships_own_project_names_no_investor() -> None:
    assert _p("投产：河溜镇预制菜中央厨房项目本月3号正式投产").company is None
    assert _p("项目进展：荆山镇石榴文化产业园游客中心已完成基础施工").company is None


def test_a_notice_to_get_ready_announces_a_plan() -> None:
    assert _p("周五有一批杭州客商来开发区看地，请相关单位做好准备").intent is Intent.UNKNOWN
    parsed = _p("苏州澄湖新材料有限公司项目计划明天上午签约，请相关领导准时参加")
    assert (parsed.intent, parsed.plan_of, parsed.date) == (Intent.PLAN, Intent.SIGNING, date(2026, 3, 11))


@pytest.mark.parametrize(("text", "intent"), [("查一下拍名", Intent.QUERY_RANK), ("为报送的单位有哪些", Intent.QUERY_MISSING),
                                              ("我的台帐", Intent.QUERY_SUMMARY)])
def test_slips_in_short_questions(text: str, intent: Intent) -> None:
    assert _p(text).intent is intent


@pytest.mark.parametrize("text", ["辛苦各位领导了，周末还在跑项目[抱拳]", "宁波客商说这周来不了了，改到下个月再说",
                                  "线索：蚌埠市浙江商会会长说有几家会员企业想来我县投资，具体项目和金额都还没定"])
def test_talk_about_projects_is_no_progress(text: str) -> None:
    parsed = _p(text)
    assert parsed.intent is not Intent.PROGRESS
    assert parsed.project is None


def test_the_sound_table_agrees_with_pypinyin() -> None:
    """The event words' syllables are written out (no pypinyin import at start); pypinyin must read them so."""
    from pypinyin import Style, pinyin

    from nlp.typos import _SYLLABLES_OF, _build_sounds

    for word, (first, second) in _SYLLABLES_OF.items():
        readings = pinyin(word, style=Style.NORMAL, heteronym=True)
        assert first in readings[0] and second in readings[1], word
    table = _build_sounds(frozenset({"bai", "fang"}))
    assert {"拜", "百", "访", "放"} <= set(table) and "我" not in table


# Kinds from the sixth hand's set (西南官话 and 东北话, quick notes parted by spaces).
@pytest.mark.parametrize(
    ("text", "project"),
    [
        ("线索 杭州客商 想在中坪镇搞白茶精深加工 投资一个多亿", "白茶精深加工"),
        ("线索：东莞一家电子厂想把SMT贴片线搬过来 投资两个多亿", "SMT贴片线"),
        ("线索 香港德昇国际投资有限公司 文旅康养度假区 3亿港元", "文旅康养度假区"),
        ("有个温州老板想来我们镇投资做茶叶冷库 大概七八百万", "茶叶冷库"),
    ],
)
def test_projects_in_quick_notes(text: str, project: str) -> None:
    assert _p(text).project == project


def test_a_sentence_without_spaces_is_no_chunk() -> None:
    assert _p("来自潍坊的客商今天来看了标准化厂房").place == "潍坊"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("这周一共接了4批客商 17个人 重庆成都长沙的都有", Intent.RECEPTION),
        ("今天成都天府康养产业集团的老总些过来耍了一天 看了草塘古镇", Intent.RECEPTION),
        ("今天上午县长会见了来瓮考察的深圳市绿源通新能源科技有限公司董事长一行", Intent.RECEPTION),
        ("大连港华冷链那个项目 施工许可办了一个多月还莫得下来 麻烦县里帮忙催一哈", Intent.PROBLEM),
        ("还有哪些单位莫得报", Intent.QUERY_MISSING),
        ("我們的上報記錄", Intent.QUERY_SUMMARY),
        ("刚才那条线索发错了 麻烦撤回", Intent.RETRACT),
        ("蜀岭那个项目今天不签了 对方老板临时有事", Intent.UNKNOWN),
        ("江苏华磷新材料有限公司磷酸铁项目计划明天签约，签约金额10亿元", Intent.PLAN),
        ("预计下周五上海沪茗茶业有限公司项目资金到位1000万", Intent.PLAN),
    ],
)
def test_dialect_and_quick_notes(text: str, intent: Intent) -> None:
    assert _p(text).intent is intent


@pytest.mark.parametrize(
    ("text", "company"),
    [
        ("线索：韩国SJ Chem株式会社拟投资2000万美元建设电子级磷酸项目", "韩国SJ Chem株式会社"),
        ("签约：三月十二日上海沪茗茶业有限公司茶叶精制加工项目落笔签约，投资伍仟万元", "上海沪茗茶业有限公司"),
        ("预计下周五上海沪茗茶业有限公司项目资金到位1000万", "上海沪茗茶业有限公司"),
        ("到位资金 遵义黔醇酒业 本月 4000来万", "遵义黔醇酒业"),
    ],
)
def test_names_in_quick_notes(text: str, company: str) -> None:
    assert _p(text).company == company


def test_a_form_field_gives_the_count() -> None:
    assert _p("外出招商\n日期：4月9日\n目的地：成都\n走访企业数：4\n带队：分管副县长").count == 4


# Kinds from the seventh hand's set (a campaign's threads: replies, notices, one-liners).
def test_a_reply_quoting_the_bots_receipt_acts_on_its_record() -> None:
    fixed = _p("「招商助手：#58 已记录 签约 深圳市华联光电有限公司 5000万元」\n- - - - - - - - -\n金额不对，是5500万")
    assert (fixed.intent, fixed.ref, fixed.amount_wan) == (Intent.CORRECTION, 58, 5500)
    withdrawn = _p("「招商助手：#66 已记录 线索 温州客商 3000万元」\n- - - - - - - - -\n这条撤回，客商说不来了")
    assert (withdrawn.intent, withdrawn.ref) == (Intent.RETRACT, 66)
    plain = _p("「刘伟：明天去苏州」\n- - - - - - - - -\n收到")
    assert plain.intent is Intent.UNKNOWN


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("#31 日期改成10月8日", Intent.CORRECTION),
        ("#27 金额改为500w", Intent.CORRECTION),
        ("不好意思，#36 那条的投资额应该是叁仟万元", Intent.CORRECTION),
        ("更正要怎么写？", Intent.HELP),
        ("？？怎么撤回啊", Intent.HELP),
        ("这个月我们镇排名又掉到后面去了，大家加把劲", Intent.UNKNOWN),
        ("岭背镇现在排在什么位置", Intent.QUERY_RANK),
        ("【县招商服务中心】请各单位于12月5日前报送百日攻坚总结材料，逾期视为未报送。", Intent.BULLETIN),
        ("紧急通知：市考核组下周二来我县检查招商台账，请各单位今天下班前核对本单位报送数据。", Intent.BULLETIN),
        ("明天上午深圳客商来考察工业园", Intent.UNKNOWN),
        ("赣州润禾农业开发有限公司的富硒大米加工项目昨天正式动土了", Intent.START),
        ("签约：昨天与浙江一家纺织企业签了个意向协议，还不是正式合同，金额大概1个亿", Intent.INTENTION),
        ("锦峰服饰的项目明天签约，请县领导安排时间出席", Intent.PLAN),
        ("12月30日接待苏州客商来我镇考察光伏项目，客商计划下月再来洽谈签约", Intent.RECEPTION),
        ("@县自然资源局 广州市粤港湾冷链物流集团项目的规划条件什么时候能出？企业一直等着摘牌，麻烦加快", Intent.PROBLEM),
    ],
)
def test_threads_notices_and_one_liners(text: str, intent: Intent) -> None:
    assert _p(text).intent is intent


def test_fields_of_campaign_reports() -> None:
    assert _p("到位：香港恒泰国际（集团）有限公司本月到位港币1200万元").currency == "HKD"
    assert _p("竣工投产：于都县宏达针织有限公司扩产项目 9.30").company == "于都县宏达针织有限公司"
    assert _p("签约 禾丰镇 赣州绿源油茶科技有限公司 油茶精深加工项目 1.2kw 11月3日").date == date(2025, 11, 3)
    assert _p("意向：上海澜沣医药科技有限公司签订投资意向书，联系人：汉斯·穆勒").contact_name == "汉斯·穆勒"
    assert _p("恳请县供电公司帮忙协调一下，江西华赣新材料有限公司二期项目的专变迟迟接不进来").company == "江西华赣新材料有限公司"
    assert _p("后天深圳客商来看地，投资规模5000万左右，具体上什么项目还没说").project is None
    parsed = _p("第三季度汇总：线索：上海一家生物医药企业拟投资3亿元建设原料药项目；签约：江西华赣新材料有限公司锂电隔膜项目签约，投资6亿元")
    assert [i.intent for i in parsed.items] == [Intent.LEAD, Intent.SIGNING]


def test_a_plan_word_with_the_project_before_the_milestone_needs_a_time() -> None:
    parsed = _p("3月份报送：\n1、拜访：3月5日赴苏州拜访企业2家\n2、下月计划：力争欣旺达锂电池模组项目4月底前开工")
    assert (parsed.items[1].plan_of, parsed.items[1].date) == (Intent.START, date(2026, 4, 30))
    assert _p("福建晋江鸿兴鞋业有限公司运动鞋生产基地预计明年一季度投产").plan_of is Intent.COMPLETION


# Kinds from the eighth hand's set (公文 style, forwarded blocks, energy abbreviations).
@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("邀请的温州客商今天到了，带他们看了蒙西园区的标准化厂房", Intent.RECEPTION),
        ("我单位本月上报数据", Intent.QUERY_SUMMARY),
        ("调一下我上报的记录", Intent.QUERY_SUMMARY),
        ("刚才那条报错了，金额不是八千万，是八千五百万", Intent.CORRECTION),
        ("/help", Intent.HELP),
        ("国庆后浙江客商来考察，到时候大家配合一下", Intent.UNKNOWN),
        ("春节后浙江客商来考察", Intent.UNKNOWN),
        ("深圳那批客商今天到了", Intent.RECEPTION),
        ("拟：2026年3月1日 美国绿源清洁能源公司绿氨项目开工", Intent.PLAN),
        ("拟 在我县投资5000万建设冷库", Intent.LEAD),  # 拟 before a space is a hedge, not a label
        ("昨天去合肥拜访了两家做光伏支架的企业对方说国庆后过来看看", Intent.VISIT),
    ],
)
def test_formal_and_forwarded_messages(text: str, intent: Intent) -> None:
    assert _p(text).intent is intent


def test_fields_of_formal_and_forwarded_messages() -> None:
    assert _p("报送线索：旗水利局谋划都思兔河综合治理工程，总投资约2.3亿元").project == "都思兔河综合治理工程"
    assert _p("后天宁波客商过来看厂房，想做光伏边框，大概3000万").project == "光伏边框"
    assert _p("线索：蒙晟煤化有限公司拟投资2.5亿建设30万方LNG储配站").project is not None
    assert _p("线索：\n投资方：呼和浩特市青城乳业科技有限公司\n联系人：额尔敦其其格\n电话：13904771234").contact_name == "额尔敦其其格"
    assert _p("签约：乌兰镇污水处理厂提标改造PPP项目签约，社会资本方为中建环能科技股份有限公司，投资4500万元").company == (
        "中建环能科技股份有限公司")
    assert _p("到位：内蒙古绿聚新材料科技有限公司项目（计划投资8.6亿元）截至目前已到位1.2亿").amount_wan == 12000
    assert _p("拟于后天举行上海氢枫能源技术有限公司加氢站项目签约仪式").company == "上海氢枫能源技术有限公司"


# Kinds from the ninth hand's set (Cantonese and Minnan wording, slang, tables pasted from Excel).
@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("我哋镇同厦门海禾水产有限公司嘅合同今日签咗约，海产品加工项目，投资1.8亿", Intent.SIGNING),
        ("嘉骏电子嗰笔钱今日到咗账，2百万，其余下个月再打", Intent.FUNDS),
        ("琴日我哋去咗深圳睇咗三间电子厂，倾咗下SMT贴片线转移过嚟嘅事", Intent.VISIT),
        ("湛江蓝港海洋生物科技有限公司项目计划下个礼拜开工，到时再同大家讲", Intent.PLAN),
        ("深圳市讯联达电子科技有限公司个厂房电力增容搞唔掂，供电局话要排队，要县里帮手协调下", Intent.PROBLEM),
        ("睇下我哋本月报咗啲咩", Intent.QUERY_SUMMARY),
        ("我镇本月数据汇总一下", Intent.QUERY_SUMMARY),
        ("唔好意思，更正 #34，金额应该系2千万", Intent.CORRECTION),
        ("@招商助手 点用啊？", Intent.HELP),
        ("不会用，求教程🙏", Intent.HELP),
        ("下周二准备去东莞拜访东莞市嘉骏电子有限公司", Intent.UNKNOWN),
        ("各位同仁：尚木家具有限公司已于前日与我县草签投资意向协议，拟投资两亿元，下一步将抓紧推进正式签约。", Intent.INTENTION),
    ],
)
def test_southern_wording(text: str, intent: Intent) -> None:
    assert _p(text).intent is intent


def test_fields_in_southern_wording() -> None:
    assert _p("签约成功！！🎉🎉🎉 佛山市顺德区尚木家具有限公司定制家具项目今天签啦，投资2.3个亿 yyds").amount_wan == 23000
    assert _p("线索\n投资方：Sinar Aqua Sdn. Bhd.\n项目：石斑鱼工厂化循环水养殖项目").company == "Sinar Aqua Sdn. Bhd."
    assert _p("线索：马来西亚客商拟投资500万美元建设石斑鱼养殖基地，联系人陈Amy").contact_name == "陈Amy"
    mango = _p("有一个台湾头家欲来阮镇投资做芒果干加工厂，投资大约1500万")
    assert (mango.place, mango.company, mango.project) == ("台湾", None, "芒果干加工厂")
    assert _p("有个福州客商想来我镇投资做鲍鱼育苗场，大概800来万").project == "鲍鱼育苗场"


def test_a_table_pasted_from_excel_is_one_record_a_row() -> None:
    visits = _p("日期\t事项\t地点\t企业数\n3月2日\t外出招商\t厦门\t3\n3月6日\t外出招商\t福州\t2")
    assert [(i.intent, i.date, i.place, i.count) for i in visits.items] == [
        (Intent.VISIT, date(2026, 3, 2), "厦门", 3), (Intent.VISIT, date(2026, 3, 6), "福州", 2)]
    money = _p("序号\t类型\t企业\t投资额（万元）\n1\t签约\t东莞市嘉骏电子有限公司\t12000\n"
               "2\t到位\t东莞市嘉骏电子有限公司\t3000\n3\t开工\t汕头澄海乐童玩具有限公司")  # the last cell left off
    assert [(i.intent, i.amount_wan) for i in money.items] == [
        (Intent.SIGNING, 12000), (Intent.FUNDS, 3000), (Intent.START, None)]
    assert _p("日期\t备注\n3月2日\t收到").intent is Intent.UNKNOWN  # no kind column: not a table of records
