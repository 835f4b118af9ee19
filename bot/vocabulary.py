"""The org's own picklist values that acctbot's rules depend on, read from describe.

Every org customizes picklists, so acctbot does not hard-code them:

- the **draft** order status is ``Order.Status``'s default value (where new orders
  start; Salesforce ships "Draft"). ``StatusCode`` is Salesforce's fixed category
  (Draft, Activated, ...) and needs no lookup;
- case **priorities**, most urgent first, are ``Case.Priority``'s active values in
  their picklist order (Salesforce ships High, Medium, Low);
- the org's **currencies** (``bot.money.Currencies``): a multi-currency org is one whose
  objects have a ``CurrencyIsoCode`` field (in Order's describe); its corporate currency
  and rates come from ``CurrencyType``; a single-currency org's one currency is
  ``Organization.DefaultCurrencyIsoCode``.

Which Order statuses are *finished* (never open, stuck or overdue) is not in describe
(Salesforce files "Cancelled" under the Draft category): that is the setting
ACCTBOT_FINISHED_ORDER_STATUSES.

Read once per process (two describe requests and one query, plus one for CurrencyType
in a multi-currency org); if any fails, Salesforce's stock values are used and the next
use tries again.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from bot.infra.salesforce import SalesforceError, SalesforceService
from bot.money import Currencies

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Vocabulary:
    draft_status: str = "Draft"
    priorities: tuple[str, ...] = ("High", "Medium", "Low")
    currencies: Currencies = field(default_factory=Currencies)

    @property
    def top_priority(self) -> str:
        return self.priorities[0]

    @classmethod
    def from_describe(
        cls,
        order: dict[str, Any],
        case: dict[str, Any],
        currencies: Currencies = Currencies(),  # noqa: B008 (frozen)
    ) -> Vocabulary:
        """The vocabulary from Order's and Case's describe results (and the currencies
        read beside them)."""
        stock = cls()
        statuses = _picklist(order, "Status")
        draft = next((v["value"] for v in statuses if v.get("defaultValue")), None)
        if draft is None and any(v["value"] == stock.draft_status for v in statuses):
            draft = stock.draft_status
        priorities = tuple(v["value"] for v in _picklist(case, "Priority"))
        return cls(
            draft_status=draft or stock.draft_status,
            priorities=priorities or stock.priorities,
            currencies=currencies,
        )


def is_multi_currency(describe: dict[str, Any]) -> bool:
    """Whether an object's describe has ``CurrencyIsoCode`` (multi-currency orgs only)."""
    return any(f.get("name") == "CurrencyIsoCode" for f in describe.get("fields") or [])


def read_currencies(sf: SalesforceService, order_describe: dict[str, Any]) -> Currencies:
    """The org's currencies: one query (Organization), plus CurrencyType when records
    carry ``CurrencyIsoCode``. Raises SalesforceError."""
    org = sf.query_records("SELECT DefaultCurrencyIsoCode FROM Organization LIMIT 1")
    corporate = str((org[0] if org else {}).get("DefaultCurrencyIsoCode") or "USD")
    if not is_multi_currency(order_describe):
        return Currencies(corporate=corporate)
    rows = sf.query_records(
        "SELECT IsoCode, ConversionRate, IsCorporate FROM CurrencyType WHERE IsActive = true"
    )
    corporate = next((str(r["IsoCode"]) for r in rows if r.get("IsCorporate")), corporate)
    rates = MappingProxyType(
        {str(r["IsoCode"]): float(r.get("ConversionRate") or 1.0) for r in rows}
    )
    return Currencies(corporate=corporate, multi=True, rates=rates)


def _picklist(describe: dict[str, Any], field: str) -> list[dict[str, Any]]:
    for f in describe.get("fields") or []:
        if f.get("name") == field:
            return [v for v in f.get("picklistValues") or [] if v.get("active", True)]
    return []


class VocabularySource:
    """Loads the vocabulary on first use; thread-safe; falls back on failure."""

    def __init__(self, sf: SalesforceService) -> None:
        self.sf = sf
        self._value: Vocabulary | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Vocabulary:
        if self._value is not None:
            return self._value
        with self._lock:
            if self._value is None:
                try:
                    order = self.sf.describe("Order")
                    self._value = Vocabulary.from_describe(
                        order, self.sf.describe("Case"), read_currencies(self.sf, order)
                    )
                except SalesforceError as exc:
                    log.warning(
                        "reading the org's picklists and currencies failed (%s); using "
                        "Salesforce's stock values for now",
                        exc,
                    )
                    return Vocabulary()
            return self._value

    def forget(self) -> None:
        """Read the org again at the next use (after an admin changed its picklists or
        currencies; the tests load other orgs into one running bot)."""
        with self._lock:
            self._value = None
            self.sf.forget_describes()
