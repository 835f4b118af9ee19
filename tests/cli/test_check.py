"""`acctbot check`: validates the configuration and reaches Slack, Salesforce and the
database, saying what is wrong in plain words and exiting non-zero on failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import SlackStandIn
from tests.support.paths import REPO_ROOT

ROOT = REPO_ROOT


def check(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "check"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_reaches_everything_and_names_what_is_wrong(org: SandboxOrg, tmp_path: Path) -> None:
    with SlackStandIn() as slack:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "WARNING",
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": slack.api_url,
            "SF_INSTANCE_URL": org.instance_url,
            "SF_ACCESS_TOKEN": org.access_token,
            "REQUESTS_CA_BUNDLE": org.ca_path,
            "DATABASE_URL": f"sqlite:///{tmp_path}/acctbot.db",
        }
        env.pop("SLACK_APP_TOKEN", None)
        ok = check(env, tmp_path)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert "Slack: OK, connected as acctbot" in ok.stdout
        assert "Salesforce: OK" in ok.stdout and "daily API requests left" in ok.stdout
        assert "Database: OK" in ok.stdout

        bad = check(
            {
                **env,
                "SF_ACCESS_TOKEN": "expired",
                "SLACK_BOT_TOKEN": "xoxb-revoked",
                "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
            },
            tmp_path,
        )
        assert bad.returncode == 1
        assert "Slack: the token was refused (invalid_auth)." in bad.stdout
        assert "Salesforce: acctbot's Salesforce session has expired" in bad.stdout
        assert "Database: cannot reach" in bad.stdout
        assert "Traceback" not in bad.stdout + bad.stderr
