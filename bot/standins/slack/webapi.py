"""The Web API methods of the Slack stand-in (``auth.test``, ``chat.*``, ``views.*`` ...).

Each ``_api_<method>`` takes the call's arguments (query, form or JSON body merged, JSON
fields such as ``blocks`` and ``view`` decoded) and returns Slack's success body, or
raises ``ApiError`` for ``{"ok": false, "error": ...}`` with Slack's error code.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from bot.standins.slack.blocks import (
    TEXT_LIMIT,
    BlocksFormatError,
    parse_blocks,
    validate_blocks,
    validate_view,
)
from bot.standins.slack.workspace import VIEW_STACK_LIMIT, ApiError, Channel, Workspace

TRIGGER_TTL = 3.0  # seconds a trigger_id stays valid for views.open / views.push

# Every bot scope the stand-in checks. A stand-in made without ``scopes`` holds them all;
# the test and demo stacks grant exactly the ones the app's manifest.yml asks for.
MODELLED_SCOPES = frozenset(
    {
        "commands",
        "chat:write",
        "chat:write.public",
        "channels:join",
        "channels:read",
        "groups:read",
        "im:read",
        "mpim:read",
        "channels:history",
        "groups:history",
        "im:history",
        "mpim:history",
        "im:write",
        "users:read",
        "users:read.email",
        "team:read",
    }
)

# chat.postMessage's per-channel limit. Slack: "chat.postMessage generally allows posting
# one message per second per channel, while also maintaining a workspace-wide limit";
# "Posting messages: 1 per second. Short bursts >1 allowed" (Rate limits,
# https://api.slack.com/apis/rate-limits, "Special Tier"). How long a burst may be is not
# documented, so the stand-in keeps it short: a token bucket that holds POST_BURST
# messages and refills at POST_RATE a second; past it, HTTP 429 ``ratelimited`` with
# ``Retry-After`` whole seconds, the shape Slack documents for every 429. The
# workspace-wide limit is not published and not modelled.
POST_RATE = 1.0
POST_BURST = 6

# Per-method limits, "applied on a 'per API method per app per workspace' basis" in
# requests a minute by tier: Tier 1 "1+", Tier 2 "20+", Tier 3 "50+", Tier 4 "100+"
# (Rate limits, https://api.slack.com/docs/rate-limits). A method's tier is in its
# reference page's Facts: conversations.history and conversations.replies are Tier 3
# (https://api.slack.com/methods/conversations.history, .../conversations.replies). The
# stand-in takes the floor of the tier (the stricter reading) as a token bucket that
# holds a minute's worth ("Sporadic bursts are welcome") and refills continuously; past
# it, HTTP 429 ``ratelimited`` with ``Retry-After`` whole seconds. (The 2025 limits of 1
# a minute apply to commercially distributed apps not in the Marketplace, not to an
# internal app such as acctbot.) Only the methods whose limit the exactly-once checks
# meet are modelled.
TIER_PER_MINUTE = {1: 1.0, 2: 20.0, 3: 50.0, 4: 100.0}
METHOD_TIERS = {"conversations.history": 3, "conversations.replies": 3}


@dataclass
class _Bucket:
    tokens: float
    at: float


class WebApi(Workspace):
    """Slack's Web API methods over the workspace state.

    ``scopes`` are the bot token's granted scopes (default: every scope in
    ``MODELLED_SCOPES``); a method called without its scope answers ``missing_scope``
    with ``needed`` and ``provided``, as Slack does.
    """

    def __init__(self, *, scopes: Iterable[str] | None = None, **team: Any) -> None:
        super().__init__(**team)
        self._triggers: dict[str, tuple[float, str, bool]] = {}  # id -> (issued, user, used)
        self._scopes: set[str] = set(MODELLED_SCOPES if scopes is None else scopes)
        self._post_rate = POST_RATE
        self._post_burst: float | None = POST_BURST
        self._buckets: dict[str, _Bucket] = {}
        # method -> (per minute, burst); None: not limited (a test knob)
        self._method_limits: dict[str, tuple[float, float] | None] = {
            method: (TIER_PER_MINUTE[tier], TIER_PER_MINUTE[tier])
            for method, tier in METHOD_TIERS.items()
        }
        self._method_buckets: dict[str, _Bucket] = {}

    # -- scopes and limits -------------------------------------------------------------

    @property
    def scopes(self) -> frozenset[str]:
        """The bot token's granted scopes."""
        with self._lock:
            return frozenset(self._scopes)

    def set_scopes(self, scopes: Iterable[str]) -> None:
        """Grant exactly ``scopes`` to the bot token (as reinstalling the app would)."""
        with self._lock:
            self._scopes = set(scopes)

    def _require_scope(self, *accepted: str) -> None:
        """Raise Slack's ``missing_scope`` unless the token holds one of ``accepted``.

        Slack answers ``{"ok": false, "error": "missing_scope", "needed": ...,
        "provided": ...}`` (the ``needed``/``provided`` fields of every Web API
        response type, e.g. @slack/web-api's ConversationsJoinResponse)."""
        with self._lock:
            if any(scope in self._scopes for scope in accepted):
                return
            provided = ",".join(sorted(self._scopes))
        raise ApiError("missing_scope", needed=",".join(accepted), provided=provided)

    def set_post_rate(
        self, per_second: float = POST_RATE, burst: float | None = POST_BURST
    ) -> None:
        """The per-channel chat.postMessage limit: ``burst`` messages at once, refilled at
        ``per_second``. ``burst=None`` turns the limit off (a test knob, not Slack)."""
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        with self._lock:
            self._post_rate = per_second
            self._post_burst = burst
            self._buckets.clear()

    def set_method_rate(
        self, method: str, per_minute: float | None, burst: float | None = None
    ) -> None:
        """``method``'s own limit: ``burst`` calls at once (default a minute's worth),
        refilled at ``per_minute``. ``per_minute=None`` lifts it (a test knob, not
        Slack); the tiers in ``METHOD_TIERS`` are the default."""
        with self._lock:
            if per_minute is None:
                self._method_limits[method] = None
            else:
                if per_minute <= 0:
                    raise ValueError("per_minute must be positive")
                self._method_limits[method] = (per_minute, burst or per_minute)
            self._method_buckets.pop(method, None)

    def reset_method_rates(self) -> None:
        """Every method back to its tier, every bucket full (as after a quiet minute)."""
        with self._lock:
            self._method_limits = {
                method: (TIER_PER_MINUTE[tier], TIER_PER_MINUTE[tier])
                for method, tier in METHOD_TIERS.items()
            }
            self._method_buckets.clear()

    def _take_method_token(self, method: str) -> None:
        """Spend one of ``method``'s calls, or raise HTTP 429 ``ratelimited``."""
        now = self.now()
        with self._lock:
            limit = self._method_limits.get(method)
            if limit is None:
                return
            per_minute, burst = limit
            rate = per_minute / 60.0
            bucket = self._method_buckets.get(method)
            if bucket is None:
                bucket = self._method_buckets[method] = _Bucket(burst, now)
            bucket.tokens = min(burst, bucket.tokens + max(0.0, now - bucket.at) * rate)
            bucket.at = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return
            wait = max(1, math.ceil((1 - bucket.tokens) / rate))
        raise ApiError("ratelimited", status=429, headers={"Retry-After": str(wait)})

    def _take_post_token(self, channel_id: str) -> None:
        """Spend one of ``channel_id``'s posting tokens, or raise HTTP 429 ``ratelimited``."""
        now = self.now()
        with self._lock:
            if self._post_burst is None:
                return
            bucket = self._buckets.get(channel_id)
            if bucket is None:
                bucket = self._buckets[channel_id] = _Bucket(self._post_burst, now)
            bucket.tokens = min(
                self._post_burst, bucket.tokens + max(0.0, now - bucket.at) * self._post_rate
            )
            bucket.at = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return
            wait = max(1, math.ceil((1 - bucket.tokens) / self._post_rate))
        raise ApiError("ratelimited", status=429, headers={"Retry-After": str(wait)})

    def _socket_url(self) -> str:
        """A fresh Socket Mode URL (``apps.connections.open``); the stand-in provides it."""
        raise ApiError("not_allowed_token_type")

    def _content(self, args: dict[str, Any], *, require: bool = True) -> dict[str, Any]:
        """Validated text/blocks of a message call."""
        text = args.get("text")
        try:
            blocks = parse_blocks(args.get("blocks"))
        except BlocksFormatError as exc:
            raise ApiError("invalid_blocks_format") from exc
        attachments = args.get("attachments") or None
        if require and not text and not blocks and not attachments:
            raise ApiError("no_text")
        if blocks is not None:
            errors = validate_blocks(blocks)
            if errors:
                raise ApiError(
                    "invalid_blocks",
                    errors=errors,
                    response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
                )
        if text is not None and len(str(text)) > TEXT_LIMIT:
            raise ApiError("msg_too_long")
        content: dict[str, Any] = {"text": str(text or "")}
        if blocks is not None:
            content["blocks"] = blocks
        if attachments is not None:
            content["attachments"] = attachments
        if args.get("metadata") is not None:
            content["metadata"] = args["metadata"]
        return content

    def _api_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _visible_channel(self, value: Any) -> Channel:
        """The channel ``value`` names (ID, ``#name``, or a user ID for the DM) as the bot
        sees it: a private channel the bot is not in does not exist for it
        (``channel_not_found``; the private-channel scopes only reach channels the app
        is in, https://api.slack.com/scopes/groups:read)."""
        channel = self._resolve_channel(value)
        if channel.is_private and not channel.is_member:
            raise ApiError("channel_not_found")
        return channel

    def _writable_channel(self, args: dict[str, Any], *, public_ok: bool) -> Channel:
        """The channel a chat.* call writes to. Slack's ``chat:write.public`` lets a bot
        "Send messages to channels @app isn't a member of" -- public channels only
        (https://api.slack.com/scopes/chat:write.public); without it, or for methods it
        does not cover (``public_ok=False``: chat.postEphemeral refuses a public channel
        the bot is not in even with the scope, slackapi/node-slack-sdk#977), a
        non-member gets ``not_in_channel``."""
        self._require_scope("chat:write")
        channel = self._visible_channel(args.get("channel"))
        if channel.is_im or channel.is_member:
            return channel
        if public_ok and "chat:write.public" in self.scopes:
            return channel
        raise ApiError("not_in_channel")

    def _api_chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._writable_channel(args, public_ok=True)
        content = self._content(args)
        thread_ts = args.get("thread_ts") or None
        if thread_ts:
            with self._lock:
                if self._find_message(channel.id, str(thread_ts)) is None:
                    raise ApiError("thread_not_found")
        self._take_post_token(channel.id)  # a message that would be posted counts
        message = self._store_message(channel.id, content, thread_ts=thread_ts)
        return {"ok": True, "channel": channel.id, "ts": message["ts"], "message": message}

    def _api_chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._writable_channel(args, public_ok=False)
        user_id = args.get("user")
        with self._lock:
            if not user_id or user_id not in self._users:
                raise ApiError("user_not_found")
        if not channel.has_member(str(user_id)):
            raise ApiError("user_not_in_channel")
        content = self._content(args)
        entry = self._store_ephemeral(channel.id, str(user_id), content, "chat.postEphemeral")
        return {"ok": True, "message_ts": entry["ts"]}

    def _own_message(self, args: dict[str, Any], *, deleting: bool) -> tuple[Channel, str]:
        self._require_scope("chat:write")
        channel = self._visible_channel(args.get("channel"))
        ts = str(args.get("ts") or "")
        with self._lock:
            message = self._find_message(channel.id, ts)
        if message is None:
            raise ApiError("message_not_found")
        if message.get("bot_id") != self.bot_id:
            raise ApiError("cant_delete_message" if deleting else "cant_update_message")
        return channel, ts

    def _api_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = self._own_message(args, deleting=False)
        content = self._content(args)
        self._replace(channel.id, ts, content, ephemeral=False)
        with self._lock:
            message = dict(self._find_message(channel.id, ts) or {})
        return {
            "ok": True,
            "channel": channel.id,
            "ts": ts,
            "text": message.get("text", ""),
            "message": message,
        }

    def _api_chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = self._own_message(args, deleting=True)
        self._delete_message(channel.id, ts)
        return {"ok": True, "channel": channel.id, "ts": ts}

    def _api_chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._visible_channel(args.get("channel"))
        ts = str(args.get("message_ts") or "")
        with self._lock:
            message = self._find_message(channel.id, ts)
        if message is None:
            raise ApiError("message_not_found")
        link = f"https://{self.team_domain}.slack.com/archives/{channel.id}/p{ts.replace('.', '')}"
        if message.get("thread_ts") and message["thread_ts"] != ts:
            link += f"?thread_ts={message['thread_ts']}&cid={channel.id}"
        return {"ok": True, "channel": channel.id, "permalink": link}

    def _parse_view(self, args: dict[str, Any]) -> dict[str, Any]:
        view = args.get("view")
        if isinstance(view, str):
            try:
                view = json.loads(view)
            except ValueError as exc:
                raise ApiError("invalid_arguments") from exc
        if not isinstance(view, dict):
            raise ApiError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] missing required field: view"]},
            )
        errors = validate_view(view)
        if errors:
            raise ApiError(
                "invalid_arguments",
                response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
            )
        return view

    def _take_trigger(self, args: dict[str, Any]) -> str:
        trigger_id = args.get("trigger_id") or args.get("interactivity_pointer")
        if not trigger_id:
            raise ApiError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] missing required field: trigger_id"]},
            )
        with self._lock:
            issued = self._triggers.get(str(trigger_id))
            if issued is None:
                raise ApiError("invalid_trigger_id")
            at, user_id, used = issued
            if used:
                raise ApiError("exchanged_trigger_id")  # dialog.open's is trigger_exchanged
            if self.now() - at > TRIGGER_TTL:
                raise ApiError("expired_trigger_id")
            self._triggers[str(trigger_id)] = (at, user_id, True)
        return user_id

    def _check_external_id(self, view: dict[str, Any], own_id: str | None = None) -> None:
        external_id = view.get("external_id")
        if not external_id:
            return
        with self._lock:
            for other in self._views.values():
                if other.get("external_id") == external_id and other["id"] != own_id:
                    raise ApiError("duplicate_external_id")

    def _api_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._parse_view(args)
        self._check_external_id(view)
        user_id = self._take_trigger(args)
        obj = self._new_view_object(view, None)
        with self._lock:
            self._views[obj["id"]] = obj
            self._view_owner[obj["id"]] = user_id
            self._stacks[user_id] = [obj["id"]]  # a new modal replaces any open one
            self._opened.append(json.loads(json.dumps(obj)))
            self._lock.notify_all()
        self._notify("view_opened", {"user": user_id, "view": obj})
        return {"ok": True, "view": obj}

    def _api_views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._parse_view(args)
        self._check_external_id(view)
        user_id = self._take_trigger(args)
        with self._lock:
            stack = self._stacks.setdefault(user_id, [])
            if len(stack) >= VIEW_STACK_LIMIT:
                raise ApiError("push_limit_reached")
            obj = self._new_view_object(view, stack[-1] if stack else None)
            if stack:
                obj["root_view_id"] = stack[0]
            self._views[obj["id"]] = obj
            self._view_owner[obj["id"]] = user_id
            stack.append(obj["id"])
            self._opened.append(json.loads(json.dumps(obj)))
            self._lock.notify_all()
        self._notify("view_pushed", {"user": user_id, "view": obj})
        return {"ok": True, "view": obj}

    def _api_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._parse_view(args)
        view_id, external_id = args.get("view_id"), args.get("external_id")
        if not view_id and not external_id:
            raise ApiError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] missing required field: view_id"]},
            )
        with self._lock:
            current = self._views.get(str(view_id)) if view_id else None
            if current is None and external_id:
                current = next(
                    (v for v in self._views.values() if v.get("external_id") == external_id), None
                )
            if current is None:
                raise ApiError("not_found")
            if args.get("hash") and args["hash"] != current["hash"]:
                raise ApiError("hash_conflict")
        self._check_external_id(view, current["id"])
        with self._lock:
            fresh = self._new_view_object(view, current["previous_view_id"])
            for key in ("id", "root_view_id", "previous_view_id"):
                fresh[key] = current[key]
            current.clear()
            current.update(fresh)
            user_id = self._view_owner.get(current["id"], "")
            self._lock.notify_all()
            result = json.loads(json.dumps(current))
        self._notify("view_updated", {"user": user_id, "view": result})
        return {"ok": True, "view": result}

    def _api_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args.get("user_id") or "")
        with self._lock:
            if user_id not in self._users:
                raise ApiError("user_not_found")
        view = self._parse_view(args)
        if view.get("type") != "home":
            raise ApiError(
                "invalid_arguments",
                response_metadata={
                    "messages": ["[ERROR] must be a valid enum value [json-pointer:/view/type]"]
                },
            )
        with self._lock:
            current_id = self._homes.get(user_id)
            current = self._views.get(current_id) if current_id else None
            if current and args.get("hash") and args["hash"] != current["hash"]:
                raise ApiError("hash_conflict")
            obj = self._new_view_object(view, None)
            if current is not None:
                obj["id"] = obj["root_view_id"] = current["id"]
            self._views[obj["id"]] = obj
            self._view_owner[obj["id"]] = user_id
            self._homes[user_id] = obj["id"]
            self._lock.notify_all()
        self._notify("home_published", {"user": user_id, "view": obj})
        return {"ok": True, "view": json.loads(json.dumps(obj))}

    def _api_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        self._require_scope("users:read")
        user = self.user(str(args.get("user") or ""))
        if user is None:
            raise ApiError("user_not_found")
        return {"ok": True, "user": user}

    def _api_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """users.list (https://api.slack.com/methods/users.list): every member, bots and
        deactivated ones included, paged with ``cursor``/``limit`` (Slack suggests no more
        than 200 a page; the stand-in caps it at 1000) and ``response_metadata.next_cursor``
        ("" on the last page)."""
        limit = _int_arg(args, "limit", 0, 0, 1000) or 1000
        with self._lock:
            members = [json.loads(json.dumps(u)) for u in self._users.values()]
        start = _cursor(args)
        page = members[start : start + limit]
        more = start + limit < len(members)
        return {
            "ok": True,
            "members": page,
            "cache_ts": int(self.now()),
            "response_metadata": {"next_cursor": _make_cursor(start + limit) if more else ""},
        }

    def _api_users_lookup_by_email(self, args: dict[str, Any]) -> dict[str, Any]:
        self._require_scope("users:read.email")
        email = str(args.get("email") or "").strip().lower()
        if not email:
            raise ApiError("invalid_arguments")
        with self._lock:
            for user in self._users.values():
                if str(user["profile"].get("email", "")).lower() == email and not user["deleted"]:
                    return {"ok": True, "user": json.loads(json.dumps(user))}
        raise ApiError("users_not_found")

    def _api_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        self._require_scope("im:write")
        if args.get("channel"):
            channel = self._resolve_channel(str(args["channel"]))
        else:
            users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
            if not users:
                raise ApiError("users_list_not_supplied")
            if len(users) > 1:
                raise ApiError("not_implemented_in_standin", detail="group DMs are not modelled")
            with self._lock:
                if users[0] not in self._users:
                    raise ApiError("user_not_found")
                existed = any(c.is_im and c.user == users[0] for c in self._channels.values())
            channel = self._channels[self.dm_channel_id(users[0])]
            if str(args.get("return_im", "")).lower() not in ("1", "true"):
                result: dict[str, Any] = {"ok": True, "channel": {"id": channel.id}}
                if existed:
                    result.update(no_op=True, already_open=True)
                return result
        return {"ok": True, "channel": channel.to_api(self.team_id, self.bot_user_id)}

    def _api_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation(args, scopes=_READ_SCOPES)
        return {"ok": True, "channel": channel.to_api(self.team_id, self.bot_user_id)}

    def _conversation(
        self, args: dict[str, Any], *, scopes: dict[str, str], member: bool = False
    ) -> Channel:
        """The conversation a ``conversations.*`` call names: its "Conversation ID" only.
        Unlike ``chat.postMessage``, these methods take no ``#name`` and no user ID (a DM
        must first be opened with ``conversations.open``): anything else is
        ``channel_not_found``. A private channel the bot is not in is invisible to it
        (``channel_not_found``). ``scopes`` maps the conversation type to the scope the
        method needs for it. ``member=True`` (history, replies) also requires the bot to
        be in a public channel: Slack answers ``not_in_channel`` there even with
        ``channels:history`` and ``chat:write.public`` ("a limitation / requirement of the
        channels:history scope", Slack's filmaj on slackapi/deno-slack-sdk#128)."""
        value = str(args.get("channel") or "")
        with self._lock:
            known = value in self._channels
        if not known:
            raise ApiError("channel_not_found")
        channel = self._visible_channel(value)
        kind = "im" if channel.is_im else "private" if channel.is_private else "public"
        self._require_scope(scopes[kind])
        if member and not channel.is_im and not channel.is_member:
            raise ApiError("not_in_channel")
        return channel

    def _api_conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        """conversations.join (bot scope ``channels:join``): the bot joins a public channel
        and Slack posts its ``channel_join`` message; if it is already in, the answer
        carries the ``already_in_channel`` warning. Private channels, DMs and group DMs
        cannot be joined, only invited into: ``method_not_supported_for_channel_type``
        (https://api.slack.com/methods/conversations.join; the error seen for a private
        channel in slackapi/bolt-js#1656) for one the bot can see (it is in it), and
        ``channel_not_found`` for one it is not in, which does not exist for the bot
        (the private-channel scopes reach only channels the app is in,
        https://api.slack.com/scopes/groups:read; the stricter reading)."""
        self._require_scope("channels:join")
        value = str(args.get("channel") or "")
        with self._lock:
            channel = self._channels.get(value)
        if channel is None or (channel.is_private and not channel.is_member):
            raise ApiError("channel_not_found")
        if channel.is_im or channel.is_private:
            raise ApiError("method_not_supported_for_channel_type")
        with self._lock:
            already = channel.is_member
            channel.is_member = True
        if not already:
            self._joined(channel.id)
        result: dict[str, Any] = {
            "ok": True,
            "channel": channel.to_api(self.team_id, self.bot_user_id),
        }
        if already:
            result["warning"] = "already_in_channel"
            result["response_metadata"] = {"warnings": ["already_in_channel"]}
        return result

    def _api_conversations_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """conversations.list: "The 'channels' returned depend on what the calling token
        has access to and the directives placed in the types parameter" (default
        ``public_channel``; https://api.slack.com/methods/conversations.list). A bot sees
        every public channel and the private ones it is in. Each requested type needs its
        read scope ("required scopes depend on the type of channel-like object"); a type
        the token has no scope for is ``missing_scope`` (the stricter reading of
        ``invalid_types``: "could not be used based on ... the permission scopes granted").
        ``exclude_archived`` changes nothing (the stand-in archives no channel); ``limit``
        under 1000 and cursor paging as for history. Group DMs are not modelled."""
        types = [t.strip() for t in str(args.get("types") or "public_channel").split(",")]
        if not types or any(t not in _LIST_SCOPES for t in types):
            raise ApiError("invalid_types")
        for kind in types:
            self._require_scope(_LIST_SCOPES[kind])
        with self._lock:
            found = [
                c
                for c in self._channels.values()
                if (c.is_im and "im" in types)
                or (not c.is_im and not c.is_private and "public_channel" in types)
                or (c.is_private and c.is_member and "private_channel" in types)
            ]
            listed = [c.to_api(self.team_id, self.bot_user_id) for c in found]
        limit = _int_arg(args, "limit", 100, 1, 999)
        start = _cursor(args)
        page = listed[start : start + limit]
        more = start + limit < len(listed)
        return {
            "ok": True,
            "channels": page,
            "response_metadata": {"next_cursor": _make_cursor(start + limit) if more else ""},
        }

    def _api_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation(args, scopes=_HISTORY_SCOPES, member=True)
        limit = _int_arg(args, "limit", 100, 1, 999)
        latest = float(args.get("latest") or "inf")
        oldest = float(args.get("oldest") or 0)
        inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")
        with self._lock:
            top = [
                m
                for m in self._messages.get(channel.id, [])
                if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
            ]
        selected = [
            m
            for m in reversed(top)
            if (
                oldest <= float(m["ts"]) <= latest
                if inclusive
                else oldest < float(m["ts"]) < latest
            )
        ]
        start = _cursor(args)
        page = selected[start : start + limit]
        more = start + limit < len(selected)
        return {
            "ok": True,
            "messages": _with_metadata(page, args),
            "has_more": more,
            "pin_count": 0,
            "response_metadata": {"next_cursor": _make_cursor(start + limit) if more else ""},
        }

    def _api_conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation(args, scopes=_HISTORY_SCOPES, member=True)
        ts = str(args.get("ts") or "")
        with self._lock:
            parent = self._find_message(channel.id, ts)
            if parent is None:
                raise ApiError("thread_not_found")
            root = parent.get("thread_ts") or ts
            thread = [
                m
                for m in self._messages.get(channel.id, [])
                if m["ts"] == root or m.get("thread_ts") == root
            ]
        limit = _int_arg(args, "limit", 1000, 1, 1000)
        start = _cursor(args)
        page = thread[start : start + limit]
        more = start + limit < len(thread)
        return {
            "ok": True,
            "messages": _with_metadata(page, args),
            "has_more": more,
            "response_metadata": {"next_cursor": _make_cursor(start + limit) if more else ""},
        }

    def _api_team_info(self, args: dict[str, Any]) -> dict[str, Any]:
        self._require_scope("team:read")
        return {
            "ok": True,
            "team": {
                "id": self.team_id,
                "name": self.team_name,
                "url": f"https://{self.team_domain}.slack.com/",
                "domain": self.team_domain,
                "email_domain": "example.com",
                "icon": {"image_default": True, "image_34": "", "image_44": "", "image_68": ""},
                "avatar_base_url": "https://ca.slack-edge.com/",
                "is_verified": False,
            },
        }

    def _api_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self._socket_url()}


