"""Who is asking, and who a command is about.

**Who may use acctbot** (:func:`identify`): a Slack user who is a full member of the
workspace and is mapped to an *active* Salesforce user, either by the e-mail Slack gives
(``users.info``, which needs the ``users:read.email`` scope) or by an admin's override kept
in the database (``acctbot users map``). Everyone else gets :class:`AccessRefused`, whose
message says how to get access and nothing about any record:

- guests: ``is_restricted`` (multi-channel) or ``is_ultra_restricted`` (single-channel),
  per Slack's user object reference (https://api.slack.com/types/user): people outside
  the company, whom Salesforce's own Slack apps do not serve either;
- bots and apps (``is_bot``, and Slackbot ``USLACKBOT``), and deactivated members
  (``deleted``);
- people with no active Salesforce user for their e-mail, and no override.

Slack's answer is reused for ``IDENTITY_TTL`` seconds; the override table is read on every
call, so ``acctbot users map/unmap`` takes effect at once.

**Who a command is about** (:func:`person_for`): "mine", or a mentioned ``@user``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError
from sqlalchemy import delete, select

from bot import blocks as cards
from bot.blocks import Message
from bot.infra.models import UserMapping
from bot.text import Argument, Mention, escape_slack

MINE = ("", "mine", "me", "my")

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

IDENTITY_TTL = 600.0  # seconds Slack's profile and a Salesforce user match are reused
REFUSAL_TTL = 60.0  # seconds a "no such Salesforce user" answer is reused
SLACKBOT = "USLACKBOT"
_SF_USER_FIELDS = "SELECT Id, Name, Email, IsActive FROM User "
_SF_ID_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class Person:
    """A Slack user acctbot serves, and the Salesforce user they are.

    ``salesforce_user_id`` is the 18-character Id; ``via`` says how they were matched:
    ``"email"`` (Slack's e-mail = the Salesforce user's) or ``"override"`` (an admin's)."""

    slack_user_id: str
    salesforce_user_id: str
    name: str
    email: str
    via: str


@dataclass(frozen=True)
class SalesforceUser:
    """A Salesforce user: 18-character Id, full name, e-mail (lower case)."""

    id: str
    name: str
    email: str


class AccessRefused(Exception):
    """The asker may not use acctbot. ``str(exc)`` is mrkdwn for Slack: why, and how to get
    access, never anything about a record. ``reason`` is one of guest, bot, deleted,
    unknown, no_email, unmapped, ambiguous, unavailable."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class IdentityUnavailable(AccessRefused):
    """Slack could not say who the asker is right now (down, slow, missing scope): no
    answer is given, and nothing is cached."""


class AmbiguousEmail(Exception):
    """More than one active Salesforce user has this e-mail: acctbot never guesses which
    one a person is (an admin login often shares a rep's e-mail, and picking it would show
    everything). ``user_ids``: the 18-character Ids of the users found (at least two)."""

    def __init__(self, email: str, user_ids: tuple[str, ...]) -> None:
        super().__init__(f"more than one active Salesforce user has the e-mail {email}")
        self.email = email
        self.user_ids = user_ids


class UnmappedUser(Exception):
    """Someone a command names (``/orders @raj``) has no Salesforce user acctbot can find;
    the message says why."""


# --- Slack's side --------------------------------------------------------------------


def slack_profile(services: Services, slack_user_id: str) -> dict[str, Any]:
    """Slack's user object for ``slack_user_id`` (``users.info``), cached.

    Raises:
        AccessRefused: Slack has no such user (``user_not_found``).
        IdentityUnavailable: Slack failed or the app lacks ``users:read``.
    """
    key = ("slack_user", slack_user_id)
    hit = services.people_cache.get(key)
    if hit is not None:
        return dict(hit)
    client = services.slack
    if client is None:
        raise IdentityUnavailable(_UNAVAILABLE, reason="unavailable")
    try:
        resp = client.users_info(user=slack_user_id)
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.warning("users.info %s failed: %s", slack_user_id, error)
        if error in ("user_not_found", "users_not_found"):
            raise AccessRefused(_NOT_A_MEMBER, reason="unknown") from None
        if error == "missing_scope":
            raise IdentityUnavailable(_MISSING_SCOPE, reason="unavailable") from None
        raise IdentityUnavailable(_UNAVAILABLE, reason="unavailable") from None
    except Exception as exc:  # connection errors, timeouts
        log.warning("users.info %s failed: %s", slack_user_id, exc)
        raise IdentityUnavailable(_UNAVAILABLE, reason="unavailable") from None
    user = dict(resp.get("user") or {})
    services.people_cache.put(key, user, ttl=IDENTITY_TTL)
    return user


def slack_email(services: Services, slack_user_id: str, *, strict: bool = False) -> str | None:
    """A Slack user's e-mail in lower case (``users.info``; needs ``users:read.email``),
    or None when Slack has none (or cannot be asked, unless ``strict``: then
    :class:`IdentityUnavailable` is raised)."""
    try:
        user = slack_profile(services, slack_user_id)
    except IdentityUnavailable:
        if strict:
            raise
        return None
    except AccessRefused:
        return None
    email = str((user.get("profile") or {}).get("email") or "").strip().lower()
    return email or None


# --- Salesforce's side ----------------------------------------------------------------


def _sf_user(rec: dict[str, Any]) -> SalesforceUser:
    return SalesforceUser(rec["Id"], rec.get("Name") or "", str(rec.get("Email") or "").lower())


def salesforce_user_by_email(services: Services, email: str) -> SalesforceUser | None:
    """The one active Salesforce user with this e-mail, or None; cached.

    Raises:
        AmbiguousEmail: several active users have it (never guessed: an admin mapping
            ``acctbot users map <slack id> <user Id>`` decides).
        SalesforceError: Salesforce could not be asked.
    """
    email = email.strip().lower()
    key = ("sf_user_by_email", email)
    hit = services.people_cache.get(key)
    if isinstance(hit, tuple):
        raise AmbiguousEmail(email, hit)
    if hit is not None:
        return hit or None
    recs = services.salesforce.query_records(
        _SF_USER_FIELDS + "WHERE Email = {} AND IsActive = true ORDER BY CreatedDate ASC LIMIT 5",
        email,
    )
    if len(recs) > 1:
        ids = tuple(str(r["Id"]) for r in recs)
        services.people_cache.put(key, ids, ttl=REFUSAL_TTL)
        raise AmbiguousEmail(email, ids)
    found = _sf_user(recs[0]) if recs else None
    services.people_cache.put(key, found or False, ttl=IDENTITY_TTL if found else REFUSAL_TTL)
    return found


def salesforce_user_by_id(services: Services, user_id: str) -> SalesforceUser | None:
    """The *active* Salesforce user with this Id, cached; None if missing or inactive."""
    key = ("sf_user_by_id", user_id[:15])
    hit = services.people_cache.get(key)
    if hit is not None:
        return hit or None
    recs = services.salesforce.query_records(
        _SF_USER_FIELDS + "WHERE Id = {} AND IsActive = true", user_id
    )
    found = _sf_user(recs[0]) if recs else None
    services.people_cache.put(key, found or False, ttl=IDENTITY_TTL if found else REFUSAL_TTL)
    return found


def is_salesforce_id(text: str) -> bool:
    """A 15- or 18-character Salesforce Id of a User (key prefix 005)."""
    return len(text) in (15, 18) and text.startswith("005") and set(text) <= _SF_ID_CHARS


# --- overrides ------------------------------------------------------------------------


def override_for(services: Services, slack_user_id: str) -> str | None:
    """The Salesforce user Id an admin mapped this Slack user to, if any."""
    with services.db.session() as session:
        row = session.get(UserMapping, slack_user_id)
        return row.salesforce_user_id if row is not None else None


def overrides(services: Services) -> dict[str, UserMapping]:
    """Every admin override: Slack user id -> its row."""
    with services.db.session() as session:
        rows = session.scalars(select(UserMapping).order_by(UserMapping.slack_user_id)).all()
        for row in rows:
            session.expunge(row)
    return {r.slack_user_id: r for r in rows}


def set_override(
    services: Services, slack_user_id: str, salesforce_user_id: str, *, by: str
) -> None:
    """Map ``slack_user_id`` to ``salesforce_user_id`` (replacing any earlier override)."""
    now = dt.datetime.now(dt.UTC)
    with services.db.session() as session:
        row = session.get(UserMapping, slack_user_id)
        if row is None:
            session.add(
                UserMapping(
                    slack_user_id=slack_user_id,
                    salesforce_user_id=salesforce_user_id,
                    set_by=by[:100],
                    set_at=now,
                )
            )
        else:
            row.salesforce_user_id, row.set_by, row.set_at = salesforce_user_id, by[:100], now


def remove_override(services: Services, slack_user_id: str) -> bool:
    """Remove the override of ``slack_user_id``; False if there was none."""
    with services.db.session() as session:
        result = session.execute(
            delete(UserMapping).where(UserMapping.slack_user_id == slack_user_id)
        )
        return bool(getattr(result, "rowcount", 0))


# --- who may use acctbot --------------------------------------------------------------

_UNAVAILABLE = (
    "I couldn't check who you are with Slack just now, so I can't answer. Try again in a minute."
)
_MISSING_SCOPE = (
    "acctbot can't read Slack profiles (the app lacks the users:read scope), so it can't "
    "tell who you are. A Slack admin needs to reinstall it from manifest.yml."
)
_NOT_A_MEMBER = "acctbot only answers members of this Slack workspace."


def _ask_admins(services: Services) -> str:
    admins = sorted(services.settings.admins)
    if admins:
        return "an acctbot admin (" + ", ".join(f"<@{a}>" for a in admins) + ")"
    return "an acctbot admin"


def _refusal(services: Services, user: dict[str, Any], slack_user_id: str) -> AccessRefused | None:
    """Why this Slack user may not use acctbot whoever they are in Salesforce, or None."""
    if user.get("deleted"):
        return AccessRefused(
            "This Slack account is deactivated, so acctbot can't answer it.", reason="deleted"
        )
    if user.get("is_bot") or slack_user_id == SLACKBOT:
        return AccessRefused("acctbot answers people, not apps or bots.", reason="bot")
    if user.get("is_stranger") or not _home_member(services, user):
        # Slack Connect: someone of another organisation in a shared channel. users.info
        # gives their own team_id (and is_stranger when their org is not connected to
        # ours: https://api.slack.com/types/user). Refused like a guest.
        return AccessRefused(
            ":lock: acctbot is only for full members of this workspace, so it can't answer "
            "people from other organisations in shared channels.",
            reason="guest",
        )
    if user.get("is_restricted") or user.get("is_ultra_restricted"):
        return AccessRefused(
            ":lock: acctbot is only for full members of this workspace, so it can't answer "
            "guests. If you should have access, ask your Slack admin to make you a full "
            f"member, then ask {_ask_admins(services)} to map you to your Salesforce user.",
            reason="guest",
        )
    return None


def home_team(services: Services) -> str | None:
    """This workspace's team Id (``auth.test``), cached; None when there is no Slack client.

    Raises IdentityUnavailable when Slack cannot be asked (then nobody is served: the
    stricter reading)."""
    hit = services.people_cache.get(("home_team",))
    if hit is not None:
        return str(hit) or None
    if services.slack is None:
        return None
    try:
        team = str(services.slack.auth_test().get("team_id") or "")
    except Exception as exc:
        log.warning("auth.test failed: %s", exc)
        raise IdentityUnavailable(_UNAVAILABLE, reason="unavailable") from None
    services.people_cache.put(("home_team",), team, ttl=IDENTITY_TTL)
    return team or None


def _home_member(services: Services, user: dict[str, Any]) -> bool:
    """Whether a Slack user (``users.info``) belongs to this workspace: their ``team_id``
    is ours, or (Enterprise Grid) ours is among their ``enterprise_user.teams``. A user
    object without a team_id is taken as ours (as Slack's own events are)."""
    team = str(user.get("team_id") or "")
    if not team:
        return True
    home = home_team(services)
    if home is None or team == home:
        return True
    return home in ((user.get("enterprise_user") or {}).get("teams") or [])


def _map_hint(services: Services, slack_user_id: str) -> str:
    return (
        f"ask {_ask_admins(services)} to map you: "
        f"`acctbot users map {slack_user_id} <your Salesforce e-mail>`"
    )


def _resolve(services: Services, slack_user_id: str) -> Person:
    user = slack_profile(services, slack_user_id)
    refused = _refusal(services, user, slack_user_id)
    if refused is not None:
        raise refused
    mapped = override_for(services, slack_user_id)
    if mapped is not None:
        sf = salesforce_user_by_id(services, mapped)
        if sf is None:
            raise AccessRefused(
                ":lock: acctbot only answers people with an active Salesforce user, and the "
                "Salesforce user you are mapped to is missing or inactive. To get access, "
                + _map_hint(services, slack_user_id)
                + ".",
                reason="unmapped",
            )
        return Person(slack_user_id, sf.id, sf.name, sf.email, "override")
    email = str((user.get("profile") or {}).get("email") or "").strip().lower()
    if not email:
        raise AccessRefused(
            ":lock: acctbot only answers people with an active Salesforce user, and I can't "
            "read your e-mail address from Slack to find yours. To get access, "
            + _map_hint(services, slack_user_id)
            + " (or add an e-mail to your Slack profile; the app needs the users:read.email "
            "scope).",
            reason="no_email",
        )
    try:
        sf = salesforce_user_by_email(services, email)
    except AmbiguousEmail:
        raise AccessRefused(
            ":lock: More than one Salesforce user has your e-mail address "
            f"({escape_slack(email)}), so acctbot won't guess which one is you. To get access, "
            f"ask {_ask_admins(services)} to map you: "
            f"`acctbot users map {slack_user_id} <your Salesforce user Id>`.",
            reason="ambiguous",
        ) from None
    if sf is None:
        raise AccessRefused(
            ":lock: acctbot only answers people with an active Salesforce user, and none has "
            f"your Slack e-mail address ({escape_slack(email)}). To get access, ask a "
            "Salesforce admin to set that e-mail on your Salesforce user, or "
            + _map_hint(services, slack_user_id)
            + ".",
            reason="unmapped",
        )
    return Person(slack_user_id, sf.id, sf.name, sf.email, "email")


def identify(services: Services, slack_user_id: str) -> Person:
    """The person asking, if they may use acctbot (rules in the module docstring).

    Costs ``users.info`` and one Salesforce query the first time in ``IDENTITY_TTL``
    seconds, and a primary-key read of the override table each time.

    Raises:
        AccessRefused: a guest, a bot, a deactivated or unmapped user (the message says
            how to get access).
        IdentityUnavailable: Slack could not be asked.
        SalesforceError: Salesforce could not be asked.
    """
    if not slack_user_id:
        raise AccessRefused(_NOT_A_MEMBER, reason="unknown")
    return _resolve(services, slack_user_id)


def identify_within(services: Services, slack_user_id: str, budget: float) -> Person:
    """:func:`identify`, giving up after ``budget`` seconds (a modal's trigger_id lasts 3 s).

    Raises:
        AccessRefused: as :func:`identify`; IdentityUnavailable when it took too long or
            Slack or Salesforce failed.
    """
    from concurrent.futures import TimeoutError as FutureTimeout

    from bot.infra.salesforce import SalesforceError
    from bot.workqueue import QueueFull

    known = known_identity(services, slack_user_id)  # from the caches: no request, no wait
    if known is not None:
        return known
    try:  # on the small look-up queue, so a modal never waits behind the answer workers
        person: Person = services.quick_call(
            lambda: identify(services, slack_user_id), timeout=budget, what="identity"
        )
        return person
    except (FutureTimeout, QueueFull):
        raise IdentityUnavailable(_UNAVAILABLE, reason="unavailable") from None
    except SalesforceError as exc:
        raise IdentityUnavailable(exc.user_message, reason="unavailable") from None


def known_identity(services: Services, slack_user_id: str | None) -> Person | None:
    """The person if already identified (from the caches alone, no request), else None."""
    if not slack_user_id:
        return None
    user = services.people_cache.get(("slack_user", slack_user_id))
    if user is None or _refusal(services, user, slack_user_id) is not None:
        return None
    try:
        mapped = override_for(services, slack_user_id)
    except Exception:  # the database is down: the audit log does without
        return None
    if mapped is not None:
        sf = services.people_cache.get(("sf_user_by_id", mapped[:15]))
        via = "override"
    else:
        email = str((user.get("profile") or {}).get("email") or "").strip().lower()
        sf = services.people_cache.get(("sf_user_by_email", email)) if email else None
        via = "email"
    if not isinstance(sf, SalesforceUser):
        return None
    return Person(slack_user_id, sf.id, sf.name, sf.email, via)


def refusal_message(exc: AccessRefused) -> Message:
    """The plain refusal a person gets (ephemeral, never shared); its audit outcome is
    ``refused``, or ``unavailable`` when Slack could not say who they are."""
    text = str(exc)
    outcome = "unavailable" if isinstance(exc, IdentityUnavailable) else "refused"
    return cards.refusal_message(text if text.startswith(":") else f":lock: {text}", outcome)


# --- the directory: everyone in Slack, and who they are in Salesforce -----------------


@dataclass(frozen=True)
class DirectoryEntry:
    """One Slack member as acctbot sees them. ``status``: member, guest, bot or
    deactivated; ``salesforce`` their active Salesforce user (None: unmapped); ``via``
    email or override (or "" when unmapped)."""

    slack_user_id: str
    name: str
    email: str
    status: str
    salesforce: SalesforceUser | None
    via: str

    @property
    def served(self) -> bool:
        """True when acctbot answers this person."""
        return self.status == "member" and self.salesforce is not None


def slack_members(services: Services) -> list[dict[str, Any]]:
    """Every Slack user (``users.list``, paged 200 at a time; needs ``users:read``)."""
    client = services.slack
    if client is None:
        raise RuntimeError("no Slack client")
    members: list[dict[str, Any]] = []
    cursor = ""
    while True:
        resp = client.users_list(limit=200, cursor=cursor or None)
        members += list(resp.get("members") or [])
        cursor = str((resp.get("response_metadata") or {}).get("next_cursor") or "")
        if not cursor:
            return members


def member_status(user: dict[str, Any]) -> str:
    """A Slack user object's kind: member, guest, bot or deactivated."""
    if user.get("deleted"):
        return "deactivated"
    if user.get("is_bot") or user.get("id") == SLACKBOT:
        return "bot"
    if user.get("is_restricted") or user.get("is_ultra_restricted"):
        return "guest"
    return "member"


def directory(services: Services, *, with_overrides: bool = True) -> list[DirectoryEntry]:
    """Every Slack user with their Salesforce user: admin overrides first (unless
    ``with_overrides`` is False: a database not migrated yet), else the active user with
    their e-mail. A few Salesforce queries (100 e-mails or Ids each).

    Raises SlackApiError / SalesforceError when either cannot be asked."""
    members = slack_members(services)
    found = overrides(services) if with_overrides else {}
    mapped = {k: v.salesforce_user_id for k, v in found.items()}
    emails = sorted(
        {
            str((u.get("profile") or {}).get("email") or "").lower()
            for u in members
            if u.get("id") not in mapped and member_status(u) != "bot"
        }
        - {""}
    )
    by_email: dict[str, SalesforceUser] = {}
    shared: set[str] = set()  # e-mails of several active users: nobody is matched by them
    for start in range(0, len(emails), 100):
        for rec in services.salesforce.query_records(
            _SF_USER_FIELDS + "WHERE Email IN {} AND IsActive = true ORDER BY CreatedDate ASC",
            emails[start : start + 100],
        ):
            address = str(rec.get("Email") or "").lower()
            if address in by_email:
                shared.add(address)
            by_email.setdefault(address, _sf_user(rec))
    for address in shared:
        del by_email[address]
    ids = sorted(set(mapped.values()))
    by_id: dict[str, SalesforceUser] = {}
    for start in range(0, len(ids), 100):
        for rec in services.salesforce.query_records(
            _SF_USER_FIELDS + "WHERE Id IN {} AND IsActive = true", ids[start : start + 100]
        ):
            by_id[rec["Id"][:15]] = _sf_user(rec)
    out = []
    for u in members:
        uid = str(u.get("id") or "")
        email = str((u.get("profile") or {}).get("email") or "").lower()
        if uid in mapped:
            sf, via = by_id.get(mapped[uid][:15]), "override"
        else:
            sf, via = by_email.get(email), "email"
        name = str(u.get("real_name") or u.get("name") or uid)
        out.append(DirectoryEntry(uid, name, email, member_status(u), sf, via if sf else ""))
    return sorted(out, key=lambda e: (e.status != "member", e.name.lower()))


# --- who a command is about -------------------------------------------------------------


def salesforce_user(services: Services, slack_user_id: str) -> SalesforceUser:
    """The Salesforce user a Slack user named in a command is (override, else e-mail).

    Raises:
        UnmappedUser: nobody acctbot can find; the message says why and how to fix it.
        SalesforceError: Salesforce could not be asked.
    """
    try:
        person = _resolve(services, slack_user_id)
    except IdentityUnavailable:
        raise UnmappedUser(
            f"I can't read <@{slack_user_id}>'s profile from Slack right now, so I can't find "
            "them in Salesforce. Try again in a minute."
        ) from None
    except AccessRefused as exc:
        if exc.reason == "no_email":
            raise UnmappedUser(
                f"I can't read <@{slack_user_id}>'s e-mail address from Slack, so I can't find "
                "them in Salesforce. The app needs the users:read.email scope (reinstall it "
                "from manifest.yml), and the Slack profile needs an e-mail."
            ) from None
        if exc.reason == "ambiguous":
            raise UnmappedUser(
                f"More than one Salesforce user has <@{slack_user_id}>'s e-mail, so I won't "
                "guess which one they are. An acctbot admin can map them: "
                f"`acctbot users map {slack_user_id} <Salesforce user Id>`."
            ) from None
        if exc.reason == "unmapped":
            email = slack_email(services, slack_user_id) or "their e-mail"
            raise UnmappedUser(
                f"No active Salesforce user has the e-mail {escape_slack(email)} "
                f"(<@{slack_user_id}>'s Slack address). Ask a Salesforce admin to set that "
                "e-mail on the user record, or change the Slack profile's e-mail to the "
                "Salesforce one."
            ) from None
        raise UnmappedUser(
            f"<@{slack_user_id}> is not someone acctbot can look up in Salesforce."
        ) from None
    return SalesforceUser(person.salesforce_user_id, person.name, person.email)


def with_names(svc: Services, arg: Argument) -> Argument:
    """``arg`` with a name for every person or channel Slack mentioned without one
    (``<@U123>``, ``<#C123|>``: Slack sends a private channel's mention with an empty
    label, ltworf/localslackirc#333): a person's Slack name from ``users.info``
    (:func:`slack_profile`, cached) and a channel's from ``conversations.info`` (cached).
    What Slack will not tell acctbot (a private channel it is not in, a user group:
    acctbot has no ``usergroups:read``) stays unnamed, and is shown as Slack's own mention
    (:attr:`bot.text.Mention.mrkdwn`). Calls Slack: run it on the worker pool, never
    before the acknowledgement. Never raises."""
    named: dict[str, Mention] = {}
    for word in arg.words:
        m = word.mention
        if m is None or m.label or m.id in named:
            continue
        if m.kind == "user":
            try:
                name = str(slack_profile(svc, m.id).get("name") or "")
            except AccessRefused:  # no such user, or Slack cannot say now
                name = ""
            named[m.id] = m.named(name)
        elif m.kind == "channel" and svc.slack is not None:
            named[m.id] = m.named(svc.channels.name_of(svc.slack, m.id) or "")
    return arg.with_mentions(named) if named else arg


def person_for(
    svc: Services, user_id: str, arg: Argument, *, shared: bool = False
) -> tuple[str, str] | None:
    """(title, owner e-mail) for '', 'mine', 'me' or one person's mention; None for other
    text. The title is "you" for the asker's own, unless the answer is shared in a channel.

    Raises:
        UnmappedUser: the person has no Salesforce user acctbot can find.
    """
    target = user_id if arg.text.lower() in MINE else arg.user
    if target is None:
        return None
    person = salesforce_user(svc, target)
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
        what = f"*{m.mrkdwn}* is a user group" if m.label else "That is a user group"
        return cards.error_message(f"{what}, not one person. {hint}")
    if m is not None and m.kind == "special":
        return cards.error_message(f"*{m.mrkdwn}* means everyone here, not one person. {hint}")
    if arg.text.startswith("@") and m is None:
        return cards.error_message(
            f"I don't know who *{typed}* is. Pick the person from Slack's @ list so the name "
            "becomes a mention."
        )
    return None
