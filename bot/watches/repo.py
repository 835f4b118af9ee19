"""The watches' tables: who watches what, the last values seen, changes and notices.

Exactly once rests on the database, not on timing:

- a watch is unique per (person, record): two clicks make one;
- the last values of a record carry a ``version``; recording a change is an UPDATE
  conditional on the version *and the values* read (:func:`record_change`), so of two
  checks that see the same change (two replicas, or a retry after a crash) exactly one
  records it, and the change row is unique per (record, version);
- a read replaces the kept values only when it is the newer one (:func:`newer`):
  ``SystemModstamp`` has one-second precision, so two reads of the same second are told
  apart by whether Salesforce answered *after* that second (then the read saw every save
  of it) or within it (a later save of the same second may follow: the read waits for
  the next check, whose window still holds that second);
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
SWEPT_KEY = "watches.swept"  # the watches' signature when unwatched values were last dropped


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
    read_at: dt.datetime | None = None  # the org's time when Salesforce answered the read


def _second(when: dt.datetime | None) -> dt.datetime | None:
    return when.replace(microsecond=0) if when is not None else None


def settled(modstamp: dt.datetime | None, read_at: dt.datetime | None) -> bool:
    """Was the read answered in a later second than the record's last save? Then no
    save of that second came after it (SystemModstamp has one-second precision)."""
    if modstamp is None or read_at is None:
        return read_at is not None
    return bool(_second(read_at) > _second(modstamp))  # type: ignore[operator]


def newer(row: WatchedRecord, seen: Seen) -> bool:
    """Should ``seen`` replace the kept ``row``? When its save is later, or of the same
    second and read after that second (see the module docstring); never an older read,
    nor a read within the second of a save another read already kept."""
    kept, new = _second(row.modstamp), _second(seen.modstamp)
    if kept is None or new is None:
        return True
    if new != kept:
        return new > kept
    return settled(seen.modstamp, seen.read_at)


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
    """Stop a watch. Its notices not yet sent go on through another watch of the person
    that still covers them (their watch of the record's account, or of the record itself
    when the account watch stops); the others are dropped. Returns the watch, or None."""
    watch = session.scalar(
        select(Watch).where(Watch.slack_user_id == user, Watch.record_id == record_id)
    )
    if watch is None:
        return None
    session.execute(delete(Watch).where(Watch.id == watch.id))
    pending = session.execute(
        select(WatchNotice, WatchChange)
        .join(WatchChange, WatchChange.id == WatchNotice.change_id)
        .where(
            WatchNotice.slack_user_id == user,
            WatchNotice.watched_id == record_id,
            WatchNotice.delivered_at.is_(None),
            WatchNotice.dropped.is_(None),
        )
    ).all()
    if pending:
        left = {
            w.record_id: w.sobject
            for w in session.scalars(select(Watch).where(Watch.slack_user_id == user))
        }
        for notice, change in pending:
            if change.record_id in left:
                notice.watched_id = change.record_id
            elif change.account_id and left.get(change.account_id) == "Account":
                notice.watched_id = change.account_id
            else:
                notice.dropped = "stopped watching"
    return watch


def watches_of(session: Session, user: str) -> list[Watch]:
    """A person's watches, oldest first."""
    return list(
        session.scalars(
            select(Watch).where(Watch.slack_user_id == user).order_by(Watch.created_at, Watch.id)
        )
    )


