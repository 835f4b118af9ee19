"""/digest: preview a team's digest, subscribe or unsubscribe a channel.

``parse`` reads the command's text; the three answers return the message to show. The
handler (``handlers/commands/digest.py``) only acknowledges and calls one of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient

from bot import blocks as cards
from bot.blocks import Message
from bot.digests import service as digests
from bot.digests.periods import KINDS, describe_schedule, next_fire, parse_time
from bot.services import Services
from bot.teams import Team
from bot.text import escape_slack, is_help

DIGEST_USAGE = (
    "*/digest* `preview [team] [daily|weekly|monthly]` — see a team's digest now, just you\n"
    "*/digest* `subscribe <team> [daily|weekly|monthly] [at HH:MM]` — post it in this "
    "channel on schedule (daily Mon–Fri, weekly Mondays, monthly on the 1st; the time is "
    "in the team's time zone, default the teams file's)\n"
    "*/digest* `unsubscribe [team] [daily|weekly|monthly]` — stop this channel's digests\n"
    "Examples: `/digest preview smb-east`, `/digest subscribe smb-east weekly at 9:30`"
)


@dataclass
class Parsed:
    """What ``/digest`` was asked: ``action`` is help, preview, subscribe or unsubscribe;
    ``at`` is (hour, minute) in the team's time zone; ``problem`` a sentence for the user."""

    action: str
    team: str | None = None
    kind: str | None = None
    at: tuple[int, int] | None = None
    problem: str | None = None


def parse(text: str) -> Parsed:
    """Read ``/digest`` text (already unescaped). Never raises: a problem is reported in
    ``Parsed.problem``."""
    words = text.lower().split()
    if not words or is_help(text):
        return Parsed("help")
    action, rest = words[0], words[1:]
    if action not in ("preview", "subscribe", "unsubscribe"):
        return Parsed("help", problem=f"“{words[0][:40]}” is not a /digest command.")
    p = Parsed(action)
    i = 0
    while i < len(rest):
        word = rest[i]
        if word in KINDS:
            p.kind = word
        elif word == "at" and action == "subscribe" and i + 1 < len(rest):
            i += 1
            p.at = parse_time(rest[i])
            if p.at is None:
                p.problem = f"“{rest[i][:20]}” is not a time like 8:00 or 17:30."
        elif action == "subscribe" and p.team and parse_time(word):
            p.at = parse_time(word)
        elif p.team is None:
            p.team = word.lstrip("#")
        else:
            p.problem = f"I don't understand “{word[:40]}”."
        i += 1
    if action == "subscribe" and p.team is None and p.problem is None:
        p.problem = "Say which team: `/digest subscribe <team>`."
    return p


def _team_or_problem(svc: Services, name: str) -> Team | str:
    team = svc.teams.get(name)
    if team is not None:
        return team
    names = ", ".join(f"`{t.name}`" for t in svc.teams.teams) or "none defined"
    return f"There is no team *{name}*. Teams: {names}."  # usage_message escapes it


def preview_answer(svc: Services, client: WebClient, user: str, channel: str, p: Parsed) -> Message:
    if p.team:
        found = _team_or_problem(svc, p.team)
        if isinstance(found, str):
            return cards.usage_message(DIGEST_USAGE, found)
        team = found
    else:
        here = [t for t in svc.teams.teams if t.channel == channel]
        mine = here or svc.teams.for_member(user, svc.slack_email(client, user))
        if len(mine) != 1:
            note = "Say which team: `/digest preview <team>`."
            return cards.usage_message(DIGEST_USAGE, note)
        team = mine[0]
    parts = digests.preview(svc, team, p.kind or "daily")
    first = parts[0]
    if len(parts) > 1:
        more = f"_Preview: {len(parts) - 1} more part(s) follow in the thread when posted._"
        first = Message(first.text, [*first.blocks[:49], cards.context(more)])
    return first


def subscribe_answer(svc: Services, user: str, channel: str, p: Parsed) -> Message:
    found = _team_or_problem(svc, p.team or "")
    if isinstance(found, str):
        return cards.usage_message(DIGEST_USAGE, found)
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


def unsubscribe_answer(svc: Services, user: str, channel: str, p: Parsed) -> Message:
    if p.team and svc.teams.get(p.team) is None:
        return cards.usage_message(DIGEST_USAGE, str(_team_or_problem(svc, p.team)))
    gone = digests.unsubscribe(svc, channel, team=p.team, kind=p.kind, user=user)
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
