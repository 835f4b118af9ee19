"""Watches: start and stop them, list them, snooze and resume alerts.

Starting a watch reads the record once (an account: every one of its orders, deals,
cases and contracts, in one composite request plus a request per 2,000 more) and keeps
those values, so the first change after is already "old → new". A person may only watch
what their Salesforce user may read (:func:`bot.visibility.readable_ids`).

What a person types is read strictly: an Id or a link alone (words around an Id are not
ignored), an order number, or at least two letters or digits of an account's name; a
name that only one account *contains* is offered to confirm, as several are offered to
choose from. ``/watch stop`` with a name that several watches match asks which.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from bot import visibility
from bot.accounts.queries import Lookup
from bot.accounts.search import readable_suggestions, visible_matches
from bot.blocks import Message, error_message, not_found, section
from bot.blocks import refusal_message as refusal_message_text
from bot.orders.queries import parse_order_ref
from bot.people import AccessRefused, refusal_message
from bot.slack_ids import SnoozeFor
from bot.watches import card, detect, queries, repo, rules
from bot.watches.deliver import person_zone, quiet_hours
from bot.watches.queries import Target
from bot.watches.quiet import next_morning

if TYPE_CHECKING:
    from bot.infra.models import Watch
    from bot.services import Services

log = logging.getLogger(__name__)

MAX_WATCHES = 100
CANNOT_READ = (
    "Your Salesforce user can't see {what}, so I can't watch it for you. Ask its owner or a "
    "Salesforce admin for access."
)


def watch(services: Services, user: str, text: str) -> Message:
    """``/watch <text>``: resolve what ``text`` names and start watching it.

    Resolved as ``/account`` does (bot/accounts/search.py): the picker lists and the
    suggestions name only accounts the person may read; a record found by name or number
    that they may not read is "No account or order matches" (as if absent); one named by
    its Id or link is refused without its label. Refusals carry ``outcome="denied"`` and
    the record's Id for the audit log.
    """
    found = queries.resolve(
        services.salesforce,
        services.accounts.find,
        text,
        services.today(),
        detect.currency_field(services),
    )
    if found.problem:
        return error_message(found.problem)
    if found.matches and found.lookup is not None:
        visible, total, _ = visible_matches(services, user, found.lookup)
        if len(visible) > 1:
            msg = card.picker(text, visible, total)
            msg.record_ids = tuple(m.id for m in visible)
            return msg
        if visible:
            one = visible[0]
            return start(services, user, Target(one.id, "Account", one.name, one.id, one.name))
        return _no_match(services, user, text, None)
    if found.target is None:
        return _no_match(services, user, text, found.lookup if found.by == "name" else None)
    if found.by != "id":
        try:
            readable = visibility.readable_ids(services, user, [found.target.record_id])
        except AccessRefused as exc:
            return refusal_message(exc)
        if found.target.record_id not in readable:
            msg = _no_match(services, user, text, None)
            msg.outcome, msg.record_ids = "denied", (found.target.record_id,)
            return msg
    return start(services, user, found.target)


def _no_match(services: Services, user: str, text: str, lookup: Lookup | None) -> Message:
    """ "No account or order matches", with close account names the person may read
    (computed the same way whether or not a hidden record matched; none for an order
    number, found or not)."""
    ref = parse_order_ref(text)
    suggestions = [] if ref is not None else readable_suggestions(services, user, text, lookup)
    return not_found(
        "account or order",
        text,
        suggestions,
        "Try an order number, part of an account's name, or paste a Salesforce link.",
    )


def watch_id(services: Services, user: str, record_id: str) -> Message:
    """Start watching a record by its Id (the Watch button, the account picker)."""
    record_id = queries.to_18(record_id)
    sobject = rules.kind_of(record_id)
    if sobject is None:
        return error_message("I can watch accounts, orders, deals, cases and contracts.")
    rec = queries.read_record(
        services.salesforce, sobject, record_id, detect.currency_field(services)
    )
    if rec is None:
        return error_message(f"That {rules.NOUNS[sobject]} no longer exists in Salesforce.")
    return start(services, user, queries.target_from(sobject, rec))


def start(services: Services, user: str, target: Target) -> Message:
    """Watch ``target`` for ``user``: refused when they may not read it or watch too
    much already; otherwise its values are kept as the starting point."""
    url = services.record_url(target.record_id)
    try:
        readable = visibility.readable_ids(services, user, [target.record_id])
    except AccessRefused as exc:  # not someone acctbot serves (bot/people.py)
        return refusal_message(exc)
    if target.record_id not in readable:
        # No label: the person named it by Id or link, and may not read what it is.
        noun = rules.NOUNS.get(target.sobject, "record")
        msg = refusal_message_text(CANNOT_READ.format(what=f"that {noun}"), outcome="denied")
        msg.record_ids = (target.record_id,)
        return msg
    with services.db.session() as s:
        if repo.is_watching(s, user, target.record_id):
            return card.already(target.label, url, target.record_id)
        if repo.count_watches(s, user) >= MAX_WATCHES:
            return error_message(
                f"You're watching {MAX_WATCHES} records already, the most I keep for one "
                "person. `/watch list` shows them; stop some to watch others."
            )
    ctx = detect.context(services)
    records, answered = queries.baseline(
        services.salesforce, target, detect.currency_field(services)
    )
    now = services.now()
    read_at = answered or now  # the org's time of the read (its Date header)
    seen = [detect.seen_from(kind, rec, ctx, read_at) for kind, rec in records]
    with services.db.session() as s:
        added = repo.add_watch(
            s,
            user=user,
            record_id=target.record_id,
            sobject=target.sobject,
            label=target.label,
            account_id=target.account_id,
            now=now,
        )
        for one in seen:
            repo.first_sight(s, one, now)
        if repo.cursor(s) is None:  # the first watch: changes count from its read
            repo.advance_cursor(s, read_at, now)
    if not added:  # the same click twice at once
        return card.already(target.label, url, target.record_id)
    log.info("%s watches %s %s", user, target.sobject, target.record_id)
    tz = person_zone(services, user, now)
    return card.watching(
        target.label,
        target.sobject,
        url,
        target.record_id,
        quiet=quiet_hours(services).describe(),
        tz=tz.key,
    )


def stop(services: Services, user: str, text: str) -> Message:
    """``/watch stop <text>``: the watch ``text`` names (by Id or link, order number,
    name), among the person's own watches first; several: a picker to choose one."""
    with services.db.session() as s:
        mine = repo.watches_of(s, user)
    if queries.find_id(text) is None and queries.name_characters(text) < 2:
        return error_message(
            "Type at least 2 letters or digits of what to stop watching, an order number, "
            "or a Salesforce link. `/watch list` shows what you watch."
        )
    hits = _matches(mine, text)
    if len(hits) > 1:
        return card.stop_picker(text, hits, record_url=services.record_url)
    chosen = hits[0] if hits else None
    if chosen is None:
        try:
            found = queries.resolve(
                services.salesforce,
                services.accounts.find,
                text,
                services.today(),
                detect.currency_field(services),
            )
        except Exception:  # Salesforce down: say what we know from our own list
            log.warning("stop %r: could not ask Salesforce", text, exc_info=True)
            found = None
        if found is not None and found.target is not None:
            chosen = next((w for w in mine if w.record_id == found.target.record_id), None)
    if chosen is None:
        return card.not_watching(text)
    return stop_id(services, user, chosen.record_id)


