"""This quarter's pipeline for a rep, a Slack user or a team."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from bot.infra.salesforce import SalesforceService
from bot.text import parse_sf_date

PIPELINE_SELECT = (
    "SELECT Id, Name, StageName, Amount, CloseDate, ForecastCategoryName, IsClosed, IsWon, "
    "Account.Name, Owner.Name FROM Opportunity "
    "WHERE Owner.Email IN {} AND (CloseDate = THIS_QUARTER OR CloseDate = THIS_WEEK "
    "OR (IsClosed = false AND CloseDate < TODAY)) "
    "ORDER BY CloseDate ASC"
)

CATEGORY_ORDER = ("Commit", "Best Case", "Pipeline", "Omitted")


@dataclass
class Pipeline:
    today: dt.date
    open_by_category: dict[str, float] = field(default_factory=dict)
    open_by_stage: dict[str, tuple[int, float]] = field(default_factory=dict)
    won: list[dict[str, Any]] = field(default_factory=list)
    closing_this_week: list[dict[str, Any]] = field(default_factory=list)
    slipped: list[dict[str, Any]] = field(default_factory=list)
    open_count: int = 0

    @property
    def open_total(self) -> float:
        return sum(self.open_by_category.values())

    @property
    def won_total(self) -> float:
        return sum(o.get("Amount") or 0.0 for o in self.won)


def week_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    """Sunday..Saturday, as Salesforce's THIS_WEEK in the en_US locale."""
    start = today - dt.timedelta(days=(today.weekday() + 1) % 7)
    return start, start + dt.timedelta(days=6)


def quarter_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    q0 = (today.month - 1) // 3 * 3 + 1
    start = dt.date(today.year, q0, 1)
    end_month = q0 + 3
    end = dt.date(today.year + (end_month > 12), (end_month - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


class PipelineDesk:
    def __init__(self, sf: SalesforceService) -> None:
        self.sf = sf

    def for_owners(self, emails: list[str], today: dt.date) -> Pipeline:
        p = Pipeline(today=today)
        by_cat: dict[str, float] = defaultdict(float)
        by_stage: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
        week_end = week_bounds(today)[1]
        q_start, q_end = quarter_bounds(today)
        for opp in self.sf.query_iter(PIPELINE_SELECT, [e.lower() for e in emails]):
            close = parse_sf_date(opp["CloseDate"]) or today
            amount = opp.get("Amount") or 0.0
            if opp["IsWon"]:
                if q_start <= close <= q_end:
                    p.won.append(opp)
                continue
            if opp["IsClosed"]:
                continue
            if close < today:
                p.slipped.append(opp)
            elif close <= week_end:  # this week may run into next quarter
                p.closing_this_week.append(opp)
            if q_start <= close <= q_end:
                p.open_count += 1
                by_cat[opp.get("ForecastCategoryName") or "Pipeline"] += amount
                entry = by_stage[opp["StageName"]]
                entry[0] += 1
                entry[1] += amount
        p.open_by_category = {c: by_cat[c] for c in CATEGORY_ORDER if c in by_cat}
        p.open_by_category.update({c: v for c, v in by_cat.items() if c not in CATEGORY_ORDER})
        p.open_by_stage = {s: (int(v[0]), v[1]) for s, v in by_stage.items()}
        return p
