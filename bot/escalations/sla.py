"""SLA policy for escalations: when an unacknowledged escalation gets a reminder."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.localtime import as_utc, to_utc, wall_clock


@dataclass(frozen=True)
class SlaPolicy:
    """How long an escalation may stay unacknowledged before a reminder, per severity.

    P1 and P2 count elapsed minutes; P3 and P4 count business days (Mon-Fri in the
    app's time zone: the same local time N working days later). ``Settings`` reads it
    from ``ACCTBOT_SLA_P1_MINUTES`` (30), ``ACCTBOT_SLA_P2_MINUTES`` (120),
    ``ACCTBOT_SLA_P3_BUSINESS_DAYS`` (1) and ``ACCTBOT_SLA_P4_BUSINESS_DAYS`` (3).
    """

    p1_minutes: int = 30
    p2_minutes: int = 120
    p3_business_days: int = 1
    p4_business_days: int = 3

    def describe(self, severity: str) -> str:
        if severity == "P1":
            return f"{self.p1_minutes:,} min"
        if severity == "P2":
            return (
                f"{self.p2_minutes // 60:,} h"
                if self.p2_minutes % 60 == 0
                else f"{self.p2_minutes:,} min"
            )
        days = self.p3_business_days if severity == "P3" else self.p4_business_days
        return f"{days} business day{'s' if days != 1 else ''}"

    def deadline(self, severity: str, start: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
        """When an escalation of ``severity`` opened (or last reminded) at ``start``
        (aware) is due a reminder, in UTC. P1/P2: elapsed minutes, counted in UTC, so a
        night the clocks change is as long as it really is. P3/P4: business days in
        ``tz`` (:func:`add_business_days`)."""
        if severity == "P1":
            return as_utc(start) + dt.timedelta(minutes=self.p1_minutes)
        if severity == "P2":
            return as_utc(start) + dt.timedelta(minutes=self.p2_minutes)
        days = self.p3_business_days if severity == "P3" else self.p4_business_days
        return add_business_days(start, days, tz)


def add_business_days(start: dt.datetime, days: int, tz: dt.tzinfo) -> dt.datetime:
    """The same local time ``days`` working days (Mon-Fri in ``tz``) after ``start``
    (aware), in UTC. The day count is on local dates; the time is then placed with
    :func:`bot.localtime.to_utc`: if it happens twice that day (clocks go back) the
    first one, if it does not happen (clocks go forward over it) the moment they jump.
    """
    local = wall_clock(start, tz)
    day = local.date()
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return to_utc(dt.datetime.combine(day, local.time()), tz)
