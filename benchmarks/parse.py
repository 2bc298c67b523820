"""Throughput of `nlp.parse` on one core: the dev corpus repeated to 20,000 messages.

Run: python benchmarks/parse.py [CORPUS]
"""

from __future__ import annotations

import json
import resource
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
#: When the process started reading the parser: the first message pays the import as well.
_IMPORT_START = time.perf_counter()
_IMPORT_CPU = time.process_time()

from nlp import parse  # noqa: E402

_IMPORTED = time.perf_counter()

#: The shared corpus beside the main checkout (/work/main) or beside the worktrees (/work/wt/<name>).
DEFAULT_CORPUS = next(
    (
        p
        for p in (Path(__file__).resolve().parents[n] / "shared" / "corpus" / "dev.jsonl" for n in (2, 3))
        if p.exists()
    ),
    Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev.jsonl",
)
TOTAL = 20_000
#: Shared machines are noisy; like timeit, report the best round.
ROUNDS = 3


def main() -> int:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS
    if not corpus.exists():
        print(f"corpus not found: {corpus}")
        return 1
    rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    messages = [(r["text"], date.fromisoformat(r["today"])) for r in rows]
    batch = (messages * (TOTAL // len(messages) + 1))[:TOTAL]

    started = time.perf_counter()
    parse("线索：深圳某新能源科技有限公司拟投资1亿元建设电池项目", date(2025, 1, 1))
    cold = time.perf_counter() - started
    first_cpu = time.process_time() - _IMPORT_CPU
    for text, today in messages:
        parse(text, today)

    rounds: list[tuple[float, float]] = []
    for _ in range(ROUNDS):
        wall, cpu = time.perf_counter(), time.process_time()
        for text, today in batch:
            parse(text, today)
        rounds.append((time.perf_counter() - wall, time.process_time() - cpu))

    tracemalloc.start()
    for text, today in messages:
        parse(text, today)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"first call (dictionary load): {cold * 1000:.0f} ms")
    print(
        f"first message after start (import + first call): {(_IMPORTED - _IMPORT_START + cold) * 1000:.0f} ms"
        f" wall, {first_cpu * 1000:.0f} ms CPU"
    )
    for i, (wall, cpu) in enumerate(rounds, 1):
        print(
            f"round {i}: {TOTAL} messages in {wall:.2f} s wall ({TOTAL / wall:,.0f} msg/s), {cpu:.2f} s CPU"
        )
    best = min(wall for wall, _ in rounds)
    print(f"throughput (best of {ROUNDS}, one core): {TOTAL / best:,.0f} msg/s")
    print(f"peak RSS: {rss_mib:.1f} MiB  peak traced allocation per corpus pass: {peak / 1024:.1f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
