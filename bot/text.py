"""Text helpers: reading what a person typed from what Slack sent, Slack escaping, money,
dates and ages, the way the cards show them."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit


def unescape_slack(text: str) -> str:
    """Undo Slack's escaping of ``&``, ``<``, ``>`` in text it sends us."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def escape_slack(text: Any) -> str:
    """Escape ``&``, ``<``, ``>`` (Slack's three) in text we put into mrkdwn."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- what a person typed, from what Slack sent ------------------------------------------
#
# Slack does not pass a slash command's text through as typed. It escapes ``&``, ``<``
# and ``>``, and (with ``should_escape`` on, as in manifest.yml) turns what it recognises
# into markup: "URL detection is performed by the server", so a typed ``www.foo.com``
# arrives as ``<http://www.foo.com|www.foo.com>`` ("the full URL is included first, then
# a pipe character (|), then finally the originally typed version"); ``@name`` arrives as
# ``<@U123|name>``, ``#channel`` as ``<#C123|channel>``, a user group as
# ``<!subteam^S123|@group>``, ``@here`` as ``<!here>`` (https://api.slack.com/docs/formatting).
# E-mail addresses arrive as ``<mailto:a@b.com|a@b.com>`` and bare domains as
# ``<http://Booking.com|Booking.com>`` (seen in real workspaces: operable/cog#121). Markup
# always sits between ``<`` and ``>``, which typed text never contains unescaped.

_MARKUP = re.compile(r"<([^<>]*)>")
_SALESFORCE_HOST = re.compile(
    r"(?:^|\.)(?:force|salesforce|cloudforce|visualforce|salesforce-setup|database)\.com$",
    re.IGNORECASE,
)
# A Salesforce Id: a 3-character key prefix (001 Account, 801 Order, a0B a custom object;
# every prefix holds a digit), 12 more characters, and the optional 3-character case-safe
# suffix.
_ID = r"(?=[A-Za-z0-9]{0,2}[0-9])[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?"
_ID_IN_PATH = re.compile(r"/(" + _ID + r")(?:[/?#]|$)")
# A Lightning record page, /lightning/r/Account/001.../view, on any host (My Domain, a
# custom domain, the sandbox org).
_LIGHTNING_RECORD = re.compile(r"/lightning/r/(?:[A-Za-z0-9_]+/)?" + _ID + r"(?:[/?#]|$)")
_SPECIAL = ("here", "channel", "everyone")


def is_salesforce_record_url(url: str) -> bool:
    """Does ``url`` open one Salesforce record? A Lightning record page on any host
    (``/lightning/r/Account/001.../view``), or a Salesforce host (``*.force.com``,
    ``*.salesforce.com`` ...) with a record Id in its path (Classic ``/001...``)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:  # a malformed URL (a bad port, an unclosed IPv6 bracket)
        return False
    if parts.scheme.lower() not in ("http", "https"):
        return False
    if _LIGHTNING_RECORD.search(parts.path):
        return True
    return bool(_SALESFORCE_HOST.search(host) and _ID_IN_PATH.search(parts.path))


