"""Watches end to end: /watch through signed Slack requests to the real app, a change made
in the sandbox org through Salesforce's REST API with simple-salesforce (as another
person), the check the scheduled job runs, and the DM it delivers through the outbox.

The org's clock is the bot's clock (frozen at Wed 2026-11-18 10:00 in New York), so the
tests move time for quiet hours, snoozes and dates passing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from simple_salesforce import Salesforce
from sqlalchemy import delete, select

from bot import visibility
from bot.infra.models import (
    AppMeta,
    OutboxMessage,
    Watch,
    WatchChange,
    WatchedRecord,
    WatchNotice,
    WatchPerson,
)
from bot.slack_ids import ActionId
from bot.standins.salesforce.server import SandboxOrg
from bot.watches import detect
from bot.watches.detect import CheckResult
from tests.support.blockcheck import all_text, assert_valid_message
from tests.support.harness import ANA, CHANNEL, MARCUS, RAJ, BotUnderTest, message_ts
from tests.support.orgdata import (
    ACME,
    ACTIVATED_ORDER,
    DRAFT_ORDER,
    NOW,
    PENDING_ORDER,
    RAJ_SF,
    small_org,
)


@pytest.fixture
def bot(org: SandboxOrg, running_bot: BotUnderTest) -> Iterator[BotUnderTest]:
    org.set_now(NOW)  # before the load: records made "now" are made at NOW
    org.load(small_org())
    running_bot.forget()  # answers, identities and access answers from earlier tests
    org.clear_log()
    running_bot.slack.clear()
    running_bot.slack.clear_faults()
    running_bot.slack.clear_messages()
    with running_bot.services.db.session() as s:
        for model in (WatchNotice, WatchChange, WatchedRecord, Watch, WatchPerson):
            s.execute(delete(model))
        s.execute(delete(OutboxMessage).where(OutboxMessage.kind == "watch"))
        s.execute(delete(AppMeta).where(AppMeta.key.like("watches.%")))
    yield running_bot
    for user in (ANA, RAJ):  # put back the time zones a test may have changed
        set_tz(running_bot, user, "America/New_York")


PRIVATE = {"type": "message", "message_ts": "1.0", "channel_id": CHANNEL, "is_ephemeral": True}


def set_tz(bot: BotUnderTest, user: str, tz: str) -> None:
    u = bot.slack.user(user)
    assert u is not None
    bot.slack.add_user(user, u["name"], u["real_name"], u["profile"].get("email", ""), tz=tz)


def responses(bot: BotUnderTest, url: str, n: int, timeout: float = 10.0) -> list[Any]:
    """The first ``n`` posts to a response_url (waits for them)."""
    deadline = time.monotonic() + timeout
    while len(bot.slack.responses(url)) < n:
        assert time.monotonic() < deadline, bot.slack.responses(url)
        time.sleep(0.05)
    return bot.slack.responses(url)[:n]


def at(bot: BotUnderTest, when: dt.datetime) -> None:
    bot.org.set_now(when)


def later(bot: BotUnderTest, **delta: float) -> dt.datetime:
    when = bot.org.clock.now() + dt.timedelta(**delta)
    bot.org.set_now(when)
    return when


def check(bot: BotUnderTest) -> CheckResult:
    """What the scheduled job does every ACCTBOT_WATCH_INTERVAL_SECONDS."""
    return detect.run_check(bot.services)


def alerts(bot: BotUnderTest, user: str = ANA) -> list[dict[str, Any]]:
    """The watch alerts in ``user``'s DMs (posted by the outbox)."""
    return [
        m
        for m in bot.slack.dm_messages(user)
        if any(
            e.get("action_id") == ActionId.WATCH_SNOOZE
            for b in m.get("blocks") or []
            for e in b.get("elements") or []
        )
    ]


def watch(bot: BotUnderTest, text: str, user: str = ANA) -> str:
    answer = bot.ask("/watch", text, user=user)
    assert_valid_message(answer)
    return all_text(answer)


