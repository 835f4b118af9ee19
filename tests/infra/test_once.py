"""Once-only keys on SQLite and Postgres: one winner among threads of two "replicas"
(two engines on one database), expiry, purge, and a claim undone with its transaction."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from bot.infra.db import Database
from bot.infra.models import OnceKey
from bot.once import OnceKeys


def test_one_first_use_across_replicas(database: Database) -> None:
    other = Database(database.url)
    replicas = [OnceKeys(database), OnceKeys(other)]
    barrier = threading.Barrier(8)

    def use(i: int) -> bool:
        barrier.wait()
        return replicas[i % 2].first("sig:abc", ttl=300)

    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(use, range(8)))
    finally:
        other.dispose()
    assert results.count(True) == 1
    assert OnceKeys(database).first("sig:abc", ttl=300) is False  # a fresh process agrees
    assert OnceKeys(database).first("sig:other", ttl=300) is True


def test_expired_keys_are_taken_over_and_purged(database: Database) -> None:
    now = [dt.datetime(2026, 11, 18, 15, 0, tzinfo=dt.UTC)]
    keys = OnceKeys(database, clock=lambda: now[0])
    assert keys.first("share:x", ttl=60) and not keys.first("share:x", ttl=60)
    now[0] += dt.timedelta(seconds=61)
    fresh = OnceKeys(database, clock=lambda: now[0])  # no memory of its own
    assert fresh.first("share:x", ttl=60) is True  # expired: usable again
    assert fresh.first("share:y", ttl=1)
    now[0] += dt.timedelta(seconds=5)
    assert fresh.purge() == 1  # share:y
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(OnceKey)) == 1


def test_a_claim_is_undone_with_its_transaction(database: Database) -> None:
    keys = OnceKeys(database)
    expires = keys.clock() + dt.timedelta(minutes=5)
    try:
        with database.session() as s:
            assert keys.claim(s, "form:V1:h", expires, result="7")
            raise RuntimeError("the escalation insert failed")
    except RuntimeError:
        pass
    with database.session() as s:
        assert keys.claim(s, "form:V1:h", expires, result="8")
        assert not keys.claim(s, "form:V1:h", expires)  # same transaction: taken now
    with database.session() as s:
        assert keys.result(s, "form:V1:h") == "8"
    keys.release("form:V1:h")
    with database.session() as s:
        assert keys.result(s, "form:V1:h") is None