METHODS: dict[str, Callable[[WebApi, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": WebApi._api_auth_test,
    "chat.postMessage": WebApi._api_chat_post_message,
    "chat.postEphemeral": WebApi._api_chat_post_ephemeral,
    "chat.update": WebApi._api_chat_update,
    "chat.delete": WebApi._api_chat_delete,
    "chat.getPermalink": WebApi._api_chat_get_permalink,
    "views.open": WebApi._api_views_open,
    "views.push": WebApi._api_views_push,
    "views.update": WebApi._api_views_update,
    "views.publish": WebApi._api_views_publish,
    "users.info": WebApi._api_users_info,
    "users.list": WebApi._api_users_list,
    "users.lookupByEmail": WebApi._api_users_lookup_by_email,
    "conversations.open": WebApi._api_conversations_open,
    "conversations.info": WebApi._api_conversations_info,
    "conversations.join": WebApi._api_conversations_join,
    "conversations.list": WebApi._api_conversations_list,
    "conversations.history": WebApi._api_conversations_history,
    "conversations.replies": WebApi._api_conversations_replies,
    "team.info": WebApi._api_team_info,
    "apps.connections.open": WebApi._api_apps_connections_open,
}


# The bot scope each conversations.* method needs, by conversation type (the "Required
# scopes" of conversations.history / .replies / .info in Slack's method reference).
_HISTORY_SCOPES = {"public": "channels:history", "private": "groups:history", "im": "im:history"}
_READ_SCOPES = {"public": "channels:read", "private": "groups:read", "im": "im:read"}
_LIST_SCOPES = {
    "public_channel": "channels:read",
    "private_channel": "groups:read",
    "im": "im:read",
    "mpim": "mpim:read",
}


def _with_metadata(messages: list[dict[str, Any]], args: dict[str, Any]) -> list[dict[str, Any]]:
    """Copies of ``messages`` as history/replies return them: a message's ``metadata``
    keeps its ``event_payload`` only with ``include_all_metadata=true`` (default false:
    "Return all metadata associated with this message"); without it Slack passes the
    ``event_type`` through and strips the payload (event types the app subscribes to in
    its manifest are not modelled)."""
    out = json.loads(json.dumps(messages))
    if str(args.get("include_all_metadata", "")).lower() in ("1", "true"):
        return out
    for message in out:
        meta = message.get("metadata")
        if isinstance(meta, dict):
            message["metadata"] = {"event_type": meta.get("event_type", "")}
    return out


def _int_arg(args: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    try:
        value = int(args.get(key) or default)
    except (TypeError, ValueError) as exc:
        raise ApiError("invalid_arguments") from exc
    return max(low, min(high, value))


def _make_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _cursor(args: dict[str, Any]) -> int:
    cursor = args.get("cursor")
    if not cursor:
        return 0
    try:
        return int(base64.b64decode(str(cursor)).decode().split(":", 1)[1])
    except (ValueError, IndexError) as exc:
        raise ApiError("invalid_cursor") from exc
