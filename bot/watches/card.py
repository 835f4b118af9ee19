"""The watches' messages: the alert DM, the list, and the answers to /watch.

An alert says, for each record, what changed (field: old → new, or what happened), who
did it and when as far as Salesforce knows (who activated an order, who created a record,
else who saved it *last*: ``LastModifiedBy`` is the last save, which need not be the
watched change, and the alert says so), in the reader's own time zone, with a link;
every alert carries a Stop watching button per record and Snooze buttons.

One alert a person a check, whatever arrives together: within Block Kit's limits
(``bot/blocks.py``: 50 blocks, 3,000 characters a section) it shows ``DETAILED`` changes
in full and sums up the rest in one line per account ("…and 1,988 more changes on Acme
Corp: 1,500 orders Status: Draft → Activated, …"), with a *Show all* button that lists
every change of the alert, a page at a time (``more``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

from bot.accounts.queries import AccountMatch
from bot.blocks import MAX_BLOCKS, Message, actions, button, context, header, link, option, section
from bot.infra.models import Watch, WatchChange
from bot.slack_ids import ActionId, SnoozeFor
from bot.text import escape_slack, money, parse_sf_date, plural, slack_date, truncate
from bot.watches import rules
from bot.watches.rules import Change

WATCH_USAGE = (
    "*/watch* `<order number | account name | Salesforce Id or URL>` · `/watch list` · "
    "`/watch stop <same>`\n"
    "I DM you when what you watch changes in Salesforce: an order's status, activation, a "
    "draft passing its effective date, an order getting stuck; a deal's stage, amount or "
    "close date, won or lost; a case opened at high priority or escalated; a contract "
    "ending within 30 days. Watching an account covers its orders, open deals, cases and "
    "contracts. Nothing changes, nothing is said; changes in your quiet hours wait until "
    "morning.\nExamples: `/watch 00000123`, `/watch Acme Corp`, `/watch list`, "
    "`/watch stop Acme Corp`"
)

DETAILED = 20  # changes shown in full in one alert (2 blocks each, within MAX_BLOCKS)
MORE_PAGE = 200  # changes a "Show all" message lists
LIST_PAGE = 40  # watches a /watch list message shows (a section and a button each)
SECTION_CHARS = 3000

WHAT: dict[str, str] = {
    "Account": "its orders, open deals, cases and contracts: order status changes and "
    "activations, drafts passing their effective date, stuck orders, deals moving, won or "
    "lost, cases opened at high priority or escalated, contracts ending within 30 days",
    "Order": "its status changes, when it is activated, passes its effective date as a "
    "draft, or gets stuck",
    "Opportunity": "its stage, amount or close date moving, and when it is won or lost",
    "Case": "when it is escalated",
    "Contract": "when it has 30 days or less to run",
}


def when(at: dt.datetime | None, tz: dt.tzinfo, now: dt.datetime) -> str:
    """'10:05 AM EST today', 'Nov 17, 4:30 PM EST' in the reader's zone."""
    if at is None:
        return ""
    local = at.astimezone(tz)
    stamp = local.strftime("%-I:%M %p %Z")
    if local.date() == now.astimezone(tz).date():
        return f"{stamp} today"
    return f"{slack_date(local.date(), today=now.astimezone(tz).date())}, {stamp}"


def value_text(field: str | None, value: Any, currency: str | None = None) -> str:
    """A field's value as people read it (money in ``currency``, dates, text), escaped."""
    if value is None or value == "":
        return "—"
    if field in rules.MONEY_FIELDS and isinstance(value, int | float):
        return escape_slack(money(value, currency or "USD"))
    if field in rules.DATE_FIELDS:
        return slack_date(parse_sf_date(str(value)))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return escape_slack(value)


