"""The escalation log and the outbox on SQLite and on Postgres: references under
concurrent inserts, conditional status updates under concurrent clicks, exclusive
outbox claims, append-only history."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter as Tally
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.delivery import outbox
from bot.escalations import service as escalations
from bot.escalations.form import Draft
from bot.escalations.routing import Route
from bot.infra.db import Database
from bot.infra.models import EscalationHistory, EscalationRecipient, OutboxMessage
from bot.infra.salesforce import SalesforceService
from bot.services import Services
from bot.settings import Settings
from bot.teams import parse_teams
from tests.support.orgdata import NOW, TEAMS_YAML

MARCUS = "U0MGR00001"
PRIYA = "U0MGR00002"


class FakeSlack:
    """chat.postMessage / chat.update recorder (thread-safe)."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def chat_postMessage(self, **kw: Any) -> dict[str, Any]:
        with self.lock:
            self.posts.append(kw)
            n = len(self.posts)
        return {"ok": True, "channel": "C" + str(kw["channel"])[1:], "ts": f"{n}.000100"}

    def chat_update(self, **kw: Any) -> dict[str, Any]:
        return {"ok": True, **kw}


@pytest.fixture
def svc(database: Database) -> Iterator[Services]:
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": "s",
            "SF_INSTANCE_URL": "https://example.my.salesforce.com",
            "SF_ACCESS_TOKEN": "t",
            "ESCALATION_CHANNEL": "C0ESCALATE1",
            "DATABASE_URL": database.url,
        }
    )
    services = Services(
        settings=settings,
        salesforce=SalesforceService(settings.salesforce),
        teams=parse_teams(TEAMS_YAML),
        db=database,
        clock=lambda: NOW,
    )
    services.slack = FakeSlack()  # type: ignore[assignment]
    yield services
    services.pool.shutdown(wait=True)


def draft(n: int = 0) -> Draft:
    return Draft(
        reporter="U0ANA00001",
        category="billing",
        severity="P2",
        description=f"Customer double-billed, case {n}",
        account_id="001000000000001AAA",
        account_name="Acme Corp",
    )


ROUTE = Route(team_managers=[MARCUS], sf_manager=PRIYA, sf_manager_sf_id="005X")


def test_refs_are_unique_and_gap_free_under_concurrent_inserts(svc: Services) -> None:
    with ThreadPoolExecutor(8) as pool:
        filed = list(pool.map(lambda i: escalations.create(svc, draft(i), ROUTE), range(24)))
    refs = sorted(f.escalation.ref for f in filed)
    assert refs == [f"ESC-{i:04d}" for i in range(1, 25)]
    with svc.db.session() as s:
        assert s.scalar(select(func.count(EscalationHistory.id))) == 48  # filed + alerted


def test_concurrent_acknowledges_change_the_row_once(svc: Services) -> None:
    esc = escalations.create(svc, draft(), ROUTE).escalation
    barrier = threading.Barrier(8)

    def ack(user: str) -> escalations.Outcome:
        barrier.wait()
        return escalations.acknowledge(svc, esc.id, user)

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(ack, [MARCUS, PRIYA] * 4))
    winners = [o for o in outcomes if o.ok]
    assert len(winners) == 1
    winner = winners[0].escalation.acknowledged_by
    assert all(f"already acknowledged by <@{winner}>" in o.message for o in outcomes if not o.ok)
    with svc.db.session() as s:
        actions = s.scalars(
            select(EscalationHistory.action).where(EscalationHistory.escalation_id == esc.id)
        ).all()
    assert Tally(actions)["acknowledged"] == 1
    # Resolving after, and resolving twice: once.
    assert escalations.resolve(svc, esc.id, MARCUS, "fixed").ok
    again = escalations.resolve(svc, esc.id, PRIYA, "fixed too")
    assert not again.ok and "already resolved by <@U0MGR00001>" in again.message


def test_a_stranger_cannot_change_status(svc: Services) -> None:
    esc = escalations.create(svc, draft(), ROUTE).escalation
    out = escalations.acknowledge(svc, esc.id, "U0RAJ00001")
    assert not out.ok and not out.allowed and "not allowed" in out.message
    assert escalations.acknowledge(svc, esc.id, PRIYA).ok  # routed Salesforce manager


def test_outbox_claims_are_exclusive_across_workers(svc: Services) -> None:
    for i in range(10):
        escalations.create(svc, draft(i), ROUTE)  # 4 posts each: channel, 2 DMs, reporter
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: outbox.deliver_due(svc), range(4)))
    keys = [p["metadata"]["event_payload"]["key"] for p in svc.slack.posts]  # type: ignore[attr-defined]
    assert len(keys) == 40 and len(set(keys)) == 40
    with svc.db.session() as s:
        assert outbox.pending(s) == 0
        rows = s.scalars(select(OutboxMessage)).all()
        assert all(r.result_ts and r.delivered_at for r in rows)


