"""Issue 12, digests: exact and readable in an org as real ones are. A team with
thousands of not-dones gets one short message grouped by account; amounts in several
currencies are never added; cancelled orders are never not-dones; a team of hundreds of
owners never makes a URL Salesforce refuses. Posted through the real app's services to
the Slack stand-in, the sandbox org answering over HTTPS."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import delete

from bot.digests import service as digests
from bot.infra.models import DigestRun, DigestSubscription
from bot.standins.salesforce.schema import make_id
from bot.standins.salesforce.server import SandboxOrg
from bot.teams import Team, parse_teams
from tests.support.blockcheck import all_text, assert_valid_message
from tests.support.digest_org import EIGHT_AM, digest_org
from tests.support.harness import BotUnderTest, posts
from tests.support.orgdata import ACME, ANA_SF, TEAMS_YAML, small_org
from tests.support.realorg import (
    BIG,
    CURRENCIES,
    ORDER_STATUSES,
    many_owners,
    with_big_account,
    with_owners,
)

SMB = "C0SMBEAST01"


@pytest.fixture
def bot(org: SandboxOrg, running_bot: BotUnderTest) -> Iterator[BotUnderTest]:
    with running_bot.services.db.session() as s:
        s.execute(delete(DigestRun))
        s.execute(delete(DigestSubscription))
    running_bot.services.teams = parse_teams(TEAMS_YAML)
    running_bot.slack.clear_faults()
    yield running_bot
    load(running_bot, small_org())  # the next module's bot reads the plain org again
    running_bot.services.teams = parse_teams(TEAMS_YAML)


def load(bot: BotUnderTest, data: dict[str, Any]) -> None:
    bot.org.load(data)
    bot.org.set_now(EIGHT_AM + dt.timedelta(minutes=1))
    forget = getattr(bot.services.vocabulary, "forget", None)
    if forget is not None:
        forget()
    bot.services.vocabulary()
    bot.org.clear_log()


def team(bot: BotUnderTest, name: str = "smb-east") -> Team:
    found = bot.services.teams.get(name)
    assert found is not None
    return found


def post(bot: BotUnderTest) -> list[dict[str, Any]]:
    """Post smb-east's daily digest now; the messages it took (channel + thread)."""
    before = len(posts(bot.slack, SMB))
    outcome = digests.send_now(bot.services, team(bot))
    assert outcome.status == "posted", outcome
    messages = posts(bot.slack, SMB)[before:]
    for m in messages:
        assert_valid_message(m)
    return messages


# --- 5. thousands of not-dones read in thirty seconds ---------------------------------


def test_thousands_of_not_dones_are_one_short_message_by_account(bot: BotUnderTest) -> None:
    data = with_big_account(digest_org(), overdue_drafts=2300)
    for i in range(400):  # and 400 orders activated yesterday on Big Co
        data["Order"].append(
            {"OrderNumber": f"{70000 + i:08d}", "AccountId": BIG, "Status": "Activated",
             "EffectiveDate": "2026-11-17", "CreatedDate": "2026-11-10T15:00:00.000+0000",
             "ActivatedDate": "2026-11-17T16:00:00.000+0000", "TotalAmount": 1000.0 + i}
        )  # fmt: skip
    load(bot, data)
    messages = post(bot)
    assert len(messages) == 1  # and never more than three
    text = all_text(messages[0])
    assert len(messages[0]["blocks"]) <= 20 and len(text) < 12_000
    # 2,300 on Big Co, 2 on Acme (Ana's) and 1 on Acme Media (Raj's): every one counted,
    # the accounts with the most first, each with its count, amount and oldest.
    assert "*Not done*  2,303 orders · $24,392 on 3 accounts" in text
    nd = text[text.index("*Not done*") :]
    big = nd.index("Big Co> — 2,300 orders · $23,000 · oldest 19 days")
    assert big < nd.index("Acme Corp> — 2 orders · $942 · oldest 29 days")
    assert "…and 2,297 more" in nd  # Big Co's three oldest are named
    assert nd.count("draft 16 days past its effective date") == 4  # 3 of Big Co's + 00000123
    # Sections count everything and name the largest few.
    assert "*Activated yesterday*  403 orders · $481,578" in text  # + 125, 127, 129
    assert "largest" in text and "$1,399" in text
    assert "_…and 393 more_" in text
    assert "2301" not in text and "2300" not in text  # counts have separators


