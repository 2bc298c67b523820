"""The 通报 as an official document (公文, GB/T 9704-2012): what the office prints and sends upward.

Built with python-docx from the stats view (the shape of `zsbot stats --json`), never from typed figures.
The layout is a `Profile`: A4, margins 37/35/28/26 mm, 22 lines × 28 characters (body 3号 = 16 pt on an
exact 28.95 pt line), title 2号 方正小标宋简体, body 仿宋_GB2312, headings 黑体 / 楷体_GB2312, page numbers
`— 1 —` in 4号 on the outer side. Chinese font names go in `w:eastAsia` (python-docx's `font.name`
only sets the Latin slots); only names are written, no font files (those fonts are licensed).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import date

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from handlers.assessment.scoring import EXCELLENT, POOR
from handlers.assessment.stats_view import Extras, Figures, Stats, UnitLine, money
from handlers.core.rules import DocumentRules

_NUMERALS = "一二三四五六七八九十"
RATE_NAMES = ("开工率", "履约率", "资金到位率", "线索转化率")
#: 签约未开工 projects named in the 通报 (the rest are counted; the workbook lists them all).
MAX_WAITING = 20


@dataclass(frozen=True, slots=True)
class Profile:
    """Page and type of one document style; sizes in points, margins in millimetres."""

    name: str
    title_font: str
    body_font: str
    heading1_font: str
    heading2_font: str
    page_number_font: str
    latin_font: str = "Times New Roman"
    page_width_mm: float = 210
    page_height_mm: float = 297
    top_mm: float = 37
    bottom_mm: float = 35
    left_mm: float = 28
    right_mm: float = 26
    title_pt: float = 22
    body_pt: float = 16
    line_pt: float = 28.95
    lines: int = 22
    chars: int = 28
    page_number_pt: float = 14
    table_pt: float = 12
    title_bold: bool = False


PROFILES = {
    "gbt9704": Profile("gbt9704", title_font="方正小标宋简体", body_font="仿宋_GB2312", heading1_font="黑体",
                       heading2_font="楷体_GB2312", page_number_font="宋体"),
    # What a Windows office has without the GB2312 fonts installed.
    "windows": Profile("windows", title_font="宋体", body_font="仿宋", heading1_font="黑体", heading2_font="楷体",
                       page_number_font="宋体", title_bold=True),
}


def _fonts(run: Run, east_asia: str, latin: str, size: float, bold: bool = False) -> None:
    """Set a run's Chinese font in w:eastAsia (and the Latin one), its size and weight."""
    run.font.name = latin
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _line(paragraph: Paragraph, profile: Profile, exact: bool = True) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(profile.line_pt)


