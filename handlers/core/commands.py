"""Which messages are commands to the bot (审核, 草稿, 更正, 排名 …) and never an answer to a draft.

The review list and the draft list have no intent of their own in the parse contract; their shape is
defined here once, for the draft dialogue that must not take them as answers and for the office's
handlers that answer them.
"""

from __future__ import annotations

import re

from nlp import Intent, Parsed

LIST_REVIEW = re.compile(r"^\s*(?:待?审核|审核列表|待审核记录|复核)\s*[？?]?\s*$")
LIST_DRAFTS = re.compile(r"^\s*(?:草稿|未完成草稿|草稿列表|未补全)\s*[？?]?\s*$")
_COMMAND_INTENTS = frozenset({
    Intent.CORRECTION, Intent.RETRACT, Intent.HELP, Intent.QUERY_RANK, Intent.QUERY_MISSING,
    Intent.QUERY_SUMMARY, Intent.BULLETIN, Intent.QUERY_RANK_CHART, Intent.REVIEW, Intent.ATTACH, Intent.SOLVE,
    Intent.OWNERS, Intent.EVIDENCE,
})


def is_command(parsed: Parsed, text: str) -> bool:
    """A command or a question (`parsed.question`, the parser's decision), never an answer to a draft."""
    return (parsed.intent in _COMMAND_INTENTS or bool(LIST_REVIEW.match(text) or LIST_DRAFTS.match(text))
            or parsed.question)
