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
    section,
    status_actions,
)
from bot.orders.queries import NotDoneList, OrderStatus
from bot.slack_ids import CardKind
from bot.text import escape_slack, local_date, money, parse_sf_date, plural, slack_date, truncate

MAX_ITEMS_SHOWN = 8


def order_card(
    st: OrderStatus,
    *,
    record_url: Any,
    now: dt.datetime,
    tz: dt.tzinfo,
    shared_by: str | None = None,
) -> Message:
    rec = st.record
    today = st.today
    account = rec.get("Account") or {}
    owner = rec.get("Owner") or {}
    contract = rec.get("Contract")
    status = rec.get("Status") or "—"
    flag = ""
    if st.stuck_reason:
        flag = f"\n:warning: *Stuck:* {escape_slack(st.stuck_reason)}"
    title = f"Order {st.number}" + (f" · {rec['Name']}" if rec.get("Name") else "")
    intro = f"*{escape_slack(status)}*"
    if rec.get("AccountId"):
        account_link = link(record_url(rec["AccountId"]), account.get("Name") or "—")
        intro += f" · Account: {account_link}"
    intro += flag
    activated = local_date(rec.get("ActivatedDate"), tz)
    created = local_date(rec.get("CreatedDate"), tz)
    fields = [
        f"*Owner*\n{escape_slack(owner.get('Name') or 'unassigned')}",
        f"*Amount*\n{money(rec.get('TotalAmount'))}",
        f"*Effective date*\n{slack_date(parse_sf_date(rec.get('EffectiveDate')), today=today)}",
        f"*Activated*\n{slack_date(activated, today=today) if activated else 'not yet'}",
        f"*Created*\n{slack_date(created, today=today)}",
        f"*Type*\n{escape_slack(rec.get('Type') or '—')}",
    ]
    if contract:
        end = parse_sf_date(contract.get("EndDate"))
        fields.append(
            f"*Contract*\n{escape_slack(contract.get('ContractNumber') or 'linked')} "
            f"({escape_slack(contract.get('Status') or '—')}"
            + (f", ends {slack_date(end, today=today)})" if end else ")")
        )
    lines = []
    for item in st.items[:MAX_ITEMS_SHOWN]:
        product = (item.get("Product2") or {}).get("Name") or "Product"
        qty = item.get("Quantity") or 0
        qty_text = f"{qty:g}"
        lines.append(
            f"• {escape_slack(truncate(product, 80))} × {qty_text} @ "
            f"{money(item.get('UnitPrice'))} = {money(item.get('TotalPrice'))}"
        )
    rest = st.items[MAX_ITEMS_SHOWN:]
    if rest:
        lines.append(
            f"…and {plural(len(rest), 'more item')} "
            f"({money(sum(i.get('TotalPrice') or 0 for i in rest))})"
        )
    blocks = [header(title), section(intro), fields_section(fields)]
    if lines:
        blocks.append(section(f"*{plural(len(st.items), 'line item')}*\n" + "\n".join(lines)))
    else:
        blocks.append(context("No line items."))
    if rec.get("Description"):
        blocks.append(context(escape_slack(truncate(rec["Description"], 500))))
    blocks.append(as_of(now, tz, f" · shared by <@{shared_by}>" if shared_by else ""))
    blocks.append(
        status_actions(CardKind.ORDER, rec["Id"], record_url(rec["Id"]), shared_by=shared_by)
    )
    text = (
        f"Order {st.number} ({account.get('Name') or 'no account'}): {status}, "
        f"{money(rec.get('TotalAmount'))}"
        + (f". Stuck: {st.stuck_reason}" if st.stuck_reason else "")
        + "."
    )
    return Message(text=escape_slack(text), blocks=blocks)


MAX_NOT_DONES = 30


def not_done_list(
    title: str,
    nd: NotDoneList,
    *,
    record_url: Any,
    now: dt.datetime,
    tz: dt.tzinfo,
    stuck_days: int,
) -> Message:
    if not nd.orders:
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
    shown = nd.orders[:MAX_NOT_DONES]
    blocks = [
        header(truncate(f"Not dones — {title}", 150)),
        section(
            f"*{plural(nd.total, 'order')}* stuck or overdue, "
            f"{money(nd.amount)} in all. Oldest first."
        ),
    ]
    chunk: list[str] = []
    for n in shown:
        r = n.record
        acct = (r.get("Account") or {}).get("Name") or "—"
        chunk.append(
            f"• {link(record_url(r['Id']), r['OrderNumber'])} · "
            f"{escape_slack(truncate(acct, 50))} · {escape_slack(r['Status'])} · "
            f"*{plural(n.age_days, 'day')}* · {money(r.get('TotalAmount'))}\n"
            f"      _{escape_slack(n.reason)}_"
        )
        if len(chunk) == 10:
            blocks.append(section("\n".join(chunk)))
            chunk = []
    if chunk:
        blocks.append(section("\n".join(chunk)))
    more = nd.total - len(shown)
    extra = f" · {plural(more, 'more order')} not shown" if more > 0 else ""
    blocks.append(as_of(now, tz, extra))
    text = f"{title}: {plural(nd.total, 'order')} stuck or overdue ({money(nd.amount)})."
    return Message(text=escape_slack(text), blocks=blocks)
