"""Accounts: find one by name, number, Id or URL, and sum up where it stands, exactly.

The card comes from ONE composite request (one API call) of five queries on the one
account, however many records it has:

- "account": the account, with subqueries for the open deals closing today or later
  (the first is the next close; their ``totalSize`` is how many have not slipped), the
  not-dones (counted), the newest escalated cases and the contracts ending soon;
- "tops": the biggest open deal, and one child list of the overdue drafts and the
  orders activated in the last 90 days, newest activation first (the first row is the
  last activation; the overdue drafts are its ``totalSize`` less the activations the
  "orders" aggregate counts);
- three aggregates: open deals and deals won this quarter (count and amount); open
  orders by status and the recent activations; open cases by priority and escalation.

Salesforce answers at most five queries in one composite (REST API Developer Guide,
Composite: "up to 5 of these subrequests can be … query operations"), and a query names
each child relationship once, which is why counts that share a relationship with a list
come from the list's ``totalSize`` and an aggregate. No figure depends on how many rows
a subquery returns: Salesforce pages a child result past about 200 rows (``"done":
false`` inside the parent), so counts come from ``totalSize`` and aggregates only.

Every date bound is explicit, computed in ACCTBOT_TIMEZONE (``bot.dates``); "this
quarter" is the org's fiscal quarter; amounts carry their currency (``bot.money``);
finished order statuses are never open (``bot.orders.rules``).

An exact name or account number is that same one composite, the account query finding
the account by name and the others naming it by reference; any other text is a second
composite of light queries (prefix and "contains" matches, and a count), and the card of
the one account it settles on a third.

**Only what a person may read** (``probe``, bot/accounts/answer.py): the same composite
then also lists every deal and case the card counts (the biggest-deal subquery without
its ``LIMIT 1`` and with this quarter's won deals: open deals biggest first, then the won
ones; the escalated-case subquery with every open case, escalated and newest first), so
that each Id the card rests on can be checked for the person with UserRecordAccess; the
lists are read to their last page, the figures still come from the one composite. When
they may not read every deal and case, the card is read again with ``deal_ids`` and
``case_ids``: every deal and case query then keeps to those Ids, so the figures stay
Salesforce's exact counts and sums, of what the person may read.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.dates import FiscalYear, local_midnight, quarter_bounds
from bot.infra.salesforce import Reference, SalesforceError, SalesforceService, format_soql
from bot.money import Currencies, Total
from bot.orders.rules import OrderRules
from bot.records import record_ref
from bot.settings import DEFAULT_FINISHED_ORDER_STATUSES
from bot.text import parse_sf_date, plural
from bot.vocabulary import Vocabulary

MAX_MATCHES = 10
MAX_MATCH_IDS = 200  # one UserRecordAccess query's worth
TYPEAHEAD_OPTIONS = 50  # the type-ahead's options (Slack shows at most 100)
LISTED = 3  # escalated cases and contracts named on the card (the rest are counted)
CONTRACT_DAYS = 90
ACTIVATED_DAYS = 90  # the card's "last activated" looks this far back

# Objects whose records belong to one account (``AccountId``): a link to one of them in
# the escalation form's account search finds that account.
CHILDREN_OF_ACCOUNT = ("Order", "Opportunity", "Case", "Contract", "Contact")

MATCH_SELECT = "SELECT Id, Name, AccountNumber, BillingCity, BillingState, Owner.Name FROM Account "
ACCOUNT_FIELDS = (
    "Id, Name, AccountNumber, Type, Industry, BillingCity, BillingState, LastActivityDate, "
    "Owner.Name, Owner.Email"
)


@dataclass
class AccountMatch:
    id: str
    name: str
    number: str | None
    city: str | None
    state: str | None
    owner: str | None


@dataclass
class AccountStatus:
    """Where one account stands on ``today`` (local), every count and sum exact.

    Records (``next_close``, ``biggest``, ``last_activated``, ``escalated``,
    ``contracts``) are Salesforce records as returned; sums are :class:`Total` in the
    org's (corporate) currency.
    """

    id: str
    name: str
    number: str | None
    type: str | None
    industry: str | None
    city: str | None
    state: str | None
    owner_name: str | None
    owner_email: str | None
    last_activity: dt.date | None
    today: dt.date
    currencies: Currencies = field(default_factory=Currencies)
    priorities: tuple[str, ...] = Vocabulary().priorities  # the org's, most urgent first
    # pipeline
    open_count: int = 0
    open_total: Total = field(default_factory=lambda: Total(0.0, "USD"))
    won_count: int = 0
    won_total: Total = field(default_factory=lambda: Total(0.0, "USD"))
    slipped_count: int = 0
    next_close: dict[str, Any] | None = None
    biggest: dict[str, Any] | None = None
    # orders
    open_by_status: dict[str, int] = field(default_factory=dict)  # most first
    not_done_count: int = 0
    overdue_drafts: int = 0
    last_activated: dict[str, Any] | None = None
    # cases
    cases_by_priority: dict[str, int] = field(default_factory=dict)
    escalated_count: int = 0
    high_count: int = 0  # open, top priority, not escalated
    escalated: list[dict[str, Any]] = field(default_factory=list)  # newest first
    # contracts ending within CONTRACT_DAYS, soonest first
    contracts_count: int = 0
    contracts: list[dict[str, Any]] = field(default_factory=list)
    health: str = "green"
    reasons: list[str] = field(default_factory=list)
    # With ``probe``: the Ids the card rests on, to check who may read them: "deals"
    # (open, and won this quarter), "cases" (open), "orders" and "contracts" (those the
    # card names or counts).
    checked: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @property
    def open_orders(self) -> int:
        return sum(self.open_by_status.values())

    @property
    def stuck_orders(self) -> int:
        """Not-dones that are not overdue drafts (open too long)."""
        return self.not_done_count - self.overdue_drafts

    @property
    def open_cases(self) -> int:
        return sum(self.cases_by_priority.values())


@dataclass
class Lookup:
    """What a search found: one status, several matches, or suggestions."""

    status: AccountStatus | None = None
    matches: list[AccountMatch] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    resolved_id: str | None = None  # a cached search: which account it found
    total: int = 0  # how many accounts match in all (the picker shows the best)
    # Every match read, best first (beyond the picker's 10), and the Ids of the first
    # MAX_MATCH_IDS matches: a picker cut to what a person may read counts them exactly.
    candidates: list[AccountMatch] = field(default_factory=list)
    match_ids: list[str] = field(default_factory=list)
    # Close names for a search that matched nothing: (Id, name), best first.
    near: list[tuple[str, str]] = field(default_factory=list)
    exact: bool = True  # ``status`` was named exactly (Id, name, number), not just the one hit


_ACCOUNT_ID = re.compile(r"001[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?")


def is_account_id(text: str) -> bool:
    """Whether ``text`` is exactly a Salesforce Account Id (15 or 18 characters, key
    prefix 001), as an account select's option value or a button value carries it."""
    return bool(_ACCOUNT_ID.fullmatch(text))


