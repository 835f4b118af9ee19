"""Keys that may be used once: replayed requests, re-submitted forms, repeated shares.

Slack signs each request with ``X-Slack-Signature`` over its timestamp and body, and
tells apps to refuse requests more than five minutes old
(https://api.slack.com/authentication/verifying-requests-from-slack). Within those five
minutes the same signed request can be sent again by anyone who captured it: a replay.
:meth:`OnceKeys.first` remembers each signature until its timestamp leaves the window,
in the database, so every replica shares what it has seen; the first use wins, and a
repeat is answered without running anything.

The same table makes other actions idempotent: a modal filed once per (view id, state
hash), a card shared once per message. Keys live in ``once_keys`` with an expiry; expired
rows are purged now and then by whoever inserts. Times here are the wall clock (UTC),
like Slack's request timestamps, whatever clock the rest of the app runs on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, delete, event, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.infra.db import Database, make_engine, rowcount
from bot.infra.models import OnceKey

log = logging.getLogger(__name__)

PURGE_EVERY = 60.0  # seconds between purges of expired keys (per process)
LOCAL_KEYS = 10_000  # keys also remembered in memory (same-process repeats, DB outages)


def wall_clock() -> dt.datetime:
    return dt.datetime.fromtimestamp(time.time(), dt.UTC)


def _fast_engine(db: Database) -> Engine:
    """The engine :meth:`OnceKeys.first` writes with: it runs on every request before
    its ack, so it uses plain Core connections (no ORM session).

    On SQLite they are connections of their own with ``PRAGMA synchronous=NORMAL``: in WAL
    mode a commit then skips its fsync (still atomic and never corrupt; only a power
    loss may forget the last few keys, which a replay window of five minutes makes
    harmless), so concurrent requests do not queue behind one fsync each
    (https://www.sqlite.org/pragma.html#pragma_synchronous). Everything else, the
    escalations' writes included, keeps SQLite's default durability.
    """
    if not db.url.startswith("sqlite"):
        return db.engine
    engine = make_engine(db.url)

    @event.listens_for(engine, "connect")
    def _no_fsync_per_commit(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    return engine


class OnceKeys:
    """The ``once_keys`` table: :meth:`first` says whether a key is used for the first
    time (and records it), atomically across threads, processes and replicas."""

    def __init__(self, db: Database, *, clock: Callable[[], dt.datetime] = wall_clock) -> None:
        self.db = db
        self.clock = clock
        self._engine = _fast_engine(db)
        # SQLite has one writer at a time, and a writer that finds the file locked waits
        # in its busy handler's sleeps (1, 2, 5, 10 ... ms); taking turns here instead
        # keeps a burst of requests from sleeping there. Postgres needs no turns.
        self._turns = threading.Lock() if db.url.startswith("sqlite") else None
        self._last_purge = 0.0
        self._lock = threading.Lock()
        self._local: OrderedDict[str, dt.datetime] = OrderedDict()

    def first(self, key: str, ttl: float) -> bool:
        """True if ``key`` was not used within its life (and now is, for ``ttl`` seconds);
        False if it was. If the database cannot be reached the answer comes from this
        process's memory alone (logged), so a database outage does not stop Slack."""
        now = self.clock()
        expires = now + dt.timedelta(seconds=max(1.0, ttl))
        if not self._remember_locally(key, now, expires):
            return False
        try:
            with self._turns or contextlib.nullcontext(), self._engine.begin() as conn:
                fresh = self.claim(conn, key, expires, now=now)
        except SQLAlchemyError as exc:
            log.warning("once-key check for %s skipped: database error (%s)", key[:40],
                        type(exc).__name__)  # fmt: skip
            return True
        self._maybe_purge()
        return fresh

    def claim(
        self,
        session: Session | Connection,
        key: str,
        expires: dt.datetime,
        *,
        now: dt.datetime | None = None,
        result: str | None = None,
    ) -> bool:
        """Within the caller's transaction: record ``key`` (with ``result``) and return
        True, or return False if a live row has it. An expired row is taken over.

        ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` (SQLite and Postgres alike), not
        a caught IntegrityError: no savepoint is needed, so the key commits or rolls
        back with the caller's transaction on both (pysqlite runs a SAVEPOINT opened
        before any other statement as a transaction of its own)."""
        now = now or self.clock()
        values = {"key": key, "result": result, "created_at": now, "expires_at": expires}
        bind = session.get_bind() if isinstance(session, Session) else session
        dialect = bind.dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        added = session.execute(
            insert(OnceKey)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(OnceKey.key)
        )
        if added.first() is not None:
            return True
        taken = session.execute(
            update(OnceKey)
            .where(OnceKey.key == key, OnceKey.expires_at <= now)
            .values(result=result, created_at=now, expires_at=expires)
            .execution_options(synchronize_session=False)
        )
        return rowcount(taken) == 1

    def result(self, session: Session, key: str) -> str | None:
        """What the first use of ``key`` recorded (None if nothing, or no such key)."""
        return session.scalar(select(OnceKey.result).where(OnceKey.key == key))

    def set_result(self, session: Session, key: str, result: str) -> None:
        session.execute(
            update(OnceKey)
            .where(OnceKey.key == key)
            .values(result=result)
            .execution_options(synchronize_session=False)
        )

    def release(self, key: str) -> None:
        """Forget ``key`` (its action failed and may be tried again)."""
        with self._lock:
            self._local.pop(key, None)
        try:
            with self.db.session() as session:
                session.execute(delete(OnceKey).where(OnceKey.key == key))
        except SQLAlchemyError as exc:
            log.warning("could not release once-key %s (%s)", key[:40], type(exc).__name__)

    def purge(self) -> int:
        """Delete expired keys; returns how many."""
        with self.db.session() as session:
            return rowcount(
                session.execute(delete(OnceKey).where(OnceKey.expires_at < self.clock()))
            )

    # -- internals
    def _remember_locally(self, key: str, now: dt.datetime, expires: dt.datetime) -> bool:
        with self._lock:
            seen = self._local.get(key)
            if seen is not None and seen > now:
                return False
            self._local[key] = expires
            self._local.move_to_end(key)
            while len(self._local) > LOCAL_KEYS:
                self._local.popitem(last=False)
        return True

    def _maybe_purge(self) -> None:
        with self._lock:
            if time.monotonic() - self._last_purge < PURGE_EVERY:
                return
            self._last_purge = time.monotonic()
        try:
            gone = self.purge()
        except SQLAlchemyError as exc:
            log.warning("purging expired once-keys failed (%s)", type(exc).__name__)
            return
        if gone:
            log.debug("purged %d expired once-keys", gone)
