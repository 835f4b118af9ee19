"""The teams file (``ACCTBOT_TEAMS_FILE``, YAML; format in the README, "Team digests").

A bad file raises :class:`TeamsFileError` naming the line and the problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.localtime import CronSchedule, ScheduleError, is_known_timezone

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL = re.compile(r"^(C|G)[A-Z0-9]{2,}$|^#[a-z0-9][a-z0-9_\-]{0,79}$")
_TEAM_NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,49}$")


class TeamsFileError(Exception):
    """``str(exc)`` names the file, the line and the problem."""


@dataclass(frozen=True)
class Team:
    name: str
    channel: str
    schedule: str = "0 8 * * mon-fri"
    timezone: str = "America/New_York"
    owners: tuple[str, ...] = ()  # Salesforce users' e-mails
    managers: tuple[str, ...] = ()  # Slack user ids
    line: int = 0


@dataclass
class Teams:
    timezone: str = "America/New_York"
    teams: list[Team] = field(default_factory=list)

    def get(self, name: str) -> Team | None:
        lname = name.strip().lower()
        return next((t for t in self.teams if t.name == lname), None)

    def find(self, name: str, *, channel_id: str | None = None) -> Team | None:
        """The team a person named: by a channel mention (``channel_id``), the team whose
        channel it is; otherwise the team called ``name`` (a leading ``#`` ignored), or
        the team whose channel is written ``#name`` in the teams file."""
        if channel_id:
            team = next((t for t in self.teams if t.channel == channel_id), None)
            if team is not None:
                return team
        bare = name.strip().lstrip("#").lower()
        if not bare:
            return None
        return self.get(bare) or next(
            (t for t in self.teams if t.channel.lower() == "#" + bare), None
        )

    def for_owner_email(self, email: str) -> list[Team]:
        e = email.lower()
        return [t for t in self.teams if e in t.owners]

    def for_member(self, slack_user_id: str, email: str | None) -> list[Team]:
        """Teams a Slack user belongs to: as a manager, or as an owner by e-mail."""
        out = [t for t in self.teams if slack_user_id in t.managers]
        if email:
            out += [t for t in self.for_owner_email(email) if t not in out]
        return out

    def managers_of(self, slack_user_id: str, email: str | None) -> list[str]:
        ids: list[str] = []
        for team in self.for_member(slack_user_id, email):
            ids += [m for m in team.managers if m not in ids]
        return ids

    def is_manager(self, slack_user_id: str) -> bool:
        return any(slack_user_id in t.managers for t in self.teams)


def load_teams(path: str | Path, *, missing_ok: bool = True) -> Teams:
    p = Path(path)
    if not p.exists():
        if missing_ok:
            return Teams()
        raise TeamsFileError(f"{p}: the teams file does not exist.")
    return parse_teams(p.read_text(encoding="utf-8"), source=str(p))


def parse_teams(text: str, *, source: str = "teams.yml") -> Teams:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise TeamsFileError(f"{source}, line {line}: not valid YAML ({exc.problem}).") from None
    if root is None:
        return Teams()

    def fail(node: yaml.Node, problem: str) -> TeamsFileError:
        return TeamsFileError(f"{source}, line {node.start_mark.line + 1}: {problem}")

    if not isinstance(root, yaml.MappingNode):
        raise fail(root, "the file must be a mapping with 'timezone' and 'teams'.")
    top = _mapping(root)
    for key, (knode, _) in top.items():
        if key not in ("timezone", "teams"):
            raise fail(knode, f"unknown key '{key}' (expected 'timezone' or 'teams').")
    default_tz = "America/New_York"
    if "timezone" in top:
        default_tz = _scalar(top["timezone"][1], fail, "timezone")
        _check_tz(default_tz, top["timezone"][1], fail)
    teams: list[Team] = []
    seen: set[str] = set()
    if "teams" in top:
        tnode = top["teams"][1]
        if not isinstance(tnode, yaml.SequenceNode):
            raise fail(tnode, "'teams' must be a list of teams.")
        for item in tnode.value:
            team = _team(item, default_tz, fail)
            if team.name in seen:
                raise fail(item, f"team '{team.name}' is defined twice.")
            seen.add(team.name)
            teams.append(team)
    return Teams(timezone=default_tz, teams=teams)


_TEAM_KEYS = ("name", "channel", "schedule", "timezone", "owners", "managers")


def _team(node: yaml.Node, default_tz: str, fail: Any) -> Team:
    if not isinstance(node, yaml.MappingNode):
        raise fail(node, "each team must be a mapping (name, channel, schedule, ...).")
    m = _mapping(node)
    for key, (knode, _) in m.items():
        if key not in _TEAM_KEYS:
            raise fail(knode, f"unknown key '{key}' (expected one of {', '.join(_TEAM_KEYS)}).")
    for required in ("name", "channel"):
        if required not in m:
            raise fail(node, f"a team needs '{required}'.")
    name = _scalar(m["name"][1], fail, "name").strip().lower()
    if not _TEAM_NAME.match(name):
        raise fail(m["name"][1], f"team name '{name}' must be lowercase letters, digits, - or _.")
    channel = _scalar(m["channel"][1], fail, "channel").strip()
    if not _CHANNEL.match(channel):
        raise fail(m["channel"][1], f"channel '{channel}' is not a channel id (C...) or #name.")
    tz = default_tz
    if "timezone" in m:
        tz = _scalar(m["timezone"][1], fail, "timezone")
        _check_tz(tz, m["timezone"][1], fail)
    schedule = "0 8 * * mon-fri"
    if "schedule" in m:
        schedule = _scalar(m["schedule"][1], fail, "schedule").strip()
        try:
            cron = CronSchedule(schedule, tz)
        except ScheduleError as exc:
            raise fail(
                m["schedule"][1], f"schedule '{schedule}' is not a valid cron expression ({exc})."
            ) from None
        if cron.never_fires():
            raise fail(m["schedule"][1], f"schedule '{schedule}' matches no date, so never runs.")
    owners = _list(m.get("owners"), fail, "owners")
    for i, email in enumerate(owners):
        if not _EMAIL.match(email):
            raise fail(m["owners"][1].value[i], f"owner '{email}' is not an e-mail address.")
    managers = _list(m.get("managers"), fail, "managers")
    for i, uid in enumerate(managers):
        if not _SLACK_USER.match(uid):
            raise fail(m["managers"][1].value[i], f"manager '{uid}' is not a Slack user id (U...).")
    return Team(
        name=name,
        channel=channel,
        schedule=schedule,
        timezone=tz,
        owners=tuple(e.lower() for e in owners),
        managers=tuple(managers),
        line=node.start_mark.line + 1,
    )


def _mapping(node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    return {str(k.value): (k, v) for k, v in node.value}


def _scalar(node: yaml.Node, fail: Any, key: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.value == "":
        raise fail(node, f"'{key}' must be a single value.")
    return str(node.value)


def _list(entry: tuple[yaml.Node, yaml.Node] | None, fail: Any, key: str) -> list[str]:
    if entry is None:
        return []
    node = entry[1]
    if isinstance(node, yaml.ScalarNode) and node.value in ("", "null", "~"):
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise fail(node, f"'{key}' must be a list.")
    out = []
    for item in node.value:
        out.append(_scalar(item, fail, key).strip())
    return out


def _check_tz(tz: str, node: yaml.Node, fail: Any) -> None:
    if not is_known_timezone(tz):
        raise fail(node, f"'{tz}' is not a known time zone.")
