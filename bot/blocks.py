"""Block Kit building blocks shared by every card, list and alert.

Every builder returns a :class:`Message` (plain-text fallback + blocks) that stays within
Slack's limits (https://api.slack.com/reference/block-kit/blocks): at most 50 blocks a
message, section text up to 3000 characters, up to 10 fields of 2000, header 150, button
text 75, option text 75 and value 150. A ``text`` fallback always travels beside
``blocks``: notifications and screen readers use it
(https://api.slack.com/methods/chat.postMessage#text_usage).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.slack_ids import ActionId, BlockId, CardKind, CardRef
from bot.text import escape_slack, truncate

MAX_BLOCKS = 50
SECTION_TEXT = 3000  # a section's text (and a context element's)
FIELD_TEXT = 2000  # each of a section's fields


@dataclass
class Message:
    """A message: mrkdwn ``text`` fallback (escaped), Block Kit ``blocks``, and whether it
    is an error for the asker alone (never shared in a channel)."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    is_error: bool = False  # an error for the asker alone: never shared in channel
    # For the audit log: the Salesforce record Ids the message shows, and how the request
    # ended (ok, refused, denied, not_found, error, usage).
    record_ids: tuple[str, ...] = ()
    outcome: str = "ok"

    def payload(self, **extra: Any) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks, **extra}


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
        "text": {"type": "mrkdwn", "text": clip(text, SECTION_TEXT)},
    }
    if fields:
        block["fields"] = [{"type": "mrkdwn", "text": clip(f, FIELD_TEXT)} for f in fields[:10]]
    if accessory:
        block["accessory"] = accessory
    return block


def fields_section(fields: list[str]) -> dict[str, Any]:
    return {
        "type": "section",
        "fields": [{"type": "mrkdwn", "text": clip(f, FIELD_TEXT)} for f in fields[:10]],
    }


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters ("…" at the end), never inside a
    mrkdwn link or mention (``<...>``): a cut link would show its raw URL."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    opened = cut.rfind("<")
    if opened > cut.rfind(">"):
        cut = cut[:opened]
    return cut.rstrip() + "…"


def pack_lines(
    head: str,
    lines: Sequence[str],
    *,
    hidden: int = 0,
    more: Callable[[int], str] | None = None,
    limit: int = SECTION_TEXT,
    sections: int | None = 1,
) -> list[str]:
    """Texts for at most ``sections`` blocks (None: as many as it takes) of at most
    ``limit`` characters each: ``head``, then whole ``lines`` in order while they fit,
    and the "…and N more" line (``more(N)``) whenever any are left out, counting those
    and ``hidden`` (items already not listed). The "more" line is always kept: room is
    kept for it. A line too long for a block on its own is clipped (:func:`clip`).

    Slack's limits (https://api.slack.com/reference/block-kit/blocks): a section's text
    is at most 3,000 characters, each field 2,000; longer text is refused or cut.
    """
    say_more = more or (lambda n: f"…and {n:,} more")
    room_for_more = len(say_more(hidden + len(lines))) + 1
    widest = max(1, limit - room_for_more)
    texts: list[str] = []
    current = clip(head, widest) if head else ""
    shown = 0
    i = 0
    while i < len(lines):
        line = clip(lines[i], widest)
        last_block = sections is not None and len(texts) == sections - 1
        more_follows = hidden > 0 or i + 1 < len(lines)
        room = limit - (room_for_more if last_block and more_follows else 0)
        joined = f"{current}\n{line}" if current else line
        if len(joined) <= room:
            current = joined
            shown += 1
            i += 1
        elif not last_block and current:
            texts.append(current)  # this block is full: the line starts the next one
            current = ""
        else:
            break  # no block left for it: it and the rest are counted
    left = hidden + len(lines) - shown
    if left > 0:
        current = f"{current}\n{say_more(left)}" if current else say_more(left)
    texts.append(current)
    return texts


def packed_sections(
    head: str,
    lines: Sequence[str],
    *,
    hidden: int = 0,
    more: Callable[[int], str] | None = None,
    sections: int | None = 1,
) -> list[dict[str, Any]]:
    """:func:`pack_lines` as section blocks."""
    return [
        section(t) for t in pack_lines(head, lines, hidden=hidden, more=more, sections=sections)
    ]


def context(*texts: str) -> dict[str, Any]:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": clip(t, SECTION_TEXT)} for t in texts[:10]],
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


