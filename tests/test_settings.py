"""Settings: every missing or malformed variable stops start-up with one named sentence."""

import subprocess
import sys

import pytest

from bot.settings import ConfigError, Settings

BASE = {
    "SLACK_BOT_TOKEN": "xoxb-1",
    "SLACK_SIGNING_SECRET": "s",
    "SF_INSTANCE_URL": "https://example.my.salesforce.com",
    "SF_ACCESS_TOKEN": "00D!x",
}


def test_a_complete_environment_parses_with_defaults() -> None:
    s = Settings.from_env(BASE)
    assert s.salesforce.auth_mode == "session" and not s.salesforce.can_relogin
    assert s.slack_api_url == "https://slack.com/api/"
    assert (s.port, s.database_url, s.teams_file) == (3000, "sqlite:///acctbot.db", "teams.yml")
    assert not s.socket_mode


def test_watch_settings() -> None:
    import datetime as dt

    s = Settings.from_env(BASE)
    assert s.watch_interval_seconds == 60
    assert s.watch_quiet_hours == (dt.time(19, 0), dt.time(8, 0))
    s = Settings.from_env(
        {**BASE, "ACCTBOT_WATCH_INTERVAL_SECONDS": "300", "ACCTBOT_WATCH_QUIET_HOURS": "22:30-6:45"}
    )
    assert s.watch_interval_seconds == 300
    assert s.watch_quiet_hours == (dt.time(22, 30), dt.time(6, 45))
    assert Settings.from_env({**BASE, "ACCTBOT_WATCH_QUIET_HOURS": "off"}).watch_quiet_hours is None


def test_who_sees_what_settings() -> None:
    s = Settings.from_env(BASE)
    assert (s.visibility, s.sharing, s.admins, s.audit_retention_days) == (
        "salesforce",
        "on",
        frozenset(),
        365,
    )
    s = Settings.from_env(
        {
            **BASE,
            "ACCTBOT_VISIBILITY": "Workspace",
            "ACCTBOT_SHARING": "preview",
            "ACCTBOT_ADMINS": " U0ANA00001 ,W0ENTERPRISE1,",
            "ACCTBOT_AUDIT_RETENTION_DAYS": "90",
        }
    )
    assert (s.visibility, s.sharing, s.audit_retention_days) == ("workspace", "preview", 90)
    assert s.admins == frozenset({"U0ANA00001", "W0ENTERPRISE1"})


def test_password_and_jwt_logins_can_log_in_again() -> None:
    pw = {k: v for k, v in BASE.items() if not k.startswith("SF_")}
    s = Settings.from_env({**pw, "SF_USERNAME": "u@x.com", "SF_PASSWORD": "p"})
    assert s.salesforce.auth_mode == "password" and s.salesforce.can_relogin


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xoxp-user"}, "SLACK_BOT_TOKEN does not look like a bot token"),
        ({"SLACK_SIGNING_SECRET": " "}, "SLACK_SIGNING_SECRET is not set"),
        ({"SLACK_APP_TOKEN": "bad"}, "SLACK_APP_TOKEN does not look like"),
        ({"SLACK_API_URL": "ftp://x"}, "SLACK_API_URL"),
        ({"SF_ACCESS_TOKEN": ""}, "SF_ACCESS_TOKEN is not set"),
        ({"SF_INSTANCE_URL": "http://insecure"}, "SF_INSTANCE_URL 'http://insecure' is not an"),
        ({"PORT": "eighty"}, "PORT 'eighty' is not a whole number"),
        ({"PORT": "70000"}, "PORT must be between"),
        ({"SF_API_VERSION": "latest"}, "SF_API_VERSION"),
        ({"ACCTBOT_TIMEZONE": "Mars/Base"}, "ACCTBOT_TIMEZONE"),
        ({"ACCTBOT_WATCH_INTERVAL_SECONDS": "1m"}, "ACCTBOT_WATCH_INTERVAL_SECONDS '1m' is not"),
        ({"ACCTBOT_WATCH_INTERVAL_SECONDS": "0"}, "ACCTBOT_WATCH_INTERVAL_SECONDS must be"),
        ({"ACCTBOT_WATCH_QUIET_HOURS": "7pm-8am"}, "ACCTBOT_WATCH_QUIET_HOURS '7pm-8am' is not"),
        ({"ACCTBOT_WATCH_QUIET_HOURS": "25:00-08:00"}, "ACCTBOT_WATCH_QUIET_HOURS"),
        ({"ACCTBOT_WATCH_QUIET_HOURS": "08:00-08:00"}, "ACCTBOT_WATCH_QUIET_HOURS"),
        ({"ACCTBOT_VISIBILITY": "everyone"}, "ACCTBOT_VISIBILITY 'everyone' is not one of"),
        ({"ACCTBOT_SHARING": "yes"}, "ACCTBOT_SHARING 'yes' is not one of on, preview, off"),
        ({"ACCTBOT_ADMINS": "U0ANA00001, ana"}, "ACCTBOT_ADMINS has 'ana', which is not"),
        ({"ACCTBOT_AUDIT_RETENTION_DAYS": "0"}, "ACCTBOT_AUDIT_RETENTION_DAYS must be"),
    ],
)
def test_bad_settings_name_the_variable(change: dict, named: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({**BASE, **change})
    message = str(info.value)
    assert named in message
    assert message.count(". ") == 0 and message.endswith(".")  # one plain sentence


def test_the_cli_prints_one_sentence_and_no_traceback(tmp_path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "check"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "acctbot: SLACK_BOT_TOKEN is not set: set it to the app's bot token (xoxb-...)."
    )


def test_finished_order_statuses_default_to_both_spellings_of_cancelled() -> None:
    assert Settings.from_env(BASE).finished_order_statuses == ("Cancelled", "Canceled")
    s = Settings.from_env({**BASE, "ACCTBOT_FINISHED_ORDER_STATUSES": " Void, On Hold ,void,"})
    assert s.finished_order_statuses == ("Void", "On Hold")  # trimmed, once each
    assert (
        Settings.from_env({**BASE, "ACCTBOT_FINISHED_ORDER_STATUSES": ","}).finished_order_statuses
        == ()
    )
    with pytest.raises(ConfigError, match="ACCTBOT_FINISHED_ORDER_STATUSES"):
        Settings.from_env({**BASE, "ACCTBOT_FINISHED_ORDER_STATUSES": "Void,\x07bell"})
