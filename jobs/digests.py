"""Scheduled jobs for digests.

One cron job per delivery (``digest:daily:smb-east``; ``digest:daily:smb-east:C0OTHER``
for a channel other than the team's), in the team's time zone, and a maintenance job
(``digest:maintain``, every 5 minutes) that picks up subscriptions made on other
replicas and retries failed posts and crashed claims.

A job that is already in the job store with the same arguments is left as it is, so its
stored next run time survives a restart: a run missed while nothing was running fires
once on start (coalesced, however late) and the digest says it is late; a daily one
covers every day since the last digest posted.
Changed jobs are replaced (``replace_existing=True``) and jobs of deliveries that no
longer exist are removed.
"""

from __future__ import annotations

import logging
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler

from bot.digests import service as digests
from bot.digests.periods import Delivery
from bot.services import Services
from jobs import runtime
from jobs.scheduler import JOB_TABLE

log = logging.getLogger(__name__)

JOB_FUNC = "jobs.digests:run_scheduled"
MAINTAIN_FUNC = "jobs.digests:maintain"
MAINTAIN_ID = "digest:maintain"
PREFIX = "digest:"


def run_scheduled(kind: str, team: str, channel: str, schedule: str, timezone: str) -> None:
    """The cron job: post the digests of ``kind`` due now (this one and any due with it)."""
    outcomes = digests.run_due(
        runtime.services(),
        kind=kind,
        team=team,
        channel=channel,
        schedule=schedule,
        timezone=timezone,
    )
    for o in outcomes:
        log.info(
            "digest %s/%s/%s: %s",
            o.item.delivery.team.name,
            kind,
            o.item.period.key,
            o.status,
        )


def maintain() -> None:
    """Every 5 minutes: pick up subscriptions made on other replicas, retry failed posts."""
    services = runtime.services()
    services.schedule_changed()
    digests.retry_pending(services)


def job_kwargs(d: Delivery) -> dict[str, Any]:
    return {
        "kind": d.kind,
        "team": d.team.name,
        "channel": d.channel,
        "schedule": d.schedule,
        "timezone": d.team.timezone,
    }


def _stored(scheduler: BaseScheduler, services: Services) -> tuple[dict[str, Job], Any]:
    """The digest jobs in the job store, and how to remove one."""
    if scheduler.running:
        jobs = scheduler.get_jobs()
        return {j.id: j for j in jobs if j.id.startswith(PREFIX)}, scheduler.remove_job
    store = SQLAlchemyJobStore(engine=services.db.engine, tablename=JOB_TABLE)
    store.start(scheduler, "default")  # creates the table on a first start
    jobs = store.get_all_jobs()
    return {j.id: j for j in jobs if j.id.startswith(PREFIX)}, store.remove_job


def sync(scheduler: BaseScheduler, services: Services) -> None:
    """Make the digest jobs match the deliveries (teams file + subscriptions)."""
    wanted = {d.job_id: d for d in digests.deliveries(services)}
    stored, remove = _stored(scheduler, services)
    for job_id, d in wanted.items():
        kwargs = job_kwargs(d)
        job = stored.get(job_id)
        if (
            job is not None
            and job.func_ref == JOB_FUNC
            and job.kwargs == kwargs
            and job.misfire_grace_time is None
        ):
            continue  # unchanged: keep its stored next run time
        scheduler.add_job(
            JOB_FUNC,
            trigger=d.trigger(),
            id=job_id,
            name=f"{d.kind} digest of {d.team.name} to {d.channel}",
            kwargs=kwargs,
            replace_existing=True,
            # Never dropped for lateness: a run missed while the app was down posts
            # once (coalesced) when it is back, marked late, covering the gap.
            misfire_grace_time=None,
        )
        log.info("scheduled %s (%s %s)", job_id, d.schedule, d.team.timezone)
    for job_id in set(stored) - set(wanted) - {MAINTAIN_ID}:
        remove(job_id)
        log.info("removed %s (no such delivery any more)", job_id)


def schedule(scheduler: BaseScheduler, services: Services) -> None:
    """Add this feature's jobs (explicit ids, replace_existing=True), and let a
    subscription change in this process re-sync them at once (``schedule_changed``)."""
    sync(scheduler, services)

    def resync() -> None:
        if scheduler.running:
            sync(scheduler, services)

    services.schedule_changed = resync
    scheduler.add_job(
        MAINTAIN_FUNC,
        "interval",
        minutes=5,
        id=MAINTAIN_ID,
        name="digest maintenance: subscriptions and retries",
        replace_existing=True,
    )
