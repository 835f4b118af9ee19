"""The digests' figures, for many teams at once.

One run for several teams asks Salesforce a FIXED number of queries, whatever the
number of teams: one per section (daily: 4, weekly: 2, monthly: 1), each filtered by all
the teams' owners at once (``Account.Owner.Email IN (...)``) and over the union of their
periods (teams in other time zones have other midnights). When the owners' e-mails
would make a query's URL too long, that query is asked in chunks of owners, each as
large as fits (``SalesforceService.split_in``): each owner is in one chunk, so the
records, and every count and sum, are the same as one query's. All the run's queries
(every section, every chunk) go five at a time in composite requests
(``SalesforceService.iter_many``: one API call for five first pages), and each further
page is read as the records stream past.

Records are split per team as they stream past, and each team keeps only counters, per
currency sums (``bot.money.Amounts``: never added across currencies) and the first
``LIST_LIMIT`` lines per section; not-dones are kept per account. Memory stays flat on a
large org, and a digest reads in thirty seconds at any size.

A team's scope is the accounts its owners own (``Account.Owner.Email``).

A record that cannot be read (a malformed date, an amount that is not a number) is
skipped and logged; it never fails the batch, which serves every team at once, and the
teams it belonged to say that their figures leave a record out.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.digests.periods import Period
from bot.infra.salesforce import SalesforceService, format_soql
from bot.money import Amounts, Currencies
from bot.orders.rules import OrderRules
from bot.settings import DEFAULT_FINISHED_ORDER_STATUSES
from bot.text import parse_sf_date, parse_sf_datetime
from bot.vocabulary import Vocabulary

log = logging.getLogger(__name__)

LIST_LIMIT = 10  # lines a section names per team (the rest are counted)
ACCOUNT_LIMIT = 10  # accounts the not-dones name per team (the rest are counted)
ORDERS_PER_ACCOUNT = 3  # the oldest not-dones named under each of those accounts

# Query templates: ``{cur}`` is the currency field (a constant, or nothing in a
# single-currency org), filled in before format_soql puts the values in.
_ORDER_FIELDS = (
    "SELECT Id, OrderNumber, Status, StatusCode, EffectiveDate, ActivatedDate, CreatedDate, "
    "TotalAmount, AccountId, Account.Name, Account.Owner.Name, Account.Owner.Email{cur} "
    "FROM Order "
)
DAILY_ORDERS = _ORDER_FIELDS + (
    "WHERE Account.Owner.Email IN {{}} AND ((ActivatedDate >= {{}} AND ActivatedDate < {{}}) "
    "OR (CreatedDate >= {{}} AND CreatedDate < {{}}))"
)
DAILY_NOT_DONES = _ORDER_FIELDS + "WHERE Account.Owner.Email IN {{}} AND "  # + the rule
DAILY_OPPORTUNITIES = (
    "SELECT Id, Name, StageName, Amount, CloseDate, IsClosed, IsWon, Account.Name, "
    "Account.Owner.Name, Account.Owner.Email{cur} FROM Opportunity "
    "WHERE Account.Owner.Email IN {{}} AND ((IsClosed = true AND CloseDate >= {{}} "
    "AND CloseDate < {{}}) OR (IsClosed = false AND CloseDate >= {{}} AND CloseDate <= {{}})) "
    "ORDER BY CloseDate ASC"
)
DAILY_CASES = (
    "SELECT Id, CaseNumber, Subject, Priority, Status, IsEscalated, IsClosed, CreatedDate, "
    "Account.Name, Account.Owner.Email FROM Case "
    "WHERE Account.Owner.Email IN {{}} AND ((Priority = {{}} AND CreatedDate >= {{}} "
    "AND CreatedDate < {{}}) OR (IsEscalated = true AND IsClosed = false))"
)
WEEKLY_BOOKINGS = (
    "SELECT Id, Amount, CloseDate, Account.Owner.Name, Account.Owner.Email{cur} "
    "FROM Opportunity WHERE Account.Owner.Email IN {{}} AND IsWon = true "
    "AND CloseDate >= {{}} AND CloseDate < {{}}"
)
WEEKLY_ACTIVATIONS = (
    "SELECT Id, TotalAmount, ActivatedDate, Account.Owner.Name, Account.Owner.Email{cur} "
    "FROM Order WHERE Account.Owner.Email IN {{}} AND ActivatedDate >= {{}} "
    "AND ActivatedDate < {{}}"
)
MONTHLY_ORDERS = (
    "SELECT Id, TotalAmount, CreatedDate, ActivatedDate, StatusCode, Account.Owner.Name, "
    "Account.Owner.Email{cur} FROM Order WHERE Account.Owner.Email IN {{}} "
    "AND ((CreatedDate >= {{}} AND CreatedDate < {{}}) OR (ActivatedDate >= {{}} "
    "AND ActivatedDate < {{}}))"
)


# --- what each section keeps ----------------------------------------------------------


@dataclass(slots=True)
class Line:
    """One record as a digest line: its Id (for the link), label, and details."""

    id: str
    label: str
    account: str
    amount: float | None = None
    detail: str = ""
    sort: Any = 0
    currency: str = "USD"


@dataclass
class Section:
    """A count and per-currency sum over every matching record, the largest amount, and
    the first ``LIST_LIMIT`` lines by ``sort`` (smallest first)."""

    currencies: Currencies = field(default_factory=Currencies)
    count: int = 0
    total: Amounts = field(default_factory=Amounts)
    largest: Line | None = None
    _heap: list[tuple[Any, int, Line]] = field(default_factory=list, repr=False)
    _seq: Iterator[int] = field(default_factory=itertools.count, repr=False)

    def __post_init__(self) -> None:
        self.total = self.currencies.amounts()

    def add(self, line: Line) -> None:
        self.count += 1
        self.total.add(line.amount, line.currency)
        if line.amount is not None and (
            self.largest is None or self._rank(line) > self._rank(self.largest)
        ):
            self.largest = line
        item = (_neg(line.sort), next(self._seq), line)
        if len(self._heap) < LIST_LIMIT:
            heapq.heappush(self._heap, item)
        elif item[:2] > self._heap[0][:2]:
            heapq.heapreplace(self._heap, item)

    def _rank(self, line: Line) -> float:
        return self.currencies.ranking(line.amount, line.currency)

    @property
    def lines(self) -> list[Line]:
        return [line for _, _, line in sorted(self._heap, key=lambda i: i[:2], reverse=True)]

    @property
    def hidden(self) -> int:
        return self.count - len(self._heap)


def _neg(sort: Any) -> Any:
    """Heap key that keeps the SMALLEST sort values (a max-heap by inversion)."""
    if isinstance(sort, tuple):
        return tuple(_neg(s) for s in sort)
    if isinstance(sort, (int, float)):
        return -sort
    if isinstance(sort, dt.date):
        return -sort.toordinal()
    return (*(-ord(c) for c in str(sort)), 1)  # 1 sorts a prefix before its extensions


@dataclass(slots=True)
class AccountNotDones:
    """One account's not-dones: how many, their amounts, and the oldest few."""

    account_id: str
    account: str
    count: int = 0
    total: Amounts = field(default_factory=Amounts)
    ranking: float = 0.0  # the amounts in corporate units, to order accounts only
    # (age, arrival as a negative number so the first seen wins a tie, line)
    _oldest: list[tuple[int, int, Line]] = field(default_factory=list, repr=False)

    def add(self, line: Line, age: int) -> None:
        item = (age, -self.count, line)
        if len(self._oldest) < ORDERS_PER_ACCOUNT:
            heapq.heappush(self._oldest, item)
        elif item[:2] > self._oldest[0][:2]:
            heapq.heapreplace(self._oldest, item)

    @property
    def oldest(self) -> list[tuple[int, Line]]:
        """(age in days, line) of the oldest not-dones, oldest first."""
        return [(i[0], i[2]) for i in sorted(self._oldest, key=lambda i: i[:2], reverse=True)]

    @property
    def oldest_days(self) -> int:
        return max((i[0] for i in self._oldest), default=0)


