"""Who a command is about: the asker ("mine"), a mentioned Slack user, or nobody known."""

from __future__ import annotations

from slack_sdk import WebClient

from bot import blocks as cards
from bot.blocks import Message
from bot.services import Services
from bot.text import Argument, escape_slack

MINE = ("", "mine", "me", "my")


def person_for(
    svc: Services, client: WebClient, user_id: str, arg: Argument, *, shared: bool = False
) -> tuple[str, str] | None:
    """(title, owner e-mail) for '', 'mine', 'me' or one person's mention; None for other
    text. The title is "you" for the asker's own, unless the answer is shared in a channel.

    Raises:
        UnmappedUser: the person has no Salesforce user acctbot can find.
    """
    target = user_id if arg.text.lower() in MINE else arg.user
    if target is None:
        return None
    person = svc.salesforce_user(client, target)
    title = "you" if target == user_id and not shared else person.name
    return title, person.email


def not_one_person(arg: Argument, hint: str) -> Message | None:
    """A clear answer when the argument points at people but not at one person: a user
    group (``<!subteam^...>``), ``@here``/``@channel``/``@everyone``, or an ``@name`` Slack
    did not turn into a mention (nobody Slack knows). ``hint`` (mrkdwn) says what to type
    instead. None when the argument is something else."""
    m = arg.mention
    typed = escape_slack(arg.text)
    if m is not None and m.kind == "group":
        return cards.error_message(f"*{typed}* is a user group, not one person. {hint}")
    if m is not None and m.kind == "special":
        return cards.error_message(f"*{typed}* means everyone here, not one person. {hint}")
    if arg.text.startswith("@") and m is None:
        return cards.error_message(
            f"I don't know who *{typed}* is. Pick the person from Slack's @ list so the name "
            "becomes a mention."
        )
    return None
