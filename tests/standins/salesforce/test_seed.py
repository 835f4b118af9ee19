"""The seeded demo org: deterministic, loadable, and every relative-date promise kept."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import time
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.standins.salesforce import schema, seed
from bot.standins.salesforce.store import Clock, OrgStore
from bot.teams import parse_teams

NY = ZoneInfo("America/New_York")
Data = dict[str, list[dict[str, Any]]]

# A Monday, a Sunday, a Saturday, the first day of a quarter, Jan 1 (a Friday), the
# last day of a quarter, and a day in the week DST ends.
TODAYS = [
    dt.date(2026, 11, 23),
    dt.date(2026, 11, 22),
    dt.date(2026, 11, 28),
    dt.date(2026, 10, 1),
    dt.date(2027, 1, 1),
    dt.date(2026, 6, 30),
    dt.date(2026, 11, 3),
]
OPEN_IN_FLIGHT = ("Pending Install", "Provisioning")
SPECIAL_NAMES = (
    "Acme Corp",
    "Acme Media Group",
    "Acme Logistics LLC",
    "O'Hare Signal & Sons",
    "100% Fiber Co",
    "Under_Score Studios",
    "Back\\slash Networks",
    "Café Lumière Media",
    "Zürich Data AG",
)


@pytest.fixture(scope="module", params=TODAYS, ids=str)
def org(request: pytest.FixtureRequest) -> tuple[dt.date, Data]:
    today: dt.date = request.param
    return today, seed.generate(42, today)


def local_day(stamp: str) -> dt.date:
    """The New York date of a Salesforce datetime text."""
    assert len(stamp) == 28 and stamp.endswith(".000+0000"), stamp
    return dt.datetime.fromisoformat(stamp).astimezone(NY).date()


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def add_months(d: dt.date, months: int) -> dt.date:
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


# --- determinism and shape -----------------------------------------------------------


def test_same_seed_and_day_give_identical_json() -> None:
    today = dt.date(2026, 11, 23)
    first = json.dumps(seed.generate(42, today), ensure_ascii=False)
    assert json.dumps(seed.generate(42, today), ensure_ascii=False) == first
    assert json.dumps(seed.generate(7, today), ensure_ascii=False) != first
    assert json.dumps(seed.generate(42, today + dt.timedelta(days=1))) != json.dumps(
        seed.generate(42, today)
    )


def test_default_today_is_new_york_today() -> None:
    today = dt.datetime.now(NY).date()
    data = seed.generate(3)
    if dt.datetime.now(NY).date() == today:  # not across midnight
        assert data == seed.generate(3, today)


def test_counts_are_in_the_stated_ranges() -> None:
    data = seed.generate(42, dt.date(2026, 11, 23))
    n = {k: len(v) for k, v in data.items()}
    assert n["Order"] == 800
    assert 190 <= n["Account"] <= 210
    assert 550 <= n["Opportunity"] <= 650
    assert 280 <= n["Case"] <= 320
    assert 13 <= n["Product2"] <= 18
    assert 0.5 <= n["Contract"] / n["Account"] <= 0.7
    per_account = Counter(c["AccountId"] for c in data["Contact"])
    assert set(per_account.values()) <= {1, 2, 3}
    assert len(per_account) == n["Account"]
    per_order = Counter(i["OrderId"] for i in data["OrderItem"])
    assert len(per_order) == n["Order"]
    assert set(per_order.values()) <= {1, 2, 3, 4, 5}
    assert max(per_order.values()) >= 4


def test_values_are_json_ready_and_ids_are_explicit() -> None:
    data = seed.generate(42, dt.date(2026, 11, 23))
    json.dumps(data)  # no dates, no Decimals
    for obj_name, rows in data.items():
        prefix = schema.SOBJECTS[obj_name].key_prefix
        ids = [r["Id"] for r in rows]
        assert len(set(ids)) == len(ids)
        assert all(i.startswith(prefix) and schema.is_valid_id(i) for i in ids)
        for rec in rows:
            assert set(rec) <= set(schema.SOBJECTS[obj_name].fields), obj_name
    assert all("TotalAmount" not in o for o in data["Order"])


def test_fast_ids_match_schema_make_id() -> None:
    make = seed.IdMaker("802")
    for n in [*range(0, 4000, 7), 3843, 3844, 238_327, 238_328, 9_999_999, 62**5 - 1, 62**5]:
        assert make(n) == schema.make_id("802", n)


def test_loads_into_the_org_store() -> None:
    today = dt.date(2026, 11, 23)
    data = seed.generate(42, today)
    store = OrgStore(Clock(dt.datetime(2026, 11, 23, 14, tzinfo=dt.UTC)))
    counts = store.load(data)
    assert counts == {k: len(v) for k, v in data.items()}
    order = next(o for o in store.records("Order") if o["OrderNumber"] == "00000123")
    assert order["Status"] == "Pending Install" and order["TotalAmount"] > 0
    account = store.get(order["AccountId"])
    assert account is not None and account[1]["Name"] == "Acme Corp"
    assert store.get(order["OwnerId"])[1]["Email"] == "ana.rep@example.com"  # type: ignore[index]
    won = [o for o in store.records("Opportunity") if o["IsWon"]]
    assert won and all(o["IsClosed"] for o in won)


def test_order_numbers_run_from_100() -> None:
    data = seed.generate(42, dt.date(2026, 11, 23))
    numbers = [o["OrderNumber"] for o in data["Order"]]
    assert numbers[0] == "00000100" and numbers[23] == "00000123"
    assert numbers == [f"{100 + i:08d}" for i in range(800)]


# --- people and products ---------------------------------------------------------------


def test_users_form_a_sales_org() -> None:
    users = seed.generate(42, dt.date(2026, 11, 23))["User"]
    by_id = {u["Id"]: u for u in users}
    directors = [u for u in users if u["ManagerId"] is None]
    assert len(directors) == 1
    managers = [u for u in users if u["ManagerId"] == directors[0]["Id"]]
    assert 2 <= len(managers) <= 3
    manager_ids = {m["Id"] for m in managers}
    reps = [u for u in users if u["ManagerId"] in manager_ids]
    assert 6 <= len([r for r in reps if r["IsActive"]]) <= 8
    assert [u["Email"] for u in users if not u["IsActive"]] == ["brian.walsh@example.com"]
    emails = {u["Email"]: u for u in users}
    assert emails["ana.rep@example.com"]["Name"] == "Ana Ruiz"
    assert emails["raj.rep@example.com"]["ManagerId"] in manager_ids
    for u in users:
        assert u["Title"] and u["Department"]
        assert u["ManagerId"] is None or u["ManagerId"] in by_id


def test_products_cover_telecom_and_media() -> None:
    products = seed.generate(42, dt.date(2026, 11, 23))["Product2"]
    families = {p["Family"] for p in products}
    assert {"Internet", "Voice", "Video", "Ethernet", "Advertising"} <= families
    assert len({p["ProductCode"] for p in products}) == len(products)
    names = {p["Name"] for p in products}
    assert "Business Internet 1 Gig" in names and "Political Ad Flight" in names


def test_slack_users_match_salesforce_users_and_teams_file() -> None:
    users = seed.generate(42, dt.date(2026, 11, 23))["User"]
    slack = seed.DEMO_SLACK_USERS
    assert {v["email"] for v in slack.values()} == {u["Email"] for u in users}
    for slack_id, info in slack.items():
        assert slack_id.startswith("U0") and len(slack_id) == 10
        assert set(info) == {"name", "real_name", "email", "is_manager", "title"}
    assert slack["U0ANA00001"]["email"] == "ana.rep@example.com"
    assert slack["U0ANA00001"]["real_name"] == "Ana Ruiz"

    text = seed.DEMO_TEAMS_FILE.read_text(encoding="utf-8")
    parsed = parse_teams(text, source=str(seed.DEMO_TEAMS_FILE))
    assert [t.name for t in parsed.teams] == ["smb-east", "enterprise-nyc", "media-sales"]
    teams = yaml.safe_load(text)
    assert teams["timezone"] == "America/New_York"
    assert 2 <= len(teams["teams"]) <= 3
    active_emails = {u["Email"] for u in users if u["IsActive"]}
    owners_seen: list[str] = []
    for team in teams["teams"]:
        assert team["schedule"] == "0 8 * * mon-fri"
        assert team["channel"].startswith("C0")
        assert set(team["owners"]) <= active_emails
        owners_seen += team["owners"]
        for manager in team["managers"]:
            assert slack[manager]["is_manager"] is True
    assert {"ana.rep@example.com", "raj.rep@example.com"} <= set(owners_seen)
    assert len(owners_seen) == len(set(owners_seen))
    # Every account is owned by someone in exactly one team.
    accounts = seed.generate(42, dt.date(2026, 11, 23))["Account"]
    email_of = {u["Id"]: u["Email"] for u in users}
    assert {email_of[a["OwnerId"]] for a in accounts} <= set(owners_seen)


# --- accounts ------------------------------------------------------------------------


def test_search_edge_case_names_exist() -> None:
    accounts = seed.generate(42, dt.date(2026, 11, 23))["Account"]
    names = [a["Name"] for a in accounts]
    assert len(names) == len(set(names))
    for name in SPECIAL_NAMES:
        assert name in names
    assert "Back\\slash Networks" in names and "\\" in "Back\\slash Networks"
    assert len([n for n in names if n.startswith("Acme")]) >= 3
    by_name = {a["Name"]: a for a in accounts}
    assert by_name["Acme Corp - Brooklyn"]["ParentId"] == by_name["Acme Corp"]["Id"]
    assert by_name["Acme Corp"]["AccountNumber"] == "A-10001"


def test_accounts_look_like_a_tri_state_book() -> None:
    accounts = seed.generate(42, dt.date(2026, 11, 23))["Account"]
    states = Counter(a["BillingState"] for a in accounts)
    assert states["NY"] + states["NJ"] + states["CT"] >= 0.8 * len(accounts)
    assert set(states) - {"NY", "NJ", "CT"}  # a few other states
    industries = {a["Industry"] for a in accounts}
    assert {"Telecommunications", "Media", "Healthcare", "Retail", "Hospitality"} <= industries
    assert {"Education", "Government"} <= industries
    assert sum(1 for a in accounts if a["ParentId"]) >= 2
    assert all(a["AccountNumber"].startswith("A-1") for a in accounts)
    assert {"Prospect", "Customer - Direct"} <= {a["Type"] for a in accounts}


def test_health_ingredients_vary(org: tuple[dt.date, Data]) -> None:
    today, data = org
    overdue = {
        o["AccountId"]
        for o in data["Order"]
        if o["Status"] == "Draft" and day(o["EffectiveDate"]) < today
    }
    stuck = {
        o["AccountId"]
        for o in data["Order"]
        if o["Status"] in OPEN_IN_FLIGHT
        and local_day(o["CreatedDate"]) < today - dt.timedelta(days=14)
    }
    burning = {
        c["AccountId"]
        for c in data["Case"]
        if c["Status"] != "Closed" and c["Priority"] == "High" and c["IsEscalated"]
    }
    expiring = {
        c["AccountId"]
        for c in data["Contract"]
        if c["Status"] == "Activated"
        and today <= day(c["EndDate"]) <= today + dt.timedelta(days=90)
    }
    ordered = {o["AccountId"] for o in data["Order"]}
    green = [
        a
        for a in data["Account"]
        if a["Id"] in ordered
        and day(a["LastActivityDate"]) >= today - dt.timedelta(days=14)
        and a["Id"] not in overdue | stuck | burning | expiring
    ]
    red = burning & (overdue | expiring | stuck)
    stale = [a for a in data["Account"] if day(a["LastActivityDate"]) < today - dt.timedelta(60)]
    assert len(green) >= 20
    assert len(red) >= 5
    assert len(stale) >= 5


# --- relative-date promises ----------------------------------------------------------


def test_orders_activated_yesterday_this_week_and_last_week(org: tuple[dt.date, Data]) -> None:
    today, data = org
    activated = Counter(
        (today - local_day(o["ActivatedDate"])).days
        for o in data["Order"]
        if o["Status"] == "Activated"
    )
    assert activated[1] >= 3
    assert sum(activated[d] for d in range(2, 7)) >= 3
    assert sum(activated[d] for d in range(7, 14)) >= 3
    assert sum(n for d, n in activated.items() if d > 90) >= 100  # spread over months
    assert min(activated) >= 1  # nothing activated today or later


def test_new_orders_yesterday_and_not_dones(org: tuple[dt.date, Data]) -> None:
    today, data = org
    orders = data["Order"]
    created_yesterday = [
        o for o in orders if local_day(o["CreatedDate"]) == today - dt.timedelta(1)
    ]
    assert len(created_yesterday) >= 3
    overdue_drafts = [
        o for o in orders if o["Status"] == "Draft" and day(o["EffectiveDate"]) < today
    ]
    assert len(overdue_drafts) >= 3
    in_flight_days = [
        (today - local_day(o["CreatedDate"])).days for o in orders if o["Status"] in OPEN_IN_FLIGHT
    ]
    assert sum(1 for d in in_flight_days if d > 14) >= 3
    assert sum(1 for d in in_flight_days if d <= 14) >= 3
    assert all(0 < d <= 60 for d in in_flight_days)
    assert Counter(o["Status"] for o in orders).keys() == set(schema.ORDER_STATUSES)


def test_order_dates_are_consistent(org: tuple[dt.date, Data]) -> None:
    today, data = org
    owners = Counter(o["OwnerId"] for o in data["Order"])
    account_owner = {a["Id"]: a["OwnerId"] for a in data["Account"]}
    same_owner = sum(1 for o in data["Order"] if o["OwnerId"] == account_owner[o["AccountId"]])
    assert same_owner >= 0.8 * len(data["Order"]) and len(owners) >= 6
    for o in data["Order"]:
        created = local_day(o["CreatedDate"])
        assert created < today
        assert local_day(o["LastModifiedDate"]) >= created
        if o["Status"] == "Activated":
            assert created <= local_day(o["ActivatedDate"]) <= day(o["EffectiveDate"])
            assert o["ActivatedById"]
        else:
            assert o["ActivatedDate"] is None
            assert created <= day(o["EffectiveDate"])
    assert {o["Type"] for o in data["Order"]} == {
        "New",
        "Move",
        "Add",
        "Change",
        "Disconnect",
        "Renewal",
    }
    assert sum(1 for o in data["Order"] if o["ContractId"]) >= 100


def test_deals_won_lost_closing_and_slipped(org: tuple[dt.date, Data]) -> None:
    today, data = org
    yesterday = today - dt.timedelta(days=1)
    opps = data["Opportunity"]
    closed_yesterday = Counter(o["StageName"] for o in opps if day(o["CloseDate"]) == yesterday)
    assert closed_yesterday["Closed Won"] >= 2 and closed_yesterday["Closed Lost"] >= 2
    open_opps = [o for o in opps if not schema.OPPORTUNITY_STAGES[o["StageName"]][0]]
    iso_week_end = today + dt.timedelta(days=6 - today.weekday())  # Mon-Sun
    us_week_end = today + dt.timedelta(days=(5 - today.weekday()) % 7)  # Sun-Sat
    for week_end in (iso_week_end, us_week_end):
        closing = [o for o in open_opps if today <= day(o["CloseDate"]) <= week_end]
        assert len(closing) >= 2
    assert sum(1 for o in open_opps if day(o["CloseDate"]) < today) >= 4  # slipped
    quarter = seed.quarter_start(today)
    next_quarter = add_months(quarter, 3)
    this_quarter_open = [o for o in open_opps if today <= day(o["CloseDate"]) < next_quarter]
    assert len(this_quarter_open) >= 2
    assert any(day(o["CloseDate"]) >= next_quarter for o in open_opps)
    closed = [o for o in opps if o["StageName"].startswith("Closed")]
    assert all(day(o["CloseDate"]) < today for o in closed)
    assert any(day(o["CloseDate"]) < quarter for o in closed)  # last quarter


def test_opportunity_forecast_and_amounts() -> None:
    opps = seed.generate(42, dt.date(2026, 11, 23))["Opportunity"]
    for o in opps:
        _closed, _won, category, probability = schema.OPPORTUNITY_STAGES[o["StageName"]]
        assert o["ForecastCategoryName"] in (category, "Best Case")
        assert o["Probability"] == probability
        assert o["Amount"] > 0
        assert local_day(o["CreatedDate"]) <= day(o["CloseDate"])
    best = [o for o in opps if o["ForecastCategoryName"] == "Best Case"]
    assert best and all(schema.OPPORTUNITY_STAGES[o["StageName"]][3] >= 60 for o in best)
    assert len({o["StageName"] for o in opps}) == len(schema.OPPORTUNITY_STAGES)
    assert {o["Type"] for o in opps} >= {"New Business", "Renewal"}


def test_cases_yesterday_open_closed_and_escalated(org: tuple[dt.date, Data]) -> None:
    today, data = org
    cases = data["Case"]
    assert sum(1 for c in cases if local_day(c["CreatedDate"]) == today - dt.timedelta(1)) >= 3
    statuses = Counter(c["Status"] for c in cases)
    assert statuses.keys() == set(schema.CASE_STATUSES)
    assert {c["Priority"] for c in cases} == {"High", "Medium", "Low"}
    assert sum(1 for c in cases if c["IsEscalated"] and c["Status"] != "Closed") >= 3
    contacts = {c["Id"]: c["AccountId"] for c in data["Contact"]}
    for c in cases:
        assert contacts[c["ContactId"]] == c["AccountId"]
        if c["Status"] == "Closed":
            assert c["ClosedDate"] >= c["CreatedDate"]
            assert local_day(c["ClosedDate"]) < today
        else:
            assert c["ClosedDate"] is None
    subjects = {c["Subject"] for c in cases}
    assert "Install date missed — tech no-show" in subjects
    assert {c["Type"] for c in cases} >= {"Billing", "Installation", "Service Outage"}


def test_contracts_expiring_and_expired(org: tuple[dt.date, Data]) -> None:
    today, data = org
    contracts = data["Contract"]
    active = [c for c in contracts if c["Status"] == "Activated"]
    expiring = [c for c in active if today <= day(c["EndDate"]) <= today + dt.timedelta(90)]
    assert len(expiring) >= 3
    assert sum(1 for c in active if day(c["EndDate"]) < today) >= 3
    assert {c["Status"] for c in contracts} <= set(schema.CONTRACT_STATUSES)
    for c in contracts:
        assert c["ContractTerm"] in (12, 24, 36)
        start = day(c["StartDate"])
        assert day(c["EndDate"]) == add_months(start, c["ContractTerm"]) - dt.timedelta(1)
        assert (c["ActivatedDate"] is not None) == (c["Status"] == "Activated")


def test_nothing_happens_after_yesterday(org: tuple[dt.date, Data]) -> None:
    today, data = org
    for rows in data.values():
        for rec in rows:
            for key in ("CreatedDate", "LastModifiedDate", "ActivatedDate", "ClosedDate"):
                if rec.get(key):
                    assert local_day(rec[key]) < today, (key, rec)


def test_order_123_is_acme_corps_stuck_fiber_install(org: tuple[dt.date, Data]) -> None:
    today, data = org
    order = data["Order"][23]
    assert order["OrderNumber"] == "00000123"
    accounts = {a["Id"]: a["Name"] for a in data["Account"]}
    assert accounts[order["AccountId"]] == "Acme Corp"
    assert order["Status"] == "Pending Install"
    assert day(order["EffectiveDate"]) < today
    assert (today - local_day(order["CreatedDate"])).days > 14
    assert sum(1 for i in data["OrderItem"] if i["OrderId"] == order["Id"]) == 4


# --- the command line and scale ------------------------------------------------------


def test_main_prints_the_data_set_as_json(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert seed.main(["--seed", "5", "--orders", "120", "--today", "2026-11-23"]) == 0
    text = capsysbinary.readouterr().out.decode("utf-8")
    assert json.loads(text) == seed.generate(5, dt.date(2026, 11, 23), orders=120)
    assert "Café Lumière Media" in text  # UTF-8, not \\u-escaped


def test_orders_scale_the_data_set() -> None:
    small = seed.generate(1, dt.date(2026, 11, 23), orders=40)
    assert len(small["Order"]) == 40 and len(small["Account"]) == seed.MIN_ACCOUNTS
    assert small["Order"][23]["OrderNumber"] == "00000123"
    assert seed.generate(1, dt.date(2026, 11, 23), orders=0)["Order"] == []
    with pytest.raises(ValueError):
        seed.generate(1, orders=-1)


def test_100k_orders_generate_in_seconds() -> None:
    start = time.perf_counter()
    data = seed.generate(42, dt.date(2026, 11, 23), orders=100_000)
    elapsed = time.perf_counter() - start
    print(f"generated 100,000 orders in {elapsed:.2f}s")
    assert len(data["Order"]) == 100_000
    assert len(data["Account"]) == seed.MAX_ACCOUNTS
    assert 150_000 <= len(data["OrderItem"]) <= 500_000
    assert data["Order"][-1]["OrderNumber"] == f"{100 + 99_999:08d}"


def test_big_account_orders_gives_acme_corp_that_many_orders() -> None:
    today = dt.date(2026, 11, 23)
    data = seed.generate(42, today, orders=3000, big_account_orders=700)
    acme = next(a for a in data["Account"] if a["Name"] == "Acme Corp")
    owned = [o for o in data["Order"] if o["AccountId"] == acme["Id"]]
    assert len(data["Order"]) == 3000
    assert 700 <= len(owned) <= 705  # plus the orders the plan gave it anyway
    baseline = seed.generate(42, today, orders=3000)
    assert len([o for o in baseline["Order"] if o["AccountId"] == acme["Id"]]) < 100
    assert seed.generate(42, today, orders=3000, big_account_orders=0) == baseline
    store = OrgStore(Clock(dt.datetime(2026, 11, 23, 15, tzinfo=dt.UTC)))
    store.load(data)
    with pytest.raises(ValueError):
        seed.generate(42, today, big_account_orders=-1)