def watches_page(session: Session, user: str, *, offset: int, limit: int) -> list[Watch]:
    """``limit`` of a person's watches from ``offset``, oldest first (``/watch list``)."""
    return list(
        session.scalars(
            select(Watch)
            .where(Watch.slack_user_id == user)
            .order_by(Watch.created_at, Watch.id)
            .offset(offset)
            .limit(limit)
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
    id: int = 0


def all_watches(session: Session) -> list[WatchRow]:
    """Every watch, as light rows."""
    rows = session.execute(
        select(Watch.slack_user_id, Watch.record_id, Watch.sobject, Watch.id)
    ).all()
    return [WatchRow(r[0], r[1], r[2], r[3]) for r in rows]


def signature(watches: Sequence[WatchRow]) -> str:
    """What changes whenever a watch is added or removed: their number and the sum of
    their Ids (Ids only grow, so k watches added and k removed never sum the same)."""
    return f"{len(watches)}:{sum(w.id for w in watches)}"


def watch_labels(session: Session) -> list[Watch]:
    """One watch per watched record (its label and account), for naming a record that
    is gone."""
    seen: dict[str, Watch] = {}
    for w in session.scalars(select(Watch).order_by(Watch.id)):
        seen.setdefault(w.record_id, w)
    return list(seen.values())


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
                    read_at=seen.read_at,
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
    attribution: str | None = None,
) -> WatchChange | None:
    """Move ``row`` to ``seen`` (conditional on the version and the values read: a
    compare-and-set on what the caller compared) and, when there is news, record it once.
    Raises Conflict when another check moved the row first."""
    moved = rowcount(
        session.execute(
            update(WatchedRecord)
            .where(
                WatchedRecord.record_id == row.record_id,
                WatchedRecord.version == row.version,
                WatchedRecord.fields == row.fields,
            )
            .values(
                fields=json.dumps(seen.snapshot.to_json()),
                modstamp=seen.modstamp,
                read_at=seen.read_at,
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
        attribution=attribution if changed_by else None,
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
    attribution: str | None = None,
) -> WatchChange:
    """News about a record seen for the first time (a case opened at high priority, an
    order created and activated): the change of version 1, unique like any other."""
    change = WatchChange(
        record_id=seen.record_id,
        version=1,
        sobject=seen.sobject,
        account_id=seen.account_id,
        label=seen.label[:255],
        changes=json.dumps([c.to_json() for c in changes]),
        changed_by=(changed_by or None) and changed_by[:255],
        changed_at=changed_at,
        attribution=attribution if changed_by else None,
        detected_at=now,
    )
    session.add(change)
    session.flush()
    return change


GONE_KINDS = frozenset({"deleted", "gone"})


def is_gone(change: WatchChange) -> bool:
    """Does ``change`` say its record is no longer in Salesforce (``record_gone``)?"""
    return any(c.get("kind") in GONE_KINDS for c in json.loads(change.changes))


def record_gone(
    session: Session,
    *,
    record_id: str,
    sobject: str,
    account_id: str | None,
    label: str,
    now: dt.datetime,
    kind: str = "deleted",
) -> WatchChange:
    """A watched record is no longer in Salesforce (``kind`` "deleted": in the recycle
    bin; "gone": not returned at all): the change that says so
    (the next version of the record's changes, unique like any other: two checks
    record it once), its kept values dropped and every watch of it ended (its pending
    notices stay: they are about changes that did happen)."""
    row = session.get(WatchedRecord, record_id)
    last = session.scalar(
        select(func.max(WatchChange.version)).where(WatchChange.record_id == record_id)
    )
    version = max(last or 0, row.version if row is not None else 0) + 1
    change = WatchChange(
        record_id=record_id,
        version=version,
        sobject=sobject,
        account_id=account_id,
        label=label[:255],
        changes=json.dumps([Change(kind).to_json()]),
        detected_at=now,
    )
    session.add(change)
    session.flush()
    session.execute(delete(WatchedRecord).where(WatchedRecord.record_id == record_id))
    session.execute(delete(Watch).where(Watch.record_id == record_id))
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


def notices_of_dm(session: Session, user: str, key: str) -> list[WatchChange]:
    """The changes a person's alert DM ``key`` carried, oldest first (its "Show all")."""
    return list(
        session.scalars(
            select(WatchChange)
            .join(WatchNotice, WatchNotice.change_id == WatchChange.id)
            .where(WatchNotice.slack_user_id == user, WatchNotice.outbox_key == key)
            .order_by(WatchNotice.id)
        )
    )


def claim_notices(session: Session, ids: list[int], *, key: str, now: dt.datetime) -> None:
    """Mark notices sent as the DM ``key``, all or none (in chunks of 500 Ids, one
    transaction). Raises Conflict if any was taken (sent or dropped) meanwhile."""
    done = 0
    for i in range(0, len(ids), 500):
        done += rowcount(
            session.execute(
                update(WatchNotice)
                .where(
                    WatchNotice.id.in_(ids[i : i + 500]),
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
    for i in range(0, len(ids), 500):
        session.execute(
            update(WatchNotice)
            .where(WatchNotice.id.in_(ids[i : i + 500]), WatchNotice.delivered_at.is_(None))
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


def clear_cursor(session: Session) -> None:
    """Forget until when changes were looked for (nobody watches anything: the next
    first watch starts the count from its own read)."""
    session.execute(delete(AppMeta).where(AppMeta.key == CURSOR_KEY))


def advance_cursor(session: Session, to: dt.datetime, now: dt.datetime) -> None:
    """Move the cursor forward (never back: a slower replica finishing late keeps it)."""
    current = cursor(session)
    if current is None or to > current:
        set_meta(session, CURSOR_KEY, to.astimezone(dt.UTC).isoformat(), now)
