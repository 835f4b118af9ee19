"""What a watch tells, whatever happens to the records in Salesforce: records it did not
know yet (created, moved in, past 2,000 of a kind), records that move to another account or
are deleted, a mass update, two checks reading the same second, a bot clock that is off,
and who made a change as far as Salesforce can tell. End to end, as in test_watches.py:
changes through the sandbox's REST API, the check the job runs, the DMs the outbox posts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from simple_salesforce import Salesforce
from sqlalchemy import func, select

from bot.infra.models import Watch, WatchedRecord
from bot.slack_ids import ActionId
from bot.standins.salesforce import schema
from bot.watches import queries
from tests.support.blockcheck import all_text, assert_valid_message
from tests.support.harness import ANA, RAJ, BotUnderTest
from tests.support.orgdata import (
    ACME,
    ACME_MEDIA,
    ANA_SF,
    DRAFT_ORDER,
    MARCUS_SF,
    RAJ_SF,
    small_org,
)
from tests.watches.test_watches import alerts, at, check, later, press, watch

NEW_ORDER = "801000000000077AAA"
MANY = 2100  # more than one page (2,000) of orders on one account


def _with_order(**extra: Any) -> dict[str, Any]:
    data = small_org()
    data["Order"].append({"Id": NEW_ORDER, "OrderNumber": "00000177", "AccountId": ACME,
                          "OwnerId": RAJ_SF, "Status": "Draft", "EffectiveDate": "2026-11-20",
                          "CreatedDate": "2026-11-17T14:00:00.000+0000", **extra})  # fmt: skip
    return data


def _many_orders() -> dict[str, Any]:
    data = small_org()
    for i in range(MANY):
        data["Order"].append({"Id": schema.make_id("801", 10_000 + i),
                              "OrderNumber": f"{50_000 + i:08d}", "AccountId": ACME,
                              "OwnerId": ANA_SF, "Status": "Draft", "EffectiveDate": "2026-12-20",
                              "CreatedDate": "2026-11-17T14:00:00.000+0000"})  # fmt: skip
    return data


def _texts(bot: BotUnderTest, user: str = ANA) -> list[str]:
    return [all_text(m) for m in alerts(bot, user)]


# --- records acctbot did not know yet ------------------------------------------------------


def test_an_account_watch_starts_from_every_record_of_the_account_past_2000(
    bot: BotUnderTest, sf: Salesforce
) -> None:
    bot.org.load(_many_orders())
    watch(bot, "Acme Corp")
    with bot.services.db.session() as s:
        kept = s.scalar(
            select(func.count()).select_from(WatchedRecord).where(WatchedRecord.sobject == "Order")
        )
    total = sf.query(f"SELECT COUNT() FROM Order WHERE AccountId = '{ACME}'")["totalSize"]
    assert kept == total > MANY  # the activated ones too, and past the first 2,000
    check(bot)
    later(bot, minutes=1)
    sf.Order.update(schema.make_id("801", 10_000 + MANY - 1), {"Status": "Provisioning"})
    later(bot, minutes=1)
    result = check(bot)
    assert (result.changes, result.notices, result.dms) == (1, 1, 1)
    assert "Status: Draft → *Provisioning*" in _texts(bot)[0]


def test_records_created_since_the_last_check_are_told_as_new_with_their_state(
    bot: BotUnderTest, sf: Salesforce
) -> None:
    watch(bot, "Acme Corp")
    check(bot)
    later(bot, minutes=1)
    with bot.org.acting_as(RAJ_SF):
        made = sf.Order.create({"AccountId": ACME, "EffectiveDate": "2026-11-20"})["id"]
        sf.Order.update(made, {"Status": "Activated"})  # created and activated in one minute
        sf.Opportunity.create({"AccountId": ACME, "Name": "Quick win", "Amount": 5000,
                               "StageName": "Closed Won", "CloseDate": "2026-11-18"})  # fmt: skip
        sf.Order.create({"AccountId": ACME, "EffectiveDate": "2026-12-20"})  # a draft: quiet
        sf.Opportunity.create({"AccountId": ACME, "Name": "Maybe", "StageName": "Prospecting",
                               "CloseDate": "2027-02-01"})  # an open deal: quiet  # fmt: skip
    later(bot, minutes=1)
    result = check(bot)
    assert (result.notices, result.dms) == (2, 1)
    (body,) = _texts(bot)
    assert "*Created* (Activated)" in body and ":white_check_mark: *Activated*" in body
    assert "Deal Quick win · Acme Corp" in body and "*Created* (Closed Won)" in body
    assert ":trophy: *Won*" in body and "Maybe" not in body
    assert "Activated in Salesforce by Raj Patel" in body
    assert "Created in Salesforce by Raj Patel" in body


def test_a_closed_case_reopened_and_escalated_is_told(bot: BotUnderTest, sf: Salesforce) -> None:
    watch(bot, "Acme Corp")
    check(bot)
    later(bot, minutes=1)
    old = sf.query("SELECT Id FROM Case WHERE Subject = 'Old question'")["records"][0]["Id"]
    sf.Case.update(old, {"Status": "Escalated", "IsEscalated": True, "Priority": "High"})
    later(bot, minutes=1)
    assert check(bot).notices == 1
    assert ":rotating_light: *Escalated*" in _texts(bot)[0]


# --- records that move or go ---------------------------------------------------------------


def test_a_reparented_order_takes_its_news_to_its_new_account(
    bot: BotUnderTest, sf: Salesforce
) -> None:
    bot.org.load(_with_order())
    watch(bot, "Acme Corp")  # Ana: the old account
    watch(bot, "Acme Media Group", user=RAJ)  # Raj: the new one
    check(bot)
    later(bot, minutes=1)
    sf.Order.update(NEW_ORDER, {"AccountId": ACME_MEDIA})
    later(bot, minutes=1)
    check(bot)
    # Both are told it moved, once.
    for user in (ANA, RAJ):
        (moved,) = _texts(bot, user)
        assert "*Moved to another account*: Acme Corp → *Acme Media Group*" in moved
    later(bot, minutes=10)
    check(bot)
    at(bot, dt.datetime(2026, 11, 21, 14, 0, tzinfo=dt.UTC))  # its effective date passed
    check(bot)
    assert len(_texts(bot)) == 1  # Ana: nothing more, the order is not on her account
    assert "*Passed its effective date* (Nov 20)" in _texts(bot, RAJ)[-1]
    assert "Order 00000177 · Acme Media Group" in _texts(bot, RAJ)[-1]


def test_an_order_moved_to_an_unwatched_account_says_no_more_to_the_old_one(
    bot: BotUnderTest, sf: Salesforce
) -> None:
    """The move itself is not returned by a query filtered to the watched accounts; the
    day's re-read of what is about to be announced finds it moved: the old account's
    watchers hear that it left, not its date news."""
    bot.org.load(_with_order())
    watch(bot, "Acme Corp")
    check(bot)
    later(bot, minutes=1)
    sf.Order.update(NEW_ORDER, {"AccountId": ACME_MEDIA})
    later(bot, minutes=10)
    check(bot)
    at(bot, dt.datetime(2026, 11, 21, 14, 0, tzinfo=dt.UTC))
    check(bot)
    (left,) = [t for t in _texts(bot) if "00000177" in t]
    assert "*Moved to another account*: Acme Corp → *Acme Media Group*" in left
    assert "Passed its effective date" not in left
    at(bot, dt.datetime(2026, 11, 22, 14, 0, tzinfo=dt.UTC))
    check(bot)
    assert len([t for t in _texts(bot) if "00000177" in t]) == 1


def test_a_deleted_record_is_told_once_and_its_watch_ends(
    bot: BotUnderTest, sf: Salesforce
) -> None:
    bot.org.load(_with_order())
    watch(bot, "00000177")
    watch(bot, "Acme Corp", user=RAJ)
    check(bot)
    later(bot, minutes=1)
    sf.Order.delete(NEW_ORDER)
    later(bot, minutes=1)
    check(bot)
    at(bot, dt.datetime(2026, 11, 21, 14, 0, tzinfo=dt.UTC))  # the next day's check
    result = check(bot)
    assert result.deleted == 1
    (note,) = _texts(bot)
    assert "*Deleted in Salesforce*: I stopped watching it" in note
    assert "Passed its effective date" not in note
    # Raj watches the account: whether he could read that order, Salesforce can no longer
    # say (a deleted record has no UserRecordAccess), so he is not told of it at all.
    assert _texts(bot, RAJ) == []
    assert "not watching anything yet" in all_text(bot.ask("/watch", "list"))
    at(bot, dt.datetime(2026, 11, 22, 14, 0, tzinfo=dt.UTC))
    check(bot)
    assert len(_texts(bot)) == 1 and _texts(bot, RAJ) == []


def test_a_deleted_account_ends_its_watch_with_a_note(bot: BotUnderTest, sf: Salesforce) -> None:
    with bot.org.acting_as(RAJ_SF):  # Raj deletes an account of his with nothing on it
        watch(bot, "Quiet Harbor Dental", user=RAJ)
        check(bot)
        sf.Account.delete(sf.query("SELECT Id FROM Account WHERE Name = 'Quiet Harbor Dental'")[
            "records"][0]["Id"])  # fmt: skip
    at(bot, dt.datetime(2026, 11, 19, 14, 0, tzinfo=dt.UTC))
    check(bot)
    (note,) = _texts(bot, RAJ)
    assert "Quiet Harbor Dental" in note and "*Deleted in Salesforce*" in note
    with bot.services.db.session() as s:
        assert s.scalars(select(Watch).where(Watch.slack_user_id == RAJ)).all() == []


# --- many changes at once -----------------------------------------------------------------


def test_a_mass_update_is_one_dm_with_a_summary_and_show_all(
    bot: BotUnderTest, sf: Salesforce
) -> None:
    bot.org.load(_many_orders())
    watch(bot, "Acme Corp")
    check(bot)
    later(bot, minutes=1)
    ids = [schema.make_id("801", 10_000 + i) for i in range(MANY)]
    base = f"/services/data/v{sf.sf_version}/sobjects/Order"
    for i in range(0, MANY, 25):  # a data load: composite requests of 25 saves
        sf.restful("composite", method="POST", json={"allOrNone": False, "compositeRequest": [
            {"method": "PATCH", "url": f"{base}/{x}", "referenceId": f"r{n}",
             "body": {"Status": "Provisioning"}} for n, x in enumerate(ids[i : i + 25])
        ]})  # fmt: skip
    later(bot, minutes=1)
    result = check(bot)
    assert (result.changes, result.dms) == (MANY, 1)
    (dm,) = alerts(bot)
    assert_valid_message(dm)
    body = all_text(dm)
    assert body.count("Status: Draft → *Provisioning*") == 20  # in full
    assert (
        "…and 2,080 more changes on *Acme Corp*: 2,080 orders Status: Draft → Provisioning" in body
    )
    page = press(bot, dm, ActionId.WATCH_MORE, channel=bot.slack.dm_channel_id(ANA))
    assert_valid_message(page)
    assert "*All 2,100 changes of that alert* (page 1 of 11)" in all_text(page)
    assert all_text(page).count("Status: Draft → Provisioning") == 200
    last = press(bot, page, ActionId.WATCH_MORE, channel=bot.slack.dm_channel_id(ANA))
    assert "(page 2 of 11)" in all_text(last)
    # Only the person the alert was for can page through it.
    other = press(bot, dm, ActionId.WATCH_MORE, user=RAJ, channel=bot.slack.dm_channel_id(ANA))
    assert "someone else's alert" in all_text(other)


# --- two checks, one second; a clock that is off ------------------------------------------


def test_two_checks_reading_the_same_second_tell_a_change_once_and_invent_nothing(
    bot: BotUnderTest, sf: Salesforce, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SystemModstamp has one-second precision. Replica A reads the order after its first
    save; a second save follows in the same second; replica B reads and records it; then
    A judges its older read. A must not announce Activated → Provisioning."""
    watch(bot, "00000123")
    check(bot)
    later(bot, minutes=1)
    real = queries.changed_since
    sf.Order.update(DRAFT_ORDER, {"Status": "Provisioning"})  # save 1, second S
    since = bot.org.clock.now() - dt.timedelta(minutes=5)
    stale = real(bot.services.salesforce, since, {"Order": {DRAFT_ORDER}}, set(), "")  # A reads
    sf.Order.update(DRAFT_ORDER, {"Status": "Activated"})  # save 2, the same second S
    check(bot)  # replica B: Draft → Activated
    monkeypatch.setattr(queries, "changed_since", lambda *a, **k: stale)
    assert check(bot).changes == 0  # replica A, with its read from before save 2
    monkeypatch.setattr(queries, "changed_since", real)
    later(bot, minutes=1)
    assert check(bot).changes == 0  # the next check: settled, nothing new
    (dm,) = alerts(bot)
    assert "Status: Draft → *Activated*" in all_text(dm)