def test_updates_of_one_message_keep_only_the_latest_version(svc: Services) -> None:
    esc = escalations.create(svc, draft(), ROUTE).escalation
    outbox.deliver_due(svc)
    escalations.acknowledge(svc, esc.id, MARCUS)
    escalations.reassign(svc, esc.id, MARCUS, PRIYA)
    with svc.db.session() as s:
        upd = s.scalar(select(OutboxMessage).where(OutboxMessage.key.like("%channel:update")))
        assert upd.version == 2 and upd.delivered_at is None
    outbox.deliver_due(svc)
    with svc.db.session() as s:
        assert outbox.pending(s) == 0


def test_history_is_append_only(svc: Services) -> None:
    escalations.create(svc, draft(), ROUTE)
    with pytest.raises(RuntimeError, match="append-only"), svc.db.session() as s:
        row = s.scalars(select(EscalationHistory)).first()
        row.note = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"), svc.db.session() as s:
        s.delete(s.scalars(select(EscalationHistory)).first())


def test_sla_reminder_is_sent_once_even_when_two_schedulers_race(svc: Services) -> None:
    esc = escalations.create(svc, draft(), ROUTE).escalation
    with svc.db.session() as s:  # due now; nobody further up the chain
        s.execute(
            update(escalations.Escalation)
            .where(escalations.Escalation.id == esc.id)
            .values(next_reminder_at=NOW, chain_top_sf_id=None)
        )
    with ThreadPoolExecutor(4) as pool:
        sent = list(pool.map(lambda _: escalations.run_sla_reminders(svc), range(4)))
    assert sum(sent) == 1


class TimeoutOnceSlack(FakeSlack):
    """Accepts the first post but the answer never arrives (a read timeout); keeps the
    history that ``conversations.history`` shows."""

    def chat_postMessage(self, **kw: Any) -> dict[str, Any]:
        resp = super().chat_postMessage(**kw)
        if len(self.posts) == 1:
            raise TimeoutError("The read operation timed out")
        return resp

    def conversations_open(self, users: str) -> dict[str, Any]:
        return {"channel": {"id": "C" + users[1:]}}

    def conversations_history(self, channel: str, **_: Any) -> dict[str, Any]:
        with self.lock:
            posts = list(enumerate(self.posts, 1))
        return {
            "messages": [
                {"ts": f"{n}.000100", "metadata": p["metadata"]}
                for n, p in posts
                if "C" + str(p["channel"])[1:] == channel
            ]
        }


def test_a_post_that_timed_out_after_slack_took_it_is_not_posted_again(svc: Services) -> None:
    svc.slack = TimeoutOnceSlack()  # type: ignore[assignment]
    escalations.create(svc, draft(), ROUTE)  # 4 posts: channel, 2 DMs, reporter
    assert outbox.deliver_due(svc).failed == 1
    with svc.db.session() as s:  # the failed one is due again now
        s.execute(update(OutboxMessage).values(next_attempt_at=outbox.utcnow()))
    assert outbox.deliver_due(svc).reconciled == 1
    keys = [p["metadata"]["event_payload"]["key"] for p in svc.slack.posts]  # type: ignore[attr-defined]
    assert len(keys) == 4 and len(set(keys)) == 4
    with svc.db.session() as s:
        assert outbox.pending(s) == 0


def test_adding_the_same_recipient_at_the_same_moment_is_not_an_error(svc: Services) -> None:
    filed = escalations.create(svc, draft(), ROUTE)
    esc_id = filed.escalation.id
    now = dt.datetime.now(dt.UTC)
    barrier = threading.Barrier(4)
    results: list[bool] = []
    errors: list[BaseException] = []

    def add() -> None:
        try:
            with svc.db.session() as s:
                barrier.wait()
                results.append(escalations._add_recipient(s, esc_id, "U0NEW00001", "x", 1, now))
        except BaseException as exc:  # the point: none escapes
            errors.append(exc)

    threads = [threading.Thread(target=add) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sorted(results) == [False, False, False, True]
    with svc.db.session() as s:
        n = s.scalar(
            select(func.count())
            .select_from(EscalationRecipient)
            .where(EscalationRecipient.slack_user_id == "U0NEW00001")
        )
    assert n == 1


def test_the_same_form_files_once_across_replicas(svc: Services) -> None:
    # Two processes (two Services on one database) get the same submission at once.
    other = Services(
        settings=svc.settings, salesforce=svc.salesforce, teams=svc.teams, db=Database(
            svc.db.url), clock=svc.clock,
    )  # fmt: skip
    other.slack = svc.slack
    key = escalations.form_key("V0FORM0001", "a" * 32)
    barrier = threading.Barrier(8)

    def file(i: int) -> escalations.Filed:
        barrier.wait()
        return escalations.create(svc if i % 2 else other, draft(), ROUTE, form=key)

    try:
        with ThreadPoolExecutor(8) as pool:
            filed = list(pool.map(file, range(8)))
    finally:
        other.pool.shutdown(wait=True)
        other.db.dispose()
    assert len({f.escalation.id for f in filed}) == 1
    assert sum(not f.repeated for f in filed) == 1
    with svc.db.session() as s:
        assert s.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.kind == "card")) == 3  # fmt: skip
    assert escalations.filed_by_form(svc, key) is not None
    assert escalations.filed_by_form(svc, escalations.form_key("V0FORM0001", "b" * 32)) is None
