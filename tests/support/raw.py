"""Requests to the app below the stand-in's helpers: exact bytes, exact headers, sent as
often as a test likes (replays), or deliberately broken (forged, oversized, garbage)."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from bot.standins.slack.standin import SlackStandIn

FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Signed:
    """One signed request: the body and headers Slack would send, replayable."""

    body: bytes
    headers: dict[str, str]

    def send(self, url: str, timeout: float = 5.0) -> requests.Response:
        return requests.post(url, data=self.body, headers=self.headers, timeout=timeout)


def sign(slack: SlackStandIn, body: bytes, *, timestamp: int | None = None) -> Signed:
    headers = {"Content-Type": FORM, **slack.sign(body, timestamp)}
    return Signed(body, headers)


def command(slack: SlackStandIn, fields: dict[str, str]) -> Signed:
    return sign(slack, urlencode(fields).encode())


def interaction(slack: SlackStandIn, payload: dict[str, Any]) -> Signed:
    return sign(slack, urlencode({"payload": json.dumps(payload)}).encode())


def raw_exchange(url: str, head: bytes, body_part: bytes = b"", timeout: float = 5.0) -> bytes:
    """Send ``head`` (request line and headers, with the blank line) and ``body_part``
    over a plain socket and return what the server answers (until it closes or pauses).
    Used to show that a large body is refused without being read."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(head + body_part)
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks):
                sock.settimeout(0.3)  # the rest of a short answer, if any
        return b"".join(chunks)
