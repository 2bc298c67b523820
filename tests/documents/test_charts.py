"""The ranking chart a phone shows: 1080 px wide, every glyph Chinese (no boxes), labels apart, < 2 MB."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from PIL import Image

from handlers.assessment.stats_view import Stage, parse_stats
from handlers.publishing.charts import font_path, pipeline_chart, ranking_chart, ranking_figure
from tests.documents.contract import many, unit


@contextmanager
def no_missing_glyphs() -> Iterator[None]:
    """matplotlib warns "Glyph N (…) missing from font(s) …" where it would draw a box: make that an error."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*Glyph .* missing")
        yield


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(data)) as image:
        return image.size


@pytest.mark.parametrize("n", [20, 60])
def test_the_ranking_chart_is_1080_wide_under_2_mb_with_every_glyph(n: int) -> None:
    with no_missing_glyphs():
        data = ranking_chart(parse_stats(many(n, targets=True)))
    # Height: 2.4 in of titles and legend + 0.34 in per unit, at 100 dpi: 20 → 920 px, 60 → 2280 px.
    assert png_size(data) == (1080, {20: 920, 60: 2280}[n])
    assert len(data) < 2 * 1024 * 1024


def test_the_font_comes_from_the_pip_installed_package_not_the_system() -> None:
    import pylopdf_fonts_zh_cn

    assert font_path().name == "NotoSansSC-Regular.otf"
    assert font_path().parent == pylopdf_fonts_zh_cn.sans_path().parent


def test_a_glyph_the_font_lacks_is_caught() -> None:
    """The check above can fail: an emoji in a unit's name has no glyph in Noto Sans SC."""
    stats = parse_stats({**many(3), "units": [unit(1, "🏆城关镇", 10, "优")]})
    with pytest.raises(UserWarning, match="missing"), no_missing_glyphs():
        ranking_chart(stats)


@pytest.mark.parametrize("n", [20, 60])
def test_unit_names_and_score_labels_do_not_overlap_and_stay_in_the_picture(n: int) -> None:
    fig = ranking_figure(parse_stats(many(n, targets=True)))
    ax = fig.axes[0]
    names = sorted((t.get_window_extent() for t in ax.get_yticklabels()), key=lambda box: box.y0)
    assert len(names) == n
    for lower, upper in zip(names, names[1:], strict=False):
        assert lower.y1 <= upper.y0, "two unit names overlap"
    width = fig.bbox.width
    for box in names + [t.get_window_extent() for t in ax.texts]:
        assert box.x0 >= 0 and box.x1 <= width, "a label runs off the picture"
    scores = sorted((t.get_window_extent() for t in ax.texts), key=lambda box: box.y0)
    for lower, upper in zip(scores, scores[1:], strict=False):
        assert lower.y1 <= upper.y0, "two score labels overlap"


def test_non_reporters_are_marked_and_targets_get_their_own_panel() -> None:
    fig = ranking_figure(parse_stats(many(20, targets=True, silent=2)))
    bars, panel = fig.axes[0], fig.axes[1]
    labels = [t.get_text() for t in bars.texts]
    assert labels[-2:] == ["0分 未报送", "0分 未报送"]
    assert labels[0] == "300分 优"
    # 序时进度 25 % drawn as a line in the target panel, labelled.
    assert any(t.get_text() == "序时进度25%" for t in panel.texts)
    assert len(parse_stats(many(20)).units) == 20 and len(ranking_figure(parse_stats(many(20))).axes) == 1


def test_the_title_names_the_period_and_the_county_total() -> None:
    fig = ranking_figure(parse_stats(many(20)))
    texts = [t.get_text() for t in fig.texts]
    assert fig.get_suptitle() == "2026年3月招商引资排名"
    # many(): county signed 12000万元 = 1.2亿元, 40 leads; 18 of 20 units reported.
    assert "全县：线索40个 · 签约3个（1.2亿元）· 开工1个 · 到位800万元 · 已报送18/20个单位" in texts


def test_the_pipeline_chart_is_1080_wide_with_every_glyph() -> None:
    with no_missing_glyphs():
        data = pipeline_chart([Stage("签约", 20, 230000), Stage("合同", 15, 180000), Stage("开工", 9, 90000),
                               Stage("投产", 3, 20000)], "2026年")
    assert png_size(data) == (1080, 620)
    assert len(data) < 2 * 1024 * 1024


def test_target_completion_is_marked_with_its_figure_even_off_the_scale_or_at_zero() -> None:
    data = many(20, targets=True)
    data["units"][5]["targets"][0].update(done=19000, rate=3.8, ahead_pp=355.0)  # 19000 / 5000 = 380 %
    fig = ranking_figure(parse_stats(data))
    panel = fig.axes[1]
    left, right = panel.get_xlim()
    # many(): unit i has rate 0.05 × i, so unit 1 is at 0 %: its whole dot needs room left of 0.
    assert left < 0
    figures = [t.get_text() for t in panel.texts]
    assert "380%" in figures and "0%" in figures and "5%" in figures  # unit 2: 0.05 × 1
    # The 380 % unit sits inside the panel (at 200 %, the scale's end), not beyond its right edge.
    points = [xy for collection in panel.collections for xy in getattr(collection, "get_offsets", list)()]
    assert max(x for x, _ in points) <= right and max(x for x, _ in points) == 200
    assert panel.get_xlabel() == "签约目标完成率 %"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[-2:] == ["达到序时进度", "落后序时进度"]


def test_the_title_block_gives_the_county_target_against_the_schedule() -> None:
    texts = [t.get_text() for t in ranking_figure(parse_stats(many(20, targets=True))).texts]
    # many(): the county's 签约 target 10亿元, done 3亿元: 30.0 %, 序时进度 25 %.
    assert "全县签约完成全年目标的30.0%，序时进度25%" in texts
    assert not any("目标" in t.get_text() for t in ranking_figure(parse_stats({**many(20), "county": {}})).texts)


def test_a_chart_of_hundreds_of_units_is_repacked_under_2_mb() -> None:
    # 400 units: (2.4 + 400 × 0.34) in × 100 dpi = 13,840 px tall; drawn as is it is about 2.3 MB.
    data = ranking_chart(parse_stats(many(400, targets=True)))
    assert png_size(data) == (1080, 13840)
    assert len(data) <= 2 * 1024 * 1024
