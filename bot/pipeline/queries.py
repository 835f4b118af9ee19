"""This (fiscal) quarter's pipeline for a rep, a Slack user or a team: every figure exact.

One composite request (one API call) per group of owners: an aggregate of the quarter's
open and won deals by forecast category and stage (Salesforce sums; in a multi-currency
org converted to the corporate currency and grouped by currency so the card can say
so), the first deals closing this week and the oldest slipped ones, and the exact count
of each list. A team whose owners' e-mails would make a query's URL too long is asked in
several such requests, each group of owners as large as keeps every URL under
``URL_BUDGET`` (``SalesforceService.chunk_values``): each owner falls in exactly one,
so the counts and sums add up and the lists merge.

**Only what a person may read** (``readable``, bot/visibility.py): the composite then
also lists the Ids of every deal it counts (in place of the two counts, which come from
that list), the Ids are checked for the person with UserRecordAccess, and when they may
not read them all the same queries are asked again for the deals they may read
(``Id IN (...)``, in as many requests as the URLs need): the figures stay Salesforce's
exact sums, of what the person may read.

Dates are explicit bounds in ACCTBOT_TIMEZONE (``bot.dates``), never THIS_QUARTER or
THIS_WEEK, which Salesforce evaluates in the integration user's zone and locale: the
quarter is the org's fiscal quarter, the week starts on ACCTBOT_WEEK_START.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.cache import PART_TTL, TTLCache
from bot.dates import BOT_WEEK_START, FiscalYear, quarter_bounds, week_bounds
from bot.infra.salesforce import SalesforceService, format_soql, url_bytes
from bot.money import Currencies, Total
from bot.text import parse_sf_date
from bot.vocabulary import Vocabulary

CATEGORY_ORDER = ("Commit", "Best Case", "Pipeline", "Omitted")
LISTED = 10  # deals a list names (the rest are counted)

DEAL_FIELDS = "Id, Name, StageName, Amount, CloseDate, Account.Name, Owner.Name"


@dataclass
class Pipeline:
    """The quarter around ``today`` (local) for some owners. Totals are Salesforce's
    sums in the corporate currency; deal records carry their own."""

    today: dt.date
    currencies: Currencies = field(default_factory=Currencies)
    fiscal: FiscalYear = field(default_factory=FiscalYear)
    week_start: int = BOT_WEEK_START  # ACCTBOT_WEEK_START ("closing this week")
    open_count: int = 0
    open_by_category: dict[str, Total] = field(default_factory=dict)
    open_by_stage: dict[str, tuple[int, Total]] = field(default_factory=dict)
    won_count: int = 0
    won_total: Total = field(default_factory=lambda: Total(0.0, "USD"))
    closing_this_week: list[dict[str, Any]] = field(default_factory=list)  # first LISTED
    closing_count: int = 0
    slipped: list[dict[str, Any]] = field(default_factory=list)  # oldest LISTED
    slipped_count: int = 0

    @property
    def open_total(self) -> Total:
        total = Total(0.0, self.currencies.corporate)
        for t in self.open_by_category.values():
            total = total + t
        return total


@dataclass(frozen=True)
class PipelineQueries:
    """The five queries for one group of owners (their e-mails, lower case).

    ``probe``: list the Ids of every deal counted ("ids", with IsClosed and CloseDate)
    instead of counting the two lists. ``only``: the deals to read are these Ids (already
    the owners' deals), instead of the owners'."""

    emails: list[str]
    today: dt.date
    currencies: Currencies
    probe: bool = False
    only: tuple[str, ...] | None = None
    fiscal: FiscalYear = field(default_factory=FiscalYear)
    week_start: int = BOT_WEEK_START

    def build(self) -> dict[str, str]:
        t, cur = self.today, self.currencies.field
        q_start, q_end = quarter_bounds(t, self.fiscal)
        week_end = week_bounds(t, self.week_start)[1]
        if self.only is not None:
            owners = format_soql("FROM Opportunity WHERE Id IN {}", list(self.only))
        else:
            owners = format_soql("FROM Opportunity WHERE Owner.Email IN {}", self.emails)
        closing = format_soql(
            " AND IsClosed = false AND CloseDate >= {} AND CloseDate <= {}", t, week_end
        )
        slipped = format_soql(" AND IsClosed = false AND CloseDate < {}", t)
        by_currency = " GROUP BY CurrencyIsoCode" if self.currencies.multi else ""
        queries = {
            "quarter": f"SELECT IsWon, ForecastCategoryName, StageName, COUNT(Id) n, "
            f"SUM(Amount) amount{cur} {owners}"
            + format_soql(" AND CloseDate >= {} AND CloseDate <= {}", q_start, q_end)
            + " AND (IsClosed = false OR IsWon = true)"
            f" GROUP BY IsWon, ForecastCategoryName, StageName{cur}",
            "closing": f"SELECT {DEAL_FIELDS}{cur} {owners}{closing}"
            f" ORDER BY CloseDate ASC, Amount DESC NULLS LAST, Id ASC LIMIT {LISTED}",
            "slipped": f"SELECT {DEAL_FIELDS}{cur} {owners}{slipped}"
            f" ORDER BY CloseDate ASC, Id ASC LIMIT {LISTED}",
            "closing_n": f"SELECT COUNT(Id) n{cur} {owners}{closing}{by_currency}",
            "slipped_n": f"SELECT COUNT(Id) n {owners}{slipped}",
        }
        if self.probe:
            del queries["closing_n"], queries["slipped_n"]
            queries["ids"] = (
                f"SELECT Id, IsClosed, CloseDate {owners}"
                + format_soql(
                    " AND ((CloseDate >= {} AND CloseDate <= {} AND (IsClosed = false OR "
                    "IsWon = true)) OR (IsClosed = false AND CloseDate <= {}))",
                    q_start,
                    q_end,
                    week_end,
                )
                + " ORDER BY Id ASC"
            )
        return queries


def _count(rows: Iterable[dict[str, Any]]) -> int:
    return sum(int(r.get("n") or 0) for r in rows)


class PipelineDesk:
    """Pipelines from Salesforce. ``vocabulary`` gives the org's currencies and fiscal
    year (raises SalesforceError when they cannot be read: no figure from stock values);
    ``week_start`` is ACCTBOT_WEEK_START (0 Monday … 6 Sunday)."""

    def __init__(
        self,
        sf: SalesforceService,
        *,
        vocabulary: Callable[[], Vocabulary],
        week_start: int = BOT_WEEK_START,
    ) -> None:
        self.sf = sf
        self.vocabulary = vocabulary
        self.week_start = week_start

    def for_owners(
        self,
        emails: list[str],
        today: dt.date,
        *,
        readable: Callable[[list[str]], set[str]] | None = None,
        cache: TTLCache | None = None,
    ) -> Pipeline:
        """The quarter for the owners with these e-mails: one composite request per
        group of owners that fits a URL (one for any team of a few hundred).

        ``readable`` (the Ids a person may read, of the Ids given): the quarter of the
        deals they may read; the same requests, then the access check, and only when
        they may not read every deal, the queries again for those they may (kept in
        ``cache`` for ``PART_TTL`` seconds, keyed by the Ids, never by person). Raises
        SalesforceError."""
        vocab = self.vocabulary()
        currencies, fiscal, week_start = vocab.currencies, vocab.fiscal, self.week_start
        owners = sorted({e.strip().lower() for e in emails if e.strip()})
        p = Pipeline(
            today=today,
            currencies=currencies,
            fiscal=fiscal,
            week_start=week_start,
            won_total=Total(0.0, currencies.corporate),
        )
        if not owners:
            return p
        probe = readable is not None

        def queries(
            chunk: list[str], *, probe: bool = False, only: tuple[str, ...] | None = None
        ) -> PipelineQueries:
            return PipelineQueries(
                chunk, today, currencies, probe=probe, only=only, fiscal=fiscal,
                week_start=week_start,
            )  # fmt: skip

        def longest(chunk: list[str]) -> str:
            return max(queries(chunk, probe=probe).build().values(), key=url_bytes)

        answers = []
        for chunk in self.sf.chunk_values(owners, longest):
            found = self.sf.composite_queries(queries(chunk, probe=probe).build())
            if probe:
                found["ids"] = {"records": list(self.sf.pages(found["ids"]))}
            answers.append(found)
        if readable is None:
            for found in answers:
                _add(p, found)
            _finish(p)
            return p
        deals = [r for found in answers for r in found["ids"]["records"]]
        allowed = readable([r["Id"] for r in deals])
        if all(r["Id"] in allowed for r in deals):
            for found in answers:
                _add(p, found, counted=found["ids"]["records"])
            _finish(p)
            return p
        mine = [r for r in deals if r["Id"] in allowed]
        if mine:

            def longest_ids(chunk: list[str]) -> str:
                return max(queries([], only=tuple(chunk)).build().values(), key=url_bytes)

            ids = [r["Id"] for r in mine]
            # Keyed by the Ids (never by person), kept PART_TTL seconds: a warm quarter
            # costs a partial viewer no more requests than anyone else.
            key = ("pipeline_part", today, week_start, tuple(sorted(ids)))
            parts = cache.get(key) if cache is not None else None
            if parts is None:
                parts = [
                    self.sf.composite_queries(queries([], only=tuple(chunk)).build())
                    for chunk in self.sf.chunk_values(ids, longest_ids)
                ]
                if cache is not None:
                    cache.put(key, parts, ttl=PART_TTL)
            for found in parts:
                _add(p, found)
        _finish(p)
        return p


def _add(
    p: Pipeline, found: dict[str, dict[str, Any]], counted: list[dict[str, Any]] | None = None
) -> None:
    """Add one owner group's answers to the pipeline (counts and sums add exactly).
    ``counted``: the group's deals listed by Id (a probe), which give the two counts."""
    c = p.currencies
    rows = found["quarter"]["records"]
    won = [r for r in rows if r.get("IsWon")]
    p.won_count += _count(won)
    p.won_total = p.won_total + c.total(won, "amount")
    for r in rows:
        if r.get("IsWon"):
            continue
        n = int(r.get("n") or 0)
        p.open_count += n
        cat = str(r.get("ForecastCategoryName") or "Pipeline")
        p.open_by_category[cat] = p.open_by_category.get(cat, Total(0.0, c.corporate)) + c.total(
            [r], "amount"
        )
        stage = str(r.get("StageName") or "—")
        count, total = p.open_by_stage.get(stage, (0, Total(0.0, c.corporate)))
        p.open_by_stage[stage] = (count + n, total + c.total([r], "amount"))
    p.closing_this_week += found["closing"]["records"]
    p.slipped += found["slipped"]["records"]
    if counted is not None:
        week_end = week_bounds(p.today, p.week_start)[1]
        for r in counted:
            close = parse_sf_date(r.get("CloseDate"))
            if r.get("IsClosed") or close is None:
                continue
            p.slipped_count += close < p.today
            p.closing_count += p.today <= close <= week_end
        return
    p.closing_count += _count(found["closing_n"]["records"])
    p.slipped_count += _count(found["slipped_n"]["records"])


def _finish(p: Pipeline) -> None:
    """Order what the groups gave: categories in forecast order, lists by date."""
    c = p.currencies

    def close(o: dict[str, Any]) -> dt.date:
        return parse_sf_date(o.get("CloseDate")) or p.today

    p.open_by_category = {
        **{k: p.open_by_category[k] for k in CATEGORY_ORDER if k in p.open_by_category},
        **{k: v for k, v in p.open_by_category.items() if k not in CATEGORY_ORDER},
    }
    p.closing_this_week = sorted(
        p.closing_this_week, key=lambda o: (close(o), -c.ranking(o.get("Amount"), c.of(o)), o["Id"])
    )[:LISTED]
    p.slipped = sorted(p.slipped, key=lambda o: (close(o), o["Id"]))[:LISTED]
