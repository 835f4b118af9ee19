"""The watches' messages: the alert DM, the list, and the answers to /watch.

An alert says, for each record, what changed (field: old → new, or what happened), who
changed it and when (in the reader's own time zone), with a link; every alert carries a
Stop watching button per record and Snooze buttons. Everything stays within Block Kit's
limits (``bot/blocks.py``): at most ``deliver.MAX_PER_DM`` records a message.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

from bot.accounts.queries import AccountMatch
from bot.blocks import Message, actions, button, context, header, link, option, section
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
    return escape_slack(change.kind)


def _plain(change: Change) -> str:
    if change.kind == "field":
        return f"{change.label}: {change.old if change.old is not None else '—'} → {change.new}"
    return {"opened_high": f"opened at {change.new} priority", "ending_soon": "ends soon"}.get(
        change.kind, change.kind.replace("_", " ")
    )


def alert(
    changes: Sequence[WatchChange],
    *,
    watched: dict[int, str],
    record_url: Callable[[str], str],
    tz: dt.tzinfo,
    now: dt.datetime,
    held: str | None = None,
    part: tuple[int, int] = (1, 1),
) -> Message:
    """One DM for a bundle of changes. ``watched``: change id -> the watched Id it came
    through (its Stop button); ``held``: why they waited, if they did ("snoozed", or the
    quiet hours)."""
    n = len(changes)
    what = plural(n, "change")
    if held == "snoozed":
        title = f":zzz: *While your alerts were snoozed*: {what}"
    elif held:
        title = f":sunrise: *While you were away* ({held}): {what}"
    else:
        title = f":eyes: *{what[0].upper() + what[1:]}* in what you watch"
    if part[1] > 1:
        title += f" (part {part[0]} of {part[1]})"
    blocks: list[dict[str, Any]] = [section(title)]
    plain: list[str] = []
    for change in changes:
        items = [Change.from_json(c) for c in json.loads(change.changes)]
        lines = "\n".join(f"• {describe(c)}" for c in items)
        through = watched.get(change.id, change.record_id)
        stop = "Stop watching" if through == change.record_id else "Stop watching the account"
        blocks.append(
            section(
                f"*{link(record_url(change.record_id), change.label)}*\n{lines}",
                accessory=button(stop, ActionId.WATCH_STOP, through),
            )
        )
        if change.changed_by:
            by = f"Changed in Salesforce by {escape_slack(change.changed_by)}"
            blocks.append(context(f"{by} · {when(change.changed_at, tz, now)}"))
        else:
            blocks.append(context(f"As of {when(change.detected_at, tz, now)}: the date passed"))
        who = f" (by {change.changed_by})" if change.changed_by else ""
        plain.append(f"{change.label}: " + "; ".join(_plain(c) for c in items) + who)
    blocks.append(
        actions(
            button("Snooze 1 hour", ActionId.WATCH_SNOOZE, SnoozeFor.HOUR),
            button("Snooze until tomorrow", ActionId.WATCH_SNOOZE, SnoozeFor.MORNING),
            block_id="watch_alert_actions",
        )
    )
    text = ("While you were away: " if held else "") + " · ".join(plain)
    return Message(text=escape_slack(truncate(text, 3000)), blocks=blocks)


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
    """Several accounts match ``/watch <name>``: choose the one to watch."""
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


def watch_list(
    watches: list[Watch],
    *,
    record_url: Callable[[str], str],
    quiet: str,
    tz: dt.tzinfo,
    now: dt.datetime,
    snoozed_until: dt.datetime | None,
) -> Message:
    """``/watch list``: each watch with its Stop button; quiet hours and any snooze."""
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
    blocks: list[dict[str, Any]] = [header(f"What you watch ({len(watches)})")]
    for w in watches[:40]:
        noun = rules.NOUNS.get(w.sobject, "record")
        since = slack_date(w.created_at.astimezone(tz).date(), today=now.astimezone(tz).date())
        blocks.append(
            section(
                f"*{link(record_url(w.record_id), w.label)}* · {noun} · since {since}",
                accessory=button("Stop watching", ActionId.WATCH_STOP, w.record_id),
            )
        )
    if len(watches) > 40:
        blocks.append(context(f"…and {len(watches) - 40} more."))
    notes = [f"Quiet hours: {quiet}, your time."]
    elements = []
    if snoozed_until is not None and snoozed_until > now:
        notes.append(f"Alerts snoozed until {when(snoozed_until, tz, now)}.")
        elements.append(button("Resume alerts now", ActionId.WATCH_RESUME, "resume"))
    blocks.append(context(" ".join(notes)))
    if elements:
        blocks.append(actions(*elements, block_id="watch_list_actions"))
    text = f"You watch {plural(len(watches), 'record')}: " + ", ".join(w.label for w in watches)
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
