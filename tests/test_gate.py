"""The HTTP front door, end to end over HTTP to the real app on waitress: a request must
pass size, signature, replay and shape checks before Bolt reads it, and each refusal is
one short log line, never a traceback (issue 14, weaknesses 1 and 2)."""

from __future__ import annotations

import io
import json
import logging
import time
from typing import Any

import pytest

from bot.gate import RequestGate
from bot.standins.salesforce.server import SandboxOrg
from tests.support import raw
from tests.support.harness import ANA, CHANNEL, BotUnderTest
from tests.support.orgdata import NOW, small_org


@pytest.fixture
def bot(org: SandboxOrg, running_bot: BotUnderTest) -> BotUnderTest:
    org.load(small_org())
    org.set_now(NOW)
    running_bot.services.cache.clear()
    running_bot.slack.clear()
    return running_bot


def refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "refused a request" in r.getMessage()]


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.exc_info], [
        r.getMessage() for r in caplog.records if r.exc_info
    ]
    assert all(r.levelno < logging.ERROR for r in caplog.records), [
        r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR
    ]


# --- size ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [300 * 1024, 10 * 1024 * 1024])
def test_an_oversized_body_is_refused_unread_with_one_short_log_line(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture, size: int
) -> None:
    caplog.set_level(logging.INFO)
    url = bot.url
    path = url.split("/", 3)[3]
    head = (
        f"POST /{path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"X-Slack-Request-Timestamp: {int(time.time())}\r\nX-Slack-Signature: v0={'0' * 64}\r\n"
        f"Content-Length: {size}\r\n\r\n"
    ).encode()
    started = time.monotonic()
    # Only 1 KB of the body is ever sent: the answer comes without waiting for the rest.
    answer = raw.raw_exchange(url, head, b"payload=" + b"A" * 1024, timeout=5)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 2
    (line,) = refusals(caplog)
    assert "413" in line.getMessage() and len(line.getMessage()) < 200
    assert "AAAA" not in caplog.text  # the body is neither read nor logged
    no_tracebacks(caplog)


def test_the_gate_refuses_by_content_length_without_reading() -> None:
    class Unreadable(io.BytesIO):
        def read(self, *args: Any) -> bytes:
            raise AssertionError("the body was read")

    gate = RequestGate("secret", None, max_bytes=1024)
    refusal = gate.admit({"CONTENT_LENGTH": "5000", "wsgi.input": Unreadable()})
    assert getattr(refusal, "status", None) == 413


def test_a_body_within_the_limit_is_served(bot: BotUnderTest) -> None:
    sent = bot.command("/order", "123 " + "x" * 50)
    assert sent.status == 200


# --- signatures, before parsing -----------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({}, b"\x00\xff garbage \xfe"),
        ({}, b'{"type": "block_actions", "actions": "nope"}'),
        ({"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=" + "a" * 64}, b"x=1"),
        ({"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": "v0=" + "a" * 64}, b"x=1"),
        ({"X-Slack-Request-Timestamp": "-5", "X-Slack-Signature": "v0=" + "a" * 64}, b"x=1"),
        ({"X-Slack-Request-Timestamp": "NOW", "X-Slack-Signature": "v0=beef"}, b"payload={"),
        ({"X-Slack-Request-Timestamp": "NOW", "X-Slack-Signature": "v1=" + "a" * 64}, b"x=1"),
        ({"X-Slack-Request-Timestamp": "NOW", "X-Slack-Signature": "v0=" + "a" * 64}, b"x=1"),
        ({"X-Slack-Request-Timestamp": "OLD", "X-Slack-Signature": "SIGNED"}, b"command=%2Forder"),
    ],
)
def test_anything_unsigned_or_malformed_is_401_before_it_is_parsed(
    bot: BotUnderTest,
    caplog: pytest.LogCaptureFixture,
    headers: dict[str, str],
    body: bytes,
) -> None:
    caplog.set_level(logging.INFO)
    now = int(time.time())
    final = {"Content-Type": raw.FORM}
    for key, value in headers.items():
        final[key] = {"NOW": str(now), "OLD": str(now - 301)}.get(value, value)
    if final.get("X-Slack-Signature") == "SIGNED":
        final.update(bot.slack.sign(body, timestamp=now - 301))  # right secret, too old
    resp = raw.Signed(body, final).send(bot.url)
    assert resp.status_code == 401, (resp.status_code, resp.text)
    assert "Traceback" not in resp.text and len(resp.content) < 100
    (line,) = refusals(caplog)
    assert "401" in line.getMessage() and len(line.getMessage()) < 200
    no_tracebacks(caplog)


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe\x00 not utf-8",
        b"payload=%7Bnot+json",
        b'payload="a string"',
        b'payload={"type": 5}',
        b'payload={"type": "block_actions", "user": {"id": "U1"}, "actions": [1, 2]}',
        b'payload={"type": "block_actions", "user": "U1", "actions": [{"action_id": 7}]}',
        b'payload={"type": "view_submission", "user": {"id": "U1"}, "view": []}',
        b'payload={"type": "block_suggestion", "user": {"id": 3}, "action_id": "a"}',
        b'{"type": "event_callback", "event": "app_home_opened"}',
        b'{"type": "event_callback", "event": {"type": "x"}, "authorizations": [5]}',
        b'{"type": "something_else"}',
        b"command=order&user_id=U1&channel_id=C1",
        b"text=hello",
    ],
)
def test_signed_garbage_is_400_without_a_traceback(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    caplog.set_level(logging.INFO)
    resp = raw.sign(bot.slack, body).send(bot.url)
    assert resp.status_code == 400, (resp.status_code, resp.text)
    (line,) = refusals(caplog)
    assert "400" in line.getMessage() and len(line.getMessage()) < 200
    no_tracebacks(caplog)


def test_healthz_and_unknown_paths(bot: BotUnderTest) -> None:
    import requests

    base = bot.url.rsplit("/slack/events", 1)[0]
    assert requests.get(f"{base}/healthz", timeout=5).json() == {"ok": True}
    assert requests.get(f"{base}/nope", timeout=5).status_code == 404
    assert requests.get(bot.url, timeout=5).status_code == 404


# --- replays ------------------------------------------------------------------------------


def test_a_replayed_command_is_answered_empty_and_not_run_again(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fields = bot.slack.command_payload("/order", "123", user_id=ANA, channel_id=CHANNEL)
    signed = raw.command(bot.slack, fields)
    first = signed.send(bot.url)
    assert first.status_code == 200  # an empty acknowledgement, then one answer
    answer = bot.slack.wait_for_response(id=fields["response_url"], timeout=10)
    assert "00000123" in json.dumps(answer.body)
    requests_before = len(bot.sf_requests())
    for _ in range(3):
        again = signed.send(bot.url)
        assert again.status_code == 200 and again.content == b""
    time.sleep(0.5)
    assert len(bot.slack.responses(fields["response_url"])) == 1  # answered once
    assert len(bot.sf_requests()) == requests_before  # nothing asked again
    assert sum("replayed request" in r.getMessage() for r in caplog.records) == 3


def test_the_same_command_signed_again_is_a_new_request(bot: BotUnderTest) -> None:
    # A replay is the same signature; Slack's own retries are signed afresh.
    fields = bot.slack.command_payload("/order", "123", user_id=ANA, channel_id=CHANNEL)
    body = raw.command(bot.slack, fields).body
    earlier = raw.sign(bot.slack, body, timestamp=int(time.time()) - 1)
    assert earlier.send(bot.url).status_code == 200
    assert raw.sign(bot.slack, body).send(bot.url).status_code == 200
