"""Team digests: who gets which digest where and when, building them, posting them once.

- ``deliveries(services)``: every (team, kind, channel, schedule) to post: each teams-file
  team gets daily (its ``schedule``), weekly (Mondays) and monthly (the 1st) digests in
  its channel, at its schedule's time; ``/digest subscribe`` adds or re-times one (in the
  database), ``/digest unsubscribe`` switches one off.
- ``run_due``: what a scheduled job calls. It posts every delivery of the same kind due
  at the same instant as one batch: a fixed number of Salesforce queries for all of them
  (``bot.digests.data``), each claimed in ``digest_runs`` before posting
  (``bot.digests.runs``), so a second scheduler or replica never posts a period twice.
- ``send_now`` / ``preview``: the CLI and ``/digest preview``.
- ``retry_pending``: failed posts and crashed claims, retried by the maintenance job.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot import blocks as cards
from bot.accounts.queries import is_account_id
from bot.blocks import Message
from bot.dates import BOT_WEEK_START
from bot.delivery import outbox
from bot.digests import runs as digest_runs
from bot.digests.data import Batch, OpenEscalation, Scope, attach_escalations
from bot.digests.periods import (
    KINDS,
    Delivery,
    Period,
    last_fire,
    period_for,
    schedule_at,
    schedule_for,
)
from bot.digests.render import late_note, render
from bot.digests.runs import Claim, RunKey, SlackPoster, SlackPostError
from bot.escalations.service import RESOLVED
from bot.infra.db import Database, rowcount
from bot.infra.models import DigestSubscription, Escalation
from bot.infra.salesforce import SalesforceError
from bot.localtime import Fire, wall_clock
from bot.teams import Team
from bot.text import escape_slack

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

# How far back a firing job looks for the run it belongs to. Digest jobs have no misfire
# limit (a missed run always posts, late, once), so this spans the longest period.
DUE_WINDOW = dt.timedelta(days=35)
# A late daily digest covers every day since the last one posted, up to this many.
MAX_CATCH_UP_DAYS = 14
LATE_AFTER = dt.timedelta(minutes=15)


# --- open escalations from the local log --------------------------------------------


def open_escalations(db: Database) -> list[OpenEscalation]:
    """Escalations on an account not resolved yet, from the local log. A row that cannot
    be read (a malformed account Id, no filing time) is skipped and logged: one bad row
    must not cost every team its digest."""
    out: list[OpenEscalation] = []
    with db.session() as s:
        rows = s.scalars(
            select(Escalation)
            .where(Escalation.status != RESOLVED, Escalation.account_id.is_not(None))
            .order_by(Escalation.id)
        ).all()
        for e in rows:
            problem = None
            if not is_account_id(e.account_id or ""):
                problem = f"account Id {str(e.account_id)[:20]!r} is not an Account Id"
            elif not isinstance(e.created_at, dt.datetime):
                problem = "no filing time"
            if problem:
                log.warning("digest: skipped escalation %s: %s", e.ref, problem)
                continue
            out.append(
                OpenEscalation(
                    ref=e.ref,
                    account_id=e.account_id,
                    account_name=e.account_name or "",
                    summary=next(iter((e.description or "").strip().splitlines()), ""),
                    severity=e.severity,
                    status=e.status,
                    opened_at=e.created_at,
                    order_number=e.order_number,
                )
            )
    return out


def _account_owners(services: Services, account_ids: list[str]) -> dict[str, str]:
    """Account Id -> owner e-mail (lower case); as many queries as keep each URL short."""
    out: dict[str, str] = {}
    sf = services.salesforce
    for rec in sf.iter_in(
        account_ids, lambda ids: sf.soql("SELECT Id, Owner.Email FROM Account WHERE Id IN {}", ids)
    ):
        email = ((rec.get("Owner") or {}).get("Email") or "").lower()
        out[rec["Id"]] = email
        out[rec["Id"][:15]] = email
    return out


# --- who gets what --------------------------------------------------------------------


def subscriptions(db: Database) -> list[DigestSubscription]:
    with db.session() as s:
        return list(s.scalars(select(DigestSubscription).order_by(DigestSubscription.id)))


def deliveries(services: Services) -> list[Delivery]:
    out: dict[tuple[str, str, str], Delivery] = {}
    for team in services.teams.teams:
        for kind in KINDS:
            out[(team.name, kind, team.channel)] = Delivery(
                team, kind, team.channel, schedule_for(team, kind)
            )
    for sub in subscriptions(services.db):
        subscribed = services.teams.get(sub.team)
        if subscribed is None:
            log.warning(
                "digest subscription for unknown team %r in %s ignored", sub.team, sub.channel
            )
            continue
        key = (subscribed.name, sub.kind, sub.channel)
        if sub.active:
            out[key] = Delivery(subscribed, sub.kind, sub.channel, sub.schedule, source="slack")
        else:
            out.pop(key, None)
    return list(out.values())


def subscribe(
    services: Services,
    team: Team,
    kind: str,
    channel: str,
    *,
    at: tuple[int, int] | None,
    user: str,
) -> Delivery:
    """Subscribe ``channel`` to a team's digest (or re-time it); persisted."""
    schedule = schedule_at(kind, *at) if at else schedule_for(team, kind)
    _upsert(services.db, team.name, kind, channel, schedule, True, user, services.now())
    return Delivery(team, kind, channel, schedule, source="slack")