class _Writer:
    def __init__(self, profile: Profile) -> None:
        self.p = profile
        self.doc = Document()
        self._page()
        self._styles()

    def _page(self) -> None:
        p = self.p
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(p.page_width_mm), Mm(p.page_height_mm)
        section.top_margin, section.bottom_margin = Mm(p.top_mm), Mm(p.bottom_mm)
        section.left_margin, section.right_margin = Mm(p.left_mm), Mm(p.right_mm)
        section.footer_distance = Mm(max(p.bottom_mm - 28, 7))
        section.start_type = WD_SECTION.NEW_PAGE
        # 22 lines of 28.95 pt: the line grid the body sits on. (The 28 characters a line come from a
        # slightly tightened character spacing, see _styles: a character grid narrower than the glyphs
        # makes LibreOffice give each character two cells.)
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(round(p.line_pt * 20)))
        for name in ("w:charSpace",):
            if grid.get(qn(name)) is not None:
                del grid.attrib[qn(name)]
        self._page_numbers()

    @property
    def tracking(self) -> int:
        """Character spacing in twentieths of a point that makes `chars` body characters fill a line."""
        p = self.p
        width_pt = (p.page_width_mm - p.left_mm - p.right_mm) / 25.4 * 72
        return math.floor((width_pt / p.chars - p.body_pt) * 20)

    def _styles(self) -> None:
        # The character grid is counted from the document default size: make that the body's 3号.
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")) if defaults is not None else None
        if rpr is not None:
            for tag in ("w:sz", "w:szCs"):
                size = rpr.find(qn(tag))
                if size is None:
                    size = OxmlElement(tag)
                    rpr.append(size)
                size.set(qn("w:val"), str(round(self.p.body_pt * 2)))
        normal = self.doc.styles["Normal"]
        normal.font.name = self.p.latin_font
        normal.font.size = Pt(self.p.body_pt)
        rpr = normal.element.get_or_add_rPr()
        fonts = rpr.get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), self.p.body_font)
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(self.tracking))
        rpr.append(spacing)

    def _page_numbers(self) -> None:
        """`— 1 —` in 4号: odd pages on the right, even pages on the left (the outer side when printed
        on both sides), one character in from the edge."""
        settings = self.doc.settings.element
        if settings.find(qn("w:evenAndOddHeaders")) is None:
            settings.append(OxmlElement("w:evenAndOddHeaders"))
        section = self.doc.sections[0]
        for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                              (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
            footer.is_linked_to_previous = False
            para = footer.paragraphs[0]
            para.alignment = align
            fmt = para.paragraph_format
            fmt.right_indent = Pt(self.p.page_number_pt) if align == WD_ALIGN_PARAGRAPH.RIGHT else None
            fmt.left_indent = Pt(self.p.page_number_pt) if align == WD_ALIGN_PARAGRAPH.LEFT else None
            self._page_run(para, "— ")
            self._field(para, "PAGE")
            self._page_run(para, " —")

    def _page_run(self, para: Paragraph, text: str) -> Run:
        run = para.add_run(text)
        _fonts(run, self.p.page_number_font, self.p.page_number_font, self.p.page_number_pt)
        return run

    def _field(self, para: Paragraph, code: str) -> None:
        for kind, text in (("begin", None), (None, f" {code} "), ("separate", None), (None, "1"), ("end", None)):
            run = self._page_run(para, "")
            if kind:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run._element.append(char)
            elif text and text.strip() == code:
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run._element.append(instr)
            else:
                run.text = text or ""

    # --- paragraphs -------------------------------------------------------------------------

    def title(self, lines: list[str]) -> None:
        """The title, centred, broken where the caller says (GB/T 9704: lines of balanced length)."""
        para = self.doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt = para.paragraph_format
        fmt.space_before, fmt.space_after = Pt(0), Pt(self.p.line_pt)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(self.p.title_pt * 1.6)
        for index, line in enumerate(lines):
            run = para.add_run(line)
            _fonts(run, self.p.title_font, self.p.latin_font, self.p.title_pt, self.p.title_bold)
            if index < len(lines) - 1:
                run.add_break()

    def centered(self, text: str) -> None:
        para = self.doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _line(para, self.p)
        _fonts(para.add_run(text), self.p.body_font, self.p.latin_font, self.p.body_pt)

    def plain(self, text: str) -> Paragraph:
        """A line without indent (主送)."""
        para = self.doc.add_paragraph()
        _line(para, self.p)
        _fonts(para.add_run(text), self.p.body_font, self.p.latin_font, self.p.body_pt)
        return para

    def body(self, text: str, lead: str = "") -> Paragraph:
        """A body paragraph, first line indented two characters; `lead` in 楷体 (a level-2 heading run-in)."""
        para = self.doc.add_paragraph()
        _line(para, self.p)
        para.paragraph_format.first_line_indent = Pt(self.p.body_pt * 2)
        para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if lead:
            _fonts(para.add_run(lead), self.p.heading2_font, self.p.latin_font, self.p.body_pt)
        _fonts(para.add_run(text), self.p.body_font, self.p.latin_font, self.p.body_pt)
        return para

    def heading1(self, text: str) -> None:
        para = self.doc.add_paragraph()
        _line(para, self.p)
        para.paragraph_format.keep_with_next = True  # never a heading alone at the foot of a page
        para.paragraph_format.first_line_indent = Pt(self.p.body_pt * 2)
        _fonts(para.add_run(text), self.p.heading1_font, self.p.latin_font, self.p.body_pt)

    def heading2(self, text: str) -> None:
        para = self.doc.add_paragraph()
        _line(para, self.p)
        para.paragraph_format.keep_with_next = True
        para.paragraph_format.first_line_indent = Pt(self.p.body_pt * 2)
        _fonts(para.add_run(text), self.p.heading2_font, self.p.latin_font, self.p.body_pt)

    def right(self, text: str, chars_in: float) -> None:
        """Signature and date: right-aligned, `chars_in` characters in from the right margin (成文日期右空四字)."""
        para = self.doc.add_paragraph()
        _line(para, self.p)
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        para.paragraph_format.right_indent = Pt(self.p.body_pt * chars_in) if chars_in else None
        para.paragraph_format.keep_with_next = True
        _fonts(para.add_run(text), self.p.body_font, self.p.latin_font, self.p.body_pt)

    def signature(self, issuer: str, issued: str) -> None:
        """GB/T 9704 7.3.5.1 (a sealed document): room for the seal below the body, the date 右空四字, the
        issuer centred over the date (flush right when it is too long for that)."""
        for _ in range(2):
            self.plain("").paragraph_format.keep_with_next = True
        self.right(issuer, max(0.0, 4 + (width(issued) - width(issuer)) / 2))
        self.right(issued, 4)

    def table(self, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
        """A table in 小四 off the line grid; `widths` are shares of the text width."""
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        # Narrow cell padding (0.8 mm a side, Word's default is 1.9): two-character headings fit their column.
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            edge = OxmlElement(f"w:{side}")
            edge.set(qn("w:w"), "45")
            edge.set(qn("w:type"), "dxa")
            margins.append(edge)
        table._tbl.tblPr.append(margins)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        text_mm = self.p.page_width_mm - self.p.left_mm - self.p.right_mm
        total = sum(widths)
        for column, share in zip(table.columns, widths, strict=True):
            column.width = Mm(text_mm * share / total)
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            self._cell(cell.paragraphs[0], text, self.p.heading1_font)
        repeat = OxmlElement("w:tblHeader")  # the header row again at the top of each page
        repeat.set(qn("w:val"), "true")
        table.rows[0]._tr.get_or_add_trPr().append(repeat)
        for values in rows:
            row = table.add_row()
            keep = OxmlElement("w:cantSplit")  # a row is never broken across two pages
            row._tr.get_or_add_trPr().append(keep)
            cells = row.cells
            for cell, text in zip(cells, values, strict=True):
                self._cell(cell.paragraphs[0], text, self.p.body_font)
        for row in table.rows:
            for cell, share in zip(row.cells, widths, strict=True):
                cell.width = Mm(text_mm * share / total)

    def _cell(self, para: Paragraph, text: str, font: str) -> None:
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt = para.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        para._p.get_or_add_pPr().append(snap)
        _fonts(para.add_run(text), font, self.p.latin_font, self.p.table_pt)

    def save(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


# --- content --------------------------------------------------------------------------------


def width(text: str) -> float:
    """A text's width in body characters: a Chinese character is one, a digit or Latin letter half."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in text)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _count(figures: Figures, key: str) -> int:
    return int(figures.count(key))


def county_sentence(stats: Stats) -> str:
    c = stats.county
    return (f"{stats.label}，全县共报送招商线索{_count(c, 'leads')}个，外出招商{_count(c, 'visits')}次，"
            f"接待洽谈{_count(c, 'receptions')}批；签约项目{_count(c, 'signings')}个，签约额"
            f"{money(c.count('signed_wan'))}；开工项目{_count(c, 'starts')}个；资金到位"
            f"{money(c.count('funds_wan'))}；竣工投产项目{_count(c, 'completions')}个。"
            f"{len(stats.units)}个单位中{len(stats.reported)}个按时报送。")


def done_span(period: str) -> str:
    """What a year-to-date figure covers, in words: 2026-03 → 1—3月, 2026-Q2 → 1—6月, 2026 → 全年."""
    year, _, part = period.partition("-")
    if not year.isdigit():
        return ""
    if not part:
        return "全年"
    last = {"H1": 6, "H2": 12}.get(part) or (3 * int(part[1:]) if part[:1] == "Q" and part[1:].isdigit()
                                             else int(part) if part.isdigit() else 0)
    return "" if not 1 <= last <= 12 else "1月" if last == 1 else f"1—{last}月"


def target_sentences(stats: Stats) -> list[str]:
    """One per county target. An amount or a count is the year so far against 序时进度 (全年签约目标150亿元，
    1—3月累计完成13.47亿元，完成率9.0%，序时进度25.0%，低于序时进度16.0个百分点); a rate target is the rate
    against its bar (履约率目标40.0%，目前为5.3%，低于目标34.7个百分点), 序时进度 means nothing to a rate."""
    span = done_span(stats.period)
    done_words = f"{span}累计完成" if span and span != "1月" else "已完成"
    progress = f"序时进度{percent(stats.schedule_progress)}" if stats.schedule_progress is not None else ""
    out = []
    for t in stats.county.targets:
        if t.metric.startswith("rate:"):
            gap = "" if t.ahead_pp is None else (
                f"，高于目标{t.ahead_pp:.1f}个百分点" if t.ahead_pp > 0 else "，达到目标" if t.ahead_pp == 0
                else f"，低于目标{-t.ahead_pp:.1f}个百分点")
            out.append(f"全年{t.name}目标{percent(t.target)}，目前为{percent(t.done)}{gap}。")
            continue
        amount = t.metric.endswith("_wan")
        target = money(t.target) if amount else f"{t.target:g}个"
        done = money(t.done) if amount else f"{t.done:g}个"
        ahead = f"，{progress}" if progress else ""
        if t.ahead_pp is not None:
            ahead += (f"，超序时进度{t.ahead_pp:.1f}个百分点" if t.ahead_pp >= 0
                      else f"，低于序时进度{-t.ahead_pp:.1f}个百分点")
        out.append(f"全年{t.name}目标{target}，{done_words}{done}，完成率{percent(t.rate)}{ahead}。")
    return out


def rates_sentence(stats: Stats, extras: Extras) -> str:
    """The rates with what they divide, so the sentence checks itself: 今年签约项目9个，其中已开工3个，开工率33.3%…
    Then the project base's steps as of the period's end (all years, each investor once)."""
    c, b = stats.county, stats.county.pipeline
    year = stats.period[:4]
    if b:
        rates = (f"{year}年签约项目{int(b.get('signed', 0))}个，其中已开工{int(b.get('started', 0))}个，"
                 f"开工率{percent(c.rates.get('开工率'))}；已开工或资金到位{int(b.get('performing', 0))}个，"
                 f"履约率{percent(c.rates.get('履约率'))}；签约额{money(b.get('signed_wan', 0))}、到位资金"
                 f"{money(b.get('funds_wan', 0))}，资金到位率{percent(c.rates.get('资金到位率'))}；"
                 f"线索转化率{percent(c.rates.get('线索转化率'))}")
    else:
        rates = "，".join(f"{name}{percent(c.rates.get(name))}" for name in RATE_NAMES)
    steps = "、".join(f"{s.label}{s.count}个（{money(s.amount_wan)}）" for s in extras.pipeline)
    return f"项目推进方面，{rates}。" + (f"截至{stats.label}，项目库累计（含往年项目）{steps}。" if steps else "")


RANKING_HEADER = ["排名", "单位", "线索", "签约", "签约额\n(万元)", "开工", "到位\n(万元)", "得分", "等次",
                  "任务\n完成率"]
#: Column widths in mm of the 156 mm text width, at 小四 (a Chinese character 4.2 mm, a digit 2.1 mm) plus
#: 1.6 mm of padding: two-character headings, 未报送, 250,000 and 116.7% each fit on one line; the unit
#: gets the rest (eight characters; longer names take two lines).
RANKING_WIDTHS = [10.5, 35, 10.5, 10.5, 17, 10.5, 17, 14, 15, 16]


def ranking_rows(stats: Stats) -> list[list[str]]:
    def amount(value: float) -> str:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"

    rows = []
    for u in stats.units:
        f = u.figures
        target = f.main_target
        rows.append([str(u.rank), u.unit, str(_count(f, "leads")), str(_count(f, "signings")),
                     amount(f.count("signed_wan")), str(_count(f, "starts")), amount(f.count("funds_wan")),
                     f"{u.score:g}", u.grade if u.reported else "未报送",
                     percent(target.rate) if target is not None else "—"])
    return rows


def _completion_note(stats: Stats) -> str:
    """What the table's 任务完成率 is: the year so far against the unit's main target, and the bar."""
    target = next((t for u in stats.units if (t := u.figures.main_target) is not None), None)
    if target is None:
        return "（各单位年度目标尚未导入，任务完成率暂不统计）"
    span = done_span(stats.period)
    bar = f"，序时进度{percent(stats.schedule_progress)}" if stats.schedule_progress is not None else ""
    return f"（任务完成率为{span + '累计' if span else ''}{target.name}占全年目标的比例{bar}）"


def bottom_sentence(stats: Stats) -> str:
    """后三 as the group's bulletin gives it (handlers.jobs.tables.bottom_text): the units graded 差 that
    reported; a unit that did not report is never named a bottom three, only counted (its name is under 未报送)."""
    worst = [u for u in stats.units if u.grade == POOR]
    reporting = [u for u in worst if u.reported][-3:]
    silent = len(stats.silent)
    if not reporting:
        return f"排名末位的为{silent}个未报送单位。" if silent else "本期没有排名后三位的单位。"
    more = f"另有{silent}个单位未报送。" if any(not u.reported for u in worst) else ""
    return f"排名后三位的单位：{_names(reporting)}，请认真分析原因、限期整改。{more}"


def _names(units: list[UnitLine]) -> str:
    return "、".join(u.unit for u in units) or "无"


def title_of(stats: Stats) -> str:
    return "".join(title_lines(stats))


def title_lines(stats: Stats) -> list[str]:
    """关于2026年3月全县招商引资 / 工作情况的通报: two balanced lines when one would overflow (2号 on 156 mm
    holds about 20 characters)."""
    # A year's 通报 is 年度 (关于2026年度…), as county documents write it; a month or quarter by its label.
    label = f"{stats.period}年度" if stats.period.isdigit() else stats.label
    first, second = f"关于{label}全县招商引资", "工作情况的通报"
    return [first + second] if len(first + second) <= 20 else [first, second]


def build_bulletin_docx(stats: Stats, extras: Extras, rules: DocumentRules, issued: date) -> bytes:
    """The 通报 for `stats`' period as .docx bytes, laid out by `rules.profile`."""
    w = _Writer(PROFILES[rules.profile])
    if rules.doc_number:
        w.centered(rules.doc_number.format(year=issued.year, month=issued.month, day=issued.day))
    w.title(title_lines(stats))
    w.plain(rules.recipients)
    w.body(f"为全面掌握全县招商引资工作进展，压实工作责任，现将{stats.label}各单位招商引资工作情况通报如下：")
    w.heading1("一、总体情况")
    w.body(county_sentence(stats))
    for sentence in target_sentences(stats) or ["全县年度目标任务尚未导入，完成率暂不统计。"]:
        w.body(sentence)
    w.body(rates_sentence(stats, extras))
    w.heading1("二、各单位排名情况")
    w.body(f"按照招商引资考核计分办法，{stats.label}各单位得分及排名如下" + _completion_note(stats) + "："
           ).paragraph_format.keep_with_next = True
    w.table(RANKING_HEADER, ranking_rows(stats), RANKING_WIDTHS)
    w.heading1("三、先进与后进")
    best = [u for u in stats.units if u.grade == EXCELLENT and u.reported]
    w.body(f"排名前三位的单位：{_names(best[:3])}，予以通报表扬。", lead="（一）先进单位。")
    w.body(bottom_sentence(stats), lead="（二）后进单位。")
    w.body(f"本期未报送的单位：{_names(stats.silent)}，逾期不报视为没有。" if stats.silent
           else "本期各单位均已按时报送。", lead="（三）未报送单位。")
    w.heading1("四、签约未开工及长期无进展项目")
    if extras.waiting:
        named = "；".join(f"{p.unit}{p.name}（{money(p.amount_wan)}）" for p in extras.waiting[:MAX_WAITING])
        more = f"等{len(extras.waiting)}个" if len(extras.waiting) > MAX_WAITING else ""
        stale = "；".join(f"{p.unit}{p.name}" for p in extras.stale[:MAX_WAITING])
        w.body(f"截至{stats.label}，全县{stats.period[:4]}年签约未开工项目{len(extras.waiting)}个：{named}{more}。" + (
            f"其中超过{extras.stale_days}天无进展的{len(extras.stale)}个：{stale}。" if extras.stale
            else f"暂无超过{extras.stale_days}天无进展的项目。"))
    else:
        w.body(f"截至{stats.label}，全县{stats.period[:4]}年签约的项目均已开工。")
    w.heading1("五、下步工作要求")
    for index, text in enumerate(rules.requirements):
        w.body(text, lead=f"（{_NUMERALS[index % 10]}）")
    w.signature(rules.issuer, f"{issued.year}年{issued.month}月{issued.day}日")
    return w.save()
