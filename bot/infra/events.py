"""Events API deliveries taken once: Slack retries an event it thinks failed (no 2xx within
3 seconds, an error, a lost connection) up to three times, with ``X-Slack-Retry-Num`` /
``X-Slack-Retry-Reason`` and the same ``event_id`` (Events API, "Failure conditions",
https://api.slack.com/apis/connections/events-api). Bolt does not de-duplicate them, and a
retry may reach another replica, so the ids live in the shared database.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bot.infra.db import Database
from bot.infra.models import SlackEvent

# Slack's last retry comes about 5 minutes after the first attempt; an hour is ample.
KEEP = dt.timedelta(hours=1)


def first_delivery(db: Database, event_id: str, *, now: dt.datetime | None = None) -> bool:
    """Record ``event_id``; True the first time it is seen (by any process sharing the
    database), False for a retry of an event already taken. Ids older than ``KEEP`` are
    forgotten on the way. ``now`` is UTC (default: the real time)."""
    now = now or dt.datetime.now(dt.UTC)
    try:
        with db.session() as s:
            s.add(SlackEvent(event_id=event_id[:64], received_at=now))
    except IntegrityError:
        return False
    with db.session() as s:
        s.execute(delete(SlackEvent).where(SlackEvent.received_at < now - KEEP))
    return True
