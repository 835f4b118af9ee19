"""Workspace state for the Slack stand-in: users, channels, DMs, messages and views.

``Workspace`` holds what Slack's servers would hold for one team and changes it the way
Slack does (message timestamps, threads, edits, ephemeral messages, modal stacks, Home
tabs). ``SlackStandIn`` builds its Web API and servers on top of it. One re-entrant
lock (a ``Condition``) guards everything; waiters are woken on every change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.standins.slack.blocks import validate_view

VIEW_STACK_LIMIT = 3
ID_CHARS = string.ascii_uppercase + string.digits

_TZ_LABELS = {
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "UTC": "Coordinated Universal Time",
}


class ApiError(Exception):
    """A Web API ``{"ok": false, "error": ...}`` answer, with any extra body fields.

    ``status`` is the HTTP status it is answered with (200 for Slack's ordinary errors;
    429 for ``ratelimited``) and ``headers`` any extra response headers (``Retry-After``).
    """

    def __init__(
        self,
        error: str,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.headers = headers or {}
        self.extra = extra


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    user: str | None = None
    members: set[str] | None = None  # None: everyone
    is_member: bool = True  # the bot
    topic: str = ""
    purpose: str = ""
    created: int = 0

    def has_member(self, user_id: str) -> bool:
        if self.is_im:
            return user_id == self.user
        return self.members is None or user_id in self.members

    def to_api(self, team_id: str, bot_user_id: str) -> dict[str, Any]:
        if self.is_im:
            return {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "user": self.user,
                "is_user_deleted": False,
                "priority": 0,
                "context_team_id": team_id,
            }
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private,
            "is_group": self.is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "created": self.created,
            "is_archived": False,
            "is_general": self.name == "general",
            "unlinked": 0,
            "name_normalized": self.name.lower(),
            "is_shared": False,
            "is_org_shared": False,
            "is_ext_shared": False,
            "is_pending_ext_shared": False,
            "context_team_id": team_id,
            "creator": bot_user_id,
            "is_member": self.is_member,
            "topic": {"value": self.topic, "creator": "", "last_set": 0},
            "purpose": {"value": self.purpose, "creator": "", "last_set": 0},
            "num_members": len(self.members) if self.members is not None else 0,
        }


def new_id(prefix: str, length: int = 10) -> str:
    return prefix + "".join(secrets.choice(ID_CHARS) for _ in range(length))


def _view_hash() -> str:
    return f"{int(time.time())}.{secrets.token_hex(4)}"


class Workspace:
    """One Slack team's state, as its servers would hold it."""

    bot_user_id = "U0ACCTBOT"
    bot_id = "B0ACCTBOT"

    def __init__(
        self,
        *,
        team_id: str,
        team_domain: str,
        team_name: str,
        api_app_id: str,
        bot_name: str,
    ) -> None:
        self.team_id = team_id
        self.team_domain = team_domain
        self.team_name = team_name
        self.api_app_id = api_app_id
        self.bot_name = bot_name

        self._lock = threading.Condition(threading.RLock())
        self._offset = 0.0  # advance(): shifts the stand-in's clock
        self._last_ts_us = 0
        self._users: dict[str, dict[str, Any]] = {}
        self._channels: dict[str, Channel] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._ephemerals: list[dict[str, Any]] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._view_owner: dict[str, str] = {}
        self._stacks: dict[str, list[str]] = {}
        self._homes: dict[str, str] = {}
        self._opened: list[dict[str, Any]] = []
        self._listeners: list[Callable[[str, dict[str, Any]], None]] = []
        self._usergroups: dict[str, dict[str, Any]] = {}

        self.add_user(self.bot_user_id, bot_name, bot_name, "", is_bot=True)
        self.add_channel("C0GENERAL01", "general")

    # -- clock -------------------------------------------------------------------------

    def now(self) -> float:
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the stand-in's clock forward (expires trigger ids and response_urls)."""
        with self._lock:
            self._offset += seconds

    def _new_ts(self) -> str:
        with self._lock:
            us = max(int(self.now() * 1_000_000), self._last_ts_us + 1)
            self._last_ts_us = us
        return f"{us // 1_000_000}.{us % 1_000_000:06d}"

    # -- workspace set-up ----------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        real_name: str,
        email: str,
        *,
        tz: str = "America/New_York",
        is_admin: bool = False,
        is_bot: bool = False,
        deleted: bool = False,
        guest: str | None = None,
    ) -> dict[str, Any]:
        """Add (or replace) a workspace member; returns Slack's user object.

        ``guest``: ``"multi"`` for a multi-channel guest (``is_restricted``), ``"single"``
        for a single-channel guest (``is_restricted`` and ``is_ultra_restricted``), as
        Slack's user object describes them (https://api.slack.com/types/user: "use
        is_restricted in combination with is_ultra_restricted to check if the user is a
        single-channel guest")."""
        if guest not in (None, "multi", "single"):
            raise ValueError("guest is None, 'multi' or 'single'")
        try:
            zone = ZoneInfo(tz)
        except ZoneInfoNotFoundError as exc:
            raise ValueError(f"unknown time zone {tz!r}") from exc
        local = dt.datetime.now(zone)
        offset = local.utcoffset()
        abbrev = local.tzname() or tz
        avatar = "https://secure.gravatar.com/avatar/standin.jpg"
        profile: dict[str, Any] = {
            "title": "",
            "phone": "",
            "skype": "",
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": name,
            "display_name_normalized": name,
            "fields": None,
            "status_text": "",
            "status_emoji": "",
            "status_expiration": 0,
            "avatar_hash": "g" + hashlib.md5(user_id.encode()).hexdigest()[:11],
            "first_name": real_name.split(" ")[0] if real_name else "",
            "last_name": " ".join(real_name.split(" ")[1:]),
            **{f"image_{size}": avatar for size in (24, 32, 48, 72, 192, 512)},
            "team": self.team_id,
        }
        if email:
            profile["email"] = email
        if is_bot:
            profile["bot_id"] = self.bot_id if user_id == self.bot_user_id else "B" + user_id[1:]
            profile["api_app_id"] = self.api_app_id if user_id == self.bot_user_id else ""
            profile["always_active"] = True
        user = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": deleted,
            "color": "9f69e7",
            "real_name": real_name,
            "tz": tz,
            "tz_label": _TZ_LABELS.get(abbrev, abbrev),
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": profile,
            "is_admin": is_admin,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": guest is not None,
            "is_ultra_restricted": guest == "single",
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": int(time.time()),
            "is_email_confirmed": bool(email),
            "who_can_share_contact_card": "EVERYONE",
        }
        if not is_bot:
            user["has_2fa"] = False
        with self._lock:
            self._users[user_id] = user
        return json.loads(json.dumps(user))

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        members: list[str] | None = None,
        bot_is_member: bool = True,
    ) -> None:
        """Add a channel. ``members=None`` means every user is in it."""
        with self._lock:
            self._channels[channel_id] = Channel(
                id=channel_id,
                name=name.lstrip("#"),
                is_private=is_private,
                members=set(members) if members is not None else None,
                is_member=bot_is_member,
                created=int(time.time()),
            )
            self._messages.setdefault(channel_id, [])

    def add_usergroup(
        self, group_id: str, handle: str, name: str, users: list[str] | None = None
    ) -> None:
        """Add a user group (``@handle``), as an admin would; ``group_id`` starts with S."""
        with self._lock:
            self._usergroups[group_id] = {
                "id": group_id,
                "team_id": self.team_id,
                "handle": handle.lstrip("@"),
                "name": name,
                "users": list(users or []),
            }

    def invite_bot(self, channel: str, *, by: str | None = None) -> None:
        """A person invites the bot into ``channel`` (``/invite @bot``; the only way into a
        private channel). Slack then shows the bot's ``channel_join`` message there."""
        with self._lock:
            ch = self._resolve_channel(channel)
            if ch.is_im or ch.is_member:
                return
            ch.is_member = True
        self._joined(ch.id, inviter=by)

    def remove_bot(self, channel: str) -> None:
        """A person removes the bot from ``channel`` (``/remove @bot``)."""
        with self._lock:
            self._resolve_channel(channel).is_member = False
            self._lock.notify_all()

    def _joined(self, channel_id: str, inviter: str | None = None) -> dict[str, Any]:
        """Slack's ``channel_join`` message for the bot joining ``channel_id``: real Slack
        shows "<bot> has joined the channel" in the channel's history (message subtype
        ``channel_join``, https://api.slack.com/events/message/channel_join)."""
        message: dict[str, Any] = {
            "type": "message",
            "subtype": "channel_join",
            "user": self.bot_user_id,
            "text": f"<@{self.bot_user_id}> has joined the channel",
            "ts": self._new_ts(),
        }
        if inviter:
            message["inviter"] = inviter
        with self._lock:
            self._messages.setdefault(channel_id, []).append(message)
            self._lock.notify_all()
        self._notify("message", {"channel": channel_id, "message": dict(message)})
        return dict(message)

    def dm_channel_id(self, user_id: str) -> str:
        """The bot's DM channel with ``user_id`` (stable; created on first use)."""
        with self._lock:
            for ch in self._channels.values():
                if ch.is_im and ch.user == user_id:
                    return ch.id
            channel_id = "D" + user_id[1:]
            self._channels[channel_id] = Channel(
                id=channel_id, name=user_id, is_im=True, user=user_id, created=int(time.time())
            )
            self._messages.setdefault(channel_id, [])
            return channel_id

    def user(self, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            user = self._users.get(user_id)
            return json.loads(json.dumps(user)) if user else None

    def post_user_message(
        self, channel: str, user_id: str, text: str, *, thread_ts: str | None = None
    ) -> dict[str, Any]:
        """A person's message in a channel (no event is sent; use ``event`` for that)."""
        message: dict[str, Any] = {
            "type": "message",
            "user": user_id,
            "text": text,
            "ts": self._new_ts(),
            "team": self.team_id,
        }
        if thread_ts:
            message["thread_ts"] = thread_ts
        with self._lock:
            channel_id = self._resolve_channel(channel).id
            self._messages[channel_id].append(message)
        self._notify("message", {"channel": channel_id, "message": message})
        return dict(message)

    # -- observers -----------------------------------------------------------------------

    def subscribe(self, listener: Callable[[str, dict[str, Any]], None]) -> None:
        """Call ``listener(kind, data)`` on every visible change (for a console).

        Kinds: ``message``, ``message_changed``, ``message_deleted``, ``ephemeral``,
        ``view_opened``, ``view_updated``, ``view_pushed``, ``view_closed``,
        ``home_published``.
        """
        with self._lock:
            self._listeners.append(listener)

    def clear_messages(self) -> None:
        """Forget every message and ephemeral (channels and users stay): a fresh history."""
        with self._lock:
            self._messages.clear()
            self._ephemerals.clear()
            self._lock.notify_all()

    def _notify(self, kind: str, data: dict[str, Any]) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(kind, data)

    # -- reading state ------------------------------------------------------------------

    def _wait(self, find: Callable[[], Any], timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = find()
                if found is not None:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
                self._lock.wait(remaining)

    def wait_until(self, condition: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``condition()`` is truthy (re-checked on every state change)."""
        return self._wait(lambda: condition() or None, timeout, "condition")

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Messages in a channel (id, ``#name`` or a user id for the DM), oldest first."""
        with self._lock:
            channel_id = self._resolve_channel(channel).id
            return json.loads(json.dumps(self._messages.get(channel_id, [])))

    def dm_messages(self, user_id: str) -> list[dict[str, Any]]:
        return self.messages(self.dm_channel_id(user_id))

    def ephemeral_messages(
        self, user_id: str | None = None, channel: str | None = None
    ) -> list[dict[str, Any]]:
        """Ephemeral messages (chat.postEphemeral, response_url, command acks)."""
        with self._lock:
            channel_id = self._resolve_channel(channel).id if channel else None
            return [
                dict(e)
                for e in self._ephemerals
                if (user_id is None or e["user"] == user_id)
                and (channel_id is None or e["channel"] == channel_id)
            ]

    def wait_for_message(
        self,
        channel: str,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        def find() -> dict[str, Any] | None:
            for message in self.messages(channel):
                if predicate is None or predicate(message):
                    return message
            return None

        return self._wait(find, timeout, f"a message in {channel}")

    def views_opened(self) -> list[dict[str, Any]]:
        """Every view opened or pushed, as views.open/push returned it, oldest first."""
        with self._lock:
            return json.loads(json.dumps(self._opened))

    def view(self, view_id: str) -> dict[str, Any] | None:
        with self._lock:
            view = self._views.get(view_id)
            return json.loads(json.dumps(view)) if view else None

    def open_views(self, user_id: str) -> list[dict[str, Any]]:
        """The user's modal stack, bottom first (empty when no modal is open)."""
        with self._lock:
            return [json.loads(json.dumps(self._views[v])) for v in self._stacks.get(user_id, [])]

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            view_id = self._homes.get(user_id)
        return self.view(view_id) if view_id else None

    # -- views state ---------------------------------------------------------------------

    def _new_view_object(self, view: dict[str, Any], previous: str | None) -> dict[str, Any]:
        view_id = new_id("V")
        obj: dict[str, Any] = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view.get("type", "modal"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": _view_hash(),
            "title": view.get("title"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": previous,
            "root_view_id": view_id,
            "app_id": self.api_app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        return obj

    def _close_views(self, user_id: str, *, clear: bool) -> None:
        with self._lock:
            stack = self._stacks.get(user_id, [])
            closed = list(stack) if clear else stack[-1:]
            del stack[len(stack) - len(closed) :]
            self._lock.notify_all()
        for view_id in closed:
            self._notify("view_closed", {"user": user_id, "view_id": view_id})

    def _apply_response_action(self, user_id: str, view: dict[str, Any], body: Any) -> list[str]:
        """Apply a view_submission answer as Slack does; returns what Slack rejects."""
        if not body:
            self._close_views(user_id, clear=False)
            return []
        if not isinstance(body, dict):
            return ["view_submission answer must be empty or JSON"]
        action = body.get("response_action")
        if action == "clear":
            self._close_views(user_id, clear=True)
        elif action == "errors":
            errors = body.get("errors")
            if not isinstance(errors, dict) or not errors:
                return ["response_action errors needs a non-empty errors object"]
            block_ids = {b.get("block_id") for b in view.get("blocks") or [] if isinstance(b, dict)}
            unknown = [k for k in errors if k not in block_ids]
            if unknown:
                return [f"errors name unknown block_id(s): {', '.join(unknown)}"]
        elif action in ("update", "push"):
            new_view = body.get("view")
            if not isinstance(new_view, dict):
                return [f"response_action {action} needs a view"]
            problems = validate_view(new_view)
            if problems:
                return problems
            with self._lock:
                stack = self._stacks.setdefault(user_id, [])
                if action == "push" and len(stack) >= VIEW_STACK_LIMIT:
                    return ["push_limit_reached"]
                if action == "update" and stack:
                    current = self._views[stack[-1]]
                    current.update(
                        {
                            k: v
                            for k, v in self._new_view_object(new_view, None).items()
                            if k not in ("id", "root_view_id", "previous_view_id")
                        }
                    )
                    obj = current
                else:
                    obj = self._new_view_object(new_view, stack[-1] if stack else None)
                    if stack:
                        obj["root_view_id"] = self._views[stack[0]]["id"]
                    self._views[obj["id"]] = obj
                    stack.append(obj["id"])
                    self._opened.append(json.loads(json.dumps(obj)))
                self._lock.notify_all()
            self._notify("view_updated" if action == "update" else "view_pushed", obj)
        else:
            return [f"unknown response_action {action!r}"]
        return []

    # -- message state -------------------------------------------------------------------

    def _bot_message(self, content: dict[str, Any], ts: str) -> dict[str, Any]:
        text = content.get("text") or ""
        if not text and content.get("blocks"):
            text = "This content can't be displayed."
        message: dict[str, Any] = {
            "user": self.bot_user_id,
            "type": "message",
            "ts": ts,
            "bot_id": self.bot_id,
            "app_id": self.api_app_id,
            "text": text,
            "team": self.team_id,
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.api_app_id,
                "name": self.bot_name,
                "icons": {"image_36": "", "image_48": "", "image_72": ""},
                "deleted": False,
                "updated": int(time.time()),
                "team_id": self.team_id,
            },
        }
        for key in ("blocks", "attachments", "metadata"):
            if content.get(key) is not None:
                message[key] = content[key]
        return message

    def _store_message(
        self, channel_id: str, content: dict[str, Any], *, thread_ts: str | None = None
    ) -> dict[str, Any]:
        message = self._bot_message(content, self._new_ts())
        with self._lock:
            if thread_ts:
                message["thread_ts"] = thread_ts
                message["parent_user_id"] = self.bot_user_id
                for parent in self._messages.get(channel_id, []):
                    if parent["ts"] == thread_ts:
                        parent.setdefault("thread_ts", thread_ts)
                        parent["reply_count"] = parent.get("reply_count", 0) + 1
                        parent["latest_reply"] = message["ts"]
            self._messages.setdefault(channel_id, []).append(message)
            self._lock.notify_all()
        self._notify("message", {"channel": channel_id, "message": dict(message)})
        return dict(message)

    def _store_ephemeral(
        self, channel_id: str, user_id: str, content: dict[str, Any], source: str
    ) -> dict[str, Any]:
        entry = {
            "type": "message",
            "channel": channel_id,
            "user": user_id,
            "ts": self._new_ts(),
            "text": content.get("text", ""),
            "source": source,
            **({"blocks": content["blocks"]} if content.get("blocks") is not None else {}),
        }
        with self._lock:
            self._ephemerals.append(entry)
            self._lock.notify_all()
        self._notify("ephemeral", dict(entry))
        return entry

    def _replace(self, channel_id: str, ts: str, content: dict[str, Any], ephemeral: bool) -> bool:
        with self._lock:
            if ephemeral:
                for entry in self._ephemerals:
                    if entry["ts"] == ts:
                        entry["text"] = content.get("text", "")
                        entry.pop("blocks", None)
                        if content.get("blocks") is not None:
                            entry["blocks"] = content["blocks"]
                        self._lock.notify_all()
                        found = dict(entry)
                        break
                else:
                    return False
                kind = "ephemeral"
            else:
                message = self._find_message(channel_id, ts)
                if message is None:
                    return False
                message["text"] = content.get("text", "") or (
                    "This content can't be displayed." if content.get("blocks") else ""
                )
                message.pop("blocks", None)
                if content.get("blocks") is not None:
                    message["blocks"] = content["blocks"]
                message["edited"] = {"user": self.bot_user_id, "ts": self._new_ts()}
                self._lock.notify_all()
                found = {"channel": channel_id, "message": dict(message)}
                kind = "message_changed"
        self._notify(kind, found)
        return True

    def _find_message(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        for message in self._messages.get(channel_id, []):
            if message["ts"] == ts:
                return message
        return None

    def _delete_message(self, channel_id: str, ts: str, user_id: str | None = None) -> bool:
        with self._lock:
            before = len(self._ephemerals)
            self._ephemerals = [e for e in self._ephemerals if e["ts"] != ts]
            removed = len(self._ephemerals) != before
            messages = self._messages.get(channel_id, [])
            kept = [m for m in messages if m["ts"] != ts]
            removed = removed or len(kept) != len(messages)
            self._messages[channel_id] = kept
            self._lock.notify_all()
        if removed:
            self._notify("message_deleted", {"channel": channel_id, "ts": ts})
        return removed

    # -- the Web API -------------------------------------------------------------------

    def _resolve_channel(self, value: str | None) -> Channel:
        if not value:
            raise ApiError("channel_not_found")
        with self._lock:
            if value in self._channels:
                return self._channels[value]
            if value[:1] in "UW" and value in self._users:
                return self._channels[self.dm_channel_id(value)]
            name = value.lstrip("#")
            for ch in self._channels.values():
                if not ch.is_im and ch.name == name:
                    return ch
        raise ApiError("channel_not_found")