# --- 2. currencies ----------------------------------------------------------------------


def test_digest_sums_stay_per_currency(bot: BotUnderTest) -> None:
    data = digest_org()
    data["CurrencyType"] = CURRENCIES
    data["Opportunity"] += [
        {"Name": "Euro win", "AccountId": ACME, "OwnerId": ANA_SF, "StageName": "Closed Won",
         "Amount": 40000, "CloseDate": "2026-11-17", "CurrencyIsoCode": "EUR"},
        {"Name": "Yen win", "AccountId": ACME, "OwnerId": ANA_SF, "StageName": "Closed Won",
         "Amount": 5_000_000, "CloseDate": "2026-11-17", "CurrencyIsoCode": "JPY"},
    ]  # fmt: skip
    load(bot, data)
    text = all_text(post(bot)[0])
    # Big win ($40,000), €40,000 and ¥5,000,000: three sums, never one figure.
    assert "*Won yesterday*  3 deals · €40,000 + ¥5,000,000 + $40,000" in text
    assert "|Yen win> — Acme Corp — ¥5,000,000" in text
    assert "5,080,000" not in text and "5,040,000" not in text


def test_a_single_currency_org_digest_is_in_its_currency(bot: BotUnderTest) -> None:
    data = digest_org()
    data["Organization"] = [{"DefaultCurrencyIsoCode": "GBP"}]
    load(bot, data)
    text = all_text(post(bot)[0])
    assert "*Activated yesterday*  3 orders · £1,778" in text and "$" not in text


# --- 3. the org's own order statuses ----------------------------------------------------


def test_cancelled_orders_are_never_not_dones(bot: BotUnderTest) -> None:
    data = digest_org()
    data["_picklists"] = ORDER_STATUSES  # type: ignore[assignment]
    data["Order"].append(
        {"Id": make_id("801", 92000), "OrderNumber": "00092000", "AccountId": ACME,
         "Status": "Cancelled", "EffectiveDate": "2026-10-05",
         "CreatedDate": "2026-10-01T14:00:00.000+0000", "TotalAmount": 777.0}
    )  # fmt: skip
    load(bot, data)
    text = all_text(post(bot)[0])
    assert "*Not done*  3 orders · $1,392" in text
    assert "00092000" not in text and "cancelled" not in text.lower()


# --- 4. hundreds of owners --------------------------------------------------------------


