"""Who may read what: the records a Slack user's Salesforce user may read.

A SEAM until issue 13 lands (``ACCTBOT_VISIBILITY``, ``UserRecordAccess``): for now every
mapped person may read every record the integration user reads, which is the
``workspace`` visibility mode. Issue 13 replaces the body of :func:`readable_ids` with
the real check; callers (watches, ...) already ask it before they show or announce a
record, so they need no change then.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services import Services

SEAM = True  # issue 13's real check replaces this module (and drops this marker)


def readable_ids(services: Services, slack_user_id: str, record_ids: Collection[str]) -> set[str]:
    """The subset of ``record_ids`` (15- or 18-character Salesforce Ids) that the Salesforce
    user of ``slack_user_id`` may read. Returns the Ids as given.

    Seam: returns every Id (workspace visibility) until the per-user check lands.
    """
    del services, slack_user_id
    return set(record_ids)
