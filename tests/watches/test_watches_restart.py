"""Watches across a crash: the real ``acctbot run`` (scheduler on, checking every second)
in a subprocess, killed with SIGKILL while an alert is queued and while changes keep
happening in Salesforce; started again, it sends what was queued and what changed while
it was down, each exactly once, and nothing it had already sent."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from simple_salesforce import Salesforce

from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import SlackStandIn
from tests.support.harness import ANA, populate_workspace
from tests.support.orgdata import DRAFT_ORDER, RAJ_SF, TEAMS_YAML, small_org
from tests.support.paths import REPO_ROOT


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        populate_workspace(standin)
        yield standin


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class App:
    """``python -m bot.cli run`` in a subprocess."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.url = f"http://127.0.0.1:{env['PORT']}/slack/events"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run"],
                cwd=REPO_ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                if requests.get(self.url.replace("/slack/events", "/healthz"), timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise AssertionError("the app did not start:\n" + self.log.read_text()[-3000:])

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def alerts(slack: SlackStandIn, marker: str) -> list[dict[str, Any]]:
    return [m for m in slack.messages(ANA) if marker in (m.get("text") or "")]


def test_a_killed_app_sends_queued_and_missed_changes_once_after_restart(
    org: SandboxOrg, slack: SlackStandIn, sf: Salesforce, tmp_path: Path
) -> None:
    org.load(small_org())
    teams = tmp_path / "teams.yml"
    teams.write_text(TEAMS_YAML)
    db_url = f"sqlite:///{tmp_path}/acctbot.db"
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
        "SF_INSTANCE_URL": org.instance_url,
        "SF_ACCESS_TOKEN": org.access_token,
        "REQUESTS_CA_BUNDLE": org.ca_path,
        "DATABASE_URL": db_url,
        "ACCTBOT_TEAMS_FILE": str(teams),
        "PORT": str(_free_port()),
        "ACCTBOT_WATCH_INTERVAL_SECONDS": "1",
        "ACCTBOT_WATCH_QUIET_HOURS": "off",  # real time here: any hour of the day
        "ACCTBOT_OUTBOX_INTERVAL_SECONDS": "1",
        "ACCTBOT_OUTBOX_LEASE_SECONDS": "3",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("SLACK_APP_TOKEN", None)
    app = App(env, tmp_path / "app.log")
    app.start()
    engine = sa.create_engine(db_url)
    try:
        sent = slack.command(app.url, "/watch", "00000123", user_id=ANA)
        assert sent.status == 200 and sent.response_url
        answer = slack.wait_for_response(id=sent.response_url, timeout=20)
        assert "You're watching" in answer.body["text"]

        with org.acting_as(RAJ_SF):
            sf.Order.update(DRAFT_ORDER, {"Status": "Provisioning"})
        slack.wait_for_message(ANA, lambda m: "→ Provisioning" in m.get("text", ""), timeout=20)

        # Slack goes away: the next change is recorded and its DM queued, not sent...
        slack.down()
        sf.Order.update(DRAFT_ORDER, {"Status": "Pending Install"})
        deadline = time.monotonic() + 20
        while True:
            with engine.connect() as conn:
                queued = conn.execute(
                    sa.text(  # this change's DM (the one before may still be finishing)
                        "SELECT count(*) FROM outbox WHERE kind = 'watch' AND delivered_at IS NULL"
                        " AND payload LIKE '%Pending Install%'"
                    )
                ).scalar_one()
            if queued:
                break
            assert time.monotonic() < deadline, app.log.read_text()[-3000:]
            time.sleep(0.2)
        app.kill()  # ...and the process dies with it queued
        # While nothing runs, Salesforce moves on.
        sf.Order.update(DRAFT_ORDER, {"Status": "Activated"})

        slack.up()
        app.start()
        slack.wait_for_message(ANA, lambda m: "→ Pending Install" in m.get("text", ""), timeout=20)
        slack.wait_for_message(ANA, lambda m: "→ Activated" in m.get("text", ""), timeout=20)
        time.sleep(3)  # several more checks: nothing more may arrive
        assert len(alerts(slack, "→ Provisioning")) == 1
        assert len(alerts(slack, "→ Pending Install")) == 1
        assert len(alerts(slack, "→ Activated")) == 1
        (first,) = alerts(slack, "→ Provisioning")
        assert "(last saved by Raj Patel)" in first["text"]
    finally:
        app.stop()
        engine.dispose()
