"""The org's picklist values come from describe, not from constants in the code."""

from __future__ import annotations

import copy

from bot.infra.salesforce import SalesforceService
from bot.settings import SalesforceSettings
from bot.standins.salesforce.server import SandboxOrg
from bot.vocabulary import Vocabulary, VocabularySource


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
        "SELECT DefaultCurrencyIsoCode FROM Organization LIMIT 1"  # and the org's currency
    ]
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


def test_describe_failing_falls_back_to_salesforces_stock_values(org: SandboxOrg) -> None:
    source = VocabularySource(service(org))
    org.set_faults({"status": 503})
    assert source() == Vocabulary()
    org.set_faults({})
    assert source().draft_status == "Draft"  # and it tries again later
