"""SIGTERM with work queued (issue 14, weakness 6): `acctbot run` in a real subprocess,
in HTTP mode and in Socket Mode, stops taking new work, answers every acknowledged
command (its answer, or "restarting" when the drain time runs out) and exits 0 within
its drain time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from bot.blocks import is_progress
from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import SlackStandIn
from tests.support.blockcheck import all_text
from tests.support.harness import ANA, bot_settings, populate_workspace
from tests.support.orgdata import NOW, TEAMS_YAML, small_org
from tests.support.paths import REPO_ROOT

DRAIN = 4
COMMANDS = 12


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        populate_workspace(standin)
        yield standin


@pytest.fixture
def slow(org: SandboxOrg) -> SandboxOrg:
    """The small org; each test makes it slow once the app has warmed up."""
    org.load(small_org())
    org.set_now(NOW)
    return org


def warm_then_slow(org: SandboxOrg, slack: SlackStandIn, send: Callable[[], str]) -> None:
    """One command answered first (a running app has read the org's schema and picklists
    already), then every Salesforce request takes 1.2 s."""
    slack.wait_for_response(id=send(), timeout=30)
    org.set_faults({"latency_ms": 1200})
    slack.clear()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(org: SandboxOrg, slack: SlackStandIn, tmp_path: Path, **env: str) -> subprocess.Popen:
    settings = bot_settings(org, slack)
    teams = tmp_path / "teams.yml"
    teams.write_text(TEAMS_YAML)
    full = {
        **os.environ,
        "SLACK_BOT_TOKEN": settings.slack_bot_token,
        "SLACK_SIGNING_SECRET": settings.slack_signing_secret,
        "SLACK_API_URL": settings.slack_api_url,
        "SF_INSTANCE_URL": org.instance_url,
        "SF_ACCESS_TOKEN": org.access_token,
        "REQUESTS_CA_BUNDLE": org.ca_path,
        "DATABASE_URL": f"sqlite:///{tmp_path}/bot.db",
        "ACCTBOT_TEAMS_FILE": str(teams),
        "ACCTBOT_WORKERS": "2",
        "ACCTBOT_CACHE_TTL": "0",  # every answer asks the slow Salesforce
        "ACCTBOT_DRAIN_SECONDS": str(DRAIN),
        **env,
    }
    if "SLACK_APP_TOKEN" not in env:
        full.pop("SLACK_APP_TOKEN", None)
    return subprocess.Popen(
        [sys.executable, "app.py", "--no-scheduler"],
        cwd=REPO_ROOT,
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop_and_check(proc: subprocess.Popen, slack: SlackStandIn) -> str:
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=DRAIN + 10)
    took = time.monotonic() - started
    assert proc.returncode == 0, out[-2000:]
    assert took < DRAIN + 4, (took, out[-2000:])
    assert "Traceback" not in out, out[-3000:]
    # Every acknowledged command got exactly one answer: its own, or "restarting" (a
    # "still looking" note may come before it).
    answers = [p for p in slack.responses() if not is_progress(p.body)]
    by_url = Counter(p.id for p in answers)
    assert len(by_url) == COMMANDS and set(by_url.values()) == {1}, by_url
    texts = [all_text(p.body) for p in answers]
    real = sum("Order 00000123" in t for t in texts)
    restarting = sum("restarting" in t for t in texts)
    assert real + restarting == COMMANDS and real >= 2 and restarting >= 1, (real, restarting)
    assert "stopped in" in out
    return out


def test_sigterm_in_http_mode_drains_then_exits(
    slow: SandboxOrg, slack: SlackStandIn, tmp_path: Path
) -> None:
    port = free_port()
    proc = start(slow, slack, tmp_path, PORT=str(port))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{base}/healthz", timeout=1)
                break
            except requests.ConnectionError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        url = f"{base}/slack/events"
        warm_then_slow(
            slow, slack, lambda: slack.command(url, "/order", "123", user_id=ANA).response_url
        )
        sent = []

        def one() -> None:
            sent.append(slack.command(f"{base}/slack/events", "/order", "123", user_id=ANA))

        threads = [threading.Thread(target=one) for _ in range(COMMANDS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(s.status == 200 and s.user_error is None for s in sent)
        stop_and_check(proc, slack)
        with pytest.raises(requests.ConnectionError):  # nothing listens any more
            requests.get(f"{base}/healthz", timeout=1)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_sigterm_in_socket_mode_drains_then_exits(
    slow: SandboxOrg, slack: SlackStandIn, tmp_path: Path
) -> None:
    proc = start(slow, slack, tmp_path, SLACK_APP_TOKEN=slack.app_token)
    try:
        slack.wait_for_socket(timeout=30)

        def warm() -> str:
            slack.socket_command("/order", "123", user_id=ANA)
            return slack.wait_for_response(timeout=30).id

        warm_then_slow(slow, slack, warm)
        envelopes = [slack.socket_command("/order", "123", user_id=ANA) for _ in range(COMMANDS)]
        for envelope in envelopes:
            slack.wait_for_ack(envelope, timeout=5)
        stop_and_check(proc, slack)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