def extract_account_id(text: str) -> str | None:
    """The account Id ``text`` names (an account's Id or a link to it, see
    :func:`bot.records.record_ref`), else None (a link to another object too)."""
    ref = record_ref(text)
    return ref.id if ref is not None and ref.is_a("Account") else None


# --- the card's queries ---------------------------------------------------------------


# The account the "account" query found, as the card's other queries name it when the
# card is asked for by name (a composite reference: the same request).
FOUND_ID = Reference("account", "records[0].Id")


@dataclass(frozen=True)
class CardQueries:
    """The five queries of one account's card, for ``today`` in the bot's zone.

    ``account_id`` is the account's Id, or :data:`FOUND_ID` when ``by_name`` is given:
    then the "account" query looks for an exact name or account number (at most two, so
    a second one shows the name is ambiguous) and the others read the first it found.
    ``probe`` also lists every deal and case the card counts (module docstring);
    ``deal_ids``/``case_ids`` keep every deal and case query to those Ids.
    """

    account_id: str | Reference
    today: dt.date
    rules: OrderRules
    currencies: Currencies
    by_name: str | None = None
    probe: bool = False
    deal_ids: tuple[str, ...] | None = None  # only these deals (a person's readable ones)
    case_ids: tuple[str, ...] | None = None  # only these cases
    fiscal: FiscalYear = field(default_factory=FiscalYear)

    def _only(self, ids: tuple[str, ...] | None) -> str:
        """`` AND Id IN (...)`` keeping to ``ids`` (nothing matches an empty list)."""
        if ids is None:
            return ""
        return format_soql(" AND Id IN {}", list(ids)) if ids else " AND Id = null"

    def build(self) -> dict[str, str]:
        """referenceId -> formatted SOQL (one composite request of five queries)."""
        return {
            "account": self.account(),
            "tops": self.tops(),
            "opps": self.opportunity_sums(),
            "orders": self.orders_by_status(),
            "cases": self.cases_by_priority(),
        }

    def _where_id(self) -> str:
        return format_soql(" FROM Account WHERE Id = {}", self.account_id)

    def _where_account(self) -> str:
        if self.by_name is None:
            return self._where_id()
        return format_soql(
            " FROM Account WHERE Name = {} OR AccountNumber = {} ORDER BY Name ASC, Id ASC LIMIT 2",
            self.by_name,
            self.by_name,
        )

    def _won_this_quarter(self) -> str:
        q_start, q_end = quarter_bounds(self.today, self.fiscal)
        return format_soql("IsWon = true AND CloseDate >= {} AND CloseDate <= {}", q_start, q_end)

    def _recently_activated(self) -> str:
        since = local_midnight(self.today - dt.timedelta(days=ACTIVATED_DAYS), self.rules.tz)
        return format_soql("StatusCode = 'Activated' AND ActivatedDate >= {}", since)

    def account(self) -> str:
        """The account; its open deals closing today or later (soonest first: the next
        close, and through ``totalSize`` how many have not slipped); its not-dones
        (counted); its newest escalated cases (with ``probe``: every open case, the
        escalated newest first); contracts ending within CONTRACT_DAYS."""
        t, cur = self.today, self.currencies.field
        if self.probe:
            cases = (
                "SELECT Id, CaseNumber, Subject, CreatedDate, IsEscalated FROM Cases"
                " WHERE IsClosed = false" + self._only(self.case_ids) + " ORDER BY IsEscalated"
                " DESC, CreatedDate DESC NULLS LAST, Id ASC"
            )
        else:
            cases = (
                "SELECT Id, CaseNumber, Subject, CreatedDate, IsEscalated FROM Cases"
                " WHERE IsClosed = false AND IsEscalated = true"
                + self._only(self.case_ids)
                + f" ORDER BY CreatedDate DESC NULLS LAST, Id ASC LIMIT {LISTED}"
            )
        return (
            f"SELECT {ACCOUNT_FIELDS}, "
            f"(SELECT Id, Name, StageName, Amount, CloseDate{cur} FROM Opportunities"
            + format_soql(" WHERE IsClosed = false AND CloseDate >= {}", t)
            + self._only(self.deal_ids)
            + " ORDER BY CloseDate ASC, Amount DESC NULLS LAST, Id ASC), "
            "(SELECT Id FROM Orders WHERE " + self.rules.not_done_soql(t) + "), "
            f"({cases}), "
            "(SELECT Id, ContractNumber, Status, EndDate FROM Contracts"
            + format_soql(
                " WHERE EndDate >= {} AND EndDate <= {}", t, t + dt.timedelta(days=CONTRACT_DAYS)
            )
            + " ORDER BY EndDate ASC, ContractNumber ASC)"
            + self._where_account()
        )

    def tops(self) -> str:
        """The biggest open deal (by the converted amount; with ``probe``: every open
        deal, biggest first, then this quarter's won deals), and the overdue drafts with
        the orders activated in the last ACTIVATED_DAYS days, newest activation first."""
        cur = self.currencies.field
        if self.probe:
            deals = (
                f"SELECT Id, Name, StageName, Amount, CloseDate, IsClosed{cur} FROM Opportunities"
                f" WHERE (IsClosed = false OR ({self._won_this_quarter()}))"
                + self._only(self.deal_ids)
                + " ORDER BY IsClosed ASC, Amount DESC NULLS LAST, CloseDate ASC, Id ASC"
            )
        else:
            deals = (
                f"SELECT Id, Name, StageName, Amount, CloseDate{cur} FROM Opportunities"
                " WHERE IsClosed = false"
                + self._only(self.deal_ids)
                + " ORDER BY Amount DESC NULLS LAST, CloseDate ASC, Id ASC LIMIT 1"
            )
        return (
            f"SELECT Id, ({deals}), "
            "(SELECT Id, OrderNumber, ActivatedDate FROM Orders WHERE ("
            + self.rules.overdue_soql(self.today)
            + ") OR ("
            + self._recently_activated()
            + ") ORDER BY ActivatedDate DESC NULLS LAST, Id ASC)"
            + self._where_id()
        )

    def opportunity_sums(self) -> str:
        """Open deals, and deals won this fiscal quarter: count and amount (grouped by
        currency in a multi-currency org, to say which currencies a converted sum
        holds)."""
        group = "IsWon" + self.currencies.field
        return (
            f"SELECT IsWon, COUNT(Id) n, SUM(Amount) amount{self.currencies.field} "
            + format_soql("FROM Opportunity WHERE AccountId = {} ", self.account_id)
            + f"AND (IsClosed = false OR ({self._won_this_quarter()}))"
            + self._only(self.deal_ids)
            + f" GROUP BY {group}"
        )

    def orders_by_status(self) -> str:
        """Open orders by status (StatusCode Draft), and the orders activated in the last
        ACTIVATED_DAYS days (StatusCode Activated), counted."""
        return (
            format_soql(
                "SELECT StatusCode, Status, COUNT(Id) n FROM Order WHERE AccountId = {} AND ((",
                self.account_id,
            )
            + self.rules.open_soql()
            + ") OR ("
            + self._recently_activated()
            + ")) GROUP BY StatusCode, Status"
        )

    def cases_by_priority(self) -> str:
        """Open cases, counted by priority and escalation."""
        return (
            format_soql(
                "SELECT Priority, IsEscalated, COUNT(Id) n FROM Case WHERE AccountId = {} "
                "AND IsClosed = false",
                self.account_id,
            )
            + self._only(self.case_ids)
            + " GROUP BY Priority, IsEscalated"
        )


