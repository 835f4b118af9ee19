"""Every payload Slack sends acctbot, decoded into typed values or refused.

Listeners never index into a payload by hand: they call one decoder here and get a
frozen dataclass, or :class:`Refused` with a reason for the log and an answer for the
user ("this button is out of date, run the command again"). The shapes are the ones
Slack documents for slash commands (https://api.slack.com/interactivity/slash-commands),
interaction payloads (https://api.slack.com/reference/interaction-payloads/block-actions-payload,
https://api.slack.com/reference/interaction-payloads/views,
https://api.slack.com/reference/block-kit/block-elements#external_select) and events
(https://api.slack.com/events/app_home_opened); anything else is refused, never guessed.

:func:`check_envelope` is the coarse check the HTTP gate runs before Bolt sees a body:
Bolt's own routing reads fields such as ``body["actions"][0]`` and
``payload["user"]["id"]`` as if they were always there and of the right type.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.slack_ids import CardRef, EscalationRef, StaleButton
from bot.text import Argument, read_argument

BUTTON_OUT_OF_DATE = "This button is out of date. Run the command again for a fresh card."
FORM_OUT_OF_DATE = "This form is out of date. Close it and start again."
UNREADABLE = (
    "acctbot could not read that request from Slack, so nothing was done. Try again; "
    "if it keeps happening, tell your Slack admin."
)
MAX_TEXT = 4000  # characters of a command's text acctbot reads (Slack sends at most 4000)
SEARCHED = 100  # characters of a typed name a type-ahead searches for
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")  # U... users, W... Enterprise Grid users
RESPONSE_URL = re.compile(r"https?://[^\s/]+/\S{0,1000}")  # where answers to a request go


class Refused(ValueError):
    """A payload acctbot cannot use. ``reason`` is for the log (short, no payload
    contents); ``answer`` is what the user is told."""

    def __init__(self, reason: str, answer: str = UNREADABLE) -> None:
        super().__init__(reason)
        self.reason = reason
        self.answer = answer


# --- small readers -----------------------------------------------------------------------


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Refused(f"{what} is not an object")
    return value


def _str(obj: Mapping[str, Any], key: str, what: str, *, required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        raise Refused(f"{what}.{key} is not a string")
    return value


def _need_str(obj: Mapping[str, Any], key: str, what: str) -> str:
    value = _str(obj, key, what)
    assert value is not None
    return value


def _url(obj: Mapping[str, Any], key: str, what: str, *, required: bool = False) -> str | None:
    value = _str(obj, key, what, required=required)
    if value is not None and not RESPONSE_URL.fullmatch(value):
        raise Refused(f"{what}.{key} is not a URL")
    return value


def _user_id(body: Mapping[str, Any]) -> str:
    return _need_str(_obj(body.get("user"), "user"), "id", "user")


# --- the envelope (before Bolt) ---------------------------------------------------------

# Top-level (and nested, where Bolt recurses) keys Bolt reads while routing, with the
# types Slack sends. ``None`` allowed where Slack documents null.
_STRINGS = (
    "type", "team_id", "user_id", "channel_id", "enterprise_id", "api_app_id", "token",
    "command", "text", "thread_ts", "action_id", "block_id", "callback_id", "challenge",
    "response_url", "trigger_id", "function_execution_id", "bot_access_token",
    "context_team_id", "context_enterprise_id",
)  # fmt: skip
_OBJECTS = ("view", "message", "container", "state", "previous_message", "item",
            "assistant_thread", "function_data")  # fmt: skip
_NESTED = ("event", "message", "previous_message", "item", "assistant_thread")
_KNOWN_TYPES = {"block_actions", "view_submission", "view_closed", "block_suggestion",
                "event_callback", "url_verification", "ssl_check", "app_rate_limited"}  # fmt: skip


def _check_common(body: Mapping[str, Any], where: str, depth: int = 0) -> None:
    if depth > 3:
        raise Refused(f"{where} is nested too deeply")
    for key in _STRINGS:
        if key in body and body[key] is not None and not isinstance(body[key], str):
            raise Refused(f"{where}.{key} is not a string")
    for key in _OBJECTS:
        if key in body and body[key] is not None and not isinstance(body[key], dict):
            raise Refused(f"{where}.{key} is not an object")
    for key in ("user", "channel", "team", "enterprise"):
        value = body.get(key)
        if value is None or isinstance(value, str):
            continue
        if not isinstance(value, dict):
            raise Refused(f"{where}.{key} is neither an id nor an object")
        if "id" in value and not isinstance(value["id"], str):
            raise Refused(f"{where}.{key}.id is not a string")
    for key in ("is_enterprise_install", "is_ext_shared_channel"):
        if key in body and not isinstance(body[key], bool | str | None):
            raise Refused(f"{where}.{key} is not a boolean")
    for key in ("authorizations", "response_urls", "actions"):
        if key in body:
            items = body[key]
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise Refused(f"{where}.{key} is not a list of objects")
    for item in body.get("authorizations") or []:
        _check_common(item, f"{where}.authorizations[]", depth + 1)
    for item in body.get("response_urls") or []:
        _url(item, "response_url", f"{where}.response_urls[]")
    if depth == 0:
        _url(body, "response_url", where)
    view = body.get("view")
    if isinstance(view, dict):
        for key in ("id", "callback_id", "team_id", "app_installed_team_id", "hash",
                    "private_metadata"):  # fmt: skip
            if view.get(key) is not None and not isinstance(view[key], str):
                raise Refused(f"{where}.view.{key} is not a string")
    for key in _NESTED:
        if key in body:
            nested = body[key]
            if not isinstance(nested, dict):
                raise Refused(f"{where}.{key} is not an object")
            _check_common(nested, f"{where}.{key}", depth + 1)


def check_envelope(body: Any) -> None:
    """Raise :class:`Refused` unless ``body`` (as Bolt parsed it) has the shape of a
    request Slack sends: a slash command, an interaction or an event."""
    if not isinstance(body, dict):
        raise Refused("the body is not an object")
    _check_common(body, "body")
    kind = body.get("type")
    if kind is None:
        if "command" in body:
            command = _need_str(body, "command", "body")
            if not command.startswith("/"):
                raise Refused("body.command is not a slash command")
            _need_str(body, "user_id", "body")
            _need_str(body, "channel_id", "body")
            _url(body, "response_url", "body", required=True)
            _need_str(body, "trigger_id", "body")
            return
        if "ssl_check" in body:
            return
        raise Refused("the body has neither a type nor a command")
    if kind not in _KNOWN_TYPES:
        raise Refused(f"unknown payload type {kind[:40]!r}")
    if kind == "block_actions":
        _user_id(body)
        actions = body.get("actions")
        if not actions:
            raise Refused("block_actions without actions")
        for action in actions:
            _need_str(action, "action_id", "action")
            _str(action, "block_id", "action", required=False)
    elif kind in ("view_submission", "view_closed"):
        _user_id(body)
        view = _obj(body.get("view"), "view")
        _need_str(view, "callback_id", "view")
        _need_str(view, "type", "view")
    elif kind == "block_suggestion":
        _user_id(body)
        _need_str(body, "action_id", "body")
        _str(body, "value", "body", required=False)
    elif kind == "event_callback":
        event = _obj(body.get("event"), "event")
        _need_str(event, "type", "event")


# --- slash commands -----------------------------------------------------------------------


@dataclass(frozen=True)
class SlashCommand:
    """A slash command: its name (``/account``), its text as Slack sent it (at most 4000
    characters) and read as an :class:`~bot.text.Argument` (mentions, links, words), who
    ran it where, and its reply handles."""

    name: str
    text: str
    argument: Argument
    user_id: str
    channel_id: str
    trigger_id: str | None
    response_url: str | None


def slash_command(body: Mapping[str, Any]) -> SlashCommand:
    """Decode a slash command payload. Raises :class:`Refused`."""
    name = _need_str(body, "command", "command")
    text = (_str(body, "text", "command", required=False) or "")[:MAX_TEXT]
    return SlashCommand(
        name=name,
        text=text,
        argument=read_argument(text),
        user_id=_need_str(body, "user_id", "command"),
        channel_id=_need_str(body, "channel_id", "command"),
        trigger_id=_str(body, "trigger_id", "command", required=False),
        response_url=_url(body, "response_url", "command", required=True),
    )


# --- clicks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Click:
    """A ``block_actions`` click in a message: the first action, who clicked, where.

    ``value`` is a button's value; ``selected`` a select's chosen option value.
    ``message_ts``/``is_ephemeral`` describe the message clicked in. Every acctbot button
    and select lives in a message, and Slack sends a click in a message with its
    ``response_url``, so a click without one is refused.
    """

    user_id: str
    action_id: str
    value: str | None
    selected: str | None
    trigger_id: str | None
    channel_id: str | None
    message_ts: str | None
    is_ephemeral: bool | None
    response_url: str

    def card_ref(self) -> CardRef:
        """The :class:`CardRef` a Share/Refresh/Escalate button carries.
        Raises :class:`Refused` (out of date)."""
        try:
            return CardRef.from_value(self.value)
        except StaleButton as exc:
            raise Refused(f"{self.action_id}: {exc}", BUTTON_OUT_OF_DATE) from None

    def escalation_id(self) -> int:
        """The escalation an alert button acts on. Raises :class:`Refused`."""
        try:
            return EscalationRef.from_value(self.value).id
        except StaleButton as exc:
            raise Refused(f"{self.action_id}: {exc}", BUTTON_OUT_OF_DATE) from None


def click(body: Mapping[str, Any]) -> Click:
    """Decode a ``block_actions`` payload. Raises :class:`Refused`."""
    if body.get("type") != "block_actions":
        raise Refused("not a block_actions payload")
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions:
        raise Refused("block_actions without actions")
    action = _obj(actions[0], "action")
    selected_option = action.get("selected_option")
    selected = None
    if selected_option is not None:
        selected = _str(_obj(selected_option, "selected_option"), "value", "selected_option")
    container = body.get("container")
    container = container if isinstance(container, dict) else {}
    channel = body.get("channel")
    channel_id = channel.get("id") if isinstance(channel, dict) else None
    channel_id = channel_id or container.get("channel_id")
    ephemeral = container.get("is_ephemeral")
    message_ts = container.get("message_ts")
    return Click(
        user_id=_user_id(body),
        action_id=_need_str(action, "action_id", "action"),
        value=_str(action, "value", "action", required=False),
        selected=selected,
        trigger_id=_str(body, "trigger_id", "body", required=False),
        channel_id=channel_id if isinstance(channel_id, str) else None,
        message_ts=message_ts if isinstance(message_ts, str) else None,
        is_ephemeral=ephemeral if isinstance(ephemeral, bool) else None,
        response_url=_url(body, "response_url", "body", required=True) or "",
    )


# --- modal submissions --------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """A ``view_submission``: who submitted which modal, its input values (block id ->
    action id -> element state), its private metadata (a JSON object) and a hash of the
    submitted state (the same form submitted twice has the same ``state_hash``)."""

    user_id: str
    view_id: str
    callback_id: str
    values: Mapping[str, Mapping[str, Mapping[str, Any]]]
    metadata: Mapping[str, Any]
    state_hash: str

    def _element(self, block: str, action: str) -> Mapping[str, Any]:
        return (self.values.get(block) or {}).get(action) or {}

    def text(self, block: str, action: str) -> str | None:
        """A plain_text_input's value (None when empty)."""
        value = self._element(block, action).get("value")
        if value is not None and not isinstance(value, str):
            raise Refused(f"{block}.{action}.value is not text", FORM_OUT_OF_DATE)
        return value or None

    def option(self, block: str, action: str) -> tuple[str, str] | None:
        """A select's chosen option as (value, label), or None."""
        chosen = self._element(block, action).get("selected_option")
        if chosen is None:
            return None
        if not isinstance(chosen, dict) or not isinstance(chosen.get("value"), str):
            raise Refused(f"{block}.{action}.selected_option is malformed", FORM_OUT_OF_DATE)
        label = chosen.get("text")
        text = label.get("text") if isinstance(label, dict) else None
        return chosen["value"], text if isinstance(text, str) else chosen["value"]

    def user(self, block: str, action: str) -> str | None:
        """A users_select's chosen user id, or None."""
        value = self._element(block, action).get("selected_user")
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not SLACK_USER_ID.fullmatch(value):
            raise Refused(f"{block}.{action}.selected_user is not a user id", FORM_OUT_OF_DATE)
        return value

    def epoch(self, block: str, action: str) -> int | None:
        """A datetimepicker's value (Unix seconds), or None."""
        value = self._element(block, action).get("selected_date_time")
        if value in (None, ""):
            return None
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise Refused(f"{block}.{action}.selected_date_time is malformed", FORM_OUT_OF_DATE)
        try:
            return int(value)
        except ValueError:
            raise Refused(f"{block}.{action}.selected_date_time is malformed",
                          FORM_OUT_OF_DATE) from None  # fmt: skip

    def metadata_id(self) -> int:
        """The escalation id a resolve/reassign modal carries. Raises :class:`Refused`."""
        value = self.metadata.get("id")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
            raise Refused(f"{self.callback_id}: no escalation id in the modal", FORM_OUT_OF_DATE)
        return value


