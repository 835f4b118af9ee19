"""SQLAlchemy models of the local database (every table Alembic manages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.infra.db import Base


class AppMeta(Base):
    """Small key/value facts about this installation."""

    __tablename__ = "app_meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


# --- escalations --------------------------------------------------------------------


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


class Counter(Base):
    """Gap-free sequences (``escalation`` numbers ESC-0001, ...): one row per name,
    incremented with a row-locking UPDATE inside the inserting transaction."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Escalation(Base):
    """One escalation. Status changes are conditional UPDATEs (see bot/escalations.py)."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    account_id: Mapped[str | None] = mapped_column(String(18))
    account_name: Mapped[str | None] = mapped_column(String(255))
    order_id: Mapped[str | None] = mapped_column(String(18))
    order_number: Mapped[str | None] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(2))
    description: Mapped[str] = mapped_column(Text)
    reporter: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    assignee: Mapped[str | None] = mapped_column(String(20))
    due_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(20))
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(20))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    resolution: Mapped[str | None] = mapped_column(Text)
    owner_name: Mapped[str | None] = mapped_column(String(255))
    # SLA: reminders so far, when the next one is due (None: no more), and the highest
    # Salesforce manager alerted so far (the next reminder goes to their manager).
    sla_level: Mapped[int] = mapped_column(Integer, default=0)
    next_reminder_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), index=True)
    chain_top_sf_id: Mapped[str | None] = mapped_column(String(18))
    version: Mapped[int] = mapped_column(Integer, default=1)


class EscalationHistory(Base):
    """Append-only: who did what, when, from what to what. Never updated or deleted."""

    __tablename__ = "escalation_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(20))  # Slack user id, or "acctbot"
    action: Mapped[str] = mapped_column(String(30))
    from_value: Mapped[str | None] = mapped_column(Text)
    to_value: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class EscalationRecipient(Base):
    """Who was alerted about an escalation, and why (the managers allowed to act)."""

    __tablename__ = "escalation_recipients"
    __table_args__ = (UniqueConstraint("escalation_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    slack_user_id: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(20))  # team_manager | sf_manager | assignee
    level: Mapped[int] = mapped_column(Integer, default=0)
    added_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class OutboxMessage(Base):
    """A Slack call to make exactly once (bot/delivery/outbox.py delivers them)."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    escalation_id: Mapped[int | None] = mapped_column(ForeignKey("escalations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # card | notice | update | route
    method: Mapped[str] = mapped_column(String(40))  # chat.postMessage | chat.update | ...
    target: Mapped[str | None] = mapped_column(String(40))  # channel or user id
    payload: Mapped[str] = mapped_column(Text)  # JSON
    depends_on: Mapped[str | None] = mapped_column(String(200))  # the post an update edits
    version: Mapped[int] = mapped_column(Integer, default=1)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(40))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # Set when claimed while an earlier claim (started then) never finished: in doubt.
    doubt_since: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    result_channel: Mapped[str | None] = mapped_column(String(40))
    result_ts: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(Text)
    dead: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


Index("ix_outbox_due", OutboxMessage.delivered_at, OutboxMessage.next_attempt_at)


@event.listens_for(EscalationHistory, "before_update")
@event.listens_for(EscalationHistory, "before_delete")
def _history_is_append_only(*_args: object) -> None:
    raise RuntimeError("escalation history is append-only")


# --- digests ------------------------------------------------------------------------