def status_actions(
    kind: CardKind,
    record_id: str,
    sf_url: str,
    *,
    shared_by: str | None = None,
    watching: bool | None = None,
) -> dict[str, Any]:
    """The actions block under a record card: Share (private copies only), Refresh, Open
    in Salesforce, and for accounts and orders Escalate and Watch / Stop watching
    (``watching``: whether the person who sees this private card watches the record;
    None on a shared card, where the button is Watch for whoever presses it)."""
    ref = CardRef(kind, record_id, shared_by=shared_by).to_value()
    elements = []
    if not shared_by:
        elements.append(button("Share in channel", ActionId.SHARE_CARD, ref, style="primary"))
    elements += [
        button("Refresh", ActionId.REFRESH_CARD, ref),
        button("Open in Salesforce", ActionId.OPEN_IN_SALESFORCE, record_id, url=sf_url),
    ]
    if kind in (CardKind.ACCOUNT, CardKind.ORDER):
        elements.append(button("Escalate", ActionId.ESCALATE_FROM_CARD, ref))
        if watching:
            elements.append(button("Stop watching", ActionId.UNWATCH_CARD, ref))
        else:
            elements.append(button("Watch", ActionId.WATCH_CARD, ref))
    return actions(*elements, block_id=f"card_actions:{kind}")


def with_list_actions(
    msg: Message, kind: CardKind, text: str, asker: str, shared_by: str | None = None
) -> Message:
    """Share/Refresh for a list answer (/orders, /pipeline). The buttons carry the
    question and who asked it ("mine" is theirs, whoever presses Refresh later)."""
    ref = CardRef(kind, text, asker=asker, shared_by=shared_by).to_value()
    elements = (
        [] if shared_by else [button("Share in channel", ActionId.SHARE_CARD, ref, style="primary")]
    )
    elements.append(button("Refresh", ActionId.REFRESH_CARD, ref))
    blocks = list(msg.blocks)
    if shared_by:
        blocks.append(context(f"Shared by <@{shared_by}>"))
    blocks.append(actions(*elements, block_id=f"card_actions:{kind}"))
    return replace(msg, blocks=blocks)


def as_of(now: dt.datetime, tz: dt.tzinfo, extra: str = "") -> dict[str, Any]:
    stamp = now.astimezone(tz).strftime("%b %-d, %-I:%M %p %Z")
    return context(f"From Salesforce as of {stamp}{extra}")


def record_link(record_url: Any, record: dict[str, Any], label: str) -> str:
    """A mrkdwn link to a Salesforce record (``record["Id"]``) labelled ``label``."""
    return link(record_url(record["Id"]), label)


def not_found(kind: str, query: str, suggestions: list[str], usage: str) -> Message:
    text = f"No {kind} matches *{escape_slack(query)}*."
    if suggestions:
        text += " Did you mean " + ", ".join(f"*{escape_slack(s)}*" for s in suggestions) + "?"
    plain = f"No {kind} matches {query}." + (
        " Did you mean " + ", ".join(suggestions) + "?" if suggestions else ""
    )
    return Message(
        text=escape_slack(plain), blocks=[section(text), context(usage)], outcome="not_found"
    )


def error_message(text: str) -> Message:
    """An error for the user; ``text`` is mrkdwn (escape any data put into it)."""
    return Message(text=text, blocks=[section(f":warning: {text}")], is_error=True, outcome="error")


def refusal_message(text: str, outcome: str = "refused") -> Message:
    """A refusal for the asker alone (no access to acctbot, or to a record): ``text`` is
    mrkdwn that says why and how to get access, and nothing about any record."""
    return Message(text=text, blocks=[section(text)], is_error=True, outcome=outcome)


def progress_message(text: str) -> Message:
    """The one short message a slow answer may be preceded by (``text`` is mrkdwn;
    escape any data put into it). Its block carries ``BlockId.PROGRESS``."""
    return Message(
        text=text,
        blocks=[{**context(f":hourglass_flowing_sand: {text}"), "block_id": BlockId.PROGRESS}],
    )


def is_progress(message: dict[str, Any]) -> bool:
    """Is ``message`` (as Slack shows or returns it) a :func:`progress_message`?"""
    return any(
        isinstance(b, dict) and b.get("block_id") == BlockId.PROGRESS
        for b in message.get("blocks") or []
    )


def usage_message(usage: str, note: str | None = None, *, note_mrkdwn: bool = False) -> Message:
    """A command's usage (mrkdwn; its ``<``, ``>`` and ``&`` are escaped here, since Slack
    reads ``<...>`` as a link or mention even inside code), after an optional note: plain
    text (escaped here), or with ``note_mrkdwn`` mrkdwn whose data is already escaped
    (e.g. a mention Slack shows by name, :attr:`bot.text.Argument.mrkdwn`)."""
    usage = escape_slack(usage)
    if note is not None and not note_mrkdwn:
        note = escape_slack(note)
    body = (f"{note}\n\n" if note else "") + usage
    return Message(
        text=(f"{note} " if note else "") + usage,
        blocks=[section(body)],
        outcome="usage",
    )


def without_share(msg: Message) -> Message:
    """``msg`` without its "Share in channel" buttons (``ACCTBOT_SHARING=off``)."""
    blocks: list[dict[str, Any]] = []
    changed = False
    for block in msg.blocks:
        if block.get("type") == "actions":
            elements = [e for e in block["elements"] if e.get("action_id") != ActionId.SHARE_CARD]
            if len(elements) != len(block["elements"]):
                changed = True
                if not elements:
                    continue
                block = {**block, "elements": elements}
        blocks.append(block)
    return replace(msg, blocks=blocks) if changed else msg
