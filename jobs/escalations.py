"""Scheduled jobs for escalations: outbox delivery and SLA reminders.

Both are module-level functions without arguments (the SQLAlchemy job store pickles the
reference) that reach the app through :func:`jobs.runtime.services`.

- ``escalations.outbox``: delivers due outbox rows every ``ACCTBOT_OUTBOX_INTERVAL_SECONDS``
  (default 15); first run at start-up, so alerts left by a crash go out at once.
- ``escalations.sla``: sends SLA reminders every ``ACCTBOT_SLA_CHECK_SECONDS`` (default 60).
"""

from __future__ import annotations

import datetime as dt

from apscheduler.schedulers.base import BaseScheduler

from bot.delivery import outbox
from bot.escalations import service as escalations
from bot.settings import Settings
from jobs import runtime

OUTBOX_JOB = "escalations.outbox"
SLA_JOB = "escalations.sla"


def deliver_outbox() -> None:
    outbox.deliver_due(runtime.services())


def sla_reminders() -> None:
    svc = runtime.services()
    if escalations.run_sla_reminders(svc):
        outbox.deliver_due(svc)


def schedule(scheduler: BaseScheduler, settings: Settings) -> None:
    """Add this feature's jobs (explicit ids, replace_existing=True, per APScheduler's
    user guide), at the intervals ``settings`` gives."""
    now = dt.datetime.now(dt.UTC)
    scheduler.add_job(
        "jobs.escalations:deliver_outbox",
        "interval",
        seconds=settings.outbox_interval_seconds,
        id=OUTBOX_JOB,
        replace_existing=True,
        next_run_time=now,
        misfire_grace_time=60,
    )
    scheduler.add_job(
        "jobs.escalations:sla_reminders",
        "interval",
        seconds=settings.sla_check_seconds,
        id=SLA_JOB,
        replace_existing=True,
        next_run_time=now + dt.timedelta(seconds=5),
        misfire_grace_time=300,
    )
