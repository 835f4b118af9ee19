"""SLA policy for escalations: when an unacknowledged escalation gets a reminder."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class SlaPolicy:
    """How long an escalation may stay unacknowledged before a reminder, per severity.

    P1 and P2 count wall-clock minutes; P3 and P4 count business days (Mon-Fri in the
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
            return f"{self.p1_minutes} min"
        if severity == "P2":
            return (
                f"{self.p2_minutes // 60} h"
                if self.p2_minutes % 60 == 0
                else f"{self.p2_minutes} min"
            )
        days = self.p3_business_days if severity == "P3" else self.p4_business_days
        return f"{days} business day{'s' if days != 1 else ''}"

    def deadline(self, severity: str, start: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
        if severity == "P1":
            return start + dt.timedelta(minutes=self.p1_minutes)
        if severity == "P2":
            return start + dt.timedelta(minutes=self.p2_minutes)
        days = self.p3_business_days if severity == "P3" else self.p4_business_days
        return add_business_days(start, days, tz)


def add_business_days(start: dt.datetime, days: int, tz: dt.tzinfo) -> dt.datetime:
    """The same local time ``days`` working days (Mon-Fri) later."""
    local = start.astimezone(tz)
    day = local.date()
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    naive = dt.datetime.combine(day, local.time().replace(tzinfo=None))
    return naive.replace(tzinfo=tz).astimezone(dt.UTC)
