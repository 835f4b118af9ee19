"""What an HTTP request must pass before Bolt reads it: size, signature, replay, shape.

In this order, each refusal one short log line and never a traceback:

1. **Size**: a body over ``max_bytes`` (``ACCTBOT_MAX_REQUEST_KB``; Slack's payloads are a
   few KB) is refused with 413 from its ``Content-Length`` alone, unread.
2. **Signature**: Slack signs ``v0:{timestamp}:{body}`` with the signing secret
   (HMAC-SHA256, ``X-Slack-Signature: v0=<hex>``) and apps must refuse a timestamp more
   than five minutes from now
   (https://api.slack.com/authentication/verifying-requests-from-slack). Anything
   missing, malformed (a non-numeric timestamp too), stale or wrong is 401, decided
   before the body is parsed.
3. **Shape**: the body must decode the way Bolt will decode it and have the shape Slack
   sends (:func:`bot.payloads.check_envelope`); otherwise 400.
4. **Replay**: a signature already served within its five minutes is answered 200 with
   an empty body and nothing runs (:mod:`bot.once`; shared by replicas through the
   database). Read-only requests (a type-ahead's options) are simply answered again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.request.internals import extract_content_type, parse_body

from bot.once import OnceKeys
from bot.payloads import Refused, check_envelope

log = logging.getLogger("acctbot.gate")

WINDOW = 5 * 60  # seconds: Slack's replay window for request timestamps
READ_ONLY = frozenset({"block_suggestion", "url_verification"})
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True)
class Admitted:
    """A request that passed: its body as text and its headers (Bolt's shapes)."""

    body: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Refusal:
    """A request turned away: the HTTP status, a short body, and the reason logged (a
    replay is answered 200 with an empty body and logged at INFO)."""

    status: int
    body: bytes
    reason: str


def _refusal(status: int, error: str, reason: str) -> Refusal:
    return Refusal(status, json.dumps({"error": error}).encode(), reason)


def request_headers(environ: dict[str, Any]) -> dict[str, str]:
    """The request's headers, lower-case with dashes (as Bolt's WSGI adapter reads them)."""
    headers: dict[str, str] = {}
    for key, value in environ.items():
        if key in ("CONTENT_LENGTH", "CONTENT_TYPE"):
            headers[key.lower().replace("_", "-")] = str(value)
        elif key.startswith("HTTP_"):
            headers[key[5:].lower().replace("_", "-")] = str(value)
    return headers


class RequestGate:
    """Checks an HTTP request (a WSGI ``environ``) before anything else reads it."""

    def __init__(
        self,
        signing_secret: str,
        once: OnceKeys | None,
        *,
        max_bytes: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = signing_secret.encode()
        self.once = once
        self.max_bytes = max_bytes
        self.clock = clock

    def admit(self, environ: dict[str, Any]) -> Admitted | Refusal:
        """Read and check the request; an :class:`Admitted` body or a :class:`Refusal`."""
        who = environ.get("REMOTE_ADDR") or "?"
        refusal = self._check(environ)
        if isinstance(refusal, Refusal):
            if refusal.status == 200:
                log.info("ignored a replayed request from %s: %s", who, refusal.reason)
            else:
                log.warning("refused a request from %s with %s: %s", who, refusal.status,
                            refusal.reason)  # fmt: skip
        return refusal

    def _check(self, environ: dict[str, Any]) -> Admitted | Refusal:
        raw_length = str(environ.get("CONTENT_LENGTH") or "0").strip()
        if not raw_length.isdigit():
            return _refusal(400, "bad_request", f"Content-Length {raw_length[:20]!r}")
        length = int(raw_length)
        if length > self.max_bytes:
            return _refusal(
                413, "too_large", f"{length} bytes (the limit is {self.max_bytes}); not read"
            )
        headers = request_headers(environ)
        timestamp = headers.get("x-slack-request-timestamp", "")
        signature = headers.get("x-slack-signature", "")
        if not timestamp or not signature:
            return _refusal(401, "invalid_request", "not signed")
        if not _TIMESTAMP.fullmatch(timestamp):
            return _refusal(401, "invalid_request", "malformed X-Slack-Request-Timestamp")
        if not _SIGNATURE.fullmatch(signature):
            return _refusal(401, "invalid_request", "malformed X-Slack-Signature")
        age = self.clock() - int(timestamp)
        if abs(age) > WINDOW:
            return _refusal(401, "invalid_request", f"timestamp {age:.0f} s from now")
        raw = environ["wsgi.input"].read(length) if length else b""
        base = b"v0:" + timestamp.encode() + b":" + raw
        expected = "v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return _refusal(401, "invalid_request", "wrong signature")
        try:
            body = raw.decode("utf-8")
            parsed = parse_body(body, extract_content_type({k: [v] for k, v in headers.items()}))
            check_envelope(parsed)
        except Refused as exc:
            return _refusal(400, "bad_request", f"signed but malformed: {exc.reason}")
        except (ValueError, TypeError) as exc:  # undecodable bytes, bad JSON
            return _refusal(400, "bad_request", f"signed but undecodable: {type(exc).__name__}")
        # A type-ahead (block_suggestion) only reads, and carries no per-request id (two
        # identical searches in one second are signed alike): answering it again is safe.
        if self.once is not None and parsed.get("type") not in READ_ONLY:
            ttl = int(timestamp) + WINDOW - self.clock() + 60
            if not self.once.first("sig:" + signature[3:], ttl):
                return Refusal(200, b"", f"signature {signature[3:15]}... already served")
        return Admitted(body, headers)
