"""When an order is open, overdue or stuck: one rule for cards, lists, digests and health.

- **Open**: Salesforce's status category is Draft (``StatusCode = 'Draft'``; Activated
  orders are done) and the status is not one of ACCTBOT_FINISHED_ORDER_STATUSES
  (Salesforce files statuses such as "Cancelled" under the Draft category too).
- **Overdue draft**: open, in the org's draft status (``Order.Status``'s default value,
  from describe), and its effective date is before today.
- **Stuck**: open and created more than ``stuck_days`` days ago (both in
  ACCTBOT_TIMEZONE), when not an overdue draft.

Each test here has its SOQL twin, with explicit bounds computed in the bot's time zone
(never TODAY or LAST_N_DAYS, which Salesforce evaluates in the integration user's zone),
so a count Salesforce makes and a flag the bot shows always agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.dates import local_midnight
from bot.infra.salesforce import format_soql
from bot.settings import DEFAULT_FINISHED_ORDER_STATUSES
from bot.text import local_date, parse_sf_date, plural


@dataclass(frozen=True)
class OrderRules:
    """The not-done rule for one org and one time zone.

    ``tz``: ACCTBOT_TIMEZONE (dates and ages are local there); ``stuck_days``:
    ACCTBOT_STUCK_DAYS; ``draft_status``: the org's draft status (describe);
    ``finished``: ACCTBOT_FINISHED_ORDER_STATUSES (compared without regard to case, as
    SOQL compares text).
    """

    tz: dt.tzinfo
    stuck_days: int = 14
    draft_status: str = "Draft"
    finished: tuple[str, ...] = DEFAULT_FINISHED_ORDER_STATUSES

    # -- in Python, on records that carry Status, StatusCode, EffectiveDate, CreatedDate
    def is_finished(self, status: str | None) -> bool:
        s = (status or "").lower()
        return any(s == f.lower() for f in self.finished)

    def is_open(self, order: Mapping[str, Any]) -> bool:
        return order.get("StatusCode") == "Draft" and not self.is_finished(order.get("Status"))

    def _is_draft(self, order: Mapping[str, Any]) -> bool:
        return (order.get("Status") or "").lower() == self.draft_status.lower()

    def stuck_reason(self, order: Mapping[str, Any], today: dt.date) -> str | None:
        """Why an order is a "not done" on ``today`` (local), or None when it is not one."""
        if not self.is_open(order):
            return None
        effective = parse_sf_date(order.get("EffectiveDate"))
        created = local_date(order.get("CreatedDate"), self.tz)
        if self._is_draft(order) and effective and effective < today:
            return f"draft {plural((today - effective).days, 'day')} past its effective date"
        if created and (today - created).days > self.stuck_days:
            status = (order.get("Status") or "open").lower()
            return f"{status} for {plural((today - created).days, 'day')}"
        return None

    def is_overdue_draft(self, order: Mapping[str, Any], today: dt.date) -> bool:
        effective = parse_sf_date(order.get("EffectiveDate"))
        overdue = bool(effective and effective < today)
        return overdue and self.is_open(order) and self._is_draft(order)

    def age(self, order: Mapping[str, Any], today: dt.date) -> int:
        """Days a not-done has waited: a draft since its effective date or creation,
        whichever came first; any other since it was created."""
        start = parse_sf_date(order.get("EffectiveDate")) if self._is_draft(order) else None
        created = local_date(order.get("CreatedDate"), self.tz) or today
        return (today - min(d for d in (start, created) if d is not None)).days

    # -- the same tests as SOQL conditions (formatted with format_soql; no field prefix)
    def created_before(self, today: dt.date) -> dt.datetime:
        """Orders created before this instant (UTC) are older than ``stuck_days``."""
        return local_midnight(today - dt.timedelta(days=self.stuck_days), self.tz)

    def open_soql(self) -> str:
        """Open orders: ``StatusCode = 'Draft' AND Status NOT IN (...finished)``."""
        if not self.finished:
            return "StatusCode = 'Draft'"
        return format_soql("StatusCode = 'Draft' AND Status NOT IN {}", list(self.finished))

    def not_done_soql(self, today: dt.date) -> str:
        """Open orders that are overdue drafts or stuck on ``today``."""
        return self.open_soql() + format_soql(
            " AND ((Status = {} AND EffectiveDate < {}) OR CreatedDate < {})",
            self.draft_status,
            today,
            self.created_before(today),
        )

    def overdue_soql(self, today: dt.date) -> str:
        """Open drafts past their effective date on ``today``."""
        return self.open_soql() + format_soql(
            " AND Status = {} AND EffectiveDate < {}", self.draft_status, today
        )
