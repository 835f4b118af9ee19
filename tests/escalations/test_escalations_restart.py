"""The app is killed (SIGKILL) after the escalation is written and before Slack got the
alerts; started again, it delivers every alert exactly once.

The real ``acctbot run`` runs in a subprocess (HTTP mode, scheduler on) against the
Slack stand-in and the sandbox org. Slack is down while the escalation is filed, so the
alerts can only be in the outbox when the process dies.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import SlackStandIn
from tests.support.harness import ANA, MARCUS, populate_workspace
from tests.support.orgdata import TEAMS_YAML, small_org
from tests.support.paths import REPO_ROOT

ROOT = REPO_ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        populate_workspace(standin)
        yield standin


class App:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.port = int(env["PORT"])
        self.url = f"http://127.0.0.1:{self.port}/slack/events"
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).ok:
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


def test_killed_between_write_and_post_delivers_once_after_restart(
    org: SandboxOrg, slack: SlackStandIn, tmp_path: Path
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
        "ESCALATION_CHANNEL": "C0ESCALATE1",
        "PORT": str(_free_port()),
        "ACCTBOT_OUTBOX_INTERVAL_SECONDS": "1",
        "ACCTBOT_OUTBOX_LEASE_SECONDS": "3",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("SLACK_APP_TOKEN", None)
    app = App(env, tmp_path / "app.log")
    app.start()
    try:
        sent = slack.command(app.url, "/escalate", "Acme Corp", user_id=ANA)
        assert sent.status == 200
        slack.wait_until(lambda: slack.open_views(ANA), timeout=10)
        view = slack.open_views(ANA)[-1]
        account = view["blocks"][0]["element"]["initial_option"]

        slack.down()  # nothing can reach Slack from here on
        sub = slack.view_submission(
            app.url,
            user_id=ANA,
            view=view,
            values={
                "account": {"escalation_account": account},
                "category": {"category_select": "disconnect"},
                "severity": {"severity_select": "P1"},
                "description": {"description_input": "Lines cut by mistake at the Newark site"},
            },
        )
        assert sub.status == 200 and sub.body["response_action"] == "update"  # told: filed
        app.kill()  # between the database write and any Slack post

        engine = sa.create_engine(db_url)
        with engine.connect() as conn:
            ref = conn.execute(sa.text("SELECT ref FROM escalations")).scalar_one()
            undelivered = conn.execute(
                sa.text("SELECT count(*) FROM outbox WHERE delivered_at IS NULL")
            ).scalar_one()
        assert ref == "ESC-0001" and undelivered >= 2  # channel card + reporter DM at least

        slack.up()
        app.start()
        slack.wait_for_message("C0ESCALATE1", lambda m: ref in m.get("text", ""), timeout=20)
        slack.wait_for_message(MARCUS, lambda m: ref in m.get("text", ""), timeout=20)
        slack.wait_for_message(ANA, lambda m: ref in m.get("text", ""), timeout=20)
        time.sleep(2.5)  # more job runs: nothing more may arrive
        for where in ("C0ESCALATE1", MARCUS, ANA):
            assert len([m for m in slack.messages(where) if ref in m.get("text", "")]) == 1
        with engine.connect() as conn:
            left = conn.execute(
                sa.text("SELECT count(*) FROM outbox WHERE delivered_at IS NULL")
            ).scalar_one()
        assert left == 0
        engine.dispose()
    finally:
        app.stop()