def unsubscribe(
    services: Services, channel: str, *, team: str | None, kind: str | None, user: str
) -> list[Delivery]:
    """Switch off this channel's digests (all, or one team's, or one kind); persisted."""
    gone = [
        d
        for d in deliveries(services)
        if d.channel == channel
        and (team is None or d.team.name == team)
        and (kind is None or d.kind == kind)
    ]
    for d in gone:
        _upsert(services.db, d.team.name, d.kind, channel, d.schedule, False, user, services.now())
    return gone


def _upsert(
    db: Database,
    team: str,
    kind: str,
    channel: str,
    schedule: str,
    active: bool,
    user: str,
    now: dt.datetime,
) -> None:
    values = {
        "schedule": schedule,
        "active": active,
        "created_by": user,
        "updated_at": now,
        "stopped_at": None,  # a person's subscribe or unsubscribe is what stands now
        "stopped_reason": None,
    }
    where = (
        (DigestSubscription.team == team)
        & (DigestSubscription.kind == kind)
        & (DigestSubscription.channel == channel)
    )
    for _ in range(2):  # a concurrent insert of the same row: update it instead
        try:
            with db.session() as s:
                row = s.scalars(select(DigestSubscription).where(where)).first()
                if row is None:
                    s.add(
                        DigestSubscription(
                            team=team, kind=kind, channel=channel, created_at=now, **values
                        )
                    )
                else:
                    for k, v in values.items():
                        setattr(row, k, v)
            return
        except IntegrityError:
            continue


def find_delivery(
    services: Services, team: Team, kind: str, channel: str | None = None
) -> Delivery:
    """The team's delivery of ``kind`` (to ``channel``, default the team's channel); a
    switched-off or unknown one falls back to the teams-file schedule."""
    channel = channel or team.channel
    for d in deliveries(services):
        if d.team.name == team.name and d.kind == kind and d.channel == channel:
            return d
    return Delivery(team, kind, channel, schedule_for(team, kind))


# --- building -------------------------------------------------------------------------


@dataclass
class Item:
    delivery: Delivery
    period: Period
    scheduled_for: dt.datetime | None = None

    @property
    def key(self) -> RunKey:
        d = self.delivery
        return RunKey(d.team.name, d.kind, d.channel, self.period.key)


def current_period(services: Services, delivery: Delivery) -> Period:
    today = services.now().astimezone(delivery.tz).date()
    return period_for(
        delivery.kind,
        today,
        schedule=delivery.schedule,
        timezone=delivery.team.timezone,
        week_start=services.settings.week_start,
    )


def build(services: Services, items: list[Item]) -> list[Any]:
    """Each item's figures; one fixed set of Salesforce queries per kind."""
    data: list[Any] = [None] * len(items)
    by_kind: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        by_kind[item.delivery.kind].append(i)
    for kind, indexes in by_kind.items():
        scopes = [
            Scope(
                frozenset(items[i].delivery.team.owners),
                items[i].period,
                services.settings.stuck_days,
                finished=services.settings.finished_order_statuses,
            )
            for i in indexes
        ]
        Batch(services.salesforce, scopes, services.vocabulary()).run(kind)
        if kind == "daily":
            escalations = open_escalations(services.db)
            ids = sorted({e.account_id for e in escalations if e.account_id})
            owners = _account_owners(services, ids) if ids else {}
            attach_escalations(scopes, escalations, owners)
        for i, scope in zip(indexes, scopes, strict=True):
            data[i] = scope.data
    return data


