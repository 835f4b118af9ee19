"""Date ranges the bot computes itself, in ACCTBOT_TIMEZONE (or a team's zone).

Salesforce evaluates SOQL date literals (TODAY, THIS_WEEK, THIS_QUARTER, LAST_N_DAYS:n)
in the time zone of the user who sends the query, and starts weeks on the first day of
that user's locale (SOQL and SOSL Reference, "Date Formats and Date Literals"): for
acctbot that is the integration user, whose zone and locale need not be the bot's. So
acctbot never sends a date literal; it sends explicit bounds computed here, and
``acctbot check`` says when the integration user's zone or locale differs.

acctbot's weeks start on ACCTBOT_WEEK_START (Sunday by default, or Monday), for "this
week" everywhere and the weekly digest's week. Its quarters are the org's fiscal quarters:
a standard fiscal year starts on the first day of ``Organization.FiscalYearStartMonth``
(January unless an admin changed it) and is named after the calendar year it ends in,
or the one it starts in when ``Organization.UsesStartDateAsFiscalYearName`` is true
(Object Reference, Organization). Custom fiscal years (FiscalYearSettings with
``IsStandardYear`` false) are not followed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


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
MONDAY, SUNDAY = 0, 6  # date.weekday() numbering
BOT_WEEK_START = SUNDAY  # ACCTBOT_WEEK_START's default


@dataclass(frozen=True)
class FiscalYear:
    """The org's standard fiscal year: it starts on the 1st of ``start_month`` (1 =
    January; ``Organization.FiscalYearStartMonth``) and is named after the calendar
    year it starts in when ``named_by_start`` (``UsesStartDateAsFiscalYearName``), else
    the year it ends in (Salesforce's default)."""

    start_month: int = 1
    named_by_start: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.start_month <= 12:
            raise ValueError(f"a fiscal year starts in month 1 to 12, not {self.start_month}")

    @property
    def is_calendar(self) -> bool:
        return self.start_month == 1

    def year_start(self, day: dt.date) -> dt.date:
        """The first day of the fiscal year ``day`` falls in."""
        year = day.year if day.month >= self.start_month else day.year - 1
        return dt.date(year, self.start_month, 1)

    def name(self, day: dt.date) -> int:
        """The fiscal year's name (a year number) for ``day``."""
        start = self.year_start(day)
        if self.is_calendar or self.named_by_start:
            return start.year
        return start.year + 1


def local_midnight(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """The UTC instant ``day`` starts in ``tz`` (for SOQL datetime bounds)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)


def week_bounds(today: dt.date, first_day: int = BOT_WEEK_START) -> tuple[dt.date, dt.date]:
    """The bot's week around ``today``: (its first day, its last day). ``first_day`` is
    the weekday weeks start on (0 Monday … 6 Sunday; ACCTBOT_WEEK_START)."""
    start = today - dt.timedelta(days=(today.weekday() - first_day) % 7)
    return start, start + dt.timedelta(days=6)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def quarter_bounds(today: dt.date, fiscal: FiscalYear = FiscalYear()) -> tuple[dt.date, dt.date]:
    """The fiscal quarter around ``today``: (first day, last day). With the default
    fiscal year these are calendar quarters (Jan-Mar, ...)."""
    months = (today.year * 12 + today.month - 1) - (
        fiscal.year_start(today).year * 12 + fiscal.start_month - 1
    )
    start = _add_months(fiscal.year_start(today), months // 3 * 3)
    return start, _add_months(start, 3) - dt.timedelta(days=1)


def quarter_number(today: dt.date, fiscal: FiscalYear = FiscalYear()) -> int:
    """1 to 4: which quarter of its fiscal year ``today`` is in."""
    start, _ = quarter_bounds(today, fiscal)
    first = fiscal.year_start(today)
    return ((start.year - first.year) * 12 + start.month - first.month) // 3 + 1


def quarter_label(today: dt.date, fiscal: FiscalYear = FiscalYear()) -> str:
    """'Q4 2026' in a calendar fiscal year; 'Q3 FY2027' in any other."""
    n = quarter_number(today, fiscal)
    if fiscal.is_calendar:
        return f"Q{n} {today.year}"
    return f"Q{n} FY{fiscal.name(today)}"


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
