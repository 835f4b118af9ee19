"""/watch as people type it: loose input is refused or confirmed, never watched by
accident; /watch stop with several matches asks which; /watch list shows every watch, a
page at a time, as it and the App Home say; stopping one watch keeps what another still
covers."""

from __future__ import annotations

import datetime as dt

import pytest
from simple_salesforce import Salesforce
from sqlalchemy import select

from bot.infra.models import Watch, WatchNotice
from bot.slack_ids import ActionId
from bot.watches import repo
from tests.support.blockcheck import all_text, assert_valid_message
from tests.support.harness import ANA, CHANNEL, BotUnderTest
from tests.support.orgdata import ACME, DRAFT_ORDER
from tests.watches.test_watches import alerts, at, check, later, press, watch


def _watched(bot: BotUnderTest) -> list[str]:
    with bot.services.db.session() as s:
        return [w.label for w in s.scalars(select(Watch).where(Watch.slack_user_id == ANA))]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("'", "at least 2 letters or digits"),
        ("%", "at least 2 letters or digits"),
        ("a", "at least 2 letters or digits"),
        ("  -- ", "at least 2 letters or digits"),
        ("801000000000001AAA please", "there is more around it"),
        ("please watch 801000000000001AAA", "there is more around it"),
        ("801000000000001 and more", "there is more around it"),
        ("801000000000001AAAXYZ", "No account or order matches"),
    ],
)
def test_loose_input_starts_no_watch(bot: BotUnderTest, text: str, says: str) -> None:
    answer = bot.ask("/watch", text)
    assert says in all_text(answer)
    assert _watched(bot) == []


def test_a_name_only_one_account_contains_is_offered_to_confirm(bot: BotUnderTest) -> None:
    # A partial name starts nothing: it is answered as /account answers it (issue 13's
    # shared search: only what the person may read is suggested).
    offer = bot.ask("/watch", "O'Hare")
    assert_valid_message(offer)
    assert "Did you mean *O'Hare Signal &amp; Sons*" in all_text(offer)
    assert _watched(bot) == []
    assert "You're watching" in watch(bot, "O'Hare Signal & Sons")
    assert _watched(bot) == ["O'Hare Signal & Sons"]
    # Typed exactly, it is watched at once.
    assert "You're watching" in watch(bot, "100% Fiber Co")


def test_stop_with_several_matches_asks_which(bot: BotUnderTest) -> None:
    watch(bot, "Acme Corp")
    watch(bot, "00000123")
    picker = bot.ask("/watch", "stop acme")
    assert_valid_message(picker)
    text = all_text(picker)
    assert "2 of your watches match *acme*. Which one do you want to stop?" in text
    assert "Acme Corp" in text and "Order 00000123 · Acme Corp" in text
    assert sorted(_watched(bot)) == ["Acme Corp", "Order 00000123 · Acme Corp"]  # nothing yet
    answer = press(bot, picker, ActionId.WATCH_STOP, value=DRAFT_ORDER)
    assert "no longer watching *Order 00000123 · Acme Corp*" in all_text(answer)
    assert _watched(bot) == ["Acme Corp"]
    # One match: stopped at once; a name shorter than 2 letters: asked for more.
    assert "no longer watching *Acme Corp*" in all_text(bot.ask("/watch", "stop acme"))
    assert "at least 2 letters" in all_text(bot.ask("/watch", "stop *"))


def test_the_list_shows_every_watch_a_page_at_a_time_as_it_says(bot: BotUnderTest) -> None:
    now = bot.services.now()
    with bot.services.db.session() as s:
        for i in range(45):
            repo.add_watch(s, user=ANA, record_id=f"801000000{i:06d}AAA", sobject="Order",
                           label=f"Order {i:08d} · Acme Corp", account_id=ACME,
                           now=now + dt.timedelta(seconds=i))  # fmt: skip
    first = bot.ask("/watch", "list")
    assert_valid_message(first)
    text = all_text(first)
    assert "What you watch (45), page 1 of 2" in text
    assert text.count("Stop watching") == 40 and "Order 00000039" in text
    assert "41–45 of 45 on the next page." in text
    sent = bot.slack.block_action(
        bot.url, user_id=ANA, action_id=ActionId.WATCH_LIST_PAGE, value="2",
        channel_id=CHANNEL, message={"ts": "1.0", **first},
    )  # fmt: skip
    second = bot.answer(sent)
    assert_valid_message(second)
    text = all_text(second)
    assert "What you watch (45), page 2 of 2" in text and text.count("Stop watching") == 5
    assert "Order 00000044" in text and "Next page" not in text
    bot.slack.event(bot.url, {"type": "app_home_opened", "user": ANA, "tab": "home",
                              "channel": "D0ANA", "event_ts": "1.0"})  # fmt: skip
    home = bot.slack.wait_until(lambda: bot.slack.home_view(ANA), timeout=10)
    assert "…and 35 more. `/watch list` shows them all, 40 a page" in all_text(home)


def test_stopping_a_watch_keeps_what_another_watch_still_covers(
    bot: BotUnderTest, sf: Salesforce
) -> None:
    at(bot, dt.datetime(2026, 11, 19, 2, 0, tzinfo=dt.UTC))  # 21:00 in New York: quiet
    watch(bot, "Acme Corp")
    watch(bot, "00000123")
    watch(bot, "00000126")  # Acme Media Group's: no account watch covers it
    check(bot)
    later(bot, minutes=1)
    sf.Order.update(DRAFT_ORDER, {"Status": "Provisioning"})
    sf.Order.update("801000000000004AAA", {"Status": "Provisioning"})
    later(bot, minutes=1)
    check(bot)  # held for the morning
    bot.ask("/watch", "stop 00000123")  # Acme Corp still covers the order
    bot.ask("/watch", "stop 00000126")  # nothing else covers this one
    at(bot, dt.datetime(2026, 11, 19, 13, 5, tzinfo=dt.UTC))
    check(bot)
    (dm,) = alerts(bot)
    body = all_text(dm)
    assert "Order 00000123 · Acme Corp" in body and "Stop watching the account" in body
    assert "00000126" not in body
    with bot.services.db.session() as s:
        dropped = s.scalars(select(WatchNotice.dropped).where(WatchNotice.dropped.is_not(None)))
        assert list(dropped) == ["stopped watching"]
