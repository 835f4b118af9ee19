"""`acctbot run` in both modes: HTTP (a real subprocess: /healthz, signature checks) and
Socket Mode (through the stand-in's websocket server)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.application import create_app, socket_mode_handler
from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import SlackStandIn
from bot.teams import parse_teams
from tests.support.blockcheck import all_text
from tests.support.harness import ANA, bot_settings, populate_workspace
from tests.support.orgdata import NOW, TEAMS_YAML, small_org
from tests.support.paths import REPO_ROOT

ROOT = REPO_ROOT


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        populate_workspace(standin)
        yield standin


@pytest.fixture
def small(org: SandboxOrg) -> SandboxOrg:
    org.load(small_org())
    org.set_now(NOW)
    return org


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_acctbot_run_serves_http_with_healthz_and_verifies_signatures(
    small: SandboxOrg, slack: SlackStandIn, tmp_path: Path
) -> None:
    port = free_port()
    settings = bot_settings(small, slack)
    teams = tmp_path / "teams.yml"
    teams.write_text(TEAMS_YAML)
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": settings.slack_bot_token,
        "SLACK_SIGNING_SECRET": settings.slack_signing_secret,
        "SLACK_API_URL": settings.slack_api_url,
        "SF_INSTANCE_URL": small.instance_url,
        "SF_ACCESS_TOKEN": small.access_token,
        "REQUESTS_CA_BUNDLE": small.ca_path,
        "DATABASE_URL": f"sqlite:///{tmp_path}/bot.db",
        "ACCTBOT_TEAMS_FILE": str(teams),
        "PORT": str(port),
    }
    env.pop("SLACK_APP_TOKEN", None)
    proc = subprocess.Popen(
        [sys.executable, "app.py", "--no-scheduler"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = requests.get(f"{base}/healthz", timeout=1)
                break
            except requests.ConnectionError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "the app did not start"
                time.sleep(0.2)
        assert health.status_code == 200 and health.json() == {"ok": True}

        # A request with a bad signature is refused; a signed one is answered.
        bad = requests.post(
            f"{base}/slack/events",
            data={"command": "/account"},
            headers={
                "X-Slack-Request-Timestamp": str(int(time.time())),
                "X-Slack-Signature": "v0=deadbeef",
            },
            timeout=5,
        )
        assert bad.status_code == 401
        stale = slack.sign(b"command=%2Faccount", timestamp=int(time.time()) - 600)
        assert (
            requests.post(
                f"{base}/slack/events", data=b"command=%2Faccount", headers=stale, timeout=5
            ).status_code
            == 401
        )
        sent = slack.command(f"{base}/slack/events", "/account", "Acme Corp", user_id=ANA)
        assert sent.status == 200 and sent.user_error is None
        answer = slack.wait_for_response(id=sent.response_url, timeout=15)
        assert "Acme Corp" in all_text(answer.body) and "Health" in all_text(answer.body)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_socket_mode_round_trip(small: SandboxOrg, slack: SlackStandIn, tmp_path: Path) -> None:
    settings = bot_settings(
        small, slack, SLACK_APP_TOKEN=slack.app_token, DATABASE_URL=f"sqlite:///{tmp_path}/bot.db"
    )
    assert settings.socket_mode
    bot = create_app(settings, teams=parse_teams(TEAMS_YAML), clock=small.clock.now)
    handler = socket_mode_handler(bot.app, settings.slack_app_token or "")
    handler.connect()
    try:
        slack.wait_for_socket(timeout=10)
        envelope = slack.socket_command("/order", "123", user_id=ANA)
        ack = slack.wait_for_ack(envelope, timeout=5)
        assert not ack.payload  # an empty ack; the one answer comes through response_url
        answer = slack.wait_for_response(lambda p: "Order 00000123" in all_text(p.body), timeout=15)
        assert "Stuck" in all_text(answer.body)
    finally:
        handler.close()