@dataclass
class NotDones:
    """Not-dones grouped by account: the exact count and sums, every account kept (an
    account is a few numbers), the largest shown first."""

    currencies: Currencies = field(default_factory=Currencies)
    count: int = 0
    total: Amounts = field(default_factory=Amounts)
    accounts: dict[str, AccountNotDones] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.total = self.currencies.amounts()

    def add(self, line: Line, account_id: str, age: int) -> None:
        self.count += 1
        self.total.add(line.amount, line.currency)
        group = self.accounts.get(account_id)
        if group is None:
            group = AccountNotDones(account_id, line.account, total=self.currencies.amounts())
            self.accounts[account_id] = group
        group.add(line, age)
        group.count += 1
        group.total.add(line.amount, line.currency)
        group.ranking += self.currencies.ranking(line.amount, line.currency)

    def largest(self, n: int = ACCOUNT_LIMIT) -> list[AccountNotDones]:
        """The ``n`` accounts with the most not-dones (then the largest amount)."""
        return heapq.nsmallest(
            n, self.accounts.values(), key=lambda g: (-g.count, -g.ranking, g.account)
        )


@dataclass
class OpenEscalation:
    """An open escalation from the local log (see ``bot.digests.service.open_escalations``)."""

    ref: str
    account_id: str | None
    account_name: str
    summary: str
    severity: str
    status: str
    opened_at: dt.datetime
    order_number: str | None = None


