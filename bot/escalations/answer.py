"""/escalations and /escalate: usage, and the list of escalations a person asked for."""

from __future__ import annotations

from bot import blocks as cards
from bot.blocks import Message
from bot.escalations import service as escalations
from bot.escalations import views
from bot.people import not_one_person, with_names
from bot.records import record_ref, wrong_record
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


def not_an_escalation_question(arg: Argument) -> str | None:
    """A plain sentence when ``arg`` is the link or Id of a record escalations are never
    filed on (an opportunity, a case ...: they are filed on accounts and orders)."""
    ref = record_ref(arg.text)
    if ref is None or ref.object in ("Account", "Order"):
        return None
    return wrong_record(
        ref, "an account or an order", "Escalations are filed on accounts and orders."
    )


def list_answer(svc: Services, user_id: str, arg: Argument) -> Message:
    """The escalations ``arg`` asks for (read as Slack sends it), newest first: open ones,
    ``mine``, ``all``, a person's (a mention), an account's or an order's (its Id or a
    link to it), or those whose account name, reference or order number matches the text;
    only those ``user_id`` may see (``service.search_visible``), counted alone."""
    arg = with_names(svc, arg)
    word = arg.text.strip().lower()
    active = (escalations.OPEN, escalations.ACKNOWLEDGED)
    mention = arg.mention
    ref = record_ref(arg.text)
    if mention is not None and mention.kind == "user":
        rows, total = escalations.search_visible(svc, user_id, user=mention.id)
        who = "@" + mention.label if mention.label else "that person"
        title = f"filed by or assigned to {who}"
    elif mention is not None or arg.text.startswith("@"):
        refusal = not_one_person(arg, "Name one person (@name) or an account.")
        if refusal is not None:
            return refusal
        note = f"{arg.mrkdwn} is not one person or an account: name a person (@name) or an account."
        return cards.usage_message(ESCALATIONS_USAGE, note, note_mrkdwn=True)
    elif ref is not None:
        problem = not_an_escalation_question(arg)
        if problem is not None:
            return cards.usage_message(ESCALATIONS_USAGE, problem)
        rows, total = escalations.search_visible(svc, user_id, record_id=ref.id)
        title = "for that account" if ref.is_a("Account") else "for that order"
    elif word in ("", "open"):
        rows, total = escalations.search_visible(svc, user_id, statuses=active)
        title = "open"
    elif word in ("mine", "me", "my"):
        rows, total = escalations.search_visible(svc, user_id, user=user_id)
        title = "filed by or assigned to you"
    elif word == "all":
        rows, total = escalations.search_visible(svc, user_id)
        title = "all"
    else:
        rows, total = escalations.search_visible(svc, user_id, text=arg.text)
        title = f"matching “{arg.text}”"
    msg = views.escalation_list(title, rows, total, tz=svc.tz, now=svc.now())
    msg.record_ids = tuple(i for e in rows for i in (e.account_id, e.order_id) if i)
    return msg
