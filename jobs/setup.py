"""Start the scheduler with every feature's jobs (one process should own it)."""

from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler

from bot.services import Services
from jobs import audit, digests, escalations, watches
from jobs.scheduler import create_scheduler


def start_scheduler(services: Services) -> BackgroundScheduler:
    scheduler = create_scheduler(services.db, timezone=services.tz)
    escalations.schedule(scheduler, services.settings)
    digests.schedule(scheduler, services)
    watches.schedule(scheduler, services.settings)
    audit.schedule(scheduler, services.settings)
    scheduler.start()
    return scheduler
