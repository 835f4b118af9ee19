"""Block Kit checks with slack_sdk's models, plus the limits Slack enforces."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block


def assert_valid_message(message: dict[str, Any], *, max_blocks: int = 50) -> None:
    """A message payload: a plain-text fallback, and blocks Slack would accept."""
    assert message.get("text"), "every message needs a plain-text fallback"
    blocks = message.get("blocks") or []
    assert len(blocks) <= max_blocks, f"{len(blocks)} blocks (limit {max_blocks})"
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None, f"unknown block {raw}"
        block.validate_json()  # raises SlackObjectFormationError on a violated limit
        text = raw.get("text") or {}
        if raw["type"] == "section":
            assert len(text.get("text", "")) <= 3000
            assert len(raw.get("fields") or []) <= 10
            assert all(len(f["text"]) <= 2000 for f in raw.get("fields") or [])
        if raw["type"] == "header":
            assert len(text["text"]) <= 150
        for el in raw.get("elements") or []:
            if el.get("type") == "button":
                assert len(el["text"]["text"]) <= 75


def all_text(message: dict[str, Any]) -> str:
    """Every piece of text in a message, for content assertions."""
    out = [message.get("text") or ""]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    out.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.get("blocks") or [])
    return "\n".join(out)
