"""Button values: a CardRef survives its round trip, and anything else is refused cleanly."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack_ids import CardKind, CardRef, StaleButton


@pytest.mark.parametrize(
    "ref",
    [
        CardRef(CardKind.ACCOUNT, "001000000000001AAA"),
        CardRef(CardKind.ORDER, "801000000000001AAA", shared_by="U0ANA00001"),
        CardRef(CardKind.ORDERS, "", asker="U0RAJ00001"),
        CardRef(CardKind.PIPELINE, "smb-east", asker="U0RAJ00001", shared_by="U0ANA00001"),
    ],
)
def test_a_card_ref_round_trips(ref: CardRef) -> None:
    value = ref.to_value()
    assert len(value) <= 2000  # a button value's limit
    assert CardRef.from_value(value) == ref


def test_buttons_from_before_versioning_still_work() -> None:
    old = json.dumps({"k": "orders", "id": "mine", "u": "U0RAJ00001", "by": "U0ANA00001"})
    assert CardRef.from_value(old) == CardRef(CardKind.ORDERS, "mine", "U0RAJ00001", "U0ANA00001")


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "42",
        "not json",
        "[]",
        '{"k": [], "id": "1"}',
        '{"k": {"a": 1}, "id": "1"}',
        '{"k": "account"}',
        '{"k": "account", "id": ""}',
        '{"k": "account", "id": 7}',
        '{"k": "opportunity", "id": "006000000000001AAA"}',
        '{"v": 99, "k": "account", "id": "001000000000001AAA"}',
        '{"k": "orders", "id": "mine", "u": ["U1"]}',
        '{"k": "account", "id": "' + "x" * 600 + '"}',
    ],
)
def test_anything_else_is_an_out_of_date_button(value: object) -> None:
    with pytest.raises(StaleButton):
        CardRef.from_value(value)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=8,
)


@given(JSON | st.dictionaries(st.sampled_from(["v", "k", "id", "u", "by"]), JSON))
def test_no_json_shape_raises_anything_but_stale_button(shape: object) -> None:
    with contextlib.suppress(StaleButton):
        ref = CardRef.from_value(json.dumps(shape))
        assert isinstance(ref.kind, CardKind) and isinstance(ref.id, str)