def stop_id(services: Services, user: str, record_id: str) -> Message:
    """Stop the watch of ``record_id``; its unsent alerts go on through another watch of
    the person that covers them, or are dropped (``repo.remove_watch``)."""
    with services.db.session() as s:
        gone = repo.remove_watch(s, user, queries.to_18(record_id))
    if gone is None:
        return Message(
            text="You weren't watching that (any more).",
            blocks=[
                section("You weren't watching that (any more). `/watch list` shows what you watch.")
            ],
        )
    log.info("%s stopped watching %s", user, gone.record_id)
    return card.stopped(gone.label)


def is_watching(services: Services, user: str | None, record_id: str) -> bool | None:
    """Whether ``user`` watches ``record_id`` (None without a user: a shared card)."""
    if user is None:
        return None
    with services.db.session() as s:
        return repo.is_watching(s, user, queries.to_18(record_id))


def listing(services: Services, user: str, page: int = 1) -> Message:
    """``/watch list``: page ``page`` (from 1) of the person's watches (``card.LIST_PAGE``
    a page, with a button to the next)."""
    now = services.now()
    with services.db.session() as s:
        total = repo.count_watches(s, user)
        pages = max(1, (total + card.LIST_PAGE - 1) // card.LIST_PAGE)
        page = min(max(page, 1), pages)
        mine = repo.watches_page(s, user, offset=(page - 1) * card.LIST_PAGE, limit=card.LIST_PAGE)
        p = repo.person(s, user)
        snoozed = p.snoozed_until if p is not None else None
    tz = person_zone(services, user, now)
    return card.watch_list(
        mine,
        record_url=services.record_url,
        quiet=quiet_hours(services).describe(),
        tz=tz,
        now=now,
        snoozed_until=snoozed,
        total=total,
        page=page,
    )


def more(services: Services, user: str, value: str) -> Message:
    """*Show all* on a big alert: a page of every change it carried (``value``: the DM's
    outbox key, "|", the page). Only the person it was sent to sees their changes."""
    key, _, page = value.rpartition("|")
    if not key.startswith(f"watch:{user}:"):
        return error_message("That button belongs to someone else's alert.")
    with services.db.session() as s:
        changes = repo.notices_of_dm(s, user, key)
    if not changes:
        return error_message("I no longer have the changes of that alert.")
    number = int(page) if page.isdigit() else 1
    return card.more(changes, key=key, page=number, record_url=services.record_url)


def snooze(services: Services, user: str, how_long: str) -> Message:
    """Hold a person's alerts for an hour or until the start of their next day (a UTC
    instant; ``quiet.next_morning``). What arrives meanwhile comes after, bundled."""
    try:
        span = SnoozeFor(how_long)
    except ValueError:
        return error_message("That snooze button is out of date.")
    now = services.now()
    tz = person_zone(services, user, now)
    if span is SnoozeFor.HOUR:
        until = now + dt.timedelta(hours=1)
    else:
        until = next_morning(now, tz, quiet_hours(services).day_starts)
    with services.db.session() as s:
        repo.save_person(s, user, now, snoozed_until=until)
    return card.snoozed(until, tz, now)


def resume(services: Services, user: str) -> Message:
    """End a person's snooze now."""
    with services.db.session() as s:
        repo.save_person(s, user, services.now(), snoozed_until=None)
    return card.resumed()


def home_watches(services: Services, user: str) -> list[Watch]:
    """A person's watches for the App Home."""
    with services.db.session() as s:
        return repo.watches_of(s, user)


def _matches(mine: list[Watch], text: str) -> list[Watch]:
    """The watches of ``mine`` that ``text`` names: the one with that Id or order number,
    else those named exactly so, else those whose name contains it."""
    wanted = queries.find_id(text)
    if wanted:
        return [w for w in mine if w.record_id == wanted]
    ref = parse_order_ref(text)
    if ref is not None and ref[0] == "number":
        label = f"Order {ref[1]}"
        return [w for w in mine if w.label == label or w.label.startswith(label + " ·")]
    t = text.strip().lower()
    exact = [w for w in mine if w.label.lower() == t or w.label.lower().split(" · ")[0] == t]
    return exact or [w for w in mine if t in w.label.lower()]
