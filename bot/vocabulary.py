"""The org's own settings that acctbot's rules depend on: picklists, currencies and its
fiscal year, read from Salesforce.

Every org customizes these, so acctbot does not hard-code them:

- the **draft** order status is ``Order.Status``'s default value (where new orders
  start; Salesforce ships "Draft"). ``StatusCode`` is Salesforce's fixed category
  (Draft, Activated, ...) and needs no lookup;
- case **priorities**, most urgent first, are ``Case.Priority``'s active values in
  their picklist order (Salesforce ships High, Medium, Low);
- the org's **currencies** (``bot.money.Currencies``): a multi-currency org is one whose
  objects have a ``CurrencyIsoCode`` field (in Order's describe); its corporate currency
  and rates come from ``CurrencyType`` (every row: Salesforce keeps the rate of a
  currency that was deactivated, and records in it keep their amounts); a
  single-currency org's one currency is ``Organization.DefaultCurrencyIsoCode``;
- the **fiscal year** (``bot.dates.FiscalYear``): ``Organization.FiscalYearStartMonth``
  and ``UsesStartDateAsFiscalYearName``, for "this quarter".

Which Order statuses are *finished* (never open, stuck or overdue) is not in describe
(Salesforce files "Cancelled" under the Draft category): that is the setting
ACCTBOT_FINISHED_ORDER_STATUSES.

Read on first use (two describe requests and one query, plus one for CurrencyType in a
multi-currency org) and again after ``MAX_AGE`` seconds. No figure is ever shown from
guessed values: if the first read fails, the read raises (a card shows Salesforce's
error, a digest fails and is retried later); if a later re-read fails, the last values
read stay in use and the re-read is tried again after ``RETRY_AFTER`` seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from bot.dates import FiscalYear
from bot.infra.salesforce import SalesforceError, SalesforceService
from bot.money import Currencies

log = logging.getLogger(__name__)

MAX_AGE = 3600.0  # seconds a vocabulary is used before it is read again
RETRY_AFTER = 60.0  # seconds before a failed re-read is tried again (the old one meanwhile)


@dataclass(frozen=True)
class Vocabulary:
    """The org's vocabulary. The defaults are Salesforce's stock values, for building
    one by hand (tests); acctbot itself always uses one read from the org."""

    draft_status: str = "Draft"
    priorities: tuple[str, ...] = ("High", "Medium", "Low")
    currencies: Currencies = field(default_factory=Currencies)
    fiscal: FiscalYear = field(default_factory=FiscalYear)

    @property
    def top_priority(self) -> str:
        return self.priorities[0]

    @classmethod
    def from_describe(
        cls,
        order: dict[str, Any],
        case: dict[str, Any],
        currencies: Currencies = Currencies(),  # noqa: B008 (frozen)
        fiscal: FiscalYear = FiscalYear(),  # noqa: B008 (frozen)
    ) -> Vocabulary:
        """The vocabulary from Order's and Case's describe results (and the currencies
        and fiscal year read beside them)."""
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
            fiscal=fiscal,
        )


def is_multi_currency(describe: dict[str, Any]) -> bool:
    """Whether an object's describe has ``CurrencyIsoCode`` (multi-currency orgs only)."""
    return any(f.get("name") == "CurrencyIsoCode" for f in describe.get("fields") or [])


ORGANIZATION_QUERY = (
    "SELECT DefaultCurrencyIsoCode, FiscalYearStartMonth, UsesStartDateAsFiscalYearName "
    "FROM Organization LIMIT 1"
)
# Every CurrencyType row, active or not: a deactivated currency keeps its rate, and
# records in it keep their amounts (Help, "Edit Conversion Rates"; Object Reference,
# CurrencyType.IsActive).
CURRENCY_QUERY = "SELECT IsoCode, ConversionRate, IsCorporate, IsActive FROM CurrencyType"