@dataclass
class DailyData:
    period: Period
    currencies: Currencies = field(default_factory=Currencies)
    activated: Section = field(init=False)
    new_orders: Section = field(init=False)
    not_dones: NotDones = field(init=False)
    won: Section = field(init=False)
    lost: Section = field(init=False)
    closing: Section = field(init=False)
    high_cases: Section = field(init=False)
    escalated_cases: Section = field(init=False)
    escalations: list[tuple[OpenEscalation, int]] = field(default_factory=list)  # (esc, days)
    skipped: int = 0  # records that could not be read (left out of these figures)

    def __post_init__(self) -> None:
        c = self.currencies
        self.activated, self.new_orders = Section(c), Section(c)
        self.won, self.lost, self.closing = Section(c), Section(c), Section(c)
        self.high_cases, self.escalated_cases = Section(c), Section(c)
        self.not_dones = NotDones(c)

    @property
    def quiet(self) -> bool:
        sections = (
            self.activated,
            self.new_orders,
            self.not_dones,
            self.won,
            self.lost,
            self.closing,
            self.high_cases,
            self.escalated_cases,
        )
        return not any(s.count for s in sections) and not self.escalations


@dataclass
class RepFigures:
    """One rep's week or month. Amounts are per currency."""

    name: str
    currency: str = "USD"  # the org's, for empty sums
    booked: int = 0
    booked_amount: Amounts = field(init=False)
    booked_before: int = 0
    booked_amount_before: Amounts = field(init=False)
    activated: int = 0
    activated_amount: Amounts = field(init=False)
    activated_before: int = 0
    activated_amount_before: Amounts = field(init=False)
    processed: int = 0  # monthly: orders created in the month
    days_to_activate: float = 0.0  # monthly: sum over orders created and activated

    def __post_init__(self) -> None:
        self.booked_amount = Amounts(self.currency)
        self.booked_amount_before = Amounts(self.currency)
        self.activated_amount = Amounts(self.currency)
        self.activated_amount_before = Amounts(self.currency)

    @property
    def avg_days(self) -> float | None:
        return self.days_to_activate / self.activated if self.activated else None

    def add(self, other: RepFigures) -> None:
        """Add another rep's figures to these (a team's total)."""
        self.booked += other.booked
        self.booked_before += other.booked_before
        self.activated += other.activated
        self.activated_before += other.activated_before
        self.processed += other.processed
        self.days_to_activate += other.days_to_activate
        self.booked_amount.merge(other.booked_amount)
        self.booked_amount_before.merge(other.booked_amount_before)
        self.activated_amount.merge(other.activated_amount)
        self.activated_amount_before.merge(other.activated_amount_before)


@dataclass
class RepData:
    """Weekly and monthly: per-rep figures, keyed by the owner's e-mail."""

    period: Period
    currencies: Currencies = field(default_factory=Currencies)
    reps: dict[str, RepFigures] = field(default_factory=dict)
    skipped: int = 0  # records that could not be read (left out of these figures)

    def rep(self, rec: dict[str, Any]) -> RepFigures:
        owner = (rec.get("Account") or {}).get("Owner") or {}
        email = (owner.get("Email") or "").lower()
        if email not in self.reps:
            self.reps[email] = RepFigures(owner.get("Name") or email, self.currencies.corporate)
        return self.reps[email]

    @property
    def quiet(self) -> bool:
        return not any(
            r.booked or r.booked_before or r.activated or r.activated_before or r.processed
            for r in self.reps.values()
        )


