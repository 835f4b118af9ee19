"""Local wall-clock times and UTC instants, and cron schedules that step in UTC.

Every schedule computation in acctbot (digest runs and the periods they cover, late
runs, SLA business days) goes through this module, so daylight-saving nights behave the
same way everywhere:

- A local time that happens twice (the hour repeated when clocks go back) means its
  first occurrence: one instant, so one run.
- A local time that never happens (the hour skipped when clocks go forward) means the
  first instant after the gap, the moment the clocks jump: the run happens once, then.

Both are one rule: the instant of wall-clock time ``w`` is *the first instant at which
the local clock reads ``w`` or later* (:func:`to_utc`). That mapping never goes back as
``w`` goes forward, so stepping from one run to the next always makes progress.

Arithmetic is done on UTC instants (aware, ``tzinfo=UTC``) or on naive wall-clock values,
never on aware local datetimes. Python adds a ``timedelta`` to an aware datetime as
wall-clock arithmetic and drops ``fold`` (PEP 495), so ``01:30 EST + 1 s`` comes out as
``01:30:01 EDT``, an hour *earlier*. APScheduler 3's ``CronTrigger`` works on aware local
datetimes and, across a fall-back night, fires a daily 01:30 schedule twice. Here cron
expressions are matched against naive wall-clock values (APScheduler's cron fields
evaluated in UTC, which has no DST) and each match is then mapped to its instant.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger

UTC = dt.UTC
_SECOND = dt.timedelta(seconds=1)
_TICK = dt.timedelta(microseconds=1)
# How far back :meth:`CronSchedule.last_at_or_before` looks first: most calls come right
# after a run, so the first window nearly always holds it.
_LOOK_BACK = (
    dt.timedelta(hours=1),
    dt.timedelta(days=1),
    dt.timedelta(days=8),
    dt.timedelta(days=32),
)
# Matching wall-clock times skipped by one :meth:`CronSchedule.next_after` call because
# their instant is not after the given one. Only times inside a repeated hour are
# skipped (a minute-by-minute cron over the longest fold in tzdata, a day, is 1,440), so
# reaching this bound means a bug: fail loudly rather than spin.
_MAX_SKIPPED = 100_000


class ScheduleError(ValueError):
    """A cron expression or time zone acctbot cannot schedule; ``str()`` says why."""


# Names tzdata lists that are not a place's time: ``localtime`` is whatever the host is
# set to (/etc/localtime), ``Factory`` is tzdata's "zone not set" placeholder.
_NOT_ZONES = frozenset({"localtime", "Factory"})


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def is_known_timezone(name: str) -> bool:
    """True when ``name`` is an IANA time zone this machine knows (``America/New_York``).

    Loads the zone with :class:`zoneinfo.ZoneInfo` and also requires it in
    :func:`zoneinfo.available_timezones`, which rules out directories (``America``), files
    that are not zones (``zone.tab``) and the leap-second ``right/`` variants, whose
    clocks are 27 s off for Python's datetimes; ``localtime`` (the host's zone, whatever
    it is) and ``Factory`` (tzdata's "not set" placeholder) are refused too.
    """
    if name in _NOT_ZONES:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return name in _zone_names()


def same_zone(a: str, b: str, around: dt.datetime, *, days: int = 400) -> bool:
    """Do the IANA zones ``a`` and ``b`` keep the same clock: the same UTC offset at
    every hour from ``days`` before ``around`` to ``days`` after it? ``US/Eastern`` and
    ``America/New_York`` do (one is a link to the other in the tz database); zones that
    share an offset only part of the year (``Europe/London`` and ``Africa/Abidjan``) do
    not. A name that is not a known zone is the same only as itself."""
    if a == b:
        return True
    if not (is_known_timezone(a) and is_known_timezone(b)):
        return False
    za, zb = ZoneInfo(a), ZoneInfo(b)
    start = as_utc(around) - dt.timedelta(days=days)
    for hour in range(0, days * 2 * 24 + 1):
        instant = start + dt.timedelta(hours=hour)
        if instant.astimezone(za).utcoffset() != instant.astimezone(zb).utcoffset():
            return False
    return True


def as_utc(instant: dt.datetime) -> dt.datetime:
    """``instant`` (aware) in UTC. Raises ``ValueError`` for a naive datetime."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{instant!r} has no time zone: give instants in UTC")
    return instant.astimezone(UTC)


