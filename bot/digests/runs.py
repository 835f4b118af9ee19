"""Exactly-once digest posts: the ``digest_runs`` claim table, and posting with retries.

A run is claimed BEFORE anything is posted, by INSERTing its row: the unique key
(team, kind, channel, period) means a second scheduler, replica or CLI loses the insert
and backs off. The row then goes claimed -> posted (with the message ts). A claim whose
holder crashed is taken over once its lease has run out; a failed post (Slack down, rate
limited beyond the retries) is marked failed and retried later. Every later write is
conditional on the claim token, so a holder that lost its lease cannot overwrite the
new holder's progress. Parts already posted (the first message and thread replies) are
recorded, so a retry resumes where the crash happened instead of posting twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.delivery.channels import Channels
from bot.delivery.posting import (
    CHANNEL_GONE,
    NOT_IN_CHANNEL,
    ChannelGone,
    HistoryUnavailable,
    delivery_client,
    find_posted,
    keyed,
    maybe_sent,
    retry_after,
)
from bot.infra.db import Database, rowcount
from bot.infra.models import DigestRun

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 6  # claims of one run before it is left failed (and logged as an error)
RETRY_WINDOW = dt.timedelta(hours=24)  # older failed runs are not posted any more
HOLDER = f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class RunKey:
    team: str
    kind: str
    channel: str
    period: str


@dataclass
class Claim:
    key: RunKey
    run_id: int
    token: str
    ts: str | None = None
    parts_posted: int = 0
    attempts: int = 1
    # Set when this claim took over one that died: that process may have posted the
    # next part before it could record it, so look for it in the channel's history.
    in_doubt_since: dt.datetime | None = None


def _aware(when: dt.datetime | None) -> dt.datetime | None:
    if when is None:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _where(key: RunKey) -> Any:
    return (
        (DigestRun.team == key.team)
        & (DigestRun.kind == key.kind)
        & (DigestRun.channel == key.channel)
        & (DigestRun.period == key.period)
    )


def find(db: Database, key: RunKey) -> DigestRun | None:
    with db.session() as s:
        return s.scalars(select(DigestRun).where(_where(key))).first()


def last_posted_period(db: Database, team: str, kind: str, channel: str) -> str | None:
    """The period key of the latest digest of this kind posted to this channel."""
    with db.session() as s:
        return s.scalar(
            select(DigestRun.period)
            .where(
                DigestRun.team == team,
                DigestRun.kind == kind,
                DigestRun.channel == channel,
                DigestRun.status == "posted",
            )
            .order_by(DigestRun.period.desc())
            .limit(1)
        )


def claim(
    db: Database,
    key: RunKey,
    *,
    now: dt.datetime,
    scheduled_for: dt.datetime | None = None,
    lease: dt.timedelta = LEASE,
    holder: str = HOLDER,
) -> Claim | None:
    """Claim a run, or None when it is posted, held by someone else, or given up on."""
    token = uuid.uuid4().hex
    try:
        with db.session() as s:
            row = DigestRun(
                team=key.team,
                kind=key.kind,
                channel=key.channel,
                period=key.period,
                status="claimed",
                claim_token=token,
                claimed_at=now,
                claimed_by=holder,
                attempts=1,
                scheduled_for=scheduled_for,
                parts_posted=0,
            )
            s.add(row)
            s.flush()
            return Claim(key, row.id, token)
    except IntegrityError:
        pass  # someone has it: take it over only if it is failed or its lease ran out
    with db.session() as s:
        found = s.scalars(select(DigestRun).where(_where(key))).first()
        if found is None or found.status == "posted":
            return None
        row = found
        held = row.status == "claimed" and (_aware(row.claimed_at) or now) > now - lease
        if held or row.attempts >= MAX_ATTEMPTS:
            return None
        taken = s.execute(
            update(DigestRun)
            .where(DigestRun.id == row.id, DigestRun.claim_token == row.claim_token)
            .values(
                status="claimed",
                claim_token=token,
                claimed_at=now,
                claimed_by=holder,
                attempts=row.attempts + 1,
            )
        )
        if rowcount(taken) != 1:
            return None
        log.info(
            "taking over digest run %s/%s/%s/%s (was %s by %s)",
            key.team,
            key.kind,
            key.channel,
            key.period,
            row.status,
            row.claimed_by,
        )
        return Claim(
            key,
            row.id,
            token,
            row.ts,
            row.parts_posted,
            row.attempts + 1,
            in_doubt_since=_aware(row.claimed_at),
        )


def _set(db: Database, c: Claim, **values: Any) -> bool:
    with db.session() as s:
        done = s.execute(
            update(DigestRun)
            .where(DigestRun.id == c.run_id, DigestRun.claim_token == c.token)
            .values(**values)
        )
        return rowcount(done) == 1


def record_part(
    db: Database, c: Claim, *, ts: str | None, parts_posted: int, now: dt.datetime
) -> bool:
    """Note a posted part (and renew the lease); False if the claim was lost."""
    c.ts, c.parts_posted = ts, parts_posted
    return _set(db, c, ts=ts, parts_posted=parts_posted, claimed_at=now)


def mark_posted(db: Database, c: Claim, *, now: dt.datetime) -> bool:
    return _set(db, c, status="posted", posted_at=now, error=None)


def mark_failed(db: Database, c: Claim, error: str, *, final: bool = False) -> bool:
    """The attempt failed; with ``final`` no retry is made (its attempts are used up):
    the error is one no retry can fix."""
    if final:
        return _set(db, c, status="failed", error=error[:2000], attempts=MAX_ATTEMPTS)
    return _set(db, c, status="failed", error=error[:2000])


def retryable(db: Database, *, now: dt.datetime, lease: dt.timedelta = LEASE) -> list[DigestRun]:
    """Failed runs, and claimed runs whose holder went quiet, from the last
    ``RETRY_WINDOW`` and not yet given up on."""
    with db.session() as s:
        rows = s.scalars(
            select(DigestRun).where(
                DigestRun.status.in_(("claimed", "failed")),
                DigestRun.attempts < MAX_ATTEMPTS,
                DigestRun.claimed_at >= now - RETRY_WINDOW,
            )
        ).all()
    return [r for r in rows if r.status == "failed" or (_aware(r.claimed_at) or now) <= now - lease]


# --- posting --------------------------------------------------------------------------


class SlackPostError(Exception):
    """A post that failed for good in this attempt (after retries, or an error retrying
    cannot fix). ``error`` is Slack's error code when it gave one; ``final`` is True when
    no later attempt can succeed either (a message Slack refuses, or a channel acctbot
    can no longer post in: ``channel_gone``), so the run is not retried."""

    def __init__(self, message: str, *, error: str = "", final: bool = False) -> None:
        super().__init__(message)
        self.error = error
        self.final = final

    @property
    def channel_gone(self) -> bool:
        """acctbot cannot post in the channel until a person acts (it was removed from a
        private channel, the channel was archived or deleted, or it cannot join)."""
        return self.error in CHANNEL_GONE or self.error == NOT_IN_CHANNEL


RETRYABLE_ERRORS = {"ratelimited", "service_unavailable", "internal_error", "fatal_error"}
# Errors of the token or the workspace, not of this post: a person may fix them (a new
# token, a reinstall), and the run is retried meanwhile.
WORKSPACE_ERRORS = {
    "not_authed",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "no_permission",
    "missing_scope",
    "team_access_not_granted",
    "ekm_access_denied",
}


MAX_WAIT = 60.0  # seconds a post may wait for Retry-After before leaving it to a retry


class SlackPoster:
    """chat.postMessage with retries: 429s wait for Retry-After, 5xx and connection
    errors back off exponentially; permanent errors (not_in_channel ...) fail at once.
    A public channel is joined before the first post there (see bot.delivery.channels).

    A keyed post is posted once: it carries its key in message metadata, and after a
    failure that may have reached Slack (a reset, a read timeout) the channel's history
    is checked for the key before posting again (see bot.delivery.posting); a post whose
    history cannot be read yet stays in doubt and is never posted on a guess."""

    def __init__(
        self,
        client: WebClient,
        *,
        attempts: int = 5,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        channels: Channels | None = None,
    ) -> None:
        self.client = delivery_client(client)  # the retries are here, not in slack_sdk
        # acctbot joins a public channel before posting there, so the history check works
        # (bot.delivery.channels); the app passes its own, shared by every post.
        self.channels = channels or Channels()
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.sleep = sleep

    def post(
        self, *, key: str | None = None, in_doubt_since: dt.datetime | None = None, **kwargs: Any
    ) -> str:
        """Post; return the message ts (an earlier copy's, if one already landed).

        A keyed post in doubt is posted only once the channel's history (or the thread's
        replies) has been read and the key is not there: when Slack will not show it now
        (rate limited, failing) this waits (Retry-After) and looks again, and at the end
        raises :class:`SlackPostError` with the post still in doubt, for a later retry.

        Raises:
            SlackPostError: not posted in this attempt (``final`` when no retry can help).
        """
        delay = self.base_delay
        problem = ""
        kwargs = {**kwargs, "channel": self.channels.prepare(self.client, kwargs["channel"])}
        payload = keyed(kwargs, key) if key else kwargs
        for attempt in range(1, self.attempts + 1):
            wait = delay
            try:
                if key and in_doubt_since is not None:
                    found = self._find(key, in_doubt_since, kwargs)
                    if found is not None:
                        log.info("%s was already posted (ts %s); not posting again", key, found)
                        return found
                resp = self.client.chat_postMessage(**payload)
                return str(resp["ts"])
            except HistoryUnavailable as exc:
                problem = f"cannot look for an earlier copy of {key} yet ({exc})"
                wait = exc.retry_after or delay
                if wait > MAX_WAIT:
                    raise SlackPostError(problem) from exc
            except SlackApiError as exc:
                status = exc.response.status_code
                error = str(exc.response.get("error") or f"HTTP {status}")
                problem = error
                if status == 429:
                    wait = retry_after(exc) or delay
                    if wait > MAX_WAIT:  # too long to hold the batch: the retry job takes it
                        raise SlackPostError(f"rate limited for {wait:.0f} s") from exc
                elif status < 500 and error not in RETRYABLE_ERRORS:
                    final = error not in WORKSPACE_ERRORS
                    raise SlackPostError(error, error=error, final=final) from exc
            except OSError as exc:  # connection refused or reset, timeouts (URLError too)
                problem = f"{type(exc).__name__}: {exc}"
                if in_doubt_since is None and maybe_sent(exc):
                    in_doubt_since = dt.datetime.now(dt.UTC)
            if attempt < self.attempts:
                log.warning(
                    "chat.postMessage to %s failed (%s); retrying in %.1fs",
                    kwargs.get("channel"),
                    problem,
                    wait,
                )
                self.sleep(wait)
                delay = min(delay * 2, self.max_delay)
        if key and in_doubt_since is not None:
            try:
                found = self._find(key, in_doubt_since, kwargs)
            except (HistoryUnavailable, SlackPostError):
                found = None  # still in doubt: the retry looks again before posting
            if found is not None:  # the last try did land: not a failure after all
                return found
        raise SlackPostError(f"gave up after {self.attempts} attempts: {problem}")

    def _find(self, key: str, since: dt.datetime, kwargs: dict[str, Any]) -> str | None:
        """The ts of the message ``key`` already posted (a reply: in its thread), or None
        when Slack showed the messages and it is not there.

        Raises:
            HistoryUnavailable: Slack would not show them now.
            SlackPostError: acctbot cannot read or post there any more (final).
        """
        try:
            found = find_posted(
                self.client,
                kwargs["channel"],
                key,
                since,
                thread_ts=kwargs.get("thread_ts"),
                channels=self.channels,
            )
        except ChannelGone as exc:
            raise SlackPostError(exc.error, error=exc.error, final=True) from exc
        return found[1] if found is not None else None
