"""The digests' figures, for many teams at once.

One run for several teams asks Salesforce a FIXED number of queries, whatever the
number of teams: one per section (daily: 4, weekly: 2, monthly: 1), each filtered by all
the teams' owners at once (``Account.Owner.Email IN {}``) and over the union of their
periods (teams in other time zones have other midnights), paged with ``query_iter``.
Records are split per team as they stream past, and each team keeps only counters and
at most ``LIST_LIMIT`` lines per section, so memory stays flat on a large org.

A team's scope is the accounts its owners own (``Account.Owner.Email``).
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.accounts.queries import not_done_age, order_stuck_reason
from bot.digests.periods import Period
from bot.infra.salesforce import SalesforceService
from bot.pipeline.queries import week_bounds
from bot.text import parse_sf_date, parse_sf_datetime
from bot.vocabulary import Vocabulary

LIST_LIMIT = 200  # lines kept per section per team (the rest are counted)

_ORDER_FIELDS = (
    "SELECT Id, OrderNumber, Status, StatusCode, EffectiveDate, ActivatedDate, CreatedDate, "
    "TotalAmount, Account.Name, Account.Owner.Name, Account.Owner.Email FROM Order "
)
DAILY_ORDERS = _ORDER_FIELDS + (
    "WHERE Account.Owner.Email IN {} AND ((ActivatedDate >= {} AND ActivatedDate < {}) "
    "OR (CreatedDate >= {} AND CreatedDate < {}))"
)
DAILY_NOT_DONES = _ORDER_FIELDS + (
    "WHERE Account.Owner.Email IN {} AND StatusCode = 'Draft' "
    "AND ((Status = {} AND EffectiveDate < {}) OR CreatedDate < {})"
)
DAILY_OPPORTUNITIES = (
    "SELECT Id, Name, StageName, Amount, CloseDate, IsClosed, IsWon, Account.Name, "
    "Account.Owner.Name, Account.Owner.Email FROM Opportunity "
    "WHERE Account.Owner.Email IN {} AND ((IsClosed = true AND CloseDate >= {} "
    "AND CloseDate < {}) OR (IsClosed = false AND CloseDate >= {} AND CloseDate <= {})) "
    "ORDER BY CloseDate ASC"
)
DAILY_CASES = (
    "SELECT Id, CaseNumber, Subject, Priority, Status, IsEscalated, IsClosed, CreatedDate, "
    "Account.Name, Account.Owner.Email FROM Case "
    "WHERE Account.Owner.Email IN {} AND ((Priority = {} AND CreatedDate >= {} "
    "AND CreatedDate < {}) OR (IsEscalated = true AND IsClosed = false))"
)
WEEKLY_BOOKINGS = (
    "SELECT Id, Amount, CloseDate, Account.Owner.Name, Account.Owner.Email FROM Opportunity "
    "WHERE Account.Owner.Email IN {} AND IsWon = true AND CloseDate >= {} AND CloseDate < {}"
)
WEEKLY_ACTIVATIONS = (
    "SELECT Id, TotalAmount, ActivatedDate, Account.Owner.Name, Account.Owner.Email "
    "FROM Order WHERE Account.Owner.Email IN {} AND ActivatedDate >= {} AND ActivatedDate < {}"
)
MONTHLY_ORDERS = (
    "SELECT Id, TotalAmount, CreatedDate, ActivatedDate, StatusCode, Account.Owner.Name, "
    "Account.Owner.Email FROM Order WHERE Account.Owner.Email IN {} "
    "AND ((CreatedDate >= {} AND CreatedDate < {}) OR (ActivatedDate >= {} AND ActivatedDate < {}))"
)


# --- what each section keeps ----------------------------------------------------------


@dataclass
class Line:
    """One record as a digest line: its Id (for the link), label, and details."""

    id: str
    label: str
    account: str
    amount: float | None = None
    detail: str = ""
    sort: Any = 0


@dataclass
class Section:
    """A count and total over every matching record, and the first ``LIST_LIMIT`` lines
    by ``sort`` (smallest first)."""

    count: int = 0
    total: float = 0.0
    largest: Line | None = None
    _heap: list[tuple[Any, int, Line]] = field(default_factory=list, repr=False)
    _seq: Iterator[int] = field(default_factory=itertools.count, repr=False)

    def add(self, line: Line) -> None:
        self.count += 1
        self.total += line.amount or 0.0
        if line.amount is not None and (
            self.largest is None or line.amount > (self.largest.amount or 0.0)
        ):
            self.largest = line
        item = (_neg(line.sort), next(self._seq), line)
        if len(self._heap) < LIST_LIMIT:
            heapq.heappush(self._heap, item)
        elif item[:2] > self._heap[0][:2]:
            heapq.heapreplace(self._heap, item)

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
    activated: Section = field(default_factory=Section)
    new_orders: Section = field(default_factory=Section)
    not_dones: Section = field(default_factory=Section)
    won: Section = field(default_factory=Section)
    lost: Section = field(default_factory=Section)
    closing: Section = field(default_factory=Section)
    high_cases: Section = field(default_factory=Section)
    escalated_cases: Section = field(default_factory=Section)
    escalations: list[tuple[OpenEscalation, int]] = field(default_factory=list)  # (esc, days)

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
    name: str
    booked: int = 0
    booked_amount: float = 0.0
    booked_before: int = 0
    booked_amount_before: float = 0.0
    activated: int = 0
    activated_amount: float = 0.0
    activated_before: int = 0
    activated_amount_before: float = 0.0
    processed: int = 0  # monthly: orders created in the month
    days_to_activate: float = 0.0  # monthly: sum over orders created and activated

    @property
    def avg_days(self) -> float | None:
        return self.days_to_activate / self.activated if self.activated else None


@dataclass
class RepData:
    """Weekly and monthly: per-rep figures, keyed by the owner's e-mail."""

    period: Period
    reps: dict[str, RepFigures] = field(default_factory=dict)

    def rep(self, rec: dict[str, Any]) -> RepFigures:
        owner = (rec.get("Account") or {}).get("Owner") or {}
        email = (owner.get("Email") or "").lower()
        if email not in self.reps:
            self.reps[email] = RepFigures(owner.get("Name") or email)
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


