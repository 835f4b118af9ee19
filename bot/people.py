"""Who a command is about: the asker ("mine"), a mentioned Slack user, or nobody known."""

from __future__ import annotations

from slack_sdk import WebClient

from bot import blocks as cards
from bot.blocks import Message
from bot.services import Services
from bot.text import escape_slack, parse_mention


def person_for(
    svc: Services, client: WebClient, user_id: str, text: str, *, shared: bool = False
) -> tuple[str, str] | None:
    """(title, owner e-mail) for '', 'mine', 'me' or a mention; None for other text. The
    title is "you" for the asker's own, unless the answer is shared in a channel.

    Raises:
        UnmappedUser: the person has no Salesforce user acctbot can find.
    """
    t = text.strip()
    target = user_id if t.lower() in ("", "mine", "me", "my") else parse_mention(t)
    if target is None:
        return None
    person = svc.salesforce_user(client, target)
    title = "you" if target == user_id and not shared else person.name
    return title, person.email


def unknown_person(text: str) -> Message | None:
    """'@name' that Slack did not turn into a mention is nobody Slack knows."""
    t = text.strip()
    if t.startswith("@") and parse_mention(t) is None:
        return cards.error_message(
            f"I don't know who *{escape_slack(t)}* is. Pick the person from Slack's @ list so "
            "the name becomes a mention."
        )
    return None
