"""Money: an amount always says its currency, and sums never mix currencies."""

from __future__ import annotations

import pytest

from bot.money import Amounts, Currencies, Total
from bot.text import money, plural


@pytest.mark.parametrize(
    ("value", "currency", "shown"),
    [
        (65000, "USD", "$65,000"),
        (19.5, "USD", "$19.50"),
        (65000, "EUR", "€65,000"),
        (5_000_000, "JPY", "¥5,000,000"),
        (12.4, "JPY", "¥12"),  # no minor units
        (1200, "CHF", "CHF 1,200"),
        (-300, "GBP", "-£300"),
        (0.5, "KWD", "KWD 0.500"),
        (None, "USD", "—"),
    ],
)
def test_money_says_which_currency(value: float | None, currency: str, shown: str) -> None:
    assert money(value, currency) == shown


def test_counts_have_thousands_separators() -> None:
    assert plural(2301, "order") == "2,301 orders" and plural(1, "order") == "1 order"


def test_totals_say_what_was_converted_into_them() -> None:
    c = Currencies(corporate="USD", multi=True)
    rows = [
        {"amount": 111111.11, "CurrencyIsoCode": "EUR"},
        {"amount": 33333.33, "CurrencyIsoCode": "JPY"},
        {"amount": 20000.0, "CurrencyIsoCode": "USD"},
        {"amount": None, "CurrencyIsoCode": "GBP"},  # no amounts: nothing converted
    ]
    total = c.total(rows, "amount")
    assert total.text() == "$164,444.44 (converted to USD from EUR, JPY)"
    assert total.short() == "$164,444.44 (converted)"
    assert Currencies("EUR").total([{"amount": 5.0}], "amount").text() == "€5"
    with pytest.raises(ValueError, match="never added"):
        _ = Total(1.0, "USD") + Total(1.0, "EUR")


def test_amounts_added_record_by_record_stay_per_currency() -> None:
    a = Amounts("USD")
    assert a.text() == "$0"
    a.add(100_000, "EUR")
    assert a.text() == "€100,000"
    a.add(5_000_000, "JPY")
    a.add(None, "USD")
    assert a.text() == "€100,000 + ¥5,000,000"
    c = Currencies("USD", multi=True, rates={"EUR": 0.9, "JPY": 150})
    assert c.ranking(100_000, "EUR") > c.ranking(5_000_000, "JPY")  # ordering only
