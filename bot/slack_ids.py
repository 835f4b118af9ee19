"""The ids shared by the messages acctbot builds and the listeners that receive them.

Slack routes an interaction by the ``action_id`` of the element pressed and a modal
submission by the view's ``callback_id`` (https://api.slack.com/reference/block-kit/block-elements,
https://api.slack.com/reference/surfaces/views). Builders and ``register(app)`` both use
these enums, so renaming one is a type error rather than a silent dead button.

A button's ``value`` (at most 2000 characters, per the button element reference) carries a
:class:`CardRef`: what to re-render and for whom. It is versioned (``"v"``), so a button
on a message posted by an older acctbot is either understood or refused with a clear
"out of date" answer, never a traceback.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ActionId(StrEnum):
    """``action_id`` of every interactive element acctbot puts in a message or modal."""

    SHARE_CARD = "share_card"
    REFRESH_CARD = "refresh_card"
    ACCOUNT_PICK = "account_pick"
    OPEN_IN_SALESFORCE = "open_in_salesforce"
    ESCALATE_FROM_CARD = "escalate_from_card"
    ESCALATION_ACK = "escalation_ack"
    ESCALATION_RESOLVE = "escalation_resolve"
    ESCALATION_REASSIGN = "escalation_reassign"
    ESCALATION_ACCOUNT = "escalation_account"  # the modal's external select (block_suggestion)
    WATCH_CARD = "watch_card"  # Watch on a record card (value: CardRef)
    UNWATCH_CARD = "unwatch_card"  # Stop watching on a record card (value: CardRef)
    WATCH_PICK = "watch_pick"  # /watch <name> matching several accounts (value: account Id)
    WATCH_STOP = "watch_stop"  # Stop watching on an alert or the list (value: record Id)
    WATCH_SNOOZE = "watch_snooze"  # Snooze on an alert (value: a SnoozeFor)
    WATCH_RESUME = "watch_resume"  # end a snooze from the list
    WATCH_MORE = "watch_more"  # "Show all" on a big alert (value: the DM's key, "|", a page)
    WATCH_LIST_PAGE = "watch_list_page"  # the next page of /watch list (value: a page number)


class CallbackId(StrEnum):
    """``callback_id`` of every modal acctbot opens."""

    ESCALATION_NEW = "escalation_new"
    ESCALATION_RESOLVE = "escalation_resolve"
    ESCALATION_REASSIGN = "escalation_reassign"


class BlockId(StrEnum):
    """``block_id`` of blocks a listener or test must recognise (Slack keeps a message's
    block ids when it shows or returns it)."""

    PROGRESS = "acctbot_progress"  # the one "still looking" message before a slow answer


class CardKind(StrEnum):
    """What a Share/Refresh button re-renders: a record card or a list answer."""

    ACCOUNT = "account"
    ORDER = "order"
    ORDERS = "orders"
    PIPELINE = "pipeline"


class SnoozeFor(StrEnum):
    """How long a Snooze button on a watch alert holds the alerts."""

    HOUR = "1h"
    MORNING = "morning"  # until the start of the person's next day


CARD_REF_VERSION = 1
# A Salesforce record Id: 15 case-sensitive or 18 case-safe characters, the first three
# its object's key prefix (https://help.salesforce.com/s/articleView?id=000385008).
SALESFORCE_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
_PREFIX = {"account": "001", "order": "801"}


class StaleButton(ValueError):
    """A button value this version cannot read: from an older card, or tampered with."""


@dataclass(frozen=True)
class CardRef:
    """What a Share/Refresh/Escalate button points at.

    ``id`` is a Salesforce record Id for record cards, or the question as typed for list
    answers (``/orders mine``); ``asker`` is the Slack user who asked a list question (so
    "mine" stays theirs whoever presses Refresh); ``shared_by`` the Slack user who shared
    the card into a channel, if it was.
    """

    kind: CardKind
    id: str
    asker: str | None = None
    shared_by: str | None = None

    def to_value(self) -> str:
        """The compact JSON carried in the button's ``value``."""
        ref: dict[str, Any] = {"v": CARD_REF_VERSION, "k": str(self.kind), "id": self.id}
        if self.asker:
            ref["u"] = self.asker
        if self.shared_by:
            ref["by"] = self.shared_by
        return json.dumps(ref, separators=(",", ":"))

    @classmethod
    def from_value(cls, value: object) -> CardRef:
        """Read a button value written by :meth:`to_value` (or by the unversioned cards of
        earlier releases, which had the same keys).

        Raises:
            StaleButton: the value is not a card reference this version understands.
        """
        try:
            ref = json.loads(value) if isinstance(value, str) else None
        except ValueError:
            ref = None
        if not isinstance(ref, dict):
            raise StaleButton("not a card reference")
        version = ref.get("v", CARD_REF_VERSION)
        kind, record_id = ref.get("k"), ref.get("id")
        asker, shared_by = ref.get("u"), ref.get("by")
        if version != CARD_REF_VERSION or not isinstance(kind, str):
            raise StaleButton(f"unknown card reference {version!r}/{kind!r}")
        if kind not in CardKind._value2member_map_:
            raise StaleButton(f"unknown card reference {version!r}/{kind!r}")
        if not isinstance(record_id, str) or len(record_id) > 500:
            raise StaleButton("card reference without a usable id")
        prefix = _PREFIX.get(str(kind))
        if prefix and not (SALESFORCE_ID.fullmatch(record_id) and record_id.startswith(prefix)):
            raise StaleButton("record card reference without a record Id")
        for who in (asker, shared_by):
            if who is not None and not isinstance(who, str):
                raise StaleButton("card reference with a malformed user")
        return cls(CardKind(str(kind)), record_id, asker or None, shared_by or None)


ESCALATION_REF_VERSION = 1
_MAX_ESCALATION_ID = 2**31 - 1


@dataclass(frozen=True)
class EscalationRef:
    """What an escalation alert's Acknowledge / Resolve / Reassign buttons act on: the
    escalation's id in acctbot's database (not its ESC- reference)."""

    id: int

    def to_value(self) -> str:
        """The compact, versioned JSON carried in the button's ``value``."""
        return json.dumps({"v": ESCALATION_REF_VERSION, "esc": self.id}, separators=(",", ":"))

    @classmethod
    def from_value(cls, value: object) -> EscalationRef:
        """Read a value written by :meth:`to_value`, or the bare id (``"42"``) that alerts
        posted by earlier releases carry.

        Raises:
            StaleButton: not an escalation reference this version understands.
        """
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
            number: object = int(value)
        else:
            try:
                ref = json.loads(value) if isinstance(value, str) else None
            except ValueError:
                ref = None
            if not isinstance(ref, dict) or ref.get("v") != ESCALATION_REF_VERSION:
                raise StaleButton("not an escalation reference")
            number = ref.get("esc")
        if isinstance(number, bool) or not isinstance(number, int):
            raise StaleButton("escalation reference without an id")
        if not 0 < number <= _MAX_ESCALATION_ID:
            raise StaleButton("escalation reference out of range")
        return cls(number)
