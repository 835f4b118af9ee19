"""The Web API methods of the Slack stand-in (``auth.test``, ``chat.*``, ``views.*`` ...).

Each ``_api_<method>`` takes the call's arguments (query, form or JSON body merged, JSON
fields such as ``blocks`` and ``view`` decoded) and returns Slack's success body, or
raises ``ApiError`` for ``{"ok": false, "error": ...}`` with Slack's error code.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
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


class WebApi(Workspace):
    """Slack's Web API methods over the workspace state."""

    def __init__(self, **team: Any) -> None:
        super().__init__(**team)
        self._triggers: dict[str, tuple[float, str, bool]] = {}  # id -> (issued, user, used)

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

    def _writable_channel(self, args: dict[str, Any]) -> Channel:
        channel = self._resolve_channel(args.get("channel"))
        if not channel.is_im and not channel.is_member:
            raise ApiError("not_in_channel")
        return channel

    def _api_chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._writable_channel(args)
        content = self._content(args)
        thread_ts = args.get("thread_ts") or None
        if thread_ts:
            with self._lock:
                if self._find_message(channel.id, str(thread_ts)) is None:
                    raise ApiError("thread_not_found")
        message = self._store_message(channel.id, content, thread_ts=thread_ts)
        return {"ok": True, "channel": channel.id, "ts": message["ts"], "message": message}

    def _api_chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._writable_channel(args)
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
        channel = self._resolve_channel(args.get("channel"))
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
        channel = self._resolve_channel(args.get("channel"))
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
        user = self.user(str(args.get("user") or ""))
        if user is None:
            raise ApiError("user_not_found")
        return {"ok": True, "user": user}

    def _api_users_lookup_by_email(self, args: dict[str, Any]) -> dict[str, Any]:
        email = str(args.get("email") or "").strip().lower()
        if not email:
            raise ApiError("invalid_arguments")
        with self._lock:
            for user in self._users.values():
                if str(user["profile"].get("email", "")).lower() == email and not user["deleted"]:
                    return {"ok": True, "user": json.loads(json.dumps(user))}
        raise ApiError("users_not_found")

    def _api_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
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
        channel = self._conversation(args)
        return {"ok": True, "channel": channel.to_api(self.team_id, self.bot_user_id)}

    def _conversation(self, args: dict[str, Any]) -> Channel:
        """The conversation a ``conversations.*`` call names: its "Conversation ID" only.
        Unlike ``chat.postMessage``, these methods take no ``#name`` and no user ID (a DM
        must first be opened with ``conversations.open``): anything else is
        ``channel_not_found``."""
        value = str(args.get("channel") or "")
        with self._lock:
            known = value in self._channels
        if not known:
            raise ApiError("channel_not_found")
        return self._resolve_channel(value)

    def _api_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation(args)
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
        channel = self._conversation(args)
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
    "users.lookupByEmail": WebApi._api_users_lookup_by_email,
    "conversations.open": WebApi._api_conversations_open,
    "conversations.info": WebApi._api_conversations_info,
    "conversations.history": WebApi._api_conversations_history,
    "conversations.replies": WebApi._api_conversations_replies,
    "team.info": WebApi._api_team_info,
    "apps.connections.open": WebApi._api_apps_connections_open,
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
