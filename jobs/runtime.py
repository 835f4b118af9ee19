"""The running app's services, for jobs.

Jobs live in the SQLAlchemy job store, which pickles a job's function *reference* and
arguments. So job functions are module-level, take only plain arguments, and reach the
app's services (Salesforce, Slack client, database) through this registry, which
``create_app`` fills.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services import Services

_services: Services | None = None


def install(services: Services) -> None:
    global _services
    _services = services


def services() -> Services:
    if _services is None:
        raise RuntimeError("no app is running in this process (jobs.runtime.install)")
    return _services
