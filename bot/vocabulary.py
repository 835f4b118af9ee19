"""The org's own picklist values that acctbot's rules depend on, read from describe.

Every org customizes picklists, so acctbot does not hard-code them:

- the **draft** order status is ``Order.Status``'s default value (where new orders
  start; Salesforce ships "Draft"). ``StatusCode`` is Salesforce's fixed category
  (Draft, Activated, ...) and needs no lookup;
- case **priorities**, most urgent first, are ``Case.Priority``'s active values in
  their picklist order (Salesforce ships High, Medium, Low).

Read once per process (two describe requests, cached by the Salesforce service); if
describe fails, Salesforce's stock values are used and the next use tries again.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from bot.infra.salesforce import SalesforceError, SalesforceService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Vocabulary:
    draft_status: str = "Draft"
    priorities: tuple[str, ...] = ("High", "Medium", "Low")

    @property
    def top_priority(self) -> str:
        return self.priorities[0]

    @classmethod
    def from_describe(cls, order: dict[str, Any], case: dict[str, Any]) -> Vocabulary:
        stock = cls()
        statuses = _picklist(order, "Status")
        draft = next((v["value"] for v in statuses if v.get("defaultValue")), None)
        if draft is None and any(v["value"] == stock.draft_status for v in statuses):
            draft = stock.draft_status
        priorities = tuple(v["value"] for v in _picklist(case, "Priority"))
        return cls(
            draft_status=draft or stock.draft_status, priorities=priorities or stock.priorities
        )


def _picklist(describe: dict[str, Any], field: str) -> list[dict[str, Any]]:
    for f in describe.get("fields") or []:
        if f.get("name") == field:
            return [v for v in f.get("picklistValues") or [] if v.get("active", True)]
    return []


class VocabularySource:
    """Loads the vocabulary on first use; thread-safe; falls back on failure."""

    def __init__(self, sf: SalesforceService) -> None:
        self.sf = sf
        self._value: Vocabulary | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Vocabulary:
        if self._value is not None:
            return self._value
        with self._lock:
            if self._value is None:
                try:
                    self._value = Vocabulary.from_describe(
                        self.sf.describe("Order"), self.sf.describe("Case")
                    )
                except SalesforceError as exc:
                    log.warning(
                        "describe failed (%s); using Salesforce's stock picklist values for now",
                        exc,
                    )
                    return Vocabulary()
            return self._value
