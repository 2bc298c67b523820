"""Text -> typed parse result. Pure: no I/O, no clock (today is a parameter).

`clean` is the one clean-up of a message (what may be stored, what counts towards the length limit, what the
parser reads); `parse` reads a message, `parse_answer` an answer to the bot's question about a record, `parse_reply` a reply
that quotes an earlier message (a receipt's #N is the record it acts on).
"""

from nlp.intents import receipt_refs
from nlp.parser import parse, parse_answer, parse_reply
from nlp.text import MAX_CHARS, Cleaned, clean
from nlp.types import MESSAGE_FIELDS, MILESTONE_INTENTS, RECORD_INTENTS, REQUIRED_FIELDS, Intent, Parsed

__all__ = [
    "MAX_CHARS", "MESSAGE_FIELDS", "MILESTONE_INTENTS", "RECORD_INTENTS", "REQUIRED_FIELDS", "Cleaned", "Intent",
    "Parsed", "clean", "parse", "parse_answer", "parse_reply", "receipt_refs",
]