def messages_for(
    services: Services, item: Item, data: Any, *, now: dt.datetime | None = None
) -> list[Message]:
    note, due = None, item.scheduled_for
    if due is not None and now is not None and now - due > LATE_AFTER:
        note = late_note(due, now, item.delivery.tz)
    return render(
        item.delivery.team.name, item.delivery.kind, data, services.record_url, late_note=note
    )


def preview(services: Services, team: Team, kind: str = "daily") -> list[Message]:
    """The digest as it would be posted now (nothing claimed, nothing posted)."""
    delivery = find_delivery(services, team, kind)
    item = Item(delivery, current_period(services, delivery))
    (data,) = build(services, [item])
    return messages_for(services, item, data)


# --- posting --------------------------------------------------------------------------


@dataclass
class Outcome:
    item: Item
    status: str  # posted | already posted | in progress | failed
    ts: str | None = None
    detail: str = ""


def _poster(services: Services) -> SlackPoster:
    if services.slack is None:
        raise RuntimeError("no Slack client: the app is not running")
    return SlackPoster(services.slack, channels=services.channels)


def run_batch(
    services: Services, items: list[Item], *, poster: SlackPoster | None = None
) -> list[Outcome]:
    """Claim, build (one query set per kind) and post every item; never twice."""
    now = services.now()
    outcomes: list[Outcome] = []
    claimed: list[tuple[Item, Claim]] = []
    for item in items:
        c = digest_runs.claim(services.db, item.key, now=now, scheduled_for=item.scheduled_for)
        if c is None:
            outcomes.append(_not_claimed(services.db, item))
        else:
            claimed.append((item, c))
    if not claimed:
        return outcomes
    try:
        data = build(services, [item for item, _ in claimed])
    except SalesforceError as exc:
        log.error("digests could not be built: %s: %s", type(exc).__name__, exc)
        for item, c in claimed:
            digest_runs.mark_failed(services.db, c, f"Salesforce: {exc.user_message}")
            outcomes.append(Outcome(item, "failed", detail=exc.user_message))
        return outcomes
    poster = poster or _poster(services)
    for (item, c), figures in zip(claimed, data, strict=True):
        outcomes.append(_post(services, poster, item, c, figures, now))
    return outcomes


def _not_claimed(db: Database, item: Item) -> Outcome:
    row = digest_runs.find(db, item.key)
    if row is not None and row.status == "posted":
        when = digest_runs._aware(row.posted_at)
        tz = item.delivery.tz
        at = f" at {when.astimezone(tz):%a %b %-d, %-I:%M %p %Z}" if when else ""
        return Outcome(item, "already posted", row.ts, f"posted{at}")
    if row is not None and row.status == "failed":
        return Outcome(item, "failed", detail=f"gave up: {row.error}")
    return Outcome(item, "in progress", detail="another process is posting it")


def _post(
    services: Services,
    poster: SlackPoster,
    item: Item,
    c: Claim,
    figures: Any,
    now: dt.datetime,
) -> Outcome:
    channel = item.delivery.channel
    parts = messages_for(services, item, figures, now=now)
    try:
        for n in range(c.parts_posted, len(parts)):
            thread = {"thread_ts": c.ts} if n > 0 and c.ts else {}
            ts = poster.post(
                key=f"digest:{c.key.team}:{c.key.kind}:{c.key.channel}:{c.key.period}:{n}",
                in_doubt_since=c.in_doubt_since if n == c.parts_posted else None,
                channel=channel,
                unfurl_links=False,
                **parts[n].payload(**thread),
            )
            if not digest_runs.record_part(
                services.db, c, ts=c.ts or ts, parts_posted=n + 1, now=services.now()
            ):
                return Outcome(item, "in progress", c.ts, "claim lost to another process")
        digest_runs.mark_posted(services.db, c, now=services.now())
        log.info(
            "posted %s digest of %s to %s (%s)",
            item.delivery.kind,
            item.delivery.team.name,
            channel,
            item.period.key,
        )
        return Outcome(item, "posted", c.ts)
    except SlackPostError as exc:
        gave_up = exc.final or c.attempts >= digest_runs.MAX_ATTEMPTS
        log.error(
            "could not post the %s digest of %s to %s for %s: %s%s",
            item.delivery.kind,
            item.delivery.team.name,
            channel,
            item.period.key,
            exc,
            " (giving up: no retry can fix that)" if exc.final else
            " (giving up)" if gave_up else " (will retry)",
        )  # fmt: skip
        digest_runs.mark_failed(services.db, c, str(exc), final=exc.final)
        if exc.channel_gone:
            channel_lost(services, item.delivery, exc.error)
        return Outcome(item, "failed", c.ts, str(exc))


