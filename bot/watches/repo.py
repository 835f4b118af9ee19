"""The watches' tables: who watches what, the last values seen, changes and notices.

Exactly once rests on the database, not on timing:

- a watch is unique per (person, record): two clicks make one;
- the last values of a record carry a ``version``; recording a change is an UPDATE
  conditional on the version read (:func:`record_change`), so of two checks that see
  the same change (two replicas, or a retry after a crash) exactly one records it, and
  the change row is unique per (record, version);
- a notice is unique per (person, change), and is marked sent in the same transaction
  that queues its DM in the outbox, conditional on it being unsent (:func:`claim_notices`).

Every function takes a session (one transaction, the caller's) unless it says otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.infra.db import rowcount
from bot.infra.models import (
    AppMeta,
    Watch,
    WatchChange,
    WatchedRecord,
    WatchNotice,
    WatchPerson,
)
from bot.watches.rules import Change, Snapshot

CURSOR_KEY = "watches.checked_through"
FLAGS_DAY_KEY = "watches.flags_day"


class Conflict(Exception):
    """Someone else (another check, another replica) got there first; roll back."""


@dataclass
class Seen:
    """A record as a check or a new watch saw it."""

    record_id: str
    sobject: str
    account_id: str | None
    label: str
    snapshot: Snapshot
    modstamp: dt.datetime | None


# --- watches --------------------------------------------------------------------------


def add_watch(
    session: Session,
    *,
    user: str,
    record_id: str,
    sobject: str,
    label: str,
    account_id: str | None,
    now: dt.datetime,
) -> bool:
    """Start a watch; False when the person already watches that record."""
    exists = session.scalar(
        select(Watch.id).where(Watch.slack_user_id == user, Watch.record_id == record_id)
    )
    if exists is not None:
        return False
    try:
        with session.begin_nested():  # the same click twice at once: one row, no error
            session.add(
                Watch(
                    slack_user_id=user,
                    record_id=record_id,
                    sobject=sobject,
                    label=label[:255],
                    account_id=account_id,
                    created_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


def remove_watch(session: Session, user: str, record_id: str) -> Watch | None:
    """Stop a watch; its notices not yet sent are dropped. Returns the watch, or None."""
    watch = session.scalar(
        select(Watch).where(Watch.slack_user_id == user, Watch.record_id == record_id)
    )
    if watch is None:
        return None
    session.execute(delete(Watch).where(Watch.id == watch.id))
    session.execute(
        update(WatchNotice)
        .where(
            WatchNotice.slack_user_id == user,
            WatchNotice.watched_id == record_id,
            WatchNotice.delivered_at.is_(None),
            WatchNotice.dropped.is_(None),
        )
        .values(dropped="stopped watching")
    )
    return watch


def watches_of(session: Session, user: str) -> list[Watch]:
    """A person's watches, oldest first."""
    return list(
        session.scalars(
            select(Watch).where(Watch.slack_user_id == user).order_by(Watch.created_at, Watch.id)
        )
    )


def count_watches(session: Session, user: str) -> int:
    """How many records ``user`` watches."""
    return session.scalar(select(func.count(Watch.id)).where(Watch.slack_user_id == user)) or 0


def is_watching(session: Session, user: str, record_id: str) -> bool:
    """Does ``user`` watch ``record_id`` (18 characters)?"""
    return (
        session.scalar(
            select(Watch.id).where(Watch.slack_user_id == user, Watch.record_id == record_id)
        )
        is not None
    )


@dataclass(frozen=True)
class WatchRow:
    """The columns of a watch a check needs (plain tuples: thousands are read a minute)."""

    slack_user_id: str
    record_id: str
    sobject: str


def all_watches(session: Session) -> list[WatchRow]:
    """Every watch, as light rows."""
    rows = session.execute(select(Watch.slack_user_id, Watch.record_id, Watch.sobject)).all()
    return [WatchRow(r[0], r[1], r[2]) for r in rows]


def earliest_watch(session: Session) -> dt.datetime | None:
    """When the oldest watch started (UTC), or None."""
    return session.scalar(select(func.min(Watch.created_at)))