# --- fetching -------------------------------------------------------------------------


class Batch:
    """Scopes of one kind fetched together; ``scopes`` fill as records stream past."""

    def __init__(
        self,
        sf: SalesforceService,
        scopes: list[Scope],
        vocab: Vocabulary = Vocabulary(),  # noqa: B008
    ) -> None:
        self.sf = sf
        self.scopes = scopes
        self.vocab = vocab
        self.owners = sorted({o for s in scopes for o in s.owners})
        self._by_owner: dict[str, list[Scope]] = defaultdict(list)
        for scope in scopes:
            for owner in scope.owners:
                self._by_owner[owner].append(scope)

    def _records(self, template: str, *args: Any) -> Iterator[tuple[dict[str, Any], list[Scope]]]:
        for rec in self.sf.query_iter(template, self.owners, *args):
            owner = (((rec.get("Account") or {}).get("Owner")) or {}).get("Email") or ""
            scopes = self._by_owner.get(owner.lower())
            if scopes:
                yield rec, scopes

    def _span(self, first: Callable[[Period], dt.date], last: Callable[[Period], dt.date]) -> Any:
        periods = [s.period for s in self.scopes]
        return min(p.utc(first(p)) for p in periods), max(p.utc(last(p)) for p in periods)

    # -- daily
    def daily(self) -> None:
        for scope in self.scopes:
            scope.data = DailyData(scope.period)
        if not self.owners:
            return
        start, end = self._span(lambda p: p.start, lambda p: p.end)
        for rec, scopes in self._records(DAILY_ORDERS, start, end, start, end):
            activated = parse_sf_datetime(rec.get("ActivatedDate"))
            created = parse_sf_datetime(rec.get("CreatedDate"))
            for scope in scopes:
                p, d = scope.period, scope.data
                if activated and p.utc(p.start) <= activated < p.utc(p.end):
                    d.activated.add(_order_line(rec, sort=-(rec.get("TotalAmount") or 0.0)))
                if created and p.utc(p.start) <= created < p.utc(p.end):
                    d.new_orders.add(_order_line(rec, sort=rec.get("OrderNumber") or ""))
        self._daily_not_dones()
        self._daily_opportunities()
        self._daily_cases()

    def _daily_not_dones(self) -> None:
        latest_today = max(s.period.run_date for s in self.scopes)
        cutoff = max(
            s.period.utc(s.period.run_date - dt.timedelta(days=s.stuck_days)) for s in self.scopes
        )
        draft = self.vocab.draft_status
        for rec, scopes in self._records(DAILY_NOT_DONES, draft, latest_today, cutoff):
            for scope in scopes:
                p = scope.period
                reason = order_stuck_reason(rec, p.run_date, p.tz, scope.stuck_days, draft)
                if reason is None:
                    continue
                age = not_done_age(rec, p.run_date, p.tz, draft)
                scope.data.not_dones.add(_order_line(rec, sort=-age, detail=reason))

    def _daily_opportunities(self) -> None:
        periods = [s.period for s in self.scopes]
        closed_from = min(p.start for p in periods)
        closed_to = max(p.end for p in periods)
        open_from = min(p.run_date for p in periods)
        open_to = max(week_bounds(p.run_date)[1] for p in periods)
        args = (closed_from, closed_to, open_from, open_to)
        for rec, scopes in self._records(DAILY_OPPORTUNITIES, *args):
            close = parse_sf_date(rec.get("CloseDate"))
            if close is None:
                continue
            line = Line(
                rec["Id"],
                rec.get("Name") or rec["Id"],
                (rec.get("Account") or {}).get("Name") or "",
                rec.get("Amount"),
                detail=rec.get("StageName") or "",
                sort=(close, -(rec.get("Amount") or 0.0)),
            )
            for scope in scopes:
                p, d = scope.period, scope.data
                if rec.get("IsClosed"):
                    if p.start <= close < p.end:
                        (d.won if rec.get("IsWon") else d.lost).add(
                            _sorted(line, -(line.amount or 0))
                        )
                elif p.run_date <= close <= week_bounds(p.run_date)[1]:
                    d.closing.add(line)

    def _daily_cases(self) -> None:
        start, end = self._span(lambda p: p.start, lambda p: p.end)
        high = self.vocab.top_priority
        for rec, scopes in self._records(DAILY_CASES, high, start, end):
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

    # -- weekly
    def weekly(self) -> None:
        for scope in self.scopes:
            scope.data = RepData(scope.period)
        if not self.owners:
            return
        periods = [s.period for s in self.scopes]
        first = min(p.prev_start or p.start for p in periods)
        last = max(p.end for p in periods)
        for rec, scopes in self._records(WEEKLY_BOOKINGS, first, last):
            close = parse_sf_date(rec.get("CloseDate"))
            amount = rec.get("Amount") or 0.0
            for scope in scopes:
                p, rep = scope.period, scope.data.rep(rec)
                if close and p.start <= close < p.end:
                    rep.booked += 1
                    rep.booked_amount += amount
                elif close and (p.prev_start or p.start) <= close < p.start:
                    rep.booked_before += 1
                    rep.booked_amount_before += amount
        start, end = self._span(lambda p: p.prev_start or p.start, lambda p: p.end)
        for rec, scopes in self._records(WEEKLY_ACTIVATIONS, start, end):
            when = parse_sf_datetime(rec.get("ActivatedDate"))
            amount = rec.get("TotalAmount") or 0.0
            for scope in scopes:
                p, rep = scope.period, scope.data.rep(rec)
                if when and p.utc(p.start) <= when < p.utc(p.end):
                    rep.activated += 1
                    rep.activated_amount += amount
                elif when and p.utc(p.prev_start or p.start) <= when < p.utc(p.start):
                    rep.activated_before += 1
                    rep.activated_amount_before += amount

    # -- monthly
    def monthly(self) -> None:
        for scope in self.scopes:
            scope.data = RepData(scope.period)
        if not self.owners:
            return
        start, end = self._span(lambda p: p.start, lambda p: p.end)
        for rec, scopes in self._records(MONTHLY_ORDERS, start, end, start, end):
            created = parse_sf_datetime(rec.get("CreatedDate"))
            activated = parse_sf_datetime(rec.get("ActivatedDate"))
            for scope in scopes:
                p, rep = scope.period, scope.data.rep(rec)
                lo, hi = p.utc(p.start), p.utc(p.end)
                if created and lo <= created < hi:
                    rep.processed += 1
                if activated and lo <= activated < hi:
                    rep.activated += 1
                    rep.activated_amount += rec.get("TotalAmount") or 0.0
                    if created:
                        rep.days_to_activate += max(
                            0.0, (activated - created).total_seconds() / 86400
                        )

    def run(self, kind: str) -> None:
        getattr(self, kind)()


def _order_line(rec: dict[str, Any], *, sort: Any, detail: str = "") -> Line:
    return Line(
        rec["Id"],
        rec.get("OrderNumber") or rec["Id"],
        (rec.get("Account") or {}).get("Name") or "",
        rec.get("TotalAmount"),
        detail=detail or rec.get("Status") or "",
        sort=sort,
    )


def _sorted(line: Line, sort: Any, detail: str | None = None) -> Line:
    return Line(
        line.id,
        line.label,
        line.account,
        line.amount,
        detail if detail is not None else line.detail,
        sort,
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
