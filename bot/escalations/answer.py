"""/escalations and /escalate: usage, and the list of escalations a person asked for."""

from __future__ import annotations

from bot import blocks as cards
from bot.accounts.queries import extract_account_id
from bot.blocks import Message
from bot.escalations import service as escalations
from bot.escalations import views
from bot.orders.queries import parse_order_ref
from bot.people import not_one_person
from bot.services import Services
from bot.text import Argument

ESCALATE_USAGE = (
    "*/escalate* `[account or order]`\n"
    "Opens a form to file an escalation: account, optional order, category, severity, "
    "what happened and when the customer needs an answer. Managers are alerted at once.\n"
    "Examples: `/escalate`, `/escalate Acme Corp`, `/escalate 00000123`"
)

ESCALATIONS_USAGE = (
    "*/escalations* `[open | mine | all | @person | account name | ESC-0042]`\n"
    "Lists escalations, newest first: open ones by default, `mine` (filed by or assigned "
    "to you) or a person's, `all`, or those for an account (its name or link) or order.\n"
    "Examples: `/escalations`, `/escalations mine`, `/escalations Acme`"
)


def list_answer(svc: Services, user_id: str, arg: Argument) -> Message:
    """The escalations ``arg`` asks for (read as Slack sends it), newest first: only those
    ``user_id`` may see (``service.search_visible``), counted alone."""
    word = arg.text.strip().lower()
    active = (escalations.OPEN, escalations.ACKNOWLEDGED)
    mention = arg.mention
    order = parse_order_ref(arg.text)
    record_id = extract_account_id(arg.text) or (order[1] if order and order[0] == "id" else None)
    if mention is not None and mention.kind == "user":
        rows, total = escalations.search_visible(svc, user_id, user=mention.id)
        title = f"filed by or assigned to {arg.text}"
    elif mention is not None or arg.text.startswith("@"):
        refusal = not_one_person(arg, "Name one person (@name) or an account.")
        if refusal is not None:
            return refusal
        note = f"{arg.text} is not one person or an account: name a person (@name) or an account."
        return cards.usage_message(ESCALATIONS_USAGE, note)
    elif word in ("", "open"):
        rows, total = escalations.search_visible(svc, user_id, statuses=active)
        title = "open"
    elif word in ("mine", "me", "my"):
        rows, total = escalations.search_visible(svc, user_id, user=user_id)
        title = "filed by or assigned to you"
    elif word == "all":
        rows, total = escalations.search_visible(svc, user_id)
        title = "all"
    elif record_id:
        rows, total = escalations.search_visible(svc, user_id, record_id=record_id)
        title = "for that record"
    else:
        rows, total = escalations.search_visible(svc, user_id, text=arg.text)
        title = f"matching “{arg.text}”"
    msg = views.escalation_list(title, rows, total, tz=svc.tz, now=svc.now())
    msg.record_ids = tuple(i for e in rows for i in (e.account_id, e.order_id) if i)
    return msg