@dataclass(frozen=True)
class Mention:
    """A person, channel, user group or ``@here`` that Slack sent as a mention.

    ``kind`` is ``"user"`` (``id`` U.../W...), ``"channel"`` (C.../G...), ``"group"``
    (a user group, S...) or ``"special"`` (``id`` here, channel or everyone); ``label``
    is the name Slack sent with it, without ``@`` or ``#`` ("" when it sent none).
    """

    kind: str
    id: str
    label: str = ""

    @property
    def typed(self) -> str:
        """The mention as the person typed it: ``@ana``, ``#smb-east``, ``@sales-team``.

        Slack may send a mention without its name (``<@U123>``, ``<#C123|>``: an empty
        label is what a private channel gets, ltworf/localslackirc#333); until its name
        is filled in (:func:`bot.people.with_names`) a person or channel is its Slack
        mention markup, ``<@U123>`` / ``<#C123>`` (Slack shows that as the name; never a
        bare id), and a user group is "a user group"."""
        if self.label:
            return ("#" if self.kind == "channel" else "@") + self.label
        return self.mrkdwn

    @property
    def mrkdwn(self) -> str:
        """The mention for a message (mrkdwn, escaped): ``@ana`` or ``#smb-east`` as text
        (never a notification), and without a name Slack's own ``<@U123>`` /
        ``<#C123>``, which Slack shows as the person's or channel's name."""
        if self.label:
            return escape_slack(("#" if self.kind == "channel" else "@") + self.label)
        if self.kind == "user":
            return f"<@{self.id}>"
        if self.kind == "channel":
            return f"<#{self.id}>"
        if self.kind == "group":
            return "a user group"
        return escape_slack("@" + self.id)

    def named(self, label: str) -> Mention:
        """This mention with ``label`` as its name (kept when ``label`` is empty)."""
        return Mention(self.kind, self.id, label or self.label)

    def to_slack(self) -> str:
        """The mention in Slack's markup (what :func:`read_argument` reads back)."""
        label = escape_slack(self.label)
        if self.kind == "user":
            return f"<@{self.id}|{label}>" if label else f"<@{self.id}>"
        if self.kind == "channel":
            return f"<#{self.id}|{label}>" if label else f"<#{self.id}>"
        if self.kind == "group":
            return f"<!subteam^{self.id}|@{label}>" if label else f"<!subteam^{self.id}>"
        return f"<!{self.id}>"


@dataclass(frozen=True)
class Word:
    """One whitespace-separated word of an argument: ``text`` as typed, and the mention
    when the word is exactly one mention (``@ana``, not ``@ana's``)."""

    text: str
    mention: Mention | None = None

    def to_slack(self) -> str:
        return self.mention.to_slack() if self.mention else escape_slack(self.text)

    @property
    def mrkdwn(self) -> str:
        """The word for a message (escaped mrkdwn; see :attr:`Mention.mrkdwn`)."""
        return self.mention.mrkdwn if self.mention else escape_slack(self.text)


@dataclass(frozen=True)
class Argument:
    """A slash command's text (or a type-ahead's) read the way Slack sends it.

    ``text`` is what the person typed, unescaped, whitespace collapsed: a link is its
    typed label (``<http://Booking.com|Booking.com>`` -> ``Booking.com``, a mailto link
    -> the address, a link without a label -> its URL), except that a link to a
    Salesforce record is its URL whatever its label says (that record is what was meant);
    mentions read as typed (``@ana``, ``#smb-east``, ``@sales-team``, ``@here``), and
    ``words`` keep each mention's id. :meth:`to_slack` writes the argument back in Slack's
    form, which :func:`read_argument` reads to the same argument (button values carry
    it that way, so a Refresh re-reads the question exactly).
    """

    words: tuple[Word, ...] = ()

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def mention(self) -> Mention | None:
        """The mention, when the whole argument is one (``/orders @ana``)."""
        return self.words[0].mention if len(self.words) == 1 else None

    @property
    def user(self) -> str | None:
        """The Slack user id, when the whole argument is one person's mention."""
        m = self.mention
        return m.id if m is not None and m.kind == "user" else None

    @property
    def mrkdwn(self) -> str:
        """The argument for a message: escaped mrkdwn in which a mention without a name
        stays Slack's mention (shown as the name), never a bare id."""
        return " ".join(w.mrkdwn for w in self.words)

    def to_slack(self) -> str:
        return " ".join(w.to_slack() for w in self.words)

    def with_mentions(self, named: dict[str, Mention]) -> Argument:
        """This argument with each mention replaced by ``named[mention.id]`` when given
        (its name filled in)."""
        words = []
        for w in self.words:
            if w.mention is not None and w.mention.id in named:
                m = named[w.mention.id]
                words.append(Word(m.typed, m))
            else:
                words.append(w)
        return Argument(tuple(words))

    def __bool__(self) -> bool:
        return bool(self.words)


