"""Quiet hours and snoozes, in each watcher's own time zone, safe across daylight saving.

Times are only ever *stepped* in UTC. A local wall-clock time is used two ways, both
well defined on every day of the year:

- **Is it quiet now?** ``now`` (UTC) converted to the person's zone gives one wall-clock
  time; quiet hours are a range of wall-clock times (``19:00-08:00`` wraps past
  midnight). Held changes go out on the first check after the range ends: the start of
  the person's day, whatever the date's UTC offset.
- **When is "tomorrow morning"?** The person's next local date at the end of quiet hours,
  built from the *date* (never ``local_time + timedelta``, which is wall-clock arithmetic
  in Python and drops ``fold``; PLATFORM.md, "Daylight saving"), then converted to UTC.
  A wall-clock time repeated that day (clocks going back) is its first occurrence; one
  that does not exist (clocks going forward) is the instant the clocks jump
  (``bot.localtime.to_utc``, the rule every schedule in acctbot follows).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.localtime import is_known_timezone, to_utc

DEFAULT_START = dt.time(8, 0)  # the start of a day when quiet hours are off


@dataclass(frozen=True)
class QuietHours:
    """A nightly range of local wall-clock times with no alerts (``start`` to ``end``,
    wrapping past midnight when ``start`` is later); ``None`` range: never quiet."""

    hours: tuple[dt.time, dt.time] | None

    def is_quiet(self, now: dt.datetime, tz: dt.tzinfo) -> bool:
        """Is ``now`` (aware) inside quiet hours in ``tz``?"""
        if self.hours is None:
            return False
        start, end = self.hours
        local = now.astimezone(tz).time().replace(tzinfo=None)
        if start < end:
            return start <= local < end
        return local >= start or local < end

    @property
    def day_starts(self) -> dt.time:
        """When a person's day starts: the end of quiet hours."""
        return self.hours[1] if self.hours else DEFAULT_START

    def describe(self) -> str:
        """'7:00 PM–8:00 AM', or 'off'."""
        if self.hours is None:
            return "off"
        return f"{_clock(self.hours[0])}–{_clock(self.hours[1])}"


def next_morning(now: dt.datetime, tz: dt.tzinfo, starts: dt.time) -> dt.datetime:
    """The next start of the person's day after ``now``, in UTC (see the module doc)."""
    today = now.astimezone(tz).date()
    for days in (0, 1, 2):
        candidate = local_instant(today + dt.timedelta(days=days), starts, tz)
        if candidate > now:
            return candidate
    raise AssertionError("unreachable: a day starts within two days")


def local_instant(day: dt.date, at: dt.time, tz: dt.tzinfo) -> dt.datetime:
    """The UTC instant of wall-clock ``at`` on ``day`` in ``tz``, by acctbot's one rule
    for local times (``bot.localtime.to_utc``): a repeated time is its first occurrence,
    a skipped one the instant the clocks jump."""
    return to_utc(dt.datetime.combine(day, at), tz)


def zone(name: str | None, fallback: str) -> ZoneInfo:
    """``name`` as a time zone (Slack's ``tz``), else ``fallback`` (else UTC): only zones
    ``bot.localtime.is_known_timezone`` accepts."""
    for candidate in (name, fallback):
        if candidate and is_known_timezone(candidate):
            return ZoneInfo(candidate)
    return ZoneInfo("UTC")


def _clock(t: dt.time) -> str:
    hour = t.hour % 12 or 12
    return f"{hour}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"