def describe(change: Change) -> str:
    """One line of an alert (mrkdwn)."""
    if change.kind == "field":
        old = value_text(change.field, change.old, change.currency)
        new = value_text(change.field, change.new, change.currency)
        return f"{escape_slack(change.label or change.field)}: {old} → *{new}*"
    if change.kind == "activated":
        return ":white_check_mark: *Activated*"
    if change.kind == "overdue":
        return (
            f":warning: *Passed its effective date* ({value_text('EffectiveDate', change.new)})"
            " and is still a draft"
        )
    if change.kind == "stuck":
        return f":hourglass: *Stuck*: still {value_text(None, change.new)}, not activated"
    if change.kind == "won":
        return ":trophy: *Won*"
    if change.kind == "lost":
        return f":x: *Lost* ({value_text(None, change.new)})"
    if change.kind == "opened_high":
        return f":rotating_light: *Opened at {value_text(None, change.new)} priority*"
    if change.kind == "escalated":
        return ":rotating_light: *Escalated*"
    if change.kind == "ending_soon":
        return f":date: *Ends {value_text('EndDate', change.new)}*: 30 days or less to run"
    if change.kind == "moved":
        old, new = value_text(None, change.old), value_text(None, change.new)
        return f":arrow_right: *Moved to another account*: {old} → *{new}*"
    if change.kind == "created":
        return f":new: *Created* ({value_text(None, change.new)})"
    if change.kind == "appeared":
        return (
            f":inbox_tray: *Now on this account* (moved here since the last check), "
            f"{value_text(None, change.new)}"
        )
    if change.kind == "deleted":
        return ":wastebasket: *Deleted in Salesforce*: I stopped watching it"
    if change.kind == "gone":
        return (
            ":wastebasket: *No longer in Salesforce* (deleted, or no longer readable by "
            "acctbot): I stopped watching it"
        )
    return escape_slack(change.kind)


def _plain(change: Change) -> str:
    if change.kind == "field":
        return f"{change.label}: {change.old if change.old is not None else '—'} → {change.new}"
    if change.kind == "moved":
        return f"moved: {change.old} → {change.new}"
    return {
        "opened_high": f"opened at {change.new} priority",
        "ending_soon": "ends soon",
        "created": f"created ({change.new})",
        "appeared": f"now on this account ({change.new})",
        "gone": "no longer in Salesforce",
    }.get(change.kind, change.kind.replace("_", " "))


def who(change: WatchChange, tz: dt.tzinfo, now: dt.datetime) -> str:
    """The alert's "who and when" line for a change, claiming no more than Salesforce
    knows (see the module docstring)."""
    at = when(change.changed_at, tz, now)
    if change.changed_by:
        name = escape_slack(change.changed_by)
        if change.attribution == "activated":
            return f"Activated in Salesforce by {name} · {at}"
        if change.attribution == "created":
            return f"Created in Salesforce by {name} · {at}"
        return f"Last saved in Salesforce by {name} · {at} (who made this change is not recorded)"
    items = [c.get("kind") for c in json.loads(change.changes)]
    if any(k in ("deleted", "gone") for k in items):
        return f"Noticed {when(change.detected_at, tz, now)}"
    return f"As of {when(change.detected_at, tz, now)}: the date passed"


def _who_plain(change: WatchChange) -> str:
    if not change.changed_by:
        return ""
    how = {"activated": "activated by", "created": "created by"}.get(
        change.attribution or "", "last saved by"
    )
    return f" ({how} {change.changed_by})"


def _items(change: WatchChange) -> list[Change]:
    return [Change.from_json(c) for c in json.loads(change.changes)]


def _account_of(change: WatchChange) -> str:
    """The account a change is on, by name (from its label), for summing up."""
    if change.sobject == "Account":
        return change.label
    _, _, account = change.label.partition(" · ")
    return account or "other accounts"


