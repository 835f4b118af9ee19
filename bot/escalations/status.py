"""An escalation's status: the values stored in ``escalations.status``.

A ``StrEnum``, so a status compares equal to the string the database column holds.
"""

from __future__ import annotations

from enum import StrEnum


class EscalationStatus(StrEnum):
    """Where an escalation stands: open → acknowledged → resolved (or open → resolved)."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


# Not resolved yet: what "open escalations" lists, counts and reminds about.
ACTIVE = (EscalationStatus.OPEN, EscalationStatus.ACKNOWLEDGED)
