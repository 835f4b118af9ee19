"""Issue 12 end to end: every figure on the cards, lists and App Home is exact in an org
as real ones are: large accounts, several currencies, the org's own order statuses, an
integration user in another zone and locale, and teams of hundreds of owners. Signed
requests over HTTP to the real app; the sandbox org answers over HTTPS."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import SlackStandIn
from bot.teams import parse_teams
from tests.support.blockcheck import all_text, assert_valid_message
from tests.support.harness import ANA, BotUnderTest, start_bot
from tests.support.orgdata import ACME, NOW, small_org
from tests.support.realorg import (
    BIG,
    CANCELLED_ORDER,
    ON_HOLD_ORDER,
    cancelled_org,
    integration_user_elsewhere,
    many_owners,
    multicurrency_org,
    with_big_account,
    with_owners,
)

URL_LIMIT = 16_384


def load(bot: BotUnderTest, data: dict[str, Any], now: dt.datetime = NOW) -> None:
    """A new org under the running bot: its picklists and currencies are read again."""
    bot.org.load(data)
    bot.org.set_now(now)
    forget = getattr(bot.services.vocabulary, "forget", None)
    if forget is not None:
        forget()
    bot.services.vocabulary()
    bot.services.cache.clear()
    bot.org.clear_log()
    bot.slack.clear()


@pytest.fixture
def bot(org: SandboxOrg, running_bot: BotUnderTest) -> Iterator[BotUnderTest]:
    running_bot.slack.clear_faults()
    yield running_bot
    load(running_bot, small_org())  # the next module's bot reads the plain org again


def card(bot: BotUnderTest, text: str) -> str:
    answer = bot.ask("/account", text)
    assert_valid_message(answer)
    return all_text(answer)


def open_home(bot: BotUnderTest, user: str) -> str:
    sent = bot.slack.event(
        bot.url,
        {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home",
         "event_ts": "1.0"},
    )  # fmt: skip
    assert sent.status == 200
    call = bot.slack.wait_for("views.publish", lambda c: c.args.get("user_id") == user, timeout=15)
    view = call.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    return all_text({"blocks": view["blocks"]})


def longest_url(bot: BotUnderTest) -> int:
    """The longest request target the bot sent (path and encoded query), in bytes."""
    out = 0
    for r in bot.sf_requests():
        for sub in r.get("subrequests") or [r]:
            query = urlencode({"q": sub["soql"]}) if sub.get("soql") else ""
            out = max(out, len(sub["path"]) + 1 + len(query))
    return out


# --- 1. large accounts ----------------------------------------------------------------


def test_a_big_account_is_counted_exactly_in_one_composite(bot: BotUnderTest) -> None:
    load(bot, with_big_account(open_deals=250, overdue_drafts=2300, open_cases=150))
    for typed in (BIG, "Big Co", "A-9000"):
        bot.forget(ANA)  # who Ana is stays known; the card and her access do not
        bot.org.clear_log()
        text = card(bot, typed)
        assert "250 open deals · $250,000" in text
        assert "Biggest $1,000" in text and "Next close Dec 10" in text
        assert "2,300 Draft" in text and "2,300 drafts past effective date" in text
        assert "open too long" not in text  # every one of them is an overdue draft
        assert "Health: red" in text and "2,300 orders stuck or overdue" in text
        assert "150 Low" in text
        # One composite request (one API call) whatever the size; and, to show Ana only
        # what she may read (ACCTBOT_VISIBILITY=salesforce), the next pages of the deals
        # it lists by Id and one UserRecordAccess query per 200 Ids.
        composites = [r for r in bot.sf_requests() if r["path"].endswith("/composite")]
        pages = [r for r in bot.sf_requests() if "/query/" in r["path"]]
        checks = bot.access_checks()
        assert len(composites) == 1, bot.sf_requests()
        assert len(bot.sf_requests()) == 1 + len(pages) + len(checks)
        assert len(checks) == 3  # the account, 250 deals, 150 cases: 401 Ids


def test_won_deals_are_never_crowded_out_by_open_ones(bot: BotUnderTest) -> None:
    load(bot, with_big_account(slipped_deals=200, won=480_000))
    text = card(bot, "Big Co")
    assert "Won this quarter*  $480,000" in text and "1 deal" in text
    assert "200 open deals · $200,000" in text
    assert "200 deals past close date" in text
    assert "Next close" not in text  # every open deal has slipped


def test_every_open_case_is_counted_past_a_page(bot: BotUnderTest) -> None:
    load(bot, with_big_account(open_cases=300, escalated_cases=5))
    text = card(bot, BIG)
    assert "5 High · 300 Low" in text
    assert "5 escalated cases open" in text and "…and 2 more escalated cases" in text


def test_lists_and_app_home_count_every_not_done(bot: BotUnderTest) -> None:
    load(bot, with_big_account(overdue_drafts=2300))
    text = all_text(bot.ask("/orders", "Big Co"))
    assert "*2,300 orders* stuck or overdue, $23,000 in all" in text
    assert "2,270 more orders not shown" in text
    assert text.count("draft 16 days past its effective date") == 30
    mine = all_text(bot.ask("/orders", "mine"))  # + Acme's two, Ana's
    assert "*2,302 orders* stuck or overdue" in mine
    assert mine.index("00000124") < mine.index("00000123")  # 29 days, then 21
    home = open_home(bot, ANA)
    assert "Not dones* — 2,302 orders stuck or overdue" in home
    assert "…and 2,297 more orders" in home


def test_an_order_with_hundreds_of_items_counts_them_all(bot: BotUnderTest) -> None:
    data = small_org()
    data["OrderItem"] += [
        {"OrderId": "801000000000001AAA", "Product2Id": "01t000000000002AAA", "Quantity": 1,
         "UnitPrice": 2}
        for _ in range(250)
    ]  # fmt: skip
    load(bot, data)
    text = all_text(bot.ask("/order", "123"))
    # 2 × $249 + 10 × $19.50 + 250 × $2 = $1,193; the 8 largest shown, the rest counted.
    assert "252 line items" in text and "Amount*\n$1,193" in text
    assert "…and 244 more items ($488)" in text


# --- 2. currencies --------------------------------------------------------------------


def test_amounts_in_different_currencies_are_never_added(bot: BotUnderTest) -> None:
    load(bot, multicurrency_org())
    text = card(bot, "Euro GmbH")
    # €100,000 at 0.9 and ¥5,000,000 at 150 are $111,111.11 and $33,333.33.
    assert "2 open deals · $144,444.44 (converted to USD from EUR, JPY)" in text
    assert "Biggest €100,000" in text  # the largest once converted, in its own currency
    assert "5,100,000" not in text and "5,165,000" not in text
    order = all_text(bot.ask("/order", "91000"))
    assert "Amount*\n€1,200" in order and "× 2 @ €600 = €1,200" in order
    pipeline = all_text(bot.ask("/pipeline"))
    assert "Prospecting: 3 · $156,444.44 (converted)" in pipeline  # + Acme's $12,000
    assert "(converted to USD from EUR, JPY)" in pipeline
    assert "Euro deal · Euro GmbH · €100,000" not in pipeline  # not closing, not slipped
    acme = card(bot, ACME)
    assert "3 open deals · $65,000" in acme and "converted" not in acme  # all in USD


def test_a_single_currency_org_shows_its_own_currency(bot: BotUnderTest) -> None:
    data = small_org()
    data["Organization"] = [{"DefaultCurrencyIsoCode": "EUR"}]
    load(bot, data)
    text = card(bot, "Acme Corp")
    assert "3 open deals · €65,000" in text and "Won this quarter*  €20,000" in text
    assert "$" not in text
    orders = all_text(bot.ask("/orders", "mine"))
    assert "*2 orders* stuck or overdue, €942 in all" in orders and "$" not in orders
    pipeline = all_text(bot.ask("/pipeline"))
    assert "€" in pipeline and "$" not in pipeline


# --- 3. the org's own order statuses --------------------------------------------------


def test_finished_order_statuses_are_never_open_stuck_or_overdue(bot: BotUnderTest) -> None:
    load(bot, cancelled_org())
    text = card(bot, "Acme Corp")
    assert "Cancelled" not in text
    assert "1 Draft · 1 On Hold · 1 Pending Install" in text
    assert "1 draft past effective date" in text and "2 orders open too long" in text
    orders = all_text(bot.ask("/orders", "mine"))
    assert "*3 orders* stuck or overdue" in orders
    assert "00092000" not in orders and "cancelled for" not in orders
    assert "on hold for 48 days" in orders  # an open status is still a not-done
    order = all_text(bot.ask("/order", CANCELLED_ORDER))
    assert "Cancelled" in order and "Stuck" not in order
    assert "Stuck" in all_text(bot.ask("/order", ON_HOLD_ORDER))
    assert "Not dones* — 3 orders stuck or overdue" in open_home(bot, ANA)


def test_the_finished_statuses_are_a_setting(sandbox: SandboxOrg, slack: SlackStandIn) -> None:
    other = start_bot(sandbox, slack, ACCTBOT_FINISHED_ORDER_STATUSES="On Hold, Cancelled")
    try:
        load(other, cancelled_org())
        orders = all_text(other.ask("/orders", "mine"))
        assert "*2 orders* stuck or overdue" in orders and "00092001" not in orders
        text = card(other, "Acme Corp")
        assert "1 Draft · 1 Pending Install" in text and "On Hold" not in text
    finally:
        other.stop()
        sandbox.load(small_org())


# --- 4. long owner lists --------------------------------------------------------------


def test_a_team_of_hundreds_of_owners_never_makes_a_long_url(bot: BotUnderTest) -> None:
    owners = many_owners(400)
    load(bot, with_owners(with_big_account(open_deals=3), owners))
    team = (
        "teams:\n  - name: everyone\n    channel: C0EVERY0001\n    owners: ["
        + ", ".join(["ana.rep@example.com", *owners])
        + "]\n"
    )
    saved = bot.services.teams
    bot.services.teams = parse_teams(team)
    try:
        text = all_text(bot.ask("/pipeline", "everyone"))
    finally:
        bot.services.teams = saved
    # Ana's three open deals in Q4 ($65,000, one slipped) and Big Co's three.
    assert "*Open this quarter*\n6 deals · $68,000" in text
    assert longest_url(bot) < URL_LIMIT // 2
    assert len(bot.sf_requests()) >= 2  # the owners went in more than one request


# --- 6. dates in ACCTBOT_TIMEZONE, whatever the integration user's zone and locale -----


def test_this_week_and_today_follow_acctbots_zone(bot: BotUnderTest) -> None:
    data = integration_user_elsewhere(small_org(), "Pacific/Honolulu", "de_DE")
    data["Opportunity"] += [
        {"Name": "New Year deal", "AccountId": ACME, "OwnerId": "005000000000001AAA",
         "StageName": "Prospecting", "Amount": 7000, "CloseDate": "2027-01-01"},
        {"Name": "December win", "AccountId": ACME, "OwnerId": "005000000000001AAA",
         "StageName": "Closed Won", "Amount": 9000, "CloseDate": "2026-12-20"},
    ]  # fmt: skip
    # Sunday Dec 27, 10:00 in New York (05:00 in Honolulu): acctbot's week is Sun Dec 27 -
    # Sat Jan 2; the de_DE integration user's THIS_WEEK would be Mon Dec 21 - Sun Dec 27.
    load(bot, data, dt.datetime(2026, 12, 27, 15, 0, tzinfo=dt.UTC))
    text = all_text(bot.ask("/pipeline"))
    assert "*Closing this week* (1)" in text and "New Year deal" in text
    assert "*Closed won so far*\n2 deals · $29,000" in text  # + Oct 15's Q4 renewal
    # 01:00 on Wed Nov 18 in New York is still Nov 17 in Honolulu: a draft effective
    # Nov 17 is overdue by acctbot's clock.
    data = integration_user_elsewhere(small_org(), "Pacific/Honolulu", "en_US")
    data["Order"].append(
        {"OrderNumber": "00093000", "AccountId": ACME, "OwnerId": "005000000000001AAA",
         "Status": "Draft", "EffectiveDate": "2026-11-17",
         "CreatedDate": "2026-11-16T14:00:00.000+0000"}
    )  # fmt: skip
    load(bot, data, dt.datetime(2026, 11, 18, 6, 0, tzinfo=dt.UTC))
    orders = all_text(bot.ask("/orders", "mine"))
    assert "00093000" in orders and "draft 1 day past its effective date" in orders
    assert "*3 orders* stuck or overdue" in orders
    assert not re.search(r"(TODAY|THIS_WEEK|THIS_QUARTER|LAST_N_DAYS|NEXT_N_DAYS)", _soql(bot))


def _soql(bot: BotUnderTest) -> str:
    return "\n".join(
        sub.get("soql") or "" for r in bot.sf_requests() for sub in r.get("subrequests") or [r]
    )