@pytest.mark.parametrize("skew", [150, 300, -300])
def test_the_window_follows_the_orgs_clock_not_the_bots(
    bot: BotUnderTest, sf: Salesforce, skew: int
) -> None:
    real = bot.services.clock
    bot.services.clock = lambda: real() + dt.timedelta(seconds=skew)
    try:
        watch(bot, "00000123")
        check(bot)
        later(bot, minutes=1)
        sf.Order.update(DRAFT_ORDER, {"Status": "Provisioning"})
        for _ in range(3):
            later(bot, minutes=1)
            check(bot)
        assert len(alerts(bot)) == 1
    finally:
        bot.services.clock = real


# --- who --------------------------------------------------------------------------------


def test_who_made_a_change_is_never_claimed_beyond_what_salesforce_knows(
    bot: BotUnderTest, sf: Salesforce
) -> None:
    """LastModifiedBy is the last save, not the watched change: an alert names the
    activator of an order (ActivatedBy), else says "last saved by"."""
    watch(bot, "00000123")
    watch(bot, "00000124")
    with bot.org.acting_as(RAJ_SF):
        sf.Order.update(DRAFT_ORDER, {"Status": "Activated"})
        sf.Order.update("801000000000002AAA", {"Status": "Provisioning"})
    later(bot, seconds=20)
    with bot.org.acting_as(MARCUS_SF):  # Marcus saves both again, changing nothing watched
        sf.Order.update(DRAFT_ORDER, {"Description": "called the customer"})
        sf.Order.update("801000000000002AAA", {"Description": "called them too"})
    later(bot, seconds=40)
    check(bot)
    (dm,) = alerts(bot)
    body = all_text(dm)
    assert "Activated in Salesforce by Raj Patel · 10:00 AM EST today" in body
    assert (
        "Last saved in Salesforce by Marcus Bell · 10:00 AM EST today (who made this change "
        "is not recorded)" in body
    )
    assert "Changed in Salesforce by" not in body


def test_values_no_watch_covers_go_when_a_watch_ends_and_a_quiet_check_reads_none(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kept values are swept when the watches changed (or once a day), not read every
    minute: a quiet check with the same watches does not read them at all."""
    from bot.watches import repo

    watch(bot, "Acme Corp")
    check(bot)
    sweeps: list[int] = []
    real = repo.kept_rows

    def counted(session: Any, **kw: Any) -> Any:
        sweeps.append(1)
        return real(session, **kw)

    monkeypatch.setattr(repo, "kept_rows", counted)
    later(bot, minutes=1)
    check(bot)
    assert sweeps == []
    bot.ask("/watch", "stop Acme Corp")
    later(bot, minutes=1)
    check(bot)
    assert sweeps == [1]
    with bot.services.db.session() as s:
        assert s.scalar(select(func.count()).select_from(WatchedRecord)) == 0
