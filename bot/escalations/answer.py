"""/escalations and /escalate: usage, and the list of escalations a person asked for."""

from __future__ import annotations

from bot.blocks import Message
from bot.escalations import service as escalations
from bot.escalations import views
from bot.services import Services

ESCALATE_USAGE = (
    "*/escalate* `[account or order]`\n"
    "Opens a form to file an escalation: account, optional order, category, severity, "
    "what happened and when the customer needs an answer. Managers are alerted at once.\n"
    "Examples: `/escalate`, `/escalate Acme Corp`, `/escalate 00000123`"
)

ESCALATIONS_USAGE = (
    "*/escalations* `[open | mine | all | account name | ESC-0042]`\n"
    "Lists escalations, newest first: open ones by default, `mine` (filed by or assigned "
    "to you), `all`, or those for an account.\n"
    "Examples: `/escalations`, `/escalations mine`, `/escalations Acme`"
)


def list_answer(svc: Services, user_id: str, text: str) -> Message:
    """``/escalations`` text → the list: open (default), mine, all, or matching an
    account, order or ESC reference; newest first."""
    word = text.strip().lower()
    active = (escalations.OPEN, escalations.ACKNOWLEDGED)
    if word in ("", "open"):
        rows, total = escalations.search(svc, statuses=active)
        title = "open"
    elif word in ("mine", "me", "my"):
        rows, total = escalations.search(svc, user=user_id)
        title = "filed by or assigned to you"
    elif word == "all":
        rows, total = escalations.search(svc)
        title = "all"
    else:
        rows, total = escalations.search(svc, text=text)
        title = f"matching “{text}”"
    return views.escalation_list(title, rows, total, tz=svc.tz, now=svc.now())