def _children(sub: dict[str, Any] | None) -> list[dict[str, Any]]:
    """A child subquery's rows on this page: Salesforce gives null, not an empty list,
    when there are none."""
    return list(sub["records"]) if sub else []


def _child_count(sub: dict[str, Any] | None) -> int:
    """How many child rows matched in all (``totalSize``, also when the rows are paged)."""
    return int(sub["totalSize"]) if sub else 0


def _first(sub: dict[str, Any] | None) -> dict[str, Any] | None:
    rows = _children(sub)
    return rows[0] if rows else None


def _n(row: dict[str, Any]) -> int:
    return int(row.get("n") or 0)


# --- from the answers to a status -----------------------------------------------------


def build_status(
    found: dict[str, dict[str, Any]],
    today: dt.date,
    *,
    vocab: Vocabulary,
    rows: Callable[[dict[str, Any] | None], Iterable[dict[str, Any]]] = _children,
    probe: bool = False,
) -> AccountStatus | None:
    """An :class:`AccountStatus` from the card composite's results (referenceId ->
    query result, see :class:`CardQueries`), or None when the account does not exist.
    ``probe`` says the composite was built with it: then ``rows`` gives every row of
    the deal and case lists (following the child's pages; see
    ``SalesforceService.pages``), and ``checked`` is filled. The figures never depend
    on rows read: they are ``totalSize`` and aggregates."""
    accounts = found["account"]["records"]
    if not accounts:
        return None
    rec = accounts[0]
    st = _identity(rec, today, vocab)
    tops = (found["tops"]["records"] or [{}])[0]
    _pipeline(st, rec, tops, found["opps"]["records"])
    _orders(st, rec, tops, found["orders"]["records"])
    cases = list(rows(rec.get("Cases"))) if probe else _children(rec.get("Cases"))
    _cases(st, found["cases"]["records"], [c for c in cases if c.get("IsEscalated")][:LISTED])
    st.contracts_count = _child_count(rec.get("Contracts"))
    st.contracts = _children(rec.get("Contracts"))[:LISTED]
    if probe:
        deals = list(rows(tops.get("Opportunities")))  # open biggest first, then the won
        first = deals[0] if deals else None
        st.biggest = first if first is not None and not first.get("IsClosed") else None
        st.checked = {
            "deals": [r["Id"] for r in deals],
            "cases": [c["Id"] for c in cases],
            # Orders and contracts follow their account: the ones the card names are
            # checked (the account's own check covers the rest).
            "orders": [st.last_activated["Id"]] if st.last_activated else [],
            "contracts": [c["Id"] for c in st.contracts],
        }
    st.health, st.reasons = assess_health(st)
    return st