# Why acctbot cannot post in a channel, for the people told (Slack's error codes,
# https://api.slack.com/methods/chat.postMessage#errors).
LOST_BECAUSE = {
    "channel_not_found": "acctbot was removed from the channel (or it was deleted), so "
    "Slack no longer lets it see the channel",
    "not_in_channel": "acctbot is not in the channel and cannot join it",
    "is_archived": "the channel was archived",
    "channel_is_archived": "the channel was archived",
}


def channel_lost(services: Services, delivery: Delivery, error: str) -> None:
    """acctbot can no longer post ``delivery``'s digest in its channel (``error`` is
    Slack's): a subscription made with ``/digest subscribe`` is stopped (``active`` off,
    ``stopped_at``/``stopped_reason`` set, once even with several processes) and the
    person who subscribed is told in a DM (through the outbox: exactly once); a
    teams-file digest cannot be switched off here, so its failure is logged as an error
    each time, saying what to fix. Every later run of a stopped subscription is skipped,
    and ``/digest`` in that channel says what happened."""
    d = delivery
    because = LOST_BECAUSE.get(error, error)
    if d.source != "slack":
        log.error(
            "acctbot cannot post the %s digest of %s in %s (%s: %s). Invite acctbot to "
            "the channel (/invite @acctbot) or fix the team's channel in the teams file.",
            d.kind, d.team.name, d.channel, error, because,
        )  # fmt: skip
        return
    now = services.now()
    where = (
        (DigestSubscription.team == d.team.name)
        & (DigestSubscription.kind == d.kind)
        & (DigestSubscription.channel == d.channel)
        & DigestSubscription.active.is_(True)
    )
    with services.db.session() as s:
        sub = s.scalars(select(DigestSubscription).where(where)).first()
        if sub is None:
            return
        stopped = s.execute(
            update(DigestSubscription)
            .where(where, DigestSubscription.id == sub.id)
            .values(active=False, stopped_at=now, stopped_reason=error, updated_at=now)
        )
        if rowcount(stopped) != 1:
            return  # another process stopped it (and told the subscriber)
        subscriber = sub.created_by
        log.error(
            "stopped the %s digest of %s in %s, subscribed by %s: %s (%s)",
            d.kind, d.team.name, d.channel, subscriber, error, because,
        )  # fmt: skip
        text = (
            f":warning: I stopped posting *{escape_slack(d.team.name)}*'s {d.kind} digest "
            f"in <#{d.channel}>: I can no longer post there ({because}; Slack said "
            f"`{error}`). To start it again, invite me in that channel (`/invite @acctbot`) "
            f"and run `/digest subscribe {escape_slack(d.team.name)} {d.kind}` there."
        )
        outbox.enqueue_post(
            s,
            key=f"digest-stopped:{sub.id}:{now.isoformat()}",
            target=subscriber,
            message=Message(text, [cards.section(text)]),
            kind="digest_stopped",
        )
    services.schedule_changed()
    outbox.kick(services)


def stopped_in(services: Services, channel: str) -> list[DigestSubscription]:
    """The subscriptions of ``channel`` acctbot stopped itself (newest first)."""
    with services.db.session() as s:
        rows = s.scalars(
            select(DigestSubscription)
            .where(
                DigestSubscription.channel == channel,
                DigestSubscription.active.is_(False),
                DigestSubscription.stopped_at.is_not(None),
            )
            .order_by(DigestSubscription.stopped_at.desc())
        ).all()
        for row in rows:
            s.expunge(row)
        return list(rows)


