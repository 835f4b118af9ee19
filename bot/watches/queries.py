"""The SOQL of watches: find what a person asked to watch, read it once to start from,
and find what changed for everybody's watches at once.

**Change detection costs one API call per check, however many people watch.** One
composite request (at most 5 queries, one API call; PLATFORM.md "Limits") holds one query
per kind of record (orders, deals, cases, contracts) for the records whose
``SystemModstamp`` moved since the last check, filtered to the watched Ids and the
watched accounts' records. ``SystemModstamp`` is the field to poll: it moves on every
change, by a person or by the system (Object Reference, "System Fields"), and it is
indexed.

The filter makes the answer small, but it grows with the number of watched records. A
subrequest's URL is kept under Salesforce's 16,384-byte limit on a request's URI and
headers (PLATFORM.md, "URL length"; the stricter reading is to hold every URL to it,
composite subrequests included). When the Ids no longer fit, that kind's query drops the
Id filter and asks for every record of the kind that changed since the last check; the
bot then keeps the watched ones. So the number of queries per check stays fixed (4, in
one request) whether 1 or 10,000 people watch; only the pages of a busy minute add
requests (2,000 records a page).

**The window is the org's time, not the bot's.** Each answer's ``Date`` header is the
org's clock (:meth:`SalesforceService.server_time`), the clock ``SystemModstamp`` is
stamped with; the check's next window starts from it, so a bot clock ahead of (or behind)
the org's loses nothing.

**An account watch starts from every record of the account** (:func:`baseline`: all its
orders, deals, cases and contracts, paged past 2,000 a kind), so any record first seen on
it later is one created, or moved there, since (``rules.first_news``).

Once a day the check **re-reads** what it is about to announce from the date alone, and
every record watched directly (:func:`reread`, through ``queryAll`` so a deleted record
says ``IsDeleted``; Id lists chunked under the URL limit, five queries a request).
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.accounts.queries import AccountMatch, Lookup
from bot.infra.salesforce import SalesforceNotFound, SalesforceService, format_soql
from bot.orders.queries import parse_order_ref
from bot.records import record_ref
from bot.watches import rules

# Salesforce refuses a request whose URI and headers pass 16,384 bytes (HTTP 414/431);
# leave room for the headers a client adds.
MAX_URL_BYTES = 16_384 - 2_048
MIN_NAME_CHARACTERS = 2  # letters or digits a name search needs

_ANY_ID = re.compile(
    r"(?<![A-Za-z0-9])((?:001|801|006|500|800)[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?)(?![A-Za-z0-9])"
)
_SOME_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
# A Slack-formatted link, <url> or <url|label>, alone.
_SLACK_LINK = re.compile(r"^<(https?://[^|>\s]+)(?:\|[^>]*)?>$")
_URL = re.compile(r"^https?://\S+$")


def _looks_like_id(text: str) -> bool:
    """A Salesforce Id of some other object (15 or 18 letters and digits, a key prefix
    with a digit, and digits throughout, as Ids have and names rarely do)."""
    return bool(
        _SOME_ID.match(text)
        and any(c.isdigit() for c in text[:3])
        and sum(c.isdigit() for c in text) >= 5
    )


@dataclass
class Target:
    """A record someone asked to watch. ``record``: its fields as the change query reads
    them (None for an account, whose watch covers its orders, deals, cases and contracts)."""

    record_id: str
    sobject: str
    label: str
    account_id: str | None
    account_name: str | None = None
    record: dict[str, Any] | None = None


@dataclass
class Resolution:
    """What ``/watch <text>`` points at: one target, accounts to choose from (``matches``;
    one that only contains the words typed is offered to confirm, never watched at once),
    or nothing (with suggestions or a reason)."""

    target: Target | None = None
    matches: list[AccountMatch] = field(default_factory=list)
    total: int = 0
    suggestions: list[str] = field(default_factory=list)
    problem: str | None = None
    # How it was named: "id" (an Id or a link), "number" (an order number), "name" (an
    # account's name or number); and the account search itself, to cut it per person.
    by: str = "name"
    lookup: Lookup | None = None


def to_18(record_id: str) -> str:
    """A 15-character Id with its case-safe suffix (Salesforce's checksum), else as is."""
    if len(record_id) != 15:
        return record_id
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    suffix = ""
    for chunk in range(3):
        bits = sum(
            1 << i for i, ch in enumerate(record_id[chunk * 5 : chunk * 5 + 5]) if ch.isupper()
        )
        suffix += chars[bits]
    return record_id + suffix


def find_id(text: str) -> str | None:
    """A watchable Salesforce Id in what was typed: the Id, or a record link."""
    m = _ANY_ID.search(text)
    return to_18(m.group(1)) if m else None


def only_id(text: str) -> bool:
    """Is ``text`` nothing but an Id or one link (as Slack sends a pasted URL,
    ``<https://...|label>``, or bare)? Words around an Id are not ignored: they may mean
    something else."""
    t = text.strip()
    return bool(_SLACK_LINK.match(t) or _URL.match(t) or _SOME_ID.match(t))


def name_characters(text: str) -> int:
    """How many letters and digits a name search has."""
    return sum(c.isalnum() for c in text)


def target_from(sobject: str, rec: dict[str, Any]) -> Target:
    account = rec.get("Account") or {}
    if sobject == "Account":
        return Target(rec["Id"], "Account", rules.label_of("Account", rec), rec["Id"], rec["Name"])
    return Target(
        record_id=rec["Id"],
        sobject=sobject,
        label=rules.label_of(sobject, rec),
        account_id=rec.get("AccountId"),
        account_name=account.get("Name"),
        record=rec,
    )


def read_record(
    sf: SalesforceService, sobject: str, record_id: str, currency_field: str = ""
) -> dict[str, Any] | None:
    """One record with the fields a watch keeps (one request). ``currency_field``:
    ``Currencies.field`` of the org."""
    if sobject == "Account":
        recs = sf.query_records("SELECT Id, Name FROM Account WHERE Id = {}", record_id)
    else:
        soql = rules.select(sobject, currency_field) + " WHERE Id = {}"
        recs = sf.query_records(soql, record_id)
    return recs[0] if recs else None


def resolve(
    sf: SalesforceService,
    find_account: Callable[[str, dt.date], Lookup],
    text: str,
    today: dt.date,
    currency_field: str = "",
) -> Resolution:
    """What ``text`` names: a Salesforce Id or link (account, order, deal, case,
    contract), an order number, or an account (name or number, searched as ``/account``
    does with ``find_account(text, today)``)."""
    record_id = find_id(text)
    other = record_ref(text)  # a link to or Id of a record no watch covers: say which
    if record_id is None and other is not None:
        what = (
            f"that is {other.what}"
            if other.link
            else f"`{text.strip()[:3]}…` is the Id of another kind of record ({other.noun})"
        )
        return Resolution(
            problem=f"I can watch accounts, orders, deals, cases and contracts; {what}."
        )
    if record_id is None and _looks_like_id(text.strip()):
        return Resolution(
            problem="I can watch accounts, orders, deals, cases and contracts; "
            f"`{text.strip()[:3]}…` is the Id of another kind of record."
        )
    if record_id is not None and not only_id(text):
        return Resolution(
            problem=f"`{record_id}` is a Salesforce Id, but there is more around it. Send the "
            "Id or the link alone (or an order number, or an account's name)."
        )
    if record_id is not None:
        sobject = rules.kind_of(record_id)
        assert sobject is not None
        try:
            rec = read_record(sf, sobject, record_id, currency_field)
        except SalesforceNotFound:
            rec = None
        if rec is None:
            return Resolution(
                problem=f"Salesforce has no {rules.NOUNS[sobject]} {record_id}.", by="id"
            )
        return Resolution(target=target_from(sobject, rec), by="id")
    ref = parse_order_ref(text)
    if ref is not None and ref[0] == "number":
        recs = sf.query_records(rules.SELECTS["Order"] + " WHERE OrderNumber = {} LIMIT 1", ref[1])
        if not recs:
            return Resolution(by="number")
        return Resolution(target=target_from("Order", recs[0]), by="number")
    if name_characters(text) < MIN_NAME_CHARACTERS:
        return Resolution(
            problem=f"Type at least {MIN_NAME_CHARACTERS} letters or digits of an account's "
            "name, an order number, or paste a Salesforce link."
        )
    found = find_account(text, today)
    if found.status is not None:
        st = found.status
        if not found.exact:  # one account *contains* the words: ask, as a picker does
            match = AccountMatch(st.id, st.name, st.number, st.city, st.state, st.owner_name)
            return Resolution(matches=[match], total=1, lookup=found)
        return Resolution(target=Target(st.id, "Account", st.name, st.id, st.name), lookup=found)
    if found.matches:
        return Resolution(matches=found.matches, total=found.total, lookup=found)
    return Resolution(suggestions=found.suggestions, lookup=found)


def baseline(
    sf: SalesforceService, target: Target, currency_field: str = ""
) -> tuple[list[tuple[str, dict[str, Any]]], dt.datetime | None]:
    """The records a new watch starts from, as (kind, record), and the org's time when it
    answered: the record itself, or **every** order, deal, case and contract of an
    account (one composite request: one API call, plus a request per 2,000 records past
    the first 2,000 of a kind). Every record, not only the open ones: an order activated
    before the watch can still change, a closed case can be reopened and escalated, and
    whatever is first seen later can then only be new or moved here."""
    if target.sobject != "Account":
        rec = target.record or read_record(sf, target.sobject, target.record_id, currency_field)
        # The record was read just now, in this thread (by ``resolve`` or above).
        return ([(target.sobject, rec)] if rec else []), sf.server_time()
    queries = {
        kind: sf.soql(f"{rules.select(kind, currency_field)} WHERE AccountId = {{}}",
                      target.record_id)
        for kind in rules.SELECTS
    }  # fmt: skip
    results = sf.composite_queries(queries)
    answered = sf.server_time()
    return list(_pages(sf, results)), answered


def change_queries(
    since: dt.datetime,
    direct: dict[str, set[str]],
    accounts: set[str],
    *,
    api_version: str,
    currency_field: str = "",
) -> dict[str, tuple[str, bool]]:
    """kind -> (SOQL, narrow) for each kind with something watched. ``narrow``: filtered
    to the watched Ids and accounts; otherwise every record of the kind changed since
    ``since`` (the filter would not fit in a URL)."""
    out: dict[str, tuple[str, bool]] = {}
    for kind in rules.SELECTS:
        ids = sorted(direct.get(kind, set()))
        if not ids and not accounts:
            continue
        base = rules.select(kind, currency_field) + " WHERE SystemModstamp >= {}"
        clauses, args = [], []
        if ids:
            clauses.append("Id IN {}")
            args.append(ids)
        if accounts:
            clauses.append("AccountId IN {}")
            args.append(sorted(accounts))
        narrow = format_soql(base + " AND (" + " OR ".join(clauses) + ")", since, *args)
        if url_bytes(narrow, api_version) <= MAX_URL_BYTES:
            out[kind] = (narrow, True)
        else:
            out[kind] = (format_soql(base, since), False)
    return out


@dataclass
class Changed:
    """What :func:`changed_since` found: (kind, record) pairs, whether each kind was
    filtered by Id (``narrow``), and the org's time when it answered (its ``Date``
    header; None if it sent none)."""

    records: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    narrow: dict[str, bool] = field(default_factory=dict)
    answered: dt.datetime | None = None


def changed_since(
    sf: SalesforceService,
    since: dt.datetime,
    direct: dict[str, set[str]],
    accounts: set[str],
    currency_field: str = "",
) -> Changed:
    """Every (kind, record) whose SystemModstamp is at or after ``since`` (the org's time)
    among the watched records (or, for a kind whose filter did not fit, among all of that
    kind), with each kind's narrowness and the org's time of the answer."""
    queries = change_queries(
        since, direct, accounts, api_version=sf.settings.api_version, currency_field=currency_field
    )
    if not queries:
        return Changed()
    results = sf.composite_queries({kind: soql for kind, (soql, _) in queries.items()})
    answered = sf.server_time()
    return Changed(
        records=list(_pages(sf, results)),
        narrow={kind: narrow for kind, (_, narrow) in queries.items()},
        answered=answered,
    )


@dataclass
class Reread:
    """What :func:`reread` found: the records returned by Id, deleted ones included
    (``IsDeleted`` true), and the org's time of the first answer."""

    records: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    answered: dt.datetime | None = None


def reread(sf: SalesforceService, ids: dict[str, set[str]], currency_field: str = "") -> Reread:
    """Read these records again by Id (kind -> Ids; ``Account`` too, by Id and name),
    through ``queryAll`` so a record in the recycle bin comes back with ``IsDeleted``
    true; one not returned at all is gone (emptied from the bin, or no longer readable).
    One query per kind and chunk of Ids (kept under the URL limit), five a request."""
    soqls: list[tuple[str, str]] = []
    for kind in sorted(ids):
        wanted = sorted(ids[kind])
        if not wanted:
            continue
        if kind == "Account":
            base = "SELECT Id, Name, IsDeleted FROM Account"
        else:
            base = rules.select(kind, currency_field).replace(" FROM ", ", IsDeleted FROM ", 1)

        def build(chunk: list[str], base: str = base) -> str:
            return sf.soql(base + " WHERE Id IN {}", chunk)

        soqls += [(kind, soql) for soql in sf.split_in(wanted, build)]
    out = Reread()
    for i in range(0, len(soqls), 5):
        batch = soqls[i : i + 5]
        results = sf.composite_queries(
            {f"{kind}_{i + n}": soql for n, (kind, soql) in enumerate(batch)},
            include_deleted=True,
        )
        if out.answered is None:
            out.answered = sf.server_time()
        for ref, rec in _pages(sf, results):
            out.records[rec["Id"]] = (ref.rsplit("_", 1)[0], rec)
    return out


def url_bytes(soql: str, api_version: str) -> int:
    """The length of the GET URL (path and query string) that carries ``soql``."""
    return len(f"/services/data/v{api_version}/query?" + urllib.parse.urlencode({"q": soql}))


def _pages(
    sf: SalesforceService, results: dict[str, dict[str, Any]]
) -> Iterable[tuple[str, dict[str, Any]]]:
    """(reference, record) for every record of a composite's query results, following
    each one's ``nextRecordsUrl`` (a request a page)."""
    for ref, page in results.items():
        for rec in sf.pages(page):
            yield ref, rec
