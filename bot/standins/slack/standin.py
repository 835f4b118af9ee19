"""A local stand-in for Slack, for acctbot's tests and ``acctbot demo``.

``SlackStandIn`` plays both sides of Slack's contract with an app:

- **Slack's servers as the app sees them**: the Web API under ``api_url`` (what a
  ``slack_sdk.WebClient(base_url=standin.api_url)`` calls), ``response_url`` endpoints,
  and a Socket Mode WebSocket server (``apps.connections.open``). Workspace state
  (users, channels, DMs, messages, ephemeral messages, modals, Home tabs) changes the way
  Slack's would, with Slack's JSON shapes, error codes and limits.
- **Slack's client side**: signed HTTP requests to the app exactly as Slack sends them
  (slash commands, block actions, view submissions, option loads, events), with
  ``response_url`` and ``trigger_id`` the stand-in then honours.

Everything is recorded for assertions (``calls``, ``responses``, ``messages`` ...), and
faults can be injected (``fail``, ``down``). All state is guarded by one lock.

Example::

    with SlackStandIn() as slack:
        slack.add_user("U0ANA00001", "ana", "Ana Rep", "ana.rep@example.com")
        client = WebClient(token=slack.bot_token, base_url=slack.api_url)
        sent = slack.command("http://127.0.0.1:3000/slack/events", "/account", "Acme",
                             user_id="U0ANA00001")
        slack.wait_for_response()
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests

from bot.standins.slack.blocks import (
    TEXT_LIMIT,
    BlocksFormatError,
    parse_blocks,
    render_message,
    render_view,
    validate_blocks,
    validate_options_response,
)
from bot.standins.slack.socket_mode import Ack, SocketModeServer
from bot.standins.slack.webapi import METHODS, WebApi
from bot.standins.slack.workspace import ApiError, new_id

__all__ = [
    "Ack",
    "Attempt",
    "Call",
    "ResponsePost",
    "SentRequest",
    "SlackStandIn",
    "escape_text",
    "render_message",
    "render_view",
]

ACK_DEADLINE = 3.0  # seconds Slack waits for the app's HTTP 200
EVENT_RETRIES = 3  # Events API: a failed delivery is retried up to 3 times
RESPONSE_URL_USES = 5
RESPONSE_URL_TTL = 30 * 60
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"

_JSON_ARGS = ("blocks", "attachments", "view", "metadata")


def escape_text(text: str) -> str:
    """Slack's escaping of the three control characters in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- what Slack makes of typed text ------------------------------------------------------

# Top-level domains Slack's URL detection recognises in a bare ``name.tld``. Slack does
# not publish its list; it links country-code domains too (``tablename.id`` arrives as a
# link, postgres-ai/joe#139), so the stand-in takes every ISO 3166 country code plus the
# generic domains in common use: the stricter reading, more words become links.
_CC_TLDS = (
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo "
    "br bs bt bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm "
    "do dz ec ee eg er es et eu fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs "
    "gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km "
    "kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp "
    "mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk "
    "pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss "
    "st sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc "
    "ve vg vi vn vu wf ws ye yt za zm zw"
)
_G_TLDS = (
    "com net org edu gov mil int info biz name pro aero coop museum mobi asia tel travel jobs "
    "cat app dev page blog cloud online site store shop tech xyz club design agency email "
    "digital news media global group inc llc ltd company solutions services systems network "
    "works world life live today top vip wiki space website studio health bank insurance "
    "finance capital partners legal law consulting marketing software ventures energy "
    "academy school university careers jobs social chat link click help support team zone "
    "one us ai io co"
)
TLDS = frozenset((_CC_TLDS + " " + _G_TLDS).split())

# Characters that end a detected link without belonging to it ("see acme.com." links
# acme.com); ``;`` only when it does not close an entity such as ``&amp;``.
_TRAILING = ".,:!?'\")]}"
_URL_CHARS = r"(?:(?!&lt;|&gt;)[^\s<>|])"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TYPED = re.compile(
    r"(?P<url>\b(?:https?|ftp)://" + _URL_CHARS + r"+)"
    r"|(?P<email>(?<![\w.+-])[A-Za-z0-9][\w.+-]*@" + _LABEL + r"(?:\." + _LABEL + r")*"
    r"\.[A-Za-z]{2,}(?![\w-]))"
    r"|(?P<www>(?<![\w@./-])www\.(?:" + _LABEL + r"\.)+[A-Za-z]{2,}(?![\w@-])"
    r"(?::\d{1,5})?(?:/" + _URL_CHARS + r"*)?)"
    r"|(?P<domain>(?<![\w@./-])(?:" + _LABEL + r"\.)+(?P<tld>[A-Za-z]{2,})(?![\w@-])"
    r"(?::\d{1,5})?(?:/" + _URL_CHARS + r"*)?)"
    r"|(?P<mention>(?<![\w<@#&/])(?P<sigil>[@#])(?P<name>[\w.-]*[\w-]))"
)
_SPECIAL = {"here", "channel", "everyone"}


def _split_trailing(found: str) -> tuple[str, str]:
    """``found`` without the punctuation that ends a sentence after a link, and that tail."""
    end = len(found)
    while end > 0:
        ch = found[end - 1]
        if ch in _TRAILING or (ch == ";" and not re.search(r"&\w+;$", found[:end])):
            end -= 1
            continue
        break
    return found[:end], found[end:]