def wall_clock(instant: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """What a clock in ``tz`` reads at ``instant`` (aware), as a naive datetime."""
    return as_utc(instant).astimezone(tz).replace(tzinfo=None)


def to_utc(wall: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """The first instant (UTC) at which a clock in ``tz`` reads ``wall`` or later.

    ``wall`` is a local wall-clock time; a ``tzinfo`` or ``fold`` on it is ignored. For a
    time that happens once that is simply its instant; for a time that happens twice
    (clocks go back) it is the first occurrence; for a time that never happens (clocks go
    forward over it) it is the instant the clocks jump, the first valid instant after it.
    Never earlier for a later ``wall``.
    """
    wall = wall.replace(tzinfo=None, fold=0)
    a = wall.replace(tzinfo=tz).astimezone(UTC)
    b = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    lo, hi = min(a, b), max(a, b)
    if wall_clock(lo, tz) == wall:
        return lo
    if wall_clock(hi, tz) == wall:
        return hi
    # In a gap: the clock reads before ``wall`` at ``lo`` and after it at ``hi`` (PEP 495:
    # fold=0 takes the offset before the transition, fold=1 the one after). Find the
    # transition, to the second (tzdata transitions are on whole seconds).
    low, high = math.floor(lo.timestamp()), math.ceil(hi.timestamp())
    if wall_clock(dt.datetime.fromtimestamp(low, UTC), tz) >= wall:
        return dt.datetime.fromtimestamp(low, UTC)
    while high - low > 1:
        mid = (low + high) // 2
        if wall_clock(dt.datetime.fromtimestamp(mid, UTC), tz) >= wall:
            high = mid
        else:
            low = mid
    return dt.datetime.fromtimestamp(high, UTC)


def start_of_day(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """The first instant (UTC) of local ``day`` in ``tz``: midnight, or the end of the gap
    when the clocks jump over midnight (as in America/Santiago or America/Havana)."""
    return to_utc(dt.datetime.combine(day, dt.time(0)), tz)


@dataclass(frozen=True)
class Fire:
    """One run of a schedule.

    ``at``: the instant it runs (aware, UTC). ``wall``: the local wall-clock time it was
    scheduled for (naive, in the schedule's zone); ``wall.date()`` is the run's day. In a
    gap ``at`` is later than ``wall`` reads (several scheduled times skipped by the same
    jump make one run, named by the first of them).
    """

    at: dt.datetime
    wall: dt.datetime

    @property
    def day(self) -> dt.date:
        """The local day the run was scheduled on."""
        return self.wall.date()


_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def cron_weekdays(field: str) -> str:
    """A cron day-of-week field read as crontab(5) does (0 and 7 are Sunday, 1 Monday;
    names; ranges, lists and steps) and written as a list of names, which APScheduler 3
    reads the same way (its own numbers start at 0 = Monday). ``*`` stays ``*``.
    Raises ``ValueError`` for a field that is not a day of the week."""
    if field == "*":
        return field
    days: set[int] = set()
    for item in field.lower().split(","):
        rng, slash, step_text = item.partition("/")
        if (slash and not step_text.isdigit()) or (slash and int(step_text) < 1):
            raise ValueError(f"'{item}' is not a day-of-week step")
        step = int(step_text) if slash else 1
        if rng == "*":
            lo, hi = 0, 6
        else:
            first, dash, last = rng.partition("-")
            lo = _cron_day(first)
            hi = _cron_day(last) if dash else (6 if slash else lo)
            if dash and hi == 0 and lo > 0:  # "sat-sun", "5-0": up to Sunday, the 7th day
                hi = 7
        if hi < lo:
            raise ValueError(f"'{item}' is a range that runs backwards")
        days.update(d % 7 for d in range(lo, hi + 1, step))
    return ",".join(_CRON_DAYS[d] for d in sorted(days))


def _cron_day(text: str) -> int:
    """0-7 (0 and 7 Sunday) or sun-sat, as crontab(5) numbers them."""
    if text.isdigit() and 0 <= int(text) <= 7:
        return int(text)
    if text in _CRON_DAYS:
        return _CRON_DAYS.index(text)
    raise ValueError(f"'{text}' is not a day of the week (0-7 or sun-sat)")


class CronSchedule:
    """A five-field cron expression (``minute hour day month day_of_week``, read as
    crontab(5) reads it: day_of_week 0 and 7 are Sunday, and when both day fields are
    restricted a day matching *either* runs) in an IANA time zone, as a set of instants
    that only goes forward.

    Each local wall-clock time the expression matches runs once, at :func:`to_utc` of
    it; scheduled times that map to the same instant (several inside one spring-forward
    gap) are one run. Raises :class:`ScheduleError` for a bad expression or zone.
    Instances are immutable and safe to share between threads.
    """

    def __init__(self, expression: str, timezone: str) -> None:
        from apscheduler.triggers.cron import CronTrigger  # imported when needed: slow

        if not is_known_timezone(timezone):
            raise ScheduleError(f"'{timezone}' is not a known time zone")
        self._walls: list[CronTrigger] = []
        try:
            fields = expression.split()
            if len(fields) != 5:
                raise ValueError(f"'{expression}' does not have five fields")
            minute, hour, dom, month, dow = fields
            dow = cron_weekdays(dow)
            # crontab(5): with both day fields restricted, either one matching is a run.
            shapes = [(dom, "*"), ("*", dow)] if dom != "*" and dow != "*" else [(dom, dow)]
            # Cron fields evaluated in UTC, which has no DST: a matcher of naive
            # wall-clock values.
            self._walls = [
                CronTrigger.from_crontab(f"{minute} {hour} {d} {month} {w}", timezone=UTC)
                for d, w in shapes
            ]
        except ValueError as exc:
            raise ScheduleError(str(exc)) from None
        self.expression = expression
        self.timezone = timezone
        self.tz = ZoneInfo(timezone)

    def __repr__(self) -> str:
        return f"CronSchedule({self.expression!r}, {self.timezone!r})"

    def _next_wall(self, wall: dt.datetime) -> dt.datetime | None:
        """The first wall-clock time at or after ``wall`` (naive) that the cron matches."""
        start = wall.replace(tzinfo=UTC)
        found = [f for w in self._walls if (f := w.get_next_fire_time(None, start)) is not None]
        return min(found).replace(tzinfo=None) if found else None

    def never_fires(self) -> bool:
        """True for an expression no date matches (``0 8 31 2 *``). Takes up to 0.2 s."""
        return self._next_wall(dt.datetime(2000, 1, 1)) is None

    def next_after(self, instant: dt.datetime) -> Fire | None:
        """The first run strictly after ``instant`` (aware), or None if there is none.

        Candidates are wall-clock matches from the wall-clock time of ``instant`` on; a
        candidate whose instant is not after ``instant`` (it lies in the first pass of a
        repeated hour while ``instant`` is in the second) is skipped, a bounded number of
        times. Raises ``RuntimeError`` if that bound is ever reached.
        """
        instant = as_utc(instant)
        wall: dt.datetime | None = wall_clock(instant, self.tz)
        for _ in range(_MAX_SKIPPED):
            assert wall is not None
            wall = self._next_wall(wall)
            if wall is None:
                return None
            at = to_utc(wall, self.tz)
            if at > instant:
                return Fire(at, wall)
            wall += _SECOND  # naive wall-clock value: plain arithmetic is right here
        raise RuntimeError(f"{self!r}: no run after {instant} within {_MAX_SKIPPED} steps")

    def fires(self, start: dt.datetime, end: dt.datetime) -> Iterator[Fire]:
        """The runs with ``start <= at <= end`` (aware instants), in strictly increasing
        order: at most one per minute between them, so the iteration is bounded."""
        fire = self.next_after(as_utc(start) - _TICK)
        end = as_utc(end)
        while fire is not None and fire.at <= end:
            yield fire
            fire = self.next_after(fire.at)

    def last_at_or_before(self, now: dt.datetime, *, within: dt.timedelta) -> Fire | None:
        """The latest run with ``now - within <= at <= now``, or None.

        Steps forward only, from a window start that widens (1 hour, 1 day, 8 days,
        32 days, then ``within``) until a run is found, so the work is about the runs in
        the last window, not in all of ``within``.
        """
        now = as_utc(now)
        floor = now - within
        for back in (*_LOOK_BACK, within):
            start = max(now - back, floor)
            last = None
            for fire in self.fires(start, now):
                last = fire
            if last is not None or start == floor:
                return last
        return None

    def run_on(self, day: dt.date) -> bool:
        """True when a run is scheduled on local ``day`` (a run's day is its
        :attr:`Fire.day`, so a time in a gap that merges into a run named by the day
        before does not count)."""
        wall = self._next_wall(dt.datetime.combine(day, dt.time(0)))
        while wall is not None and wall.date() == day:
            run = self.next_after(to_utc(wall, self.tz) - _TICK)
            if run is not None and run.day == day:
                return True
            wall = self._next_wall(wall + _SECOND)
        return False

    def previous_run_day(self, day: dt.date, *, within_days: int) -> dt.date | None:
        """The latest day before ``day`` (at most ``within_days`` back) with a run."""
        for back in range(1, within_days + 1):
            earlier = day - dt.timedelta(days=back)
            if self.run_on(earlier):
                return earlier
        return None


@functools.lru_cache(maxsize=512)
def cron_schedule(expression: str, timezone: str) -> CronSchedule:
    """A shared :class:`CronSchedule` for ``expression`` in ``timezone`` (cached)."""
    return CronSchedule(expression, timezone)
