"""Digest messages: Block Kit within Slack's limits, continued in thread replies.

A digest is rendered to a list of messages: the first goes to the channel, the rest
are replies in its thread. Each message has at most ``MAX_BLOCKS`` blocks, each section
at most ``SECTION_LIMIT`` characters (long sections split at line boundaries), and a
plain-text fallback. Empty sections are left out; an all-quiet day is one line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from bot.blocks import Message, context, header, link, section
from bot.digests.data import DailyData, Line, RepData, RepFigures, Section
from bot.text import escape_slack, money, plural, truncate

MAX_BLOCKS = 50
SECTION_LIMIT = 3000
RecordUrl = Callable[[str], str]
Block = dict[str, Any]


# --- layout: blocks -> messages -------------------------------------------------------


def text_sections(title: str, lines: list[str]) -> list[Block]:
    """A titled list as one or more section blocks of at most SECTION_LIMIT chars."""
    blocks: list[Block] = []
    current = title
    for line in lines:
        line = truncate(line, SECTION_LIMIT - 100)
        if len(current) + 1 + len(line) > SECTION_LIMIT:
            blocks.append(section(current))
            current = line
        else:
            current = f"{current}\n{line}"
    blocks.append(section(current))
    return blocks


def paginate(blocks: list[Block], fallback: str, *, max_blocks: int = MAX_BLOCKS) -> list[Message]:
    """Split blocks into messages of at most ``max_blocks``; the first says the digest
    continues in the thread."""
    if len(blocks) <= max_blocks:
        return [Message(fallback, blocks)]
    note = context(":thread: Continued in the thread.")
    first = [*blocks[: max_blocks - 1], note]
    rest = blocks[max_blocks - 1 :]
    messages = [Message(fallback, first)]
    for i in range(0, len(rest), max_blocks):
        messages.append(Message(f"{fallback} (continued)", rest[i : i + max_blocks]))
    return messages


# --- daily ----------------------------------------------------------------------------


def _line(url: RecordUrl, line: Line, *extra: str) -> str:
    parts = [f"• {link(url(line.id), line.label)}"]
    if line.account:
        parts.append(escape_slack(truncate(line.account, 80)))
    parts += [e for e in extra if e]
    return " — ".join(parts)


def _more(sec: Section) -> list[str]:
    return [f"_…and {sec.hidden} more_"] if sec.hidden > 0 else []


def _amount(line: Line) -> str:
    return money(line.amount) if line.amount is not None else ""


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

    a = data.activated
    if a.count:
        head = (
            f":white_check_mark: *Activated {p.covered}*  "
            f"{plural(a.count, 'order')} · {money(a.total)}"
        )
        if a.largest is not None and a.count > 1:
            head += (
                f" · largest {link(url(a.largest.id), a.largest.label)} {money(a.largest.amount)}"
            )
        lines = [_line(url, ln, _amount(ln)) for ln in a.lines] + _more(a)
        blocks += text_sections(head, lines)
        summary.append(f"{plural(a.count, 'order')} activated ({money(a.total)})")
    n = data.new_orders
    if n.count:
        head = f":new: *New orders*  {n.count} · {money(n.total)}"
        lines = [_line(url, ln, _amount(ln), escape_slack(ln.detail)) for ln in n.lines] + _more(n)
        blocks += text_sections(head, lines)
        summary.append(f"{plural(n.count, 'new order')}")
    nd = data.not_dones
    if nd.count:
        head = f":warning: *Not done*  {plural(nd.count, 'order')} · {money(nd.total)}"
        lines = [_line(url, ln, escape_slack(ln.detail)) for ln in nd.lines] + _more(nd)
        blocks += text_sections(head, lines)
        summary.append(f"{plural(nd.count, 'not-done')}")
    for sec, emoji, name in ((data.won, ":trophy:", "Won"), (data.lost, ":x:", "Lost")):
        if sec.count:
            head = f"{emoji} *{name} {p.covered}*  {plural(sec.count, 'deal')} · {money(sec.total)}"
            lines = [_line(url, ln, _amount(ln)) for ln in sec.lines] + _more(sec)
            blocks += text_sections(head, lines)
            summary.append(f"{sec.count} {name.lower()}")
    c = data.closing
    if c.count:
        head = f":calendar: *Closing this week*  {plural(c.count, 'deal')} · {money(c.total)}"
        lines = [
            _line(url, ln, _amount(ln), _close_day(ln), escape_slack(ln.detail)) for ln in c.lines
        ] + _more(c)
        blocks += text_sections(head, lines)
    h = data.high_cases
    if h.count:
        head = f":rotating_light: *High-priority cases opened*  {h.count}"
        lines = [_line(url, ln, escape_slack(truncate(ln.detail, 80))) for ln in h.lines] + _more(h)
        blocks += text_sections(head, lines)
        summary.append(f"{plural(h.count, 'high-priority case')}")
    e = data.escalated_cases
    if e.count:
        head = f":fire: *Escalated cases open*  {e.count}"
        lines = [
            _line(url, ln, escape_slack(truncate(ln.detail, 80)), _age(-_first(ln.sort)))
            for ln in e.lines
        ] + _more(e)
        blocks += text_sections(head, lines)
    if data.escalations:
        head = f":sos: *Open escalations*  {len(data.escalations)}"
        lines = []
        for esc, days in data.escalations[:60]:
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
        blocks += text_sections(head, lines)
        summary.append(f"{plural(len(data.escalations), 'open escalation')}")
    fallback = f"{title}: " + (", ".join(summary) if summary else "deals closing this week")
    return blocks, fallback


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


def _change(now: float, before: float, fmt: Callable[[float], str]) -> str:
    if now == before:
        return "same as the week before"
    arrow = ":arrow_up:" if now > before else ":arrow_down:"
    pct = f", {abs(now - before) / before:.0%}" if before else ""
    return f"{arrow} from {fmt(before)}{pct}"


def _count(v: float) -> str:
    return f"{int(v)}"


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
    reps = sorted(data.reps.values(), key=lambda r: (-r.booked_amount, r.name))
    total = RepFigures("Team")
    for r in reps:
        for f in (
            "booked",
            "booked_amount",
            "booked_before",
            "booked_amount_before",
            "activated",
            "activated_amount",
            "activated_before",
            "activated_amount_before",
        ):
            setattr(total, f, getattr(total, f) + getattr(r, f))
    blocks = [header(title)]
    if late_note:
        blocks.append(context(late_note))
    blocks.append(
        section(
            f"*Bookings*  {money(total.booked_amount)} in {plural(total.booked, 'deal')} "
            f"({_change(total.booked_amount, total.booked_amount_before, money)})\n"
            f"*Activations*  {plural(total.activated, 'order')} · {money(total.activated_amount)} "
            f"({_change(total.activated, total.activated_before, _count)})"
        )
    )
    lines = [
        f"• *{escape_slack(r.name)}*  booked {money(r.booked_amount)} ({r.booked}) vs "
        f"{money(r.booked_amount_before)} ({r.booked_before}) · activated {r.activated} "
        f"({money(r.activated_amount)}) vs {r.activated_before} "
        f"({money(r.activated_amount_before)})"
        for r in reps
    ]
    blocks += text_sections("*Per rep*  this week vs the week before", lines)
    fallback = (
        f"{title}: bookings {money(total.booked_amount)}, "
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
    processed = sum(r.processed for r in reps)
    activated = sum(r.activated for r in reps)
    amount = sum(r.activated_amount for r in reps)
    days = sum(r.days_to_activate for r in reps)
    avg = f"{days / activated:.1f} days" if activated else "—"
    blocks = [header(title)]
    if late_note:
        blocks.append(context(late_note))
    blocks.append(
        section(
            f"*Orders processed*  {processed}\n*Activated*  {activated} · {money(amount)}\n"
            f"*Average time from order to activation*  {avg}"
        )
    )
    lines = [
        f"• *{escape_slack(r.name)}*  {r.processed} processed · {r.activated} activated "
        f"({money(r.activated_amount)}) · "
        + (f"avg {r.avg_days:.1f} days to activate" if r.avg_days is not None else "none activated")
        for r in reps
    ]
    blocks += text_sections("*Per rep*", lines)
    fallback = f"{title}: {processed} processed, {activated} activated, avg {avg} to activate"
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
    return paginate(blocks, truncate(fallback, 3000), max_blocks=max_blocks)


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
