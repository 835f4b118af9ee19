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

Jobs run on :class:`DigestTrigger`, not APScheduler's ``CronTrigger``: that one computes in
the team's local time and, the night clocks go back, fires a 01:30 schedule at both
01:30s. ``DigestTrigger`` steps in UTC through :class:`bot.localtime.CronSchedule` (a
repeated time runs once, a skipped time once when the clocks jump). A job stored by an
older version with a ``CronTrigger`` is switched over on start, keeping its next run time.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger

from bot.digests import service as digests
from bot.digests.periods import Delivery
from bot.localtime import as_utc, cron_schedule
from bot.services import Services
from jobs import runtime
from jobs.scheduler import JOB_TABLE

log = logging.getLogger(__name__)

JOB_FUNC = "jobs.digests:run_scheduled"
MAINTAIN_FUNC = "jobs.digests:maintain"
MAINTAIN_ID = "digest:maintain"
PREFIX = "digest:"


class DigestTrigger(BaseTrigger):
    """An APScheduler 3 trigger: a five-field cron ``schedule`` in IANA ``timezone``,
    through :class:`bot.localtime.CronSchedule`. Fire times are aware UTC datetimes,
    strictly increasing; a local time repeated when clocks go back fires once (the first
    time), one skipped when they go forward fires once, when they jump.

    Pickled (the SQLAlchemy job store) as its schedule and zone name only, so a stored
    job does not depend on how the schedule is computed. Raises
    :class:`bot.localtime.ScheduleError` for a bad schedule or zone.
    """

    __slots__ = ("schedule", "timezone_name")

    def __init__(self, schedule: str, timezone: str) -> None:
        cron_schedule(schedule, timezone)  # validates
        self.schedule = schedule
        self.timezone_name = timezone

    @property
    def timezone(self) -> ZoneInfo:
        """The schedule's time zone (its wall-clock times are read there)."""
        return ZoneInfo(self.timezone_name)

    def get_next_fire_time(
        self, previous_fire_time: dt.datetime | None, now: dt.datetime
    ) -> dt.datetime | None:
        """After a run: the next run strictly after ``previous_fire_time``. Otherwise the
        first run at or after ``now``. (APScheduler's contract; aware datetimes.)"""
        cron = cron_schedule(self.schedule, self.timezone_name)
        if previous_fire_time is not None:
            fire = cron.next_after(previous_fire_time)
        else:
            fire = cron.next_after(as_utc(now) - dt.timedelta(microseconds=1))
        return fire.at if fire is not None else None

    def __getstate__(self) -> dict[str, Any]:
        return {"version": 1, "schedule": self.schedule, "timezone": self.timezone_name}

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state.get("version", 1) > 1:
            raise ValueError(f"DigestTrigger state version {state['version']} is too new")
        self.schedule = state["schedule"]
        self.timezone_name = state["timezone"]

    def __str__(self) -> str:
        return f"cron[{self.schedule}] in {self.timezone_name}"

    def __repr__(self) -> str:
        return f"<DigestTrigger ({self.schedule!r}, timezone={self.timezone_name!r})>"


def trigger_for(d: Delivery) -> DigestTrigger:
    """The trigger of a delivery's job."""
    return DigestTrigger(d.schedule, d.team.timezone)


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
        same = (
            job is not None
            and job.func_ref == JOB_FUNC
            and job.kwargs == kwargs
            and job.misfire_grace_time is None
        )
        if same and job is not None and isinstance(job.trigger, DigestTrigger):
            continue  # unchanged: keep its stored next run time
        keep: dict[str, Any] = {}
        if same and job is not None and job.next_run_time is not None:
            # Same job on an older trigger (CronTrigger): switch, keeping a missed run.
            keep["next_run_time"] = job.next_run_time
        scheduler.add_job(
            JOB_FUNC,
            trigger=trigger_for(d),
            **keep,
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
