"""Block Kit validation and plain-text rendering for the Slack stand-in.

``validate_blocks`` checks blocks the way Slack's API does and reports problems in
Slack's own wording, each ending with a JSON pointer, e.g.
``"must be less than 3001 characters [json-pointer:/blocks/0/text/text]"``. It covers
the documented limits an app is likely to hit (block counts, text lengths, element
counts, option sizes) and malformed structure (missing ``type``, unknown block or
element types, text objects of the wrong kind); it is not a full schema.

``render_blocks`` flattens blocks to the lines a console user would read.
"""

from __future__ import annotations

import json
import re
from typing import Any

MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
TEXT_LIMIT = 40_000

_BLOCK_TYPES = frozenset(
    {
        "actions",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "video",
    }
)
_INPUT_ELEMENTS = frozenset(
    {
        "plain_text_input",
        "email_text_input",
        "url_text_input",
        "number_input",
        "rich_text_input",
        "file_input",
    }
)
_SELECTS = frozenset(
    {
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
        "multi_static_select",
        "multi_external_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
    }
)
_OTHER_ELEMENTS = frozenset(
    {
        "button",
        "overflow",
        "datepicker",
        "timepicker",
        "datetimepicker",
        "checkboxes",
        "radio_buttons",
        "image",
        "workflow_button",
    }
)
ELEMENT_TYPES = _INPUT_ELEMENTS | _SELECTS | _OTHER_ELEMENTS


class BlocksFormatError(ValueError):
    """``blocks`` was not a JSON array of objects (Slack's ``invalid_blocks_format``)."""