def read_organization(sf: SalesforceService) -> dict[str, Any]:
    """The Organization record's currency and fiscal year fields (one query). Raises
    SalesforceError."""
    rows = sf.query_records(ORGANIZATION_QUERY)
    return dict(rows[0]) if rows else {}


def fiscal_year(org: dict[str, Any]) -> FiscalYear:
    """The fiscal year an Organization record describes (January when it says none)."""
    month = org.get("FiscalYearStartMonth")
    start = int(month) if isinstance(month, int | float) and 1 <= int(month) <= 12 else 1
    return FiscalYear(start, bool(org.get("UsesStartDateAsFiscalYearName")))


def read_currencies(
    sf: SalesforceService, order_describe: dict[str, Any], org: dict[str, Any] | None = None
) -> Currencies:
    """The org's currencies: the Organization query (unless ``org``, its record, is
    given), plus CurrencyType when records carry ``CurrencyIsoCode``. Raises
    SalesforceError."""
    if org is None:
        org = read_organization(sf)
    corporate = str(org.get("DefaultCurrencyIsoCode") or "USD")
    if not is_multi_currency(order_describe):
        return Currencies(corporate=corporate)
    rows = sf.query_records(CURRENCY_QUERY)
    corporate = next((str(r["IsoCode"]) for r in rows if r.get("IsCorporate")), corporate)
    rates = MappingProxyType(
        {str(r["IsoCode"]): float(r.get("ConversionRate") or 1.0) for r in rows}
    )
    inactive = frozenset(str(r["IsoCode"]) for r in rows if r.get("IsActive") is False)
    return Currencies(corporate=corporate, multi=True, rates=rates, inactive=inactive)


def read_vocabulary(sf: SalesforceService) -> Vocabulary:
    """Everything :class:`Vocabulary` holds, read from the org now. Raises
    SalesforceError."""
    order = sf.describe("Order")
    case = sf.describe("Case")
    org = read_organization(sf)
    return Vocabulary.from_describe(order, case, read_currencies(sf, order, org), fiscal_year(org))


def _picklist(describe: dict[str, Any], field: str) -> list[dict[str, Any]]:
    for f in describe.get("fields") or []:
        if f.get("name") == field:
            return [v for v in f.get("picklistValues") or [] if v.get("active", True)]
    return []


class VocabularySource:
    """The org's vocabulary, read on first use and every ``max_age`` seconds; thread-safe.

    Calling it returns the vocabulary or raises :class:`SalesforceError` when it was
    never read successfully: figures are never shown from stock values. A failed re-read
    keeps the last one read (tried again after ``retry_after`` seconds).
    """

    def __init__(
        self,
        sf: SalesforceService,
        *,
        max_age: float = MAX_AGE,
        retry_after: float = RETRY_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sf = sf
        self.max_age = max_age
        self.retry_after = retry_after
        self.clock = clock
        self._value: Vocabulary | None = None
        self._next_read = 0.0  # clock() at which to read again
        self._lock = threading.Lock()

    def __call__(self) -> Vocabulary:
        value = self._value
        if value is not None and self.clock() < self._next_read:
            return value
        with self._lock:
            if self._value is not None and self.clock() < self._next_read:
                return self._value
            try:
                if self._value is not None:
                    self.sf.forget_describes()  # a re-read reads describe again too
                fresh = read_vocabulary(self.sf)
            except SalesforceError as exc:
                if self._value is None:
                    log.warning(
                        "reading the org's picklists, currencies and fiscal year failed: %s", exc
                    )
                    raise
                log.warning(
                    "reading the org's picklists, currencies and fiscal year again failed "
                    "(%s); keeping the ones read before",
                    exc,
                )
                self._next_read = self.clock() + self.retry_after
                return self._value
            self._value = fresh
            self._next_read = self.clock() + self.max_age
            return fresh

    def forget(self) -> None:
        """Read the org again at the next use, with no values to fall back on (after an
        admin changed its picklists or currencies; the tests load other orgs into one
        running bot)."""
        with self._lock:
            self._value = None
            self._next_read = 0.0
            self.sf.forget_describes()
