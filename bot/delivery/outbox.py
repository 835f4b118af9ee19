"""The Slack outbox: every escalation post and update is a row, delivered exactly once.

Writers add rows in the same transaction as the change they announce (so a committed
escalation always has its alerts queued). :func:`deliver_due` then:

1. **claims** due rows with one conditional UPDATE (a claim token and a lease; on
   Postgres the candidate rows are picked ``FOR UPDATE SKIP LOCKED`` so replicas do not
   queue behind each other; on SQLite the UPDATE's WHERE re-checks the claim);
2. **calls Slack** with the app's WebClient (which itself retries 429s and resets);
3. **marks** the row delivered *in the same UPDATE that stores the ts/channel*, or
   records the failure and the time of the next attempt: Retry-After for a 429,
   exponential back-off (2 s, 4 s, ... 5 min) otherwise. Permanent per-message errors
   (``channel_not_found``, ``invalid_blocks``...) park the row as ``dead`` and log it.

Exactly once: the only window for a duplicate is a crash (or a lease running out, or a
timeout or reset while waiting for the answer) after Slack accepted ``chat.postMessage``
and before step 3 commits. Slack has no idempotency key, so posts carry the row key in
message ``metadata``; a row whose earlier claim expired without an outcome, or whose
post failed that way, is "in doubt", and before posting it again the
deliverer looks for that key in the channel's history (``conversations.history``) and,
if found, marks the row delivered with that ts instead of posting. When the history
cannot be read right now (rate limited, Slack failing, a timeout) the row stays in doubt
and is looked for again later (Retry-After, or the back-off); when acctbot was removed
from the channel it joins again first. Without a history scope the lookup can never
work and the row is posted again (at-least-once in that one case).

Updates (``chat.update``) of one message share one row whose ``version`` goes up on
each change, so only the latest state is ever sent and two workers never race on the
same message. An update waits until the post it edits has a ts.

Rows of method ``acctbot.*`` are internal tasks (e.g. routing an escalation whose
managers could not be resolved in time); their DB effects commit with the mark.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from bot.blocks import Message
from bot.delivery.posting import (
    ChannelGone,
    HistoryUnavailable,
    delivery_client,
    find_posted,
    keyed,
    maybe_sent,
)
from bot.infra.db import rowcount
from bot.infra.models import OutboxMessage

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

MAX_BACKOFF = 300.0
BATCH = 25
# Errors that will not go away by retrying the same message.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "no_text",
        "user_not_found",
        "cant_update_message",
        "message_not_found",
        "restricted_action",
        "too_many_attachments",
        "invalid_arguments",
        "channel_is_archived",
        "user_disabled",
    }
)

# Internal tasks: method -> fn(services, row) returning the DB effects to commit with
# the row's mark (network work happens in fn, outside any transaction).
Task = Callable[["Services", OutboxMessage], Callable[[Session], None]]
# How long a claim holds by default: longer than the slowest Slack call with its retries.
DEFAULT_LEASE_SECONDS = 300


def utcnow() -> dt.datetime:
    """Delivery timing uses real time (retries must happen even under a frozen clock)."""
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; every time here is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


# --- writing ------------------------------------------------------------------------


def enqueue_post(
    session: Session,
    *,
    key: str,
    target: str,
    message: Message,
    kind: str,
    escalation_id: int | None = None,
) -> bool:
    """Queue a chat.postMessage (once per key). False when the key is already queued."""
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None:
        return False
    payload = {"channel": target, "text": message.text, "blocks": message.blocks}
    _add(
        session,
        key=key,
        escalation_id=escalation_id,
        kind=kind,
        method="chat.postMessage",
        target=target,
        payload=json.dumps(payload),
    )
    return True


def _add(session: Session, **fields: Any) -> None:
    """A new row, due now, never tried."""
    now = utcnow()
    session.add(
        OutboxMessage(
            version=1, attempts=0, next_attempt_at=now, dead=False, created_at=now, **fields
        )
    )
    session.flush()


def enqueue_update(session: Session, post_key: str, message: Message) -> None:
    """Queue an in-place edit of the message posted by ``post_key`` (latest wins)."""
    key = f"{post_key}:update"
    payload = json.dumps({"text": message.text, "blocks": message.blocks})
    now = utcnow()
    changed = rowcount(
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.key == key)
            .values(
                payload=payload,
                version=OutboxMessage.version + 1,
                delivered_at=None,
                dead=False,
                next_attempt_at=now,
            )
        )
    )
    if changed:
        return
    post = session.scalar(select(OutboxMessage).where(OutboxMessage.key == post_key))
    _add(
        session,
        key=key,
        escalation_id=post.escalation_id if post else None,
        kind="update",
        method="chat.update",
        target=post.target if post else None,
        payload=payload,
        depends_on=post_key,
    )


def enqueue_task(
    session: Session, *, key: str, method: str, payload: dict[str, Any], escalation_id: int | None
) -> None:
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None:
        return
    _add(
        session,
        key=key,
        escalation_id=escalation_id,
        kind="task",
        method=method,
        payload=json.dumps(payload),
    )


# --- delivering -----------------------------------------------------------------------


@dataclass
class Stats:
    delivered: int = 0
    failed: int = 0
    deferred: int = 0
    dead: int = 0
    reconciled: int = 0

    def add(self, other: Stats) -> None:
        for name in ("delivered", "failed", "deferred", "dead", "reconciled"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class _Claimed:
    row: OutboxMessage
    token: str
    in_doubt_since: dt.datetime | None


def claim(
    session: Session, *, limit: int = BATCH, lease_seconds: int = DEFAULT_LEASE_SECONDS
) -> list[_Claimed]:
    """Claim up to ``limit`` due rows for this worker for ``lease_seconds`` (see the
    module docstring); returns the claimed rows in id order."""
    now = utcnow()
    token = uuid.uuid4().hex
    free = or_(OutboxMessage.claim_token.is_(None), OutboxMessage.claimed_until < now)
    due = and_(
        OutboxMessage.delivered_at.is_(None),
        OutboxMessage.dead.is_(False),
        OutboxMessage.next_attempt_at <= now,
        free,
    )
    pick = select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    # SET expressions read the row's old values: a row that still carries a claim token
    # lost its worker mid-call (a crash, or a lease that ran out), so it is in doubt.
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(pick), due)
        .values(
            doubt_since=case(
                (OutboxMessage.claim_token.is_not(None), OutboxMessage.claimed_at),
                else_=OutboxMessage.doubt_since,  # kept by a retry after a timeout
            ),
            claim_token=token,
            claimed_at=now,
            claimed_until=now + dt.timedelta(seconds=lease_seconds),
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.claim_token == token).order_by(OutboxMessage.id)
    ).all()
    return [_Claimed(row, token, _aware(row.doubt_since)) for row in rows]


def deliver_due(services: Services, *, max_batches: int = 20) -> Stats:
    """Deliver every due row (batch by batch); safe to run from many threads/processes."""
    stats = Stats()
    for _ in range(max_batches):
        with services.db.session() as session:
            batch = claim(session, lease_seconds=services.settings.outbox_lease_seconds)
        if not batch:
            break
        for item in batch:
            stats.add(_deliver_one(services, item))
    return stats


def _deliver_one(services: Services, item: _Claimed) -> Stats:
    row = item.row
    # No slack_sdk retry handlers here: a post re-sent after a reset would be a duplicate.
    client = delivery_client(services.slack) if services.slack is not None else None
    if row.method in ("chat.postMessage", "chat.update") and not _readable(row.payload):
        return _park(services, item, "its payload is not a JSON object")  # a bad row: set aside
    try:
        if row.method == "chat.postMessage":
            assert client is not None, "the app's WebClient is not set"
            return _post(services, client, item)
        if row.method == "chat.update":
            assert client is not None, "the app's WebClient is not set"
            return _update(services, client, item)
        task = services.outbox_tasks.get(row.method)
        if task is None:
            return _park(services, item, f"unknown outbox method {row.method}")
        effects = task(services, row)
        with services.db.session() as session:
            if _mark(session, item, None, None):
                effects(session)
        return Stats(delivered=1)
    except SlackApiError as exc:
        return _slack_failure(services, item, exc)
    except Exception as exc:  # connection refused, timeouts, Salesforce down in a task...
        doubt = row.method == "chat.postMessage" and maybe_sent(exc)
        return _retry(services, item, f"{type(exc).__name__}: {exc}"[:500], None, in_doubt=doubt)


def _readable(payload: str) -> bool:
    try:
        return isinstance(json.loads(payload), dict)
    except (TypeError, ValueError):
        return False


def _post(services: Services, client: WebClient, item: _Claimed) -> Stats:
    row = item.row
    payload = json.loads(row.payload)
    # In the channel before posting (a public one is joined), so that the history check
    # below can read it; a #name target is posted to by its id.
    target = services.channels.prepare(client, row.target or payload.get("channel") or "")
    payload["channel"] = target
    if item.in_doubt_since is not None:
        try:
            found = find_posted(
                client, target, row.key, item.in_doubt_since, channels=services.channels
            )
        except HistoryUnavailable as exc:  # still in doubt: look again later, never post
            why = f"cannot look for an earlier copy yet ({exc})"
            return _retry(services, item, why, exc.retry_after, in_doubt=True)
        except ChannelGone as exc:
            return _park(services, item, f"Slack refused it: {exc.error}")
        if found is not None:
            with services.db.session() as session:
                _mark(session, item, *found)
            log.info("outbox %s: already posted before a crash (ts %s)", row.key, found[1])
            return Stats(reconciled=1)
    resp = client.chat_postMessage(**keyed(payload, row.key))
    with services.db.session() as session:  # the ts is stored in the same step as the mark
        if not _mark(session, item, resp.get("channel"), resp.get("ts")):
            log.warning("outbox %s: delivered after its claim was lost (lease too short?)", row.key)
    return Stats(delivered=1)


def _update(services: Services, client: WebClient, item: _Claimed) -> Stats:
    row = item.row
    with services.db.session() as session:
        post = session.scalar(select(OutboxMessage).where(OutboxMessage.key == row.depends_on))
    if post is None or post.dead:
        return _park(services, item, f"the message to update ({row.depends_on}) was never posted")
    if post.delivered_at is None or not post.result_ts or not post.result_channel:
        return _retry(services, item, None, 1.0, count_attempt=False)
    payload = json.loads(row.payload)
    client.chat_update(channel=post.result_channel, ts=post.result_ts, **payload)
    with services.db.session() as session:
        if not _mark(session, item, post.result_channel, post.result_ts):
            _release(session, item)  # a newer version arrived meanwhile: send that too
    return Stats(delivered=1)


def _mark(session: Session, item: _Claimed, channel: str | None, ts: str | None) -> bool:
    """Delivered: one UPDATE, only if this worker still holds the claim on this version."""
    done = rowcount(
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == item.row.id,
                OutboxMessage.claim_token == item.token,
                OutboxMessage.version == item.row.version,
            )
            .values(
                delivered_at=utcnow(),
                result_channel=channel,
                result_ts=ts,
                claim_token=None,
                claimed_until=None,
                doubt_since=None,
                last_error=None,
            )
            .execution_options(synchronize_session=False)
        )
    )
    return bool(done)


def _release(session: Session, item: _Claimed) -> None:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == item.row.id, OutboxMessage.claim_token == item.token)
        .values(claim_token=None, claimed_until=None, doubt_since=None)
        .execution_options(synchronize_session=False)
    )


def _slack_failure(services: Services, item: _Claimed, exc: SlackApiError) -> Stats:
    resp = exc.response
    error = str(resp.get("error") or "") if resp is not None else ""
    status = getattr(resp, "status_code", 0)
    if status == 429:
        headers = getattr(resp, "headers", {}) or {}
        retry_after = headers.get("Retry-After") or headers.get("retry-after") or "1"
        try:
            wait = max(1.0, float(retry_after))
        except ValueError:
            wait = 1.0
        return _retry(services, item, f"ratelimited (Retry-After {retry_after})", wait)
    if error in PERMANENT_ERRORS:
        return _park(services, item, f"Slack refused it: {error}")
    return _retry(services, item, f"Slack error {status}: {error or exc}"[:500], None)


def _retry(
    services: Services,
    item: _Claimed,
    error: str | None,
    wait: float | None,
    *,
    count_attempt: bool = True,
    in_doubt: bool = False,
) -> Stats:
    """Release the claim for a later attempt. A post that may have reached Slack (or an
    earlier one in doubt) stays in doubt, so the next attempt looks in history first."""
    attempts = item.row.attempts if count_attempt else max(0, item.row.attempts - 1)
    if wait is None:
        wait = min(MAX_BACKOFF, 2.0 ** max(1, attempts))
    values: dict[str, Any] = {
        "claim_token": None,
        "claimed_until": None,
        "doubt_since": item.in_doubt_since or (item.row.claimed_at if in_doubt else None),
        "attempts": attempts,
        "next_attempt_at": utcnow() + dt.timedelta(seconds=wait),
    }
    if error:
        values["last_error"] = error
        log.warning("outbox %s: attempt %s failed (%s); retry in %.0fs", item.row.key,
                    attempts, error, wait)  # fmt: skip
    with services.db.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == item.row.id, OutboxMessage.claim_token == item.token)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    return Stats(failed=1) if count_attempt else Stats(deferred=1)


def _park(services: Services, item: _Claimed, error: str) -> Stats:
    log.error("outbox %s: giving up: %s", item.row.key, error)
    with services.db.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == item.row.id, OutboxMessage.claim_token == item.token)
            .values(dead=True, last_error=error, claim_token=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )
    return Stats(dead=1)


def kick(services: Services) -> None:
    """Deliver now, in the background (the scheduled job is the safety net)."""
    services.submit(lambda: deliver_due(services), what="outbox delivery")


def pending(session: Session) -> int:
    return (
        session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.delivered_at.is_(None), OutboxMessage.dead.is_(False)
            )
        )
        or 0
    )
