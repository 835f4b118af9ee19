"""The scheduler: APScheduler 3's BackgroundScheduler with its jobs in the app database.

Explicit job ids and ``replace_existing=True`` everywhere (so a restart re-registers
instead of duplicating), coalescing and a misfire grace time (a restart after a missed
run runs it once, late). Job functions are given as ``"module:function"`` references.
"""

from __future__ import annotations

from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from bot.infra.db import Database

JOB_TABLE = "apscheduler_jobs"
DEFAULT_MISFIRE_GRACE = 6 * 3600


def create_scheduler(
    db: Database,
    *,
    timezone: Any = "UTC",
    max_workers: int = 4,
    misfire_grace_time: int = DEFAULT_MISFIRE_GRACE,
) -> BackgroundScheduler:
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=db.engine, tablename=JOB_TABLE)},
        executors={"default": ThreadPoolExecutor(max_workers)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": misfire_grace_time,
        },
        timezone=timezone,
    )
