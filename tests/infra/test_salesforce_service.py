"""The Salesforce service layer against the sandbox org over HTTPS."""

from __future__ import annotations

import time
from typing import Any

import pytest
from simple_salesforce import Salesforce

from bot.infra.salesforce import (
    SalesforceAuthError,
    SalesforceLimitExceeded,
    SalesforceNotFound,
    SalesforceQueryError,
    SalesforceService,
    SalesforceTimeout,
    SalesforceUnavailable,
    SalesforceUntrusted,
)
from bot.settings import SalesforceSettings
from bot.standins.salesforce.server import SandboxOrg
from tests.support.orgdata import ACME, small_org


@pytest.fixture
def small(org: SandboxOrg) -> SandboxOrg:
    org.load(small_org())
    return org


def service(
    org: SandboxOrg, *, relogin: bool = False, timeout: float = 5.0, logins: list[int] | None = None
) -> SalesforceService:
    if relogin:  # password login: the service may mint a new session
        settings = SalesforceSettings(username="u@x.com", password="p", timeout=timeout)
    else:
        settings = SalesforceSettings(
            instance_url=org.instance_url, access_token=org.access_token, timeout=timeout
        )

    def factory() -> Salesforce:
        if logins is not None:
            logins.append(1)
        return Salesforce(instance_url=org.instance_url, session_id=org.access_token)

    return SalesforceService(settings, client_factory=factory)


def test_values_are_escaped_into_soql(small: SandboxOrg) -> None:
    sf = service(small)
    recs = sf.query_records("SELECT Name FROM Account WHERE Name = {}", "O'Hare Signal & Sons")
    assert [r["Name"] for r in recs] == ["O'Hare Signal & Sons"]
    recs = sf.query_records("SELECT Name FROM Account WHERE Name LIKE '{:like}%'", "100%")
    assert [r["Name"] for r in recs] == ["100% Fiber Co"]
    assert small.requests_log()[-1]["soql"].endswith("LIKE '100\\%%'")


def test_an_expired_session_logs_in_again_once(small: SandboxOrg) -> None:
    logins: list[int] = []
    sf = service(small, relogin=True, logins=logins)
    sf.count("SELECT COUNT() FROM Account")
    small.set_faults({"error": "INVALID_SESSION_ID", "count": 1})
    assert sf.count("SELECT COUNT() FROM Account") == 6
    assert len(logins) == 2  # the first login, and one more after the 401


def test_a_session_login_cannot_log_in_again(small: SandboxOrg) -> None:
    logins: list[int] = []
    sf = service(small, logins=logins)
    small.set_faults({"error": "INVALID_SESSION_ID"})
    with pytest.raises(SalesforceAuthError):
        sf.count("SELECT COUNT() FROM Account")
    assert len(logins) == 1


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"error": "REQUEST_LIMIT_EXCEEDED"}, SalesforceLimitExceeded),
        ({"status": 500}, SalesforceUnavailable),
        ({"status": 503}, SalesforceUnavailable),
        ({"latency_ms": 1500}, SalesforceTimeout),
    ],
)
def test_failures_map_to_one_exception_each(
    small: SandboxOrg, fault: dict, error: type[Exception]
) -> None:
    sf = service(small, timeout=1.0)
    small.set_faults(fault)
    with pytest.raises(error):
        sf.query("SELECT Id FROM Account")
    if "latency_ms" in fault:  # let the abandoned request finish before the next test
        small.set_faults({})
        time.sleep(0.8)


def test_query_and_not_found_errors(small: SandboxOrg) -> None:
    sf = service(small)
    with pytest.raises(SalesforceQueryError) as info:
        sf.query("SELECT Nope FROM Account")
    assert info.value.error_code == "INVALID_FIELD"
    with pytest.raises(SalesforceNotFound):
        sf.get("Account", "001000000000099AAA")
    assert sf.get("Account", ACME)["Name"] == "Acme Corp"


def test_unreachable_salesforce_is_unavailable() -> None:
    settings = SalesforceSettings(instance_url="https://127.0.0.1:9", access_token="x", timeout=2)
    with pytest.raises(SalesforceUnavailable):
        SalesforceService(settings).query("SELECT Id FROM Account")


def test_paging_iterates_every_record_and_composite_counts_once(org: SandboxOrg) -> None:
    org.load({"Account": [{"Name": f"Account {i:05d}"} for i in range(4500)]})
    sf = service(org)
    names = [r["Name"] for r in sf.query_iter("SELECT Name FROM Account ORDER BY Name")]
    assert len(names) == 4500 and names[0] == "Account 00000" and names[-1] == "Account 04499"
    paths = [r["path"] for r in org.requests_log()]
    assert sum("/query" in p for p in paths) == 3  # 2000 + 2000 + 500
    org.clear_log()
    out = sf.composite_queries(
        {
            "n": sf.soql("SELECT COUNT() FROM Account WHERE Name LIKE {}", "Account 000%"),
            "first": "SELECT Name FROM Account ORDER BY Name LIMIT 1",
        }
    )
    assert out["n"]["totalSize"] == 100 and out["first"]["records"][0]["Name"] == "Account 00000"
    assert len(org.requests_log()) == 1


def test_the_ca_bundle_may_come_from_dotenv_alone(
    small: SandboxOrg, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """REQUESTS_CA_BUNDLE written only in .env still makes the sandbox's HTTPS trusted
    (requests itself reads the process environment alone)."""
    from bot.settings import Settings

    dotenv = tmp_path / ".env"
    dotenv.write_text(f"REQUESTS_CA_BUNDLE={small.ca_path}\n")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SF_INSTANCE_URL", "SF_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("SF_INSTANCE_URL", small.instance_url)
    monkeypatch.setenv("SF_ACCESS_TOKEN", small.access_token)
    settings = Settings.from_env(dotenv_path=dotenv)
    assert settings.salesforce.ca_bundle == small.ca_path
    svc = SalesforceService(settings.salesforce)
    assert svc.query_records("SELECT Id FROM Account WHERE Id = {}", ACME)
    # Without it the certificate is not trusted: the same query is refused.
    bare = SalesforceService(
        SalesforceSettings(**{**settings.salesforce.__dict__, "ca_bundle": None})
    )
    with pytest.raises(SalesforceUntrusted) as refused:
        bare.query_records("SELECT Id FROM Account WHERE Id = {}", ACME)
    assert "REQUESTS_CA_BUNDLE" in refused.value.user_message  # not "try again in a minute"


def test_a_ca_bundle_that_is_not_a_file_stops_start_up() -> None:
    from bot.settings import ConfigError, Settings

    env = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s",
        "SF_INSTANCE_URL": "https://sf.example.com",
        "SF_ACCESS_TOKEN": "t",
        "REQUESTS_CA_BUNDLE": "/nowhere/ca.pem",
    }
    with pytest.raises(ConfigError, match="REQUESTS_CA_BUNDLE"):
        Settings.from_env(env)