def _identity(rec: dict[str, Any], today: dt.date, vocab: Vocabulary) -> AccountStatus:
    owner = rec.get("Owner") or {}
    zero = Total(0.0, vocab.currencies.corporate)
    return AccountStatus(
        id=rec["Id"],
        name=rec["Name"],
        number=rec.get("AccountNumber"),
        type=rec.get("Type"),
        industry=rec.get("Industry"),
        city=rec.get("BillingCity"),
        state=rec.get("BillingState"),
        owner_name=owner.get("Name"),
        owner_email=owner.get("Email"),
        last_activity=parse_sf_date(rec.get("LastActivityDate")),
        today=today,
        currencies=vocab.currencies,
        priorities=vocab.priorities,
        open_total=zero,
        won_total=zero,
    )


def _pipeline(
    st: AccountStatus, rec: dict[str, Any], tops: dict[str, Any], sums: list[dict[str, Any]]
) -> None:
    won = [r for r in sums if r.get("IsWon")]
    still_open = [r for r in sums if not r.get("IsWon")]
    st.open_count = sum(_n(r) for r in still_open)
    st.won_count = sum(_n(r) for r in won)
    st.open_total = st.currencies.total(still_open, "amount")
    st.won_total = st.currencies.total(won, "amount")
    upcoming = rec.get("Opportunities")  # open, closing today or later, soonest first
    st.slipped_count = max(0, st.open_count - _child_count(upcoming))
    st.next_close = _first(upcoming)
    st.biggest = _first(tops.get("Opportunities"))


