"""Escalations: file one, route its alerts, move it through open → acknowledged →
resolved, remind when nobody acknowledges, and read the log back.

- **Filing** writes the escalation, its first history row, its recipients and the
  outbox rows for every alert in ONE transaction; only then is the reporter told. The
  human reference (ESC-0042) comes from a counter row incremented in that transaction
  (a row lock on Postgres, the write lock on SQLite), so it is unique and gap-free.
- **Routing**: the escalation channel, the managers of the reporter's team (teams file)
  and the account owner's manager in Salesforce (``User.ManagerId``, mapped to Slack
  by e-mail). When the lookups cannot finish within the modal's 3-second budget, a
  durable ``acctbot.route`` task in the same transaction does it later instead.
- **Status changes** are conditional UPDATEs (``WHERE id = ? AND status IN (...)``): of
  two managers clicking at once exactly one changes the row; the other is told who won.
  Each change appends history and queues the in-place card updates and the reporter's
  DM in the same transaction.
- **SLA reminders**: see :class:`SlaPolicy` and :func:`run_sla_reminders`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.escalations import views as ec
from bot.escalations.form import Draft
from bot.escalations.routing import Route, next_manager_up, resolve_route
from bot.escalations.status import EscalationStatus
from bot.infra.db import rowcount
from bot.infra.models import (
    Counter,
    Escalation,
    EscalationHistory,
    EscalationRecipient,
    OutboxMessage,
)
from bot.text import escape_slack

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

OPEN, ACKNOWLEDGED, RESOLVED = (
    EscalationStatus.OPEN,
    EscalationStatus.ACKNOWLEDGED,
    EscalationStatus.RESOLVED,
)
MANAGER_ROLES = ("team_manager", "sf_manager")
SYSTEM = "acctbot"
ROUTE_TASK = "acctbot.route"


# --- writing --------------------------------------------------------------------------


def _record_url(services: Services) -> Callable[[str], str | None]:
    def url(record_id: str) -> str | None:
        try:
            return services.record_url(record_id)
        except Exception:  # Salesforce unreachable for a login: a card without links
            return None

    return url


def render_card(services: Services, esc: Escalation, banner: str | None = None) -> Any:
    return ec.alert_card(esc, record_url=_record_url(services), tz=services.tz, banner=banner)


def _history(
    session: Session,
    esc_id: int,
    at: dt.datetime,
    actor: str,
    action: str,
    from_value: str | None = None,
    to_value: str | None = None,
    note: str | None = None,
) -> None:
    session.add(
        EscalationHistory(
            escalation_id=esc_id,
            at=at,
            actor=actor,
            action=action,
            from_value=from_value,
            to_value=to_value,
            note=note,
        )
    )


def _add_recipient(
    session: Session, esc_id: int, user: str, role: str, level: int, now: dt.datetime
) -> bool:
    exists = session.scalar(
        select(EscalationRecipient.id).where(
            EscalationRecipient.escalation_id == esc_id, EscalationRecipient.slack_user_id == user
        )
    )
    if exists is not None:
        return False
    try:  # a savepoint: someone adding the same person at this moment is not an error
        with session.begin_nested():
            session.add(
                EscalationRecipient(
                    escalation_id=esc_id,
                    slack_user_id=user,
                    role=role,
                    level=level,
                    added_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


def _alert(
    services: Services,
    session: Session,
    esc: Escalation,
    recipients: list[tuple[str, str]],
    *,
    level: int,
    now: dt.datetime,
    banner: str | None = None,
) -> list[str]:
    """Record recipients and queue their DM cards; returns who was newly added."""
    added = []
    card = render_card(services, esc, banner)
    for user, role in recipients:
        if _add_recipient(session, esc.id, user, role, level, now):
            added.append(user)
            outbox.enqueue_post(
                session,
                key=f"esc:{esc.id}:card:dm:{user}",
                target=user,
                message=card,
                kind="card",
                escalation_id=esc.id,
            )
    return added


def _apply_route(
    services: Services, session: Session, esc: Escalation, route: Route, now: dt.datetime
) -> list[str]:
    if route.account_name and not esc.account_name:
        esc.account_name = route.account_name
    if route.owner_name:
        esc.owner_name = route.owner_name
    esc.chain_top_sf_id = route.sf_manager_sf_id
    added = _alert(services, session, esc, route.recipients(esc.reporter), level=0, now=now)
    _history(
        session,
        esc.id,
        now,
        SYSTEM,
        "alerted",
        to_value=",".join(added) or None,
        note=f"channel {services.settings.escalation_channel or '(none)'}",
    )
    return added


@dataclass
class Filed:
    """An escalation filed (or, ``repeated``, one this same form had already filed)."""

    escalation: Escalation
    alerted: list[str]
    repeated: bool = False


FORM_KEY_TTL = 24 * 3600  # seconds a submitted form is remembered (a modal's lifetime)


def form_key(view_id: str, state_hash: str) -> str:
    """The once-key of one submission of one modal: its view id and submitted state."""
    return f"form:{view_id[:60]}:{state_hash[:64]}"


def _filed_before(services: Services, session: Session, key: str) -> Filed | None:
    result = services.once.result(session, key)
    esc = session.get(Escalation, int(result)) if result and result.isdigit() else None
    if esc is None:
        return None
    alerted = session.scalars(
        select(EscalationRecipient.slack_user_id).where(
            EscalationRecipient.escalation_id == esc.id,
            EscalationRecipient.role.in_(MANAGER_ROLES),
        )
    ).all()
    session.expunge(esc)
    return Filed(esc, list(alerted), repeated=True)


def filed_by_form(services: Services, key: str) -> Filed | None:
    """The escalation a form with this :func:`form_key` already filed, if any."""
    with services.db.session() as session:
        return _filed_before(services, session, key)


def create(
    services: Services, draft: Draft, route: Route | None, *, form: str | None = None
) -> Filed:
    """Write the escalation with its history, recipients and alerts: one transaction.

    ``form`` (a :func:`form_key`) makes filing idempotent: the same modal submitted again
    with the same state (a double click, a replay) returns the escalation it filed the
    first time, ``repeated``, and queues nothing. The key is claimed in the same
    transaction, so of two concurrent submissions exactly one files.
    """
    now = services.now()
    with services.db.session() as session:
        if form is not None:
            expires = services.once.clock() + dt.timedelta(seconds=FORM_KEY_TTL)
            if not services.once.claim(session, form, expires):
                before = _filed_before(services, session, form)
                if before is not None:
                    log.info("form %s was already filed as %s", form[:40], before.escalation.ref)
                    return before
                raise RuntimeError("a form key without its escalation")
        number = session.execute(
            update(Counter)
            .where(Counter.name == "escalation")
            .values(value=Counter.value + 1)
            .returning(Counter.value)
        ).scalar_one()
        esc = Escalation(
            ref=f"ESC-{number:04d}",
            account_id=draft.account_id,
            account_name=draft.account_name,
            order_id=draft.order_id,
            order_number=draft.order_number,
            category=draft.category,
            severity=draft.severity,
            description=draft.description,
            reporter=draft.reporter,
            status=OPEN,
            due_at=draft.due_at,
            created_at=now,
            updated_at=now,
            sla_level=0,
            next_reminder_at=services.sla.deadline(draft.severity, now, services.tz),
            version=1,
        )
        session.add(esc)
        session.flush()
        if form is not None:
            services.once.set_result(session, form, str(esc.id))
        _history(session, esc.id, now, draft.reporter, "filed", to_value=OPEN)
        channel = services.settings.escalation_channel
        if route is not None:
            # Recipients first so the channel card shows the account owner.
            alerted = _apply_route(services, session, esc, route, now)
        else:
            alerted = []
            outbox.enqueue_task(
                session,
                key=f"esc:{esc.id}:route",
                method=ROUTE_TASK,
                payload={"escalation_id": esc.id},
                escalation_id=esc.id,
            )
        if channel:
            outbox.enqueue_post(
                session,
                key=f"esc:{esc.id}:card:channel",
                target=channel,
                message=render_card(services, esc),
                kind="card",
                escalation_id=esc.id,
            )
        _notify_reporter(
            session,
            esc,
            "filed",
            f":inbox_tray: You filed *{esc.ref}*. Managers are alerted; you will hear from "
            "me when its status changes.",
        )
        session.flush()
        session.expunge(esc)
    return Filed(esc, alerted)


def route_task(services: Services, row: OutboxMessage) -> Callable[[Session], None]:
    """The deferred routing of an escalation filed while Slack or Salesforce was slow."""
    import json

    esc_id = int(json.loads(row.payload)["escalation_id"])
    with services.db.session() as session:
        esc = session.get(Escalation, esc_id)
        if esc is None:
            return lambda _session: None
        reporter, account_id = esc.reporter, esc.account_id
    assert services.slack is not None
    route = resolve_route(services, services.slack, reporter, account_id)

    def effects(session: Session) -> None:
        esc = session.get(Escalation, esc_id)
        if esc is None:
            return
        _apply_route(services, session, esc, route, services.now())
        _refresh_cards(services, session, esc)

    return effects


def _notify_reporter(session: Session, esc: Escalation, what: str, mrkdwn: str) -> None:
    n = session.scalar(
        select(func.count(EscalationHistory.id)).where(EscalationHistory.escalation_id == esc.id)
    )
    outbox.enqueue_post(
        session,
        key=f"esc:{esc.id}:reporter:{what}:{n}",
        target=esc.reporter,
        message=ec.notice(mrkdwn, f"{esc.ref}: {what}", esc),
        kind="notice",
        escalation_id=esc.id,
    )


def _refresh_cards(services: Services, session: Session, esc: Escalation) -> None:
    """Queue an in-place update of every card already posted (or queued) for ``esc``."""
    card = render_card(services, esc)
    keys = session.scalars(
        select(OutboxMessage.key).where(
            OutboxMessage.escalation_id == esc.id,
            OutboxMessage.kind == "card",
            OutboxMessage.method == "chat.postMessage",
        )
    ).all()
    for key in keys:
        outbox.enqueue_update(session, key, card)


# --- permissions and status changes ---------------------------------------------------


def is_manager_for(session: Session, services: Services, esc_id: int, user: str) -> bool:
    """A manager this escalation was routed to (its team's managers, the account owner's
    Salesforce managers alerted so far), its current assignee (a reassignment checks that
    they may read the account), or one of ``ACCTBOT_ADMINS``. A manager of another team
    is not."""
    if user in services.settings.admins:
        return True
    routed = session.scalar(
        select(EscalationRecipient.id).where(
            EscalationRecipient.escalation_id == esc_id,
            EscalationRecipient.slack_user_id == user,
            EscalationRecipient.role.in_(MANAGER_ROLES),
        )
    )
    if routed is not None:
        return True
    assignee = session.scalar(select(Escalation.assignee).where(Escalation.id == esc_id))
    return assignee is not None and assignee == user


@dataclass
class Outcome:
    """What a status change did: ``ok`` (done, or nothing to do), a message for the user
    when not, and ``changed`` False when the change was a no-op (nothing written)."""

    ok: bool
    message: str
    escalation: Escalation | None = None
    allowed: bool = True
    changed: bool = True


def get(services: Services, esc_id: int) -> Escalation | None:
    with services.db.session() as session:
        esc = session.get(Escalation, esc_id)
        if esc is not None:
            session.expunge(esc)
    return esc


def not_allowed(esc: Escalation | None, verb: str) -> Outcome:
    ref = esc.ref if esc else "this escalation"
    return Outcome(
        False,
        f":no_entry: You are not allowed to {verb} {ref}: only the managers it was sent to "
        "(and acctbot admins) can. Ask one of them.",
        esc,
        allowed=False,
    )


def check_allowed(services: Services, esc_id: int, user: str, verb: str) -> Outcome:
    with services.db.session() as session:
        esc = session.get(Escalation, esc_id)
        if esc is None:
            return Outcome(False, "That escalation no longer exists.")
        allowed = is_manager_for(session, services, esc_id, user)
        session.expunge(esc)
    if not allowed:
        return not_allowed(esc, verb)
    if esc.status == RESOLVED:
        return Outcome(False, _already(services, esc), esc)
    return Outcome(True, "", esc)


def _already(services: Services, esc: Escalation) -> str:
    if esc.status == RESOLVED:
        who, at, verb = esc.resolved_by, esc.resolved_at, "resolved"
    else:
        who, at, verb = esc.acknowledged_by, esc.acknowledged_at, "acknowledged"
    when = f" at {at.astimezone(services.tz).strftime('%-I:%M %p')}" if at else ""
    return f"{esc.ref} was already {verb} by <@{who}>{when}."


def _transition(
    services: Services,
    esc_id: int,
    actor: str,
    *,
    verb: str,
    from_statuses: tuple[str, ...],
    values: dict[str, Any],
    history: Callable[[Escalation], tuple[str, str | None, str | None, str | None]],
    reporter_text: Callable[[Escalation], str],
    extra: Callable[[Session, Escalation], None] | None = None,
    unchanged_since: Any = None,
) -> Outcome:
    """One conditional UPDATE, then history + outbox in the same transaction.

    ``unchanged_since``: an extra condition that what the caller read still holds."""
    now = services.now()
    with services.db.session() as session:
        # The UPDATE comes first: on SQLite it takes the write lock before any read, on
        # Postgres it locks the row; either way a concurrent click waits, then misses.
        changed = rowcount(
            session.execute(
                update(Escalation)
                .where(Escalation.id == esc_id, Escalation.status.in_(from_statuses))
                .where(_manager_clause(services, esc_id, actor))
                .where(unchanged_since if unchanged_since is not None else true())
                .values(updated_at=now, version=Escalation.version + 1, **values)
                .execution_options(synchronize_session=False)
            )
        )
        esc = session.get(Escalation, esc_id)
        if esc is None:
            return Outcome(False, "That escalation no longer exists.")
        session.refresh(esc)
        if not changed:
            if not is_manager_for(session, services, esc_id, actor):
                session.expunge(esc)
                return not_allowed(esc, verb)
            session.expunge(esc)
            return Outcome(False, _already(services, esc), esc)
        action, from_value, to_value, note = history(esc)
        _history(session, esc.id, now, actor, action, from_value, to_value, note)
        if extra is not None:
            extra(session, esc)
        _refresh_cards(services, session, esc)
        _notify_reporter(session, esc, action, reporter_text(esc))
        session.flush()
        session.expunge(esc)
    return Outcome(True, "", esc)


def _manager_clause(services: Services, esc_id: int, actor: str) -> Any:
    if actor in services.settings.admins:
        return Escalation.id == esc_id
    routed = select(EscalationRecipient.id).where(
        EscalationRecipient.escalation_id == esc_id,
        EscalationRecipient.slack_user_id == actor,
        EscalationRecipient.role.in_(MANAGER_ROLES),
    )
    return or_(routed.exists(), Escalation.assignee == actor)


def acknowledge(services: Services, esc_id: int, actor: str) -> Outcome:
    now = services.now()
    return _transition(
        services,
        esc_id,
        actor,
        verb="acknowledge",
        from_statuses=(OPEN,),
        values={
            "status": ACKNOWLEDGED,
            "acknowledged_by": actor,
            "acknowledged_at": now,
            "assignee": func.coalesce(Escalation.assignee, actor),
            "next_reminder_at": None,
        },
        history=lambda esc: ("acknowledged", OPEN, ACKNOWLEDGED, None),
        reporter_text=lambda esc: (
            f":eyes: *{esc.ref}* was acknowledged by <@{actor}>; assignee <@{esc.assignee}>."
        ),
    )


def resolve(services: Services, esc_id: int, actor: str, resolution: str) -> Outcome:
    now = services.now()
    return _transition(
        services,
        esc_id,
        actor,
        verb="resolve",
        from_statuses=(OPEN, ACKNOWLEDGED),
        values={
            "status": RESOLVED,
            "resolved_by": actor,
            "resolved_at": now,
            "resolution": resolution,
            "next_reminder_at": None,
        },
        history=lambda esc: ("resolved", None, RESOLVED, resolution),
        reporter_text=lambda esc: (
            f":white_check_mark: *{esc.ref}* was resolved by <@{actor}>:\n"
            f">{escape_slack(resolution[:2500])}"
        ),
    )


def assignee_problem(services: Services, esc: Escalation, assignee: str) -> str | None:
    """Why ``assignee`` may not be given ``esc``, or None. They must be someone acctbot
    serves (a full member of the workspace mapped to an active Salesforce user,
    bot/people.py) whose Salesforce user may read the escalation's account (or, without
    one, its order): the assignee is sent the account and the description.

    Raises SalesforceError when Salesforce cannot be asked."""
    from bot.people import AccessRefused, identify
    from bot.visibility import readable_by

    try:
        person = identify(services, assignee)
    except AccessRefused as exc:
        if exc.reason == "unavailable":
            return str(exc)
        return (
            f"<@{assignee}> can't be assigned {esc.ref}: acctbot only assigns people mapped "
            "to an active Salesforce user (not guests)."
        )
    record_id = esc.account_id or esc.order_id
    if record_id and record_id not in readable_by(services, person, [record_id]):
        what = escape_slack(esc.account_name or "its account")
        return (
            f"<@{assignee}>'s Salesforce user can't see {what}, so they can't be assigned "
            f"{esc.ref}."
        )
    return None


def _already_assigned(esc: Escalation, assignee: str) -> Outcome:
    return Outcome(True, f"{esc.ref} is already assigned to <@{assignee}>.", esc, changed=False)


def reassign(services: Services, esc_id: int, actor: str, assignee: str) -> Outcome:
    """Assign ``esc_id`` to ``assignee`` (managers only). Assigning it to whoever has it
    already is a no-op: no history row, no DM, no card update (``changed`` False)."""
    before = get(services, esc_id)
    previous = before.assignee if before else None
    if before is not None and previous == assignee:
        allowed = check_allowed(services, esc_id, actor, "reassign")
        return _already_assigned(before, assignee) if allowed.ok else allowed

    def extra(session: Session, esc: Escalation) -> None:
        _alert(services, session, esc, [(assignee, "assignee")], level=esc.sla_level,
               now=services.now())  # fmt: skip
        outbox.enqueue_post(
            session,
            key=f"esc:{esc.id}:assigned:{assignee}:{esc.version}",
            target=assignee,
            message=ec.notice(
                f":point_right: <@{actor}> assigned *{esc.ref}* to you.",
                f"{esc.ref} is assigned to you",
                esc,
            ),
            kind="notice",
            escalation_id=esc.id,
        )

    outcome = _transition(
        services,
        esc_id,
        actor,
        verb="reassign",
        from_statuses=(OPEN, ACKNOWLEDGED),
        values={"assignee": assignee},
        history=lambda esc: ("reassigned", previous, assignee, None),
        # The history's "from" is what was read above: only if no one changed it since.
        unchanged_since=(
            Escalation.assignee.is_(None) if previous is None else Escalation.assignee == previous
        ),
        reporter_text=lambda esc: (
            f":arrows_counterclockwise: *{esc.ref}* is now assigned to "
            f"<@{assignee}> (by <@{actor}>)."
        ),
        extra=extra,
    )
    esc = outcome.escalation
    same = esc is not None and esc.status != RESOLVED and esc.assignee == assignee
    if not outcome.ok and outcome.allowed and same:  # someone made this change meanwhile
        assert esc is not None
        return _already_assigned(esc, assignee)
    return outcome


# --- SLA reminders --------------------------------------------------------------------


def run_sla_reminders(services: Services) -> int:
    """Remind about escalations still open past their deadline; widen one level each.

    Each reminder re-posts the card in the channel and to every manager alerted so far,
    adds the next manager up the Salesforce chain, and sets the next deadline (or none
    when the chain ends). The conditional UPDATE on ``sla_level`` makes it once per level
    even with several schedulers.
    """
    now = services.now()
    with services.db.session() as session:
        due = session.scalars(
            select(Escalation).where(Escalation.status == OPEN, Escalation.next_reminder_at <= now)
        ).all()
        for esc in due:
            session.expunge(esc)
    sent = 0
    for esc in due:
        try:
            if _remind(services, esc, now):
                sent += 1
        except Exception:
            log.exception("SLA reminder for %s failed; will retry", esc.ref)
    return sent


def _remind(services: Services, esc: Escalation, now: dt.datetime) -> bool:
    assert services.slack is not None
    up_sf, up_slack = next_manager_up(services, services.slack, esc.chain_top_sf_id)
    level = esc.sla_level + 1
    waited = services.sla.describe(esc.severity)
    with services.db.session() as session:
        changed = rowcount(
            session.execute(
                update(Escalation)
                .where(
                    Escalation.id == esc.id,
                    Escalation.status == OPEN,
                    Escalation.sla_level == esc.sla_level,
                )
                .values(
                    sla_level=level,
                    chain_top_sf_id=up_sf or esc.chain_top_sf_id,
                    next_reminder_at=services.sla.deadline(esc.severity, now, services.tz)
                    if up_sf
                    else None,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
        )
        if not changed:
            return False
        fresh = session.get(Escalation, esc.id)
        assert fresh is not None
        session.refresh(fresh)
        widened = f" Now also alerting <@{up_slack}>." if up_slack else ""
        banner = f":alarm_clock: *Reminder {level}:* not acknowledged after {waited}.{widened}"
        card = render_card(services, fresh, banner)
        managers = session.scalars(
            select(EscalationRecipient.slack_user_id).where(
                EscalationRecipient.escalation_id == esc.id,
                EscalationRecipient.role.in_(MANAGER_ROLES),
            )
        ).all()
        for user in managers:
            outbox.enqueue_post(
                session,
                key=f"esc:{esc.id}:card:remind:{level}:{user}",
                target=user,
                message=card,
                kind="card",
                escalation_id=esc.id,
            )
        if up_slack:
            _alert(services, session, fresh, [(up_slack, "sf_manager")], level=level, now=now,
                   banner=banner)  # fmt: skip
        channel = services.settings.escalation_channel
        if channel:
            outbox.enqueue_post(
                session,
                key=f"esc:{esc.id}:card:remind:{level}:channel",
                target=channel,
                message=card,
                kind="card",
                escalation_id=esc.id,
            )
        _history(
            session,
            esc.id,
            now,
            SYSTEM,
            "reminded",
            str(level - 1),
            str(level),
            f"unacknowledged after {waited}" + (f"; widened to {up_slack}" if up_slack else ""),
        )
    return True


# --- reading --------------------------------------------------------------------------


def search(
    services: Services,
    *,
    statuses: tuple[str, ...] | None = None,
    user: str | None = None,
    text: str | None = None,
    record_id: str | None = None,
    limit: int | None = ec.MAX_LISTED,
) -> tuple[list[Escalation], int]:
    """Newest first: (up to ``limit`` rows, or all with None; total matching).
    ``record_id`` is a Salesforce account or order Id (15 or 18 characters: the same
    record)."""
    query = select(Escalation)
    if record_id:
        prefix = record_id[:15]
        query = query.where(
            or_(
                func.substr(Escalation.account_id, 1, 15) == prefix,
                func.substr(Escalation.order_id, 1, 15) == prefix,
            )
        )
    if statuses:
        query = query.where(Escalation.status.in_(statuses))
    if user:
        query = query.where(or_(Escalation.reporter == user, Escalation.assignee == user))
    if text:
        t = text.strip()
        like = "%" + t.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                func.lower(Escalation.account_name).like(like, escape="\\"),
                func.upper(Escalation.ref) == t.upper(),
                Escalation.order_number == t,
            )
        )
    with services.db.session() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        ordered = query.order_by(Escalation.id.desc())
        rows = session.scalars(ordered if limit is None else ordered.limit(limit)).all()
        for row in rows:
            session.expunge(row)
    return list(rows), int(total)


def search_visible(
    services: Services,
    viewer: str,
    *,
    statuses: tuple[str, ...] | None = None,
    user: str | None = None,
    text: str | None = None,
    record_id: str | None = None,
    limit: int = ec.MAX_LISTED,
) -> tuple[list[Escalation], int]:
    """:func:`search`, keeping the escalations ``viewer`` may see, and counting only
    those. With ``ACCTBOT_VISIBILITY=salesforce`` that is the ones they filed, are
    assigned or were alerted about, and those whose account (or, without one, order)
    their Salesforce user may read; ``ACCTBOT_ADMINS`` see all. One access check for all.
    """
    from bot import visibility

    if not visibility.enforced(services) or viewer in services.settings.admins:
        return search(
            services, statuses=statuses, user=user, text=text, record_id=record_id, limit=limit
        )
    rows, _ = search(
        services, statuses=statuses, user=user, text=text, record_id=record_id, limit=None
    )
    with services.db.session() as session:
        alerted = set(
            session.scalars(
                select(EscalationRecipient.escalation_id).where(
                    EscalationRecipient.slack_user_id == viewer
                )
            ).all()
        )
    involved = {e.id for e in rows if viewer in (e.reporter, e.assignee) or e.id in alerted}
    record = {e.id: e.account_id or e.order_id for e in rows if e.id not in involved}
    readable = visibility.readable_ids(services, viewer, [r for r in record.values() if r])
    kept = [e for e in rows if e.id in involved or record.get(e.id) in readable]
    return kept[:limit], len(kept)


def all_with_history(session: Session) -> list[tuple[Escalation, list[EscalationHistory]]]:
    rows = session.scalars(select(Escalation).order_by(Escalation.id)).all()
    history = session.scalars(
        select(EscalationHistory).order_by(EscalationHistory.escalation_id, EscalationHistory.id)
    ).all()
    by_id: dict[int, list[EscalationHistory]] = {}
    for h in history:
        by_id.setdefault(h.escalation_id, []).append(h)
    return [(r, by_id.get(r.id, [])) for r in rows]
