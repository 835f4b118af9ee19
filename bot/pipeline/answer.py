"""/pipeline: this quarter for the asker, a mentioned person, or a team."""

from __future__ import annotations

from slack_sdk import WebClient

from bot import blocks as cards
from bot.blocks import Message
from bot.people import person_for, unknown_person
from bot.pipeline.card import pipeline_card
from bot.services import Services, UnmappedUser
from bot.slack_ids import CardKind

PIPELINE_USAGE = (
    "*/pipeline* `[mine | @user | team]`\n"
    "This quarter's open pipeline by forecast category and stage, closed-won so far, deals "
    "closing this week and slipped deals.\nExamples: `/pipeline`, `/pipeline @raj`, "
    "`/pipeline smb-east`"
)


def pipeline_answer(
    svc: Services, client: WebClient, user_id: str, text: str, *, shared_by: str | None = None
) -> Message:
    t = text.strip()
    unknown = unknown_person(t)
    if unknown is not None:
        return unknown
    team = svc.teams.get(t) if t and not t.startswith("<") else None
    if team is not None:
        if not team.owners:
            return cards.error_message(f"Team {team.name} lists no owners in the teams file.")
        emails, title = list(team.owners), f"team {team.name}"
    else:
        try:
            who = person_for(svc, client, user_id, t, shared=bool(shared_by))
        except UnmappedUser as exc:
            return cards.error_message(str(exc))
        if who is None:
            names = ", ".join(f"`{x.name}`" for x in svc.teams.teams) or "none configured"
            return cards.usage_message(
                PIPELINE_USAGE, f"“{t}” is not a team or a person. Teams: {names}."
            )
        title, email = who
        emails = [email]
    p = svc.pipeline.for_owners(emails, svc.today())
    card = pipeline_card(title, p, record_url=svc.record_url, now=svc.now(), tz=svc.tz)
    return cards.with_list_actions(card, CardKind.PIPELINE, t, user_id, shared_by)