def _read_markup(inner: str) -> tuple[str, Mention | None]:
    """(what was typed, the mention) for the text between ``<`` and ``>``."""
    target, _, label = inner.partition("|")
    label = unescape_slack(label)
    if target.startswith("@"):
        return _typed(Mention("user", target[1:], label.lstrip("@")))
    if target.startswith("#"):
        return _typed(Mention("channel", target[1:], label.lstrip("#")))
    if target.startswith("!subteam^"):
        return _typed(Mention("group", target[len("!subteam^") :], label.lstrip("@")))
    if target.startswith("!"):
        name, *rest = target[1:].split("^")
        if name in _SPECIAL:
            return _typed(Mention("special", name, name))
        if label:  # <!date^...|fallback> and the like: the fallback is what was meant
            return label, None
        if name == "date" and rest:
            return slack_date_text(rest[0], rest[1] if len(rest) > 1 else "{date_short}"), None
        return "@" + name, None
    url = unescape_slack(target)
    if is_salesforce_record_url(url):
        return url, None
    if label:
        return label, None
    return url.removeprefix("mailto:"), None


_ORDINAL = {1: "st", 2: "nd", 3: "rd"}


def slack_date_text(timestamp: str, template: str) -> str:
    """The text of Slack's date formatting ``<!date^timestamp^template>`` when it came
    without its fallback: the template's tokens written out in UTC ("{date_num}" ->
    2014-02-18, "{date}" -> February 18th, 2014, "{date_short}" -> Feb 18, 2014,
    "{date_long}" -> Tuesday, February 18th, 2014, "{time}" -> 14:39 UTC; the "_pretty"
    forms as their plain ones, since "today" depends on the reader; Slack's token list:
    https://api.slack.com/reference/surfaces/formatting#date-formatting). A timestamp
    that is not a number is returned as it is."""
    try:
        when = dt.datetime.fromtimestamp(float(timestamp), dt.UTC)
    except (ValueError, OverflowError, OSError):
        return timestamp
    day = when.day
    suffix = "th" if 10 <= day % 100 <= 20 else _ORDINAL.get(day % 10, "th")
    date = f"{when:%B} {day}{suffix}, {when.year}"
    tokens = {
        "date_num": f"{when:%Y-%m-%d}",
        "date_slash": f"{when:%d/%m/%Y}",
        "date": date,
        "date_pretty": date,
        "date_short": f"{when:%b} {day}, {when.year}",
        "date_short_pretty": f"{when:%b} {day}, {when.year}",
        "date_long": f"{when:%A}, {date}",
        "date_long_pretty": f"{when:%A}, {date}",
        "date_long_full": f"{when:%B} {day}, {when.year}",
        "time": f"{when:%H:%M} UTC",
        "time_secs": f"{when:%H:%M:%S} UTC",
    }
    out = re.sub(r"\{(\w+)\}", lambda m: tokens.get(m.group(1), m.group(0)), template)
    return out.strip() or tokens["date_short"]


def _typed(mention: Mention) -> tuple[str, Mention]:
    return mention.typed, mention


def read_argument(raw: str | None) -> Argument:
    """What the person typed, from a slash command's ``text`` as Slack sends it (see
    :class:`Argument`). Never raises: text without markup is taken as typed."""
    pieces: list[tuple[str, Mention | None]] = []
    text = raw or ""
    pos = 0
    for m in _MARKUP.finditer(text):
        if m.start() > pos:
            pieces.append((unescape_slack(text[pos : m.start()]), None))
        pieces.append(_read_markup(m.group(1)))
        pos = m.end()
    if pos < len(text):
        pieces.append((unescape_slack(text[pos:]), None))

    words: list[Word] = []
    current: list[tuple[str, Mention | None]] = []

    def flush() -> None:
        typed = "".join(t for t, _ in current)
        if typed:
            only = current[0][1] if len(current) == 1 else None
            words.append(Word(typed, only))
        current.clear()

    for typed, mention in pieces:
        if mention is not None:
            current.append((typed, mention))
            continue
        for part in re.split(r"(\s+)", typed):
            if part.isspace():
                flush()
            elif part:
                current.append((part, None))
    flush()
    return Argument(tuple(words))