def press(bot: BotUnderTest, message: dict[str, Any], action_id: str, *, user: str = ANA,
          value: str | None = None, channel: str = CHANNEL) -> dict[str, Any]:  # fmt: skip
    """Click a button (the first with ``action_id``, or the one with ``value``); return
    the first answer posted to the click's response_url."""
    elements = [
        e
        for b in message["blocks"]
        for e in [*(b.get("elements") or []), *([b["accessory"]] if b.get("accessory") else [])]
        if e.get("action_id") == action_id and (value is None or e.get("value") == value)
    ]
    assert elements, f"no {action_id} button"
    posted = "ts" in message  # a DM or channel post; else an answer only the user sees
    sent = bot.slack.block_action(
        bot.url,
        user_id=user,
        action_id=action_id,
        value=elements[0].get("value"),
        channel_id=channel,
        message=message if posted else {"ts": message_ts(), **message},
        container=None if posted else PRIVATE,
    )
    return bot.answer(sent)


# --- watch, change, exactly one DM --------------------------------------------------------


def test_watching_an_order_and_its_status_change_gives_one_dm_with_old_and_new(
    bot: BotUnderTest, sf: Salesforce
) -> None:
    text = watch(bot, "00000123")
    assert "You're watching" in text and "Order 00000123 · Acme Corp" in text
    assert "Quiet hours 7:00 PM–8:00 AM your time (America/New_York)" in text
    assert check(bot).dms == 0 and alerts(bot) == []

    when = later(bot, minutes=3)
    with bot.org.acting_as(RAJ_SF):
        sf.Order.update(DRAFT_ORDER, {"Status": "Activated"})
    later(bot, minutes=1)
    result = check(bot)
    assert (result.changes, result.notices, result.dms) == (1, 1, 1)
    (dm,) = alerts(bot)
    assert_valid_message(dm)
    body = all_text(dm)
    assert "Status: Draft → *Activated*" in body and "*Activated*" in body
    # Who activated an order is known exactly (ActivatedBy, ActivatedDate).
    assert "Activated in Salesforce by Raj Patel" in body
    assert when.astimezone(bot.services.tz).strftime("%-I:%M %p") in body  # 10:03 AM
    assert f"/lightning/r/{DRAFT_ORDER}/view|Order 00000123 · Acme Corp>" in body
    assert (
        "Order 00000123 · Acme Corp: Status: Draft → Activated; activated (activated by Raj "
        "Patel)" in (dm["text"])
    )

    # Checked again, and again later: the same change is never told twice.
    for _ in range(2):
        later(bot, minutes=1)
        assert check(bot).notices == 0
    assert len(alerts(bot)) == 1


def test_nothing_changed_nothing_said_and_one_request_per_check(
    bot: BotUnderTest, sf: Salesforce
) -> None:
    watch(bot, "00000123")
    watch(bot, "Acme Corp")
    watch(bot, "00000126", user=RAJ)
    check(bot)  # the day's first check also reads the watched records again (below)
    bot.org.clear_log()
    for minutes in (1, 1, 5):
        later(bot, minutes=minutes)
        result = check(bot)
        assert (result.requests, result.changes) == (1, 0)
    # A change to a field nobody watches is not news either.
    sf.Order.update(DRAFT_ORDER, {"Description": "customer called"})
    later(bot, minutes=1)
    result = check(bot)
    assert result.records == 1 and result.changes == 0
    assert alerts(bot) == [] and alerts(bot, RAJ) == []
    log = bot.sf_requests()
    assert [r["path"].rsplit("/", 1)[-1] for r in log].count("composite") == 4
    # The one request carries one query per kind watched, filtered by Id and account.
    queries = [sub["soql"] for sub in log[0]["subrequests"]]
    assert len(queries) == 4 and all("SystemModstamp >= " in q for q in queries)
    assert all(ACME in q for q in queries)


