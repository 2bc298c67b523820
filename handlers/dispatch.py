"""One message, end to end: log it, know the sender, parse, complete drafts, route, answer.

Transports call `Bot.handle(Incoming)`; nothing here knows WeCom.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from sqlalchemy import Engine

from handlers.core.context import Context
from handlers.core.messages import Choice, Incoming, Reply
from handlers.core.registry import Router
from handlers.core.rules import Rules
from handlers.features import router as default_router
from handlers.reporting.drafts import answer_draft
from handlers.reporting.evidence import receive_attachments
from nlp import Cleaned, Parsed, clean, parse_reply
from nlp import parse as nlp_parse
from storage.store import Store, unit_of_work

log = logging.getLogger(__name__)

STRANGER = (
    "您好，您还不在招商助手的名册中，消息未登记。请联系县招商办（招商引资领导小组办公室），"
    "提供企业微信账号、姓名、所属单位和角色（联络员/领导），登记后即可报送。"
)
TOO_LONG = "消息太长了（超过{limit}字），请分成几条发送，每条一项或几项。本条未登记。"
EMPTY = "没有收到文字内容。报送请发送文字，例如「线索：XX公司拟投资5000万元建设XX项目」。"
APOLOGY = "抱歉，处理这条消息时出了问题，已记录，请稍后再试或联系招商办。已登记的内容不受影响。"


class Bot:
    """The transport-agnostic core. One instance per process, built by the composition root."""

    def __init__(
        self,
        engine: Engine,
        rules: Rules,
        router: Router = default_router,
        parse: Callable[[Cleaned, date], Parsed] = nlp_parse,
    ) -> None:
        self.engine = engine
        self.rules = rules
        self.router = router
        self.parse = parse

    def handle(self, incoming: Incoming) -> Reply:
        """Answer in a transaction of its own (`zsbot say`/`chat`, tests); failures are logged."""
        try:
            with unit_of_work(self.engine) as store:
                return self.answer(store, incoming)
        except Exception:
            log.exception("handling failed for %s/%s", incoming.channel, incoming.msg_id)
            self._log_failed(incoming)
            return Reply(APOLOGY)

    def answer(self, store: Store, incoming: Incoming, parsed: Parsed | None = None) -> Reply:
        """Handle the message inside the caller's transaction, so the durable inbox can mark its
        row done in the same commit as everything the message stored. Raises on failure; the
        caller rolls back, and nothing of this message is kept. `parsed` is `preparse`'s result,
        computed before the transaction so the (single SQLite) writer is held only briefly."""
        if incoming.choice is not None:
            return self._click(store, incoming, incoming.choice)
        message = clean(incoming.text)
        limit = self.rules.reporting.max_message_chars
        if message.too_long(limit):
            return Reply(TOO_LONG.format(limit=limit))
        if message.empty and not incoming.attachments:
            return Reply(EMPTY)
        return self._handle(store, message, replace(incoming, text=str(message)), parsed)

    def preparse(self, incoming: Incoming) -> Parsed | None:
        """The parse `answer` would do (pure, no database), or None when it would not parse."""
        message = clean(incoming.text)
        if message.too_long(self.rules.reporting.max_message_chars) or message.empty:
            return None
        return self._read(message, incoming, incoming.at.astimezone(self.rules.schedule.tz).date())

    def _read(self, cleaned: Cleaned, incoming: Incoming, today: date) -> Parsed:
        """The parse of a message; a reply that quotes a receipt acts on the record it names."""
        if incoming.quote is not None and incoming.quote.text:
            return parse_reply(str(cleaned), today, quoted=incoming.quote.text)
        return self.parse(cleaned, today)

    def give_up(self, store: Store, incoming: Incoming) -> Reply:
        """Repeated failures: keep the message in the log (if the sender is known) and say so."""
        incoming = replace(incoming, text=str(clean(incoming.text)))
        if store.roster.member(incoming.user_id) is not None:
            message = store.messages.record(
                incoming.channel, incoming.msg_id, incoming.user_id, incoming.text, incoming.at, incoming.chat_id
            )
            if message is not None:
                store.messages.answer(message, "error", APOLOGY)
        return Reply(APOLOGY)

    def _handle(self, store: Store, cleaned: Cleaned, incoming: Incoming, preparsed: Parsed | None = None) -> Reply:
        """`incoming.text` is `cleaned` as a plain string (what the log keeps); the parser reads `cleaned`."""
        member, unit = store.roster.member_with_unit(incoming.user_id)
        if member is None:
            return Reply(STRANGER)
        message = store.messages.record(
            incoming.channel, incoming.msg_id, incoming.user_id, incoming.text, incoming.at, incoming.chat_id
        )
        if message is None:
            earlier = store.messages.seen(incoming.channel, incoming.msg_id)
            return Reply(earlier.reply or "" if earlier else "", duplicate=True)
        ctx = Context(store=store, member=member, unit=unit, incoming=incoming, rules=self.rules, message_id=message.id)
        parsed = preparsed if preparsed is not None else self._read(cleaned, incoming, ctx.today)
        if incoming.attachments:  # 佐证: kept on its record; a caption that is a report is handled too
            reply = receive_attachments(parsed, ctx, lambda p: answer_draft(p, ctx) or self._route(p, ctx))
        else:
            reply = answer_draft(parsed, ctx) or self._route(parsed, ctx)
        store.messages.answer(message, str(parsed.intent), reply.text)
        return reply

    def _click(self, store: Store, incoming: Incoming, choice: Choice) -> Reply:
        """A click on one of the bot's cards: logged like a message (a redelivered click is answered once),
        allowed or refused by its route as the typed command would be."""
        member = store.roster.member(incoming.user_id)
        if member is None:
            return Reply(STRANGER)
        message = store.messages.record(incoming.channel, incoming.msg_id, incoming.user_id,
                                        f"[按钮] {choice.key}", incoming.at, incoming.chat_id)
        if message is None:
            earlier = store.messages.seen(incoming.channel, incoming.msg_id)
            return Reply(earlier.reply or "" if earlier else "", duplicate=True)
        unit = store.roster.unit(member.unit_id) if member.unit_id is not None else None
        ctx = Context(store=store, member=member, unit=unit, incoming=incoming, rules=self.rules, message_id=message.id)
        route = self.router.click_route(choice)
        if route is None:
            reply = Reply("这个按钮已失效，请直接发送文字指令（发送「帮助」查看用法）。")
        elif not route.allows(ctx.role):
            reply = Reply(route.refusal)
        else:
            reply = route.fn(choice, ctx)
        store.messages.answer(message, "click", reply.text)
        return reply

    def _route(self, parsed: Parsed, ctx: Context) -> Reply:
        route = self.router.route_for(parsed.intent)
        if route is None:
            return Reply("这个我还不会处理，发送「帮助」看看我能做什么。")
        if not route.allows(ctx.role):
            return Reply(route.refusal)
        return route.fn(parsed, ctx)

    def _log_failed(self, incoming: Incoming) -> None:
        """Keep the message even when handling failed, so nothing a liaison sent is lost."""
        try:
            with unit_of_work(self.engine) as store:
                self.give_up(store, incoming)
        except Exception:
            log.exception("could not even log the failed message")
