"""`acctbot check`: validates the configuration and reaches Slack, Salesforce and the
database, saying what is wrong in plain words and exiting non-zero on failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import SlackStandIn
from tests.support.orgdata import small_org
from tests.support.paths import REPO_ROOT
from tests.support.realorg import integration_user_elsewhere

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


def test_check_names_each_channel_acctbot_cannot_post_in_or_read(
    org: SandboxOrg, tmp_path: Path
) -> None:
    from bot.standins.stack import APP_SCOPES, populate_workspace

    teams = tmp_path / "teams.yml"
    teams.write_text(
        "teams:\n"
        "  - name: smb-east\n    channel: '#smb-east'\n"  # public, not joined yet
        "  - name: deal-desk\n    channel: G0DEALDESK1\n"  # private, acctbot not invited
        "  - name: general\n    channel: C0GENERAL01\n"  # acctbot is in it
    )
    with SlackStandIn() as slack:
        populate_workspace(slack)
        slack.add_channel("G0DEALDESK1", "deal-desk", is_private=True, bot_is_member=False)
        slack.invite_bot("C0GENERAL01")
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
            "ACCTBOT_TEAMS_FILE": str(teams),
            "ESCALATION_CHANNEL": "#nowhere",
        }
        env.pop("SLACK_APP_TOKEN", None)
        bad = check(env, tmp_path)
        out = bad.stdout
        assert bad.returncode == 1, out + bad.stderr
        assert "Slack scopes: OK" in out
        assert "Channel #smb-east (C0SMBEAST01) (team smb-east): OK, acctbot is not in" in out
        assert "joins it before its first post there" in out
        assert "Channel G0DEALDESK1 (team deal-desk): cannot post or read" in out
        assert "/invite @acctbot" in out
        assert "Channel #general (C0GENERAL01) (team general): OK, acctbot is in it" in out
        assert "Channel #nowhere (ESCALATION_CHANNEL): cannot post or read" in out
        assert "cannot find #nowhere" in out
        assert "Traceback" not in out + bad.stderr
        assert slack.calls_to("conversations.join") == []  # a check changes nothing

        slack.invite_bot("G0DEALDESK1")
        good = check({**env, "ESCALATION_CHANNEL": "#escalations"}, tmp_path)
        assert good.returncode == 0, good.stdout + good.stderr
        assert "Channel #deal-desk (G0DEALDESK1) (team deal-desk): OK, acctbot is in it" in (
            good.stdout
        )

        slack.set_scopes(s for s in APP_SCOPES if s not in ("channels:join", "groups:read"))
        lacking = check({**env, "ESCALATION_CHANNEL": "#escalations"}, tmp_path)
        assert lacking.returncode == 1
        assert "the token lacks channels:join, groups:read" in lacking.stdout
        assert "cannot read its history" in lacking.stdout  # #smb-east: no way to join


def test_the_scopes_acctbot_checks_are_the_manifests() -> None:
    import yaml

    from bot.application import BOT_SCOPES

    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert sorted(BOT_SCOPES) == sorted(manifest["oauth_config"]["scopes"]["bot"])


def test_check_warns_when_the_integration_user_keeps_other_days(
    org: SandboxOrg, tmp_path: Path
) -> None:
    """Salesforce evaluates TODAY and THIS_WEEK in the integration user's zone and locale;
    acctbot uses its own: `acctbot check` says when they differ, and shows the org's
    currency and the order statuses that are never open."""
    data = integration_user_elsewhere(small_org(), "Europe/Berlin", "de_DE")
    data["Organization"] = [{"DefaultCurrencyIsoCode": "EUR"}]
    org.load(data)
    try:
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
                "ACCTBOT_TIMEZONE": "America/New_York",
            }
            env.pop("SLACK_APP_TOKEN", None)
            env.pop("ACCTBOT_FINISHED_ORDER_STATUSES", None)
            out = check(env, tmp_path)
            assert out.returncode == 0, out.stdout + out.stderr  # a warning, not a failure
            text = out.stdout
            assert "never these statuses: Cancelled, Canceled" in text
            assert "Currency: EUR (a single-currency org)" in text
            assert "Integration user: integration@example.com, time zone Europe/Berlin" in text
            assert "Warning: the integration user's time zone is Europe/Berlin" in text
            assert "America/New_York" in text
            assert "Warning: the integration user's locale de_DE starts weeks on Monday" in text

            data = integration_user_elsewhere(small_org(), "America/New_York", "en_US")
            org.load(data)
            quiet = check(env, tmp_path)
            assert quiet.returncode == 0 and "Warning" not in quiet.stdout, quiet.stdout
    finally:
        org.load({})


def test_check_reports_who_sees_what_and_how_many_people_are_mapped(
    org: SandboxOrg, tmp_path: Path
) -> None:
    from bot.standins.stack import populate_workspace
    from tests.support.orgdata import small_org

    org.load(small_org())  # Ana, Raj and Marcus have Salesforce users
    with SlackStandIn() as slack:
        populate_workspace(slack)  # 14 members (Ana, Raj, Marcus, ...) and 2 guests
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
            "ACCTBOT_ADMINS": "U0MGR00001",
        }
        env.pop("SLACK_APP_TOKEN", None)
        env.pop("ACCTBOT_VISIBILITY", None)
        ok = check(env, tmp_path)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert (
            "Visibility: salesforce (each person sees only the records their own Salesforce "
            "user can read); sharing in channels: on; admins: U0MGR00001" in ok.stdout
        )
        assert (
            "People: 14 members: 3 mapped to Salesforce users (0 by admin override), "
            "11 unmapped; 2 guests kept out" in ok.stdout
        )
        assert "Database: OK, schema at nothing yet" in ok.stdout  # check migrated nothing
        workspace = check({**env, "ACCTBOT_VISIBILITY": "workspace"}, tmp_path)
        assert "Visibility: workspace (every mapped person sees what the integration user" in (
            workspace.stdout
        )


def test_check_compares_zones_by_their_clocks_and_shows_the_orgs_calendar(
    org: SandboxOrg, tmp_path: Path
) -> None:
    """US/Eastern and America/New_York are one zone (a link in the tz database): no
    warning. With ACCTBOT_WEEK_START=monday a de_DE user's weeks are acctbot's. The org's
    fiscal year and deactivated currencies are shown."""
    data = integration_user_elsewhere(small_org(), "America/New_York", "de_DE")
    data["Organization"] = [{"FiscalYearStartMonth": 2}]
    data["CurrencyType"] = [
        {"IsoCode": "USD", "ConversionRate": 1, "IsCorporate": True},
        {"IsoCode": "EUR", "ConversionRate": 0.9},
        {"IsoCode": "IDR", "ConversionRate": 16000, "IsActive": False},
    ]
    org.load(data)
    try:
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
                "ACCTBOT_TIMEZONE": "US/Eastern",
                "ACCTBOT_WEEK_START": "monday",
            }
            env.pop("SLACK_APP_TOKEN", None)
            out = check(env, tmp_path)
            assert out.returncode == 0, out.stdout + out.stderr
            text = out.stdout
            assert "Warning" not in text, text
            assert "America/New_York and US/Eastern keep the same clock" in text
            assert "weeks start on Monday (ACCTBOT_WEEK_START)" in text
            assert "Fiscal year: starts in February, named after the year it ends in" in text
            assert "this quarter is Q" in text and " FY20" in text
            assert "Currencies: corporate USD, also EUR; deactivated IDR" in text
            assert "Order draft status: Draft; case priorities, most urgent first: High" in text

            sunday = check({**env, "ACCTBOT_WEEK_START": "sunday"}, tmp_path)
            assert "Warning: the integration user's locale de_DE starts weeks on Monday" in (
                sunday.stdout
            )
            bad = check({**env, "ACCTBOT_WEEK_START": "friday"}, tmp_path)
            assert bad.returncode == 2
            assert "ACCTBOT_WEEK_START 'friday' is not sunday or monday." in bad.stderr
    finally:
        org.load({})
