"""Which Salesforce record a pasted link or a bare Id names, and of which object.

Every command that takes an account or an order also accepts its record Id or a link to
it; each must tell an account's link from an order's or an opportunity's, and say so
rather than search account names for a URL. Salesforce encodes a record's object in the
first three characters of its Id, the key prefix ("The entity type of every Salesforce
record ID is encoded in its first three characters, known as the key prefix",
https://help.salesforce.com/s/articleView?id=000385203&type=1); standard objects have
the same prefix in every org. A Lightning record page also names the object in its path
(``/lightning/r/Opportunity/006.../view``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.text import is_salesforce_record_url

# Key prefixes of the standard objects a person may paste (the help article's table).
# Prefixes are case-sensitive ("00a" is not "00A").
KEY_PREFIXES = {
    "001": "Account",
    "003": "Contact",
    "005": "User",
    "006": "Opportunity",
    "00Q": "Lead",
    "00T": "Task",
    "00U": "Event",
    "01t": "Product2",
    "500": "Case",
    "701": "Campaign",
    "800": "Contract",
    "801": "Order",
    "802": "OrderItem",
}
_NOUNS = {
    "Account": "an account",
    "Contact": "a contact",
    "User": "a Salesforce user",
    "Opportunity": "an opportunity",
    "Lead": "a lead",
    "Task": "a task",
    "Event": "an event",
    "Product2": "a product",
    "Case": "a case",
    "Campaign": "a campaign",
    "Contract": "a contract",
    "Order": "an order",
    "OrderItem": "an order product",
}
# 15 characters (case-sensitive) or 18 (the case-safe form): the same record.
_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
_LIGHTNING = re.compile(
    r"/lightning/r/(?:(?P<object>[A-Za-z][A-Za-z0-9_]*)/)?(?P<id>[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?)(?:[/?#]|$)"
)
_CLASSIC = re.compile(r"^/(?P<id>[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?)(?:[/?#]|$)")


@dataclass(frozen=True)
class RecordRef:
    """A record named by a link or an Id: ``id`` (15 or 18 characters), ``object`` (the
    API name, "Account", "Order", "Opportunity" ..., or None when neither the link nor
    the key prefix says), and ``link`` (True for a URL, False for a bare Id)."""

    id: str
    object: str | None
    link: bool

    @property
    def noun(self) -> str:
        """ "an account", "an opportunity" ...; "a Salesforce record" when unknown."""
        if self.object is None:
            return "a Salesforce record"
        return _NOUNS.get(self.object) or f"a {self.object} record"

    @property
    def what(self) -> str:
        """What was pasted, for a sentence: "a link to an opportunity", "an order's Id"."""
        if self.link:
            return f"a link to {self.noun}"
        return f"{self.noun}'s Id"

    def is_a(self, obj: str) -> bool:
        return self.object == obj


def record_ref(text: str) -> RecordRef | None:
    """The record ``text`` names when it is exactly one Salesforce record link (a
    Lightning page on any host, or a Classic ``/<Id>`` on a Salesforce host) or one bare
    record Id of a known key prefix; otherwise None (then it is text to search for).
    Never raises."""
    t = text.strip()
    if not t or any(c.isspace() for c in t):
        return None
    if "://" in t:
        if not is_salesforce_record_url(t):
            return None
        try:
            path = urlsplit(t).path
        except ValueError:
            return None
        m = _LIGHTNING.search(path) or _CLASSIC.search(path)
        if m is None:
            return None
        rid = m.group("id")
        named = m.groupdict().get("object")
        return RecordRef(rid, KEY_PREFIXES.get(rid[:3]) or named, link=True)
    if _ID.match(t) and t[:3] in KEY_PREFIXES:
        return RecordRef(t, KEY_PREFIXES[t[:3]], link=False)
    return None


def wrong_record(ref: RecordRef, wanted: str, hint: str) -> str:
    """One plain sentence for a record of the wrong object: "That is a link to an
    opportunity, not to an account. <hint>" (``wanted`` is the noun, e.g. "an account")."""
    if ref.link:
        return f"That is {ref.what}, not to {wanted}. {hint}".strip()
    return f"That is {ref.what}, not {wanted}'s. {hint}".strip()
