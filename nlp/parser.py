"""Entry point of the parser (to be replaced by the real rules)."""

from datetime import date

from nlp.types import Intent, Parsed


def parse(text: str, today: date) -> Parsed:
    return Parsed(intent=Intent.UNKNOWN, source_text=text)
