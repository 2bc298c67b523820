"""The `zsbot` executable: the typer app of `bot.cli`, with two shortcuts for the calls an office makes most.

Neither changes what a call prints, stores or exits with (tests/bot/test_entry.py, test_cli_imports.py):

* `zsbot parse` hands its words to `nlp.cli` unread (see `bot.cli.parse`), so it does not build the typer
  app: typer and the pydantic it checks options with cost ~0.1 s. `zsbot parse --help` is still typer's.
* `zsbot parse` and `zsbot say` end the process without tearing the interpreter down (`os._exit`, after
  the output is flushed and logging shut down; `say` has closed its database, so SQLite has folded its
  WAL back into the file as at any exit): freeing the parser's dictionaries and SQLAlchemy one object
  at a time took ~0.15 s and ~0.3 s. Every other command, and one written after a global option
  (`zsbot --config F say …`), exits as usual: `serve` and `chat` run loops and threads, the file commands
  write through libraries.

Figures: benchmarks/cli.py.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from typing import NoReturn

#: Commands whose process ends with `leave` once they are done.
QUICK_EXIT = ("parse", "say")


def main() -> None:
    args = sys.argv[1:]
    code = run(args)
    if args[:1] and args[0] in QUICK_EXIT:
        leave(code)
    raise SystemExit(code)


def run(args: list[str]) -> int | str | None:
    """Run `zsbot ARGS` and return what it exits with (typer's exit status, or its message)."""
    if args[:1] == ["parse"] and "--help" not in args[1:]:
        from nlp.cli import run_parse_cli

        try:
            return run_parse_cli(args[1:], sys.stdin, sys.stdout)
        except BrokenPipeError:  # the reader went away (`| head`): exit 1 without a word, as click does
            sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (what is left to flush goes nowhere)
            return 1
    from bot.cli import app

    try:
        app(args=args)
    except SystemExit as stop:
        return stop.code
    return 0


def leave(code: int | str | None) -> NoReturn:
    """Exit with `code` now, skipping the interpreter's teardown, when only the output is left to finish;
    else (a message to print as the exit status, another thread, output that cannot be written) exit as
    usual."""
    if isinstance(code, str) or threading.active_count() > 1:
        raise SystemExit(code)
    logging.shutdown()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: let the usual exit report it as it always did
        raise SystemExit(code) from None
    os._exit(code or 0)
