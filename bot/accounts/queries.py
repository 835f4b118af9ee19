"""Accounts: find one by name, number, Id or URL, and sum up where it stands.

The card comes from ONE Salesforce query: the account with relationship subqueries for
its opportunities, orders, cases and contracts. A name search runs that same query for
up to ``MAX_MATCHES`` accounts, so an unambiguous name still costs one request.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.infra.salesforce import SalesforceService
from bot.text import local_date, parse_sf_date
from bot.vocabulary import Vocabulary

MAX_MATCHES = 10

_ID = re.compile(r"^001[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$")
_ID_IN_URL = re.compile(r"/(001[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?)(?:[/?#]|$)")

# Constant SELECT; values only ever enter through format_soql placeholders.
CARD_SELECT = (
    "SELECT Id, Name, AccountNumber, Type, Industry, BillingCity, BillingState, "
    "LastActivityDate, Owner.Name, Owner.Email, "
    "(SELECT Id, Name, StageName, Amount, CloseDate, IsClosed, IsWon "
    " FROM Opportunities WHERE IsClosed = false OR (IsWon = true AND CloseDate = THIS_QUARTER)"
    " ORDER BY CloseDate ASC LIMIT 200), "
    "(SELECT Id, OrderNumber, Status, StatusCode, EffectiveDate, ActivatedDate, TotalAmount,"
    " CreatedDate FROM Orders WHERE StatusCode = 'Draft' OR ActivatedDate = LAST_N_DAYS:90"
    " ORDER BY CreatedDate DESC NULLS LAST LIMIT 200), "
    "(SELECT Id, CaseNumber, Subject, Priority, Status, IsEscalated, CreatedDate"
    " FROM Cases WHERE IsClosed = false ORDER BY CreatedDate DESC NULLS LAST LIMIT 200), "
    # NEXT_N_DAYS starts tomorrow: a contract ending today is the most urgent of all.
    "(SELECT Id, ContractNumber, Status, EndDate FROM Contracts"
    " WHERE EndDate = TODAY OR EndDate = NEXT_N_DAYS:90 ORDER BY EndDate ASC LIMIT 50) "
    "FROM Account "
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
    open_opps: list[dict[str, Any]] = field(default_factory=list)
    won_opps: list[dict[str, Any]] = field(default_factory=list)
    open_orders: list[dict[str, Any]] = field(default_factory=list)
    activated_orders: list[dict[str, Any]] = field(default_factory=list)
    overdue_drafts: list[dict[str, Any]] = field(default_factory=list)
    stuck_orders: list[dict[str, Any]] = field(default_factory=list)
    open_cases: list[dict[str, Any]] = field(default_factory=list)
    expiring_contracts: list[dict[str, Any]] = field(default_factory=list)
    health: str = "green"
    reasons: list[str] = field(default_factory=list)
    priorities: tuple[str, ...] = Vocabulary().priorities  # the org's, most urgent first

    @property
    def pipeline_total(self) -> float:
        return sum(o.get("Amount") or 0.0 for o in self.open_opps)

    @property
    def won_total(self) -> float:
        return sum(o.get("Amount") or 0.0 for o in self.won_opps)

    @property
    def next_close(self) -> dict[str, Any] | None:
        upcoming = [
            o for o in self.open_opps if (parse_sf_date(o["CloseDate"]) or self.today) >= self.today
        ]
        return min(upcoming, key=lambda o: o["CloseDate"]) if upcoming else None

    @property
    def slipped(self) -> list[dict[str, Any]]:
        return [o for o in self.open_opps if o["CloseDate"] < self.today.isoformat()]

    @property
    def biggest(self) -> dict[str, Any] | None:
        return max(self.open_opps, key=lambda o: o.get("Amount") or 0.0) if self.open_opps else None

    @property
    def orders_by_status(self) -> Counter[str]:
        return Counter(o["Status"] for o in self.open_orders)

    @property
    def last_activated(self) -> dict[str, Any] | None:
        if not self.activated_orders:
            return None
        return max(self.activated_orders, key=lambda o: o["ActivatedDate"])

    @property
    def cases_by_priority(self) -> Counter[str]:
        return Counter(c.get("Priority") or "None" for c in self.open_cases)

    @property
    def escalated_cases(self) -> list[dict[str, Any]]:
        return [c for c in self.open_cases if c.get("IsEscalated")]


@dataclass
class Lookup:
    """What a search found: one status, several matches, or suggestions."""

    status: AccountStatus | None = None
    matches: list[AccountMatch] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    resolved_id: str | None = None  # a cached search: which account it found
    total: int = 0  # how many accounts match in all (the picker shows the best)


def extract_account_id(text: str) -> str | None:
    text = text.strip()
    if _ID.match(text):
        return text
    m = _ID_IN_URL.search(text)
    return m.group(1) if m else None


def _records(sub: dict[str, Any] | None) -> list[dict[str, Any]]:
    """A child subquery: Salesforce gives null, not an empty list, when there are none."""
    return list(sub["records"]) if sub else []


def build_status(
    rec: dict[str, Any],
    today: dt.date,
    tz: dt.tzinfo,
    stuck_days: int,
    vocab: Vocabulary = Vocabulary(),  # noqa: B008 (frozen, immutable)
) -> AccountStatus:
    owner = rec.get("Owner") or {}
    st = AccountStatus(
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
    )
    for opp in _records(rec.get("Opportunities")):
        (st.won_opps if opp["IsWon"] else st.open_opps).append(opp)
    for order in _records(rec.get("Orders")):
        if order["StatusCode"] == "Activated":
            st.activated_orders.append(order)
            continue
        st.open_orders.append(order)
        reason = order_stuck_reason(order, today, tz, stuck_days, vocab.draft_status)
        if reason and reason.startswith("draft"):
            st.overdue_drafts.append(order)
        elif reason:
            st.stuck_orders.append(order)
    st.open_cases = _records(rec.get("Cases"))
    st.expiring_contracts = _records(rec.get("Contracts"))
    st.priorities = vocab.priorities
    st.health, st.reasons = assess_health(st)
    return st


def order_stuck_reason(
    order: dict[str, Any],
    today: dt.date,
    tz: dt.tzinfo,
    stuck_days: int,
    draft_status: str = "Draft",
) -> str | None:
    """Why an open order counts as a "not done", or None.

    A draft (the org's draft status) past its effective date, or an order still not
    activated ``stuck_days`` after it was created.
    """
    if order.get("StatusCode") == "Activated":
        return None
    effective = parse_sf_date(order.get("EffectiveDate"))
    created = local_date(order.get("CreatedDate"), tz)
    if order.get("Status") == draft_status and effective and effective < today:
        return f"draft {(today - effective).days} days past its effective date"
    if created and (today - created).days > stuck_days:
        return f"{order.get('Status', 'open').lower()} for {(today - created).days} days"
    return None


def not_done_age(
    order: dict[str, Any], today: dt.date, tz: dt.tzinfo, draft_status: str = "Draft"
) -> int:
    """Days a not-done has waited: a draft since its effective date, others since created."""
    start = (
        parse_sf_date(order.get("EffectiveDate")) if order.get("Status") == draft_status else None
    )
    created = local_date(order.get("CreatedDate"), tz) or today
    return (today - min(d for d in (start, created) if d is not None)).days


def assess_health(st: AccountStatus) -> tuple[str, list[str]]:
    """Green, amber or red, with the reasons that set it."""
    red: list[str] = []
    amber: list[str] = []
    escalated = st.escalated_cases
    if escalated:
        red.append(f"{len(escalated)} escalated case{'s' if len(escalated) > 1 else ''} open")
    top = st.priorities[0]
    high = [c for c in st.open_cases if c.get("Priority") == top and not c.get("IsEscalated")]
    if high:
        amber.append(f"{len(high)} high-priority case{'s' if len(high) > 1 else ''} open")
    not_dones = len(st.overdue_drafts) + len(st.stuck_orders)
    if not_dones >= 3:
        red.append(f"{not_dones} orders stuck or overdue")
    elif not_dones:
        amber.append(f"{not_dones} order{'s' if not_dones > 1 else ''} stuck or overdue")
    for c in st.expiring_contracts:
        end = parse_sf_date(c.get("EndDate"))
        if end is None:
            continue
        days = (end - st.today).days
        when = "today" if days <= 0 else f"in {days} day{'s' if days > 1 else ''}"
        label = f"contract {c['ContractNumber']} ends {when}"
        (red if days <= 30 and not st.open_opps else amber).append(label)
    if st.slipped:
        amber.append(f"{len(st.slipped)} deal{'s' if len(st.slipped) > 1 else ''} past close date")
    if st.last_activity is None:
        amber.append("no activity logged")
    else:
        idle = (st.today - st.last_activity).days
        if idle > 90:
            red.append(f"no activity for {idle} days")
        elif idle > 30:
            amber.append(f"no activity for {idle} days")
    if red:
        return "red", red + amber
    if amber:
        return "amber", amber
    return "green", ["no open issues"]


@dataclass
class Desk:
    """What the account and order desks share: Salesforce, the org's time zone, the
    stuck-order rule and the org's picklist vocabulary."""

    sf: SalesforceService
    tz: dt.tzinfo = field(kw_only=True)
    stuck_days: int = field(kw_only=True)
    vocabulary: Callable[[], Vocabulary] = field(default=Vocabulary, kw_only=True)


class AccountFinder(Desk):
    def _status(self, rec: dict[str, Any], today: dt.date) -> AccountStatus:
        return build_status(rec, today, self.tz, self.stuck_days, self.vocabulary())

    def by_id(self, account_id: str, today: dt.date) -> AccountStatus | None:
        recs = self.sf.query_records(CARD_SELECT + "WHERE Id = {}", account_id)
        return self._status(recs[0], today) if recs else None

    def find(self, text: str, today: dt.date) -> Lookup:
        """Search by Id, URL, account number or name; one request unless nothing matches."""
        account_id = extract_account_id(text)
        if account_id:
            status = self.by_id(account_id, today)
            return Lookup(status=status)
        # One composite request (one API call): exact matches, the best prefix and
        # "contains" matches (so an exact or prefix match is never crowded out by names
        # that sort first), and how many match in all.
        soql = self.sf.soql
        found = self.sf.composite_queries(
            {
                "exact": soql(
                    CARD_SELECT + "WHERE Name = {} OR AccountNumber = {} LIMIT 2", text, text
                ),
                "prefix": soql(
                    CARD_SELECT + "WHERE Name LIKE '{:like}%' ORDER BY Name ASC LIMIT {}",
                    text,
                    MAX_MATCHES,
                ),
                "contains": soql(
                    CARD_SELECT + "WHERE Name LIKE '%{:like}%' ORDER BY Name ASC LIMIT {}",
                    text,
                    MAX_MATCHES,
                ),
                "count": soql(
                    "SELECT COUNT() FROM Account WHERE Name LIKE '%{:like}%' OR AccountNumber = {}",
                    text,
                    text,
                ),
            }
        )
        recs: dict[str, dict[str, Any]] = {}
        for ref in ("exact", "prefix", "contains"):
            for rec in found[ref]["records"]:
                recs.setdefault(rec["Id"], rec)
        if not recs:
            return Lookup(suggestions=self.suggest(text))
        ranked = rank(text, list(recs.values()))
        exact = [r for r in ranked if _is_exact(text, r)]
        if len(ranked) == 1 or len(exact) == 1:
            chosen = exact[0] if exact else ranked[0]
            return Lookup(status=self._status(chosen, today))
        total = max(int(found["count"]["totalSize"]), len(ranked))
        return Lookup(matches=[_match(r) for r in ranked[:MAX_MATCHES]], total=total)

    def suggest(self, text: str, limit: int = 3) -> list[str]:
        """Closest account names for a search that matched nothing (one more request)."""
        words = [w for w in re.split(r"[\s,.&'\-]+", text) if len(w) >= 3][:4]
        if not words:
            return []
        template = (
            "SELECT Name FROM Account WHERE "
            + " OR ".join(["Name LIKE '%{:like}%'"] * len(words) + ["Name LIKE '{:like}%'"])
            + " LIMIT 200"
        )
        recs = self.sf.query_records(template, *words, text[:2])
        names = [r["Name"] for r in recs]
        return difflib.get_close_matches(text, names, n=limit, cutoff=0.3) or names[:limit]

    def search_options(self, text: str) -> list[AccountMatch]:
        """Accounts for a type-ahead select: the account an Id or a link names, else those
        whose name contains ``text`` or whose account number it is, best first."""
        account_id = extract_account_id(text)
        if account_id:
            recs = self.sf.query_records(
                "SELECT Id, Name, AccountNumber, BillingCity, BillingState, Owner.Name "
                "FROM Account WHERE Id = {}",
                account_id,
            )
            return [_match(r) for r in recs]
        recs = self.sf.query_records(
            "SELECT Id, Name, AccountNumber, BillingCity, BillingState, Owner.Name FROM Account "
            "WHERE Name LIKE '%{:like}%' OR AccountNumber = {} ORDER BY Name ASC LIMIT 50",
            text,
            text,
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
