"""The audit log: every lookup, refusal, share, refresh, watch and configuration change.

One row per event (table ``audit_log``): when (UTC), the action, the command or button,
the Slack user, their Salesforce user, the channel, the Salesforce record Ids shown and
the outcome. Nothing else: no search text, no names, no figures, so the log itself holds
nothing sensitive beyond record Ids.

Actions: ``lookup`` (a command, the App Home, a type-ahead), ``refusal`` (the asker may
not use acctbot, or may not read the record), ``share``, ``refresh``, ``escalation``
(filed, acknowledged, resolved, reassigned), ``watch`` (issue 15's watches), ``config``
(digest subscriptions, user mappings). Outcomes: ``ok``, ``refused`` (not someone acctbot
serves), ``unavailable`` (Slack could not say who they are), ``denied`` (their
Salesforce user may not read the record), ``not_found``, ``usage``, ``error``, and a few
of their own (``conflict``: someone acted first; ``invalid``; ``sharing_off``).

Rows older than ``ACCTBOT_AUDIT_RETENTION_DAYS`` (default 365) are deleted by the
scheduled job ``audit.purge`` (jobs/audit.py). ``acctbot audit export`` reads it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

from sqlalchemy import delete, select

from bot.infra.db import Database, rowcount
from bot.infra.models import AuditEvent

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

ACTIONS = ("lookup", "refusal", "share", "refresh", "escalation", "watch", "config")
FIELDS = (
    "at",
    "action",
    "command",
    "slack_user_id",
    "salesforce_user_id",
    "channel_id",
    "record_ids",
    "outcome",
)
MAX_IDS = 2000  # Ids kept per event (a list of 2,000 orders still fits)


def record(
    services: Services,
    *,
    action: str,
    command: str,
    slack_user_id: str | None,
    channel_id: str | None = None,
    record_ids: Iterable[str] = (),
    outcome: str = "ok",
    salesforce_user_id: str | None = None,
) -> None:
    """Append one event. ``salesforce_user_id`` defaults to the Slack user's, when acctbot
    already knows it (no request is made for the log). Never raises: a failed write is
    logged, and the answer it describes has already gone out."""
    from bot.people import known_identity

    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    try:
        if salesforce_user_id is None:
            person = known_identity(services, slack_user_id)
            salesforce_user_id = person.salesforce_user_id if person else None
        ids = list(dict.fromkeys(i for i in record_ids if i))[:MAX_IDS]
        with services.db.session() as session:
            session.add(
                AuditEvent(
                    at=services.now(),
                    action=action,
                    command=command[:60],
                    slack_user_id=slack_user_id,
                    salesforce_user_id=salesforce_user_id,
                    channel_id=channel_id,
                    record_ids=" ".join(ids),
                    outcome=outcome[:20],
                )
            )
    except Exception:
        log.exception("could not write the audit log (%s %s)", action, command)


def purge(db: Database, *, older_than_days: int, now: dt.datetime | None = None) -> int:
    """Delete events older than ``older_than_days``; returns how many went."""
    cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=older_than_days)
    with db.session() as session:
        return rowcount(session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff)))


def events(db: Database, *, since: dt.datetime | None = None) -> Iterator[dict[str, Any]]:
    """Every event (oldest first) from ``since`` (UTC) on, as export rows: ``at`` in ISO
    8601 UTC, ``record_ids`` a list."""
    query = select(AuditEvent).order_by(AuditEvent.at, AuditEvent.id)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    with db.session() as session:
        for e in session.scalars(query.execution_options(yield_per=1000)):
            yield {
                "at": e.at.astimezone(dt.UTC).isoformat(),
                "action": e.action,
                "command": e.command,
                "slack_user_id": e.slack_user_id,
                "salesforce_user_id": e.salesforce_user_id,
                "channel_id": e.channel_id,
                "record_ids": e.record_ids.split() if e.record_ids else [],
                "outcome": e.outcome,
            }


def export(rows: Iterable[dict[str, Any]], fmt: str, out: TextIO) -> int:
    """Write ``rows`` as ``json`` (one array) or ``csv`` (record Ids space-separated);
    returns how many were written."""
    n = 0
    if fmt == "json":
        out.write("[")
        for row in rows:
            out.write(("," if n else "") + "\n  " + json.dumps(row, ensure_ascii=False))
            n += 1
        out.write("\n]\n" if n else "]\n")
        return n
    writer = csv.DictWriter(out, fieldnames=list(FIELDS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "record_ids": " ".join(row["record_ids"])})
        n += 1
    return n
