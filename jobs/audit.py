"""The audit log's retention job: ``audit.purge`` deletes events older than
``ACCTBOT_AUDIT_RETENTION_DAYS`` (default 365), every 6 hours and once soon after start.

A module-level function without arguments (the SQLAlchemy job store pickles the
reference) that reaches the app through :func:`jobs.runtime.services`.
"""

from __future__ import annotations

import datetime as dt
import logging

from apscheduler.schedulers.base import BaseScheduler

from bot import audit
from bot.settings import Settings
from jobs import runtime

log = logging.getLogger(__name__)

PURGE_JOB = "audit.purge"
PURGE_HOURS = 6


def purge() -> None:
    svc = runtime.services()
    gone = audit.purge(svc.db, older_than_days=svc.settings.audit_retention_days, now=svc.now())
    if gone:
        log.info(
            "audit log: %d events older than %d days deleted",
            gone,
            svc.settings.audit_retention_days,
        )


def schedule(scheduler: BaseScheduler, settings: Settings) -> None:
    """Add the purge job (explicit id, replace_existing=True, per APScheduler's guide)."""
    del settings  # the retention is read when the job runs
    scheduler.add_job(
        "jobs.audit:purge",
        "interval",
        hours=PURGE_HOURS,
        id=PURGE_JOB,
        replace_existing=True,
        next_run_time=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30),
        misfire_grace_time=3600,
    )
