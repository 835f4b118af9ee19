"""/digest: preview a team's digest, subscribe or unsubscribe a channel.

``parse`` reads the command's text; the three answers return the message to show. The
handler (``handlers/commands/digest.py``) only acknowledges and calls one of them.

Who may: ``subscribe`` and ``unsubscribe`` only ACCTBOT_ADMINS and the team's managers
(teams file); ``preview`` with ``ACCTBOT_VISIBILITY=salesforce`` only they too: a digest
names and sums the whole team's records, which a rep's own Salesforce user may not all
read, and a private answer is held to what its asker may read (the digest itself goes to
the team's channel, as its managers chose). The audit line of a preview lists the
records it links to.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot import blocks as cards
from bot.blocks import Message
from bot.delivery.channels import is_direct
from bot.digests import service as digests
from bot.digests.periods import KINDS, describe_schedule, next_fire, parse_time
from bot.people import identify, slack_email
from bot.records import record_ref, wrong_record
from bot.services import Services
from bot.teams import Team
from bot.text import Argument, Mention, escape_slack, is_help, truncate

DIGEST_USAGE = (
    "*/digest* `preview [team] [daily|weekly|monthly]` — see a team's digest now, just you\n"
    "*/digest* `subscribe <team | #its-channel> [daily|weekly|monthly] [at HH:MM]` — post "
    "it in this channel on schedule (daily Mon–Fri, weekly Mondays, monthly on the 1st; the "
    "time is in the team's time zone, default the teams file's)\n"
    "*/digest* `unsubscribe [team] [daily|weekly|monthly]` — stop this channel's digests\n"
    "Examples: `/digest preview smb-east`, `/digest subscribe smb-east weekly at 9:30`"
)


@dataclass
class Parsed:
    """What ``/digest`` was asked: ``action`` is help, preview, subscribe or unsubscribe;
    ``team`` a team name and ``team_channel`` the channel id when the team was given as
    its channel (``#smb-east``); ``at`` is (hour, minute) in the team's time zone;
    ``problem`` a sentence for the user."""

    action: str
    team: str | None = None
    team_channel: str | None = None
    team_mention: Mention | None = None  # the team given as its channel's mention
    kind: str | None = None
    at: tuple[int, int] | None = None
    problem: str | None = None


def parse(arg: Argument) -> Parsed:
    """Read ``/digest`` text as Slack sends it (:func:`bot.text.read_argument`); a team may
    be given by name or as its channel, ``#smb-east``, which Slack sends as a mention.
    Never raises: a problem is reported in ``Parsed.problem``."""
    words = list(arg.words)
    if not words or is_help(arg.text):
        return Parsed("help")
    action, rest = words[0].text.lower(), words[1:]
    if action not in ("preview", "subscribe", "unsubscribe"):
        return Parsed("help", problem=f"“{words[0].text[:40]}” is not a /digest command.")
    p = Parsed(action)
    i = 0
    while i < len(rest):
        word = rest[i].text.lower()
        mention = rest[i].mention
        ref = record_ref(rest[i].text)
        if mention is not None and mention.kind != "channel":
            p.problem = f"{rest[i].text[:40]} is not a team: name a team or its #channel."
        elif ref is not None:
            p.problem = wrong_record(ref, "a team", "Name a team or its #channel.")
        elif word in KINDS:
            p.kind = word
        elif word == "at" and action == "subscribe" and i + 1 < len(rest):
            i += 1
            p.at = parse_time(rest[i].text)
            if p.at is None:
                p.problem = f"“{rest[i].text[:20]}” is not a time like 8:00 or 17:30."
        elif action == "subscribe" and p.team and parse_time(word):
            p.at = parse_time(word)
        elif p.team is None and p.team_channel is None and mention is not None:
            # A channel mention may come without its name (``<#C123|>``): the team is
            # then found by the channel's id, or by its name once Slack has said it.
            p.team = mention.label.lower() or None
            p.team_channel = mention.id
            p.team_mention = mention
        elif p.team is None and p.team_channel is None:
            p.team = word.lstrip("#") or word
        else:
            p.problem = f"I don't understand “{rest[i].text[:40]}”."
        i += 1
    if action == "subscribe" and p.team is None and p.team_channel is None and p.problem is None:
        p.problem = "Say which team: `/digest subscribe <team>`."
    return p


def _named(p: Parsed) -> bool:
    return bool(p.team or p.team_channel)


def _team_or_problem(svc: Services, p: Parsed) -> Team | Message:
    """The team ``p`` names, or the usage with why not. A channel mention without a name
    is found by the channel's id, else by its name (``conversations.info``)."""
    mention = p.team_mention
    if mention is not None and not mention.label and svc.slack is not None:
        name = svc.channels.name_of(svc.slack, mention.id)
        if name:
            mention = mention.named(name)
            p.team = name.lower()
    team = svc.teams.find(p.team or "", channel_id=p.team_channel)
    if team is not None:
        return team
    names = ", ".join(f"`{escape_slack(t.name)}`" for t in svc.teams.teams) or "none defined"
    if mention is not None:
        note = f"{mention.mrkdwn} is not a team's channel. Teams: {names}."
    else:
        note = f"There is no team *{escape_slack(truncate(p.team or '', 40))}*. Teams: {names}."
    return cards.usage_message(DIGEST_USAGE, note, note_mrkdwn=True)


def stopped_blocks(svc: Services, channel: str) -> list[dict[str, Any]]:
    """What acctbot stopped posting in ``channel`` and why (blocks; none when nothing)."""
    out = []
    for sub in digests.stopped_in(svc, channel):
        team = svc.teams.get(sub.team)
        tz = ZoneInfo(team.timezone) if team is not None else svc.tz
        when = sub.stopped_at.astimezone(tz).strftime("%a %b %-d") if sub.stopped_at else "—"
        reason = sub.stopped_reason or "unknown"
        because = digests.LOST_BECAUSE.get(reason, reason)
        name = escape_slack(sub.team)
        out.append(
            cards.section(
                f":warning: *{name}*'s {sub.kind} digest stopped here on {when}: acctbot "
                f"could no longer post in this channel ({escape_slack(because)}; Slack said "
                f"`{escape_slack(reason)}`). To start it again: invite acctbot "
                f"(`/invite @acctbot`), then `/digest subscribe {name} {sub.kind}`."
            )
        )
    return out


def with_stopped(svc: Services, channel: str, msg: Message) -> Message:
    """``msg`` followed by what acctbot stopped posting in ``channel``, if anything."""
    extra = stopped_blocks(svc, channel)
    if not extra:
        return msg
    return replace(msg, blocks=[*msg.blocks[: 50 - len(extra)], *extra])


def channel_answer(svc: Services, channel: str) -> Message:
    """``/digest`` alone: the digests this channel gets, those acctbot had to stop here
    and why, and the usage."""
    here = [d for d in digests.deliveries(svc) if d.channel == channel]
    if here:
        lines = "\n".join(
            f"• *{escape_slack(d.team.name)}* {d.kind}, {describe_schedule(d.schedule)} "
            f"({d.team.timezone})"
            for d in here
        )
        status = f"This channel gets:\n{lines}"
    else:
        status = "This channel gets no digest."
    usage = cards.usage_message(DIGEST_USAGE)
    return Message(
        f"{status} {usage.text}",
        [cards.section(status), *stopped_blocks(svc, channel), *usage.blocks],
    )


def may_configure(svc: Services, user: str, team: Team) -> bool:
    """ACCTBOT_ADMINS and the team's managers may change where its digests go."""
    return user in svc.settings.admins or user in team.managers


def _may_preview(svc: Services, user: str, team: Team) -> bool:
    identify(svc, user)
    return svc.settings.visibility != "salesforce" or may_configure(svc, user, team)


_LINKED_ID = re.compile(r"/lightning/r/(?:[A-Za-z]+/)?([A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?)/view")


def linked_ids(messages: list[Message]) -> tuple[str, ...]:
    """The Salesforce record Ids the messages link to (``record_url`` links), in order."""
    found = _LINKED_ID.findall(json.dumps([m.blocks for m in messages]))
    return tuple(dict.fromkeys(found))


def _not_allowed(what: str, teams: list[Team]) -> Message:
    names = ", ".join(f"*{escape_slack(t.name)}*" for t in teams)
    msg = cards.error_message(
        f":no_entry: Only acctbot admins and the managers of {names} can {what}. Ask one of them."
    )
    msg.outcome = "denied"
    return msg


def preview_answer(svc: Services, user: str, channel: str, p: Parsed) -> Message:
    if _named(p):
        found = _team_or_problem(svc, p)
        if isinstance(found, Message):
            return found
        team = found
    else:
        here = [t for t in svc.teams.teams if t.channel == channel]
        mine = here or svc.teams.for_member(user, slack_email(svc, user))
        if len(mine) != 1:
            note = "Say which team: `/digest preview <team>`."
            return cards.usage_message(DIGEST_USAGE, note)
        team = mine[0]
    if not _may_preview(svc, user, team):
        msg = _not_allowed("preview its digest", [team])
        msg.blocks.append(
            cards.context(
                "A digest names and sums the whole team's records, and your Salesforce user "
                "may not read them all; it comes to the team's channel when posted."
            )
        )
        return msg
    parts = digests.preview(svc, team, p.kind or "daily")
    first = parts[0]
    if len(parts) > 1:
        more = f"_Preview: {len(parts) - 1} more part(s) follow in the thread when posted._"
        first = Message(first.text, [*first.blocks[:49], cards.context(more)])
    first.record_ids = linked_ids(parts)
    return first


def subscribe_answer(
    svc: Services, client: WebClient, user: str, channel: str, p: Parsed
) -> Message:
    found = _team_or_problem(svc, p)
    if isinstance(found, Message):
        return found
    if not may_configure(svc, user, found):
        return _not_allowed("subscribe a channel to its digest", [found])
    refusal = _cannot_post_here(svc, client, channel)
    if refusal is not None:
        return refusal
    kind = p.kind or "daily"
    d = digests.subscribe(svc, found, kind, channel, at=p.at, user=user)
    _sync(svc)
    nxt = next_fire(d.schedule, found.timezone, svc.now())
    when = nxt.astimezone(d.tz).strftime("%a %b %-d, %-I:%M %p %Z") if nxt else "never"
    return Message(
        f"This channel gets {found.name}'s {kind} digest.",
        [
            cards.section(
                f":white_check_mark: This channel gets *{escape_slack(found.name)}*'s {kind} "
                f"digest at {describe_schedule(d.schedule)} ({found.timezone}). "
                f"Next: {when}."
            )
        ],
    )


def _cannot_post_here(svc: Services, client: WebClient, channel: str) -> Message | None:
    """Why a digest could never arrive in ``channel``, or None. A public channel acctbot
    is not in is joined now (so it can also read the history its exactly-once check
    needs); a private one it is not in does not exist for it (``channel_not_found``) until
    someone invites it; a DM is nobody's channel."""
    if is_direct(channel):
        return cards.error_message(
            "Digests go to channels: run `/digest subscribe` in the channel that should get it."
        )
    access = svc.channels.access(client, channel, join=True)
    if access.kind == "private" and not access.member:
        return cards.error_message(
            "I'm not in this private channel, so I could never post a digest here. Invite "
            "me first: type `/invite @acctbot` in this channel, then subscribe again."
        )
    if not access.can_post:
        return cards.error_message(
            f"I can't post in this channel, so I won't subscribe it: {access.problem}"
        )
    return None


def unsubscribe_answer(svc: Services, user: str, channel: str, p: Parsed) -> Message:
    team = None
    named: list[Team] = []
    if _named(p):
        found = _team_or_problem(svc, p)
        if isinstance(found, Message):
            return found
        team, named = found.name, [found]
    here = [
        d
        for d in digests.deliveries(svc)
        if d.channel == channel
        and (team is None or d.team.name == team)
        and (p.kind is None or d.kind == p.kind)
    ]
    teams = {d.team.name: d.team for d in here} | {t.name: t for t in named}
    forbidden = [t for t in teams.values() if not may_configure(svc, user, t)]
    if forbidden:
        return _not_allowed("stop its digests here", forbidden)
    gone = digests.unsubscribe(svc, channel, team=team, kind=p.kind, user=user)
    _sync(svc)
    if not gone:
        return Message(
            "This channel has no such digest.",
            [cards.section("This channel gets no such digest, so there is nothing to stop.")],
        )
    names = ", ".join(f"{d.team.name} {d.kind}" for d in gone)
    return Message(
        f"Stopped: {names}.",
        [cards.section(f":no_bell: This channel no longer gets: {escape_slack(names)}.")],
    )


def _sync(svc: Services) -> None:
    """Let the process that owns the scheduler re-sync the digest jobs now."""
    svc.schedule_changed()