def _orders(
    st: AccountStatus, rec: dict[str, Any], tops: dict[str, Any], rows: list[dict[str, Any]]
) -> None:
    open_rows = sorted(
        (r for r in rows if r.get("StatusCode") != "Activated"),
        key=lambda r: (-_n(r), str(r.get("Status"))),
    )
    activated = sum(_n(r) for r in rows if r.get("StatusCode") == "Activated")
    st.open_by_status = {}
    for r in open_rows:
        status = str(r.get("Status"))
        st.open_by_status[status] = st.open_by_status.get(status, 0) + _n(r)
    st.not_done_count = _child_count(rec.get("Orders"))
    overdue_or_activated = tops.get("Orders")  # newest activation first, then the drafts
    st.overdue_drafts = max(0, _child_count(overdue_or_activated) - activated)
    newest = _first(overdue_or_activated)
    st.last_activated = newest if activated and newest and newest.get("ActivatedDate") else None


def _cases(
    st: AccountStatus, by_priority: list[dict[str, Any]], escalated: list[dict[str, Any]]
) -> None:
    top = st.priorities[0] if st.priorities else None
    counts: dict[str, int] = {}
    for row in by_priority:
        priority = str(row.get("Priority") or "None")
        n = _n(row)
        counts[priority] = counts.get(priority, 0) + n
        if row.get("IsEscalated"):
            st.escalated_count += n
        elif priority == top:
            st.high_count += n
    st.cases_by_priority = counts
    st.escalated = escalated


