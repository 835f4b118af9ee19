"""The /order card and the /orders list of not-dones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.blocks import (
    Message,
    as_of,
    context,
    fields_section,
    header,
    link,
    pack_lines,
    packed_sections,
    section,
    status_actions,
)
from bot.orders.queries import MAX_LISTED, NotDone, NotDoneList, OrderStatus
from bot.slack_ids import CardKind
from bot.text import (
    escape_slack,
    local_date,
    money,
    parse_sf_date,
    plural,
    quantity,
    slack_date,
    truncate,
)

MAX_ITEMS_SHOWN = 8
NAME_CHARS = 40  # a status in a list line (picklist values run to 255)
REASON_CHARS = 120  # a not-done's reason in a list line


def order_card(
    st: OrderStatus,
    *,
    record_url: Any,
    now: dt.datetime,
    tz: dt.tzinfo,
    shared_by: str | None = None,
    watching: bool | None = None,
) -> Message:
    """The /order card: status, account, dates, amount (in the order's currency), the
    largest line items with the rest counted, contract and the stuck flag. ``watching``: whether the
    person it is for watches the record (None on a shared card: its Watch button is for
    whoever presses it)."""
    rec = st.record
    account = rec.get("Account") or {}
    status = rec.get("Status") or "—"
    title = f"Order {st.number}" + (f" · {rec['Name']}" if rec.get("Name") else "")
    blocks = [header(title), section(_order_intro(st, record_url)), _order_fields(st, tz)]
    lines = _item_lines(st)
    if lines:
        (items,) = pack_lines(
            f"*{plural(st.item_count, 'line item')}*",
            lines,
            hidden=max(0, st.item_count - len(lines)),
            more=lambda n: f"…and {plural(n, 'more item')}{_rest_amount(st, n)}",
        )
        blocks.append(section(items))
    else:
        blocks.append(context("No line items."))
    if rec.get("Description"):
        blocks.append(context(escape_slack(truncate(rec["Description"], 500))))
    blocks.append(as_of(now, tz, f" · shared by <@{shared_by}>" if shared_by else ""))
    blocks.append(
        status_actions(
            CardKind.ORDER,
            rec["Id"],
            record_url(rec["Id"]),
            shared_by=shared_by,
            watching=watching,
        )
    )
    text = (
        f"Order {st.number} ({account.get('Name') or 'no account'}): {status}, "
        f"{money(rec.get('TotalAmount'), st.currency)}"
        + (f". Stuck: {st.stuck_reason}" if st.stuck_reason else "")
        + "."
    )
    return Message(text=escape_slack(text), blocks=blocks)


def _order_intro(st: OrderStatus, record_url: Any) -> str:
    rec = st.record
    intro = f"*{escape_slack(rec.get('Status') or '—')}*"
    if rec.get("AccountId"):
        account = rec.get("Account") or {}
        intro += f" · Account: {link(record_url(rec['AccountId']), account.get('Name') or '—')}"
    if st.stuck_reason:
        intro += f"\n:warning: *Stuck:* {escape_slack(st.stuck_reason)}"
    return intro


def _order_fields(st: OrderStatus, tz: dt.tzinfo) -> dict[str, Any]:
    rec, today = st.record, st.today
    owner = rec.get("Owner") or {}
    activated = local_date(rec.get("ActivatedDate"), tz)
    created = local_date(rec.get("CreatedDate"), tz)
    fields = [
        f"*Owner*\n{escape_slack(owner.get('Name') or 'unassigned')}",
        f"*Amount*\n{money(rec.get('TotalAmount'), st.currency)}",
        f"*Effective date*\n{slack_date(parse_sf_date(rec.get('EffectiveDate')), today=today)}",
        f"*Activated*\n{slack_date(activated, today=today) if activated else 'not yet'}",
        f"*Created*\n{slack_date(created, today=today)}",
        f"*Type*\n{escape_slack(rec.get('Type') or '—')}",
    ]
    contract = rec.get("Contract")
    if contract:
        end = parse_sf_date(contract.get("EndDate"))
        fields.append(
            f"*Contract*\n{escape_slack(contract.get('ContractNumber') or 'linked')} "
            f"({escape_slack(contract.get('Status') or '—')}"
            + (f", ends {slack_date(end, today=today)})" if end else ")")
        )
    return fields_section(fields)


def _item_lines(st: OrderStatus) -> list[str]:
    """The largest items' lines (at most MAX_ITEMS_SHOWN); quantities exactly as given."""
    lines = []
    for item in st.items[:MAX_ITEMS_SHOWN]:
        product = (item.get("Product2") or {}).get("Name") or "Product"
        lines.append(
            f"• {escape_slack(truncate(product, 80))} × {quantity(item.get('Quantity'))} @ "
            f"{money(item.get('UnitPrice'), st.currency)} = "
            f"{money(item.get('TotalPrice'), st.currency)}"
        )
    return lines


def _rest_amount(st: OrderStatus, rest: int) -> str:
    """' ($488)': what the ``rest`` items not listed come to. The order's TotalAmount is
    the roll-up of every item's TotalPrice, and the items are the largest first, so the
    rest are the order's total less the first ``item_count - rest``."""
    total = st.record.get("TotalAmount")
    if total is None:
        return ""
    listed = st.items[: max(0, st.item_count - rest)]
    return f" ({money(total - sum(i.get('TotalPrice') or 0 for i in listed), st.currency)})"


def not_done_list(
    title: str,
    nd: NotDoneList,
    *,
    record_url: Any,
    now: dt.datetime,
    tz: dt.tzinfo,
    stuck_days: int,
) -> Message:
    """A list of not-dones: the exact count and amount, the oldest first (at most
    ``MAX_LISTED``), and how many more there are."""
    if not nd.total:
        return Message(
            text=escape_slack(f"{title}: no stuck or overdue orders."),
            blocks=[
                section(
                    f":white_check_mark: *{escape_slack(title)}*: no stuck or overdue "
                    f"orders. (Drafts past their effective date, or open more than "
                    f"{stuck_days} days.)"
                ),
                as_of(now, tz),
            ],
        )
    blocks = [
        header(truncate(f"Not dones — {title}", 150)),
        section(
            f"*{plural(nd.total, 'order')}* stuck or overdue, "
            f"{escape_slack(nd.amount.text())} in all. Oldest first."
        ),
    ]
    lines = [_not_done_line(n, record_url) for n in nd.orders[:MAX_LISTED]]
    blocks += packed_sections("", lines, sections=None)
    more = nd.total - min(len(nd.orders), MAX_LISTED)
    extra = f" · {plural(more, 'more order')} not shown" if more > 0 else ""
    blocks.append(as_of(now, tz, extra))
    text = f"{title}: {plural(nd.total, 'order')} stuck or overdue ({nd.amount.text()})."
    return Message(text=escape_slack(text), blocks=blocks)


def _not_done_line(n: NotDone, record_url: Any) -> str:
    r = n.record
    acct = (r.get("Account") or {}).get("Name") or "—"
    return (
        f"• {link(record_url(r['Id']), r['OrderNumber'])} · "
        f"{escape_slack(truncate(acct, 50))} · "
        f"{escape_slack(truncate(r.get('Status') or '—', NAME_CHARS))} · "
        f"*{plural(n.age_days, 'day')}* · {money(r.get('TotalAmount'), n.currency)}\n"
        f"      _{escape_slack(truncate(n.reason, REASON_CHARS))}_"
    )
