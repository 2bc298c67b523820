"""Pictures for the group: the ranking (bars by score, coloured by grade) and the pipeline 签约 → 投产.

Drawn with matplotlib's Agg canvas (no display, no pyplot state, safe in a worker thread) in Noto Sans SC
from the `pylopdf-fonts-zh-cn` package, so a fresh `pip install` draws Chinese, not boxes. Sized for a
phone: 1080 px wide, one row per unit at a readable height, 20 to 60 units.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from matplotlib import font_manager, rc_context
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from handlers.assessment.scoring import EXCELLENT, FAIR, POOR
from handlers.assessment.stats_view import Stage, Stats, money
from storage.media import IMAGE_MAX_BYTES

WIDTH_PX = 1080
DPI = 100
#: Grade colours: 优 green, 中 blue, 差 orange; units that did not report are grey and hatched.
COLOURS = {EXCELLENT: "#2e9d5b", FAIR: "#3f7fd0", POOR: "#e8833a"}
SILENT = "#b8bec7"
AHEAD, BEHIND = "#2e9d5b", "#d4380d"
_ROW_IN = 0.34
#: The target panel shows completion up to 200 %; a unit beyond it is drawn at the edge with its figure.
_CAP = 2.0


@cache
def font_path() -> Path:
    """Noto Sans SC (SIL OFL 1.1) shipped by the pylopdf-fonts-zh-cn package, registered with matplotlib."""
    import pylopdf_fonts_zh_cn

    path = Path(pylopdf_fonts_zh_cn.sans_path())
    font_manager.fontManager.addfont(str(path))
    return path


@contextmanager
def _style() -> Iterator[None]:
    family = font_manager.FontProperties(fname=str(font_path())).get_name()
    with rc_context({"font.family": [family], "font.size": 13, "axes.unicode_minus": False,
                     "axes.spines.top": False, "axes.spines.right": False}):
        yield


#: Agg draws at most 2**16 pixels a side; the ranking is refused before drawing beyond that.
_MAX_PX = 2**16 - 1


def _png(fig: Figure) -> bytes:
    """The figure as a PNG; one over WeCom's 2 MB (a roster of hundreds of units) is re-encoded with a
    64-colour palette (a chart has few colours: about a third of the bytes), else refused (ValueError)."""
    out = io.BytesIO()
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.savefig(out, format="png", dpi=DPI)
    data = out.getvalue()
    if len(data) > IMAGE_MAX_BYTES:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            small = io.BytesIO()
            image.convert("RGB").quantize(colors=64).save(small, format="PNG", optimize=True)
        data = small.getvalue()
    if len(data) > IMAGE_MAX_BYTES:
        raise ValueError(f"排名图{len(data) / 1024 / 1024:.1f} MB，超过企业微信图片2 MB的上限")
    return data


def _total_line(stats: Stats) -> str:
    c = stats.county
    reported = len(stats.reported)
    return (f"全县：线索{int(c.count('leads'))}个 · 签约{int(c.count('signings'))}个"
            f"（{money(c.count('signed_wan'))}）· 开工{int(c.count('starts'))}个 · "
            f"到位{money(c.count('funds_wan'))} · 已报送{reported}/{len(stats.units)}个单位")


def _target_line(stats: Stats) -> str:
    """The county's main target against 序时进度, for the title block ("" without a county target)."""
    t = stats.county.main_target
    if t is None or t.rate is None or t.metric.startswith("rate:"):
        return ""
    bar = f"，序时进度{stats.schedule_progress:.0%}" if stats.schedule_progress is not None else ""
    return f"全县{t.name}完成全年目标的{t.rate:.1%}{bar}"


def ranking_chart(stats: Stats) -> bytes:
    """Units ranked by score as horizontal bars coloured by grade, non-reporters marked, and where
    targets exist a second panel with each unit's completion against 序时进度; a PNG 1080 px wide."""
    with _style():
        return _png(_ranking(stats))


def ranking_figure(stats: Stats) -> Figure:
    """The ranking chart as a drawn figure (its texts laid out, so their extents can be checked)."""
    with _style():
        fig = _ranking(stats)
        fig.draw_without_rendering()
        return fig


