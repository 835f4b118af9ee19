"""Text helpers: Slack escaping, money, dates and ages, the way the cards show them."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_LINK = re.compile(r"^<(https?://[^|>]+)(?:\|[^>]*)?>$")


def unescape_slack(text: str) -> str:
    """Undo Slack's escaping of ``&``, ``<``, ``>`` in text it sends us."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def escape_slack(text: Any) -> str:
    """Escape ``&``, ``<``, ``>`` (Slack's three) in text we put into mrkdwn."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def parse_mention(text: str) -> str | None:
    """The user id in ``<@U123|name>``, or None."""
    m = _MENTION.match(text.strip())
    return m.group(1) if m else None


def parse_link(text: str) -> str:
    """``<https://x|label>`` (how Slack sends a typed link) becomes ``https://x``."""
    m = _LINK.match(text.strip())
    return m.group(1) if m else text.strip()


def clean_argument(text: str | None) -> str:
    """A slash command's text: unescaped, links unwrapped, whitespace collapsed."""
    raw = " ".join((text or "").split())
    return unescape_slack(parse_link(raw)) if raw else ""


def money(value: float | int | None, *, compact: bool = False) -> str:
    if value is None:
        return "—"
    v = float(value)
    if compact:
        for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if abs(v) >= size:
                return f"${v / size:,.1f}{suffix}".replace(".0" + suffix, suffix)
    return f"${v:,.0f}" if v == int(v) or abs(v) >= 1000 else f"${v:,.2f}"


def parse_sf_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def parse_sf_datetime(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    text = value.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):
        text = text[:-2] + ":" + text[-2:]
    return dt.datetime.fromisoformat(text)


def local_date(value: str | None, tz: dt.tzinfo) -> dt.date | None:
    """A Salesforce datetime string as a date in the given time zone."""
    when = parse_sf_datetime(value)
    return when.astimezone(tz).date() if when else None


def slack_date(day: dt.date | None, *, today: dt.date | None = None) -> str:
    """'Nov 22' (with the year when it is not this year's)."""
    if day is None:
        return "—"
    if today is not None and day.year != today.year:
        return day.strftime("%b %-d, %Y")
    return day.strftime("%b %-d")


def days_between(earlier: dt.date, later: dt.date) -> int:
    return (later - earlier).days


def age(days: int) -> str:
    if days <= 0:
        return "today"
    if days == 1:
        return "1 day"
    return f"{days} days"


def plural(n: int, word: str, plural_word: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural_word or word + 's')}"


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def html_unescape(text: str) -> str:
    return html.unescape(text)


HELP_WORDS = frozenset({"help", "-h", "--help", "?", "usage"})


def is_help(text: str) -> bool:
    return text.strip().lower() in HELP_WORDS
