"""Schedules across real daylight-saving (and other offset) transitions.

Every transition from 2010 to 2030 in the zones below is found from tzdata (zoneinfo), and
schedules are walked over them: each kind the app uses (daily, weekday lists, weekly,
monthly on the 1st) and denser ones (several times a day, every 15 minutes, hourly) at
times placed in, at the edges of, and away from the repeated or skipped hour.

What must hold (the rule in ``bot.localtime``): each scheduled local time runs exactly
once, at the first instant the local clock reads it or later, so a time repeated when the
clocks go back runs at its first pass and a skipped time runs when the clocks jump; fire
times strictly increase; every run has exactly one period and consecutive daily periods
meet; each call returns within a bounded time. The expected runs come from an
independent oracle: the cron fields matched against every local minute, and every UTC
minute's local reading from zoneinfo (all of these zones change offset on whole minutes).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jobs.digests
from bot.digests.periods import last_fire, next_fire, period_for
from bot.escalations.sla import SlaPolicy, add_business_days
from bot.localtime import (
    CronSchedule,
    Fire,
    is_known_timezone,
    start_of_day,
    to_utc,
    wall_clock,
)

UTC = dt.UTC
MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)

# Northern and southern hemisphere DST, transitions at 01:00 UTC, 02:00 local, local
# midnight (Santiago, Sao Paulo until 2019, Havana, Tehran until 2022, Cairo, Beirut,
# Gaza) and 22:00 (Nuuk); 30-minute shifts (Lord Howe) and 30-minute offsets (St John's,
# Tehran, Chatham at +12:45); a 2-hour shift (Troll); negative DST (Dublin); Ramadan
# suspensions (Casablanca); one-off changes (Caracas 2016 and Pyongyang 2015 and 2018 by
# 30 minutes, Apia skipping all of 2011-12-30); and a zone with none (Kolkata).
ZONES = (
    "America/New_York",
    "America/St_Johns",
    "America/Havana",
    "America/Nuuk",
    "America/Santiago",
    "America/Sao_Paulo",
    "America/Caracas",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Berlin",
    "Africa/Cairo",
    "Africa/Casablanca",
    "Asia/Beirut",
    "Asia/Gaza",
    "Asia/Tehran",
    "Asia/Pyongyang",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "Pacific/Apia",
    "Antarctica/Troll",
)
YEARS = range(2010, 2031)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

PROPERTY = settings(
    max_examples=120,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples in CI every time; the sweep below covers all
    suppress_health_check=[HealthCheck.too_slow],
)


@dataclass(frozen=True)
class Transition:
    zone: str
    at: dt.datetime  # the first instant (UTC) on the new offset
    shift: dt.timedelta  # new offset minus old: positive = clocks go forward (a gap)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    @property
    def before(self) -> dt.datetime:
        """The local clock just before the change (naive)."""
        return wall_clock(self.at - dt.timedelta(seconds=1), self.tz)

    @property
    def after(self) -> dt.datetime:
        """The local clock at the change (naive)."""
        return wall_clock(self.at, self.tz)

    def __str__(self) -> str:
        return f"{self.zone} {self.at:%Y-%m-%d %H:%M}Z {self.shift}"


@functools.cache
def transitions() -> tuple[Transition, ...]:
    """Every UTC-offset change in ZONES during YEARS, to the second."""
    out: list[Transition] = []
    start = dt.datetime(YEARS[0], 1, 1, tzinfo=UTC)
    end = dt.datetime(YEARS[-1] + 1, 1, 1, tzinfo=UTC)
    for zone in ZONES:
        tz = ZoneInfo(zone)
        t = start
        offset = t.astimezone(tz).utcoffset()
        while t < end:
            nxt = t + dt.timedelta(days=1)
            new = nxt.astimezone(tz).utcoffset()
            if new != offset:
                lo, hi = int(t.timestamp()), int(nxt.timestamp())
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    if dt.datetime.fromtimestamp(mid, UTC).astimezone(tz).utcoffset() == offset:
                        lo = mid
                    else:
                        hi = mid
                assert new is not None and offset is not None
                out.append(Transition(zone, dt.datetime.fromtimestamp(hi, UTC), new - offset))
            offset, t = new, nxt
    return tuple(out)


def test_the_transitions_cover_what_the_docstring_says() -> None:
    found = transitions()
    zones = {t.zone for t in found}
    assert zones == set(ZONES) - {"Asia/Kolkata"}
    shifts = {t.shift for t in found}
    assert {dt.timedelta(minutes=30), dt.timedelta(minutes=-30)} <= shifts  # Lord Howe
    assert {dt.timedelta(hours=2), dt.timedelta(hours=-2)} <= shifts  # Troll
    assert dt.timedelta(days=1) in shifts  # Apia, Dec 30 2011
    assert {t.at.year for t in found} == set(YEARS)
    midnight = [t for t in found if t.shift > dt.timedelta(0) and t.before.hour == 23]
    assert {t.zone for t in midnight} >= {"America/Santiago", "America/Havana", "Asia/Beirut"}
    southern = [t for t in found if t.zone == "Australia/Sydney" and t.shift > dt.timedelta(0)]
    assert all(t.at.month in (9, 10) for t in southern)  # spring is in October there


# --- the oracle -----------------------------------------------------------------------


@dataclass(frozen=True)
class Cron:
    """A schedule as sets (the test's own reading), and the cron text the app gets."""

    minutes: tuple[int, ...]
    hours: tuple[int, ...] | None  # None: every hour
    dom: tuple[int, ...] | None  # None: every day of the month
    dow: tuple[int, ...] | None  # 0 = Monday; None: every day of the week
    kind: str  # how the app would use it: daily, weekly or monthly

    @property
    def text(self) -> str:
        def field(values: tuple[int, ...] | None, names: tuple[str, ...] | None = None) -> str:
            if values is None:
                return "*"
            return ",".join(names[v] if names else str(v) for v in values)

        return (
            f"{field(self.minutes)} {field(self.hours)} {field(self.dom)} * {field(self.dow, DAYS)}"
        )

    def matches(self, wall: dt.datetime) -> bool:
        return (
            wall.minute in self.minutes
            and (self.hours is None or wall.hour in self.hours)
            and (self.dom is None or wall.day in self.dom)
            and (self.dow is None or wall.weekday() in self.dow)
        )


def oracle(cron: Cron, tz: ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[Fire]:
    """The runs for the local times ``start <= w < end`` the schedule names (naive,
    whole minutes), by brute force: each one at the first UTC minute whose local
    reading is ``w`` or later; times that land on the same instant are one run."""
    walls = []
    w = start
    while w < end:
        if cron.matches(w):
            walls.append(w)
        w += MINUTE
    runs: list[Fire] = []
    t = start.replace(tzinfo=UTC) - dt.timedelta(hours=15)  # reads < start everywhere
    reading = wall_clock(t, tz)
    for w in walls:
        while reading < w:
            t += MINUTE
            reading = wall_clock(t, tz)
        if not runs or runs[-1].at != t:
            runs.append(Fire(t, w))
    return runs


def first_instant(wall: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """Brute force: the first UTC minute at which the local clock reads ``wall`` or later
    (scanning from two hours before the earlier of the offsets a day either side)."""
    naive_utc = wall.replace(tzinfo=UTC)
    offsets = [(naive_utc + d).astimezone(tz).utcoffset() for d in (-DAY, DAY)]
    t = naive_utc - max(o for o in offsets if o is not None) - dt.timedelta(hours=2)
    t = t.replace(second=0, microsecond=0)
    while wall_clock(t, tz) < wall:
        t += MINUTE
    return t


def bounded(fn: Callable[[], Any], seconds: float) -> Any:
    """``fn()`` run in a thread; fails the test if it has not returned in ``seconds``
    (a spinning loop would otherwise hang the suite)."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # re-raised below
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    started = time.perf_counter()
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    if "error" in box:
        raise box["error"]
    box["elapsed"] = time.perf_counter() - started
    return box["value"]


# --- strategies -------------------------------------------------------------------------


@st.composite
def transition_and_cron(draw: st.DrawFn) -> tuple[Transition, Cron]:
    tr = draw(st.sampled_from(transitions()))
    before, after = tr.before, tr.after
    near_hours = sorted({before.hour, after.hour, (before.hour - 1) % 24, (after.hour + 1) % 24})
    hour = st.one_of(st.sampled_from(near_hours), st.integers(0, 23))
    minute = st.one_of(
        st.sampled_from(sorted({0, 15, 30, 45, 59, before.minute, after.minute})),
        st.integers(0, 59),
    )
    shape = draw(
        st.sampled_from(
            (
                "daily",
                "weekdays",
                "weekday list",
                "weekly",
                "monthly on the 1st",
                "monthly on that day",
                "several times a day",
                "every 15 minutes in an hour",
                "hourly",
            )
        )
    )
    day = after.date() if draw(st.booleans()) else before.date()
    if shape == "daily":
        cron = Cron((draw(minute),), (draw(hour),), None, None, "daily")
    elif shape == "weekdays":
        cron = Cron((draw(minute),), (draw(hour),), None, (0, 1, 2, 3, 4), "daily")
    elif shape == "weekday list":
        dows = draw(st.sets(st.integers(0, 6), min_size=1, max_size=6))
        dows.add(day.weekday())
        cron = Cron((draw(minute),), (draw(hour),), None, tuple(sorted(dows)), "daily")
    elif shape == "weekly":
        cron = Cron((draw(minute),), (draw(hour),), None, (day.weekday(),), "weekly")
    elif shape == "monthly on the 1st":
        cron = Cron((draw(minute),), (draw(hour),), (1,), None, "monthly")
    elif shape == "monthly on that day":
        cron = Cron((draw(minute),), (draw(hour),), (day.day,), None, "monthly")
    elif shape == "several times a day":
        minutes = tuple(sorted(draw(st.sets(minute, min_size=1, max_size=3))))
        hours = tuple(sorted(draw(st.sets(hour, min_size=2, max_size=4))))
        cron = Cron(minutes, hours, None, None, "daily")
    elif shape == "every 15 minutes in an hour":
        cron = Cron((0, 15, 30, 45), (draw(hour),), None, None, "daily")
    else:
        cron = Cron((draw(minute),), None, None, None, "daily")
    return tr, cron


def window(tr: Transition) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight two days before the change to two days after (naive)."""
    day = tr.before.date()
    start = dt.datetime.combine(day - dt.timedelta(days=2), dt.time(0))
    return start, dt.datetime.combine(day + dt.timedelta(days=3), dt.time(0))


def trigger_fires(
    schedule: str, zone: str, start: dt.datetime, end: dt.datetime
) -> list[dt.datetime]:
    """Fire times of the job trigger from ``start`` to ``end``, asked as the scheduler
    asks (first ``(None, now)``, then ``(previous, now)``)."""
    trigger = jobs.digests.DigestTrigger(schedule, zone)
    out: list[dt.datetime] = []
    fire = trigger.get_next_fire_time(None, start)
    while fire is not None and fire < end:
        out.append(fire)
        fire = trigger.get_next_fire_time(fire, fire)
    return out


# --- the properties ---------------------------------------------------------------------


@PROPERTY
@given(transition_and_cron())
def test_each_scheduled_local_time_runs_once_in_order(case: tuple[Transition, Cron]) -> None:
    tr, cron = case
    tz = tr.tz
    start, end = window(tr)
    expected = oracle(cron, tz, start, end)
    schedule = CronSchedule(cron.text, tr.zone)
    lo, hi = to_utc(start, tz), to_utc(end, tz)
    began = time.perf_counter()
    got = list(schedule.fires(lo, hi - dt.timedelta(microseconds=1)))
    assert got == expected, (str(tr), cron.text)
    assert all(a.at < b.at and a.wall < b.wall for a, b in itertools.pairwise(got))
    assert all(f.at.tzinfo is UTC for f in got)
    # The job trigger (what APScheduler calls) gives the same instants.
    assert trigger_fires(cron.text, tr.zone, lo, hi) == [f.at for f in got]
    # Looking back from any moment of the night (both passes of a repeated hour
    # included) finds the run the oracle says, and the next one after it.
    moments = [tr.at + k * dt.timedelta(minutes=7) for k in range(-30, 31)]
    near = [f for f in got if abs(f.at - tr.at) < dt.timedelta(hours=6)]
    moments += [f.at + d for f in near for d in (dt.timedelta(0), dt.timedelta(seconds=-1))]
    text = cron.text
    for now in moments:
        if not lo <= now < hi:
            continue
        due = [f for f in expected if f.at <= now]
        upcoming = [f for f in expected if f.at > now]
        found = last_fire(text, tr.zone, now, within=dt.timedelta(days=35))
        if due:
            assert found == due[-1], (str(tr), cron.text, now)
        if upcoming:
            assert schedule.next_after(now) == upcoming[0], (str(tr), cron.text, now)
            assert next_fire(text, tr.zone, now + dt.timedelta(microseconds=1)) == (upcoming[0].at)
    assert time.perf_counter() - began < 5.0


@PROPERTY
@given(transition_and_cron())
def test_every_run_has_exactly_one_period_and_periods_meet(
    case: tuple[Transition, Cron],
) -> None:
    tr, cron = case
    tz = tr.tz
    start, end = window(tr)
    if cron.kind != "daily":  # weekly and monthly: walk a year of runs instead
        start -= dt.timedelta(days=180 if cron.kind == "monthly" else 40)
        end += dt.timedelta(days=180 if cron.kind == "monthly" else 40)
    runs = list(CronSchedule(cron.text, tr.zone).fires(to_utc(start, tz), to_utc(end, tz)))
    assert runs, cron.text
    periods = [period_for(cron.kind, r.day, schedule=cron.text, timezone=tr.zone) for r in runs]
    for run, period in zip(runs, periods, strict=True):
        assert period.run_date == run.day
        # Empty only for a day that never happened (Apia, 2011-12-30).
        assert period.utc(period.start) <= period.utc(period.end)
        assert period.start < period.end <= run.day
    days = sorted({r.day for r in runs})
    by_day = {p.run_date: p for p in periods}
    for earlier, later in itertools.pairwise(days):
        a, b = by_day[earlier], by_day[later]
        if cron.kind == "daily":
            assert (b.start, b.end) == (earlier, later), (str(tr), cron.text, later)
        elif cron.kind == "weekly" and cron.dow is not None and len(cron.dow) == 1:
            assert b.start == a.end and b.days == 7
        elif cron.kind == "monthly" and cron.dom == (1,):
            assert b.start == a.end and b.key != a.key


def test_every_transition_2010_2030_with_a_time_inside_the_change() -> None:
    """The sweep: every transition, a daily run scheduled inside the repeated or skipped
    stretch, at its first minute and at the new time. That day's run is at the first
    pass of a repeated time, at the jump for a skipped one; the other pass of a repeated
    time is the same run; the next run is the next scheduled time with a later instant;
    the next run's period covers exactly from this run's day."""
    began = time.perf_counter()
    count = 0
    for tr in transitions():
        tz = tr.tz
        inside = tr.before + dt.timedelta(seconds=1) + abs(tr.shift) / 2
        for wall in (inside, tr.before + dt.timedelta(seconds=1), tr.after):
            wall = wall.replace(second=0, microsecond=0)
            schedule = f"{wall.minute} {wall.hour} * * *"
            cron = CronSchedule(schedule, tr.zone)
            day = dt.datetime.combine(wall.date(), dt.time(0))
            runs = list(cron.fires(to_utc(day, tz), to_utc(day + 3 * DAY, tz)))
            first, second = runs[0], runs[1]
            assert first.at == first_instant(wall, tz), (str(tr), schedule)
            # Named by the first scheduled time that lands on this instant (Apia's
            # skipped Dec 30 00:00 and Dec 31 00:00 are one run, Dec 30's).
            assert first.wall <= wall and to_utc(first.wall, tz) == first.at
            later = next(at for k in (1, 2) if (at := first_instant(wall + k * DAY, tz)) > first.at)
            assert second.at == later and first.wall < second.wall, (str(tr), schedule)
            # The other pass of a repeated time belongs to the same run.
            other = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
            if other > first.at:
                assert cron.last_at_or_before(other, within=dt.timedelta(days=35)) == first
                assert cron.next_after(other) == second
            nxt = period_for("daily", second.day, schedule=schedule, timezone=tr.zone)
            assert (nxt.start, nxt.end) == (first.day, second.day)
            count += 1
    assert count == 3 * len(transitions()) > 2000
    assert time.perf_counter() - began < 15


# --- the reported case, and its kin ------------------------------------------------------


def test_the_reported_fall_back_night_terminates_and_runs_once() -> None:
    """``30 1 * * *`` in New York over 2026-11-01 (01:30 is 05:30Z and 06:30Z)."""
    schedule, zone = "30 1 * * *", "America/New_York"
    period = bounded(
        lambda: period_for("daily", dt.date(2026, 11, 3), schedule=schedule, timezone=zone), 5
    )
    assert (period.start, period.end) == (dt.date(2026, 11, 2), dt.date(2026, 11, 3))
    nov1 = bounded(
        lambda: period_for("daily", dt.date(2026, 11, 1), schedule=schedule, timezone=zone), 5
    )
    assert (nov1.start, nov1.end) == (dt.date(2026, 10, 31), dt.date(2026, 11, 1))
    first, second = (
        dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
    )
    # Both 01:30s are the same run; after either, the next run is Monday 01:30 EST.
    for now in (first, second, second + dt.timedelta(hours=1)):
        fire = bounded(
            lambda now=now: last_fire(schedule, zone, now, within=dt.timedelta(days=35)), 5
        )
        assert fire == Fire(first, dt.datetime(2026, 11, 1, 1, 30))
    assert next_fire(schedule, zone, first + dt.timedelta(seconds=1)) == dt.datetime(
        2026, 11, 2, 6, 30, tzinfo=UTC
    )
    trigger = jobs.digests.DigestTrigger(schedule, zone)
    assert trigger.get_next_fire_time(first, first) == dt.datetime(2026, 11, 2, 6, 30, tzinfo=UTC)
    assert trigger.get_next_fire_time(second, second) == dt.datetime(2026, 11, 2, 6, 30, tzinfo=UTC)
    # Every later look-back over that night (the 35-day window) stays fast.
    began = time.perf_counter()
    for hours in range(0, 35 * 24, 5):
        now = second + dt.timedelta(hours=hours)
        assert last_fire(schedule, zone, now, within=dt.timedelta(days=35)) is not None
    assert time.perf_counter() - began < 3


def test_the_spring_gap_runs_once_when_the_clocks_jump() -> None:
    """New York 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00Z)."""
    jump = dt.datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    for schedule in ("30 2 * * *", "0,30 2 * * *", "0 2,3 * * *", "*/15 2 * * sun"):
        runs = list(
            CronSchedule(schedule, "America/New_York").fires(
                jump - dt.timedelta(hours=3), jump + dt.timedelta(minutes=59)
            )
        )
        assert [r.at for r in runs] == [jump], schedule
    # Times after the gap run at their own time; the day before and after are normal.
    runs = list(
        CronSchedule("30 2 * * *", "America/New_York").fires(
            jump - dt.timedelta(days=1, hours=1), jump + dt.timedelta(days=1)
        )
    )
    assert [r.at for r in runs] == [
        dt.datetime(2026, 3, 7, 7, 30, tzinfo=UTC),
        jump,
        dt.datetime(2026, 3, 9, 6, 30, tzinfo=UTC),
    ]


def test_start_of_day_is_the_first_instant_of_the_local_day() -> None:
    for tr in transitions():
        for day in {tr.before.date(), tr.after.date()}:
            first = start_of_day(day, tr.tz)
            assert wall_clock(first, tr.tz).date() == day
            assert wall_clock(first - dt.timedelta(seconds=1), tr.tz).date() < day, str(tr)
    # Santiago, 2026-09-06: midnight does not happen; the day starts at 01:00 -03.
    assert start_of_day(dt.date(2026, 9, 6), ZoneInfo("America/Santiago")) == dt.datetime(
        2026, 9, 6, 4, 0, tzinfo=UTC
    )


@PROPERTY
@given(
    st.sampled_from(transitions()),
    st.integers(-3 * 24 * 60, 60),
    st.integers(1, 5),
)
def test_sla_business_days_keep_the_local_time_and_move_forward(
    tr: Transition, minutes_before: int, days: int
) -> None:
    tz = tr.tz
    start = tr.at + dt.timedelta(minutes=minutes_before)
    due = add_business_days(start, days, tz)
    local = wall_clock(start, tz)
    day, left = local.date(), days
    while left:
        day += dt.timedelta(days=1)
        left -= day.weekday() < 5
    wanted = dt.datetime.combine(day, local.time())
    assert due == first_instant(wanted, tz) > start, (str(tr), start)
    assert due.tzinfo is UTC
    policy = SlaPolicy(p1_minutes=30, p2_minutes=120)
    # Minutes are elapsed minutes, even over the change.
    assert policy.deadline("P1", start.astimezone(tz), tz) == start + dt.timedelta(minutes=30)
    assert policy.deadline("P2", start.astimezone(tz), tz) == start + dt.timedelta(hours=2)


@PROPERTY
@given(
    st.sampled_from(transitions()),
    st.integers(-180, 180),
    st.integers(-180, 180),
)
def test_to_utc_is_the_first_instant_reading_that_time_and_never_goes_back(
    tr: Transition, a: int, b: int
) -> None:
    tz = tr.tz
    w1 = tr.before.replace(second=0) + dt.timedelta(minutes=min(a, b))
    w2 = tr.before.replace(second=0) + dt.timedelta(minutes=max(a, b))
    assert to_utc(w1, tz) == first_instant(w1, tz)
    assert to_utc(w1, tz) <= to_utc(w2, tz)


# --- time zones that do not exist ------------------------------------------------------


@pytest.mark.parametrize(
    "zone",
    [
        "America/New_Yrok",
        "America",
        "America/",
        "right/UTC",
        "zone.tab",
        "Mars/Olympus",
        "EST 5",
        "localtime",
        "Factory",
    ],
)
def test_an_unknown_zone_is_refused(zone: str) -> None:
    assert not is_known_timezone(zone)


def test_known_zones_are_accepted() -> None:
    for zone in (*ZONES, "UTC", "US/Eastern", "Etc/GMT+5"):
        assert is_known_timezone(zone), zone


def _start(monkeypatch: pytest.MonkeyPatch, tmp_path: Any, teams: str, **env: str) -> int:
    from bot.cli import main

    path = tmp_path / "teams.yml"
    path.write_text(teams)
    monkeypatch.chdir(tmp_path)
    for key, value in {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "SF_INSTANCE_URL": "https://127.0.0.1:1",
        "SF_ACCESS_TOKEN": "token",
        "ACCTBOT_TEAMS_FILE": str(path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/bot.db",
        **env,
    }.items():
        monkeypatch.setenv(key, value)
    return main(["run", "--no-scheduler"])


GOOD_TEAM = "teams:\n  - name: night\n    channel: C0SMBEAST01\n"


@pytest.mark.parametrize("zone", ["America/New_Yrok", "America", "right/UTC"])
def test_an_unknown_zone_stops_start_up_with_one_sentence_naming_it(
    zone: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # In the teams file, for a team and as the file's default.
    for teams in (
        GOOD_TEAM + f"    timezone: {zone}\n",
        f"timezone: {zone}\n" + GOOD_TEAM,
    ):
        assert _start(monkeypatch, tmp_path, teams) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and f"'{zone}' is not a known time zone" in err, err
        assert "line" in err and "Traceback" not in err
    # In the environment.
    assert _start(monkeypatch, tmp_path, GOOD_TEAM, ACCTBOT_TIMEZONE=zone) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"ACCTBOT_TIMEZONE '{zone}'" in err, err


def test_a_schedule_that_never_runs_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _start(monkeypatch, tmp_path, GOOD_TEAM + "    schedule: '0 8 31 2 *'\n") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "'0 8 31 2 *' matches no date" in err, err


# --- sparse schedules and the late note -----------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "run_date", "previous"),
    [
        ("30 1 1 * *", dt.date(2026, 11, 1), dt.date(2026, 10, 1)),  # monthly, over fall-back
        ("0 8 1,15 * *", dt.date(2026, 11, 15), dt.date(2026, 11, 1)),
        ("0 8 1,15 * *", dt.date(2026, 11, 1), dt.date(2026, 10, 15)),
        ("0 9 * * mon", dt.date(2026, 11, 2), dt.date(2026, 10, 26)),
        ("0 8 * * mon-fri", dt.date(2026, 11, 2), dt.date(2026, 10, 30)),
    ],
)
def test_a_daily_digest_covers_every_day_since_the_previous_run(
    schedule: str, run_date: dt.date, previous: dt.date
) -> None:
    period = period_for("daily", run_date, schedule=schedule, timezone="America/New_York")
    assert (period.start, period.end) == (previous, run_date)


def test_the_late_note_gives_the_posted_time_its_zone_and_its_day() -> None:
    from bot.digests.render import late_note

    tz = ZoneInfo("America/New_York")
    due = dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 1:30 EDT, the first pass
    same_night = late_note(due, dt.datetime(2026, 11, 1, 6, 29, tzinfo=UTC), tz)
    assert "due at 1:30 AM EDT on Sun Nov 1" in same_night
    assert "posted at 1:29 AM EST." in same_night  # the second pass of the hour: EST
    next_day = late_note(due, dt.datetime(2026, 11, 2, 6, 29, tzinfo=UTC), tz)
    assert "posted at 1:29 AM EST on Mon Nov 2." in next_day


# --- cron as crontab(5) reads it ---------------------------------------------------------


@pytest.mark.parametrize(
    ("dow", "days"),
    [
        ("1-5", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
        ("mon-fri", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
        ("0", ["Sun"]),
        ("7", ["Sun"]),
        ("5-7", ["Fri", "Sat", "Sun"]),
        ("sat-sun", ["Sat", "Sun"]),
        ("*/2", ["Sun", "Tue", "Thu", "Sat"]),
        ("1,3,5", ["Mon", "Wed", "Fri"]),
    ],
)
def test_numeric_weekdays_are_crontabs_sunday_is_0_and_7(dow: str, days: list[str]) -> None:
    schedule = CronSchedule(f"0 8 * * {dow}", "America/New_York")
    week = schedule.fires(
        dt.datetime(2026, 6, 1, tzinfo=UTC), dt.datetime(2026, 6, 7, 23, 59, tzinfo=UTC)
    )
    got = [f.day.strftime("%a") for f in week]
    assert sorted(got) == sorted(days)


@pytest.mark.parametrize("dow", ["8", "mon-", "fri-mon", "*/0", "funday"])
def test_a_bad_weekday_field_is_refused(dow: str) -> None:
    from bot.localtime import ScheduleError

    with pytest.raises(ScheduleError):
        CronSchedule(f"0 8 * * {dow}", "America/New_York")


def test_both_day_fields_mean_either_as_in_crontab() -> None:
    schedule = CronSchedule("0 8 1 * mon", "America/New_York")
    june = schedule.fires(dt.datetime(2026, 6, 1, tzinfo=UTC), dt.datetime(2026, 7, 1, tzinfo=UTC))
    # Monday 1 June, and every Monday after it; the 1st of July is a Wednesday.
    assert [f.day.day for f in june] == [1, 8, 15, 22, 29]
    july = schedule.fires(dt.datetime(2026, 7, 1, tzinfo=UTC), dt.datetime(2026, 7, 7, tzinfo=UTC))
    assert [f.day for f in july] == [dt.date(2026, 7, 1), dt.date(2026, 7, 6)]


# --- "now" in the second pass of a repeated hour ------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "zone"),
    [
        ("30 1 * * *", "America/New_York"),
        ("30 5 * * *", "Europe/London"),
        ("30 1 1 * *", "America/New_York"),
    ],
)
def test_a_local_now_in_the_repeated_hour_never_gives_a_past_run(schedule: str, zone: str) -> None:
    from bot.digests.periods import next_fire
    from jobs.digests import DigestTrigger

    ny = ZoneInfo("America/New_York")
    # 01:10 EST, the second pass (fold=1): how APScheduler hands "now" in the app's zone.
    now = dt.datetime(2026, 11, 1, 6, 10, tzinfo=UTC).astimezone(ny)
    assert now.fold == 1
    trigger_next = DigestTrigger(schedule, zone).get_next_fire_time(None, now)
    assert trigger_next is not None and trigger_next > now
    upcoming = next_fire(schedule, zone, now)
    assert upcoming is not None and upcoming > now
    assert upcoming == trigger_next
