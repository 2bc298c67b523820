"""Word matching the counting rules share (intake's flags, 策划包装's checks)."""

from __future__ import annotations

import re


def mentions(word: str, text: str) -> bool:
    """`word` occurs in `text`; a word ending in 投 (城投, 国投) not as the start of 投资."""
    if not word.endswith("投"):
        return word in text
    return re.search(re.escape(word) + "(?!资)", text) is not None
