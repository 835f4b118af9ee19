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

from bot.digests import service as digests
from bot.infra.salesforce import URL_BUDGET
from bot.standins.salesforce.schema import make_id
from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import SlackStandIn
from bot.teams import parse_teams
from tests.support.blockcheck import all_text, assert_valid_message
from tests.support.harness import ANA, BotUnderTest, start_bot
from tests.support.orgdata import ACME, ANA_SF, NOW, TEAMS_YAML, small_org
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


# --- issue 12 attack ---------------------------------------------------------------------


def test_a_card_is_never_drawn_from_stock_currencies(bot: BotUnderTest) -> None:
    """One Salesforce error while the org's currencies are read: the card shows the
    error, never amounts in dollars; the next ask reads the org and shows them right."""
    load(bot, multicurrency_org())
    bot.services.vocabulary.forget()  # the process has not read the org yet
    bot.org.set_faults({"status": 503, "count": 1})
    answer = bot.ask("/account", "Euro GmbH")
    text = all_text(answer)
    assert "not answering" in text and "$" not in text and "open deals" not in text
    bot.org.set_faults({})
    text = card(bot, "Euro GmbH")
    assert "2 open deals · $144,444.44 (converted to USD from EUR, JPY)" in text
    assert "Biggest €100,000" in text


def test_an_account_card_is_one_request_however_many_cases(
    bot: BotUnderTest, sandbox: SandboxOrg, slack: SlackStandIn
) -> None:
    data = with_big_account(open_cases=450, escalated_cases=5, overdue_drafts=450)

    def figures(text: str) -> None:
        assert "5 High · 450 Low" in text
        assert "5 escalated cases open" in text and "…and 2 more escalated cases" in text
        assert "450 Draft" in text and "450 drafts past effective date" in text

    # Everyone sees what the integration user sees: the card is one request, five
    # queries (Salesforce's most for one composite), not a page per 200 cases.
    everyone = start_bot(sandbox, slack, ACCTBOT_VISIBILITY="workspace")
    try:
        load(everyone, data)
        everyone.forget(ANA)
        everyone.org.clear_log()
        figures(card(everyone, BIG))
        assert len(everyone.sf_requests()) == 1, everyone.sf_requests()
        assert len(everyone.sf_queries()) == 5
    finally:
        everyone.stop()
    # Each person sees what they may read: the same one composite gives the figures;
    # the Ids it lists for the access check may take more pages.
    load(bot, data)
    bot.forget(ANA)
    bot.org.clear_log()
    figures(card(bot, BIG))
    composites = [r for r in bot.sf_requests() if r["path"].endswith("/composite")]
    assert len(composites) == 1 and len(composites[0]["subrequests"]) == 5


def test_order_quantities_are_shown_exactly(bot: BotUnderTest) -> None:
    data = small_org()
    item = {"OrderId": "801000000000001AAA", "Product2Id": "01t000000000002AAA"}
    data["OrderItem"] += [
        {**item, "Quantity": 2_000_000, "UnitPrice": 0.01},
        {**item, "Quantity": 1_234_567, "UnitPrice": 0.02},
        {**item, "Quantity": 2.5, "UnitPrice": 100},
    ]
    load(bot, data)
    text = all_text(bot.ask("/order", "123"))
    assert "× 1,234,567 @ $0.02" in text and "× 2,000,000 @ $0.01" in text
    assert "× 2.5 @ $100 = $250" in text
    assert "e+" not in text


LONG_STAGE = (
    "Proposal/Price Quote - awaiting customer legal, procurement & InfoSec review "
    "(security questionnaire)"
)


def _links_whole(text: str) -> None:
    """Every mrkdwn link opens and closes: none was cut."""
    assert text.count("<") == text.count(">"), text


def test_a_pipeline_list_keeps_its_more_line_within_slacks_limits(bot: BotUnderTest) -> None:
    data = small_org()
    data["_picklists"] = {  # type: ignore[assignment]
        "Opportunity.StageName": [
            {"value": "Prospecting", "default": True, "closed": False, "won": False,
             "forecastCategory": "Pipeline", "probability": 10},
            {"value": LONG_STAGE, "closed": False, "won": False,
             "forecastCategory": "Pipeline", "probability": 50},
            {"value": "Closed Won", "closed": True, "won": True,
             "forecastCategory": "Closed", "probability": 100},
            {"value": "Closed Lost", "closed": True, "won": False,
             "forecastCategory": "Omitted", "probability": 0},
        ]
    }  # fmt: skip
    for o in data["Opportunity"]:
        if o["StageName"] not in ("Prospecting", "Closed Won", "Closed Lost"):
            o["StageName"] = LONG_STAGE
    name = "Northwestern Regional Telecommunications Cooperative of America"
    data["Account"].append({"Id": make_id("001", 777), "Name": name, "OwnerId": ANA_SF})
    data["Opportunity"] += [
        {"Name": f"Multi-site SD-WAN rollout with managed firewall & SOC — phase {i}",
         "AccountId": make_id("001", 777), "OwnerId": ANA_SF, "StageName": LONG_STAGE,
         "Amount": 125000 + i, "CloseDate": "2026-11-20"}
        for i in range(25)
    ]  # fmt: skip
    load(bot, data)
    answer = bot.ask("/pipeline")
    assert_valid_message(answer)
    closing = next(
        b["text"]["text"] for b in answer["blocks"]
        if "Closing this week" in (b.get("text") or {}).get("text", "")
    )  # fmt: skip
    assert "*Closing this week* (26)" in closing
    shown = closing.count("\n•")
    assert shown >= 1 and f"…and {26 - shown} more deals" in closing  # always said
    _links_whole(closing)