def test_salesforce_down_loses_nothing_and_says_nothing_twice(
    bot: BotUnderTest, sf: Salesforce
) -> None:
    watch(bot, "00000123")
    sf.Order.update(DRAFT_ORDER, {"Status": "Provisioning"})
    for error in ("SERVER_UNAVAILABLE", "REQUEST_LIMIT_EXCEEDED"):
        bot.org.set_faults({"error": error, "count": 1})
        later(bot, minutes=1)
        result = check(bot)
        assert result.failed and error in result.failed and alerts(bot) == []
    later(bot, minutes=5)  # the next check starts where the failed ones could not
    assert check(bot).dms == 1
    assert "Status: Draft → *Provisioning*" in all_text(alerts(bot)[0])
    later(bot, minutes=1)
    assert check(bot).dms == 0 and len(alerts(bot)) == 1


def test_stop_then_changes_are_not_told(bot: BotUnderTest, sf: Salesforce) -> None:
    watch(bot, "00000123")
    text = all_text(bot.ask("/watch", "stop 123"))
    assert "no longer watching *Order 00000123 · Acme Corp*" in text
    sf.Order.update(DRAFT_ORDER, {"Status": "Activated"})
    later(bot, minutes=1)
    assert check(bot).notices == 0 and alerts(bot) == []
    assert "not watching anything that matches" in all_text(bot.ask("/watch", "stop 123"))


def test_stop_button_on_an_alert_and_a_change_pending_for_a_stopped_watch_is_dropped(
    bot: BotUnderTest, sf: Salesforce
) -> None:
    watch(bot, "Acme Corp")
    sf.Opportunity.update(_opp(sf, "SIP trunks"), {"StageName": "Needs Analysis"})
    later(bot, minutes=1)
    check(bot)
    (dm,) = alerts(bot)
    assert "Stage: Prospecting → *Needs Analysis*" in all_text(dm)
    answer = press(bot, dm, ActionId.WATCH_STOP, channel=bot.slack.dm_channel_id(ANA))
    assert "no longer watching *Acme Corp*" in all_text(answer)
    sf.Opportunity.update(_opp(sf, "SIP trunks"), {"Amount": 99000})
    later(bot, minutes=1)
    assert check(bot).notices == 0 and len(alerts(bot)) == 1


def test_an_account_watch_covers_orders_deals_cases_contracts_bundled_in_one_dm(
    bot: BotUnderTest, sf: Salesforce
) -> None:
    assert "its orders, open deals, cases and contracts" in watch(bot, "Acme Corp")
    with bot.org.acting_as("raj.rep@example.com"):
        sf.Order.update(PENDING_ORDER, {"Status": "Activated"})
        fiber = _opp(sf, "Fiber upgrade")
        sf.Opportunity.update(fiber, {"StageName": "Closed Won", "Amount": 55000})
        sf.Opportunity.update(_opp(sf, "SIP trunks"), {"CloseDate": "2027-01-15"})
        sf.Case.create({"Subject": "Line down at HQ", "AccountId": ACME, "Priority": "High"})
        install = sf.query("SELECT Id FROM Case WHERE Subject = 'Install date missed'")
        sf.Case.update(install["records"][0]["Id"], {"IsEscalated": True})
        sf.Case.create({"Subject": "Question", "AccountId": ACME, "Priority": "Low"})  # quiet
    later(bot, minutes=1)
    result = check(bot)
    assert result.notices == 5 and result.dms == 1
    (dm,) = alerts(bot)
    assert_valid_message(dm)
    body = all_text(dm)
    assert "5 changes" in body
    assert "Status: Pending Install → *Activated*" in body
    assert "Stage: Negotiation/Review → *Closed Won*" in body and "*Won*" in body
    assert "Amount: $50,000 → *$55,000*" in body
    assert "Close date: Dec 15 → *Jan 15*" in body
    assert "*Opened at High priority*" in body and "Line down at HQ" not in body
    assert body.count("*Escalated*") == 1 and "Question" not in body
    # Who: the order's activation and the new case are known exactly; for the rest,
    # Salesforce only knows who saved the record last, and the alert says so.
    assert "Activated in Salesforce by Raj Patel" in body
    assert "Created in Salesforce by Raj Patel" in body
    assert body.count("Last saved in Salesforce by Raj Patel") == 3
    assert body.count("(who made this change is not recorded)") == 3
    assert body.count("Stop watching the account") == 5
    # A deal already closed before the watch is not covered; a lost one is told.
    sf.Opportunity.update(_opp(sf, "Old Wi-Fi deal"), {"StageName": "Closed Lost"})
    sf.Opportunity.update(_opp(sf, "Lost TV deal"), {"Amount": 1})
    later(bot, minutes=1)
    check(bot)
    last = all_text(alerts(bot)[-1])
    assert "*Lost* (Closed Lost)" in last and "Lost TV deal" not in last


