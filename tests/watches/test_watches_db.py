"""Watches on SQLite and on Postgres with several replicas: two processes' checks, watches
and deliveries running at the same moment record each change once and send one DM.

Each "replica" is its own Services with its own database engine, reading the same sandbox
org (over HTTPS, simple-salesforce) and posting to its own recording Slack client.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from simple_salesforce import Salesforce
from sqlalchemy import func, select

from bot.infra.db import Base, Database
from bot.infra.models import OutboxMessage, Watch, WatchChange, WatchNotice
from bot.infra.salesforce import SalesforceService
from bot.services import Services
from bot.settings import Settings
from bot.standins.salesforce.server import SandboxOrg
from bot.teams import parse_teams
from bot.watches import detect, service
from tests.support.orgdata import DRAFT_ORDER, NOW, PENDING_ORDER, TEAMS_YAML, small_org

ANA = "U0ANA00001"
RAJ = "U0RAJ00001"


class RecordingSlack:
    """chat.postMessage recorder with users.info (time zone) and history (none)."""

    def __init__(self, posts: list[dict[str, Any]], lock: threading.Lock) -> None:
        self.posts = posts
        self.lock = lock

    def chat_postMessage(self, **kw: Any) -> dict[str, Any]:
        with self.lock:
            self.posts.append(kw)
            n = len(self.posts)
        return {"ok": True, "channel": "D" + str(kw["channel"])[1:], "ts": f"{n}.000100"}

    def users_info(self, user: str) -> dict[str, Any]:
        email = "ana.rep@example.com" if user == ANA else "raj.rep@example.com"
        return {
            "ok": True,
            "user": {"id": user, "tz": "America/New_York", "profile": {"email": email}},
        }


@pytest.fixture
def replicas(database: Database, org: SandboxOrg) -> Iterator[tuple[list[Services], list[Any]]]:
    org.set_now(NOW)
    org.load(small_org())
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": "s",
            "SF_INSTANCE_URL": org.instance_url,
            "SF_ACCESS_TOKEN": org.access_token,
            "DATABASE_URL": database.url,
        }
    )
    posts: list[dict[str, Any]] = []
    lock = threading.Lock()
    out = []
    for _ in range(2):
        svc = Services(
            settings=settings,
            salesforce=SalesforceService(settings.salesforce),
            teams=parse_teams(TEAMS_YAML),
            db=Database(database.url),  # each replica its own engine and pool
            clock=org.clock.now,
        )
        svc.slack = RecordingSlack(posts, lock)  # type: ignore[assignment]
        out.append(svc)
    yield out, posts
    for svc in out:
        svc.pool.shutdown(wait=True)
        svc.db.dispose()


def both(replicas: list[Services], fn: Any) -> list[Any]:
    """Run ``fn(services)`` on both replicas at the same moment."""
    barrier = threading.Barrier(len(replicas))

    def go(svc: Services) -> Any:
        barrier.wait()
        return fn(svc)

    with ThreadPoolExecutor(len(replicas)) as pool:
        return list(pool.map(go, replicas))


def count(db: Database, model: Any) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_the_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_two_replicas_checking_at_once_record_and_send_each_change_once(
    replicas: tuple[list[Services], list[Any]], org: SandboxOrg, sf: Salesforce
) -> None:
    (one, two), posts = replicas
    both([one, two], lambda svc: service.watch(svc, ANA, "Acme Corp"))
    both([one, two], lambda svc: service.watch(svc, RAJ, "00000123"))
    assert count(one.db, Watch) == 2
    for round_, (order, status) in enumerate(
        [(DRAFT_ORDER, "Provisioning"), (PENDING_ORDER, "Activated"), (DRAFT_ORDER, "Draft")]
    ):
        sf.Order.update(order, {"Status": status})
        org.set_now(org.clock.now().replace(minute=round_ + 1))
        results = both([one, two], detect.run_check)
        assert all(r.records >= 1 for r in results)  # both saw the change...
        assert sum(r.changes for r in results) == 1  # ...one recorded it
        assert count(one.db, WatchChange) == round_ + 1
    with one.db.session() as s:
        notices = s.scalars(select(WatchNotice)).all()
        # Ana (the account) hears of all three; Raj of the two on his order.
        assert sorted(n.slack_user_id for n in notices) == [ANA, ANA, ANA, RAJ, RAJ]
        assert all(n.delivered_at is not None for n in notices)
        keys = s.scalars(select(OutboxMessage.key).where(OutboxMessage.kind == "watch")).all()
    assert len(keys) == len(set(keys)) == 5
    assert sorted(p["channel"] for p in posts) == [ANA, ANA, ANA, RAJ, RAJ]


def test_two_replicas_delivering_held_notices_at_once_send_one_bundle(
    replicas: tuple[list[Services], list[Any]], org: SandboxOrg, sf: Salesforce
) -> None:
    (one, two), posts = replicas
    service.watch(one, ANA, "Acme Corp")
    org.set_now(NOW.replace(day=19, hour=2))  # 21:00 in New York: quiet hours
    sf.Order.update(DRAFT_ORDER, {"Status": "Provisioning"})
    sf.Order.update(PENDING_ORDER, {"Status": "Activated"})
    org.set_now(NOW.replace(day=19, hour=2, minute=5))
    both([one, two], detect.run_check)
    assert posts == [] and count(one.db, WatchNotice) == 2
    org.set_now(NOW.replace(day=19, hour=13))  # 8:00 the next morning
    both([one, two], detect.run_check)
    (dm,) = posts
    assert "While you were away" in dm["text"] and "Order 00000123" in dm["text"]
    assert "Order 00000124" in dm["text"]
