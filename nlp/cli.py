"""`parse [--today YYYY-MM-DD] TEXT` and `parse [--today ...] --jsonl` (see parse-contract.md).

`run_parse_cli` takes argv and streams so the real `zsbot parse` command can call it as is.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from nlp.parser import parse

TIME_ZONE = "Asia/Shanghai"


def default_today(tz: str = TIME_ZONE) -> date:
    return datetime.now(ZoneInfo(tz)).date()


def _parse_line(line: str, today: date) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except ValueError as exc:
        return {"error": f"invalid JSON: {exc}"}
    if isinstance(value, str):
        return parse(value, today).to_contract()
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        day = today
        if value.get("today") is not None:
            try:
                day = date.fromisoformat(str(value["today"]))
            except ValueError:
                return {"error": f"invalid today: {value['today']!r}"}
        return parse(value["text"], day).to_contract()
    return {"error": "expected a JSON string or an object with a string `text`"}


def run_parse_cli(argv: list[str], stdin: TextIO, stdout: TextIO, tz: str = TIME_ZONE) -> int:
    """Run `parse` with `argv` (the words after `parse`); returns the exit status."""
    ap = argparse.ArgumentParser(
        prog="parse",
        description="Parse chat messages into contract JSON (fields: parse-contract.md; "
        "how plans, summaries, names and colloquial amounts are read: docs/parsing.md).",
    )
    ap.add_argument("--today", help="date relative dates resolve against (YYYY-MM-DD)")
    ap.add_argument("--jsonl", action="store_true", help="read JSON lines from stdin")
    ap.add_argument("text", nargs="?", help="the message")
    args = ap.parse_args(argv)
    try:
        today = date.fromisoformat(args.today) if args.today else default_today(tz)
    except ValueError:
        print(f"invalid --today: {args.today!r}", file=sys.stderr)
        return 2
    if args.jsonl:
        for line in stdin:
            if not line.strip():
                continue
            stdout.write(json.dumps(_parse_line(line, today), ensure_ascii=False) + "\n")
        stdout.flush()
        return 0
    if args.text is None:
        ap.print_usage(sys.stderr)
        return 2
    stdout.write(json.dumps(parse(args.text, today).to_contract(), ensure_ascii=False) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "parse":
        argv = argv[1:]
    return run_parse_cli(argv, sys.stdin, sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