def test_a_deals_amount_is_told_in_its_own_currency(bot: BotUnderTest, sf: Salesforce) -> None:
    data = small_org()
    data["CurrencyType"] = [
        {"IsoCode": "USD", "ConversionRate": 1, "IsCorporate": True},
        {"IsoCode": "EUR", "ConversionRate": 0.9},
    ]
    for opp in data["Opportunity"]:
        opp["CurrencyIsoCode"] = "EUR" if opp["Name"] == "Fiber upgrade" else "USD"
    bot.org.load(data)
    bot.services.vocabulary.forget()  # another org: read its currencies again
    try:
        watch(bot, "Acme Corp")
        sf.Opportunity.update(_opp(sf, "Fiber upgrade"), {"Amount": 60000})
        sf.Opportunity.update(_opp(sf, "SIP trunks"), {"Amount": 13000})
        later(bot, minutes=1)
        check(bot)
        body = all_text(alerts(bot)[0])
        assert "Amount: €50,000 → *€60,000*" in body
        assert "Amount: $12,000 → *$13,000*" in body
    finally:
        bot.org.load(small_org())
        bot.services.vocabulary.forget()


def test_dates_passing_alone_are_announced_once(bot: BotUnderTest, sf: Salesforce) -> None:
    sf.Order.update(DRAFT_ORDER, {"EffectiveDate": "2026-11-19"})
    watch(bot, "00000123")
    watch(bot, "Acme Corp", user=RAJ)
    check(bot)
    at(bot, dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC))  # 9:00 in New York
    check(bot)
    (dm,) = alerts(bot)
    assert "*Passed its effective date* (Nov 19) and is still a draft" in all_text(dm)
    assert "As of 9:00 AM EST today: the date passed" in all_text(dm)
    # Raj watches the account: the same news, and the contract that has 29 days to run.
    at(bot, dt.datetime(2026, 12, 2, 14, 0, tzinfo=dt.UTC))
    check(bot)
    raj = " ".join(all_text(m) for m in alerts(bot, RAJ))
    assert "Passed its effective date" in raj and "*Ends Dec 31*: 30 days or less" in raj
    later(bot, hours=1)
    check(bot)
    at(bot, dt.datetime(2026, 12, 3, 14, 0, tzinfo=dt.UTC))
    check(bot)
    assert len(alerts(bot, RAJ)) == 2 and len(alerts(bot)) == 1


# --- quiet hours, snooze ----------------------------------------------------------------