def assess_health(st: AccountStatus) -> tuple[str, list[str]]:
    """Green, amber or red, with the reasons that set it (README, "Health flag")."""
    red: list[str] = []
    amber: list[str] = []
    _case_health(st, red, amber)
    _order_health(st, red, amber)
    _contract_health(st, red, amber)
    if st.slipped_count:
        amber.append(f"{plural(st.slipped_count, 'deal')} past close date")
    _activity_health(st, red, amber)
    if red:
        return "red", red + amber
    if amber:
        return "amber", amber
    return "green", ["no open issues"]


def _case_health(st: AccountStatus, red: list[str], amber: list[str]) -> None:
    if st.escalated_count:
        red.append(f"{plural(st.escalated_count, 'escalated case')} open")
    if st.high_count:  # the escalated ones are counted above, so say "other" then
        other = "other " if st.escalated_count else ""
        amber.append(f"{plural(st.high_count, other + 'high-priority case')} open")


def _order_health(st: AccountStatus, red: list[str], amber: list[str]) -> None:
    n = st.not_done_count
    if n >= 3:
        red.append(f"{n:,} orders stuck or overdue")
    elif n:
        amber.append(f"{plural(n, 'order')} stuck or overdue")


def _contract_health(st: AccountStatus, red: list[str], amber: list[str]) -> None:
    for c in st.contracts:
        end = parse_sf_date(c.get("EndDate"))
        if end is None:
            continue
        days = (end - st.today).days
        when = "today" if days <= 0 else f"in {plural(days, 'day')}"
        label = f"contract {c['ContractNumber']} ends {when}"
        (red if days <= 30 and not st.open_count else amber).append(label)
    more = st.contracts_count - len(st.contracts)
    if more > 0:
        amber.append(f"{plural(more, 'more contract')} ending within {CONTRACT_DAYS} days")


def _activity_health(st: AccountStatus, red: list[str], amber: list[str]) -> None:
    if st.last_activity is None:
        amber.append("no activity logged")
        return
    idle = (st.today - st.last_activity).days
    if idle > 90:
        red.append(f"no activity for {idle:,} days")
    elif idle > 30:
        amber.append(f"no activity for {idle:,} days")


@dataclass
class Desk:
    """What the account and order desks share: Salesforce, the org's time zone, the
    not-done rule's settings and the org's vocabulary (picklists, currencies)."""

    sf: SalesforceService
    tz: dt.tzinfo = field(kw_only=True)
    stuck_days: int = field(kw_only=True)
    # The org's vocabulary (``bot.vocabulary.VocabularySource``): raises SalesforceError
    # when it cannot be read, so no card is ever drawn from stock values.
    vocabulary: Callable[[], Vocabulary] = field(kw_only=True)
    finished: tuple[str, ...] = field(default=DEFAULT_FINISHED_ORDER_STATUSES, kw_only=True)

    def rules(self) -> OrderRules:
        """The not-done rule with the org's draft status. Raises SalesforceError."""
        return OrderRules(self.tz, self.stuck_days, self.vocabulary().draft_status, self.finished)


