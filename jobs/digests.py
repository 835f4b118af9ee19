"""Scheduled jobs for digests."""

from __future__ import annotations

from apscheduler.schedulers.base import BaseScheduler

from bot.services import Services


def schedule(scheduler: BaseScheduler, services: Services) -> None:
    """Add this feature's jobs (explicit ids, replace_existing=True)."""
