"""Time to build what follows a bulletin for 60 units: the ranking chart, the pipeline chart, the 通报 .docx.

Data: a made-up county of 60 units in the shape of `zsbot stats --json` (with targets, so the chart
draws its second panel), built in memory: this measures drawing and writing, not the database.
Each build runs once to warm up (font loading, imports), then `--runs` times; prints the median and
the worst, and the sizes. Target: under 1 s each.

Run: python benchmarks/documents.py [--runs 5] [--units 60]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from handlers.assessment.stats_view import Extras, Stage, parse_stats  # noqa: E402
from handlers.core.rules import DocumentRules  # noqa: E402
from handlers.publishing.charts import pipeline_chart, ranking_chart  # noqa: E402
from handlers.publishing.official_doc import build_bulletin_docx  # noqa: E402


def county(units: int) -> dict[str, object]:
    rows = []
    for i in range(units):
        reported = i < units - 3
        rows.append({"rank": i + 1, "unit": f"第{i + 1}单位招商服务中心", "score": 400 - i * 6 if reported else 0,
                     "grade": "优" if i < 3 else "差" if units - 6 <= i < units - 3 else "中", "reported": reported,
                     "leads": i % 5, "visits": i % 3, "receptions": i % 4, "signings": i % 2, "signed_wan": 1500 * (i % 4),
                     "starts": i % 2, "funds_wan": 300 * (i % 3), "completions": 0, "rates": {},
                     "targets": [{"metric": "signed_wan", "target": 5000, "done": 90 * i, "rate": 0.018 * i,
                                  "ahead_pp": 1.8 * i - 25}]})
    return {"period": "2026-03", "label": "2026年3月", "schedule_progress": 0.25,
            "county": {"leads": 120, "signings": 30, "signed_wan": 90000, "starts": 30, "funds_wan": 18000,
                       "rates": {"开工率": 0.4}, "targets": [{"metric": "signed_wan", "target": 300000,
                                                            "done": 90000, "rate": 0.3, "ahead_pp": 5.0}]},
            "units": rows}


def timed(name: str, build: Callable[[], bytes], runs: int) -> None:
    data = build()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        data = build()
        times.append(time.perf_counter() - start)
    print(f"{name:<22} median {statistics.median(times) * 1000:7.0f} ms   worst {max(times) * 1000:7.0f} ms   "
          f"{len(data) / 1024:6.0f} KB   {'OK' if max(times) < 1 else 'OVER 1 s'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--units", type=int, default=60)
    args = parser.parse_args()
    stats = parse_stats(county(args.units))
    stages = [Stage("签约", 40, 260000), Stage("合同", 30, 210000), Stage("开工", 18, 120000), Stage("投产", 6, 40000)]
    extras = Extras(pipeline=stages)
    print(f"{args.units} units, {args.runs} runs after one warm-up")
    timed("ranking chart (PNG)", lambda: ranking_chart(stats), args.runs)
    timed("pipeline chart (PNG)", lambda: pipeline_chart(stages, stats.label), args.runs)
    timed("通报 (.docx)", lambda: build_bulletin_docx(stats, extras, DocumentRules(), date(2026, 4, 1)), args.runs)


if __name__ == "__main__":
    main()
