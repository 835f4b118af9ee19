"""Digest kinds, schedules and periods: what a run covers, in the team's time zone.

- **daily**: activity since the previous scheduled day (yesterday; on a Monday after a
  Mon-Fri schedule, Friday to Sunday). Period key: the run date, ``2026-11-18``.
- **weekly**: the last complete week (Sunday-Saturday, or Monday-Sunday with
  ACCTBOT_WEEK_START=monday), against the week before it. Period key: the week's first
  day, ``2026-11-08``.
- **monthly**: the last complete calendar month. Period key: ``2026-10``.

Schedules are cron expressions in the team's time zone (8:00 stays 8:00 local across
DST changes), computed by :class:`bot.localtime.CronSchedule`: in UTC, only forward. On a
night the clocks go back, a time in the repeated hour runs once (the first time); on a
night they go forward, a time in the skipped hour runs once, when the clocks jump. A
run's day is the local day it was scheduled on (:attr:`bot.localtime.Fire.day`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.dates import BOT_WEEK_START, week_bounds
from bot.localtime import Fire, as_utc, cron_schedule, cron_weekdays, start_of_day
from bot.teams import Team

KINDS = ("daily", "weekly", "monthly")
_HHMM = re.compile(r"^([01]?\d|2[0-3])[:.h]?([0-5]\d)?\s*(am|pm)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Delivery:
    """One digest kind of one team, to one channel, on one schedule."""

    team: Team
    kind: str
    channel: str
    schedule: str
    source: str = "file"  # "file" (teams file) or "slack" (/digest subscribe)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.team.timezone)

    @property
    def job_id(self) -> str:
        base = f"digest:{self.kind}:{self.team.name}"
        return base if self.channel == self.team.channel else f"{base}:{self.channel}"


@dataclass(frozen=True)
class Period:
    kind: str
    key: str
    run_date: dt.date  # the team-local day the digest is for ("today")
    start: dt.date  # first day covered
    end: dt.date  # day after the last day covered
    prev_start: dt.date | None = None  # weekly: the week before, for comparison
    tz: dt.tzinfo = dt.UTC
    week_start: int = BOT_WEEK_START  # ACCTBOT_WEEK_START (0 Monday … 6 Sunday)

    @property
    def week_end(self) -> dt.date:
        """The last day of the week ``run_date`` is in ("closing this week")."""
        return week_bounds(self.run_date, self.week_start)[1]

    def utc(self, day: dt.date) -> dt.datetime:
        """Local midnight at the start of ``day``, in UTC."""
        return local_midnight(day, self.tz)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def label(self) -> str:
        if self.kind == "daily":
            if self.days == 1:
                return self.run_date.strftime("%a %b %-d")
            return f"{self.run_date.strftime('%a %b %-d')} (since {self.start:%a %b %-d})"
        if self.kind == "weekly":
            last = self.end - dt.timedelta(days=1)
            return f"week of {self.start:%b %-d}–{last:%b %-d}"
        return self.start.strftime("%B %Y")

    @property
    def covered(self) -> str:
        """How a daily digest names the days it covers: 'yesterday' or 'since Fri'."""
        return "yesterday" if self.days == 1 else f"since {self.start:%a %b %-d}"


def local_midnight(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """The first instant (UTC) of local ``day`` in ``tz`` (see
    :func:`bot.localtime.start_of_day`: the end of the gap when clocks jump over midnight)."""
    return start_of_day(day, tz)


def parse_time(text: str) -> tuple[int, int] | None:
    """'8:00', '08:30', '17h', '9am', '5:30pm' -> (hour, minute), else None."""
    m = _HHMM.match(text.strip())
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    ampm = (m.group(3) or "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    return hour, minute


def schedule_at(kind: str, hour: int, minute: int) -> str:
    """The cron for a kind at a time: daily Mon-Fri, weekly Mondays, monthly on the 1st."""
    if kind == "daily":
        return f"{minute} {hour} * * mon-fri"
    if kind == "weekly":
        return f"{minute} {hour} * * mon"
    return f"{minute} {hour} 1 * *"


def schedule_for(team: Team, kind: str) -> str:
    """A teams-file team's schedule for a kind: its own for daily; weekly and monthly at
    the same time of day (8:00 when the daily schedule is not a single time)."""
    if kind == "daily":
        return team.schedule
    fields = team.schedule.split()
    minute, hour = fields[0], fields[1]
    if not (minute.isdigit() and hour.isdigit()):
        minute, hour = "0", "8"
    return schedule_at(kind, int(hour), int(minute))


def last_fire(
    schedule: str, timezone: str, now: dt.datetime, *, within: dt.timedelta
) -> Fire | None:
    """The latest run of ``schedule`` (cron, in ``timezone``) at or before ``now``
    (aware), looking back ``within``; None when there is none. ``Fire.at`` is UTC,
    ``Fire.day`` the local day it was scheduled on. Raises
    :class:`bot.localtime.ScheduleError` for a bad schedule or zone."""
    return cron_schedule(schedule, timezone).last_at_or_before(now, within=within)


def next_fire(schedule: str, timezone: str, now: dt.datetime) -> dt.datetime | None:
    """The first run of ``schedule`` (cron, in ``timezone``) at or after ``now`` (aware),
    as an instant in UTC; None for a schedule that never fires."""
    fire = cron_schedule(schedule, timezone).next_after(as_utc(now) - dt.timedelta(microseconds=1))
    return fire.at if fire is not None else None


def _previous_run_date(schedule: str, timezone: str, run_date: dt.date) -> dt.date:
    """The last day before ``run_date`` with a run (within a year), else the day before:
    a Mon-Fri digest on Monday covers Friday to Sunday, a daily digest scheduled on the
    1st and 15th covers the days since the last run. Days are the local days runs were
    scheduled on, so consecutive runs' periods meet without overlapping."""
    day = cron_schedule(schedule, timezone).previous_run_day(run_date, within_days=366)
    return day if day is not None else run_date - dt.timedelta(days=1)


