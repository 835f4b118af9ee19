"""Telling people: notices become DMs, bundled, at the right time, exactly once.

For each person with notices not yet sent, :func:`deliver`:

- waits while they are **snoozed** or inside **quiet hours** in their own Slack time zone
  (``users.info`` ``tz``, read at most twice a day; ``quiet.py``): the notices stay in
  the database and go out together on the first check after, the start of their day;
- keeps only what they **may read** (:func:`bot.visibility.readable_ids`, asked when the
  DM is made, so access lost overnight is honoured) and drops the rest unsaid;
- **bundles** everything pending into **one DM** a person a check, however many changes
  arrive together (a mass update of 2,000 orders is one DM: the first changes in full,
  the rest summed up with a *Show all* button; ``card.alert``), so a busy minute never
  turns into a burst of DMs (and Slack's rate limits);
- marks the notices sent and queues the DM in the outbox **in one transaction**,
  conditional on them being unsent (two replicas: one DM), keyed by the first notice so
  the outbox posts it exactly once (``bot/delivery/outbox.py``).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError, OperationalError

from bot import visibility
from bot.delivery import outbox
from bot.people import AccessRefused, IdentityUnavailable, identify
from bot.watches import card, repo
from bot.watches.quiet import QuietHours, zone
from bot.watches.repo import Conflict

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.services import Services

log = logging.getLogger(__name__)

TZ_FRESH = dt.timedelta(hours=12)


def quiet_hours(services: Services) -> QuietHours:
    """The quiet hours (``ACCTBOT_WATCH_QUIET_HOURS``)."""
    return QuietHours(services.settings.watch_quiet_hours)


def person_zone(services: Services, user: str, now: dt.datetime) -> ZoneInfo:
    """A person's time zone from Slack (``users.info`` ``tz``), kept for 12 hours; the
    org's zone (``ACCTBOT_TIMEZONE``) if Slack cannot say."""
    with services.db.session() as s:
        p = repo.person(s, user)
        known, checked = (p.tz, p.tz_checked_at) if p is not None else (None, None)
    if known and checked and now - checked < TZ_FRESH:
        return zone(known, services.settings.timezone)
    tz: str | None = None
    if services.slack is not None:
        try:
            resp = services.slack.users_info(user=user)
            tz = (resp.get("user") or {}).get("tz") or None
        except Exception as exc:  # Slack down, missing scope: keep what we had
            log.warning("users.info %s failed (%s); using the last known time zone", user, exc)
    if tz:
        with services.db.session() as s:
            repo.save_person(s, user, now, tz=tz, tz_checked_at=now)
    return zone(tz or known, services.settings.timezone)


def deliver(services: Services) -> int:
    """Queue the DMs that are due (see the module docstring) and send them; returns how
    many DMs were queued."""
    now = services.now()
    with services.db.session() as s:
        people = repo.pending_people(s)
    queued = 0
    for user in people:
        try:
            queued += _deliver_to(services, user, now)
        except Exception:
            log.exception("watch alerts for %s could not be prepared; retried next check", user)
    if queued:
        outbox.deliver_due(services)
    return queued


def _deliver_to(services: Services, user: str, now: dt.datetime) -> int:
    quiet = quiet_hours(services)
    with services.db.session() as s:
        p = repo.person(s, user)
        snoozed = p.snoozed_until if p is not None else None
    if snoozed is not None and snoozed > now:
        return 0
    tz = person_zone(services, user, now)
    if quiet.is_quiet(now, tz):
        return 0
    with services.db.session() as s:
        pending = repo.pending_notices(s, user)
    if not pending:
        return 0
    reason = "may not read the record"
    # A deleted record can be read by nobody (UserRecordAccess has no row for it): the
    # note that a watch of it ended goes to that watch's owner alone (detect._gone),
    # named as acctbot showed it to them; it still needs someone acctbot serves.
    ended = {c.id for _, c in pending if repo.is_gone(c)}
    ask = {c.record_id for _, c in pending if c.id not in ended}
    try:
        readable = visibility.readable_ids(services, user, ask) if ask else set()
        if not ask:
            identify(services, user)
    except IdentityUnavailable:
        return 0  # Slack cannot say who they are now: the next check tries again
    except AccessRefused:  # no longer someone acctbot serves (a guest now, unmapped...)
        readable, reason, ended = set(), "not someone acctbot serves", set()
    hidden = [n.id for n, c in pending if c.record_id not in readable and c.id not in ended]
    shown = [(n, c) for n, c in pending if c.record_id in readable or c.id in ended]
    if hidden:
        with services.db.session() as s:
            repo.drop_notices(s, hidden, reason)
    oldest = min((n.created_at for n, _ in shown), default=now)
    held: str | None = None
    if quiet.is_quiet(oldest, tz):
        held = f"quiet hours {quiet.describe()}, your time"
    elif snoozed is not None and oldest < snoozed:
        held = "snoozed"
    if not shown:
        return 0
    key = f"watch:{user}:{shown[0][0].id}"
    message = card.alert(
        [c for _, c in shown],
        watched={c.id: n.watched_id for n, c in shown},
        record_url=services.record_url,
        tz=tz,
        now=now,
        held=held,
        key=key,
    )
    try:
        with services.db.session() as s:
            repo.claim_notices(s, [n.id for n, _ in shown], key=key, now=now)
            outbox.enqueue_post(s, key=key, target=user, message=message, kind="watch")
    except (Conflict, IntegrityError, OperationalError) as exc:
        log.info("watch DM %s: taken by another worker (%s)", key, type(exc).__name__)
        return 0
    return 1