def test_quiet_hours_hold_changes_until_the_watchers_own_morning(
    bot: BotUnderTest, sf: Salesforce
) -> None:
    set_tz(bot, RAJ, "America/Los_Angeles")
    watch(bot, "00000123")
    watch(bot, "00000123", user=RAJ)
    # 21:30 in New York is 18:30 in Los Angeles: quiet for Ana, not yet for Raj.
    at(bot, dt.datetime(2026, 11, 19, 2, 30, tzinfo=dt.UTC))
    sf.Order.update(DRAFT_ORDER, {"Status": "Provisioning"})
    later(bot, minutes=1)
    check(bot)
    assert alerts(bot) == [] and len(alerts(bot, RAJ)) == 1
    later(bot, minutes=40)  # 19:11 in Los Angeles: Raj's quiet hours too
    sf.Order.update(DRAFT_ORDER, {"Status": "Pending Install"})
    later(bot, minutes=1)
    check(bot)
    assert alerts(bot) == [] and len(alerts(bot, RAJ)) == 1
    at(bot, dt.datetime(2026, 11, 19, 12, 59, tzinfo=dt.UTC))  # 7:59 in New York
    check(bot)
    assert alerts(bot) == []
    at(bot, dt.datetime(2026, 11, 19, 13, 0, tzinfo=dt.UTC))  # 8:00: Ana's day starts
    check(bot)
    (dm,) = alerts(bot)
    body = all_text(dm)
    assert "*While you were away* (quiet hours 7:00 PM–8:00 AM, your time): 2 changes" in body
    assert "Status: Draft → *Provisioning*" in body
    assert "Status: Provisioning → *Pending Install*" in body
    assert "Nov 18, 9:30 PM EST" in body and "Nov 18, 10:11 PM EST" in body
    assert len(alerts(bot, RAJ)) == 1  # 5:00 in Los Angeles
    at(bot, dt.datetime(2026, 11, 19, 16, 0, tzinfo=dt.UTC))  # 8:00 in Los Angeles
    check(bot)
    (_, raj) = alerts(bot, RAJ)
    assert "Provisioning → *Pending Install*" in all_text(raj)
    assert "Draft → *Provisioning*" not in all_text(raj)  # told at the time already
    assert "PST" in all_text(raj)


def test_quiet_hours_across_the_end_of_daylight_saving(bot: BotUnderTest, sf: Salesforce) -> None:
    """New York falls back on Sun 2026-11-01 at 2:00: 8:00 that morning is 13:00 UTC, not
    12:00 as it was the day before."""
    at(bot, dt.datetime(2026, 10, 31, 23, 0, tzinfo=dt.UTC))  # Sat 19:00 EDT: quiet
    watch(bot, "00000123")
    sf.Order.update(DRAFT_ORDER, {"Status": "Provisioning"})
    later(bot, minutes=1)
    check(bot)
    at(bot, dt.datetime(2026, 11, 1, 12, 30, tzinfo=dt.UTC))  # 7:30 EST (8:30 EDT)
    check(bot)
    assert alerts(bot) == []
    at(bot, dt.datetime(2026, 11, 1, 13, 0, tzinfo=dt.UTC))  # 8:00 EST
    check(bot)
    assert len(alerts(bot)) == 1


def test_snooze_holds_alerts_and_sends_them_after_in_one_message(
    bot: BotUnderTest, sf: Salesforce
) -> None:
    watch(bot, "Acme Corp")
    sf.Order.update(DRAFT_ORDER, {"Status": "Provisioning"})
    later(bot, minutes=1)
    check(bot)
    (dm,) = alerts(bot)
    answer = press(bot, dm, ActionId.WATCH_SNOOZE, value="1h", channel=bot.slack.dm_channel_id(ANA))
    assert "snoozed until *11:01 AM EST today*" in all_text(answer)
    sf.Order.update(PENDING_ORDER, {"Status": "Activated"})
    sf.Order.update(ACTIVATED_ORDER, {"Status": "Draft"})
    later(bot, minutes=30)
    check(bot)
    assert len(alerts(bot)) == 1
    later(bot, minutes=31)
    check(bot)
    assert len(alerts(bot)) == 2
    held = all_text(alerts(bot)[-1])
    assert "*While your alerts were snoozed*: 2 changes" in held
    # The order activated before the watch is followed too (an account watch keeps every
    # record of the account when it starts).
    assert "Status: Pending Install → *Activated*" in held
    assert "Status: Activated → *Draft*" in held
    # Until tomorrow: the start of the next day in the person's zone.
    answer = press(bot, alerts(bot)[-1], ActionId.WATCH_SNOOZE, value="morning",
                   channel=bot.slack.dm_channel_id(ANA))  # fmt: skip
    assert "snoozed until *Nov 19, 8:00 AM EST*" in all_text(answer)
    listing = bot.ask("/watch", "list")
    assert "Alerts snoozed until Nov 19, 8:00 AM EST" in all_text(listing)
    assert "Watch alerts are on again" in all_text(press(bot, listing, ActionId.WATCH_RESUME))