# --- last values seen -----------------------------------------------------------------


def known(session: Session, record_ids: Iterable[str]) -> dict[str, WatchedRecord]:
    """The last values seen of these records (those acctbot has)."""
    ids = list(set(record_ids))
    out: dict[str, WatchedRecord] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        for row in session.scalars(select(WatchedRecord).where(WatchedRecord.record_id.in_(chunk))):
            out[row.record_id] = row
    return out


def known_of_kinds(session: Session, kinds: Sequence[str]) -> list[WatchedRecord]:
    """The kept values of every record of these kinds (``Order``...)."""
    return list(session.scalars(select(WatchedRecord).where(WatchedRecord.sobject.in_(kinds))))


def first_sight(session: Session, seen: Seen, now: dt.datetime) -> bool:
    """Keep a record's values when acctbot has none yet; False if it already had them
    (from another check, or an earlier watch): those stay the reference."""
    if session.get(WatchedRecord, seen.record_id) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                WatchedRecord(
                    record_id=seen.record_id,
                    sobject=seen.sobject,
                    account_id=seen.account_id,
                    label=seen.label[:255],
                    fields=json.dumps(seen.snapshot.to_json()),
                    modstamp=seen.modstamp,
                    version=1,
                    updated_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


def record_change(
    session: Session,
    row: WatchedRecord,
    seen: Seen,
    changes: list[Change],
    *,
    changed_by: str | None,
    changed_at: dt.datetime | None,
    now: dt.datetime,
) -> WatchChange | None:
    """Move ``row`` to ``seen`` (conditional on the version read) and, when there is news,
    record it once. Raises Conflict when another check moved the row first."""
    moved = rowcount(
        session.execute(
            update(WatchedRecord)
            .where(WatchedRecord.record_id == row.record_id, WatchedRecord.version == row.version)
            .values(
                fields=json.dumps(seen.snapshot.to_json()),
                modstamp=seen.modstamp,
                label=seen.label[:255],
                account_id=seen.account_id,
                version=row.version + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
    )
    if moved != 1:
        raise Conflict(row.record_id)
    if not changes:
        return None
    change = WatchChange(
        record_id=row.record_id,
        version=row.version + 1,
        sobject=seen.sobject,
        account_id=seen.account_id,
        label=seen.label[:255],
        changes=json.dumps([c.to_json() for c in changes]),
        changed_by=(changed_by or None) and changed_by[:255],
        changed_at=changed_at,
        detected_at=now,
    )
    session.add(change)
    session.flush()
    return change


def record_first_news(
    session: Session,
    seen: Seen,
    changes: list[Change],
    now: dt.datetime,
    changed_by: str | None,
    changed_at: dt.datetime | None,
) -> WatchChange:
    """News about a record seen for the first time (a case opened at high priority): the
    change of version 1, unique like any other."""  # fmt: skip
    change = WatchChange(
        record_id=seen.record_id,
        version=1,
        sobject=seen.sobject,
        account_id=seen.account_id,
        label=seen.label[:255],
        changes=json.dumps([c.to_json() for c in changes]),
        changed_by=(changed_by or None) and changed_by[:255],
        changed_at=changed_at,
        detected_at=now,
    )
    session.add(change)
    session.flush()
    return change


def kept_rows(session: Session, *, before: dt.datetime) -> list[tuple[str, str, str | None]]:
    """(record Id, kind, account Id) of every record whose values were kept before
    ``before``."""
    rows = session.execute(
        select(WatchedRecord.record_id, WatchedRecord.sobject, WatchedRecord.account_id).where(
            WatchedRecord.updated_at < before
        )
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def forget(session: Session, record_ids: list[str]) -> int:
    """Drop the kept values of these records."""
    for i in range(0, len(record_ids), 500):
        chunk = record_ids[i : i + 500]
        session.execute(delete(WatchedRecord).where(WatchedRecord.record_id.in_(chunk)))
    return len(record_ids)


# --- notices --------------------------------------------------------------------------


def add_notice(
    session: Session, *, user: str, change: WatchChange, watched_id: str, now: dt.datetime
) -> None:
    """Someone to tell about ``change``, through their watch of ``watched_id``."""
    session.add(
        WatchNotice(
            slack_user_id=user,
            change_id=change.id,
            watched_id=watched_id,
            created_at=now,
        )
    )


def pending_people(session: Session) -> list[str]:
    """Everyone with notices not yet sent."""
    return list(
        session.scalars(
            select(WatchNotice.slack_user_id)
            .where(WatchNotice.delivered_at.is_(None), WatchNotice.dropped.is_(None))
            .distinct()
        )
    )


def pending_notices(session: Session, user: str) -> list[tuple[WatchNotice, WatchChange]]:
    """A person's unsent notices with their changes, oldest first."""
    rows = session.execute(
        select(WatchNotice, WatchChange)
        .join(WatchChange, WatchChange.id == WatchNotice.change_id)
        .where(
            WatchNotice.slack_user_id == user,
            WatchNotice.delivered_at.is_(None),
            WatchNotice.dropped.is_(None),
        )
        .order_by(WatchNotice.id)
    ).all()
    return [(n, c) for n, c in rows]


def claim_notices(session: Session, ids: list[int], *, key: str, now: dt.datetime) -> None:
    """Mark notices sent as the DM ``key``, all or none. Raises Conflict if any was taken
    (sent or dropped) meanwhile."""
    done = rowcount(
        session.execute(
            update(WatchNotice)
            .where(
                WatchNotice.id.in_(ids),
                WatchNotice.delivered_at.is_(None),
                WatchNotice.dropped.is_(None),
            )
            .values(delivered_at=now, outbox_key=key)
            .execution_options(synchronize_session=False)
        )
    )
    if done != len(ids):
        raise Conflict(key)


def drop_notices(session: Session, ids: list[int], why: str) -> None:
    """Never send these notices (``why`` is kept, 40 characters)."""
    session.execute(
        update(WatchNotice)
        .where(WatchNotice.id.in_(ids), WatchNotice.delivered_at.is_(None))
        .values(dropped=why[:40])
        .execution_options(synchronize_session=False)
    )


# --- people ---------------------------------------------------------------------------


def person(session: Session, user: str) -> WatchPerson | None:
    """A watcher's own settings, if any were kept."""
    return session.get(WatchPerson, user)


def save_person(session: Session, user: str, now: dt.datetime, **values: Any) -> None:
    """Create or update a watcher's own settings (``tz``, ``tz_checked_at``,
    ``snoozed_until``)."""
    row = session.get(WatchPerson, user)
    if row is None:
        try:
            with session.begin_nested():
                session.add(WatchPerson(slack_user_id=user, updated_at=now, **values))
            return
        except IntegrityError:
            row = session.get(WatchPerson, user)
            assert row is not None
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = now


# --- the check's own state ------------------------------------------------------------


def get_meta(session: Session, key: str) -> str | None:
    """A value of the app_meta table (the check's own state), or None."""
    row = session.get(AppMeta, key)
    return row.value if row is not None else None


def set_meta(session: Session, key: str, value: str, now: dt.datetime) -> None:
    """Create or replace a value of the app_meta table."""
    row = session.get(AppMeta, key)
    if row is None:
        try:
            with session.begin_nested():
                session.add(AppMeta(key=key, value=value, updated_at=now))
            return
        except IntegrityError:
            row = session.get(AppMeta, key)
            assert row is not None
    row.value = value
    row.updated_at = now


def cursor(session: Session) -> dt.datetime | None:
    """Until when changes have been looked for (UTC)."""
    value = get_meta(session, CURSOR_KEY)
    return dt.datetime.fromisoformat(value) if value else None


def advance_cursor(session: Session, to: dt.datetime, now: dt.datetime) -> None:
    """Move the cursor forward (never back: a slower replica finishing late keeps it)."""
    current = cursor(session)
    if current is None or to > current:
        set_meta(session, CURSOR_KEY, to.astimezone(dt.UTC).isoformat(), now)
