"""The org's picklist values come from describe, not from constants in the code."""

from __future__ import annotations

import copy

import pytest

from bot.dates import FiscalYear
from bot.infra.salesforce import SalesforceService, SalesforceUnavailable
from bot.settings import SalesforceSettings
from bot.standins.salesforce.server import SandboxOrg
from bot.vocabulary import ORGANIZATION_QUERY, Vocabulary, VocabularySource
from tests.support.orgdata import small_org
from tests.support.realorg import CURRENCIES


def service(org: SandboxOrg) -> SalesforceService:
    return SalesforceService(
        SalesforceSettings(instance_url=org.instance_url, access_token=org.access_token)
    )


def test_the_vocabulary_is_read_from_describe_once(org: SandboxOrg) -> None:
    source = VocabularySource(service(org))
    vocab = source()
    assert vocab == Vocabulary(draft_status="Draft", priorities=("High", "Medium", "Low"))
    assert vocab.currencies.corporate == "USD" and not vocab.currencies.multi
    source()
    log = org.requests_log()
    describes = [r["path"].rsplit("/", 2)[-2] for r in log if r["path"].endswith("/describe")]
    assert sorted(describes) == ["Case", "Order"]  # 2 describes
    assert [r.get("soql") for r in log if r.get("soql")] == [
        ORGANIZATION_QUERY  # and the org's currency and fiscal year
    ]
    assert "FiscalYearStartMonth" in ORGANIZATION_QUERY
    assert len(log) == 3


def test_an_orgs_own_values_are_used(org: SandboxOrg) -> None:
    sf = service(org)
    order, case = copy.deepcopy(sf.describe("Order")), copy.deepcopy(sf.describe("Case"))
    for f in order["fields"]:
        if f["name"] == "Status":  # this org calls its drafts "New" and makes it the default
            for v in f["picklistValues"]:
                v["defaultValue"] = v["value"] == "Pending Install"
    for f in case["fields"]:
        if f["name"] == "Priority":
            f["picklistValues"] = [
                {"value": v, "label": v, "active": active, "defaultValue": False}
                for v, active in (("Sev 1", True), ("Legacy", False), ("Sev 2", True))
            ]
    vocab = Vocabulary.from_describe(order, case)
    assert vocab.draft_status == "Pending Install"
    assert vocab.priorities == ("Sev 1", "Sev 2") and vocab.top_priority == "Sev 1"


def test_a_first_read_that_fails_raises_and_is_never_replaced_by_stock_values(
    org: SandboxOrg,
) -> None:
    org.load({**small_org(), "CurrencyType": CURRENCIES})
    source = VocabularySource(service(org))
    org.set_faults({"status": 503, "count": 1})  # one blip: the first describe fails
    with pytest.raises(SalesforceUnavailable):
        source()
    vocab = source()  # and it is read at the next use
    assert vocab.currencies.multi and vocab.currencies.corporate == "USD"
    org.load(small_org())


def test_a_reread_that_fails_keeps_the_last_values_read(org: SandboxOrg) -> None:
    now = [0.0]
    data = small_org()
    data["Organization"] = [{"DefaultCurrencyIsoCode": "EUR", "FiscalYearStartMonth": 2}]
    org.load(data)
    source = VocabularySource(service(org), max_age=100, retry_after=10, clock=lambda: now[0])
    first = source()
    assert first.currencies.corporate == "EUR" and first.fiscal == FiscalYear(2)
    now[0] = 150.0  # expired: read again, and Salesforce fails
    org.set_faults({"status": 503})
    assert source() is first
    org.set_faults({})
    org.load(small_org())
    now[0] = 155.0  # within the retry pause: still the old values, no request
    org.clear_log()
    assert source() is first and not org.requests_log()
    now[0] = 161.0
    assert source().currencies.corporate == "USD" and source().fiscal == FiscalYear(1)


def test_inactive_currencies_keep_their_rates(org: SandboxOrg) -> None:
    data = small_org()
    data["CurrencyType"] = [
        *CURRENCIES,
        {"IsoCode": "IDR", "ConversionRate": 16000, "IsActive": False},
    ]
    org.load(data)
    currencies = VocabularySource(service(org))().currencies
    assert currencies.rates["IDR"] == 16000 and currencies.inactive == {"IDR"}
    assert currencies.active == ("USD", "EUR", "JPY")
    assert currencies.ranking(10_000_000, "IDR") == 625.0
    org.load(small_org())
