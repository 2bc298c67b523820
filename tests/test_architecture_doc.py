"""docs/architecture.md walks one message in real function names: a rename that forgets the page fails here."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "architecture.md"
#: A backticked code name: `Inbox.submit`, `aibot_wire.parse_callback`, `wait_s()`.
NAME = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)(?:\(\))?`")


def _walk() -> str:
    text = PAGE.read_text(encoding="utf-8")
    return text.split("## One message, end to end", 1)[1].split("\n## ", 1)[0]


def _defined() -> tuple[set[str], set[str]]:
    """Every def/class/assigned name, attribute, and every module (file or package) name in the four packages."""
    names: set[str] = set()
    modules: set[str] = set()
    pattern = re.compile(r"^[ \t]*(?:async\s+def|def|class)\s+(\w+)|^[ \t]*(\w+)[ \t]*(?::[^=\n]*)?=", re.M)
    for package in ("bot", "handlers", "nlp", "storage"):
        for path in (ROOT / package).rglob("*.py"):
            modules.add(path.stem if path.stem != "__init__" else path.parent.name)
            source = path.read_text(encoding="utf-8")
            for match in pattern.finditer(source):
                names.add(match.group(1) or match.group(2))
            names.update(re.findall(r"\bself\.(\w+)", source))  # attributes: `on_handled`
    return names, modules


def test_every_step_names_functions_that_exist() -> None:
    walk = _walk()
    steps = re.findall(r"^\d+\. ", walk, re.M)
    assert 1 <= len(steps) <= 15, "the walk is at most 15 steps"
    names, modules = _defined()
    missing = []
    for token in NAME.findall(walk):
        parts = token.split(".")
        if parts[0] in {"nlp", "bot", "storage", "handlers"} and len(parts) == 1:
            continue
        known = all(part in names or part in modules for part in parts)
        if not known:
            missing.append(token)
    assert not missing, f"docs/architecture.md names what the code does not define: {missing}"
