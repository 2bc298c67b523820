"""The 通报 .docx read back: GB/T 9704-2012 page and type, Chinese fonts in w:eastAsia, figures = the stats."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from handlers.assessment.stats_view import Extras, ProjectLine, Stage, parse_stats
from handlers.core.rules import DocumentRules
from handlers.publishing.official_doc import RANKING_HEADER, build_bulletin_docx
from tests.documents.contract import many


def build(profile: str = "gbt9704", **rules: object) -> DocxDocument:
    data = build_bulletin_docx(parse_stats(many(20, targets=True)),
                               Extras(pipeline=[Stage("签约", 8, 52000), Stage("合同", 5, 30000)],
                                      waiting=[ProjectLine("卫庄镇", "江苏恒润新材料", 8000, "签约",
                                                           __import__("datetime").datetime(2025, 12, 1))],
                                      stale=[ProjectLine("卫庄镇", "江苏恒润新材料", 8000, "签约",
                                                         __import__("datetime").datetime(2025, 12, 1))]),
                               DocumentRules(profile=profile, **rules), date(2026, 4, 1))  # type: ignore[arg-type]
    return Document(io.BytesIO(data))


def east_asia(paragraph: Paragraph) -> set[str]:
    return {run._element.rPr.rFonts.get(qn("w:eastAsia")) for run in paragraph.runs if run.text}


def sizes(paragraph: Paragraph) -> set[float]:
    return {run.font.size.pt for run in paragraph.runs if run.text}


def find(doc: DocxDocument, start: str) -> Paragraph:
    return next(p for p in doc.paragraphs if p.text.startswith(start))


def test_the_page_is_a4_with_the_standard_margins_and_line_grid() -> None:
    section = build().sections[0]
    def mm(*lengths: object) -> list[float]:  # stored in twentieths of a point: 0.1 mm is exact enough
        return [round(length.mm, 1) for length in lengths]  # type: ignore[attr-defined]

    assert mm(section.page_width, section.page_height) == [210, 297]
    assert mm(section.top_margin, section.bottom_margin, section.left_margin, section.right_margin) == [37, 35, 28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    # 28.95 pt a line = 579 twentieths of a point: 22 lines in the 225 mm between the margins.
    assert grid.get(qn("w:linePitch")) == "579"


def test_28_characters_fill_a_line() -> None:
    doc = build()
    spacing = doc.styles["Normal"].element.rPr.find(qn("w:spacing"))
    # Text width 210 − 28 − 26 = 156 mm = 442.2 pt; 442.2 / 28 = 15.79 pt a character, so 16 pt characters
    # are tightened by 0.25 pt (−5 twentieths, rounded down so the 28th still fits: 28 × 15.75 = 441 pt).
    assert spacing.get(qn("w:val")) == "-5"


def test_title_body_and_headings_use_the_official_fonts_in_east_asia() -> None:
    doc = build()
    title = find(doc, "关于")
    assert title.text == "关于2026年3月全县招商引资\n工作情况的通报"  # two balanced lines
    assert east_asia(title) == {"方正小标宋简体"} and sizes(title) == {22}
    body = find(doc, "2026年3月，全县共报送")
    assert east_asia(body) == {"仿宋_GB2312"} and sizes(body) == {16}
    assert body.paragraph_format.line_spacing == Pt(28.95)
    assert body.paragraph_format.first_line_indent == Pt(32)
    assert east_asia(find(doc, "一、总体情况")) == {"黑体"}
    lead = find(doc, "（一）先进单位")
    assert lead.runs[0].text == "（一）先进单位。" and east_asia(Paragraph(lead._p, lead._parent)) >= {"楷体_GB2312"}
    assert lead.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_the_windows_profile_uses_fangsong_and_kaiti() -> None:
    doc = build("windows")
    assert east_asia(find(doc, "2026年3月，全县共报送")) == {"仿宋"}
    assert find(doc, "（一）先进单位").runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体"


def test_page_numbers_are_dashed_4hao_on_the_outer_side() -> None:
    doc = build()
    assert doc.settings.element.find(qn("w:evenAndOddHeaders")) is not None
    section = doc.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for footer, alignment in ((odd, 2), (even, 0)):  # RIGHT on odd pages, LEFT on even ones
        assert footer.alignment == alignment
        xml = footer._p.xml
        assert "— " in footer.text and " —" in footer.text and "PAGE" in xml
        assert {run.font.size.pt for run in footer.runs} == {14}


def test_the_ranking_table_holds_the_stats_figures() -> None:
    doc = build()
    [table] = doc.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == RANKING_HEADER
    assert len(rows) == 21
    # many(): unit 2 is 卫庄镇2, score 300 − 4.5 = 295.5, leads 1, signings 1, signed 1000万元, grade 优,
    # target rate 0.05 → 5.0%; the last one did not report.
    assert rows[2] == ["2", "卫庄镇2", "1", "1", "1,000", "0", "0", "295.5", "优", "5.0%"]
    assert rows[20][1] == "青山乡20" and rows[20][8] == "未报送"


def test_the_text_says_the_county_figures_targets_rates_and_names() -> None:
    text = "\n".join(p.text for p in build(doc_number="县招商办〔{year}〕{month}号").paragraphs)
    assert text.startswith("县招商办〔2026〕4号\n关于2026年3月")
    assert "各乡镇人民政府，县直各有关单位：" in text
    assert "签约项目3个，签约额1.2亿元" in text and "资金到位800万元" in text
    # County target 10亿元, done 3亿元, 30 %, 序时进度 25 %, +5 pp.
    assert "全年签约目标10亿元，1—3月累计完成3亿元，完成率30.0%，序时进度25.0%，超序时进度5.0个百分点。" in text
    assert "（任务完成率为1—3月累计签约占全年目标的比例，序时进度25.0%）：" in text
    assert "开工率50.0%，履约率—" in text and "签约8个（5.2亿元）、合同5个（3亿元）" in text
    assert "排名前三位的单位：城关镇1、卫庄镇2、南樊镇3" in text
    # many(20): units 16–18 are 差, 19 and 20 did not report; names cycle through TOWNS (index = n − 1 mod 10).
    assert "排名后三位的单位：人力资源和社会保障局16、经济技术开发区17、文化和旅游局18" in text
    assert "本期未报送的单位：行政审批服务管理局19、青山乡20" in text
    assert "卫庄镇江苏恒润新材料（8,000万元）" in text
    # GB/T 9704 7.3.5.1: room for the seal (two empty lines), then the issuer over the date.
    assert text.endswith("\n\n\n县招商引资工作领导小组办公室\n2026年4月1日")


@pytest.mark.parametrize("profile", ["gbt9704", "windows"])
def test_no_font_files_are_embedded(profile: str) -> None:
    data = build_bulletin_docx(parse_stats(many(5)), Extras(), DocumentRules(profile=profile), date(2026, 4, 1))
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert not [n for n in names if n.startswith("word/fonts/")]


def test_a_rate_target_is_the_rate_against_its_bar_not_a_count_against_the_schedule() -> None:
    data = many(5)
    data["county"]["targets"] = [{"metric": "rate:履约率", "target": 0.4, "done": 0.0526, "rate": 0.1315,
                                  "ahead_pp": -34.7}]
    text = "\n".join(p.text for p in Document(io.BytesIO(build_bulletin_docx(
        parse_stats(data), Extras(), DocumentRules(), date(2026, 4, 1)))).paragraphs)
    # (0.0526 − 0.4) × 100 = −34.74: the rate is 34.7 points under its 40 % bar; 序时进度 is not its measure.
    assert "全年履约率目标40.0%，目前为5.3%，低于目标34.7个百分点。" in text
    assert "0.4个" not in text and "已完成0.0526" not in text


def test_headings_stay_with_what_follows_and_the_issuer_is_centred_over_the_date() -> None:
    doc = build(issuer="县招商办")
    for start in ("一、总体情况", "五、下步工作要求", "按照招商引资考核计分办法"):
        assert find(doc, start).paragraph_format.keep_with_next, start
    issuer, issued = doc.paragraphs[-2], doc.paragraphs[-1]
    assert (issuer.text, issued.text) == ("县招商办", "2026年4月1日")
    # The date 右空四字: 4 × 16 pt = 64 pt. 2026年4月1日 is 6 characters wide (four digits and two halves
    # count 3, 年月日 3), 县招商办 4: centred over the date, the issuer is 4 + (6 − 4) / 2 = 5 in = 80 pt.
    assert issued.paragraph_format.right_indent == Pt(64) and issuer.paragraph_format.right_indent == Pt(80)
    long = build()  # 县招商引资工作领导小组办公室 (14) is wider than 4 + 6 / 2 + 7: flush right
    assert long.paragraphs[-2].paragraph_format.right_indent is None


def test_the_table_headings_fit_their_columns() -> None:
    [table] = build().tables
    widths = [cell.width.mm for cell in table.rows[0].cells]
    assert sum(widths) <= 156.1  # the text width, 210 − 28 − 26
    margins = table._tbl.tblPr.find(qn("w:tblCellMar"))
    assert {edge.get(qn("w:w")) for edge in margins} == {"45"}  # 45 twips = 0.8 mm a side
    for heading, column in zip(RANKING_HEADER, widths, strict=True):
        # 小四 = 12 pt = 4.23 mm a Chinese character, half that for a digit or bracket, plus 1.6 mm padding.
        widest = max(sum(2.12 if ord(ch) < 0x2E80 else 4.23 for ch in line) for line in heading.split("\n"))
        assert widest + 1.6 <= column, heading


def test_units_that_did_not_report_are_never_named_the_bottom_three() -> None:
    # As `zsbot stats --json` grades them: the two that did not report are 差 too (last places).
    data = many(8, silent=2)
    for row in data["units"][-2:]:
        row["grade"] = "差"
    text = "\n".join(p.text for p in Document(io.BytesIO(build_bulletin_docx(
        parse_stats(data), Extras(), DocumentRules(), date(2026, 4, 1)))).paragraphs)
    # many(8): units 4–6 reported and are 差 (n − silent − 3 = 3 ≤ i < 6); 7 and 8 did not report.
    assert "排名后三位的单位：横水镇4、新华乡5、人力资源和社会保障局6，请认真分析原因、限期整改。另有2个单位未报送。" in text
    assert "本期未报送的单位：经济技术开发区7、文化和旅游局8" in text
    only_silent = many(5, silent=2)
    for row in only_silent["units"]:
        row["grade"] = "优" if row["reported"] else "差"
    text = "\n".join(p.text for p in Document(io.BytesIO(build_bulletin_docx(
        parse_stats(only_silent), Extras(), DocumentRules(), date(2026, 4, 1)))).paragraphs)
    assert "（二）后进单位。排名末位的为2个未报送单位。" in text