@dataclass
class Scope:
    """One team's share of a batch: its owners, its period, and its figures."""

    owners: frozenset[str]
    period: Period
    stuck_days: int = 14
    data: Any = None
    finished: tuple[str, ...] = DEFAULT_FINISHED_ORDER_STATUSES


# --- fetching -------------------------------------------------------------------------


Handler = Callable[[dict[str, Any], list[Scope]], None]


@dataclass(frozen=True)
class Part:
    """One section's query: ``template`` (its first ``{}`` is the owners' IN list) with
    ``args`` and a formatted condition ``rule`` appended, and what to do with each record
    (``handle(record, the scopes it belongs to)``)."""

    template: str
    args: tuple[Any, ...]
    handle: Handler
    rule: str = ""


class Batch:
    """Scopes of one kind fetched together; ``scopes`` fill as records stream past.
    ``vocab`` is the org's vocabulary as read from Salesforce (never stock values)."""

    def __init__(self, sf: SalesforceService, scopes: list[Scope], vocab: Vocabulary) -> None:
        self.sf = sf
        self.scopes = scopes
        self.vocab = vocab
        self.currencies = vocab.currencies
        self.owners = sorted({o.lower() for s in scopes for o in s.owners})
        self._by_owner: dict[str, list[Scope]] = defaultdict(list)
        for scope in scopes:
            for owner in {o.lower() for o in scope.owners}:
                self._by_owner[owner].append(scope)
        self.skipped = 0  # records that could not be read (logged, left out)

    def _fetch(self, parts: Sequence[Part]) -> None:
        """Every record of every part, each given to its part's handler with the scopes
        it belongs to. Each part's owners are asked in as many chunks as keep each URL
        short; all the chunks of all the parts go five to a composite request."""
        soqls: list[str] = []
        handlers: list[Handler] = []
        for part in parts:
            text = part.template.format(cur=self.currencies.field)

            def build(owners: list[str], text: str = text, part: Part = part) -> str:
                return format_soql(text, owners, *part.args) + part.rule

            for soql in self.sf.split_in(self.owners, build):
                soqls.append(soql)
                handlers.append(part.handle)
        for index, rec in self.sf.iter_many(soqls):
            owner = (((rec.get("Account") or {}).get("Owner")) or {}).get("Email") or ""
            scopes = self._by_owner.get(owner.lower())
            if scopes:
                self._handle(handlers[index], rec, scopes)

    def _handle(self, handle: Handler, rec: dict[str, Any], scopes: list[Scope]) -> None:
        """``handle`` one record; a record that breaks it is skipped, logged and counted in
        its teams' figures (which then say that they leave a record out)."""
        try:
            handle(rec, scopes)
        except Exception as exc:
            self.skipped += 1
            for scope in scopes:
                scope.data.skipped += 1
            kind = (rec.get("attributes") or {}).get("type") if isinstance(rec, dict) else None
            rid = rec.get("Id") if isinstance(rec, dict) else None
            log.warning("digest: skipped %s record %s (%s: %s)", kind or "a", rid,
                        type(exc).__name__, str(exc)[:200])  # fmt: skip

    def _span(self, first: Callable[[Period], dt.date], last: Callable[[Period], dt.date]) -> Any:
        periods = [s.period for s in self.scopes]
        return min(p.utc(first(p)) for p in periods), max(p.utc(last(p)) for p in periods)

    def _order_line(self, rec: dict[str, Any], *, sort: Any, detail: str = "") -> Line:
        return Line(
            rec["Id"],
            rec.get("OrderNumber") or rec["Id"],
            (rec.get("Account") or {}).get("Name") or "",
            rec.get("TotalAmount"),
            detail=detail or rec.get("Status") or "",
            sort=sort,
            currency=self.currencies.of(rec),
        )

    # -- daily
    def daily(self) -> None:
        for scope in self.scopes:
            scope.data = DailyData(scope.period, self.currencies)
        if not self.owners:
            return
        self._fetch(
            [
                self._daily_orders(),
                self._daily_not_dones(),
                self._daily_opportunities(),
                self._daily_cases(),
            ]
        )

    def _daily_orders(self) -> Part:
        start, end = self._span(lambda p: p.start, lambda p: p.end)

        def handle(rec: dict[str, Any], scopes: list[Scope]) -> None:
            activated = parse_sf_datetime(rec.get("ActivatedDate"))
            created = parse_sf_datetime(rec.get("CreatedDate"))
            largest_first = -self.currencies.ranking(
                rec.get("TotalAmount"), self.currencies.of(rec)
            )
            for scope in scopes:
                p, d = scope.period, scope.data
                if activated and p.utc(p.start) <= activated < p.utc(p.end):
                    d.activated.add(self._order_line(rec, sort=largest_first))
                if created and p.utc(p.start) <= created < p.utc(p.end):
                    d.new_orders.add(self._order_line(rec, sort=rec.get("OrderNumber") or ""))

        return Part(DAILY_ORDERS, (start, end, start, end), handle)

    def _rules(self, scope: Scope) -> OrderRules:
        p = scope.period
        return OrderRules(p.tz, scope.stuck_days, self.vocab.draft_status, scope.finished)

    def _daily_not_dones(self) -> Part:
        # One query for every scope: the widest bounds (the latest "today", the latest
        # creation cutoff, every scope's finished statuses kept open), narrowed per scope.
        latest = max(self.scopes, key=lambda s: s.period.run_date)
        widest = max(self.scopes, key=lambda s: self._rules(s).created_before(s.period.run_date))
        finished = set.intersection(*({f.lower() for f in s.finished} for s in self.scopes))
        everyone = OrderRules(dt.UTC, finished=tuple(sorted(finished)))
        rule = everyone.open_soql() + format_soql(
            " AND ((Status = {} AND EffectiveDate < {}) OR CreatedDate < {})",
            self.vocab.draft_status,
            latest.period.run_date,
            self._rules(widest).created_before(widest.period.run_date),
        )
        rules = {id(s): (self._rules(s), s.period.run_date) for s in self.scopes}

        def handle(rec: dict[str, Any], scopes: list[Scope]) -> None:
            # Teams with the same rule and day share one line (and its memory).
            seen: dict[tuple[OrderRules, dt.date], tuple[Line, int] | None] = {}
            for scope in scopes:
                key = rules[id(scope)]
                if key not in seen:
                    rule_, today = key
                    reason = rule_.stuck_reason(rec, today)
                    age = rule_.age(rec, today) if reason else 0
                    seen[key] = (
                        (self._order_line(rec, sort=-age, detail=reason), age) if reason else None
                    )
                hit = seen[key]
                if hit is not None:
                    scope.data.not_dones.add(hit[0], rec.get("AccountId") or "", hit[1])

        return Part(DAILY_NOT_DONES, (), handle, rule)

    def _daily_opportunities(self) -> Part:
        periods = [s.period for s in self.scopes]
        closed_from = min(p.start for p in periods)
        closed_to = max(p.end for p in periods)
        open_from = min(p.run_date for p in periods)
        open_to = max(p.week_end for p in periods)

        def handle(rec: dict[str, Any], scopes: list[Scope]) -> None:
            close = parse_sf_date(rec.get("CloseDate"))
            if close is None:
                return
            currency = self.currencies.of(rec)
            rank = self.currencies.ranking(rec.get("Amount"), currency)
            line = Line(
                rec["Id"],
                rec.get("Name") or rec["Id"],
                (rec.get("Account") or {}).get("Name") or "",
                rec.get("Amount"),
                detail=rec.get("StageName") or "",
                sort=(close, -rank),
                currency=currency,
            )
            for scope in scopes:
                p, d = scope.period, scope.data
                if rec.get("IsClosed"):
                    if p.start <= close < p.end:
                        (d.won if rec.get("IsWon") else d.lost).add(_sorted(line, -rank))
                elif p.run_date <= close <= p.week_end:
                    d.closing.add(line)

        return Part(DAILY_OPPORTUNITIES, (closed_from, closed_to, open_from, open_to), handle)

    def _daily_cases(self) -> Part:
        start, end = self._span(lambda p: p.start, lambda p: p.end)
        high = self.vocab.top_priority

        def handle(rec: dict[str, Any], scopes: list[Scope]) -> None:
            created = parse_sf_datetime(rec.get("CreatedDate"))
            for scope in scopes:
                p, d = scope.period, scope.data
                opened_days = (p.run_date - created.astimezone(p.tz).date()).days if created else 0
                line = Line(
                    rec["Id"],
                    f"Case {rec.get('CaseNumber') or rec['Id']}",
                    (rec.get("Account") or {}).get("Name") or "",
                    detail=rec.get("Subject") or "",
                    sort=-opened_days,
                )
                new = created is not None and p.utc(p.start) <= created < p.utc(p.end)
                if new and rec.get("Priority") == high:
                    d.high_cases.add(line)
                if rec.get("IsEscalated") and not rec.get("IsClosed"):
                    d.escalated_cases.add(_sorted(line, -opened_days))

        return Part(DAILY_CASES, (high, start, end), handle)

    # -- weekly
    def weekly(self) -> None:
        for scope in self.scopes:
            scope.data = RepData(scope.period, self.currencies)
        if not self.owners:
            return
        periods = [s.period for s in self.scopes]
        first = min(p.prev_start or p.start for p in periods)
        last = max(p.end for p in periods)

        def bookings(rec: dict[str, Any], scopes: list[Scope]) -> None:
            close = parse_sf_date(rec.get("CloseDate"))
            amount, currency = rec.get("Amount"), self.currencies.of(rec)
            for scope in scopes:
                p, rep = scope.period, scope.data.rep(rec)
                if close and p.start <= close < p.end:
                    rep.booked += 1
                    rep.booked_amount.add(amount, currency)
                elif close and (p.prev_start or p.start) <= close < p.start:
                    rep.booked_before += 1
                    rep.booked_amount_before.add(amount, currency)

        def activations(rec: dict[str, Any], scopes: list[Scope]) -> None:
            when = parse_sf_datetime(rec.get("ActivatedDate"))
            amount, currency = rec.get("TotalAmount"), self.currencies.of(rec)
            for scope in scopes:
                p, rep = scope.period, scope.data.rep(rec)
                if when and p.utc(p.start) <= when < p.utc(p.end):
                    rep.activated += 1
                    rep.activated_amount.add(amount, currency)
                elif when and p.utc(p.prev_start or p.start) <= when < p.utc(p.start):
                    rep.activated_before += 1
                    rep.activated_amount_before.add(amount, currency)

        start, end = self._span(lambda p: p.prev_start or p.start, lambda p: p.end)
        self._fetch(
            [
                Part(WEEKLY_BOOKINGS, (first, last), bookings),
                Part(WEEKLY_ACTIVATIONS, (start, end), activations),
            ]
        )

    # -- monthly
    def monthly(self) -> None:
        for scope in self.scopes:
            scope.data = RepData(scope.period, self.currencies)
        if not self.owners:
            return
        start, end = self._span(lambda p: p.start, lambda p: p.end)

        def orders(rec: dict[str, Any], scopes: list[Scope]) -> None:
            created = parse_sf_datetime(rec.get("CreatedDate"))
            activated = parse_sf_datetime(rec.get("ActivatedDate"))
            for scope in scopes:
                p, rep = scope.period, scope.data.rep(rec)
                lo, hi = p.utc(p.start), p.utc(p.end)
                if created and lo <= created < hi:
                    rep.processed += 1
                if activated and lo <= activated < hi:
                    rep.activated += 1
                    rep.activated_amount.add(rec.get("TotalAmount"), self.currencies.of(rec))
                    if created:
                        rep.days_to_activate += max(
                            0.0, (activated - created).total_seconds() / 86400
                        )

        self._fetch([Part(MONTHLY_ORDERS, (start, end, start, end), orders)])

    def run(self, kind: str) -> None:
        getattr(self, kind)()


def _sorted(line: Line, sort: Any, detail: str | None = None) -> Line:
    return Line(
        line.id,
        line.label,
        line.account,
        line.amount,
        detail if detail is not None else line.detail,
        sort,
        line.currency,
    )


def attach_escalations(
    scopes: Iterable[Scope],
    escalations: list[OpenEscalation],
    account_owner: dict[str, str],
) -> None:
    """Give each daily scope the open escalations on its owners' accounts, oldest first."""
    for scope in scopes:
        p = scope.period
        mine = [e for e in escalations if account_owner.get(e.account_id or "") in scope.owners]
        aged = [(e, (p.run_date - e.opened_at.astimezone(p.tz).date()).days) for e in mine]
        scope.data.escalations = sorted(aged, key=lambda pair: -pair[1])