def slack_text(
    text: str,
    *,
    should_escape: bool = True,
    users: dict[str, tuple[str, str]] | None = None,
    channels: dict[str, tuple[str, str]] | None = None,
    groups: dict[str, tuple[str, str]] | None = None,
) -> str:
    """The text Slack sends an app for ``text`` a person typed (a slash command's ``text``).

    Always: ``&``, ``<`` and ``>`` become ``&amp;``, ``&lt;``, ``&gt;`` ("User types:
    Hello & <world> / Sent to server: Hello &amp; &lt;world&gt;",
    https://api.slack.com/docs/formatting). With the command's ``should_escape`` on,
    also what Slack's server-side detection makes of it (same page, "URL detection is
    performed by the server"):

    - a URL with its scheme "is detected as-is": ``https://x.com/a`` -> ``<https://x.com/a>``;
    - a URL typed without one gets ``http://`` and keeps "the originally typed version"
      after a pipe: ``www.foo.com`` -> ``<http://www.foo.com|www.foo.com>``; so do bare
      domains (``Booking.com`` -> ``<http://Booking.com|Booking.com>``, as observed in
      workspaces: operable/cog#121, slash-hq/slash#5) for the top-level domains in
      ``TLDS``;
    - an e-mail address -> ``<mailto:a@b.com|a@b.com>``;
    - ``@name`` of a member -> ``<@U123|name>``, ``#name`` of a channel the person can
      see -> ``<#C123|name>`` (a private one without its name, ``<#G123|>``, when
      ``channels`` maps it to an empty name), ``@handle`` of a user group ->
      ``<!subteam^S123|@handle>``,
      ``@here`` / ``@channel`` / ``@everyone`` -> ``<!here>`` ... (the mention and
      special-mention formats on the same page). Unknown names stay as typed.

    ``users``, ``channels`` and ``groups`` map a lower-cased name to (id, name).
    Trailing sentence punctuation is left outside a link.
    """
    text = escape_text(text)
    if not should_escape:
        return text
    users, channels, groups = users or {}, channels or {}, groups or {}

    def replace(match: re.Match[str]) -> str:
        if match.group("mention") is not None:
            sigil, name = match.group("sigil"), match.group("name")
            key = name.lower()
            if sigil == "#" and key in channels:
                return "<#{}|{}>".format(*channels[key])
            if sigil == "@" and key in _SPECIAL:
                return f"<!{key}>"
            if sigil == "@" and key in users:
                return "<@{}|{}>".format(*users[key])
            if sigil == "@" and key in groups:
                group_id, handle = groups[key]
                return f"<!subteam^{group_id}|@{handle}>"
            return match.group(0)
        found = match.group(0)
        if match.group("email") is not None:
            return f"<mailto:{found}|{found}>"
        if match.group("domain") is not None and match.group("tld").lower() not in TLDS:
            return found
        link, tail = _split_trailing(found)
        if not link or "." not in link:
            return found
        if match.group("url") is not None:
            return f"<{link}>{tail}"
        return f"<http://{link}|{link}>{tail}"

    return _TYPED.sub(replace, text)


# -- records -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One Web API call as the stand-in received it (``token`` removed)."""

    method: str
    args: dict[str, Any]
    at: float
    status: int = 200
    response: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))


@dataclass(frozen=True)
class ResponsePost:
    """One POST to a response_url; ``status``/``error`` are what the app was told.

    ``effect`` is what the person saw: ``"ephemeral"`` or ``"in_channel"`` (a new
    message), ``"replaced"`` / ``"deleted"`` (the message that carried the interaction),
    ``"ignored"`` (a ``delete_original`` on a slash command's URL: nothing to delete), or
    None when the post was refused.
    """

    id: str
    body: dict[str, Any]
    at: float
    status: int
    error: str | None = None
    effect: str | None = None


@dataclass
class SentRequest:
    """What happened when the stand-in sent a request to the app.

    ``body`` is the app's answer (parsed JSON, text, or None for an empty body).
    ``user_error`` is what Slack would show the user instead of the app's answer:
    ``operation_timeout`` past the 3 s deadline, ``dispatch_failed`` on a non-200.
    """

    status: int
    body: Any
    elapsed_ms: float
    response_url: str | None = None
    trigger_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    user_error: str | None = None
    problems: list[str] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    response_headers: dict[str, str] = field(default_factory=dict)

    @property
    def timed_out(self) -> bool:
        return self.user_error == "operation_timeout"


@dataclass(frozen=True)
class Attempt:
    """One delivery of an Events API request: its retry headers and how the app answered
    (``failure`` is Slack's retry reason for it, None when the app answered 200 in time)."""

    retry_num: int
    retry_reason: str | None
    status: int
    elapsed_ms: float
    failure: str | None


@dataclass
class _Fault:
    method: str | None
    status: int
    retry_after: int
    error: str | None
    remaining: int | None
    until: float | None
    drop: bool = False  # carry the call out, then drop the connection unanswered


# The status _handle_api returns for a dropped answer: the front end closes the socket.
DROPPED = -1


@dataclass
class _ResponseUrl:
    id: str
    created: float
    kind: str  # "command" or "interaction"
    channel_id: str
    user_id: str
    message_ts: str | None = None  # the message that carried the interaction
    is_ephemeral: bool = False
    uses: int = 0


# -- the stand-in ------------------------------------------------------------------------


class _StandInServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # Slack takes bursts; socketserver's default backlog is 5


