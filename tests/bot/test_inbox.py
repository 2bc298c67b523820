"""The durable inbox: stored before the acknowledgement, handled in one transaction with its done
mark, answered from the stored row after a restart, and bad bodies refused in a few words."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from bot.channels.aibot import UNKNOWN_STREAM, WORKING
from bot.inbox.worker import HOLD_MAX_S, QUIET_S, holds_back
from bot.runtime import Runtime
from bot.settings import InboxSettings
from bot.web import create_app
from handlers.dispatch import Bot
from nlp import Parsed
from nlp import parse as real_parse
from storage.db import migrate
from storage.inbox import Envelope
from storage.models import InboxItem
from storage.store import unit_of_work
from tests.conftest import TZ
from tests.fakes.wecom import CallbackSigner, WecomStandIn, aibot_text, eventually

from .conftest import LEAD, configured, messages, outbox, records


def with_parse(runtime: Runtime, parse: Callable[[str, date], Parsed], **sections: Any) -> Runtime:
    """The same database, with the core's parser replaced (to fail or to hold a message)."""
    bot = Bot(runtime.engine, runtime.bot.rules, parse=parse)
    return Runtime(settings=runtime.settings.model_copy(update=sections), engine=runtime.engine, bot=bot)


def inbox_rows(runtime: Runtime) -> list[InboxItem]:
    with unit_of_work(runtime.engine) as store:
        return list(store.session.exec(select(InboxItem)).all())


def refresh(stream_id: str) -> dict[str, Any]:
    return {"msgid": f"refresh-{stream_id}", "aibotid": "x", "chattype": "group", "from": {"userid": "wz_liu"},
            "msgtype": "stream", "stream": {"id": stream_id}}


def post(client: TestClient, signer: CallbackSigner, payload: dict[str, Any], nonce: str) -> dict[str, Any]:
    params, body = signer.aibot_callback(payload, nonce)
    answer = client.post("/wecom/aibot", params=params, content=body)
    assert answer.status_code == 200
    return signer.open_aibot_reply(answer.json(), nonce)


def test_a_savepoint_released_inside_a_failed_unit_of_work_commits_nothing(roster: Runtime) -> None:
    """pysqlite left alone commits at RELEASE SAVEPOINT: the message row outlived the rollback."""
    with pytest.raises(RuntimeError), unit_of_work(roster.engine) as store:
        assert store.roster.member("wz_liu") is not None  # a read first: pysqlite would not BEGIN
        assert store.messages.record("aibot", "ghost-1", "wz_liu", LEAD, datetime.now(TZ), None) is not None
        raise RuntimeError("crash mid-handling")
    assert messages(roster) == []


