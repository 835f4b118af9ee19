"""The /account card and the picker shown when a name matches several accounts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.accounts.queries import AccountMatch, AccountStatus
from bot.blocks import (
    Message,
    as_of,
    context,
    fields_section,
    header,
    option,
    record_link,
    section,
    status_actions,
)
from bot.slack_ids import ActionId, CardKind
from bot.text import escape_slack, local_date, money, parse_sf_date, plural, slack_date, truncate

HEALTH_EMOJI = {
    "green": ":large_green_circle:",
    "amber": ":large_orange_circle:",
    "red": ":red_circle:",
}


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
            f"{record_link(record_url, nxt, truncate(nxt['Name'], 60))}"
        )
    big = st.biggest
    if big and big.get("Amount"):
        pipe.append(
            f"Biggest {money(big['Amount'])}: "
            f"{record_link(record_url, big, truncate(big['Name'], 60))}"
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
            f"Last activated {record_link(record_url, last, last['OrderNumber'])} "
            f"{slack_date(when, today=today)}"
        )

    cases = ["*Open cases*"]
    if st.open_cases:
        counts = st.cases_by_priority
        order = (*st.priorities, *sorted(set(counts) - set(st.priorities)))  # the org's order
        cases.append(" · ".join(f"{counts[p]} {escape_slack(p)}" for p in order if counts.get(p)))
        for c in st.escalated_cases[:3]:
            cases.append(
                f":rotating_light: {record_link(record_url, c, c['CaseNumber'])} "
                f"{escape_slack(truncate(c.get('Subject') or '', 60))}"
            )
    else:
        cases.append("none open")

    contracts = ["*Contracts ending in 90 days*"]
    if st.expiring_contracts:
        for c in st.expiring_contracts[:3]:
            end = parse_sf_date(c.get("EndDate"))
            contracts.append(
                f"{record_link(record_url, c, c['ContractNumber'])} ends "
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
        status_actions(CardKind.ACCOUNT, st.id, record_url(st.id), shared_by=shared_by),
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
        "action_id": ActionId.ACCOUNT_PICK,
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