def submission(body: Mapping[str, Any]) -> Submission:
    """Decode a ``view_submission`` payload. Raises :class:`Refused`."""
    if body.get("type") != "view_submission":
        raise Refused("not a view_submission payload")
    view = _obj(body.get("view"), "view")
    state = view.get("state") or {}
    values = _obj(state, "view.state").get("values") or {}
    for block, actions in _obj(values, "view.state.values").items():
        for action, element in _obj(actions, f"state.{block}").items():
            _obj(element, f"state.{block}.{action}")
    raw_meta = view.get("private_metadata") or "{}"
    try:
        metadata = json.loads(raw_meta) if isinstance(raw_meta, str) else None
    except ValueError:
        metadata = None
    if not isinstance(metadata, dict):
        raise Refused("the modal's private_metadata is not a JSON object", FORM_OUT_OF_DATE)
    digest = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode())
    return Submission(
        user_id=_user_id(body),
        view_id=_str(view, "id", "view", required=False) or "",
        callback_id=_need_str(view, "callback_id", "view"),
        values=values,
        metadata=metadata,
        state_hash=digest.hexdigest()[:32],
    )


# --- options (block_suggestion) -----------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """An external select asking for options: who is typing, in which element, and what
    they typed so far, read as every command argument is (a link is its label, a link to a
    Salesforce record that record: Slack documents no escaping for this value, so the
    stricter reading takes whichever form arrives). A name is cut to 100 characters; a
    Salesforce link names its record however long it is."""

    user_id: str
    action_id: str
    query: str


def suggestion(body: Mapping[str, Any]) -> Suggestion:
    """Decode a ``block_suggestion`` payload. Raises :class:`Refused`."""
    if body.get("type") != "block_suggestion":
        raise Refused("not a block_suggestion payload")
    from bot.records import record_ref

    value = _str(body, "value", "body", required=False) or ""
    query = read_argument(value[:MAX_TEXT]).text
    if record_ref(query) is None:
        query = query[:SEARCHED]
    return Suggestion(
        user_id=_user_id(body),
        action_id=_need_str(body, "action_id", "body"),
        query=query,
    )


# --- events -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeOpened:
    """``app_home_opened``: who opened which tab (``home`` or ``messages``)."""

    user_id: str
    tab: str


def home_opened(event: Mapping[str, Any]) -> HomeOpened:
    """Decode an ``app_home_opened`` event. Raises :class:`Refused`."""
    user = _need_str(event, "user", "event")
    if not SLACK_USER_ID.fullmatch(user):
        raise Refused("app_home_opened for something that is not a user id")
    return HomeOpened(
        user_id=user,
        tab=_str(event, "tab", "event", required=False) or "",
    )