def test_a_failure_mid_handling_keeps_nothing_and_wecoms_retry_stores_the_report(
    wecom: Runtime, aibot_signer: CallbackSigner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.inbox.worker.RETRY_AFTER", (timedelta(hours=1), timedelta(hours=1)))  # only the retry wakes it
    failures = [RuntimeError("parser fell over")]

    def flaky(text: str, today: date) -> Parsed:
        if failures:
            raise failures.pop()
        return real_parse(text, today)

    runtime = with_parse(wecom, flaky, inbox=InboxSettings(first_answer_s=1.0))
    with TestClient(create_app(runtime)) as client:
        first = post(client, aibot_signer, aibot_text("crash-1", "wz_liu", LEAD), "c1")
        assert first["stream"]["finish"] is False  # acknowledged: the message is stored, not handled
        # The failed attempt is counted once its handling has rolled back (a moment after the ack on a busy machine).
        [row] = eventually(lambda: [r for r in inbox_rows(runtime) if r.attempts])
        assert (row.state, row.attempts) == ("pending", 1) and "parser fell over" in (row.last_error or "")
        assert messages(runtime) == [] and records(runtime) == []  # no ghost row to stop the retry
        again = post(client, aibot_signer, aibot_text("crash-1", "wz_liu", LEAD), "c2")
    assert again["stream"]["finish"] is True and "8,000万元" in again["stream"]["content"]
    assert again["stream"]["id"] == first["stream"]["id"]
    assert len(messages(runtime)) == 1 and len(records(runtime)) == 1


def test_a_message_failing_every_attempt_is_answered_once_with_the_apology_and_logged(
    wecom: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each failed attempt rolls its handling back and is counted on its own; the last one answers."""
    from bot.channels import settlers
    from bot.inbox.worker import MAX_ATTEMPTS, Worker
    from handlers.dispatch import APOLOGY

    monkeypatch.setattr("bot.inbox.worker.RETRY_AFTER", (timedelta(0), timedelta(0)))  # due again at once

    def broken(text: str, today: date) -> Parsed:
        raise RuntimeError("parser fell over")

    runtime = with_parse(wecom, broken)
    worker = Worker(runtime.engine, runtime.bot, TZ, settlers(runtime.settings))
    with unit_of_work(runtime.engine) as store:
        store.inbox.accept(Envelope(channel="aibot", msg_id="doomed-1", user_id="wz_liu", text=LEAD,
                                    at=datetime.now(TZ), stream_id="s-doomed"))
    seen = []
    for _ in range(MAX_ATTEMPTS):
        handled = worker.handle_next()
        assert handled is not None
        [row] = inbox_rows(runtime)
        seen.append((row.state, row.attempts))
    assert seen == [("pending", 1), ("pending", 2), ("failed", 3)]
    assert (row.reply, row.delivery) == (APOLOGY, "owed")
    assert worker.handle_next() is None
    assert [(m.msg_id, m.reply) for m in messages(runtime)] == [("doomed-1", APOLOGY)] and records(runtime) == []


def test_after_a_restart_a_stream_refresh_answers_from_the_stored_row(
    wecom: Runtime, aibot_signer: CallbackSigner
) -> None:
    """A message stored before a crash: "working" while it waits, then its receipt; an unknown
    stream is never told it was handled."""
    with unit_of_work(wecom.engine) as store:
        store.inbox.accept(Envelope(channel="aibot", msg_id="before-crash", user_id="wz_liu", text=LEAD,
                                    at=datetime.now(TZ), stream_id="s-before-crash"))
    gate = threading.Event()

    def held(text: str, today: date) -> Parsed:
        assert gate.wait(10)
        return real_parse(text, today)

    runtime = with_parse(wecom, held)
    with TestClient(create_app(runtime)) as client:
        working = post(client, aibot_signer, refresh("s-before-crash"), "r1")
        assert working["stream"] == {"id": "s-before-crash", "finish": False, "content": WORKING}
        unknown = post(client, aibot_signer, refresh("s-never-seen"), "r2")
        assert unknown["stream"]["finish"] is True and unknown["stream"]["content"] == UNKNOWN_STREAM
        assert "已处理" not in UNKNOWN_STREAM
        gate.set()
        for n in range(20):
            done = post(client, aibot_signer, refresh("s-before-crash"), f"r{n + 3}")
            if done["stream"]["finish"]:
                break
        assert done["stream"]["finish"] is True and "8,000万元" in done["stream"]["content"]
    [row] = inbox_rows(runtime)
    assert (row.state, row.delivery, row.reply_via) == ("done", "sent", "stream")
    assert len(records(runtime)) == 1


def test_a_receipt_no_refresh_collected_goes_once_by_the_stored_response_url(
    wecom: Runtime, standin: WecomStandIn
) -> None:
    with unit_of_work(wecom.engine) as store:
        store.inbox.accept(Envelope(channel="aibot", msg_id="orphan-1", user_id="wz_liu", text=LEAD,
                                    at=datetime.now(TZ), stream_id="s-orphan",
                                    response_url=standin.response_url("code-orphan-1")))
    runtime = configured(wecom, inbox=InboxSettings(response_url_after_s=0.0))
    with TestClient(create_app(runtime)):
        standin.wait_for(lambda: standin.record.responses)
        standin.wait_for(lambda: [r.delivery for r in inbox_rows(runtime)] == ["sent"])
    [(code, body)] = standin.record.responses
    assert code == "code-orphan-1" and body["msgtype"] == "markdown"
    assert "8,000万元" in body["markdown"]["content"]
    [row] = inbox_rows(runtime)
    assert row.reply_via == "response_url"


@pytest.mark.parametrize("route", ["/wecom/aibot", "/wecom/callback"])
def test_a_kilobyte_of_brackets_gets_a_short_400_not_a_traceback(
    wecom: Runtime, aibot_signer: CallbackSigner, route: str
) -> None:
    with TestClient(create_app(wecom), raise_server_exceptions=False) as client:
        answer = client.post(route, params=aibot_signer.params("x"), content=b"[" * 1024)
        deep_signed = client.post(route, params=aibot_signer.params("x"), content=b'{"encrypt":' + b"[" * 1024)
    for reply in (answer, deep_signed):
        assert reply.status_code == 400
        assert len(reply.content) < 100 and b"Traceback" not in reply.content
    assert inbox_rows(wecom) == []


def test_an_unconfigured_route_and_an_unknown_path_answer_in_a_few_words(roster: Runtime) -> None:
    with TestClient(create_app(roster), raise_server_exceptions=False) as client:
        for answer in (client.post("/wecom/aibot", content=b"[" * 1024), client.get("/nowhere")):
            assert answer.status_code == 404 and len(answer.content) < 100


def test_a_database_made_at_revision_0002_with_messages_upgrades_keeping_them(tmp_path: Any) -> None:
    from alembic import command
    from sqlalchemy import text

    from storage.db import alembic_config, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
        conn.execute(text("INSERT INTO message (channel, msg_id, user_id, text, at, received_at) "
                          "VALUES ('aibot', 'old-1', 'wz_liu', '线索：旧消息', '2026-03-01 02:00:00', "
                          "'2026-03-01 02:00:00')"))
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT msg_id FROM message")).scalars().all() == ["old-1"]
        assert conn.execute(text("SELECT count(*) FROM inbox")).scalar() == 0
    engine.dispose()


def test_on_postgresql_a_row_being_handled_is_skipped_by_other_workers(runtime: Runtime) -> None:
    """Several serve processes share the inbox: a claimed row stays locked to its worker until it
    commits, and the others take the next one (a killed worker's lock ends with its connection)."""
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer; sharing the inbox between processes is PostgreSQL's")
    from storage.clock import utcnow

    with unit_of_work(runtime.engine) as store:
        for n in (1, 2):
            store.inbox.accept(Envelope(channel="aibot", msg_id=f"shared-{n}", user_id="wz_liu", text=LEAD,
                                        at=datetime.now(TZ)))
    later = utcnow() + timedelta(seconds=1)
    with unit_of_work(runtime.engine) as one, unit_of_work(runtime.engine) as two:
        first = one.inbox.claim_next(later)
        second = two.inbox.claim_next(later)
        assert first is not None and second is not None
        assert (first.msg_id, second.msg_id) == ("shared-1", "shared-2")
        with unit_of_work(runtime.engine) as three:
            assert three.inbox.claim_next(later) is None


def test_a_burst_is_stored_in_one_go_and_a_message_twice_in_it_is_one_row(roster: Runtime) -> None:
    """The group commit writes a burst with one statement; WeCom may deliver a message twice
    within the same burst (a retry racing the first): the first copy is new, the second finds it."""
    now = datetime.now(TZ)
    burst = [Envelope(channel="aibot", msg_id=msg_id, user_id="wz_liu", text=LEAD, at=now, stream_id=f"s-{n}")
             for n, msg_id in enumerate(["b-1", "b-2", "b-1", "b-3"])]
    with unit_of_work(roster.engine) as store:
        accepted = store.inbox.accept_many(burst)
    assert [new for _, new in accepted] == [True, True, False, True]
    assert accepted[0][0].id == accepted[2][0].id  # the same stored row, not a second
    assert [item.stream_id for item, _ in accepted] == ["s-0", "s-1", "s-0", "s-3"]
    assert sorted(row.msg_id for row in inbox_rows(roster)) == ["b-1", "b-2", "b-3"]
    with unit_of_work(roster.engine) as store:  # and a later delivery of one of them is not new either
        assert store.inbox.accept_many([burst[1]])[0][1] is False


def test_the_sweep_reads_only_answers_that_are_due(roster: Runtime) -> None:
    """A burst's receipts wait for WeCom's stream refresh; the sweep must not read them every round."""
    import asyncio

    from bot.inbox.rows import Rows
    from storage.inbox import Settled
    from storage.states import InboxState

    now = datetime.now(TZ)
    with unit_of_work(roster.engine) as store:
        for msg_id, req_id in (("fresh-callback", None), ("fresh-ws", "req-1"), ("old-callback", None)):
            row, _ = store.inbox.accept(Envelope(channel="aibot", msg_id=msg_id, user_id="wz_liu", text=LEAD,
                                                 at=now, req_id=req_id))
            item = store.inbox.get(row.id)
            assert item is not None
            store.inbox.finish(item, "回执", InboxState.DONE, Settled.owed())
            if msg_id == "old-callback":
                store.session.flush()
                item.done_at = item.done_at - timedelta(seconds=30)  # type: ignore[operator]
                store.session.add(item)
    rows = Rows(roster.engine)

    def owed(ws_after_s: float, url_after_s: float) -> list[str]:
        return [r.msg_id for r in asyncio.run(rows.owed("aibot", ws_after_s, url_after_s))]

    assert owed(ws_after_s=0, url_after_s=20) == ["fresh-ws", "old-callback"]
    assert owed(ws_after_s=5, url_after_s=20) == ["old-callback"]
    assert owed(ws_after_s=0, url_after_s=0) == ["fresh-callback", "fresh-ws", "old-callback"]


def test_a_long_lived_server_freezes_what_start_up_loaded_out_of_the_collectors_sweeps(roster: Runtime) -> None:
    """A full collection walking jieba's dictionary and the parser's tables held every
    acknowledgement in flight ~110 ms; `zsbot serve` freezes them after warming up, tests do not."""
    import gc

    assert gc.get_freeze_count() == 0
    with TestClient(create_app(roster)):
        assert gc.get_freeze_count() == 0
    try:
        with TestClient(create_app(roster, long_lived=True)):
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


def test_a_burst_is_acknowledged_first_but_no_receipt_waits_more_than_a_second_for_its_handling() -> None:
    now = 1_000.0

    def holds(*, accepting: bool = True, last_accept: float = now, backlog_since: float | None = now - 0.2,
              held_since: float = now, someone_waits: bool = False) -> bool:
        return holds_back(now, accepting=accepting, last_accept=last_accept, backlog_since=backlog_since,
                          held_since=held_since, someone_waits=someone_waits)

    # Callbacks are being accepted: the worker leaves the interpreter and the writer to them ...
    assert holds()
    assert holds(accepting=False, last_accept=now - QUIET_S / 2)  # ... and to the next one, a moment away
    # ... until the oldest message accepted here has waited HOLD_MAX_S for its handling.
    assert not holds(backlog_since=now - HOLD_MAX_S)
    # Rows an earlier run left: the clock starts when the worker begins to hold back.
    assert holds(backlog_since=None, held_since=now - HOLD_MAX_S / 2)
    assert not holds(backlog_since=None, held_since=now - HOLD_MAX_S)
    # Nothing arriving, or a request holding its HTTP answer open for the receipt: handle at once.
    assert not holds(accepting=False, last_accept=now - 2 * QUIET_S)
    assert not holds(someone_waits=True)


def test_the_outbox_sender_is_woken_only_by_a_message_that_queued_a_push(roster: Runtime) -> None:
    """Waking the sender costs it a round of queries; a receipt that went back in the HTTP answer
    queued nothing, one that nobody waited for is pushed (here: the channel's `Settle` queues it)."""
    import asyncio

    from bot.inbox import Inbox
    from bot.inbox.worker import Handled, Worker
    from storage.inbox import InboxRow, Settled
    from storage.models import InboxItem as Item
    from storage.outbox import Target
    from storage.states import ReplyVia
    from storage.store import Store

    def push_unless_awaited(store: Store, item: Item, reply: str) -> Settled:
        if item.answer_by is not None:
            return Settled.owed()
        store.outbox.push(f"receipt:{item.id}", reply, Target.user(item.user_id))
        return Settled.sent(ReplyVia.PUSH)

    woken: list[str] = []
    inbox = Inbox(roster.engine)

    def handled(done: Handled) -> None:
        inbox.handled(done.row.id, done.row)
        if done.queued:
            woken.append("sender")

    worker = Worker(roster.engine, roster.bot, TZ, {"app": push_unless_awaited}, doorbell=inbox.doorbell,
                    poll_s=0.05, on_handled=handled)
    now = datetime.now(TZ)

    async def story() -> tuple[InboxRow, InboxRow]:
        working = asyncio.ensure_future(worker.run())
        waited = await inbox.submit(Envelope(channel="app", msg_id="w-1", user_id="wz_liu", text=LEAD, at=now), 30)
        assert woken == []  # the receipt waits for its request to claim it: no push, no round of queries
        pushed = await inbox.submit(Envelope(channel="app", msg_id="p-1", user_id="hs_li", text=LEAD, at=now), 0)
        row = await inbox.wait_handled(pushed.row, 30)
        await worker.stop(5)
        await working
        return waited.row, row

    waited, row = asyncio.run(story())
    assert waited.unclaimed and waited.reply is not None and "已登记" in waited.reply
    assert row.handled and row.reply_via is ReplyVia.PUSH
    assert woken == ["sender"]
    assert [item.key for item in outbox(roster)] == [f"receipt:{row.id}"]


def sqlite_only(runtime: Runtime) -> None:
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's one writer")


def test_a_burst_the_event_loop_stores_itself_reads_back_as_the_orm_stores_it(roster: Runtime) -> None:
    """On SQLite the acknowledgements' batch is written without an ORM session; what is stored
    must be the same row, times included, and a message seen before is left to the full path."""
    from storage.inbox import QuickIntake

    sqlite_only(roster)
    quick = QuickIntake.of(roster.engine)
    assert quick is not None
    at = datetime(2026, 11, 20, 9, 30, 15, 250_000, tzinfo=TZ)
    burst = [Envelope(channel="aibot", msg_id=msg_id, user_id="wz_liu", text=LEAD, at=at, chat_id="g",
                      stream_id=f"s-{msg_id}", response_url="https://example.invalid/r", req_id=None)
             for msg_id in ("q-1", "q-2", "q-1")]
    with unit_of_work(roster.engine) as store:
        store.inbox.accept(Envelope(channel="aibot", msg_id="q-0", user_id="wz_liu", text=LEAD, at=at, chat_id="g",
                                    stream_id="s-q-0", response_url="https://example.invalid/r"))
    rows = quick.try_accept([*burst, Envelope(channel="aibot", msg_id="q-0", user_id="wz_liu", text=LEAD, at=at)])
    assert rows is not None
    assert [row.msg_id if row else None for row in rows] == ["q-1", "q-2", None, None]
    stored = {item.msg_id: item for item in inbox_rows(roster)}
    assert sorted(stored) == ["q-0", "q-1", "q-2"]
    by_orm, by_loop = stored["q-0"], stored["q-1"]
    assert by_loop.id == rows[0].id  # type: ignore[union-attr]
    assert by_loop.at == at and by_loop.at.tzinfo is not None
    assert by_loop.received_at == by_loop.due_at == rows[0].received_at  # type: ignore[union-attr]
    assert (by_loop.state, by_loop.attempts, by_loop.reply, by_loop.delivery) == ("pending", 0, None, None)
    same = ("user_id", "chat_id", "text", "at", "response_url", "state", "attempts", "reply", "reply_via", "delivery")
    assert {name: getattr(by_loop, name) for name in same} == {name: getattr(by_orm, name) for name in same}
    with roster.engine.connect() as conn:  # as text too: SQL compares and orders what is stored
        stored_at = conn.exec_driver_sql("SELECT msg_id, at FROM inbox WHERE msg_id IN ('q-0', 'q-1')").all()
        times = conn.exec_driver_sql("SELECT received_at, due_at FROM inbox ORDER BY msg_id").all()
    assert len({at for _, at in stored_at}) == 1
    assert len({len(value) for row in times for value in row}) == 1
    with unit_of_work(roster.engine) as store:  # and the worker finds it as it finds any other
        assert store.inbox.claim_next(datetime.now(TZ)) is not None


def test_the_event_loop_never_waits_for_sqlites_writer(roster: Runtime) -> None:
    """Held by a handling transaction in this process, or by another process: the loop writes
    nothing and leaves the batch to a thread, and the connection keeps its busy timeout."""
    import sqlite3

    from storage.inbox import QuickIntake

    sqlite_only(roster)
    quick = QuickIntake.of(roster.engine)
    assert quick is not None
    message = Envelope(channel="aibot", msg_id="busy-1", user_id="wz_liu", text=LEAD, at=datetime.now(TZ))
    holding, release = threading.Event(), threading.Event()

    def handling() -> None:
        with unit_of_work(roster.engine):
            holding.set()
            release.wait(10)

    worker = threading.Thread(target=handling)
    worker.start()
    try:
        assert holding.wait(10)
        assert quick.try_accept([message]) is None
    finally:
        release.set()
        worker.join(10)
    other = sqlite3.connect(roster.engine.url.database or "", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        tried: list[object] = []
        attempt = threading.Thread(target=lambda: tried.append(quick.try_accept([message])), daemon=True)
        attempt.start()
        attempt.join(5)  # SQLite's busy handler would wait 30 s
        assert not attempt.is_alive() and tried == [None]
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert inbox_rows(roster) == []
    with roster.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    assert quick.try_accept([message]) is not None and len(inbox_rows(roster)) == 1


def test_while_another_process_holds_the_database_the_bot_still_answers_and_stores_the_report_after(
    wecom: Runtime, aibot_signer: CallbackSigner
) -> None:
    """A `zsbot` command writing to the same SQLite file must not freeze the server: the callback
    waits on a thread for the writer, and other requests are answered meanwhile."""
    import sqlite3
    import time

    import httpx

    from .conftest import served

    sqlite_only(wecom)
    other = sqlite3.connect(wecom.engine.url.database or "", isolation_level=None)
    app = create_app(wecom)
    with served(app) as url:
        other.execute("BEGIN IMMEDIATE")
        answers: list[httpx.Response] = []
        params, body = aibot_signer.aibot_callback(aibot_text("locked-1", "wz_liu", LEAD), "n1")
        sender = threading.Thread(target=lambda: answers.append(
            httpx.post(f"{url}/wecom/aibot", params=params, content=body, timeout=30, trust_env=False)))
        sender.start()
        inbox = app.state.inbox
        deadline = time.monotonic() + 10
        while inbox.intake.accepting == 0:  # the callback is in, being stored
            assert time.monotonic() < deadline and sender.is_alive()
            time.sleep(0.01)
        try:
            probe = httpx.get(f"{url}/no-such-page", timeout=5, trust_env=False)  # the event loop is free
            assert probe.status_code == 404
            assert answers == [] and other.execute("SELECT count(*) FROM inbox").fetchone() == (0,)  # not yet acked
        finally:
            other.execute("ROLLBACK")
            other.close()
        sender.join(30)
    assert [answer.status_code for answer in answers] == [200]
    assert [row.msg_id for row in inbox_rows(wecom)] == ["locked-1"]