def parse_blocks(value: Any) -> list[Any] | None:
    """Blocks as sent in a form field (JSON string) or JSON body (list); None if absent."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise BlocksFormatError(str(exc)) from exc
    if not isinstance(value, list):
        raise BlocksFormatError("blocks must be an array")
    return value


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def err(self, message: str, pointer: str) -> None:
        self.errors.append(f"{message} [json-pointer:{pointer}]")

    # -- primitives ------------------------------------------------------------------

    def string(
        self, value: Any, pointer: str, *, max_len: int, min_len: int = 1, required: bool = True
    ) -> None:
        if value is None:
            if required:
                self.err("missing required field: " + pointer.rsplit("/", 1)[-1], pointer)
            return
        if not isinstance(value, str):
            self.err("must be a string", pointer)
            return
        if len(value) > max_len:
            self.err(f"must be less than {max_len + 1} characters", pointer)
        elif len(value) < min_len:
            self.err(f"must be more than {min_len - 1} characters", pointer)

    def text(
        self,
        obj: Any,
        pointer: str,
        *,
        max_len: int,
        plain_only: bool = False,
        required: bool = True,
    ) -> None:
        if obj is None:
            if required:
                self.err("missing required field: " + pointer.rsplit("/", 1)[-1], pointer)
            return
        if not isinstance(obj, dict):
            self.err("must provide an object", pointer)
            return
        kind = obj.get("type")
        if kind not in ("plain_text", "mrkdwn") or (plain_only and kind != "plain_text"):
            self.err("must be a valid enum value", pointer + "/type")
        self.string(obj.get("text"), pointer + "/text", max_len=max_len)

    def items(self, value: Any, pointer: str, *, max_items: int, min_items: int = 1) -> list[Any]:
        if value is None:
            self.err("missing required field: " + pointer.rsplit("/", 1)[-1], pointer)
            return []
        if not isinstance(value, list):
            self.err("must provide an array", pointer)
            return []
        if len(value) > max_items:
            self.err(f"no more than {max_items} items allowed", pointer)
        elif len(value) < min_items:
            self.err(f"must provide at least {min_items} items", pointer)
        return value

    # -- options and elements ----------------------------------------------------------

    def option(self, opt: Any, pointer: str, *, plain_only: bool = True) -> None:
        if not isinstance(opt, dict):
            self.err("must provide an object", pointer)
            return
        self.text(opt.get("text"), pointer + "/text", max_len=75, plain_only=plain_only)
        self.string(opt.get("value"), pointer + "/value", max_len=150)
        if "description" in opt:
            self.text(opt["description"], pointer + "/description", max_len=75)
        if "url" in opt:
            self.string(opt["url"], pointer + "/url", max_len=3000)

    def options(
        self, el: dict[str, Any], pointer: str, *, max_items: int, min_items: int = 1
    ) -> None:
        if "option_groups" in el:
            groups = self.items(
                el["option_groups"], pointer + "/option_groups", max_items=100, min_items=min_items
            )
            for g, group in enumerate(groups):
                gp = f"{pointer}/option_groups/{g}"
                if not isinstance(group, dict):
                    self.err("must provide an object", gp)
                    continue
                self.text(group.get("label"), gp + "/label", max_len=75, plain_only=True)
                for o, opt in enumerate(
                    self.items(group.get("options"), gp + "/options", max_items=100)
                ):
                    self.option(opt, f"{gp}/options/{o}")
            return
        opts = self.items(
            el.get("options"), pointer + "/options", max_items=max_items, min_items=min_items
        )
        for o, opt in enumerate(opts):
            self.option(opt, f"{pointer}/options/{o}")

    def element(self, el: Any, pointer: str) -> None:
        if not isinstance(el, dict):
            self.err("must provide an object", pointer)
            return
        kind = el.get("type")
        if kind is None:
            self.err("missing required field: type", pointer + "/type")
            return
        if kind not in ELEMENT_TYPES:
            self.err(f"unsupported type: {kind}", pointer + "/type")
            return
        if "action_id" in el:
            self.string(el["action_id"], pointer + "/action_id", max_len=255)
        if "placeholder" in el:
            self.text(el["placeholder"], pointer + "/placeholder", max_len=150, plain_only=True)
        if kind == "button":
            self.text(el.get("text"), pointer + "/text", max_len=75, plain_only=True)
            if "value" in el:
                self.string(el["value"], pointer + "/value", max_len=2000)
            if "url" in el:
                self.string(el["url"], pointer + "/url", max_len=3000)
            if "style" in el and el["style"] not in ("primary", "danger"):
                self.err("must be a valid enum value", pointer + "/style")
        elif kind in ("static_select", "multi_static_select"):
            self.options(el, pointer, max_items=100)
        elif kind == "overflow":
            opts = self.items(el.get("options"), pointer + "/options", max_items=5, min_items=1)
            for o, opt in enumerate(opts):
                self.option(opt, f"{pointer}/options/{o}")
        elif kind in ("checkboxes", "radio_buttons"):
            opts = self.items(el.get("options"), pointer + "/options", max_items=10)
            for o, opt in enumerate(opts):
                self.option(opt, f"{pointer}/options/{o}", plain_only=False)
        elif kind == "image":
            self.string(el.get("alt_text"), pointer + "/alt_text", max_len=2000)
        elif kind == "plain_text_input":
            if "initial_value" in el:
                self.string(
                    el["initial_value"], pointer + "/initial_value", max_len=3000, min_len=0
                )
            if "max_length" in el and (
                not isinstance(el["max_length"], int) or not 1 <= el["max_length"] <= 3000
            ):
                self.err("must be between 1 and 3000", pointer + "/max_length")

    # -- blocks ------------------------------------------------------------------------

    def block(self, block: Any, pointer: str, *, in_view: bool) -> None:
        if not isinstance(block, dict):
            self.err("must provide an object", pointer)
            return
        kind = block.get("type")
        if kind is None:
            self.err("missing required field: type", pointer + "/type")
            return
        if kind not in _BLOCK_TYPES:
            self.err(f"unsupported type: {kind}", pointer + "/type")
            return
        if "block_id" in block:
            self.string(block["block_id"], pointer + "/block_id", max_len=255)
        if kind == "section":
            if block.get("text") is None and block.get("fields") is None:
                self.err("must contain either text or fields", pointer)
            if block.get("text") is not None:
                self.text(block["text"], pointer + "/text", max_len=3000)
            if block.get("fields") is not None:
                fields = self.items(block["fields"], pointer + "/fields", max_items=10)
                for f, fld in enumerate(fields):
                    self.text(fld, f"{pointer}/fields/{f}", max_len=2000)
            if "accessory" in block:
                self.element(block["accessory"], pointer + "/accessory")
        elif kind == "header":
            self.text(block.get("text"), pointer + "/text", max_len=150, plain_only=True)
        elif kind == "actions":
            for e, el in enumerate(
                self.items(block.get("elements"), pointer + "/elements", max_items=25)
            ):
                self.element(el, f"{pointer}/elements/{e}")
        elif kind == "context":
            elements = self.items(block.get("elements"), pointer + "/elements", max_items=10)
            for e, el in enumerate(elements):
                ep = f"{pointer}/elements/{e}"
                if isinstance(el, dict) and el.get("type") in ("plain_text", "mrkdwn"):
                    self.text(el, ep, max_len=3000)
                elif isinstance(el, dict) and el.get("type") == "image":
                    self.string(el.get("alt_text"), ep + "/alt_text", max_len=2000)
                else:
                    self.err("must be a valid enum value", ep + "/type")
        elif kind == "image":
            self.string(block.get("alt_text"), pointer + "/alt_text", max_len=2000)
            if block.get("image_url") is None and block.get("slack_file") is None:
                self.err("missing required field: image_url", pointer + "/image_url")
            if "title" in block:
                self.text(block["title"], pointer + "/title", max_len=2000, plain_only=True)
        elif kind == "input":
            self.text(block.get("label"), pointer + "/label", max_len=2000, plain_only=True)
            if "hint" in block:
                self.text(block["hint"], pointer + "/hint", max_len=2000, plain_only=True)
            self.element(block.get("element"), pointer + "/element")
        elif kind == "markdown":
            self.string(block.get("text"), pointer + "/text", max_len=12_000)


def validate_blocks(
    blocks: list[Any], *, in_view: bool = False, pointer: str = "/blocks"
) -> list[str]:
    """Slack-worded problems with ``blocks``; empty when Slack would accept them."""
    checker = _Checker()
    limit = VIEW_BLOCK_LIMIT if in_view else MESSAGE_BLOCK_LIMIT
    if len(blocks) > limit:
        checker.err(f"no more than {limit} items allowed", pointer)
    block_ids: set[str] = set()
    for b, block in enumerate(blocks):
        checker.block(block, f"{pointer}/{b}", in_view=in_view)
        if isinstance(block, dict) and isinstance(block.get("block_id"), str):
            if block["block_id"] in block_ids:
                checker.err("duplicate block_id", f"{pointer}/{b}/block_id")
            block_ids.add(block["block_id"])
    return checker.errors


def validate_view(view: dict[str, Any]) -> list[str]:
    """Problems with a modal or Home tab view, pointers under ``/view``."""
    checker = _Checker()
    kind = view.get("type")
    if kind not in ("modal", "home"):
        checker.err("must be a valid enum value", "/view/type")
    if kind == "modal":
        checker.text(view.get("title"), "/view/title", max_len=24, plain_only=True)
        for key in ("submit", "close"):
            if key in view:
                checker.text(view[key], f"/view/{key}", max_len=24, plain_only=True)
        has_input = any(
            isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or []
        )
        if has_input and "submit" not in view:
            checker.err("must provide submit if blocks contain input blocks", "/view/submit")
    for key, limit in (("private_metadata", 3000), ("callback_id", 255), ("external_id", 255)):
        if key in view:
            checker.string(view[key], f"/view/{key}", max_len=limit, min_len=0)
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        checker.err("missing required field: blocks", "/view/blocks")
        return checker.errors
    return checker.errors + validate_blocks(blocks, in_view=True, pointer="/view/blocks")


# -- rendering -------------------------------------------------------------------------


def _text(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return "" if obj is None else str(obj)


def _element_label(el: dict[str, Any]) -> str:
    kind = el.get("type", "")
    if kind == "button":
        return f"[{_text(el.get('text'))}]"
    if kind in _SELECTS or kind == "overflow":
        label = _text(el.get("placeholder")) or kind.replace("_", " ")
        return f"[{label} ▾]"
    if kind in ("checkboxes", "radio_buttons"):
        return " ".join(f"( ) {_text(o.get('text'))}" for o in el.get("options", []))
    if kind == "image":
        return f"<image: {el.get('alt_text', '')}>"
    return f"[{kind}]"


def render_blocks(blocks: list[Any]) -> list[str]:
    """The blocks as console lines (mrkdwn left as is, interactive elements bracketed)."""
    lines: list[str] = []
    for block in blocks:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "header":
            lines.append(f"== {_text(block.get('text'))} ==")
        elif kind == "section":
            if block.get("text") is not None:
                lines.extend(_text(block["text"]).splitlines() or [""])
            for fld in block.get("fields") or []:
                lines.extend("  " + line for line in _text(fld).splitlines())
            if isinstance(block.get("accessory"), dict):
                lines.append("  " + _element_label(block["accessory"]))
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "context":
            parts = [
                _text(el) if el.get("type") != "image" else f"<{el.get('alt_text', '')}>"
                for el in block.get("elements") or []
                if isinstance(el, dict)
            ]
            lines.append("  " + "  ".join(parts))
        elif kind == "actions":
            labels = [
                _element_label(el) for el in block.get("elements") or [] if isinstance(el, dict)
            ]
            lines.append("  ".join(labels))
        elif kind == "input":
            element = block.get("element") if isinstance(block.get("element"), dict) else {}
            lines.append(f"{_text(block.get('label'))}: {_element_label(element)}")
        elif kind == "image":
            lines.append(f"<image: {block.get('alt_text', '')}>")
        elif kind == "markdown":
            lines.extend(str(block.get("text", "")).splitlines())
        else:
            lines.append(f"<{kind}>")
    return lines


def render_message(message: dict[str, Any]) -> str:
    """What a person sees for a message: its blocks when it has them, else its text."""
    blocks = message.get("blocks")
    if blocks:
        return unescape_mrkdwn("\n".join(render_blocks(blocks)))
    return unescape_mrkdwn(str(message.get("text", "")))


def render_view(view: dict[str, Any]) -> str:
    """A modal or Home tab as console text."""
    lines = []
    title = _text(view.get("title"))
    if title:
        lines.append(f"┌ {title} ┐")
    lines.extend(render_blocks(view.get("blocks") or []))
    buttons = [f"[{_text(view[k])}]" for k in ("close", "submit") if view.get(k)]
    if buttons:
        lines.append("  ".join(buttons))
    return unescape_mrkdwn("\n".join(lines))


def validate_options_response(body: Any) -> list[str]:
    """Problems Slack finds in an app's answer to a ``block_suggestion`` request.

    An empty ``options`` list is a valid answer: Slack shows that nothing matched
    (bolt-python sends ``{"options": []}`` for ``ack(options=[])`` because Slack kept the
    previous results on an empty body, slackapi/bolt-python#468 fixed by #580; "the empty
    option is allowed in the external data source to make an empty result", yhatt/jsx-slack#41).
    A static select's own ``options`` in a message or view still needs one or more."""
    checker = _Checker()
    if not isinstance(body, dict):
        return ["options response must be a JSON object"]
    if "option_groups" in body:
        checker.options({"option_groups": body["option_groups"]}, "", max_items=100, min_items=0)
    elif "options" in body:
        checker.options({"options": body["options"]}, "", max_items=100, min_items=0)
    else:
        checker.err("missing required field: options", "/options")
    return checker.errors


def unescape_mrkdwn(text: str) -> str:
    """Text as a person reads it: links and mentions by label, ``&amp;`` etc. decoded."""

    def link(match: re.Match[str]) -> str:
        target, _, label = match.group(1).partition("|")
        if label:
            return label
        if target.startswith(("@", "#")):
            return target
        if target.startswith("!"):
            return "@" + target[1:].split("^")[0]
        return target

    text = re.sub(r"<([^<>]+)>", link, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