def period_for(
    kind: str,
    run_date: dt.date,
    *,
    schedule: str,
    timezone: str,
    week_start: int = BOT_WEEK_START,
) -> Period:
    """What a ``kind`` digest run on local day ``run_date`` covers (dates only; the
    period turns them into instants with :meth:`Period.utc`); weeks start on
    ``week_start`` (0 Monday … 6 Sunday). Raises ``ValueError`` for an unknown kind."""
    tz = ZoneInfo(timezone)
    if kind == "daily":
        start = _previous_run_date(schedule, timezone, run_date)
        return Period(
            kind, run_date.isoformat(), run_date, start, run_date, tz=tz, week_start=week_start
        )
    if kind == "weekly":
        this_week, _ = week_bounds(run_date, week_start)
        start = this_week - dt.timedelta(days=7)
        return Period(
            kind,
            start.isoformat(),
            run_date,
            start,
            this_week,
            prev_start=start - dt.timedelta(days=7),
            tz=tz,
            week_start=week_start,
        )
    if kind == "monthly":
        end = run_date.replace(day=1)
        start = (end - dt.timedelta(days=1)).replace(day=1)
        return Period(
            kind, start.strftime("%Y-%m"), run_date, start, end, tz=tz, week_start=week_start
        )
    raise ValueError(f"unknown digest kind {kind!r}")


def describe_schedule(schedule: str) -> str:
    """'0 8 * * mon-fri' -> '8:00 Mon-Fri' for the common shapes, else the cron itself."""
    fields = schedule.split()
    if len(fields) != 5 or not (fields[0].isdigit() and fields[1].isdigit()):
        return f"`{schedule}`"
    at = f"{int(fields[1])}:{int(fields[0]):02d}"
    dom, month, dow = fields[2], fields[3], fields[4]
    if month != "*":
        return f"`{schedule}`"
    if dom == "*" and dow == "*":
        return f"{at} every day"
    if dom == "*":
        if not any(c.isdigit() for c in dow):
            return f"{at} on {dow.replace('-', '–').title()}"
        try:  # numbers as crontab(5) reads them: 0 and 7 are Sunday
            return f"{at} on {cron_weekdays(dow).title().replace(',', ', ')}"
        except ValueError:
            return f"`{schedule}`"
    if dow == "*" and dom.isdigit():
        return f"{at} on day {dom} of each month"
    return f"`{schedule}`"
