"""The watch check: every ``ACCTBOT_WATCH_INTERVAL_SECONDS`` (default 60), one check for
every watch together (``bot/watches/detect.py``), then the alerts that are due.

A module-level function without arguments (the SQLAlchemy job store pickles the
reference), reaching the app through :func:`jobs.runtime.services`. Explicit id,
``replace_existing=True`` (APScheduler's user guide), first run at start-up so changes
made while the app was down are announced at once; ``max_instances=1`` and coalescing
keep a slow check from piling up behind itself.
"""

from __future__ import annotations

import datetime as dt
import logging

from apscheduler.schedulers.base import BaseScheduler

from bot.settings import Settings
from bot.watches import detect
from jobs import runtime

log = logging.getLogger(__name__)

CHECK_JOB = "watches.check"


def check() -> None:
    """One watch check and the alerts that are due (Salesforce down: logged by the check,
    and the next one starts from the same point, so nothing is lost)."""
    result = detect.run_check(runtime.services())
    if result.changes or result.dms:
        log.info(
            "watch check: %s records read in %s requests, %s changes, %s notices, %s DMs",
            result.records,
            result.requests,
            result.changes,
            result.notices,
            result.dms,
        )


def schedule(scheduler: BaseScheduler, settings: Settings) -> None:
    """Add the check (explicit id, replace_existing=True) at the configured interval."""
    scheduler.add_job(
        "jobs.watches:check",
        "interval",
        seconds=settings.watch_interval_seconds,
        id=CHECK_JOB,
        name="watch check: changes on watched records",
        replace_existing=True,
        next_run_time=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2),
        misfire_grace_time=max(60, settings.watch_interval_seconds),
    )