class SlackStandIn(WebApi):
    """Slack's Web API, response_url, Socket Mode and request senders on 127.0.0.1."""

    verification_token = "standin-verification-token"

    def __init__(
        self,
        *,
        signing_secret: str = "standin-signing-secret",
        bot_token: str = "xoxb-standin-token",
        app_token: str = "xapp-standin-token",
        team_id: str = "T0ACCTBOT",
        team_domain: str = "acctbot-demo",
        api_app_id: str = "A0ACCTBOT",
        team_name: str = "Acctbot Demo",
        bot_name: str = "acctbot",
        scopes: Iterable[str] | None = None,
    ) -> None:
        super().__init__(
            scopes=scopes,
            team_id=team_id,
            team_domain=team_domain,
            team_name=team_name,
            api_app_id=api_app_id,
            bot_name=bot_name,
        )
        self.signing_secret = signing_secret
        self.bot_token = bot_token
        self.app_token = app_token
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._responses: list[ResponsePost] = []
        self._faults: list[_Fault] = []
        self._down: str | None = None
        self.calls: list[Call] = []

        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self._socket = SocketModeServer(api_app_id, self._on_socket_ack)

    # -- lifecycle ---------------------------------------------------------------------

    def start(self, port: int = 0) -> SlackStandIn:
        self._serve(port)
        self._socket.start()
        return self

    def stop(self) -> None:
        self._socket.stop()
        self._shutdown_http()

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self, port: int) -> None:
        handler = type("_Handler", (_Handler,), {"standin": self})
        server = _StandInServer(("127.0.0.1", port), handler)
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="slack-standin-http", daemon=True
        )
        self._thread.start()

    def _shutdown_http(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    # -- records -------------------------------------------------------------------------

    def clear(self) -> None:
        """Forget recorded calls, responses, acks and injected faults, and refill the
        posting-rate and per-method buckets (as after a quiet while, the tiers restored),
        so tests that share a stand-in do not inherit each other's rate limit. Workspace
        state stays."""
        with self._lock:
            self.calls.clear()
            self._responses.clear()
            self._faults.clear()
            self._buckets.clear()
        self.reset_method_rates()
        self._socket.clear()

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,
    ) -> Call:
        """The first recorded call to ``method`` matching ``predicate`` (waits for it)."""

        def find() -> Call | None:
            for call in self.calls:
                if call.method == method and (predicate is None or predicate(call)):
                    return call
            return None

        return self._wait(find, timeout, f"a {method} call")

    def responses(self, id: str | None = None) -> list[ResponsePost]:
        """POSTs to response_urls (all, or those to one URL id / full URL)."""
        if id is not None and "/" in id:
            id = id.rstrip("/").rsplit("/", 1)[-1]
        with self._lock:
            return [r for r in self._responses if id is None or r.id == id]

    def wait_for_response(
        self,
        predicate: Callable[[ResponsePost], bool] | None = None,
        timeout: float = 5.0,
        id: str | None = None,
    ) -> ResponsePost:
        def find() -> ResponsePost | None:
            for post in self.responses(id):
                if predicate is None or predicate(post):
                    return post
            return None

        return self._wait(find, timeout, "a response_url post")

    # -- faults --------------------------------------------------------------------------

    def fail(
        self,
        method: str | None = None,
        *,
        status: int = 429,
        retry_after: int = 1,
        count: int | None = 1,
        seconds: float | None = None,
        error: str | None = None,
        drop: bool = False,
    ) -> None:
        """Make the next ``count`` calls (or calls for ``seconds``) to ``method`` fail.

        ``method=None`` means every Web API method; ``"response_url"`` targets response
        URL posts. ``error="..."`` answers HTTP 200 ``{"ok": false, "error": ...}``;
        otherwise ``status`` 429 answers ``ratelimited`` with ``Retry-After``, and other
        statuses (503, 500 ...) answer as a failing Slack front end. ``drop=True``
        carries the call out (the message is posted) and then closes the connection
        without an answer: the client sees a reset, as after a lost response.
        """
        until = self.now() + seconds if seconds is not None else None
        if count is None and until is None:
            raise ValueError("give count or seconds, or the fault never ends")
        with self._lock:
            self._faults.append(
                _Fault(method, 200 if error else status, retry_after, error, count, until, drop)
            )

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._down = None

    def down(self, mode: str = "refuse") -> None:
        """Slack unreachable: ``"refuse"`` closes the port, ``"503"`` answers 503."""
        if mode not in ("refuse", "503"):
            raise ValueError("mode is 'refuse' or '503'")
        with self._lock:
            self._down = mode
        if mode == "refuse":
            self._shutdown_http()

    @property
    def is_refusing(self) -> bool:
        with self._lock:
            return self._down == "refuse"

    def up(self) -> None:
        with self._lock:
            was, self._down = self._down, None
        if was == "refuse":
            self._serve(self.port)

    def _take_fault(self, method: str) -> _Fault | None:
        now = self.now()
        with self._lock:
            for fault in list(self._faults):
                expired = (fault.until is not None and now >= fault.until) or (
                    fault.remaining is not None and fault.remaining <= 0
                )
                if expired:
                    self._faults.remove(fault)
                    continue
                if fault.method is None and method == "response_url":
                    continue
                if fault.method in (None, method):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                    return fault
        return None

    # -- signing and payloads for requests to the app --------------------------------------

    def sign(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        """Slack's request-signing headers for ``body``."""
        ts = int(self.now()) if timestamp is None else timestamp
        base = b"v0:" + str(ts).encode() + b":" + body
        digest = hmac.new(self.signing_secret.encode(), base, hashlib.sha256).hexdigest()
        return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}

    def issue_trigger_id(self, user_id: str) -> str:
        trigger_id = (
            f"{secrets.randbelow(10**10):010d}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"
        )
        with self._lock:
            self._triggers[trigger_id] = (self.now(), user_id, False)
        return trigger_id

    def _issue_response_url(
        self,
        kind: str,
        channel_id: str,
        user_id: str,
        message_ts: str | None = None,
        is_ephemeral: bool = False,
    ) -> str:
        rid = secrets.token_hex(12)
        with self._lock:
            self._response_urls[rid] = _ResponseUrl(
                id=rid,
                created=self.now(),
                kind=kind,
                channel_id=channel_id,
                user_id=user_id,
                message_ts=message_ts,
                is_ephemeral=is_ephemeral,
            )
        return f"{self.base_url}/response/{rid}"

    def _user_ref(self, user_id: str) -> dict[str, Any]:
        with self._lock:
            name = self._users.get(user_id, {}).get("name", user_id)
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    def _team_ref(self) -> dict[str, Any]:
        return {"id": self.team_id, "domain": self.team_domain}

    def _channel_ref(self, channel_id: str) -> dict[str, Any]:
        with self._lock:
            ch = self._channels.get(channel_id)
        if ch is None:
            return {"id": channel_id, "name": channel_id}
        if ch.is_im:
            return {"id": channel_id, "name": "directmessage"}
        return {"id": channel_id, "name": "privategroup" if ch.is_private else ch.name}

    def _slack_text(self, text: str, should_escape: bool, user_id: str | None = None) -> str:
        """What Slack sends for text ``user_id`` typed (see ``slack_text``)."""
        with self._lock:
            users = {
                u["name"].lower(): (uid, u["name"])
                for uid, u in self._users.items()
                if not u.get("deleted")
            }
            # A private channel's mention arrives without its name, ``<#G123|>`` ("something
            # like <#GAEDERJKX|> shows up when people refer to other channels",
            # ltworf/localslackirc#333): the app must find the name itself, if it can see
            # the channel at all.
            channels = {
                c.name.lower(): (c.id, "" if c.is_private else c.name)
                for c in self._channels.values()
                if not c.is_im and (not c.is_private or (user_id and c.has_member(user_id)))
            }
            groups = {
                g["handle"].lower(): (g["id"], g["handle"]) for g in self._usergroups.values()
            }
        return slack_text(
            text, should_escape=should_escape, users=users, channels=channels, groups=groups
        )

    def command_payload(
        self,
        command: str,
        text: str,
        *,
        user_id: str,
        channel_id: str = "C0GENERAL01",
        should_escape: bool = True,
        sent_as: str | None = None,
    ) -> dict[str, str]:
        """A slash command's fields, with a fresh response_url and trigger_id. ``text`` is
        what the person typed (Slack escapes and links it, see ``slack_text``); ``sent_as``
        instead gives the ``text`` field exactly as Slack sends it, for what typing alone
        cannot make (a link pasted with its own label, ``<https://...|label>``)."""
        channel = self._channel_ref(channel_id)
        return {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": channel["name"],
            "user_id": user_id,
            "user_name": self._user_ref(user_id)["name"],
            "command": command if command.startswith("/") else "/" + command,
            "text": sent_as
            if sent_as is not None
            else self._slack_text(text, should_escape, user_id),
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": self._issue_response_url("command", channel_id, user_id),
            "trigger_id": self.issue_trigger_id(user_id),
        }

    def _find_element(
        self, blocks: list[Any], action_id: str, block_id: str | None
    ) -> tuple[str | None, dict[str, Any] | None]:
        for block in blocks or []:
            if not isinstance(block, dict):
                continue
            if block_id is not None and block.get("block_id") != block_id:
                continue
            candidates = list(block.get("elements") or [])
            for key in ("accessory", "element"):
                if isinstance(block.get(key), dict):
                    candidates.append(block[key])
            for el in candidates:
                if isinstance(el, dict) and el.get("action_id") == action_id:
                    return block.get("block_id"), el
        return block_id, None

    def _is_ephemeral(self, message: dict[str, Any]) -> bool:
        with self._lock:
            return any(e["ts"] == message.get("ts") for e in self._ephemerals)

    def block_action_payload(
        self,
        *,
        user_id: str,
        action_id: str,
        block_id: str | None = None,
        value: Any = None,
        selected_option: dict[str, Any] | str | None = None,
        message: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        channel_id: str = "C0GENERAL01",
        container: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A ``block_actions`` payload for a click in ``message`` or ``view``."""
        blocks = (message or view or {}).get("blocks") or []
        block_id, element = self._find_element(blocks, action_id, block_id)
        element = element or {"type": "button", "action_id": action_id}
        chosen = selected_option if selected_option is not None else value
        action = {
            "action_id": action_id,
            "block_id": block_id or "",
            "type": element.get("type", "button"),
            "action_ts": f"{self.now():.6f}",
            **_element_value(element, chosen),
        }
        if element.get("type") == "button":
            action["text"] = element.get("text", {"type": "plain_text", "text": action_id})
            if element.get("style"):
                action["style"] = element["style"]
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user_ref(user_id),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "container": container,
            "trigger_id": self.issue_trigger_id(user_id),
            "team": self._team_ref(),
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [action],
        }
        if view is not None:
            payload["container"] = container or {"type": "view", "view_id": view.get("id")}
            payload["view"] = view
            payload["state"] = view.get("state", {"values": {}})
        else:
            ephemeral = bool(message) and self._is_ephemeral(message or {})
            message_ts = (message or {}).get("ts")
            payload["container"] = container or {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": ephemeral,
            }
            payload["channel"] = self._channel_ref(channel_id)
            if message is not None and not ephemeral:
                payload["message"] = message
            payload["state"] = {"values": {}}
            payload["response_url"] = self._issue_response_url(
                "interaction", channel_id, user_id, message_ts, ephemeral
            )
        return payload

    def _full_view(self, view: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            stored = self._views.get(str(view.get("id")))
        base = dict(stored) if stored else self._new_view_object(view, None)
        base.update({k: v for k, v in view.items() if k != "state"})
        return base

    def view_submission_payload(
        self, *, user_id: str, view: dict[str, Any], values: dict[str, dict[str, Any]]
    ) -> dict[str, Any]:
        """A ``view_submission`` payload; ``values`` is block_id -> action_id -> value.

        A value may be a string (text input, or an option value/user/channel/date for
        the element type found in the view), an option dict, or a list for multi-selects
        and checkboxes. Input blocks left out are sent empty, as Slack does.
        """
        full = self._full_view(view)
        state: dict[str, dict[str, Any]] = {}
        for block in full.get("blocks") or []:
            if not isinstance(block, dict) or block.get("type") != "input":
                continue
            el = block.get("element") or {}
            if not isinstance(el, dict) or "action_id" not in el:
                continue
            # An untouched input submits what it shows: its initial value, as in Slack.
            initial = _initial_value(el)
            state.setdefault(block.get("block_id", ""), {})[el["action_id"]] = _element_value(
                el, initial, empty=initial is None
            )
        for block_id, by_action in values.items():
            for action_id, value in by_action.items():
                _, el = self._find_element(full.get("blocks") or [], action_id, block_id)
                el = el or {"type": "plain_text_input", "action_id": action_id}
                state.setdefault(block_id, {})[action_id] = _element_value(el, value)
        full["state"] = {"values": state}
        return {
            "type": "view_submission",
            "team": self._team_ref(),
            "user": self._user_ref(user_id),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "trigger_id": self.issue_trigger_id(user_id),
            "view": full,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }

    # -- senders (HTTP to the app) ---------------------------------------------------------

    def _post(
        self,
        app_url: str,
        body: bytes,
        content_type: str,
        *,
        deadline: float,
        timestamp: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> tuple[int, Any, float, str | None]:
        headers = {"Content-Type": content_type, "User-Agent": USER_AGENT}
        headers.update(self.sign(body, timestamp))
        headers.update(extra_headers or {})
        started = time.monotonic()
        try:
            resp = requests.post(app_url, data=body, headers=headers, timeout=deadline)
        except requests.Timeout:
            return 0, None, (time.monotonic() - started) * 1000, "operation_timeout"
        except requests.ConnectionError:
            return 0, None, (time.monotonic() - started) * 1000, "dispatch_failed"
        elapsed = (time.monotonic() - started) * 1000
        if elapsed > deadline * 1000:
            return resp.status_code, _decode(resp), elapsed, "operation_timeout"
        return (
            resp.status_code,
            _decode(resp),
            elapsed,
            None if resp.status_code == 200 else "dispatch_failed",
        )

    def _post_form(
        self, app_url: str, fields: dict[str, str], deadline: float, timestamp: int | None
    ) -> tuple[int, Any, float, str | None]:
        body = urlencode(fields).encode()
        return self._post(
            app_url,
            body,
            "application/x-www-form-urlencoded",
            deadline=deadline,
            timestamp=timestamp,
        )

    def command(
        self,
        app_url: str,
        command: str,
        text: str = "",
        *,
        user_id: str,
        channel_id: str = "C0GENERAL01",
        should_escape: bool = True,
        deadline: float = ACK_DEADLINE,
        timestamp: int | None = None,
        sent_as: str | None = None,
    ) -> SentRequest:
        """POST a slash command to the app as Slack does; an answer in the HTTP body is
        shown to the user (ephemeral unless ``response_type`` is ``in_channel``).
        ``sent_as``: see ``command_payload``."""
        payload = self.command_payload(
            command,
            text,
            user_id=user_id,
            channel_id=channel_id,
            should_escape=should_escape,
            sent_as=sent_as,
        )
        status, body, elapsed, user_error = self._post_form(app_url, payload, deadline, timestamp)
        if status == 200 and user_error is None and body:
            self._show_command_answer(payload, body)
        return SentRequest(
            status,
            body,
            elapsed,
            payload["response_url"],
            payload["trigger_id"],
            payload=payload,
            user_error=user_error,
        )

    def _show_command_answer(self, payload: dict[str, str], body: Any) -> None:
        answer = body if isinstance(body, dict) else {"text": str(body)}
        if not (answer.get("text") or answer.get("blocks")):
            return
        rid = payload["response_url"].rsplit("/", 1)[-1]
        with self._lock:
            target = self._response_urls.get(rid)
        if target is not None:
            self._apply_response(target, answer, source="ack")

    def _send_interaction(
        self, app_url: str, payload: dict[str, Any], deadline: float, timestamp: int | None
    ) -> SentRequest:
        status, body, elapsed, user_error = self._post_form(
            app_url, {"payload": json.dumps(payload)}, deadline, timestamp
        )
        return SentRequest(
            status,
            body,
            elapsed,
            payload.get("response_url"),
            payload.get("trigger_id"),
            payload=payload,
            user_error=user_error,
        )

    def block_action(
        self,
        app_url: str,
        *,
        user_id: str,
        action_id: str,
        block_id: str | None = None,
        value: Any = None,
        selected_option: dict[str, Any] | str | None = None,
        message: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        channel_id: str = "C0GENERAL01",
        container: dict[str, Any] | None = None,
        deadline: float = ACK_DEADLINE,
        timestamp: int | None = None,
    ) -> SentRequest:
        """A click (button, select, ...) on ``message`` in ``channel_id`` or in ``view``."""
        payload = self.block_action_payload(
            user_id=user_id,
            action_id=action_id,
            block_id=block_id,
            value=value,
            selected_option=selected_option,
            message=message,
            view=view,
            channel_id=channel_id,
            container=container,
        )
        return self._send_interaction(app_url, payload, deadline, timestamp)

    def view_submission(
        self,
        app_url: str,
        *,
        user_id: str,
        view: dict[str, Any],
        values: dict[str, dict[str, Any]] | None = None,
        deadline: float = ACK_DEADLINE,
        timestamp: int | None = None,
    ) -> SentRequest:
        """Submit a modal; the app's ``response_action`` (or none) is applied to the
        user's modal stack and problems with it are listed in ``problems``."""
        payload = self.view_submission_payload(user_id=user_id, view=view, values=values or {})
        sent = self._send_interaction(app_url, payload, deadline, timestamp)
        if sent.status == 200 and sent.user_error is None:
            sent.problems = self._apply_response_action(user_id, payload["view"], sent.body)
        return sent

    def view_closed(
        self,
        app_url: str,
        *,
        user_id: str,
        view: dict[str, Any],
        is_cleared: bool = False,
        deadline: float = ACK_DEADLINE,
    ) -> SentRequest:
        """The user closed a modal (sent only for views with ``notify_on_close``)."""
        full = self._full_view(view)
        self._close_views(user_id, clear=is_cleared)
        payload = {
            "type": "view_closed",
            "team": self._team_ref(),
            "user": self._user_ref(user_id),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "view": full,
            "is_cleared": is_cleared,
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._send_interaction(app_url, payload, deadline, None)

    def block_suggestion(
        self,
        app_url: str,
        *,
        user_id: str,
        action_id: str,
        block_id: str,
        value: str,
        view: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
        channel_id: str = "C0GENERAL01",
        deadline: float = ACK_DEADLINE,
    ) -> SentRequest:
        """An external select's options load; ``body`` is the app's options JSON and
        ``problems`` what Slack would reject in it."""
        payload: dict[str, Any] = {
            "type": "block_suggestion",
            "user": self._user_ref(user_id),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "team": self._team_ref(),
            "enterprise": None,
            "is_enterprise_install": False,
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id")}
            payload["view"] = self._full_view(view)
        else:
            payload["container"] = {
                "type": "message",
                "message_ts": (message or {}).get("ts"),
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
            payload["channel"] = self._channel_ref(channel_id)
            if message is not None:
                payload["message"] = message
        sent = self._send_interaction(app_url, payload, deadline, None)
        if sent.status == 200 and sent.user_error is None:
            sent.problems = validate_options_response(sent.body)
        return sent

    def event_envelope(self, event: dict[str, Any]) -> dict[str, Any]:
        event = dict(event)
        event.setdefault("event_ts", f"{self.now():.6f}")
        return {
            "token": self.verification_token,
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": None,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": new_id("Ev"),
            "event_time": int(self.now()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-" + secrets.token_urlsafe(24),
        }

    def event(
        self,
        app_url: str,
        event: dict[str, Any],
        *,
        retries: int = EVENT_RETRIES,
        deadline: float = ACK_DEADLINE,
    ) -> SentRequest:
        """Deliver an Events API ``event_callback`` (JSON body, signed), retrying as Slack
        does: when the app does not answer 2xx within ``deadline`` seconds
        (``http_timeout``), answers another status (``http_error``) or cannot be reached
        (``connection_failed``), Slack sends the same request again, "up to 3 times",
        with ``X-Slack-Retry-Num`` (1, 2, 3) and ``X-Slack-Retry-Reason`` headers and the
        same ``event_id`` (Events API, "Failure conditions" / "Graceful retries",
        https://api.slack.com/apis/connections/events-api). An app that answers an error
        with ``X-Slack-No-Retry: 1`` is not retried ("Turning retries off"; a timed-out
        request has no answer to carry it). Slack spaces the retries out (nearly at once,
        then about 1 and 5 minutes later); the stand-in sends them back to back.

        Returns the last delivery; ``attempts`` lists every one, and
        ``payload["event_id"]`` is the one id they all carried. ``redeliver`` sends a
        further copy (a retry a test schedules itself)."""
        envelope = self.event_envelope(event)
        attempts: list[Attempt] = []
        sent = self._deliver_event(app_url, envelope, 0, None, deadline)
        attempts.append(sent.attempts[0])
        while sent.attempts[0].failure and len(attempts) <= retries:
            if sent.attempts[0].failure != "http_timeout" and _no_retry(sent):
                break
            sent = self._deliver_event(
                app_url, envelope, len(attempts), sent.attempts[0].failure, deadline
            )
            attempts.append(sent.attempts[0])
        sent.attempts = attempts
        return sent

    def redeliver(
        self,
        app_url: str,
        sent: SentRequest,
        *,
        reason: str = "http_timeout",
        deadline: float = ACK_DEADLINE,
    ) -> SentRequest:
        """Send ``sent``'s event again as Slack's next retry would: the same envelope and
        ``event_id``, ``X-Slack-Retry-Num`` one more than the attempts so far."""
        retry_num = max((a.retry_num for a in sent.attempts), default=0) + 1
        again = self._deliver_event(app_url, sent.payload, retry_num, reason, deadline)
        again.attempts = [*sent.attempts, *again.attempts]
        return again

    def _deliver_event(
        self,
        app_url: str,
        envelope: dict[str, Any],
        retry_num: int,
        reason: str | None,
        deadline: float,
    ) -> SentRequest:
        body = json.dumps(envelope).encode()
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        headers.update(self.sign(body))
        if retry_num:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = reason or "unknown_error"
        started = time.monotonic()
        status, answer, failure = 0, None, None
        response_headers: dict[str, str] = {}
        try:
            resp = requests.post(app_url, data=body, headers=headers, timeout=deadline)
        except requests.Timeout:
            failure = "http_timeout"
        except requests.ConnectionError:
            failure = "connection_failed"
        else:
            status, answer = resp.status_code, _decode(resp)
            response_headers = dict(resp.headers)
            if not 200 <= status < 300:
                failure = "http_error"
        elapsed = (time.monotonic() - started) * 1000
        if failure is None and elapsed > deadline * 1000:
            failure = "http_timeout"
        user_error = {"http_timeout": "operation_timeout", None: None}.get(
            failure, "dispatch_failed"
        )
        attempt = Attempt(retry_num, reason if retry_num else None, status, elapsed, failure)
        sent = SentRequest(status, answer, elapsed, payload=envelope, user_error=user_error)
        sent.attempts = [attempt]
        sent.response_headers = response_headers
        return sent

    def url_verification(self, app_url: str, challenge: str | None = None) -> SentRequest:
        """Slack's Request URL check; the app must echo ``challenge``."""
        payload = {
            "token": self.verification_token,
            "challenge": challenge or secrets.token_urlsafe(32),
            "type": "url_verification",
        }
        status, body, elapsed, user_error = self._post(
            app_url, json.dumps(payload).encode(), "application/json", deadline=ACK_DEADLINE
        )
        return SentRequest(status, body, elapsed, payload=payload, user_error=user_error)

    # -- Socket Mode ---------------------------------------------------------------------

    @property
    def socket(self) -> SocketModeServer:
        return self._socket

    def wait_for_socket(self, timeout: float = 5.0) -> None:
        self._socket.wait_for_connection(timeout)

    def socket_command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str,
        channel_id: str = "C0GENERAL01",
        should_escape: bool = True,
        timeout: float = 5.0,
    ) -> str:
        """Push a ``slash_commands`` envelope; returns its envelope_id."""
        payload = self.command_payload(
            command, text, user_id=user_id, channel_id=channel_id, should_escape=should_escape
        )
        return self._socket.send(
            {
                "envelope_id": _envelope_id(),
                "type": "slash_commands",
                "payload": payload,
                "accepts_response_payload": True,
            },
            timeout,
        )

    def socket_interaction(self, payload: dict[str, Any], timeout: float = 5.0) -> str:
        """Push an ``interactive`` envelope (payload from ``block_action_payload`` ...)."""
        accepts = payload.get("type") in ("view_submission", "block_suggestion")
        return self._socket.send(
            {
                "envelope_id": _envelope_id(),
                "type": "interactive",
                "payload": payload,
                "accepts_response_payload": accepts,
            },
            timeout,
        )

    def socket_event(self, event: dict[str, Any], timeout: float = 5.0) -> str:
        """Push an ``events_api`` envelope."""
        return self._socket.send(
            {
                "envelope_id": _envelope_id(),
                "type": "events_api",
                "payload": self.event_envelope(event),
                "accepts_response_payload": False,
                "retry_attempt": 0,
                "retry_reason": "",
            },
            timeout,
        )

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> Ack:
        return self._socket.wait_for_ack(envelope_id, timeout)

    def _on_socket_ack(self, envelope: dict[str, Any], ack: Ack) -> None:
        payload = envelope.get("payload") or {}
        if envelope.get("type") == "slash_commands" and ack.payload:
            self._show_command_answer(payload, ack.payload)
        elif payload.get("type") == "view_submission":
            user_id = payload["user"]["id"]
            self._apply_response_action(user_id, payload["view"], ack.payload)
        with self._lock:
            self._lock.notify_all()

    # -- response_url --------------------------------------------------------------------

    def _response_url_post(self, rid: str, raw: bytes, content_type: str) -> tuple[int, str]:
        now = self.now()
        fault = self._take_fault("response_url")
        if fault is not None:
            return fault.status if not fault.error else 400, fault.error or "service_unavailable"
        try:
            if "json" in content_type or raw.lstrip().startswith(b"{"):
                body = json.loads(raw or b"{}")
            else:
                form = dict(parse_qsl(raw.decode()))
                body = json.loads(form.get("payload", "{}"))
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            return self._record_response(
                rid, {"raw": raw.decode(errors="replace")}, 400, "invalid_payload"
            )
        with self._lock:
            target = self._response_urls.get(rid)
            if target is None:
                return self._record_response(rid, body, 404, "no_service")
            if now - target.created > RESPONSE_URL_TTL:
                return self._record_response(rid, body, 404, "expired_url")
            if target.uses >= RESPONSE_URL_USES:
                return self._record_response(rid, body, 404, "used_url")
            target.uses += 1
        problem, effect = self._apply_response(target, body, source="response_url")
        if problem is not None:
            return self._record_response(rid, body, 400, problem)
        return self._record_response(rid, body, 200, None, effect)

    def _record_response(
        self,
        rid: str,
        body: dict[str, Any],
        status: int,
        error: str | None,
        effect: str | None = None,
    ) -> tuple[int, str]:
        with self._lock:
            self._responses.append(ResponsePost(rid, body, self.now(), status, error, effect))
            self._lock.notify_all()
        return status, error or "ok"

    def _apply_response(
        self, target: _ResponseUrl, body: dict[str, Any], *, source: str
    ) -> tuple[str | None, str | None]:
        """Apply a response_url post (or a command's HTTP answer): (error or None, effect).

        ``replace_original`` / ``delete_original`` act only on the message that carried
        an interaction (a button or menu): "It can also be used to update the original
        interactive message, regardless of whether it was an ephemeral message or not"
        (https://api.slack.com/messaging/modifying). On a message in a channel that
        changes it for everyone. A slash command's response_url has no such message: its
        HTTP acknowledgement and anything posted through it cannot be replaced or deleted,
        a post with ``replace_original`` "just posts it as a new message" and Slack's team
        confirms "it's not possible to reuse the same response_url to update the message"
        (slackapi/bolt-python#1268; also slackapi/bolt-js#2287, "replace_original does
        nothing"). So there a ``replace_original`` post arrives as a new message and a
        bare ``delete_original`` changes nothing. Without ``replace_original`` a post is
        a new message: ephemeral to the person who used the command or pressed the
        button, unless ``response_type`` is ``in_channel``
        (https://api.slack.com/interactivity/handling#message_responses)."""
        interaction = target.kind == "interaction" and target.message_ts is not None
        if body.get("delete_original"):
            if interaction:
                self._delete_message(target.channel_id, str(target.message_ts), target.user_id)
                return None, "deleted"
            if not (body.get("text") or body.get("blocks") or body.get("attachments")):
                return None, "ignored"
        text = body.get("text")
        try:
            blocks = parse_blocks(body.get("blocks"))
        except BlocksFormatError:
            return "invalid_blocks_format", None
        if not text and not blocks and not body.get("attachments"):
            return "no_text", None
        if blocks is not None and validate_blocks(blocks):
            return "invalid_blocks", None
        if isinstance(text, str) and len(text) > TEXT_LIMIT:
            return "msg_too_long", None
        content = {"text": text or "", **({"blocks": blocks} if blocks is not None else {})}
        if body.get("replace_original") and interaction:
            ts = str(target.message_ts)
            if self._replace(target.channel_id, ts, content, target.is_ephemeral):
                return None, "replaced"
        if body.get("response_type") == "in_channel":
            self._store_message(target.channel_id, content, thread_ts=body.get("thread_ts"))
            return None, "in_channel"
        self._store_ephemeral(target.channel_id, target.user_id, content, source)
        return None, "ephemeral"

    # -- Web API dispatch ----------------------------------------------------------------

    def _socket_url(self) -> str:
        return self._socket.issue_ticket()

    def _handle_api(
        self, method: str, args: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        headers: dict[str, str] = {}
        with self._lock:
            down = self._down
        fault: _Fault | None = None
        if down == "503":
            status, body = 503, {"ok": False, "error": "service_unavailable"}
        elif (fault := self._take_fault(method)) is not None and not fault.drop:
            if fault.error:
                status, body = 200, {"ok": False, "error": fault.error}
            elif fault.status == 429:
                status, body = 429, {"ok": False, "error": "ratelimited"}
                headers["Retry-After"] = str(fault.retry_after)
            else:
                status, body = fault.status, {"ok": False, "error": "service_unavailable"}
        else:
            status = 200
            try:
                body = self._dispatch(method, args, token)
            except ApiError as exc:
                body = {"ok": False, "error": exc.error, **exc.extra}
                status = exc.status
                headers.update(exc.headers)
        if token == self.bot_token:
            # Every Web API response carries the token's granted scopes ("x-oauth-scopes is
            # a list of scopes that the token has", slack-ruby/slack-ruby-client#378).
            headers["X-OAuth-Scopes"] = ",".join(sorted(self.scopes))
        with self._lock:
            self.calls.append(Call(method, args, self.now(), status, body))
            self._lock.notify_all()
        if fault is not None and fault.drop:
            return DROPPED, body, headers
        return status, body, headers

    def _dispatch(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        handler = METHODS.get(method)
        if handler is None:
            raise ApiError("unknown_method", req_method=method)
        if not token:
            raise ApiError("not_authed")
        app_level = method == "apps.connections.open"
        if token not in (self.bot_token, self.app_token):
            raise ApiError("invalid_auth")
        if (token == self.app_token) != app_level:
            raise ApiError("not_allowed_token_type")
        self._take_method_token(method)  # METHOD_TIERS: per method, per app, per workspace
        return handler(self, args)


# -- HTTP front end ----------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    standin: SlackStandIn
    protocol_version = "HTTP/1.1"
    server_version = "SlackStandIn/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _read(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(
        self,
        status: int,
        body: str | bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._route(b"")

    def do_POST(self) -> None:
        self._route(self._read())

    def _route(self, raw: bytes) -> None:
        if self.standin.is_refusing:  # a kept-alive connection from before down()
            self.close_connection = True
            return
        parts = urlsplit(self.path)
        path = parts.path
        if path.startswith("/api/"):
            self._api(path[len("/api/") :], parts.query, raw)
        elif path.startswith("/response/") and self.command == "POST":
            rid = path[len("/response/") :].strip("/")
            status, text = self.standin._response_url_post(
                rid, raw, self.headers.get("Content-Type", "")
            )
            self._send(status, text, "text/html")
        else:
            self._send(404, "not_found", "text/plain")

    def _api(self, method: str, query: str, raw: bytes) -> None:
        args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        content_type = self.headers.get("Content-Type", "")
        if raw:
            if "application/json" in content_type:
                try:
                    body = json.loads(raw)
                except ValueError:
                    self._send(200, json.dumps({"ok": False, "error": "invalid_json"}), _JSON)
                    return
                if isinstance(body, dict):
                    args.update(body)
            else:
                args.update(
                    parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True)
                )
        token = None
        auth = self.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        token = token or args.pop("token", None)
        args.pop("token", None)
        for key in _JSON_ARGS:
            if isinstance(args.get(key), str):
                with contextlib.suppress(ValueError):  # else left as sent
                    args[key] = json.loads(args[key])
        status, body, headers = self.standin._handle_api(method, args, token)
        if status == DROPPED:  # the call took effect; its answer is lost
            self.close_connection = True
            return
        self._send(status, json.dumps(body), _JSON, headers)


_JSON = "application/json; charset=utf-8"


# -- helpers -----------------------------------------------------------------------------


def _decode(resp: requests.Response) -> Any:
    if not resp.content:
        return None
    try:
        return resp.json()
    except ValueError:
        return resp.text


def _no_retry(sent: SentRequest) -> bool:
    """Did the app ask Slack not to retry (``X-Slack-No-Retry: 1``)?"""
    return any(
        k.lower() == "x-slack-no-retry" and v.strip() == "1"
        for k, v in sent.response_headers.items()
    )


def _envelope_id() -> str:
    return str(uuid.uuid4())


def _option_for(element: dict[str, Any], value: Any) -> Any:
    """An option dict for ``value`` (an option dict, or the value of one of the options)."""
    if isinstance(value, dict) or value is None:
        return value
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    for opt in options:
        if opt.get("value") == value:
            return opt
    return {"text": {"type": "plain_text", "text": str(value), "emoji": True}, "value": str(value)}


_INITIAL_KEYS = (
    "initial_option", "initial_options", "initial_value", "initial_user", "initial_users",
    "initial_conversation", "initial_conversations", "initial_channel", "initial_channels",
    "initial_date", "initial_time", "initial_date_time",
)  # fmt: skip


def _initial_value(element: dict[str, Any]) -> Any:
    """The value an input element starts with (None when it has none)."""
    for key in _INITIAL_KEYS:
        if element.get(key) is not None:
            return element[key]
    return None


def _element_value(element: dict[str, Any], value: Any, *, empty: bool = False) -> dict[str, Any]:
    """The state/action fields Slack sends for an element holding ``value``."""
    kind = element.get("type", "plain_text_input")
    out: dict[str, Any] = {"type": kind}
    if kind in ("static_select", "external_select", "radio_buttons", "overflow"):
        out["selected_option"] = _option_for(element, value)
    elif kind in ("multi_static_select", "multi_external_select", "checkboxes"):
        items = value if isinstance(value, list) else ([] if value is None else [value])
        out["selected_options"] = [_option_for(element, v) for v in items]
    elif kind == "users_select":
        out["selected_user"] = value
    elif kind == "multi_users_select":
        out["selected_users"] = (
            value if isinstance(value, list) else ([] if value is None else [value])
        )
    elif kind == "conversations_select":
        out["selected_conversation"] = value
    elif kind == "multi_conversations_select":
        out["selected_conversations"] = (
            value if isinstance(value, list) else ([] if value is None else [value])
        )
    elif kind == "channels_select":
        out["selected_channel"] = value
    elif kind == "multi_channels_select":
        out["selected_channels"] = (
            value if isinstance(value, list) else ([] if value is None else [value])
        )
    elif kind == "datepicker":
        out["selected_date"] = value
    elif kind == "timepicker":
        out["selected_time"] = value
    elif kind == "datetimepicker":
        out["selected_date_time"] = value
    elif kind == "button":
        if value is not None or not empty:
            out["value"] = value if value is not None else element.get("value")
    else:
        out["value"] = value
    return out
