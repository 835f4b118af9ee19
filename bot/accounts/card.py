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
    watching: bool | None = None,
) -> Message:
    """The /account card: identity, pipeline, won, orders, cases, contracts, activity and
    health. Every count and sum is exact; amounts carry their currency. ``watching``: whether the
    person it is for watches the record (None on a shared card: its Watch button is for
    whoever presses it)."""
    blocks = [
        header(f"{st.name}"),
        section(_intro(st)),
        fields_section(
            [
                _pipeline_field(st, record_url),
                _won_field(st),
                _orders_field(st, record_url, tz),
                _cases_field(st, record_url),
                _contracts_field(st, record_url),
                _activity_field(st),
            ]
        ),
        section(
            f"{HEALTH_EMOJI[st.health]} *Health: {st.health}* — "
            + escape_slack("; ".join(st.reasons))
        ),
        as_of(now, tz, f" · shared by <@{shared_by}>" if shared_by else ""),
        status_actions(
            CardKind.ACCOUNT, st.id, record_url(st.id), shared_by=shared_by, watching=watching
        ),
    ]
    text = (
        f"{st.name}: health {st.health} ({'; '.join(st.reasons)}). "
        f"Owner {st.owner_name or 'unassigned'}. Pipeline {st.open_total.text()} in "
        f"{plural(st.open_count, 'open deal')}; {plural(st.open_orders, 'open order')}"
        f"; {plural(st.open_cases, 'open case')}."
    )
    return Message(text=escape_slack(text), blocks=blocks)


def _intro(st: AccountStatus) -> str:
    place = ", ".join(p for p in (st.city, st.state) if p)
    facts = [p for p in (st.number, st.type, st.industry, place) if p]
    intro = escape_slack(" · ".join(facts)) + "\n" if facts else ""
    return intro + f"Owner: *{escape_slack(st.owner_name or 'unassigned')}*"


def _deal(st: AccountStatus, record_url: Any, opp: dict[str, Any]) -> str:
    return record_link(record_url, opp, truncate(opp["Name"], 60))


def _pipeline_field(st: AccountStatus, record_url: Any) -> str:
    lines = [
        f"*Pipeline*  {plural(st.open_count, 'open deal')} · {escape_slack(st.open_total.text())}"
    ]
    nxt = st.next_close
    if nxt:
        when = slack_date(parse_sf_date(nxt["CloseDate"]), today=st.today)
        lines.append(f"Next close {when}: {_deal(st, record_url, nxt)}")
    big = st.biggest
    if big and big.get("Amount"):
        amount = money(big["Amount"], st.currencies.of(big))
        lines.append(f"Biggest {amount}: {_deal(st, record_url, big)}")
    if st.slipped_count:
        lines.append(f":warning: {plural(st.slipped_count, 'deal')} past close date")
    return "\n".join(lines)


def _won_field(st: AccountStatus) -> str:
    count = plural(st.won_count, "deal") if st.won_count else "none yet"
    return f"*Won this quarter*  {escape_slack(st.won_total.text())}\n{count}"


def _orders_field(st: AccountStatus, record_url: Any, tz: dt.tzinfo) -> str:
    lines = ["*Open orders*"]
    if st.open_by_status:
        lines.append(" · ".join(f"{n:,} {escape_slack(s)}" for s, n in st.open_by_status.items()))
    else:
        lines.append("none open")
    if st.overdue_drafts:
        lines.append(f":warning: {plural(st.overdue_drafts, 'draft')} past effective date")
    if st.stuck_orders:
        lines.append(f":hourglass: {plural(st.stuck_orders, 'order')} open too long")
    last = st.last_activated
    if last:
        when = local_date(last["ActivatedDate"], tz)
        lines.append(
            f"Last activated {record_link(record_url, last, last['OrderNumber'])} "
            f"{slack_date(when, today=st.today)}"
        )
    return "\n".join(lines)


def _cases_field(st: AccountStatus, record_url: Any) -> str:
    lines = ["*Open cases*"]
    if not st.open_cases:
        return "\n".join([*lines, "none open"])
    counts = st.cases_by_priority
    order = (*st.priorities, *sorted(set(counts) - set(st.priorities)))  # the org's order
    lines.append(" · ".join(f"{counts[p]:,} {escape_slack(p)}" for p in order if counts.get(p)))
    for c in st.escalated:
        lines.append(
            f":rotating_light: {record_link(record_url, c, c['CaseNumber'])} "
            f"{escape_slack(truncate(c.get('Subject') or '', 60))}"
        )
    more = st.escalated_count - len(st.escalated)
    if more > 0:
        lines.append(f"…and {plural(more, 'more escalated case')}")
    return "\n".join(lines)


def _contracts_field(st: AccountStatus, record_url: Any) -> str:
    lines = ["*Contracts ending in 90 days*"]
    if not st.contracts:
        return "\n".join([*lines, "none"])
    for c in st.contracts:
        end = parse_sf_date(c.get("EndDate"))
        lines.append(
            f"{record_link(record_url, c, c['ContractNumber'])} ends "
            f"{slack_date(end, today=st.today)}"
        )
    more = st.contracts_count - len(st.contracts)
    if more > 0:
        lines.append(f"…and {plural(more, 'more contract')}")
    return "\n".join(lines)


def _activity_field(st: AccountStatus) -> str:
    if not st.last_activity:
        return "*Last activity*\nnone logged"
    days = (st.today - st.last_activity).days
    ago = "today" if days <= 0 else plural(days, "day") + " ago"
    return f"*Last activity*\n{slack_date(st.last_activity, today=st.today)} ({ago})"


def account_picker(
    query: str, matches: list[AccountMatch], total: int = 0, *, exact: bool = True
) -> Message:
    """A picker of ``matches``; ``total`` is how many match in all, or (``exact`` False)
    at least how many."""
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
    how_many = f"{total}" if exact else f"At least {total}"
    if not exact:
        best = " More may match: type more of the name to narrow it."
    blocks = [
        section(
            f"{how_many} accounts match *{escape_slack(query)}*.{best} Which one?",
            accessory=select,
        ),
        context("\n".join(lines)),
    ]
    return Message(
        text=escape_slack(
            f"{how_many} accounts match {query}: " + ", ".join(m.name for m in matches)
        ),
        blocks=blocks,
    )
