"""Date ranges the bot computes itself, in ACCTBOT_TIMEZONE (or a team's zone).

Salesforce evaluates SOQL date literals (TODAY, THIS_WEEK, THIS_QUARTER, LAST_N_DAYS:n)
in the time zone of the user who sends the query, and starts weeks on the first day of
that user's locale (SOQL and SOSL Reference, "Date Formats and Date Literals"): for
acctbot that is the integration user, whose zone and locale need not be the bot's. So
acctbot never sends a date literal; it sends explicit bounds computed here, and
``acctbot check`` says when the integration user's zone or locale differs.

acctbot's weeks run Sunday to Saturday (as the weekly digest's); its quarters are
calendar quarters (Jan-Mar, ...).
"""

from __future__ import annotations

import datetime as dt


def _territories(codes: str) -> frozenset[str]:
    return frozenset(codes.split())


# Unicode CLDR week data (supplementalData.xml, weekData/firstDay): territories whose
# week starts on Sunday, or on Saturday; every other territory starts on Monday.
_SUNDAY_FIRST = _territories(
    "AG AS BD BR BS BT BW BZ CA CO DM DO ET GT GU HK HN ID IL IN JM JP KE KH KR LA MH MM "
    "MO MT MX MZ NI NP PA PE PH PK PR PT PY SA SG SV TH TT TW UM US VE VI WS YE ZA ZW"
)
_SATURDAY_FIRST = _territories("AE AF BH DJ DZ EG IQ IR JO KW LY OM QA SD SY")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
BOT_WEEK_START = 6  # Sunday (date.weekday() numbering)


def local_midnight(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """The UTC instant ``day`` starts in ``tz`` (for SOQL datetime bounds)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)


def week_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    """The bot's week around ``today``: (Sunday, Saturday)."""
    start = today - dt.timedelta(days=(today.weekday() - BOT_WEEK_START) % 7)
    return start, start + dt.timedelta(days=6)


def quarter_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar quarter around ``today``: (first day, last day)."""
    q0 = (today.month - 1) // 3 * 3 + 1
    start = dt.date(today.year, q0, 1)
    end_month = q0 + 3
    end = dt.date(today.year + (end_month > 12), (end_month - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def quarter_label(today: dt.date) -> str:
    """'Q4 2026'."""
    return f"Q{(today.month - 1) // 3 + 1} {today.year}"


def locale_week_start(locale: str) -> int | None:
    """The first day of the week (0 = Monday … 6 = Sunday) in a Salesforce locale such as
    ``en_US`` or ``de_DE`` (by its territory, per CLDR), or None when it names none."""
    parts = locale.replace("-", "_").split("_")
    territory = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()), None)
    if territory is None:
        return None
    if territory in _SUNDAY_FIRST:
        return 6
    if territory in _SATURDAY_FIRST:
        return 5
    return 0