def _ranking(stats: Stats) -> Figure:
    units = stats.units
    n = max(len(units), 1)
    targets = stats.has_targets
    height_in = 2.4 + n * _ROW_IN
    if height_in * DPI > _MAX_PX:
        raise ValueError(f"{n}个单位的排名图太长（{height_in * DPI:.0f}像素），无法绘制")
    target_line = _target_line(stats)
    with _style():
        fig = Figure(figsize=(WIDTH_PX / DPI, height_in), dpi=DPI)
        top = 1 - (1.52 if target_line else 1.25) / height_in
        bottom = 1.05 / height_in
        names = [f"{u.rank}. {u.unit}" for u in units]
        grid = fig.add_gridspec(1, 2 if targets else 1, width_ratios=[3, 1.15] if targets else [1],
                                left=_left_margin(names), right=0.97, top=top, bottom=bottom, wspace=0.08)
        ax = fig.add_subplot(grid[0, 0])
        ys = list(range(len(units)))[::-1]
        best = max((u.score for u in units), default=0) or 1
        # A unit with nothing still gets a visible stub, hatched grey: 未报送 must be seen, not inferred.
        widths = [u.score if u.reported else max(u.score, best * 0.03) for u in units]
        for silent in (False, True):
            rows = [(y, w, u) for y, w, u in zip(ys, widths, units, strict=True) if u.reported != silent]
            if rows:  # one call per kind of bar: 60 single bars cost a third of the drawing time
                ax.barh([y for y, _, _ in rows], [w for _, w, _ in rows], height=0.68, edgecolor="white",
                        color=[SILENT if silent else COLOURS.get(u.grade, COLOURS[FAIR]) for _, _, u in rows],
                        hatch="//" if silent else None)
        for y, width, u in zip(ys, widths, units, strict=True):
            label = f"{u.score:g}分 {u.grade}" if u.reported else f"{u.score:g}分 未报送"
            ax.text(width + best * 0.01, y, label, va="center", fontsize=11,
                    color="#1f2329" if u.reported else "#8f959e")
        ax.set_yticks(ys, names, fontsize=12)
        ax.set_ylim(-0.6, len(units) - 0.4)
        ax.set_xlim(0, best * 1.22)
        ax.set_xlabel("得分", fontsize=12)
        ax.tick_params(axis="x", labelsize=11)
        ax.grid(axis="x", color="#e5e6eb", linewidth=0.8)
        ax.set_axisbelow(True)
        if targets:
            _target_panel(fig.add_subplot(grid[0, 1], sharey=ax), stats, ys)
        legend: list[Artist] = [Patch(color=COLOURS[g], label=g) for g in (EXCELLENT, FAIR, POOR)]
        legend.append(Patch(facecolor=SILENT, hatch="//", edgecolor="white", label="未报送"))
        if targets:
            legend += [Line2D([], [], marker="o", linestyle="", color=colour, markersize=8, label=label)
                       for colour, label in ((AHEAD, "达到序时进度"), (BEHIND, "落后序时进度"))]
        fig.legend(handles=legend, loc="lower center", ncol=len(legend), frameon=False, fontsize=12,
                   handletextpad=0.4, columnspacing=1.4,
                   bbox_to_anchor=(0.5, 0.05 / height_in))
        fig.suptitle(f"{stats.label}招商引资排名", fontsize=20, y=1 - 0.22 / height_in,
                     va="top")
        fig.text(0.5, 1 - 0.72 / height_in, _total_line(stats), ha="center", va="top", fontsize=12.5,
                 color="#4e5969")
        if target_line:
            fig.text(0.5, 1 - 0.99 / height_in, target_line, ha="center", va="top", fontsize=12.5,
                     color="#4e5969")
        FigureCanvasAgg(fig)
        return fig


def _left_margin(names: Sequence[str]) -> float:
    """Room for the longest unit name at 12 pt (a Chinese character ≈ 17 px, a digit or space ≈ 8 px)."""
    widest = max((sum(17 if ord(ch) > 0x2E80 else 8 for ch in name) for name in names), default=0)
    return min(max((widest + 24) / WIDTH_PX, 0.1), 0.4)