class DigestSubscription(Base):
    """A channel's digest set up from Slack (``/digest subscribe``), or a teams-file digest
    switched off there (``active`` false). One row per (team, kind, channel)."""

    __tablename__ = "digest_subscriptions"
    __table_args__ = (UniqueConstraint("team", "kind", "channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(10))  # daily | weekly | monthly
    channel: Mapped[str] = mapped_column(String(80))
    schedule: Mapped[str] = mapped_column(String(100))  # cron, in the team's time zone
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    # Set when acctbot stopped it itself because it can no longer post in the channel
    # (Slack's error, e.g. channel_not_found after acctbot was removed); ``active`` is
    # then false. ``/digest subscribe`` again clears them.
    stopped_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    stopped_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class DigestRun(Base):
    """One digest post, claimed BEFORE posting: the unique key makes a second scheduler
    or replica lose the insert. ``status``: claimed -> posted, or failed (retried)."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("team", "kind", "channel", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(80))
    period: Mapped[str] = mapped_column(String(20))  # 2026-11-18 | 2026-11-08 | 2026-10
    status: Mapped[str] = mapped_column(String(10), index=True)
    claim_token: Mapped[str] = mapped_column(String(40))
    claimed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    claimed_by: Mapped[str] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    scheduled_for: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    ts: Mapped[str | None] = mapped_column(String(40))  # the first message's ts
    parts_posted: Mapped[int] = mapped_column(Integer, default=0)
    posted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    error: Mapped[str | None] = mapped_column(Text)


# --- Slack events -------------------------------------------------------------------


class SlackEvent(Base):
    """An Events API delivery already taken, by its ``event_id``. Slack retries an event
    it thinks failed with the same ``event_id`` (and ``X-Slack-Retry-Num``), possibly to
    another replica; the primary key makes every copy after the first a no-op."""

    __tablename__ = "slack_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)


# --- watches ------------------------------------------------------------------------


class Watch(Base):
    """One person watching one Salesforce record (an account covers its orders, open
    deals, cases and contracts). Stopping deletes the row."""

    __tablename__ = "watches"
    __table_args__ = (UniqueConstraint("slack_user_id", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    slack_user_id: Mapped[str] = mapped_column(String(20), index=True)
    record_id: Mapped[str] = mapped_column(String(18), index=True)  # 18-character Id
    sobject: Mapped[str] = mapped_column(String(20))  # Account | Order | Opportunity | ...
    label: Mapped[str] = mapped_column(String(255))  # "Order 00000123 · Acme Corp"
    account_id: Mapped[str | None] = mapped_column(String(18))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class WatchedRecord(Base):
    """The last values acctbot saw of a watched record's watched fields (old -> new comes
    from here). ``version`` goes up on each change: updates are conditional on it (and on
    the values read), so of two workers seeing the same change exactly one records it.
    ``read_at``: the org's time (its ``Date`` header) when Salesforce answered the read
    these values came from; with ``modstamp`` it orders two reads of the same second."""

    __tablename__ = "watch_records"

    record_id: Mapped[str] = mapped_column(String(18), primary_key=True)
    sobject: Mapped[str] = mapped_column(String(20))
    account_id: Mapped[str | None] = mapped_column(String(18), index=True)
    label: Mapped[str] = mapped_column(String(255))
    fields: Mapped[str] = mapped_column(Text)  # JSON: field -> value, plus "_flags"
    modstamp: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())  # SystemModstamp
    read_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())  # the org's time then
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class WatchChange(Base):
    """One change of one record, as recorded once (unique per record and version)."""

    __tablename__ = "watch_changes"
    __table_args__ = (UniqueConstraint("record_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(18))
    version: Mapped[int] = mapped_column(Integer)
    sobject: Mapped[str] = mapped_column(String(20))
    account_id: Mapped[str | None] = mapped_column(String(18))
    label: Mapped[str] = mapped_column(String(255))
    changes: Mapped[str] = mapped_column(Text)  # JSON list of what changed
    changed_by: Mapped[str | None] = mapped_column(String(255))  # a User's name
    changed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # What changed_by/changed_at are: "last_saved" (LastModifiedBy/Date: the record's last
    # save, not necessarily the watched change), "created" (CreatedBy/Date), "activated"
    # (an order's ActivatedBy/Date); None: the date passed, or a row from before 0008.
    attribution: Mapped[str | None] = mapped_column(String(20))
    detected_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class WatchNotice(Base):
    """One person to tell about one change (unique per person and change). Delivered in
    bundles: ``outbox_key`` is the DM that carried it."""

    __tablename__ = "watch_notices"
    __table_args__ = (UniqueConstraint("slack_user_id", "change_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    slack_user_id: Mapped[str] = mapped_column(String(20))
    change_id: Mapped[int] = mapped_column(ForeignKey("watch_changes.id"), index=True)
    watched_id: Mapped[str] = mapped_column(String(18))  # the watch it came through
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    outbox_key: Mapped[str | None] = mapped_column(String(200))
    dropped: Mapped[str | None] = mapped_column(String(40))  # why it was never sent


Index("ix_watch_notices_pending", WatchNotice.slack_user_id, WatchNotice.delivered_at)


class WatchPerson(Base):
    """A watcher's own settings: their Slack time zone (``users.info``, refreshed daily)
    and how long their alerts are snoozed."""

    __tablename__ = "watch_people"

    slack_user_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    tz: Mapped[str | None] = mapped_column(String(64))
    tz_checked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    snoozed_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


# --- people and the audit log -------------------------------------------------------


class UserMapping(Base):
    """An admin's override of who a Slack user is in Salesforce (``acctbot users map``).

    Without one, a Slack user is the active Salesforce user with their Slack e-mail."""

    __tablename__ = "user_mappings"

    slack_user_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    salesforce_user_id: Mapped[str] = mapped_column(String(18))
    set_by: Mapped[str] = mapped_column(String(100))  # "cli:<login>" or a Slack user id
    set_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class AuditEvent(Base):
    """One line of the audit log: who asked for what, and what they were told.

    Nothing sensitive beyond record Ids: no search text, no figures, no names. Rows older
    than ``ACCTBOT_AUDIT_RETENTION_DAYS`` are purged by the ``audit.purge`` job."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    action: Mapped[str] = mapped_column(String(20))  # lookup | refusal | share | refresh | ...
    command: Mapped[str] = mapped_column(String(60))  # /account, share_card, users map, ...
    slack_user_id: Mapped[str | None] = mapped_column(String(20))
    salesforce_user_id: Mapped[str | None] = mapped_column(String(18))
    channel_id: Mapped[str | None] = mapped_column(String(40))
    record_ids: Mapped[str] = mapped_column(Text, default="")  # space-separated Ids
    outcome: Mapped[str] = mapped_column(String(20))  # ok | refused | denied | not_found | ...


# --- once-only keys -----------------------------------------------------------------


class OnceKey(Base):
    """A key that may be used once until ``expires_at`` (see ``bot/once.py``): a request
    signature already served (replays), a modal already filed, a card already shared.
    ``result`` is what the first use produced (e.g. the escalation id), for the repeats."""

    __tablename__ = "once_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    result: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