def _since_last_posted(services: Services, d: Delivery, period: Period) -> Period:
    """A daily digest after missed runs (the app was down) covers every day since the
    last one posted, so nothing is skipped; the header then says "since ..."."""
    if period.kind != "daily":
        return period
    last = digest_runs.last_posted_period(services.db, d.team.name, "daily", d.channel)
    if last is None:
        return period
    last_day = dt.date.fromisoformat(last)
    if last_day >= period.start or (period.run_date - last_day).days > MAX_CATCH_UP_DAYS:
        return period
    return dataclasses.replace(period, start=last_day)


def run_due(
    services: Services,
    *,
    kind: str,
    team: str,
    channel: str,
    schedule: str,
    timezone: str,
    poster: SlackPoster | None = None,
) -> list[Outcome]:
    """A scheduled job fired: post every delivery of ``kind`` due at the same instant."""
    now = services.now()
    # The run this job belongs to: its day is the local day it was scheduled on (both
    # passes of a repeated 01:30 are the same run; a time skipped by the clocks is the
    # run at the jump). A job with no run in the window (e.g. started by hand) is today's.
    fired = last_fire(schedule, timezone, now, within=DUE_WINDOW) or Fire(
        now.astimezone(dt.UTC), wall_clock(now, ZoneInfo(timezone))
    )
    items: list[Item] = []
    for d in deliveries(services):
        if d.kind != kind:
            continue
        own = d.team.name == team and d.channel == channel
        when = fired if own else last_fire(d.schedule, d.team.timezone, now, within=DUE_WINDOW)
        if when is None or when.at != fired.at:
            continue
        period = period_for(
            kind,
            when.day,
            schedule=d.schedule,
            timezone=d.team.timezone,
            week_start=services.settings.week_start,
        )
        items.append(Item(d, _since_last_posted(services, d, period), when.at))
    if not any(i.delivery.team.name == team and i.delivery.channel == channel for i in items):
        log.warning("digest job for %s/%s/%s has no delivery any more", kind, team, channel)
    with services.digest_lock:
        return run_batch(services, items, poster=poster)


def send_now(
    services: Services, team: Team, kind: str = "daily", *, poster: SlackPoster | None = None
) -> Outcome:
    delivery = find_delivery(services, team, kind)
    item = Item(delivery, current_period(services, delivery))
    with services.digest_lock:
        (outcome,) = run_batch(services, [item], poster=poster)
    return outcome


def period_from_key(delivery: Delivery, key: str, *, week_start: int = BOT_WEEK_START) -> Period:
    """The period a run row names (for a retry); ``week_start`` is ACCTBOT_WEEK_START."""
    if delivery.kind == "daily":
        run_date = dt.date.fromisoformat(key)
    elif delivery.kind == "weekly":
        run_date = dt.date.fromisoformat(key) + dt.timedelta(days=7)
    else:
        year, month = (int(x) for x in key.split("-"))
        run_date = dt.date(year + month // 12, month % 12 + 1, 1)
    return period_for(
        delivery.kind,
        run_date,
        schedule=delivery.schedule,
        timezone=delivery.team.timezone,
        week_start=week_start,
    )


def retry_pending(services: Services, *, poster: SlackPoster | None = None) -> list[Outcome]:
    """Retry failed posts and claims whose holder died (still within their attempts)."""
    rows = digest_runs.retryable(services.db, now=services.now())
    if not rows:
        return []
    known = {(d.team.name, d.kind, d.channel): d for d in deliveries(services)}
    items = []
    for row in rows:
        d = known.get((row.team, row.kind, row.channel))
        if d is None:
            team = services.teams.get(row.team)
            if team is None:
                continue
            d = Delivery(team, row.kind, row.channel, schedule_for(team, row.kind))
        period = period_from_key(d, row.period, week_start=services.settings.week_start)
        items.append(Item(d, period, digest_runs._aware(row.scheduled_for)))
    with services.digest_lock:
        return run_batch(services, items, poster=poster)


__all__ = [
    "Item",
    "Outcome",
    "SlackPostError",
    "deliveries",
    "open_escalations",
    "preview",
    "retry_pending",
    "run_batch",
    "run_due",
    "send_now",
    "subscribe",
    "unsubscribe",
]