def summary(changes: Sequence[WatchChange]) -> str:
    """One paragraph summing up ``changes``: per account, how many of each kind of record
    changed how ("1,500 orders Status: Draft → Activated"), biggest groups first, within
    one section's 3,000 characters (what does not fit is counted, not dropped)."""
    by_account: dict[str, dict[tuple[str, str], int]] = {}
    for change in changes:
        what = "; ".join(_plain(c) for c in _items(change))
        noun = rules.NOUNS.get(change.sobject, "record")
        groups = by_account.setdefault(_account_of(change), {})
        groups[(noun, what)] = groups.get((noun, what), 0) + 1
    ordered = sorted(by_account.items(), key=lambda kv: -sum(kv[1].values()))
    parts: list[str] = []
    for account, groups in ordered:
        total = sum(groups.values())
        ranked = sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))
        shown = [f"{plural(n, noun)} {what}" for (noun, what), n in ranked[:6]]
        if len(ranked) > 6:
            shown.append(f"{plural(sum(n for _, n in ranked[6:]), 'other change')}")
        parts.append(f"{plural(total, 'more change')} on *{escape_slack(account)}*: "
                     + escape_slack(", ".join(shown)))  # fmt: skip
    text = ""
    for i, part in enumerate(parts):
        candidate = (text + "\n" if text else "") + part
        if len(candidate) > SECTION_CHARS - 200:
            rest = sum(sum(g.values()) for _, g in ordered[i:])
            return text + f"\n…and {plural(rest, 'more change')} on other accounts"
        text = candidate
    return text


def alert(
    changes: Sequence[WatchChange],
    *,
    watched: dict[int, str],
    record_url: Callable[[str], str],
    tz: dt.tzinfo,
    now: dt.datetime,
    held: str | None = None,
    key: str = "",
) -> Message:
    """The one DM for everything a person is told at once (see the module docstring).
    ``watched``: change id -> the watched Id it came through (its Stop button); ``held``:
    why they waited, if they did ("snoozed", or the quiet hours); ``key``: the DM's
    outbox key, which its *Show all* button names."""
    n = len(changes)
    what = plural(n, "change")
    if held == "snoozed":
        title = f":zzz: *While your alerts were snoozed*: {what}"
    elif held:
        title = f":sunrise: *While you were away* ({held}): {what}"
    else:
        title = f":eyes: *{what[0].upper() + what[1:]}* in what you watch"
    blocks: list[dict[str, Any]] = [section(title)]
    plain: list[str] = []
    shown, rest = list(changes[:DETAILED]), list(changes[DETAILED:])
    for change in shown:
        items = _items(change)
        lines = "\n".join(f"• {describe(c)}" for c in items)
        through = watched.get(change.id, change.record_id)
        stop = "Stop watching" if through == change.record_id else "Stop watching the account"
        blocks.append(
            section(
                f"*{link(record_url(change.record_id), change.label)}*\n{lines}",
                accessory=button(stop, ActionId.WATCH_STOP, through),
            )
        )
        blocks.append(context(who(change, tz, now)))
        plain.append(f"{change.label}: " + "; ".join(_plain(c) for c in items) + _who_plain(change))
    buttons = [
        button("Snooze 1 hour", ActionId.WATCH_SNOOZE, SnoozeFor.HOUR),
        button("Snooze until tomorrow", ActionId.WATCH_SNOOZE, SnoozeFor.MORNING),
    ]
    if rest:
        blocks.append(section("…and " + summary(rest)))
        plain.append(f"…and {plural(len(rest), 'more change')}")
        if key:
            buttons.insert(0, button(f"Show all {n:,}", ActionId.WATCH_MORE, f"{key}|1"))
    blocks.append(actions(*buttons, block_id="watch_alert_actions"))
    assert len(blocks) <= MAX_BLOCKS
    text = ("While you were away: " if held else "") + " · ".join(plain)
    return Message(text=escape_slack(truncate(text, 3000)), blocks=blocks)


