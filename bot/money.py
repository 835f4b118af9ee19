"""Money in the org's currencies: which currency an amount is in, and sums that never add
different currencies as one figure.

Salesforce: a single-currency org keeps every amount in one currency, its
``Organization.DefaultCurrencyIsoCode`` (which need not be USD). A multi-currency org
gives every record a ``CurrencyIsoCode``; ``CurrencyType`` lists its currencies (active or
deactivated: a deactivated one keeps its rate, and records in it keep their amounts),
their ``ConversionRate`` against the corporate currency (``IsCorporate``); and aggregate
functions over a currency field return the corporate currency: "If a query includes a
GROUP BY or HAVING clause, any currency data returned by using an aggregate function,
such as SUM() or MAX(), is in the org's default currency" (SOQL and SOSL Reference,
"Querying Currency Fields in Multicurrency Orgs"). So acctbot shows

- a record's amount in the record's own currency;
- a sum from an aggregate query as a :class:`Total` in the corporate currency, labelled
  as converted (and from which currencies) when any other currency went into it;
- a sum it adds up itself, record by record, as :class:`Amounts`: one figure per
  currency ("€100,000 + ¥5,000,000"), never converted.

Conversion rates are used for one thing only: ordering records of different currencies
("largest first"); a converted figure acctbot computes itself is never shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from bot.text import money

__all__ = ["Amounts", "Currencies", "Total"]


@dataclass(frozen=True)
class Currencies:
    """The org's currencies, read once per process (see ``bot.vocabulary``).

    ``corporate``: the single currency of a single-currency org, or the corporate
    currency of a multi-currency one. ``multi``: records carry ``CurrencyIsoCode`` (and
    queries may name it; in a single-currency org that field does not exist and naming
    it is INVALID_FIELD). ``rates``: ``CurrencyType.ConversionRate`` per ISO code (units
    per one corporate unit), for ordering only, for every currency the org has had;
    ``inactive``: those an admin deactivated (``IsActive`` false: no new records use
    them, old ones still do).
    """

    corporate: str = "USD"
    multi: bool = False
    rates: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    inactive: frozenset[str] = frozenset()

    @property
    def active(self) -> tuple[str, ...]:
        """The currencies records may be created in, by ISO code (the corporate first)."""
        codes = sorted(set(self.rates) - self.inactive - {self.corporate})
        return (self.corporate, *codes)

    @property
    def field(self) -> str:
        """``", CurrencyIsoCode"`` to add to a SELECT list in a multi-currency org, else
        nothing (a constant: no value enters SOQL through it)."""
        return ", CurrencyIsoCode" if self.multi else ""

    def of(self, rec: Mapping[str, Any] | None) -> str:
        """The currency a record's amounts are in."""
        if self.multi and rec:
            return str(rec.get("CurrencyIsoCode") or self.corporate)
        return self.corporate

    def ranking(self, amount: float | None, currency: str) -> float:
        """``amount`` in corporate units, for ORDERING records of mixed currencies only
        (never shown: a dated exchange rate may differ)."""
        if amount is None:
            return 0.0
        rate = self.rates.get(currency) or 1.0
        return float(amount) / rate

    def total(self, rows: Iterable[Mapping[str, Any]], key: str) -> Total:
        """A :class:`Total` from AggregateResult rows: ``key`` is the alias of the SUM;
        rows grouped by ``CurrencyIsoCode`` (multi-currency) say which currencies went in
        (rows with no amount do not count)."""
        amount = 0.0
        sources: set[str] = set()
        for row in rows:
            value = row.get(key)
            if value is None:
                continue
            amount += float(value)
            if self.multi and row.get("CurrencyIsoCode"):
                sources.add(str(row["CurrencyIsoCode"]))
        return Total(amount, self.corporate, tuple(sorted(sources)))

    def amounts(self) -> Amounts:
        """An empty per-currency sum in this org."""
        return Amounts(self.corporate)


@dataclass(frozen=True)
class Total:
    """A sum Salesforce computed (an aggregate): ``amount`` in ``currency`` (the
    corporate one), and the record currencies it was made of (multi-currency orgs)."""

    amount: float
    currency: str
    sources: tuple[str, ...] = ()

    @property
    def converted_from(self) -> tuple[str, ...]:
        """The currencies Salesforce converted into ``currency`` for this sum."""
        return tuple(c for c in self.sources if c != self.currency)

    def __add__(self, other: Total) -> Total:
        if other.currency != self.currency:
            raise ValueError("totals in different currencies are never added")
        return Total(
            self.amount + other.amount,
            self.currency,
            tuple(sorted(set(self.sources) | set(other.sources))),
        )

    def text(self) -> str:
        """ "$65,000", or "$144,444 (converted to USD from EUR, JPY)"."""
        shown = money(self.amount, self.currency)
        others = self.converted_from
        if others:
            shown += f" (converted to {self.currency} from {', '.join(others)})"
        return shown

    def short(self) -> str:
        """The figure with a short label for tight places: "$144,444 (converted)"."""
        return money(self.amount, self.currency) + (" (converted)" if self.converted_from else "")


@dataclass(slots=True)
class Amounts:
    """Amounts added up record by record, one sum per currency (never converted)."""

    default: str = "USD"  # the currency an empty sum is shown in
    by_currency: dict[str, float] = field(default_factory=dict)

    def add(self, amount: float | None, currency: str) -> None:
        if amount is None:
            return
        self.by_currency[currency] = self.by_currency.get(currency, 0.0) + float(amount)

    def merge(self, other: Amounts) -> None:
        for currency, amount in other.by_currency.items():
            self.add(amount, currency)

    @property
    def single(self) -> tuple[float, str] | None:
        """(amount, currency) when at most one currency went in."""
        if not self.by_currency:
            return 0.0, self.default
        if len(self.by_currency) == 1:
            ((currency, amount),) = self.by_currency.items()
            return amount, currency
        return None

    def text(self) -> str:
        """ "$1,200", or one figure per currency, by ISO code: "€100,000 + ¥5,000,000"."""
        one = self.single
        if one is not None:
            return money(one[0], one[1])
        return " + ".join(money(v, c) for c, v in sorted(self.by_currency.items()))
