"""The audit log on SQLite and on Postgres: what an event keeps, export (JSON and CSV,
``--since``), and the retention job that purges old events."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import inspect

from bot import audit
from bot.infra.db import Database
from bot.infra.salesforce import SalesforceService
from bot.services import Services
from bot.settings import Settings
from bot.teams import Teams

NOW = dt.datetime(2026, 11, 18, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def svc(database: Database) -> Iterator[Services]:
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": "s",
            "SF_INSTANCE_URL": "https://example.my.salesforce.com",
            "SF_ACCESS_TOKEN": "t",
            "DATABASE_URL": database.url,
            "ACCTBOT_AUDIT_RETENTION_DAYS": "30",
        }
    )
    clock = [NOW]
    services = Services(
        settings=settings,
        salesforce=SalesforceService(settings.salesforce),
        teams=Teams(),
        db=database,
        clock=lambda: clock[0],
    )
    services.clock_box = clock  # type: ignore[attr-defined]
    yield services
    services.pool.shutdown(wait=True)


def test_an_event_keeps_who_what_where_and_the_record_ids_only(svc: Services) -> None:
    columns = {c["name"] for c in inspect(svc.db.engine).get_columns("audit_log")}
    assert columns == {"id", *audit.FIELDS}  # nothing else can be stored
    audit.record(svc, action="lookup", command="/account", slack_user_id="U0ANA00001",
                 channel_id="C0GENERAL01", record_ids=["001A", "006B", "001A", ""],
                 salesforce_user_id="005000000000001AAA")  # fmt: skip
    audit.record(svc, action="refusal", command="/order", slack_user_id="U0GUEST001",
                 outcome="refused")  # fmt: skip
    with pytest.raises(ValueError):
        audit.record(svc, action="peek", command="x", slack_user_id=None)
    rows = list(audit.events(svc.db))
    assert rows == [
        {"at": "2026-11-18T15:00:00+00:00", "action": "lookup", "command": "/account",
         "slack_user_id": "U0ANA00001", "salesforce_user_id": "005000000000001AAA",
         "channel_id": "C0GENERAL01", "record_ids": ["001A", "006B"], "outcome": "ok"},
        {"at": "2026-11-18T15:00:00+00:00", "action": "refusal", "command": "/order",
         "slack_user_id": "U0GUEST001", "salesforce_user_id": None, "channel_id": None,
         "record_ids": [], "outcome": "refused"},
    ]  # fmt: skip


def test_export_as_json_and_csv_from_a_date(svc: Services) -> None:
    for days in (40, 3, 0):
        svc.clock_box[0] = NOW - dt.timedelta(days=days)  # type: ignore[attr-defined]
        audit.record(svc, action="share", command="share card", slack_user_id="U1",
                     record_ids=[f"001{days}"])  # fmt: skip
    out = io.StringIO()
    assert audit.export(audit.events(svc.db, since=NOW - dt.timedelta(days=5)), "json", out) == 2
    assert [r["record_ids"] for r in json.loads(out.getvalue())] == [["0013"], ["0010"]]
    out = io.StringIO()
    assert audit.export(audit.events(svc.db), "csv", out) == 3
    lines = out.getvalue().splitlines()
    assert lines[0] == ",".join(audit.FIELDS) and lines[1].startswith("2026-10-09T15:00:00+00:00,")
    out = io.StringIO()
    assert audit.export(iter(()), "json", out) == 0 and json.loads(out.getvalue()) == []


def test_the_retention_job_purges_old_events(svc: Services) -> None:
    import jobs.audit
    import jobs.runtime
    from jobs.scheduler import create_scheduler

    for days in (31, 29, 0):
        svc.clock_box[0] = NOW - dt.timedelta(days=days)  # type: ignore[attr-defined]
        audit.record(svc, action="lookup", command="/account", slack_user_id="U1")
    svc.clock_box[0] = NOW  # type: ignore[attr-defined]
    jobs.runtime.install(svc)
    jobs.audit.purge()  # ACCTBOT_AUDIT_RETENTION_DAYS=30
    assert [r["at"][:10] for r in audit.events(svc.db)] == ["2026-10-20", "2026-11-18"]
    scheduler = create_scheduler(svc.db)
    scheduler.start(paused=True)
    try:
        for _ in range(2):  # a restart re-registers, never duplicates
            jobs.audit.schedule(scheduler, svc.settings)
        (job,) = [j for j in scheduler.get_jobs() if j.id.startswith("audit")]
        assert job.id == "audit.purge" and job.func_ref == "jobs.audit:purge"
        assert job.trigger.interval == dt.timedelta(hours=6)
    finally:
        scheduler.shutdown(wait=False)