def test_long_statuses_never_cut_a_list_or_lose_its_count(bot: BotUnderTest) -> None:
    long_status = "On Hold - " + "awaiting the customer's site survey and permits " * 5
    data = small_org()
    data["_picklists"] = {  # type: ignore[assignment]
        "Order.Status": [
            {"value": "Draft", "default": True, "category": "Draft"},
            {"value": "Pending Install", "category": "Draft"},
            *({"value": f"{long_status} #{i}", "category": "Draft"} for i in range(10)),
            {"value": "Activated", "category": "Activated"},
        ]
    }
    data["Order"] += [
        {"OrderNumber": f"{95000 + i:08d}", "AccountId": ACME, "OwnerId": ANA_SF,
         "Status": f"{long_status} #{i % 10}", "EffectiveDate": "2026-10-05",
         "CreatedDate": "2026-10-01T14:00:00.000+0000", "TotalAmount": 100.0}
        for i in range(40)
    ]  # fmt: skip
    load(bot, data)
    answer = bot.ask("/orders", "mine")
    assert_valid_message(answer)
    text = all_text(answer)
    assert "*42 orders* stuck or overdue" in text
    listed = re.findall(r"\|(\d{8})>", text)
    assert len(listed) == 30 and "12 more orders not shown" in text  # none lost
    for block in answer["blocks"]:
        _links_whole((block.get("text") or {}).get("text", ""))
    acme = bot.ask("/account", "Acme Corp")
    assert_valid_message(acme)
    text = all_text(acme)
    # 4 orders in each long status, Acme's draft and pending install: 6 named, the rest
    # counted.
    assert "…and 6 more statuses (18)" in text
    home = open_home(bot, ANA)
    assert "Not dones* — 42 orders stuck or overdue" in home and "…and 37 more orders" in home


def test_identical_account_names_are_told_apart(
    bot: BotUnderTest, sandbox: SandboxOrg, slack: SlackStandIn
) -> None:
    data = small_org()
    cities = ("Denver", "Boise", "Reno")
    data["Account"] += [
        {"Id": make_id("001", 70000 + i), "Name": "Twin Peaks Supply", "OwnerId": ANA_SF,
         "BillingCity": cities[i % 3]}
        for i in range(1500)
    ]  # fmt: skip

    def picker_of(answer: dict[str, Any]) -> list[str]:
        assert_valid_message(answer)
        text = all_text(answer)
        assert "type more of the name" not in text  # more of the name cannot help
        assert "account number" in text
        select = answer["blocks"][0]["accessory"]
        labels = [o["text"]["text"] for o in select["options"]]
        assert len(labels) == 10 and len(set(labels)) == 10, labels
        assert all(len(label) <= 75 and "Id …" in label for label in labels)
        return [text]

    # Everyone sees every account: all 1,500 are counted.
    everyone = start_bot(sandbox, slack, ACCTBOT_VISIBILITY="workspace")
    try:
        load(everyone, data)
        (text,) = picker_of(everyone.ask("/account", "Twin Peaks Supply"))
        assert "1,500 accounts match" in text and "1500" not in text
    finally:
        everyone.stop()
    # Each person sees what they may read (Ana owns them all): at least the first 200.
    load(bot, data)
    (text,) = picker_of(bot.ask("/account", "Twin Peaks Supply"))
    assert "At least 200 accounts match" in text
    # The escalation form's account menu tells them apart too.
    sent = bot.slack.block_suggestion(
        bot.url, user_id=ANA, action_id="escalation_account", block_id="account",
        value="Twin Peaks",
    )  # fmt: skip
    options = [o["text"]["text"] for o in sent.body["options"]]
    assert len(options) == 50 and len(set(options)) == 50


