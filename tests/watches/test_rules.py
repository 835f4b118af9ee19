"""The pure parts of watches: what counts as news, quiet hours across daylight saving, and
the change queries, whose number does not grow with the watchers."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from zoneinfo import ZoneInfo

import pytest

from bot.watches import queries, rules
from bot.watches.quiet import QuietHours, local_instant, next_morning
from bot.watches.rules import Change, Context, Snapshot

NY = ZoneInfo("America/New_York")
CTX = Context(today=dt.date(2026, 11, 18), tz=NY, stuck_days=14)


def snap(sobject: str, **values: object) -> Snapshot:
    base = {name: None for name in rules.KEPT[sobject]}
    base.update(values)
    return Snapshot(base, rules.flags(sobject, base, CTX))


def kinds(changes: list[Change]) -> list[str]:
    return [c.kind if c.kind != "field" else f"{c.field}" for c in changes]


def test_order_status_and_activation() -> None:
    old = snap("Order", Status="Draft", StatusCode="Draft", EffectiveDate="2026-12-01",
               CreatedDate="2026-11-17T14:00:00.000+0000")  # fmt: skip
    new = snap("Order", Status="Activated", StatusCode="Activated",
               EffectiveDate="2026-12-01", CreatedDate="2026-11-17T14:00:00.000+0000")  # fmt: skip
    out = rules.changes("Order", old, new, CTX)
    assert kinds(out) == ["Status", "activated"]
    assert (out[0].old, out[0].new) == ("Draft", "Activated")
    assert rules.changes("Order", old, old, CTX) == []


def test_orders_go_overdue_and_stuck_with_the_date_alone() -> None:
    values = {"Status": "Draft", "StatusCode": "Draft", "EffectiveDate": "2026-11-18",
              "CreatedDate": "2026-11-04T06:00:00.000+0000"}  # fmt: skip
    today = Snapshot(values, rules.flags("Order", values, CTX))
    assert today.flags == {"overdue": False, "stuck": False}  # 14 days, not more
    tomorrow = Context(today=dt.date(2026, 11, 19), tz=NY, stuck_days=14)
    new = Snapshot(values, rules.flags("Order", values, tomorrow))
    assert new.flags == {"overdue": True, "stuck": True}
    assert kinds(rules.changes("Order", today, new, tomorrow)) == ["overdue", "stuck"]
    # Created Nov 4 03:30 UTC is 22:30 on Nov 3 in New York: the age counts in New York.
    late = {**values, "CreatedDate": "2026-11-04T03:30:00.000+0000"}
    assert rules.flags("Order", late, CTX)["stuck"] is True
    # The org's own draft status decides what a draft is.
    renamed = Context(today=dt.date(2026, 11, 19), tz=NY, draft_status="Entwurf")
    assert rules.flags("Order", values, renamed)["overdue"] is False


def test_deals_move_and_close() -> None:
    old = snap("Opportunity", StageName="Prospecting", Amount=100.0, CloseDate="2026-12-01",
               IsClosed=False, IsWon=False)  # fmt: skip
    moved = snap("Opportunity", StageName="Prospecting", Amount=100.0000000001,
                 CloseDate="2026-12-15", IsClosed=False, IsWon=False)  # fmt: skip
    assert kinds(rules.changes("Opportunity", old, moved, CTX)) == ["CloseDate"]
    won = snap("Opportunity", StageName="Closed Won", Amount=120.0, CloseDate="2026-12-01",
               IsClosed=True, IsWon=True)  # fmt: skip
    assert kinds(rules.changes("Opportunity", old, won, CTX)) == ["StageName", "Amount", "won"]
    lost = snap("Opportunity", StageName="Closed Lost", Amount=100.0, CloseDate="2026-12-01",
                IsClosed=True, IsWon=False)  # fmt: skip
    assert kinds(rules.changes("Opportunity", old, lost, CTX))[-1] == "lost"


def test_cases_opened_high_or_escalated() -> None:
    high = snap("Case", Status="New", Priority="High", IsEscalated=False, IsClosed=False)
    assert kinds(rules.changes("Case", None, high, CTX, created=True)) == ["opened_high"]
    low = snap("Case", Status="New", Priority="Low", IsEscalated=False, IsClosed=False)
    assert rules.changes("Case", None, low, CTX, created=True) == []
    other = Context(today=CTX.today, tz=NY, top_priority="P1")  # the org's own priorities
    assert rules.changes("Case", None, high, other, created=True) == []
    up = snap("Case", Status="Escalated", Priority="Low", IsEscalated=True, IsClosed=False)
    assert kinds(rules.changes("Case", low, up, CTX)) == ["escalated"]
    # A closed case reopened and escalated is news like any other change.
    closed = snap("Case", Status="Closed", Priority="Low", IsEscalated=False, IsClosed=True)
    reopened = snap("Case", Status="Escalated", Priority="High", IsEscalated=True, IsClosed=False)
    assert kinds(rules.changes("Case", closed, reopened, CTX)) == ["escalated"]


def test_a_record_seen_for_the_first_time_is_judged_by_what_can_be_known() -> None:
    """Created since the last check: new, and what its state calls for is told. Created
    before: it moved to the watched account since (an account watch keeps every record
    it has when it starts), and that is told, except for closed deals and cases."""
    created = "2026-11-18T14:00:00.000+0000"
    active = snap("Order", Status="Activated", StatusCode="Activated",
                  EffectiveDate="2026-11-20", CreatedDate=created)  # fmt: skip
    draft = snap("Order", Status="Draft", StatusCode="Draft", EffectiveDate="2026-11-20",
                 CreatedDate=created)  # fmt: skip
    late = snap("Order", Status="Draft", StatusCode="Draft", EffectiveDate="2026-11-10",
                CreatedDate=created)  # fmt: skip
    assert kinds(rules.first_news("Order", active, CTX, created=True)) == ["created", "activated"]
    assert rules.first_news("Order", draft, CTX, created=True) == []
    assert kinds(rules.first_news("Order", late, CTX, created=True)) == ["overdue"]
    won = snap("Opportunity", StageName="Closed Won", IsClosed=True, IsWon=True)
    lost = snap("Opportunity", StageName="Closed Lost", IsClosed=True, IsWon=False)
    open_deal = snap("Opportunity", StageName="Prospecting", IsClosed=False, IsWon=False)
    assert kinds(rules.first_news("Opportunity", won, CTX, created=True)) == ["created", "won"]
    assert kinds(rules.first_news("Opportunity", lost, CTX, created=True)) == ["created", "lost"]
    assert rules.first_news("Opportunity", open_deal, CTX, created=True) == []
    both = snap("Case", Status="New", Priority="High", IsEscalated=True, IsClosed=False)
    assert kinds(rules.first_news("Case", both, CTX, created=True)) == ["opened_high", "escalated"]
    # Not created since the last check: it moved here.
    (moved_in,) = rules.first_news("Order", draft, CTX, created=False)
    assert (moved_in.kind, moved_in.new) == ("appeared", "Draft")
    assert kinds(rules.first_news("Opportunity", open_deal, CTX, created=False)) == ["appeared"]
    assert rules.first_news("Opportunity", won, CTX, created=False) == []
    closed = snap("Case", Status="Closed", IsClosed=True)
    assert rules.first_news("Case", closed, CTX, created=False) == []
    # A deal created won is news to the account's watchers; a closed deal changing is not.
    assert rules.account_news("Opportunity", None, won)
    assert not rules.account_news("Opportunity", lost, won)
    assert rules.account_news("Opportunity", open_deal, lost)


def test_moving_to_another_account_is_news() -> None:
    old = snap("Order", AccountId="001000000000001AAA", AccountName="Acme Corp",
               Status="Draft", StatusCode="Draft")  # fmt: skip
    new = snap("Order", AccountId="001000000000002AAA", AccountName="Acme Media Group",
               Status="Draft", StatusCode="Draft")  # fmt: skip
    (change,) = rules.changes("Order", old, new, CTX)
    assert (change.kind, change.old, change.new) == ("moved", "Acme Corp", "Acme Media Group")
    # Values kept before acctbot kept the account: not a move.
    legacy = Snapshot({k: v for k, v in old.values.items() if k != "AccountId"}, old.flags)
    assert rules.changes("Order", legacy, new, CTX) == []


def test_contracts_ending_within_30_days() -> None:
    at_31 = snap("Contract", Status="Activated", StatusCode="Activated", EndDate="2026-12-19")
    assert at_31.flags == {"ending_soon": False}
    day_after = Context(today=dt.date(2026, 11, 19), tz=NY)
    moved = Snapshot(at_31.values, rules.flags("Contract", at_31.values, day_after))
    assert kinds(rules.changes("Contract", at_31, moved, day_after)) == ["ending_soon"]
    draft = {**at_31.values, "StatusCode": "Draft"}
    assert rules.flags("Contract", draft, day_after) == {"ending_soon": False}


@pytest.mark.parametrize(
    ("utc", "quiet"),
    [
        ("2026-11-18T23:59:00", False),  # 18:59 EST
        ("2026-11-19T00:00:00", True),  # 19:00 EST
        ("2026-11-19T12:59:00", True),  # 07:59 EST
        ("2026-11-19T13:00:00", False),  # 08:00 EST
        ("2026-07-01T11:59:00", True),  # 07:59 EDT
        ("2026-07-01T12:00:00", False),  # 08:00 EDT
        ("2026-03-08T11:59:00", True),  # the spring-forward day: 07:59 EDT
        ("2026-03-08T12:00:00", False),
        ("2026-11-01T12:59:00", True),  # the fall-back day: 07:59 EST
        ("2026-11-01T13:00:00", False),
    ],
)
def test_quiet_hours_in_the_persons_zone(utc: str, quiet: bool) -> None:
    hours = QuietHours((dt.time(19), dt.time(8)))
    when = dt.datetime.fromisoformat(utc).replace(tzinfo=dt.UTC)
    assert hours.is_quiet(when, NY) is quiet
    assert QuietHours(None).is_quiet(when, NY) is False


def test_next_morning_is_stepped_in_utc_across_daylight_saving() -> None:
    eight = dt.time(8)
    # Saturday night before the fall back: Sunday 8:00 EST is 13:00 UTC (25 h days).
    assert next_morning(dt.datetime(2026, 11, 1, 3, 0, tzinfo=dt.UTC), NY, eight) == (
        dt.datetime(2026, 11, 1, 13, 0, tzinfo=dt.UTC)
    )
    # Saturday night before the spring forward: Sunday 8:00 EDT is 12:00 UTC.
    assert next_morning(dt.datetime(2026, 3, 8, 3, 0, tzinfo=dt.UTC), NY, eight) == (
        dt.datetime(2026, 3, 8, 12, 0, tzinfo=dt.UTC)
    )
    # After 8:00 it is tomorrow's.
    assert next_morning(dt.datetime(2026, 11, 18, 15, 0, tzinfo=dt.UTC), NY, eight) == (
        dt.datetime(2026, 11, 19, 13, 0, tzinfo=dt.UTC)
    )
    # A wall time in the gap (2:30 on Mar 8) is the instant the clocks jump: 3:00 EDT.
    assert local_instant(dt.date(2026, 3, 8), dt.time(2, 30), NY) == (
        dt.datetime(2026, 3, 8, 7, 0, tzinfo=dt.UTC)
    )
    # A repeated wall time (1:30 on Nov 1) is its first occurrence: 1:30 EDT.
    assert local_instant(dt.date(2026, 11, 1), dt.time(1, 30), NY) == (
        dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC)
    )


def _ids(prefix: str, n: int) -> set[str]:
    return {queries.to_18(f"{prefix}{i:012d}") for i in range(n)}


def test_the_number_of_queries_does_not_grow_with_watchers() -> None:
    since = dt.datetime(2026, 11, 18, 15, 0, tzinfo=dt.UTC)
    few = queries.change_queries(since, {"Order": _ids("801", 3)}, _ids("001", 2),
                                 api_version="62.0")  # fmt: skip
    many = queries.change_queries(
        since,
        {"Order": _ids("801", 6000), "Opportunity": _ids("006", 2000), "Case": _ids("500", 500)},
        _ids("001", 1500),
        api_version="62.0",
    )
    assert sorted(few) == sorted(many) == ["Case", "Contract", "Opportunity", "Order"]
    assert all(narrow for _, narrow in few.values())
    assert not any(narrow for _, narrow in many.values())  # too many Ids for a URL
    for soql, _ in [*few.values(), *many.values()]:
        assert queries.url_bytes(soql, "62.0") <= 16_384
        url = "/services/data/v62.0/query?" + urllib.parse.urlencode({"q": soql})
        assert len(url) == queries.url_bytes(soql, "62.0")
    # Nothing watched of a kind and no account: that kind is not asked for at all.
    only_orders = queries.change_queries(since, {"Order": _ids("801", 1)}, set(),
                                         api_version="62.0")  # fmt: skip
    assert list(only_orders) == ["Order"]


def test_what_a_watch_can_be_given() -> None:
    assert queries.find_id("801000000000001AAA") == "801000000000001AAA"
    fifteen = queries.find_id("See 80100000000000A please")
    assert fifteen == queries.to_18("80100000000000A") and len(fifteen) == 18
    link = "https://acme.my.salesforce.com/lightning/r/Opportunity/006000000000001AAA/view"
    assert queries.find_id(link) == "006000000000001AAA"
    assert queries.find_id("Acme Corp") is None
    # An Id alone or a link alone; an Id in other words, or run into other letters, is not.
    assert queries.only_id("801000000000001AAA") and queries.only_id(f"<{link}|the deal>")
    assert queries.only_id(link) and not queries.only_id("See 80100000000000A please")
    assert queries.find_id("801000000000001AAAXYZ") is None
    assert queries.name_characters("'%") == 0 and queries.name_characters("Ab") == 2
    assert queries.to_18("001000000000001") == "001000000000001AAA"
    assert rules.kind_of("500000000000001AAA") == "Case"
    assert rules.kind_of("003000000000001AAA") is None


def test_a_summary_of_many_changes_fits_one_section_and_counts_the_rest() -> None:
    """300 accounts with a change each: what does not fit in 3,000 characters is counted
    ("…and N more changes on other accounts"), and the counts add up."""
    import json as _json

    from bot.infra.models import WatchChange
    from bot.watches import card

    def change(i: int) -> WatchChange:
        items = [{"kind": "field", "field": "Status", "label": "Status", "old": "Draft",
                  "new": "Provisioning"}]  # fmt: skip
        return WatchChange(id=i, record_id=f"801{i:015d}", version=2, sobject="Order",
                           label=f"Order {i:08d} · Account number {i:04d} with a long name",
                           changes=_json.dumps(items))  # fmt: skip

    many = [change(i) for i in range(300)] + [change(1000 + i) for i in range(5)]
    for c in many[300:]:
        c.label = "Order · Big Account"
    text = card.summary(many)
    assert len(text) <= 3000
    assert text.startswith("5 more changes on *Big Account*: 5 orders Status: Draft → Provisioning")
    shown = text.count("1 more change on *")
    counted = int(text.rsplit("…and ", 1)[1].split(" ")[0].replace(",", ""))
    assert shown + counted == 300 and counted > 0
