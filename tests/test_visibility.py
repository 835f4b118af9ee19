"""``bot.visibility.readable_ids`` against the sandbox org over HTTPS, with the real Slack
client for who is asking: batching at 200 Ids, the per-person cache, workspace mode, and
the errors it raises."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from bot.infra.salesforce import SalesforceUnavailable
from bot.people import AccessRefused
from bot.standins.salesforce.schema import make_id
from bot.standins.salesforce.server import SandboxOrg
from bot.visibility import readable_ids
from tests.support.harness import ANA, MARCUS, RAJ, BotUnderTest
from tests.support.orgdata import (
    ACME,
    ACME_MEDIA,
    NOW,
    OHARE,
    PERCENT,
    RAJ_SIDE_DEAL,
    ZURICH,
    private_org,
)


@pytest.fixture
def bot(org: SandboxOrg, running_bot: BotUnderTest) -> Iterator[BotUnderTest]:
    data = private_org()
    # 450 more accounts of Ana's, to ask about more than one query's worth.
    data["Account"] += [
        {"Id": make_id("001", 1000 + n), "Name": f"Bulk {n}", "OwnerId": "005000000000001AAA"}
        for n in range(450)
    ]
    org.load(data)
    org.set_now(NOW)
    running_bot.forget(ANA, RAJ, MARCUS)
    org.clear_log()
    yield running_bot


def test_the_subset_each_person_may_read_as_given(bot: BotUnderTest) -> None:
    svc = bot.services
    ids = [ACME, ACME_MEDIA[:15], OHARE, ZURICH, RAJ_SIDE_DEAL, "not an id", ""]
    assert readable_ids(svc, ANA, ids) == {ACME, OHARE, ZURICH}
    assert readable_ids(svc, RAJ, ids) == {ACME, ACME_MEDIA[:15], ZURICH, RAJ_SIDE_DEAL}
    assert readable_ids(svc, MARCUS, ids) == {ACME, ACME_MEDIA[:15], OHARE, ZURICH, RAJ_SIDE_DEAL}
    checks = bot.access_checks()
    assert len(checks) == 3 and "'not an id'" not in checks[0]["soql"]
    # Cached per (person, record): asking again costs nothing; a new Id costs one query.
    assert readable_ids(svc, ANA, [ACME, OHARE]) == {ACME, OHARE}
    assert len(bot.sf_requests()) == 3
    assert readable_ids(svc, ANA, [ACME_MEDIA]) == set()  # the 15-character Id's answer
    assert len(bot.sf_requests()) == 3
    assert readable_ids(svc, ANA, [ACME, PERCENT]) == {ACME}
    assert len(bot.access_checks()) == 4 and ACME not in bot.access_checks()[-1]["soql"]


def test_more_than_200_ids_are_asked_200_at_a_time(bot: BotUnderTest) -> None:
    ids = [make_id("001", 1000 + n) for n in range(450)]
    assert readable_ids(bot.services, ANA, ids) == set(ids)
    sizes = [c["soql"].count("'001") for c in bot.access_checks()]
    assert sizes == [200, 200, 50]
    assert readable_ids(bot.services, RAJ, ids[:10]) == set()


def test_workspace_mode_reads_nothing_but_still_refuses_guests(bot: BotUnderTest) -> None:
    svc = bot.services
    before = svc.settings
    svc.settings = dataclasses.replace(before, visibility="workspace")
    try:
        assert readable_ids(svc, RAJ, [OHARE, "x"]) == {OHARE, "x"}
        assert bot.sf_requests() == []
        with pytest.raises(AccessRefused) as info:
            readable_ids(svc, "U0GUEST002", [OHARE])
        assert info.value.reason == "guest"
    finally:
        svc.settings = before


def test_refusals_and_salesforce_errors_are_raised(bot: BotUnderTest) -> None:
    svc = bot.services
    for user, reason in [("U0GUEST001", "guest"), ("U0STRANGER", "unmapped"),
                         ("U0NOEMAIL1", "no_email"), ("U0NOBODY99", "unknown")]:  # fmt: skip
        with pytest.raises(AccessRefused) as info:
            readable_ids(svc, user, [ACME])
        assert info.value.reason == reason
    bot.org.set_faults({"status": 500, "count": 3})
    with pytest.raises(SalesforceUnavailable):
        readable_ids(svc, ANA, [ACME])