def test_typed_text_is_never_a_composite_reference(bot: BotUnderTest) -> None:
    data = small_org()
    data["Account"] += [
        {"Id": make_id("001", 778), "Name": "Summit @{2026} Partners", "OwnerId": ANA_SF},
        {"Id": make_id("001", 779), "Name": "Ref @{account.records[0].Name}", "OwnerId": ANA_SF},
    ]
    load(bot, data)
    for name in ("Summit @{2026} Partners", "Ref @{account.records[0].Name}"):
        text = card(bot, name)
        assert text.startswith(name) and "Owner: *Ana Ruiz*" in text, text
    orders = all_text(bot.ask("/orders", "x @{oldest.records[0].Account.Name}"))
    assert "No account matches *x @{oldest.records[0].Account.Name}*" in orders, orders
    orders = all_text(bot.ask("/orders", "Summit @{2026}"))
    assert "no stuck or overdue orders" in orders, orders  # that account has none
    sent = "\n".join(bot.sf_queries())
    assert "@\\u007B" in sent  # the brace travels as a SOQL unicode escape
    assert "@{oldest" not in sent and "@{2026" not in sent


def test_quarters_are_the_orgs_fiscal_quarters(bot: BotUnderTest) -> None:
    data = small_org()
    data["Organization"] = [{"FiscalYearStartMonth": 2}]  # fiscal year Feb-Jan
    data["Opportunity"] += [
        {"Name": "January close", "AccountId": ACME, "OwnerId": ANA_SF,
         "StageName": "Prospecting", "Amount": 7000, "CloseDate": "2027-01-20"},
        {"Name": "November win", "AccountId": ACME, "OwnerId": ANA_SF,
         "StageName": "Closed Won", "Amount": 4000, "CloseDate": "2026-11-05"},
    ]  # fmt: skip
    load(bot, data)
    # Wed Nov 18 2026 is in fiscal Q4 FY2027: Nov 1 2026 - Jan 31 2027. October's
    # renewal ($20,000) was last quarter; January's close is this one.
    pipeline = all_text(bot.ask("/pipeline"))
    assert "Pipeline Q4 FY2027" in pipeline
    assert "*Open this quarter*\n4 deals · $72,000" in pipeline
    assert "*Closed won so far*\n1 deal · $4,000" in pipeline
    acme = card(bot, "Acme Corp")
    assert "Won this quarter*  $4,000" in acme


def test_weeks_can_start_on_monday(sandbox: SandboxOrg, slack: SlackStandIn) -> None:
    data = small_org()
    data["Opportunity"] += [
        {"Name": "Monday close", "AccountId": ACME, "OwnerId": "005000000000001AAA",
         "StageName": "Prospecting", "Amount": 5000, "CloseDate": "2026-11-23"},
        {"Name": "Sunday close", "AccountId": ACME, "OwnerId": "005000000000001AAA",
         "StageName": "Prospecting", "Amount": 6000, "CloseDate": "2026-11-22"},
    ]  # fmt: skip
    sunday = dt.datetime(2026, 11, 22, 15, 0, tzinfo=dt.UTC)  # 10:00 in New York
    monday_weeks = start_bot(sandbox, slack, ACCTBOT_WEEK_START="monday")
    try:
        load(monday_weeks, data, sunday)
        text = all_text(monday_weeks.ask("/pipeline"))
        assert "*Closing this week* (1)" in text and "Sunday close" in text  # Nov 16-22
        assert "Monday close" not in text
        team = monday_weeks.services.teams.get("smb-east")
        assert team is not None
        weekly = all_text(
            {"blocks": digests.preview(monday_weeks.services, team, "weekly")[0].blocks}
        )
        assert "week of Nov 9–Nov 15" in weekly  # the last complete Monday-Sunday week
    finally:
        monday_weeks.stop()
        sandbox.load(small_org())


def test_a_team_of_thousands_of_owners_is_asked_in_full_chunks(bot: BotUnderTest) -> None:
    owners = many_owners(1000)
    load(bot, with_owners(with_big_account(open_deals=3), owners))
    bot.services.teams = parse_teams(
        "teams:\n  - name: everyone\n    channel: C0EVERY0001\n    owners: ["
        + ", ".join(["ana.rep@example.com", *owners])
        + "]\n"
    )
    try:
        text = all_text(bot.ask("/pipeline", "everyone"))
    finally:
        bot.services.teams = parse_teams(TEAMS_YAML)
    assert "*Open this quarter*\n6 deals · $68,000" in text
    requests = bot.sf_requests()
    longest = [max(len(urlencode({"q": s["soql"]})) for s in r["subrequests"]) for r in requests]
    assert max(longest) <= URL_BUDGET
    # Each group of owners is as large as fits: every composite but the last fills a URL.
    assert all(n > URL_BUDGET * 0.95 for n in longest[:-1]), longest
