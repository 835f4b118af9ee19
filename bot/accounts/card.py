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

NAME_CHARS = 40  # a picklist value (status, priority) in a line; they run to 255
FACT_CHARS = 80  # an account fact (number, type, industry, city) on the card
MAX_VALUES = 6  # statuses or priorities named in a breakdown (the rest are counted)

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
    facts = [truncate(p, FACT_CHARS) for p in (st.number, st.type, st.industry, place) if p]
    intro = escape_slack(" · ".join(facts)) + "\n" if facts else ""
    owner = truncate(st.owner_name or "unassigned", FACT_CHARS)
    return intro + f"Owner: *{escape_slack(owner)}*"


def _breakdown(counts: dict[str, int], order: list[str], what: tuple[str, str]) -> str:
    """'3 Draft · 2 On Hold · …and 4 more statuses (9)': the first MAX_VALUES values in
    ``order`` with a count, each name cut to NAME_CHARS, and the rest counted."""
    named = [v for v in order if counts.get(v)]
    shown = [f"{counts[v]:,} {escape_slack(truncate(v, NAME_CHARS))}" for v in named[:MAX_VALUES]]
    rest = named[MAX_VALUES:]
    if rest:
        shown.append(f"…and {plural(len(rest), *what)} ({sum(counts[v] for v in rest):,})")
    return " · ".join(shown)


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
        lines.append(
            _breakdown(st.open_by_status, list(st.open_by_status), ("more status", "more statuses"))
        )
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
    order = [*st.priorities, *sorted(set(counts) - set(st.priorities))]  # the org's order
    lines.append(_breakdown(counts, order, ("more priority", "more priorities")))
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


OPTION_TEXT = 75  # Slack: an option's text is at most 75 characters
PICKER_FACT_CHARS = 24  # a fact (number, place, owner) in an option's text


def _facts(m: AccountMatch) -> list[str]:
    """What tells an account apart besides its name: number, place, owner."""
    place = ", ".join(p for p in (m.city, m.state) if p)
    facts = [m.number, place, f"owner {m.owner}" if m.owner else None]
    return [truncate(f, PICKER_FACT_CHARS) for f in facts if f]


def _id_tail(m: AccountMatch, full: bool = False) -> str:
    """'Id …00264X': the end of the Salesforce Id (its 15-character form), which always
    differs between two accounts."""
    short = m.id[:15]
    return f"Id {short}" if full else f"Id …{short[-6:]}"


def _option_text(m: AccountMatch, id_part: str | None) -> str:
    """The account's name and as many of its facts as fit 75 characters; an ``id_part``
    is always kept (it is what tells identical names apart)."""
    facts = _facts(m)
    for keep in range(len(facts), -1, -1):
        parts = facts[:keep] + ([id_part] if id_part else [])
        tail = "".join(" · " + p for p in parts)
        if len(tail) <= OPTION_TEXT - 12:  # room for 12 characters of the name at least
            return truncate(m.name, OPTION_TEXT - len(tail)) + tail
    return truncate(m.name, OPTION_TEXT)


def distinct_option_texts(matches: list[AccountMatch]) -> list[tuple[str, str | None]]:
    """Each match's option text (at most 75 characters: name, number, place, owner),
    unique, and the Id part it carries: where two would read the same, the end of the Id
    is added (the whole 15-character Id if the ends match too). Used wherever a person
    picks an account from a menu (the /account picker, the escalation form)."""
    out: list[tuple[str, str | None]] = [(_option_text(m, None), None) for m in matches]
    for full in (False, True):
        texts = [t for t, _ in out]
        twins = {t for t in texts if texts.count(t) > 1}
        if not twins:
            break
        out = [
            (_option_text(m, _id_tail(m, full)), _id_tail(m, full)) if t in twins else (t, i)
            for m, (t, i) in zip(matches, out, strict=True)
        ]
    return out


def account_picker(
    query: str, matches: list[AccountMatch], total: int = 0, *, exact: bool = True
) -> Message:
    """Several accounts match: a menu of the best ``matches`` (``total`` match in all,
    or with ``exact`` False at least that many), each told apart by its number, place,
    owner and, for identical names, its Id."""
    texts = distinct_option_texts(matches)
    select = {
        "type": "static_select",
        "action_id": ActionId.ACCOUNT_PICK,
        "placeholder": {"type": "plain_text", "text": "Choose an account"},
        "options": [option(t, m.id) for (t, _), m in zip(texts, matches, strict=True)][:100],
    }
    lines = []
    for m, (_, id_part) in zip(matches[:10], texts, strict=False):
        bits = _facts(m) + ([id_part] if id_part else [])
        lines.append(
            f"• *{escape_slack(m.name)}*" + (f" — {escape_slack(', '.join(bits))}" if bits else "")
        )
    total = max(total, len(matches))
    same_name = len({m.name.strip().lower() for m in matches}) == 1
    if not exact:
        narrow = (
            "type the account number or paste the account's Salesforce link"
            if same_name
            else "type more of the name, or the account number"
        )
        best = f" More may match: {narrow}."
    elif total > len(matches):
        narrow = (
            "they share the name, so type the account number or paste the account's Salesforce link"
            if same_name
            else "type more of the name, or the account number"
        )
        best = f" Here are the best {len(matches):,}; {narrow}."
    elif same_name:
        best = " They share the name: the number, place, owner and Id tell them apart."
    else:
        best = ""
    how_many = f"{total:,}" if exact else f"At least {total:,}"
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