# --- who may read what ------------------------------------------------------------------


def test_a_person_who_may_not_read_the_record_cannot_watch_it_nor_hear_of_it(
    bot: BotUnderTest, sf: Salesforce, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever readable_ids says is obeyed (the check against the org's own sharing is
    below)."""
    hidden: dict[str, set[str]] = {RAJ: {DRAFT_ORDER, ACME}}
    real = visibility.readable_ids

    def readable(services: Any, user: str, ids: Any) -> set[str]:
        return real(services, user, ids) - hidden.get(user, set())

    monkeypatch.setattr(visibility, "readable_ids", readable)
    # Found by number or name: as if absent, and nothing of the record is named.
    text = watch(bot, "00000123", user=RAJ)
    assert "No account or order matches *00000123*" in text and "Acme" not in text
    text = watch(bot, "Acme Corp", user=RAJ)
    assert "No account or order matches *Acme Corp*" in text and "Acme Corp ·" not in text
    # By Id: refused, without its label.
    text = watch(bot, DRAFT_ORDER, user=RAJ)
    assert "can't see that order" in text and "00000123" not in text and "Acme" not in text
    watch(bot, "00000123")
    hidden[ANA] = {DRAFT_ORDER}  # Ana loses access after she started watching
    sf.Order.update(DRAFT_ORDER, {"Status": "Activated"})
    later(bot, minutes=1)
    assert check(bot).notices == 1 and alerts(bot) == [] and alerts(bot, RAJ) == []
    with bot.services.db.session() as s:
        (notice,) = s.scalars(select(WatchNotice)).all()
        assert notice.dropped == "may not read the record" and notice.delivered_at is None


def test_sharing_in_the_org_decides_who_may_watch(bot: BotUnderTest, sf: Salesforce) -> None:
    data = small_org()
    data["Organization"] = [{"DefaultAccountAccess": "None", "DefaultOpportunityAccess": "None",
                             "DefaultCaseAccess": "None"}]  # fmt: skip
    bot.org.load(data)
    assert "No account or order matches" in watch(bot, "00000123", user=RAJ)  # private org
    assert "You're watching" in watch(bot, "00000123")


# --- cards, list, picker, home ----------------------------------------------------------


def test_watch_button_on_the_order_card_toggles(bot: BotUnderTest) -> None:
    card = bot.ask("/order", "123")
    assert any(
        e.get("text", {}).get("text") == "Watch"
        for b in card["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    )
    sent = bot.slack.block_action(
        bot.url,
        user_id=ANA,
        action_id=ActionId.WATCH_CARD,
        value=next(
            e["value"]
            for b in card["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == ActionId.WATCH_CARD
        ),
        channel_id=CHANNEL,
        message={"ts": "1.0", **card},
        container=PRIVATE,
    )
    posts = responses(bot, sent.response_url or "", 2)
    redrawn, note = posts[0].body, posts[1].body
    assert redrawn["replace_original"] is True
    assert "Stop watching" in all_text(redrawn) and "You're watching" in all_text(note)
    # Another person's private card still says Watch for them.
    assert "Stop watching" not in all_text(bot.ask("/order", "123", user=RAJ))
    assert "Stop watching" in all_text(bot.ask("/order", "123"))
    again = press(bot, redrawn, ActionId.UNWATCH_CARD)
    assert "Watch" in all_text(again) and "Stop watching" not in all_text(again)


def test_watch_from_an_account_card_and_a_shared_card(bot: BotUnderTest) -> None:
    card = bot.ask("/account", "Acme Corp")
    sent = bot.slack.block_action(
        bot.url,
        user_id=RAJ,
        action_id=ActionId.WATCH_CARD,
        value=next(
            e["value"]
            for b in card["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == ActionId.WATCH_CARD
        ),
        channel_id=CHANNEL,
        message={"ts": "9.0", "user": "UBOT", **card},  # a shared (in-channel) card
        container={"type": "message", "message_ts": "9.0", "channel_id": CHANNEL,
                   "is_ephemeral": False},
    )  # fmt: skip
    note = bot.answer(sent)
    assert note["replace_original"] is False and "You're watching *" in all_text(note)
    with bot.services.db.session() as s:
        assert s.scalar(select(Watch.label).where(Watch.slack_user_id == RAJ)) == "Acme Corp"


def test_list_picker_and_home(bot: BotUnderTest) -> None:
    assert "not watching anything yet" in all_text(bot.ask("/watch", "list"))
    picker = bot.ask("/watch", "Acme")
    assert "accounts match *Acme*" in all_text(picker)
    sent = bot.slack.block_action(
        bot.url, user_id=ANA, action_id=ActionId.WATCH_PICK, selected_option=ACME,
        channel_id=CHANNEL, message={"ts": "1.0", **picker},
    )  # fmt: skip
    assert "You're watching" in all_text(bot.answer(sent))
    watch(bot, "00000126")
    assert "already watching" in watch(bot, "00000126")
    listing = bot.ask("/watch", "list")
    assert_valid_message(listing)
    text = all_text(listing)
    assert "What you watch (2)" in text and "Acme Corp" in text and "Order 00000126" in text
    assert "Quiet hours: 7:00 PM–8:00 AM, your time." in text
    answer = press(bot, listing, ActionId.WATCH_STOP, value=ACME)
    assert "no longer watching *Acme Corp*" in all_text(answer)

    bot.slack.event(bot.url, {"type": "app_home_opened", "user": ANA, "tab": "home",
                              "channel": "D0ANA", "event_ts": "1.0"})  # fmt: skip
    home = bot.slack.wait_until(lambda: bot.slack.home_view(ANA), timeout=10)
    assert "What you watch* — 1 record" in all_text(home)
    assert "Order 00000126 · Acme Media Group" in all_text(home)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "*/watch*"),
        ("help", "*/watch*"),
        ("stop", "Stop watching what?"),
        ("00009999", "No account or order matches *00009999*"),
        ("003000000000001AAA", "`003…` is the Id of another kind of record"),
        ("801000000000099AAA", "Salesforce has no order 801000000000099AAA"),
        ("Nothing Like This Corp", "No account or order matches"),
    ],
)
def test_bad_input_gets_a_clear_answer_and_changes_nothing(
    bot: BotUnderTest, text: str, says: str
) -> None:
    sent = bot.command("/watch", text)
    body = sent.body if not sent.response_url or not text or text == "help" else bot.answer(sent)
    assert says in all_text(body if isinstance(body, dict) else {"text": str(body)})
    with bot.services.db.session() as s:
        assert s.scalars(select(Watch)).all() == []


def test_marcus_can_watch_what_he_reads_too(bot: BotUnderTest) -> None:
    assert "You're watching" in watch(bot, ACME, user=MARCUS)


def _opp(sf: Salesforce, name: str) -> str:
    recs = sf.query(f"SELECT Id FROM Opportunity WHERE Name = '{name}'")["records"]
    return str(recs[0]["Id"])
