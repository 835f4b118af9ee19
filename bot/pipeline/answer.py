"""/pipeline: this quarter for the asker, a mentioned person, or a team.

The figures are of the deals the asker's Salesforce user may read (bot/visibility.py):
with ``ACCTBOT_VISIBILITY=salesforce`` another rep's or a team's pipeline shows only
what the asker could see in Salesforce.
"""

from __future__ import annotations

from bot import blocks as cards
from bot import visibility
from bot.blocks import Message
from bot.people import UnmappedUser, identify, not_one_person, person_for, with_names
from bot.pipeline.card import pipeline_card
from bot.pipeline.queries import Pipeline
from bot.records import record_ref, wrong_record
from bot.services import Services
from bot.slack_ids import CardKind
from bot.text import Argument, read_argument

PIPELINE_USAGE = (
    "*/pipeline* `[mine | @user | team]`\n"
    "This quarter's open pipeline by forecast category and stage, closed-won so far, deals "
    "closing this week and slipped deals.\nExamples: `/pipeline`, `/pipeline @raj`, "
    "`/pipeline smb-east`"
)


def _teams_hint(svc: Services) -> str:
    names = ", ".join(f"`{t.name}`" for t in svc.teams.teams) or "none configured"
    return f"`/pipeline` shows one person's quarter (`@name`) or a team's. Teams: {names}."


def visible_pipeline(svc: Services, viewer: str, emails: list[str]) -> Pipeline:
    """The quarter for these owners, of the deals ``viewer`` may read (all of them with
    ``ACCTBOT_VISIBILITY=workspace``)."""
    if not visibility.enforced(svc):
        return svc.pipeline.for_owners(emails, svc.today())
    return svc.pipeline.for_owners(
        emails,
        svc.today(),
        readable=lambda ids: visibility.readable_ids(svc, viewer, ids),
        cache=svc.cache,
    )


def not_a_pipeline_question(arg: Argument) -> str | None:
    """A plain sentence when ``arg`` is a Salesforce record's link or Id (a pipeline is a
    person's or a team's), else None. Needs no request."""
    ref = record_ref(arg.text)
    if ref is None:
        return None
    hint = "`/pipeline` shows one person's quarter (`@name`) or a team's."
    if ref.is_a("Account"):
        hint += " For the account's open deals: `/account` with the same link."
    return wrong_record(ref, "a person or a team", hint)


def pipeline_answer(
    svc: Services, user_id: str, question: str, *, shared_by: str | None = None
) -> Message:
    """This quarter for what ``question`` names (the command's text in Slack's form, as
    :meth:`bot.text.Argument.to_slack` writes it): the asker (``mine`` or nothing), a
    mentioned person, or a team by name or by its channel (``#smb-east``); of the deals
    ``user_id`` (or ``shared_by``, when shared) may read."""
    viewer = shared_by or user_id
    identify(svc, viewer)
    arg = with_names(svc, read_argument(question))
    refusal = not_a_pipeline_question(arg)
    if refusal is not None:
        return cards.usage_message(PIPELINE_USAGE, refusal)
    mention = arg.mention
    team = None
    if len(arg.words) == 1 and (mention is None or mention.kind == "channel"):
        channel_id = mention.id if mention is not None else None
        team = svc.teams.find(mention.label if mention else arg.text, channel_id=channel_id)
    if team is not None:
        if not team.owners:
            return cards.error_message(f"Team {team.name} lists no owners in the teams file.")
        emails, title = list(team.owners), f"team {team.name}"
    else:
        problem = not_one_person(arg, _teams_hint(svc))
        if problem is not None:
            return problem
        if mention is not None and mention.kind == "channel":
            return cards.usage_message(
                PIPELINE_USAGE,
                f"{arg.mrkdwn} is not a team's channel. " + _teams_hint(svc),
                note_mrkdwn=True,
            )
        try:
            who = person_for(svc, user_id, arg, shared=bool(shared_by))
        except UnmappedUser as exc:
            return cards.error_message(str(exc))
        if who is None:
            return cards.usage_message(
                PIPELINE_USAGE, f"“{arg.text}” is not a team or a person. " + _teams_hint(svc)
            )
        title, email = who
        emails = [email]
    p = visible_pipeline(svc, viewer, emails)
    card = pipeline_card(title, p, record_url=svc.record_url, now=svc.now(), tz=svc.tz)
    card.record_ids = tuple(o["Id"] for o in [*p.closing_this_week, *p.slipped])
    card = visibility.add_scope(card, visibility.scope_note(svc, shared_by))
    return cards.with_list_actions(card, CardKind.PIPELINE, arg.to_slack(), user_id, shared_by)