class AccountFinder(Desk):
    def _queries(
        self,
        today: dt.date,
        account_id: str | Reference,
        by_name: str | None = None,
        *,
        probe: bool = False,
        deal_ids: tuple[str, ...] | None = None,
        case_ids: tuple[str, ...] | None = None,
    ) -> CardQueries:
        vocab = self.vocabulary()
        return CardQueries(
            account_id,
            today,
            self.rules(),
            vocab.currencies,
            by_name,
            probe=probe,
            deal_ids=deal_ids,
            case_ids=case_ids,
            fiscal=vocab.fiscal,
        )

    def _status(
        self, found: dict[str, dict[str, Any]], today: dt.date, *, probe: bool = False
    ) -> AccountStatus | None:
        return build_status(found, today, vocab=self.vocabulary(), rows=self.sf.pages, probe=probe)

    def by_id(
        self,
        account_id: str,
        today: dt.date,
        *,
        probe: bool = False,
        deal_ids: tuple[str, ...] | None = None,
        case_ids: tuple[str, ...] | None = None,
    ) -> AccountStatus | None:
        """The account's card: one composite request, however many records it has (with
        ``probe``, a page more per 200 deals or cases it lists by Id, for the access
        check). ``deal_ids``/``case_ids``: of those deals and cases only. Raises
        SalesforceError."""
        queries = self._queries(
            today, account_id, probe=probe, deal_ids=deal_ids, case_ids=case_ids
        )
        return self._status(self.sf.composite_queries(queries.build()), today, probe=probe)

    def find(self, text: str, today: dt.date, *, probe: bool = False) -> Lookup:
        """Search by Id, URL, account number or name.

        An exact name or account number is one composite request: the card's queries,
        the account found by name. Otherwise a second composite (one API call) searches:
        the best prefix and "contains" matches (so a prefix match is never crowded out by
        names that sort first) and how many match in all; one account found costs its
        card, several give a picker, none one more request for suggestions.
        """
        account_id = extract_account_id(text)
        if account_id:
            return Lookup(status=self.by_id(account_id, today, probe=probe))
        first = self.sf.composite_results(
            self._queries(today, FOUND_ID, by_name=text, probe=probe).build()
        )
        exact_answer = first["account"]
        if isinstance(exact_answer, SalesforceError):
            raise exact_answer
        exact = list(exact_answer["records"])
        if len(exact) == 1:
            answers = {ref: r for ref, r in first.items() if not isinstance(r, SalesforceError)}
            failed = next((r for r in first.values() if isinstance(r, SalesforceError)), None)
            if failed is not None:
                raise failed
            return Lookup(status=self._status(answers, today, probe=probe))
        return self._search(text, today, exact, probe=probe)

    def _search(
        self, text: str, today: dt.date, exact: list[dict[str, Any]], *, probe: bool = False
    ) -> Lookup:
        soql = self.sf.soql
        found = self.sf.composite_queries(
            {
                "prefix": soql(
                    MATCH_SELECT + "WHERE Name LIKE '{:like}%' ORDER BY Name ASC LIMIT {}",
                    text,
                    MAX_MATCHES,
                ),
                "contains": soql(
                    MATCH_SELECT + "WHERE Name LIKE '%{:like}%' ORDER BY Name ASC LIMIT {}",
                    text,
                    MAX_MATCHES,
                ),
                "count": soql(
                    "SELECT COUNT() FROM Account WHERE Name LIKE '%{:like}%' OR AccountNumber = {}",
                    text,
                    text,
                ),
                # The first MAX_MATCH_IDS matches' Ids: how many a person may read is then
                # counted exactly (bot/accounts/answer.py).
                "ids": soql(
                    "SELECT Id FROM Account WHERE Name LIKE '%{:like}%' OR AccountNumber = {} "
                    "ORDER BY Name ASC LIMIT {}",
                    text,
                    text,
                    MAX_MATCH_IDS,
                ),
            }
        )
        recs: dict[str, dict[str, Any]] = {r["Id"]: r for r in exact}
        for ref in ("prefix", "contains"):
            for rec in self.sf.pages(found[ref]):  # a short page may say "done": false
                recs.setdefault(rec["Id"], rec)
        if not recs:
            near = self.suggest_matches(text)
            return Lookup(suggestions=[name for _, name in near[:3]], near=near)
        ranked = rank(text, list(recs.values()))
        if len(ranked) == 1:
            return Lookup(
                status=self.by_id(ranked[0]["Id"], today, probe=probe),
                exact=_is_exact(text, ranked[0]),
            )
        total = max(int(found["count"]["totalSize"]), len(ranked))
        return Lookup(
            matches=[_match(r) for r in ranked[:MAX_MATCHES]],
            total=total,
            candidates=[_match(r) for r in ranked],
            match_ids=[r["Id"] for r in found["ids"]["records"]],
        )

    def matches_by_ids(self, ids: list[str]) -> list[AccountMatch]:
        """The accounts with these Ids (at most 200), by name, as a picker shows them
        (one request)."""
        if not ids:
            return []
        recs = self.sf.query_records(MATCH_SELECT + "WHERE Id IN {} ORDER BY Name ASC", ids[:200])
        return [_match(r) for r in recs]

    def suggest(self, text: str, limit: int = 3) -> list[str]:
        """Closest account names for a search that matched nothing (one more request)."""
        return [name for _, name in self.suggest_matches(text)[:limit]]

    def suggest_matches(self, text: str, limit: int = 20) -> list[tuple[str, str]]:
        """(Id, name) of the closest accounts for a search that matched nothing, best
        first (one request)."""
        words = [w for w in re.split(r"[\s,.&'\-]+", text) if len(w) >= 3][:4]
        if not words:
            return []
        template = (
            "SELECT Id, Name FROM Account WHERE "
            + " OR ".join(["Name LIKE '%{:like}%'"] * len(words) + ["Name LIKE '{:like}%'"])
            + " LIMIT 200"
        )
        recs = self.sf.query_records(template, *words, text[:2])
        ids: dict[str, str] = {}
        for r in recs:
            ids.setdefault(r["Name"], r["Id"])
        names = list(ids)
        close = difflib.get_close_matches(text, names, n=limit, cutoff=0.3) or names[:limit]
        return [(ids[name], name) for name in close]

    def search_options(self, text: str, limit: int = TYPEAHEAD_OPTIONS) -> list[AccountMatch]:
        """Accounts for a type-ahead select: the account an Id or a link names (a link to
        an order, opportunity, case, contract or contact: that record's account; to
        anything else: none), else the first ``limit`` (by name) whose name contains
        ``text`` or whose account number it is, best first. ``text`` is searched as given:
        cut it to length only after :func:`bot.records.record_ref` has had a look at it."""
        ref = record_ref(text)
        if ref is not None:
            if ref.is_a("Account"):
                recs = self.sf.query_records(
                    "SELECT Id, Name, AccountNumber, BillingCity, BillingState, Owner.Name "
                    "FROM Account WHERE Id = {}",
                    ref.id,
                )
                return [_match(r) for r in recs]
            if ref.object in CHILDREN_OF_ACCOUNT:  # constant object names only
                recs = self.sf.query_records(
                    "SELECT Account.Id, Account.Name, Account.AccountNumber, "
                    "Account.BillingCity, Account.BillingState, Account.Owner.Name "
                    f"FROM {ref.object} WHERE Id = {{}}",
                    ref.id,
                )
                return [_match(r["Account"]) for r in recs if r.get("Account")]
            return []
        recs = self.sf.query_records(
            "SELECT Id, Name, AccountNumber, BillingCity, BillingState, Owner.Name FROM Account "
            "WHERE Name LIKE '%{:like}%' OR AccountNumber = {} ORDER BY Name ASC LIMIT {}",
            text,
            text,
            limit,
        )
        return [_match(r) for r in rank(text, recs)]


def _is_exact(text: str, rec: dict[str, Any]) -> bool:
    t = text.strip().lower()
    return rec["Name"].lower() == t or (rec.get("AccountNumber") or "").lower() == t


def rank(text: str, recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Best matches first: exact, then prefix, then word start, then contains."""
    t = text.strip().lower()

    def score(rec: dict[str, Any]) -> tuple[int, str]:
        name = rec["Name"].lower()
        if _is_exact(text, rec):
            tier = 0
        elif name.startswith(t):
            tier = 1
        elif any(w.startswith(t) for w in name.split()):
            tier = 2
        else:
            tier = 3
        return tier, name

    return sorted(recs, key=score)


def _match(rec: dict[str, Any]) -> AccountMatch:
    owner = rec.get("Owner") or {}
    return AccountMatch(
        id=rec["Id"],
        name=rec["Name"],
        number=rec.get("AccountNumber"),
        city=rec.get("BillingCity"),
        state=rec.get("BillingState"),
        owner=owner.get("Name"),
    )