def more(
    changes: Sequence[WatchChange],
    *,
    key: str,
    page: int,
    record_url: Callable[[str], str],
) -> Message:
    """Page ``page`` (from 1) of every change an alert carried, ``MORE_PAGE`` a message,
    one line each, with a button to the next page."""
    pages = max(1, (len(changes) + MORE_PAGE - 1) // MORE_PAGE)
    page = min(max(page, 1), pages)
    chunk = changes[(page - 1) * MORE_PAGE : page * MORE_PAGE]
    lines = [
        f"• *{link(record_url(c.record_id), c.label)}*: "
        + escape_slack("; ".join(_plain(i) for i in _items(c)) + _who_plain(c))
        for c in chunk
    ]
    blocks: list[dict[str, Any]] = [
        section(f"*All {plural(len(changes), 'change')} of that alert* (page {page} of {pages})")
    ]
    text = ""
    for line in lines:
        line = truncate(line, 600)  # 200 lines then fit in 40 sections
        if text and len(text) + 1 + len(line) > SECTION_CHARS:
            blocks.append(section(text))
            text = ""
        text = f"{text}\n{line}" if text else line
    if text:
        blocks.append(section(text))
    if page < pages:
        blocks.append(
            actions(button(f"Next {MORE_PAGE}", ActionId.WATCH_MORE, f"{key}|{page + 1}"))
        )
    assert len(blocks) <= MAX_BLOCKS
    return Message(
        text=escape_slack(f"All {plural(len(changes), 'change')} of that alert, page {page}."),
        blocks=blocks,
    )


def watching(label: str, sobject: str, url: str, record_id: str, *, quiet: str, tz: str) -> Message:
    """The answer to a new watch."""
    body = f":eyes: You're watching *{link(url, label)}*. I'll DM you about {WHAT[sobject]}.\n" + (
        f"Quiet hours {quiet} your time ({escape_slack(tz)}): changes then wait until morning."
        if quiet != "off"
        else "No quiet hours: changes come as they happen."
    )
    return Message(
        text=escape_slack(f"You're watching {label}."),
        blocks=[
            section(body, accessory=button("Stop watching", ActionId.WATCH_STOP, record_id)),
            context("`/watch list` shows what you watch; `/watch stop` ends a watch."),
        ],
    )


def already(label: str, url: str, record_id: str) -> Message:
    """The answer to watching what one already watches (with a Stop button)."""
    return Message(
        text=escape_slack(f"You're already watching {label}."),
        blocks=[
            section(
                f"You're already watching *{link(url, label)}*.",
                accessory=button("Stop watching", ActionId.WATCH_STOP, record_id),
            )
        ],
    )


def stopped(label: str) -> Message:
    """The answer to a stopped watch."""
    return Message(
        text=escape_slack(f"You're no longer watching {label}."),
        blocks=[section(f":no_bell: You're no longer watching *{escape_slack(label)}*.")],
    )


def not_watching(text: str) -> Message:
    """``/watch stop <text>`` when no watch of the person matches ``text``."""
    return Message(
        text=escape_slack(f"You're not watching anything that matches {text}."),
        blocks=[
            section(
                f"You're not watching anything that matches *{escape_slack(text)}*. "
                "`/watch list` shows what you watch."
            )
        ],
    )


def picker(query: str, matches: list[AccountMatch], total: int) -> Message:
    """Several accounts match ``/watch <name>``: choose the one to watch. One account
    that only *contains* what was typed is offered to confirm, never watched at once."""
    if len(matches) == 1 and total <= 1:
        m = matches[0]
        name = m.name + (f" · {m.number}" if m.number else "")
        return Message(
            text=escape_slack(f"Did you mean {name}?"),
            blocks=[
                section(
                    f"No account is called *{escape_slack(query)}*. Did you mean "
                    f"*{escape_slack(name)}*?",
                    accessory=button(f"Watch {truncate(m.name, 60)}", ActionId.WATCH_PICK, m.id),
                )
            ],
        )
    select = {
        "type": "static_select",
        "action_id": ActionId.WATCH_PICK,
        "placeholder": {"type": "plain_text", "text": "Choose an account to watch"},
        "options": [
            option(m.name + (f" · {m.number}" if m.number else ""), m.id) for m in matches[:100]
        ],
    }
    more = f" (the best {len(matches)} shown)" if total > len(matches) else ""
    return Message(
        text=escape_slack(f"{max(total, len(matches))} accounts match {query}."),
        blocks=[
            section(
                f"{max(total, len(matches))} accounts match *{escape_slack(query)}*{more}. "
                "Which one do you want to watch?",
                accessory=select,
            )
        ],
    )


def stop_picker(query: str, matches: list[Watch], *, record_url: Callable[[str], str]) -> Message:
    """``/watch stop <text>`` naming several of the person's watches: each with its own
    Stop button, to choose the one (at most ``LIST_PAGE``; more: type more of the name)."""
    blocks: list[dict[str, Any]] = [
        section(
            f"{plural(len(matches), 'of your watches', 'of your watches')} match "
            f"*{escape_slack(query)}*. Which one do you want to stop?"
        )
    ]
    for w in matches[:LIST_PAGE]:
        noun = rules.NOUNS.get(w.sobject, "record")
        blocks.append(
            section(
                f"*{link(record_url(w.record_id), w.label)}* · {noun}",
                accessory=button("Stop watching", ActionId.WATCH_STOP, w.record_id),
            )
        )
    if len(matches) > LIST_PAGE:
        blocks.append(context(f"…and {len(matches) - LIST_PAGE} more: type more of the name."))
    return Message(
        text=escape_slack(f"{len(matches)} of your watches match {query}: which one?"),
        blocks=blocks,
    )


def watch_list(
    watches: list[Watch],
    *,
    record_url: Callable[[str], str],
    quiet: str,
    tz: dt.tzinfo,
    now: dt.datetime,
    snoozed_until: dt.datetime | None,
    total: int | None = None,
    page: int = 1,
) -> Message:
    """``/watch list``: a page (``LIST_PAGE`` a page; ``watches`` is that page, ``total``
    how many there are in all) of the person's watches, each with its Stop button, a
    button to the next page, and the quiet hours and any snooze."""
    total = len(watches) if total is None else total
    if not watches:
        return Message(
            text="You're not watching anything yet.",
            blocks=[
                section(
                    "You're not watching anything yet. Try `/watch 00000123` for an order or "
                    "`/watch Acme Corp` for an account, or press *Watch* on a card."
                )
            ],
        )
    pages = max(1, (total + LIST_PAGE - 1) // LIST_PAGE)
    title = f"What you watch ({total})" + (f", page {page} of {pages}" if pages > 1 else "")
    blocks: list[dict[str, Any]] = [header(title)]
    for w in watches[:LIST_PAGE]:
        noun = rules.NOUNS.get(w.sobject, "record")
        since = slack_date(w.created_at.astimezone(tz).date(), today=now.astimezone(tz).date())
        blocks.append(
            section(
                f"*{link(record_url(w.record_id), w.label)}* · {noun} · since {since}",
                accessory=button("Stop watching", ActionId.WATCH_STOP, w.record_id),
            )
        )
    notes = [f"Quiet hours: {quiet}, your time."]
    elements = []
    if page < pages:
        first, last = page * LIST_PAGE + 1, min(total, (page + 1) * LIST_PAGE)
        notes.insert(0, f"{first}–{last} of {total} on the next page.")
        elements.append(button("Next page", ActionId.WATCH_LIST_PAGE, str(page + 1)))
    if snoozed_until is not None and snoozed_until > now:
        notes.append(f"Alerts snoozed until {when(snoozed_until, tz, now)}.")
        elements.append(button("Resume alerts now", ActionId.WATCH_RESUME, "resume"))
    blocks.append(context(" ".join(notes)))
    if elements:
        blocks.append(actions(*elements, block_id="watch_list_actions"))
    assert len(blocks) <= MAX_BLOCKS
    text = f"You watch {plural(total, 'record')}: " + ", ".join(w.label for w in watches)
    return Message(text=escape_slack(truncate(text, 3000)), blocks=blocks)


def snoozed(until: dt.datetime, tz: dt.tzinfo, now: dt.datetime) -> Message:
    """The answer to a Snooze button: until when (in the person's zone ``tz``)."""
    stamp = when(until, tz, now)
    return Message(
        text=escape_slack(f"Watch alerts snoozed until {stamp}."),
        blocks=[
            section(
                f":zzz: Watch alerts snoozed until *{stamp}*. What changes meanwhile comes "
                "then, in one message.",
                accessory=button("Resume now", ActionId.WATCH_RESUME, "resume"),
            )
        ],
    )


def resumed() -> Message:
    """The answer to Resume."""
    return Message(
        text="Watch alerts are on again.",
        blocks=[section(":bell: Watch alerts are on again.")],
    )