def test_a_team_of_hundreds_of_owners_gets_its_digest(bot: BotUnderTest) -> None:
    owners = many_owners(400)
    load(bot, with_owners(digest_org(), owners))
    everyone = ", ".join(["ana.rep@example.com", "raj.rep@example.com", *owners])
    bot.services.teams = parse_teams(
        f"teams:\n  - name: smb-east\n    channel: {SMB}\n    owners: [{everyone}]\n"
    )
    text = all_text(post(bot)[0])
    assert "*Activated yesterday*  3 orders · $1,778" in text  # the same as for two owners
    assert "*Not done*  3 orders · $1,392" in text
    longest = max(
        len(urlencode({"q": sub["soql"]}))
        for r in bot.sf_requests()
        for sub in r.get("subrequests") or [r]
        if sub.get("soql")
    )
    assert longest < 8_192  # half of Salesforce's 16,384-byte limit on URI and headers
    queries = len(bot.sf_queries())
    assert queries > 4  # the owners went in several queries per section
    # ... asked five to a composite request (one API call each).
    assert len(bot.sf_requests()) == -(-queries // 5)


# --- issue 12 attack: figures never from guessed values; deactivated currencies ---------


def test_a_digest_is_never_built_from_stock_currencies(bot: BotUnderTest) -> None:
    """One Salesforce error while the org's currencies are read: the digest fails and is
    retried; it is never posted with every amount taken for dollars and added up."""
    data = digest_org()
    data["CurrencyType"] = CURRENCIES
    data["Opportunity"] += [
        {"Name": "Euro win", "AccountId": ACME, "OwnerId": ANA_SF, "StageName": "Closed Won",
         "Amount": 40000, "CloseDate": "2026-11-19", "CurrencyIsoCode": "EUR"},
        {"Name": "Yen win", "AccountId": ACME, "OwnerId": ANA_SF, "StageName": "Closed Won",
         "Amount": 5_000_000, "CloseDate": "2026-11-19", "CurrencyIsoCode": "JPY"},
        {"Name": "Dollar win", "AccountId": ACME, "OwnerId": ANA_SF, "StageName": "Closed Won",
         "Amount": 40000, "CloseDate": "2026-11-19"},
    ]  # fmt: skip
    load(bot, data)
    bot.org.set_now(EIGHT_AM + dt.timedelta(days=2, minutes=1))  # Friday's digest, its own
    bot.services.vocabulary.forget()  # the process has not read the org yet
    bot.org.set_faults({"status": 503, "count": 1})
    before = len(posts(bot.slack, SMB))
    outcome = digests.send_now(bot.services, team(bot))
    assert outcome.status == "failed" and "not answering" in outcome.detail
    assert posts(bot.slack, SMB)[before:] == []  # nothing posted from guessed values
    bot.org.set_faults({})
    (retried,) = digests.retry_pending(bot.services)
    assert retried.status == "posted"
    text = all_text(posts(bot.slack, SMB)[-1])
    assert "Fri Nov 20" in text
    assert "*Won yesterday*  3 deals · €40,000 + ¥5,000,000 + $40,000" in text
    assert "5,080,000" not in text and "$5,040,000" not in text


def test_a_deactivated_currency_still_orders_by_its_rate(bot: BotUnderTest) -> None:
    """An admin deactivated IDR; orders in it keep their amounts and Salesforce keeps its
    rate: IDR 10,000,000 is $625, smaller than a $5,000 order."""
    data = digest_org()
    data["CurrencyType"] = [
        *CURRENCIES,
        {"IsoCode": "IDR", "ConversionRate": 16000, "IsActive": False},
    ]
    base = {"AccountId": ACME, "Status": "Activated", "EffectiveDate": "2026-11-17",
            "CreatedDate": "2026-11-10T15:00:00.000+0000",
            "ActivatedDate": "2026-11-17T16:00:00.000+0000"}  # fmt: skip
    data["Order"] += [
        {**base, "OrderNumber": "00080001", "TotalAmount": 5000.0, "CurrencyIsoCode": "USD"},
        {**base, "OrderNumber": "00080002", "TotalAmount": 10_000_000.0, "CurrencyIsoCode": "IDR"},
    ]
    load(bot, data)
    text = all_text(post(bot)[0])
    section = text[text.index("*Activated yesterday*") : text.index("*New orders*")]
    head, *rest = section.split("\n")
    assert "IDR 10,000,000 + $6,778" in head  # its own figure, never converted or added
    assert "largest <" in head and "|00080001> $5,000" in head, head
    numbers = [re.search(r"\|(\d{8})>", line).group(1) for line in rest if line.startswith("•")]  # type: ignore[union-attr]
    # Largest first by the converted amount: $5,000, $1,200, IDR 10,000,000 ($625), $500 …
    assert numbers[:4] == ["00080001", "00000127", "00080002", "00000129"], numbers
