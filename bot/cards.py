"""Block Kit messages for the status commands.

Every builder returns a ``Message`` (plain-text fallback + blocks) that stays within
Slack's limits: at most 50 blocks, section text up to 3000 characters, up to 10 fields
of 2000, header 150, button text 75, option text 75 and value 150.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from .accounts import AccountMatch, AccountStatus
from .orders import NotDoneList, OrderStatus
from .pipeline import Pipeline
from .text import escape_slack, local_date, money, parse_sf_date, plural, slack_date, truncate

HEALTH_EMOJI = {
    "green": ":large_green_circle:",
    "amber": ":large_orange_circle:",
    "red": ":red_circle:",
}
MAX_BLOCKS = 50


@dataclass
class Message:
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    is_error: bool = False  # an error for the asker alone: never shared in channel

    def payload(self, **extra: Any) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks, **extra}


# --- small block helpers -------------------------------------------------------------


def header(text: str) -> dict[str, Any]:
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": truncate(text, 150), "emoji": True},
    }


def section(
    text: str, *, fields: list[str] | None = None, accessory: dict[str, Any] | None = None
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": truncate(text, 3000)},
    }
    if fields:
        block["fields"] = [{"type": "mrkdwn", "text": truncate(f, 2000)} for f in fields[:10]]
    if accessory:
        block["accessory"] = accessory
    return block


def fields_section(fields: list[str]) -> dict[str, Any]:
    return {
        "type": "section",
        "fields": [{"type": "mrkdwn", "text": truncate(f, 2000)} for f in fields[:10]],
    }


def context(*texts: str) -> dict[str, Any]:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": truncate(t, 3000)} for t in texts[:10]],
    }


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def button(
    text: str,
    action_id: str,
    value: str | None = None,
    *,
    url: str | None = None,
    style: str | None = None,
) -> dict[str, Any]:
    b: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": truncate(text, 75), "emoji": True},
    }
    if value is not None:
        b["value"] = value[:2000]
    if url:
        b["url"] = url
    if style:
        b["style"] = style
    return b


def actions(*elements: dict[str, Any], block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "actions", "elements": list(elements)[:25]}
    if block_id:
        block["block_id"] = block_id
    return block


def option(text: str, value: str) -> dict[str, Any]:
    return {
        "text": {"type": "plain_text", "text": truncate(text, 75), "emoji": True},
        "value": value[:150],
    }


def link(url: str, label: str) -> str:
    label = escape_slack(label).replace("|", "¦")
    return f"<{url}|{label}>"


def card_ref(kind: str, record_id: str, shared_by: str | None = None) -> str:
    """The value carried by Share/Refresh buttons: what to re-render (and who shared it)."""
    ref = {"k": kind, "id": record_id, **({"by": shared_by} if shared_by else {})}
    return json.dumps(ref, separators=(",", ":"))


def status_actions(
    kind: str, record_id: str, sf_url: str, *, shared_by: str | None = None
) -> dict[str, Any]:
    ref = card_ref(kind, record_id, shared_by)
    elements = []
    if not shared_by:
        elements.append(button("Share in channel", "share_card", ref, style="primary"))
    elements += [
        button("Refresh", "refresh_card", ref),
        button("Open in Salesforce", "open_in_salesforce", record_id, url=sf_url),
    ]
    if kind in ("account", "order"):
        elements.append(button("Escalate", "escalate_from_card", ref))
    return actions(*elements, block_id=f"card_actions:{kind}")


def with_list_actions(
    msg: Message, kind: str, text: str, asker: str, shared_by: str | None = None
) -> Message:
    """Share/Refresh for a list answer (/orders, /pipeline). The buttons carry the
    question and who asked it ("mine" is theirs, whoever presses Refresh later)."""
    ref = json.dumps(
        {"k": kind, "id": text, "u": asker, **({"by": shared_by} if shared_by else {})},
        separators=(",", ":"),
    )
    elements = [] if shared_by else [button("Share in channel", "share_card", ref, style="primary")]
    elements.append(button("Refresh", "refresh_card", ref))
    blocks = list(msg.blocks)
    if shared_by:
        blocks.append(context(f"Shared by <@{shared_by}>"))
    blocks.append(actions(*elements, block_id=f"card_actions:{kind}"))
    return Message(text=msg.text, blocks=blocks)


def as_of(now: dt.datetime, tz: dt.tzinfo, extra: str = "") -> dict[str, Any]:
    stamp = now.astimezone(tz).strftime("%b %-d, %-I:%M %p %Z")
    return context(f"From Salesforce as of {stamp}{extra}")


def _record_link(record_url: Any, record: dict[str, Any], label: str) -> str:
    return link(record_url(record["Id"]), label)


# --- account ------------------------------------------------------------------------


def account_card(
    st: AccountStatus,
    *,
    record_url: Any,
    now: dt.datetime,
    tz: dt.tzinfo,
    shared_by: str | None = None,
) -> Message:
    today = st.today
    place = ", ".join(p for p in (st.city, st.state) if p)
    facts = [p for p in (st.number, st.type, st.industry, place) if p]
    emoji = HEALTH_EMOJI[st.health]
    intro = escape_slack(" · ".join(facts)) + "\n" if facts else ""
    intro += f"Owner: *{escape_slack(st.owner_name or 'unassigned')}*"

    pipe = [f"*Pipeline*  {plural(len(st.open_opps), 'open deal')} · {money(st.pipeline_total)}"]
    nxt = st.next_close
    if nxt:
        pipe.append(
            f"Next close {slack_date(parse_sf_date(nxt['CloseDate']), today=today)}: "
            f"{_record_link(record_url, nxt, truncate(nxt['Name'], 60))}"
        )
    big = st.biggest
    if big and big.get("Amount"):
        pipe.append(
            f"Biggest {money(big['Amount'])}: "
            f"{_record_link(record_url, big, truncate(big['Name'], 60))}"
        )
    if st.slipped:
        pipe.append(f":warning: {plural(len(st.slipped), 'deal')} past close date")

    won = [
        f"*Won this quarter*  {money(st.won_total)}",
        plural(len(st.won_opps), "deal") if st.won_opps else "none yet",
    ]

    orders = ["*Open orders*"]
    if st.open_orders:
        orders.append(
            " · ".join(f"{n} {escape_slack(s)}" for s, n in st.orders_by_status.most_common())
        )
    else:
        orders.append("none open")
    if st.overdue_drafts:
        orders.append(f":warning: {plural(len(st.overdue_drafts), 'draft')} past effective date")
    if st.stuck_orders:
        orders.append(f":hourglass: {plural(len(st.stuck_orders), 'order')} open too long")
    last = st.last_activated
    if last:
        when = local_date(last["ActivatedDate"], tz)
        orders.append(
            f"Last activated {_record_link(record_url, last, last['OrderNumber'])} "
            f"{slack_date(when, today=today)}"
        )

    cases = ["*Open cases*"]
    if st.open_cases:
        counts = st.cases_by_priority
        order = (*st.priorities, *sorted(set(counts) - set(st.priorities)))  # the org's order
        cases.append(" · ".join(f"{counts[p]} {escape_slack(p)}" for p in order if counts.get(p)))
        for c in st.escalated_cases[:3]:
            cases.append(
                f":rotating_light: {_record_link(record_url, c, c['CaseNumber'])} "
                f"{escape_slack(truncate(c.get('Subject') or '', 60))}"
            )
    else:
        cases.append("none open")

    contracts = ["*Contracts ending in 90 days*"]
    if st.expiring_contracts:
        for c in st.expiring_contracts[:3]:
            end = parse_sf_date(c.get("EndDate"))
            contracts.append(
                f"{_record_link(record_url, c, c['ContractNumber'])} ends "
                f"{slack_date(end, today=today)}"
            )
    else:
        contracts.append("none")

    activity = ["*Last activity*"]
    if st.last_activity:
        days = (today - st.last_activity).days
        activity.append(
            f"{slack_date(st.last_activity, today=today)} "
            f"({'today' if days <= 0 else plural(days, 'day') + ' ago'})"
        )
    else:
        activity.append("none logged")

    health = f"{emoji} *Health: {st.health}* — " + escape_slack("; ".join(st.reasons))
    blocks = [
        header(f"{st.name}"),
        section(intro),
        fields_section(
            [
                "\n".join(pipe),
                "\n".join(won),
                "\n".join(orders),
                "\n".join(cases),
                "\n".join(contracts),
                "\n".join(activity),
            ]
        ),
        section(health),
        as_of(now, tz, f" · shared by <@{shared_by}>" if shared_by else ""),
        status_actions("account", st.id, record_url(st.id), shared_by=shared_by),
    ]
    text = (
        f"{st.name}: health {st.health} ({'; '.join(st.reasons)}). "
        f"Owner {st.owner_name or 'unassigned'}. Pipeline {money(st.pipeline_total)} in "
        f"{plural(len(st.open_opps), 'open deal')}; {plural(len(st.open_orders), 'open order')}"
        f"; {plural(len(st.open_cases), 'open case')}."
    )
    return Message(text=escape_slack(text), blocks=blocks)


def account_picker(query: str, matches: list[AccountMatch], total: int = 0) -> Message:
    opts = []
    for m in matches:
        where = ", ".join(p for p in (m.city, m.state) if p)
        label = m.name + (f" — {where}" if where else "") + (f" · {m.number}" if m.number else "")
        opts.append(option(label, m.id))
    select = {
        "type": "static_select",
        "action_id": "account_pick",
        "placeholder": {"type": "plain_text", "text": "Choose an account"},
        "options": opts[:100],
    }
    lines = []
    for m in matches[:10]:
        bits = [p for p in (m.number, m.city, m.owner and f"owner {m.owner}") if p]
        lines.append(
            f"• *{escape_slack(m.name)}*" + (f" — {escape_slack(', '.join(bits))}" if bits else "")
        )
    total = max(total, len(matches))
    best = (
        f" Here are the best {len(matches)}; type more of the name to narrow it."
        if (total > len(matches))
        else ""
    )
    blocks = [
        section(
            f"{total} accounts match *{escape_slack(query)}*.{best} Which one?", accessory=select
        ),
        context("\n".join(lines)),
    ]
    return Message(
        text=escape_slack(f"{total} accounts match {query}: " + ", ".join(m.name for m in matches)),
        blocks=blocks,
    )


def not_found(kind: str, query: str, suggestions: list[str], usage: str) -> Message:
    text = f"No {kind} matches *{escape_slack(query)}*."
    if suggestions:
        text += " Did you mean " + ", ".join(f"*{escape_slack(s)}*" for s in suggestions) + "?"
    plain = f"No {kind} matches {query}." + (
        " Did you mean " + ", ".join(suggestions) + "?" if suggestions else ""
    )
    return Message(text=escape_slack(plain), blocks=[section(text), context(usage)])


# --- order --------------------------------------------------------------------------

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
    blocks.append(status_actions("order", rec["Id"], record_url(rec["Id"]), shared_by=shared_by))
    text = (
        f"Order {st.number} ({account.get('Name') or 'no account'}): {status}, "
        f"{money(rec.get('TotalAmount'))}"
        + (f". Stuck: {st.stuck_reason}" if st.stuck_reason else "")
        + "."
    )
    return Message(text=escape_slack(text), blocks=blocks)


# --- not dones ----------------------------------------------------------------------

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


# --- pipeline -----------------------------------------------------------------------


def pipeline_card(
    title: str, p: Pipeline, *, record_url: Any, now: dt.datetime, tz: dt.tzinfo
) -> Message:
    today = p.today
    q = (today.month - 1) // 3 + 1
    cat_lines = [f"{escape_slack(c)}: {money(v)}" for c, v in p.open_by_category.items()]
    stage_lines = [
        f"{escape_slack(s)}: {n} · {money(v)}"
        for s, (n, v) in sorted(p.open_by_stage.items(), key=lambda kv: -kv[1][1])
    ]
    blocks = [
        header(truncate(f"Pipeline Q{q} {today.year} — {title}", 150)),
        fields_section(
            [
                f"*Open this quarter*\n{plural(p.open_count, 'deal')} · {money(p.open_total)}",
                f"*Closed won so far*\n{plural(len(p.won), 'deal')} · {money(p.won_total)}",
                "*By forecast category*\n" + ("\n".join(cat_lines) or "—"),
                "*By stage*\n" + ("\n".join(stage_lines[:12]) or "—"),
            ]
        ),
    ]

    def deal_lines(deals: list[dict[str, Any]], limit: int = 10) -> str:
        out = []
        for o in deals[:limit]:
            acct = (o.get("Account") or {}).get("Name") or "—"
            close = slack_date(parse_sf_date(o["CloseDate"]), today=today)
            out.append(
                f"• {link(record_url(o['Id']), truncate(o['Name'], 60))} · "
                f"{escape_slack(truncate(acct, 40))} · {money(o.get('Amount'))} · "
                f"{escape_slack(o['StageName'])} · {close}"
            )
        if len(deals) > limit:
            out.append(f"…and {plural(len(deals) - limit, 'more deal')}")
        return "\n".join(out)

    if p.closing_this_week:
        blocks.append(
            section(
                f"*Closing this week* ({len(p.closing_this_week)})\n"
                + deal_lines(p.closing_this_week)
            )
        )
    if p.slipped:
        blocks.append(
            section(
                f":warning: *Slipped* — close date passed, still open "
                f"({len(p.slipped)})\n" + deal_lines(p.slipped)
            )
        )
    blocks.append(as_of(now, tz))
    text = (
        f"Pipeline Q{q} {today.year} for {title}: {money(p.open_total)} open in "
        f"{plural(p.open_count, 'deal')}, {money(p.won_total)} won, "
        f"{len(p.closing_this_week)} closing this week, {len(p.slipped)} slipped."
    )
    return Message(text=escape_slack(text), blocks=blocks)


def error_message(text: str) -> Message:
    """An error for the user; ``text`` is mrkdwn (escape any data put into it)."""
    return Message(text=text, blocks=[section(f":warning: {text}")], is_error=True)


def usage_message(usage: str, note: str | None = None) -> Message:
    body = (f"{escape_slack(note)}\n\n" if note else "") + usage
    return Message(text=(f"{escape_slack(note)} " if note else "") + usage, blocks=[section(body)])
