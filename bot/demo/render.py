"""Render Slack messages for a terminal, numbering every button and menu so the demo
console can press them by number."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

EMOJI = {
    ":red_circle:": "🔴", ":large_green_circle:": "🟢", ":large_orange_circle:": "🟠",
    ":warning:": "⚠️", ":rotating_light:": "🚨", ":hourglass:": "⌛",
    ":hourglass_flowing_sand:": "⏳", ":mag:": "🔍", ":white_check_mark:": "✅",
    ":bar_chart:": "📊", ":bell:": "🔔", ":inbox_tray:": "📥", ":sunrise:": "🌅",
    ":calendar:": "📅", ":memo:": "📝", ":x:": "❌", ":heavy_check_mark:": "✔️",
    ":eyes:": "👀", ":arrow_up:": "⬆️", ":no_entry:": "⛔", ":tada:": "🎉",
    ":alarm_clock:": "⏰", ":arrow_down:": "⬇️", ":arrows_counterclockwise:": "🔄",
    ":fire:": "🔥", ":new:": "🆕", ":point_right:": "👉", ":pushpin:": "📌", ":sos:": "🆘",
    ":thread:": "🧵", ":trophy:": "🏆",
}  # fmt: skip


@dataclass
class Interactive:
    """A numbered element: what pressing its number means."""

    number: int
    element: dict[str, Any]
    block_id: str | None
    source: dict[str, Any]  # {"kind": "message"|"ephemeral", "channel", "message"}

    @property
    def kind(self) -> str:
        return str(self.element.get("type"))

    def options(self) -> list[dict[str, Any]]:
        opts = list(self.element.get("options") or [])
        for group in self.element.get("option_groups") or []:
            opts += group.get("options") or []
        return opts


@dataclass
class Numbering:
    """Numbers handed out since the last user action."""

    items: list[Interactive] = field(default_factory=list)

    def add(
        self, element: dict[str, Any], block_id: str | None, source: dict[str, Any]
    ) -> Interactive:
        item = Interactive(len(self.items) + 1, element, block_id, source)
        self.items.append(item)
        return item

    def get(self, number: int) -> Interactive | None:
        return self.items[number - 1] if 0 < number <= len(self.items) else None

    def clear(self) -> None:
        self.items.clear()


def plain(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return str(obj or "")


def mrkdwn(text: str, name_of: Callable[[str], str]) -> str:
    """Slack mrkdwn as a person reads it in a terminal."""

    def link(match: re.Match[str]) -> str:
        target, _, label = match.group(1).partition("|")
        if target.startswith("@"):
            return "@" + name_of(target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!date^"):
            return label or target  # Slack shows the date in the reader's zone; fallback here
        if target.startswith("!"):
            return "@" + target[1:].split("^")[0]
        return label or target

    text = re.sub(r"<([^<>]+)>", link, text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    for code, char in EMOJI.items():
        text = text.replace(code, char)
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"\1", text)  # *bold*
    return re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", r"\1", text)  # _italic_


def _label(item: Interactive) -> str:
    el = item.element
    if el.get("type") == "button":
        arrow = " ↗" if el.get("url") else ""
        return f"[{item.number}] {plain(el.get('text'))}{arrow}"
    placeholder = plain(el.get("placeholder")) or "choose"
    return f"[{item.number}] ▾ {placeholder}"


def render_blocks(
    blocks: list[dict[str, Any]],
    numbering: Numbering,
    source: dict[str, Any],
    name_of: Callable[[str], str],
) -> list[str]:
    lines: list[str] = []

    def elements(els: list[dict[str, Any]], block_id: str | None) -> None:
        labels, menus = [], []
        for el in els:
            if el.get("type") in (
                "button",
                "static_select",
                "external_select",
                "users_select",
                "overflow",
                "conversations_select",
            ):
                item = numbering.add(el, block_id, source)
                labels.append(_label(item))
                if item.options():
                    menus.append(item)
        if labels:
            lines.append("   " + "  ".join(labels))
        for item in menus:
            for i, opt in enumerate(item.options(), 1):
                lines.append(f"       {item.number}.{i}  {plain(opt.get('text'))}")

    for block in blocks:
        kind = block.get("type")
        bid = block.get("block_id")
        if kind == "header":
            lines.append(f"▌ {mrkdwn(plain(block.get('text')), name_of)}")
        elif kind == "section":
            if block.get("text"):
                for line in mrkdwn(plain(block["text"]), name_of).splitlines():
                    lines.append(f"  {line}")
            fields = block.get("fields") or []
            for f in fields:
                for i, line in enumerate(mrkdwn(plain(f), name_of).splitlines()):
                    lines.append(("  • " if i == 0 else "    ") + line)
            if block.get("accessory"):
                elements([block["accessory"]], bid)
        elif kind == "context":
            texts = [mrkdwn(plain(e), name_of) for e in block.get("elements") or []]
            for i, line in enumerate("  ".join(t for t in texts if t).splitlines()):
                lines.append(("  · " if i == 0 else "    ") + line)
        elif kind == "divider":
            lines.append("  " + "─" * 60)
        elif kind == "actions":
            elements(block.get("elements") or [], bid)
        elif kind == "input":
            lines.append(f"  {plain(block.get('label'))}: ____")
        elif kind == "image":
            lines.append(f"  [image: {block.get('alt_text', '')}]")
    return lines


def render_message(
    message: dict[str, Any],
    numbering: Numbering,
    source: dict[str, Any],
    name_of: Callable[[str], str],
) -> str:
    blocks = message.get("blocks")
    if blocks:
        return "\n".join(render_blocks(blocks, numbering, source, name_of))
    return "  " + mrkdwn(str(message.get("text", "")), name_of)
