"""Block Kit for escalations: the alert card, notices, the modals and the list.

Every message stays inside Slack's limits (50 blocks, section text 3000, fields 2000,
header 150, button text 75, option text 75 / value 150); modals stay under 100 blocks.
User-typed text is escaped (``&``, ``<``, ``>``) wherever it goes into mrkdwn.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.blocks import (
    Message,
    actions,
    button,
    context,
    fields_section,
    header,
    link,
    option,
    section,
)
from bot.escalations.status import EscalationStatus
from bot.infra.models import Escalation
from bot.slack_ids import ActionId, CallbackId, EscalationRef
from bot.text import escape_slack, plural, truncate

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("billing", "Billing"),
    ("installation", "Installation"),
    ("disconnect", "Disconnect"),
    ("contract", "Contract"),
    ("order_quality", "Order quality"),
    ("service_outage", "Service outage"),
    ("other", "Other"),
)
SEVERITIES: tuple[tuple[str, str], ...] = (
    ("P1", "P1 — critical"),
    ("P2", "P2 — high"),
    ("P3", "P3 — medium"),
    ("P4", "P4 — low"),
)
CATEGORY_LABELS = dict(CATEGORIES)
SEVERITY_LABELS = dict(SEVERITIES)
STATUS_EMOJI: dict[str, str] = {
    EscalationStatus.OPEN: ":red_circle:",
    EscalationStatus.ACKNOWLEDGED: ":large_orange_circle:",
    EscalationStatus.RESOLVED: ":white_check_mark:",
}
SEVERITY_EMOJI = {"P1": ":rotating_light:", "P2": ":warning:", "P3": ":pushpin:", "P4": ":memo:"}

# Modal callback ids, block ids and action ids (handlers and tests use these names).
NEW_CALLBACK = CallbackId.ESCALATION_NEW
RESOLVE_CALLBACK = CallbackId.ESCALATION_RESOLVE
REASSIGN_CALLBACK = CallbackId.ESCALATION_REASSIGN
ACCOUNT_ACTION = ActionId.ESCALATION_ACCOUNT
ACK_ACTION = ActionId.ESCALATION_ACK
RESOLVE_ACTION = ActionId.ESCALATION_RESOLVE
REASSIGN_ACTION = ActionId.ESCALATION_REASSIGN
ALERT_ACTIONS_BLOCK = "escalation_actions"
NO_ACCOUNT = "none"  # the account select's "nothing to pick" option (a note, not an account)
MAX_LISTED = 20

RecordUrl = Callable[[str], str | None]


@dataclass
class Prefill:
    """What the escalation modal starts with."""

    account_id: str | None = None
    account_name: str | None = None
    order_number: str | None = None
    note: str | None = None


# --- small pieces -------------------------------------------------------------------


def _when(at: dt.datetime | None, tz: dt.tzinfo) -> str:
    """A Slack date token (shown in the reader's zone) with a fallback in ours."""
    if at is None:
        return "—"
    local = at.astimezone(tz)
    fallback = local.strftime("%b %-d, %-I:%M %p %Z")
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def _who(user_id: str | None) -> str:
    return f"<@{user_id}>" if user_id else "nobody yet"


def _linked(name: str | None, record_id: str | None, record_url: RecordUrl) -> str:
    label = name or record_id or "—"
    url = record_url(record_id) if record_id else None
    return link(url, label) if url else escape_slack(label)


def title_of(esc: Escalation) -> str:
    return f"{esc.ref} · {esc.severity} · {CATEGORY_LABELS.get(esc.category, esc.category)}"


def summary_text(esc: Escalation) -> str:
    what = esc.account_name or (f"order {esc.order_number}" if esc.order_number else "no account")
    return (
        f"{esc.ref} {esc.severity} {CATEGORY_LABELS.get(esc.category, esc.category).lower()} "
        f"for {what}: {esc.status}. {truncate(esc.description, 200)}"
    )


# --- the alert card -----------------------------------------------------------------


def alert_card(
    esc: Escalation, *, record_url: RecordUrl, tz: dt.tzinfo, banner: str | None = None
) -> Message:
    """The card in the escalation channel and in managers' DMs (updated in place)."""
    emoji = SEVERITY_EMOJI.get(esc.severity, "")
    blocks: list[dict[str, Any]] = [header(f"{emoji} {title_of(esc)}".strip())]
    if banner:
        blocks.append(context(banner))
    order = "—"
    if esc.order_number or esc.order_id:
        order = _linked(esc.order_number, esc.order_id, record_url)
    status = f"{STATUS_EMOJI.get(esc.status, '')} *{esc.status}*"
    if esc.status == EscalationStatus.ACKNOWLEDGED and esc.acknowledged_by:
        status += f" by {_who(esc.acknowledged_by)}"
    if esc.status == EscalationStatus.RESOLVED and esc.resolved_by:
        status += f" by {_who(esc.resolved_by)}"
    fields = [
        f"*Account*\n{_linked(esc.account_name, esc.account_id, record_url)}",
        f"*Order*\n{order}",
        f"*Severity*\n{escape_slack(SEVERITY_LABELS.get(esc.severity, esc.severity))}",
        f"*Status*\n{status}",
        f"*Assignee*\n{_who(esc.assignee)}",
        f"*Reported by*\n{_who(esc.reporter)}",
        f"*Customer needs an answer by*\n{_when(esc.due_at, tz)}",
        f"*Filed*\n{_when(esc.created_at, tz)}",
    ]
    if esc.owner_name:
        fields.append(f"*Account owner*\n{escape_slack(esc.owner_name)}")
    blocks.append(fields_section(fields))
    blocks.append(section("*What happened*\n" + escape_slack(truncate(esc.description, 2900))))
    if esc.status == EscalationStatus.RESOLVED:
        blocks.append(
            section(
                f"*Resolution* ({_who(esc.resolved_by)}, {_when(esc.resolved_at, tz)})\n"
                + escape_slack(truncate(esc.resolution or "", 2800))
            )
        )
    else:
        elements = []
        ref = EscalationRef(esc.id).to_value()
        if esc.status == EscalationStatus.OPEN:
            elements.append(button("Acknowledge", ACK_ACTION, ref, style="primary"))
        elements.append(button("Resolve", RESOLVE_ACTION, ref))
        elements.append(button("Reassign", REASSIGN_ACTION, ref))
        blocks.append(actions(*elements, block_id=ALERT_ACTIONS_BLOCK))
    blocks.append(context(f"{esc.ref} · only managers can acknowledge, resolve or reassign"))
    # The fallback is what notifications show: escaped like the blocks (Slack parses
    # <!channel>, <!here> and links in ``text`` too).
    return Message(text=escape_slack(summary_text(esc)), blocks=blocks)


def notice(text_mrkdwn: str, plain: str, esc: Escalation) -> Message:
    """A short DM (to the reporter, or a new assignee) about a change."""
    return Message(
        text=escape_slack(plain),
        blocks=[section(text_mrkdwn), context(escape_slack(truncate(summary_text(esc), 300)))],
    )


# --- modals ---------------------------------------------------------------------------


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _input(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(truncate(hint, 2000))
    return block


def _static_select(action_id: str, placeholder: str, choices: Sequence[tuple[str, str]]) -> dict:
    return {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": _plain(placeholder),
        "options": [option(label, value) for value, label in choices],
    }


def account_option_label(name: str, number: str | None, place: str | None) -> str:
    bits = [name] + [b for b in (number, place) if b]
    return truncate(" · ".join(bits), 75)


def new_escalation_view(prefill: Prefill, *, private_metadata: dict[str, Any]) -> dict[str, Any]:
    account: dict[str, Any] = {
        "type": "external_select",
        "action_id": ACCOUNT_ACTION,
        "placeholder": _plain("Type part of the account name"),
        "min_query_length": 2,
    }
    if prefill.account_id and prefill.account_name:
        account["initial_option"] = option(prefill.account_name, prefill.account_id)
    order: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "order_input",
        "placeholder": _plain("e.g. 00000123"),
        "max_length": 40,
    }
    if prefill.order_number:
        order["initial_value"] = prefill.order_number
    blocks: list[dict[str, Any]] = []
    if prefill.note:
        blocks.append(context(escape_slack(prefill.note)))
    blocks += [
        _input(
            "account",
            "Account",
            account,
            optional=True,
            hint="Searches Salesforce. Leave it empty if you give an order number.",
        ),
        _input("order", "Order number (optional)", order, optional=True),
        _input("category", "Category", _static_select("category_select", "Choose", CATEGORIES)),
        _input("severity", "Severity", _static_select("severity_select", "Choose", SEVERITIES)),
        _input(
            "description",
            "What happened",
            {
                "type": "plain_text_input",
                "action_id": "description_input",
                "multiline": True,
                "max_length": 3000,
                "placeholder": _plain("What the customer reported, and what you need"),
            },
        ),
        _input(
            "due",
            "Customer needs an answer by (optional)",
            {"type": "datetimepicker", "action_id": "due_input"},
            optional=True,
        ),
    ]
    return {
        "type": "modal",
        "callback_id": NEW_CALLBACK,
        "title": _plain("Escalate"),
        "submit": _plain("File escalation"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps(private_metadata)[:3000],
        "blocks": blocks,
    }


def filed_view(esc: Escalation, alerted: list[str], channel: str | None) -> dict[str, Any]:
    who = ", ".join(_who(u) for u in alerted)
    # A channel id as a mention; a #name acctbot could not resolve (see
    # bot.application.resolve_channel_names) as it is written.
    where = [channel if channel.startswith("#") else f"<#{channel}>"] if channel else []
    audience = ", ".join(where + ([who] if who else []))
    lines = f":white_check_mark: *{esc.ref}* is filed and saved."
    lines += f"\nAlerting {audience}." if audience else "\nManagers are being found and alerted."
    lines += "\nYou will get a DM each time its status changes."
    return {
        "type": "modal",
        "title": _plain("Escalation filed"),
        "close": _plain("Done"),
        "blocks": [section(lines), context(escape_slack(truncate(summary_text(esc), 300)))],
    }


def resolve_view(esc: Escalation) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": RESOLVE_CALLBACK,
        "title": _plain("Resolve escalation"),
        "submit": _plain("Resolve"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps({"id": esc.id}),
        "blocks": [
            section(f"*{esc.ref}* — {escape_slack(truncate(summary_text(esc), 500))}"),
            _input(
                "resolution",
                "Resolution",
                {
                    "type": "plain_text_input",
                    "action_id": "resolution_input",
                    "multiline": True,
                    "max_length": 3000,
                    "placeholder": _plain("What was done, and what the customer was told"),
                },
            ),
        ],
    }


def reassign_view(esc: Escalation) -> dict[str, Any]:
    picker: dict[str, Any] = {
        "type": "users_select",
        "action_id": "assignee_select",
        "placeholder": _plain("Choose a person"),
    }
    if esc.assignee:
        picker["initial_user"] = esc.assignee
    return {
        "type": "modal",
        "callback_id": REASSIGN_CALLBACK,
        "title": _plain("Reassign escalation"),
        "submit": _plain("Reassign"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps({"id": esc.id}),
        "blocks": [
            section(f"*{esc.ref}* — {escape_slack(truncate(summary_text(esc), 500))}"),
            _input("assignee", "New assignee", picker),
        ],
    }


# --- the list -----------------------------------------------------------------------


def escalation_list(
    title: str, rows: list[Escalation], total: int, *, tz: dt.tzinfo, now: dt.datetime
) -> Message:
    if not rows:
        return Message(
            text=escape_slack(f"No escalations: {title}."),
            blocks=[section(f":white_check_mark: No escalations — {escape_slack(title)}.")],
        )
    blocks: list[dict[str, Any]] = [
        header(truncate(f"Escalations — {title}", 150)),
    ]
    for esc in rows[:MAX_LISTED]:
        age_h = max(0, int((now - esc.created_at).total_seconds() // 3600))
        age = f"{age_h // 24:,}d" if age_h >= 48 else f"{age_h}h"
        acct = escape_slack(truncate(esc.account_name or esc.order_number or "—", 60))
        blocks.append(
            section(
                f"{STATUS_EMOJI.get(esc.status, '')} *{esc.ref}* · {esc.severity} · "
                f"{CATEGORY_LABELS.get(esc.category, esc.category)} · *{esc.status}* — {acct}\n"
                f"{escape_slack(truncate(esc.description, 150))}\n"
                f"_filed {age} ago by {_who(esc.reporter)} · assignee {_who(esc.assignee)}_"
            )
        )
    more = total - min(len(rows), MAX_LISTED)
    tail = f"{plural(total, 'escalation')}"
    if more > 0:
        tail += f" · {more:,} more not shown (`acctbot escalations export` has them all)"
    blocks.append(context(tail))
    text = f"Escalations — {title}: " + ", ".join(
        f"{e.ref} {e.severity} {e.status}" for e in rows[:MAX_LISTED]
    )
    return Message(text=escape_slack(truncate(text, 2900)), blocks=blocks)
