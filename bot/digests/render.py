"""Digest messages: Block Kit within Slack's limits, short enough to read at any size.

A digest is rendered to a list of messages: the first goes to the channel, the rest
are replies in its thread. Each message has at most ``MAX_BLOCKS`` blocks, each section
at most ``SECTION_LIMIT`` characters (long sections split at line boundaries), and a
plain-text fallback. Empty sections are left out; an all-quiet day is one line.

Every section gives its exact count and sum and names only its first items
(``bot.digests.data.LIST_LIMIT``), saying how many more there are; the not-dones are
grouped by account, the accounts with the most first, each with its count, amount and
oldest orders. So a team's daily digest is one message, and never more than
``MAX_MESSAGES``, however many records there are. Counts have thousands separators;
sums are per currency (``bot.money.Amounts``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from bot.blocks import Message, context, header, link, packed_sections, section
from bot.digests.data import (
    ACCOUNT_LIMIT,
    DailyData,
    Line,
    NotDones,
    RepData,
    RepFigures,
    Section,
)
from bot.money import Amounts
from bot.text import escape_slack, money, plural, truncate

MAX_BLOCKS = 50
MAX_MESSAGES = 3  # the channel message and at most two thread replies
SECTION_LIMIT = 3000
ESCALATIONS_LISTED = 10
REPS_LISTED = 40
RecordUrl = Callable[[str], str]
Block = dict[str, Any]


# --- layout: blocks -> messages -------------------------------------------------------


def text_sections(title: str, lines: list[str]) -> list[Block]:
    """A titled list as one or more section blocks of at most SECTION_LIMIT chars, split
    between whole lines (``bot.blocks.pack_lines``: a link is never cut)."""
    return packed_sections(title, lines, sections=None)


def paginate(
    blocks: list[Block],
    fallback: str,
    *,
    max_blocks: int = MAX_BLOCKS,
    max_messages: int | None = None,
) -> list[Message]:
    """Split blocks into messages of at most ``max_blocks``; the first says the digest
    continues in the thread. With ``max_messages``, blocks past that many messages are
    left out and the last message says how many (the digests' caps keep well within)."""
    if len(blocks) <= max_blocks:
        return [Message(fallback, blocks)]
    note = context(":thread: Continued in the thread.")
    first = [*blocks[: max_blocks - 1], note]
    rest = blocks[max_blocks - 1 :]
    messages = [Message(fallback, first)]
    for i in range(0, len(rest), max_blocks):
        messages.append(Message(f"{fallback} (continued)", rest[i : i + max_blocks]))
    if max_messages is not None and len(messages) > max_messages:
        kept = messages[:max_messages]
        left = sum(len(m.blocks) for m in messages[max_messages:]) + 1
        last = kept[-1]
        last.blocks = [
            *last.blocks[: max_blocks - 1],
            context(f"…and {plural(left, 'more block')} left out to keep the digest short."),
        ]
        messages = kept
    return messages


# --- daily ----------------------------------------------------------------------------


def _line(url: RecordUrl, line: Line, *extra: str) -> str:
    parts = [f"• {link(url(line.id), line.label)}"]
    if line.account:
        parts.append(escape_slack(truncate(line.account, 80)))
    parts += [e for e in extra if e]
    return " — ".join(parts)


def _more(sec: Section) -> list[str]:
    return [f"_…and {sec.hidden:,} more_"] if sec.hidden > 0 else []


def _amount(line: Line) -> str:
    return money(line.amount, line.currency) if line.amount is not None else ""


def _sum(amounts: Amounts) -> str:
    return escape_slack(amounts.text())


def daily_blocks(
    team: str, data: DailyData, url: RecordUrl, *, late_note: str | None = None
) -> tuple[list[Block], str]:
    p = data.period
    title = f"{team} · daily digest · {p.label}"
    if data.quiet:
        text = (
            f"*{escape_slack(title)}*: all quiet {p.covered}: "
            "no orders, deals, cases or escalations to report."
        )
        blocks: list[Block] = [section(text)]
        if late_note:
            blocks.append(context(late_note))
        return blocks, f"{title}: all quiet {p.covered}."
    blocks = [header(title)]
    if late_note:
        blocks.append(context(late_note))
    summary: list[str] = []
    for part in (
        _activated,
        _new_orders,
        _not_dones,
        _won_lost,
        _closing,
        _high_cases,
        _escalated_cases,
        _escalations,
    ):
        more_blocks, said = part(data, url)
        blocks += more_blocks
        summary += said
    fallback = f"{title}: " + (", ".join(summary) if summary else "deals closing this week")
    return blocks, fallback


Part = tuple[list[Block], list[str]]


def _activated(data: DailyData, url: RecordUrl) -> Part:
    a = data.activated
    if not a.count:
        return [], []
    head = (
        f":white_check_mark: *Activated {data.period.covered}*  "
        f"{plural(a.count, 'order')} · {_sum(a.total)}"
    )
    if a.largest is not None and a.count > 1:
        head += f" · largest {link(url(a.largest.id), a.largest.label)} {_amount(a.largest)}"
    lines = [_line(url, ln, _amount(ln)) for ln in a.lines] + _more(a)
    return text_sections(head, lines), [f"{plural(a.count, 'order')} activated ({a.total.text()})"]


def _new_orders(data: DailyData, url: RecordUrl) -> Part:
    n = data.new_orders
    if not n.count:
        return [], []
    head = f":new: *New orders*  {n.count:,} · {_sum(n.total)}"
    lines = [_line(url, ln, _amount(ln), escape_slack(ln.detail)) for ln in n.lines] + _more(n)
    return text_sections(head, lines), [plural(n.count, "new order")]


def _not_dones(data: DailyData, url: RecordUrl) -> Part:
    nd: NotDones = data.not_dones
    if not nd.count:
        return [], []
    head = (
        f":warning: *Not done*  {plural(nd.count, 'order')} · {_sum(nd.total)}"
        f" on {plural(len(nd.accounts), 'account')}, the most first"
    )
    lines: list[str] = []
    shown = nd.largest(ACCOUNT_LIMIT)
    for group in shown:
        name = truncate(group.account or "no account", 80)
        # link() escapes its label itself: escape only the bare name.
        account = link(url(group.account_id), name) if group.account_id else escape_slack(name)
        lines.append(
            f"• {account} — {plural(group.count, 'order')} · {_sum(group.total)} · "
            f"oldest {plural(group.oldest_days, 'day')}"
        )
        for _age, ln in group.oldest:
            lines.append(f"      ◦ {link(url(ln.id), ln.label)} — {escape_slack(ln.detail)}")
        if group.count > len(group.oldest):
            rest = plural(group.count - len(group.oldest), "more order")
            lines.append(f"      ◦ _…and {rest}_")
    hidden = nd.accounts.keys() - {g.account_id for g in shown}
    if hidden:
        orders = sum(nd.accounts[a].count for a in hidden)
        lines.append(f"_…and {plural(len(hidden), 'more account')} ({plural(orders, 'order')})_")
    return text_sections(head, lines), [plural(nd.count, "not-done")]


def _won_lost(data: DailyData, url: RecordUrl) -> Part:
    blocks: list[Block] = []
    said: list[str] = []
    for sec, emoji, name in ((data.won, ":trophy:", "Won"), (data.lost, ":x:", "Lost")):
        if sec.count:
            head = (
                f"{emoji} *{name} {data.period.covered}*  "
                f"{plural(sec.count, 'deal')} · {_sum(sec.total)}"
            )
            lines = [_line(url, ln, _amount(ln)) for ln in sec.lines] + _more(sec)
            blocks += text_sections(head, lines)
            said.append(f"{sec.count:,} {name.lower()}")
    return blocks, said


def _closing(data: DailyData, url: RecordUrl) -> Part:
    c = data.closing
    if not c.count:
        return [], []
    head = f":calendar: *Closing this week*  {plural(c.count, 'deal')} · {_sum(c.total)}"
    lines = [
        _line(url, ln, _amount(ln), _close_day(ln), escape_slack(ln.detail)) for ln in c.lines
    ] + _more(c)
    return text_sections(head, lines), []


def _high_cases(data: DailyData, url: RecordUrl) -> Part:
    h = data.high_cases
    if not h.count:
        return [], []
    head = f":rotating_light: *High-priority cases opened*  {h.count:,}"
    lines = [_line(url, ln, escape_slack(truncate(ln.detail, 80))) for ln in h.lines] + _more(h)
    return text_sections(head, lines), [plural(h.count, "high-priority case")]


def _escalated_cases(data: DailyData, url: RecordUrl) -> Part:
    e = data.escalated_cases
    if not e.count:
        return [], []
    head = f":fire: *Escalated cases open*  {e.count:,}"
    lines = [
        _line(url, ln, escape_slack(truncate(ln.detail, 80)), _age(-_first(ln.sort)))
        for ln in e.lines
    ] + _more(e)
    return text_sections(head, lines), []


def _escalations(data: DailyData, url: RecordUrl) -> Part:
    if not data.escalations:
        return [], []
    head = f":sos: *Open escalations*  {len(data.escalations):,}"
    lines = []
    for esc, days in data.escalations[:ESCALATIONS_LISTED]:
        target = esc.account_name or "no account"
        if esc.order_number:
            target += f" · order {esc.order_number}"
        label = f"*{escape_slack(esc.ref)}*"
        if esc.account_id:
            label = link(url(esc.account_id), esc.ref)
        lines.append(
            f"• {label} {escape_slack(esc.severity)} — {escape_slack(truncate(target, 80))} — "
            f"{escape_slack(truncate(esc.summary, 80))} — {escape_slack(esc.status)}, "
            f"{_age(days)}"
        )
    more = len(data.escalations) - ESCALATIONS_LISTED
    if more > 0:
        lines.append(f"_…and {more:,} more_")
    return text_sections(head, lines), [plural(len(data.escalations), "open escalation")]


def _first(sort: Any) -> Any:
    return sort[0] if isinstance(sort, tuple) else sort


def _close_day(line: Line) -> str:
    close = _first(line.sort)
    return close.strftime("%a %b %-d") if isinstance(close, dt.date) else ""


def _age(days: int) -> str:
    if days <= 0:
        return "opened today"
    return f"{plural(days, 'day')} old"


# --- weekly and monthly ---------------------------------------------------------------


def _change(now: Amounts, before: Amounts) -> str:
    """Against the week before: an arrow and the change in one currency; with several
    currencies, the week before's sums (amounts of different currencies are never set
    against each other)."""
    a, b = now.single, before.single
    if a is None or b is None or (a[1] != b[1] and a[0] and b[0]):
        return f"vs {before.text()} the week before"
    return _count_change(a[0], b[0], lambda v: money(v, b[1] if b[0] else a[1]))


def _count_change(now: float, before: float, fmt: Callable[[float], str]) -> str:
    if now == before:
        return "same as the week before"
    arrow = ":arrow_up:" if now > before else ":arrow_down:"
    return f"{arrow} from {fmt(before)}{_percent(now, before)}"


def _percent(now: float, before: float) -> str:
    """', 25%' for a change against the week before; with thousands separators
    (', 1,200%'), 'under 1%' for a sliver, and a rise of ten times or more as a multiple
    (', 126×'). Nothing when there was nothing the week before (no base to compare)."""
    if before <= 0:
        return ""
    change = abs(now - before) / before * 100
    if now >= 10 * before:
        return f", {now / before:,.0f}×"
    if change < 1:
        return ", under 1%"
    return f", {change:,.0f}%"


def _count(v: float) -> str:
    return f"{int(v):,}"


def _rep_lines(reps: list[RepFigures], line: Callable[[RepFigures], str]) -> list[str]:
    lines = [line(r) for r in reps[:REPS_LISTED]]
    if len(reps) > REPS_LISTED:
        lines.append(f"_…and {plural(len(reps) - REPS_LISTED, 'more rep')}_")
    return lines


def weekly_blocks(
    team: str, data: RepData, *, late_note: str | None = None
) -> tuple[list[Block], str]:
    p = data.period
    title = f"{team} · weekly report · {p.label}"
    if data.quiet:
        blocks: list[Block] = [
            section(f"*{escape_slack(title)}*: a quiet week: no deals won, no orders activated.")
        ]
        if late_note:
            blocks.append(context(late_note))
        return blocks, f"{title}: a quiet week."
    c = data.currencies
    reps = sorted(
        data.reps.values(),
        key=lambda r: (
            -sum(c.ranking(v, k) for k, v in r.booked_amount.by_currency.items()),
            r.name,
        ),
    )
    total = RepFigures("Team", c.corporate)
    for r in reps:
        total.add(r)
    blocks = [header(title)]
    if late_note:
        blocks.append(context(late_note))
    blocks.append(
        section(
            f"*Bookings*  {_sum(total.booked_amount)} in {plural(total.booked, 'deal')} "
            f"({escape_slack(_change(total.booked_amount, total.booked_amount_before))})\n"
            f"*Activations*  {plural(total.activated, 'order')} · {_sum(total.activated_amount)} "
            f"({_count_change(total.activated, total.activated_before, _count)})"
        )
    )
    lines = _rep_lines(
        reps,
        lambda r: (
            f"• *{escape_slack(r.name)}*  booked {_sum(r.booked_amount)} ({r.booked:,}) vs "
            f"{_sum(r.booked_amount_before)} ({r.booked_before:,}) · activated "
            f"{r.activated:,} ({_sum(r.activated_amount)}) vs {r.activated_before:,} "
            f"({_sum(r.activated_amount_before)})"
        ),
    )
    blocks += text_sections("*Per rep*  this week vs the week before", lines)
    fallback = (
        f"{title}: bookings {total.booked_amount.text()}, "
        f"{plural(total.activated, 'order')} activated"
    )
    return blocks, fallback


def monthly_blocks(
    team: str, data: RepData, *, late_note: str | None = None
) -> tuple[list[Block], str]:
    p = data.period
    title = f"{team} · monthly productivity · {p.label}"
    if data.quiet:
        blocks: list[Block] = [
            section(f"*{escape_slack(title)}*: no orders processed or activated.")
        ]
        if late_note:
            blocks.append(context(late_note))
        return blocks, f"{title}: no orders processed or activated."
    reps = sorted(data.reps.values(), key=lambda r: (-r.activated, -r.processed, r.name))
    total = RepFigures("Team", data.currencies.corporate)
    for r in reps:
        total.add(r)
    avg = f"{total.days_to_activate / total.activated:.1f} days" if total.activated else "—"
    blocks = [header(title)]
    if late_note:
        blocks.append(context(late_note))
    blocks.append(
        section(
            f"*Orders processed*  {total.processed:,}\n*Activated*  {total.activated:,} · "
            f"{_sum(total.activated_amount)}\n*Average time from order to activation*  {avg}"
        )
    )
    lines = _rep_lines(
        reps,
        lambda r: (
            f"• *{escape_slack(r.name)}*  {r.processed:,} processed · {r.activated:,} activated "
            f"({_sum(r.activated_amount)}) · "
            + (
                f"avg {r.avg_days:.1f} days to activate"
                if r.avg_days is not None
                else "none activated"
            )
        ),
    )
    blocks += text_sections("*Per rep*", lines)
    fallback = (
        f"{title}: {total.processed:,} processed, {total.activated:,} activated, "
        f"avg {avg} to activate"
    )
    return blocks, fallback


def render(
    team: str,
    kind: str,
    data: Any,
    url: RecordUrl,
    *,
    late_note: str | None = None,
    max_blocks: int = MAX_BLOCKS,
) -> list[Message]:
    if kind == "daily":
        blocks, fallback = daily_blocks(team, data, url, late_note=late_note)
    elif kind == "weekly":
        blocks, fallback = weekly_blocks(team, data, late_note=late_note)
    else:
        blocks, fallback = monthly_blocks(team, data, late_note=late_note)
    skipped = getattr(data, "skipped", 0)
    if skipped:  # a figure is exact or says it is not
        left_out = "is" if skipped == 1 else "are"
        blocks.insert(
            1,
            context(
                f":warning: {plural(skipped, 'Salesforce record')} could not be read and "
                f"{left_out} left out of these figures (the log has the details)."
            ),
        )
    # The fallback is plain text with team and record names in it: escaped like the rest.
    return paginate(
        blocks,
        escape_slack(truncate(fallback, 2900)),
        max_blocks=max_blocks,
        max_messages=MAX_MESSAGES,
    )


def late_note(scheduled_for: dt.datetime, now: dt.datetime, tz: dt.tzinfo) -> str:
    due = scheduled_for.astimezone(tz)
    posted = now.astimezone(tz)
    posted_at = f"{posted:%-I:%M %p %Z}"
    if posted.date() != due.date():
        posted_at += f" on {posted:%a %b %-d}"
    return (
        f":hourglass: Late: this digest was due at {due:%-I:%M %p %Z} on {due:%a %b %-d} "
        f"and is posted at {posted_at}."
    )


# --- the terminal ---------------------------------------------------------------------

_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]*)>")


def to_terminal(messages: list[Message]) -> str:
    """A digest as plain text for a terminal: headers, lines, links as their labels."""
    out: list[str] = []
    for i, msg in enumerate(messages):
        if i:
            out.append(f"--- reply in thread ({i}/{len(messages) - 1}) ---")
        for block in msg.blocks:
            kind = block["type"]
            if kind == "header":
                out += [block["text"]["text"], "=" * len(block["text"]["text"])]
            elif kind == "section":
                out += [_plain(block["text"]["text"]), ""]
            elif kind == "context":
                out += [_plain(" ".join(e["text"] for e in block["elements"])), ""]
            elif kind == "divider":
                out.append("-" * 40)
    return "\n".join(out).rstrip() + "\n"


def _plain(text: str) -> str:
    text = _LINK.sub(lambda m: m.group(2), text)
    text = text.replace(":arrow_up:", "↑").replace(":arrow_down:", "↓")
    text = re.sub(r":([a-z_]+):", "", text)
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"\1", text)  # *bold* -> bold
    text = re.sub(r" {2,}", " ", text).strip()
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
