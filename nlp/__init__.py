"""Text -> typed parse result. Pure: no I/O, no clock (today is a parameter)."""

from nlp.parser import parse
from nlp.types import MILESTONE_INTENTS, RECORD_INTENTS, REQUIRED_FIELDS, Intent, Parsed

__all__ = ["MILESTONE_INTENTS", "RECORD_INTENTS", "REQUIRED_FIELDS", "Intent", "Parsed", "parse"]
