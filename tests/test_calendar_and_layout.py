"""Issue 12 attack, the pieces under the cards: fiscal quarters and weeks, zones compared
by their clocks, quantities exactly as given, lists packed within Slack's limits with
their "…and N more" line, and changes against the week before read plainly."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.blocks import clip, pack_lines
from bot.dates import MONDAY, SUNDAY, FiscalYear, quarter_bounds, quarter_label, week_bounds
from bot.digests.data import RepData, RepFigures
from bot.digests.periods import Period
from bot.digests.render import weekly_blocks
from bot.escalations.views import escalation_list
from bot.infra.models import Escalation
from bot.localtime import same_zone
from bot.money import Amounts
from bot.text import quantity

D = dt.date


@pytest.mark.parametrize(
    ("start", "named_by_start", "day", "bounds", "label"),
    [
        (1, False, D(2026, 11, 18), (D(2026, 10, 1), D(2026, 12, 31)), "Q4 2026"),
        (2, False, D(2026, 11, 18), (D(2026, 11, 1), D(2027, 1, 31)), "Q4 FY2027"),
        (2, False, D(2026, 1, 31), (D(2025, 11, 1), D(2026, 1, 31)), "Q4 FY2026"),
        (2, False, D(2026, 2, 1), (D(2026, 2, 1), D(2026, 4, 30)), "Q1 FY2027"),
        (2, True, D(2026, 11, 18), (D(2026, 11, 1), D(2027, 1, 31)), "Q4 FY2026"),
        (7, False, D(2026, 6, 30), (D(2026, 4, 1), D(2026, 6, 30)), "Q4 FY2026"),
        (12, False, D(2026, 12, 1), (D(2026, 12, 1), D(2027, 2, 28)), "Q1 FY2027"),
    ],
)
def test_fiscal_quarters(
    start: int, named_by_start: bool, day: dt.date, bounds: tuple[dt.date, dt.date], label: str
) -> None:
    fiscal = FiscalYear(start, named_by_start)
    assert quarter_bounds(day, fiscal) == bounds
    assert quarter_label(day, fiscal) == label


def test_weeks_start_on_the_setting() -> None:
    wednesday = D(2026, 11, 18)
    assert week_bounds(wednesday, SUNDAY) == (D(2026, 11, 15), D(2026, 11, 21))
    assert week_bounds(wednesday, MONDAY) == (D(2026, 11, 16), D(2026, 11, 22))
    sunday = D(2026, 11, 22)
    assert week_bounds(sunday, SUNDAY)[0] == sunday
    assert week_bounds(sunday, MONDAY) == (D(2026, 11, 16), sunday)


def test_zones_are_compared_by_their_clocks() -> None:
    now = dt.datetime(2026, 11, 18, 15, 0, tzinfo=dt.UTC)
    assert same_zone("US/Eastern", "America/New_York", now)
    assert same_zone("Asia/Calcutta", "Asia/Kolkata", now)
    assert not same_zone("Europe/London", "Africa/Abidjan", now)  # same only in winter
    assert not same_zone("America/Phoenix", "America/Denver", now)  # no DST in Phoenix
    assert not same_zone("Mars/Olympus", "America/New_York", now)


def test_quantities_are_exact() -> None:
    assert quantity(2_000_000.0) == "2,000,000"
    assert quantity(1_234_567) == "1,234,567"
    assert quantity(1234.5678) == "1,234.5678"
    assert quantity(0.125) == "0.125" and quantity(1e-7) == "0.0000001"
    assert quantity(None) == "—"


def test_packed_lines_always_say_how_many_more() -> None:
    lines = [f"• <https://x.example/{i}|item {i}> " + "x" * 400 for i in range(20)]
    (text,) = pack_lines("*Head*", lines, hidden=100, more=lambda n: f"…and {n:,} more")
    assert len(text) <= 3000
    shown = text.count("\n•")
    assert text.endswith(f"…and {20 - shown + 100:,} more") and 0 < shown < 20
    assert text.count("<") == text.count(">")  # no link cut in half
    parts = pack_lines("*Head*", lines, sections=None)
    assert all(len(p) <= 3000 for p in parts) and sum(p.count("•") for p in parts) == 20
    assert "more" not in parts[-1]  # nothing left out, nothing to say
    assert clip("see <https://x.example/very/long|a link>", 20) == "see…"


def test_a_large_change_against_the_week_before_reads_plainly() -> None:
    period = Period("weekly", "2026-11-08", D(2026, 11, 16), D(2026, 11, 8), D(2026, 11, 15),
                    prev_start=D(2026, 11, 1))  # fmt: skip
    data = RepData(period)
    rep = RepFigures("Ana Ruiz")
    rep.booked, rep.booked_before = 3, 1
    rep.booked_amount = Amounts("USD", {"USD": 12_600.0})
    rep.booked_amount_before = Amounts("USD", {"USD": 100.0})
    rep.activated, rep.activated_before = 1_300, 100
    data.reps["ana"] = rep
    blocks, _ = weekly_blocks("smb-east", data)
    text = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert "(:arrow_up: from $100, 126×)" in text  # not "12500%"
    assert "(:arrow_up: from 100, 13×)" in text
    rep.booked_amount = Amounts("USD", {"USD": 950.0})
    rep.activated = 100_250
    rep.activated_before = 100_000
    blocks, _ = weekly_blocks("smb-east", data)
    text = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert "(:arrow_up: from $100, 850%)" in text
    assert "(:arrow_up: from 100,000, under 1%)" in text  # not "0%"
    assert "activated 100,250" in text


def test_an_escalation_list_counts_the_rest_with_separators() -> None:
    now = dt.datetime(2026, 11, 18, 15, 0, tzinfo=dt.UTC)
    rows = [
        Escalation(ref=f"ESC-{i:04d}", account_name="Acme Corp", category="billing",
                   severity="P2", description="Double-billed", reporter="U0ANA00001",
                   status="open", created_at=now, updated_at=now)
        for i in range(20)
    ]  # fmt: skip
    msg = escalation_list("open", rows, 1_520, tz=dt.UTC, now=now)
    tail = msg.blocks[-1]["elements"][0]["text"]
    assert "1,520 escalations · 1,500 more not shown" in tail