def _target_panel(ax: object, stats: Stats, ys: Sequence[int]) -> None:
    """Completion of each unit's main target as a dot with its figure, 序时进度 as a dashed line (at or
    ahead of it green, behind red); a completion over 200 % sits at the panel's edge as ▶ with its figure."""
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    progress = stats.schedule_progress
    marked = [(y, t.rate) for y, u in zip(ys, stats.units, strict=True)
              if (t := u.figures.main_target) is not None and t.rate is not None]
    right = min(max([1.0, *(rate for _, rate in marked)]), _CAP) * 110
    if marked:
        xs = [min(rate, _CAP) * 100 for _, rate in marked]
        colours = [BEHIND if progress is not None and rate < progress else AHEAD for _, rate in marked]
        ax.hlines([y for y, _ in marked], 0, xs, color="#e5e6eb", linewidth=2, zorder=1)
        for over in (False, True):
            rows = [(x, y, c) for x, (y, rate), c in zip(xs, marked, colours, strict=True) if (rate > _CAP) == over]
            if rows:
                ax.scatter([x for x, _, _ in rows], [y for _, y, _ in rows], s=60 if over else 46, zorder=3,
                           marker=">" if over else "o", color=[c for _, _, c in rows], clip_on=False)
        for x, (y, rate) in zip(xs, marked, strict=True):
            # The figure beside its dot, on the side with room (left of a dot in the right third).
            left = x > right * 0.62
            ax.text(x + (-0.04 if left else 0.04) * right, y, f"{rate:.0%}", ha="right" if left else "left",
                    va="center", fontsize=9.5, color="#4e5969", zorder=4,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6})  # over the dashed line
    if progress is not None:
        ax.axvline(progress * 100, color="#4e5969", linestyle="--", linewidth=1.4, zorder=2)
        ax.text(progress * 100, len(ys) - 0.35, f"序时进度{progress:.0%}", ha="center", va="bottom", fontsize=10.5,
                color="#4e5969")
    ax.set_xlim(-0.05 * right, right)  # a unit at 0 % shows a whole dot, not half of one on the axis
    name = next((t.name for u in stats.units if (t := u.figures.main_target) is not None), "")
    ax.set_xlabel(f"{name}目标完成率 %", fontsize=12)
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.tick_params(axis="x", labelsize=11)
    ax.grid(axis="x", color="#e5e6eb", linewidth=0.8)


def pipeline_chart(stages: Sequence[Stage], label: str) -> bytes:
    """签约 → 合同 → 开工 → 投产: projects at each step (bars) and their amount (labels), 1080 px wide."""
    with _style():
        fig = Figure(figsize=(WIDTH_PX / DPI, 6.2), dpi=DPI)
        ax = fig.add_axes((0.08, 0.14, 0.88, 0.66))
        names = [s.label for s in stages]
        counts = [s.count for s in stages]
        colours = ["#3f7fd0", "#5b8ff9", "#2e9d5b", "#13a8a8"][: len(stages)]
        bars = ax.bar(names, counts, color=colours, width=0.58)
        high = max(counts, default=0) or 1
        for bar, stage, before in zip(bars, stages, [None, *stages[:-1]], strict=True):
            x = bar.get_x() + bar.get_width() / 2
            ax.text(x, stage.count + high * 0.03, f"{stage.count}个\n{money(stage.amount_wan)}",
                    ha="center", va="bottom", fontsize=13)
            if before is not None and before.count:
                ax.annotate(f"{stage.count / before.count:.0%}", xy=(x - 0.5, high * 0.5), ha="center",
                            fontsize=12, color="#4e5969")
        ax.set_ylim(0, high * 1.35)
        ax.set_ylabel("项目数", fontsize=12)
        ax.tick_params(labelsize=14)
        ax.grid(axis="y", color="#e5e6eb", linewidth=0.8)
        ax.set_axisbelow(True)
        fig.suptitle(f"{label}项目推进：签约 → 合同 → 开工 → 投产", fontsize=19, y=0.96)
        fig.text(0.5, 0.86, "柱高为累计达到该阶段的项目数，标注为金额；柱间百分比为由上一阶段转入的比例", ha="center",
                 fontsize=11.5, color="#4e5969")
        return _png(fig)