# Symbols for the currencies whose English (CLDR "en") symbol is unambiguous next to the
# others; any other ISO 4217 code is written before the figure ("CHF 1,200").
CURRENCY_SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "HKD": "HK$",
    "TWD": "NT$",
    "MXN": "MX$",
    "BRL": "R$",
    "CNY": "CN¥",
    "INR": "₹",
    "KRW": "₩",
    "ILS": "₪",
    "VND": "₫",
    "PHP": "₱",
}
# ISO 4217 minor units where they are not 2.
_MINOR_UNITS = {
    "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "PYG": 0, "UGX": 0, "XAF": 0,
    "XOF": 0, "XPF": 0, "KMF": 0, "GNF": 0, "RWF": 0, "VUV": 0, "DJF": 0, "BIF": 0,
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3, "LYD": 3, "IQD": 3,
}  # fmt: skip


def money(value: float | int | None, currency: str, *, compact: bool = False) -> str:
    """An amount in ``currency`` (an ISO 4217 code such as "USD" or "EUR") for a card.

    "$1,200", "€950", "¥5,000,000", "CHF 1,200"; cents whenever there are any
    ("$19.50", "$1,234.50": a figure is exact), never for a currency without minor units.
    ``compact`` ("$1.2M") is for places that say they round.
    None is "—". The amount is never converted: say which currency it is in.
    """
    if value is None:
        return "—"
    code = (currency or "").upper()
    symbol = CURRENCY_SYMBOLS.get(code)
    v = float(value)
    sign = "-" if v < 0 else ""
    v = abs(v)
    digits = _MINOR_UNITS.get(code, 2)
    if compact and v >= 1e3:
        for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if v >= size:
                figure = f"{v / size:,.1f}{suffix}".replace(".0" + suffix, suffix)
                break
    elif round(v, digits) == int(v) or digits == 0:
        figure = f"{v:,.0f}"
    else:
        figure = f"{v:,.{digits}f}"
    if symbol is not None:
        return f"{sign}{symbol}{figure}"
    return f"{sign}{code} {figure}" if code else f"{sign}{figure}"


def number(n: int | float) -> str:
    """A count with thousands separators: 2,301."""
    return f"{n:,}" if isinstance(n, int) else f"{n:,.0f}"


def quantity(value: float | int | str | None) -> str:
    """A quantity exactly as Salesforce gave it, with thousands separators: 2,000,000,
    1,234,567, 2.5, 0.125, 1,234.5678 (never rounded to a few significant digits, never
    in exponent form). None is "—"."""
    if value is None:
        return "—"
    try:
        exact = Decimal(str(value))  # a float's shortest repr is the JSON number sent
    except InvalidOperation:
        return str(value)
    if not exact.is_finite():
        return str(value)
    if exact == exact.to_integral_value():
        return f"{int(exact):,}"
    return f"{exact.normalize():,f}"


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
    return f"{days:,} days"


def plural(n: int, word: str, plural_word: str | None = None) -> str:
    """'1 order', '2,301 orders': the count with thousands separators."""
    return f"{n:,} {word if n == 1 else (plural_word or word + 's')}"


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def html_unescape(text: str) -> str:
    return html.unescape(text)


HELP_WORDS = frozenset({"help", "-h", "--help", "?", "usage"})


def is_help(text: str) -> bool:
    return text.strip().lower() in HELP_WORDS
