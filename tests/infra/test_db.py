"""The database layer on SQLite and Postgres: migrations apply, and re-apply as no-ops."""

import datetime as dt

from sqlalchemy import inspect, select

from bot.infra.db import Database
from bot.infra.models import AppMeta


def test_migrations_apply_and_are_idempotent(database: Database) -> None:
    assert database.current_revision() is not None
    database.upgrade()  # a second start changes nothing
    tables = set(inspect(database.engine).get_table_names())
    assert {"app_meta", "alembic_version"} <= tables


def test_sessions_commit_and_roll_back(database: Database) -> None:
    now = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    with database.session() as s:
        s.add(AppMeta(key="installed", value="yes", updated_at=now))
    try:
        with database.session() as s:
            s.add(AppMeta(key="half", value="no", updated_at=now))
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with database.session() as s:
        keys = s.scalars(select(AppMeta.key)).all()
    assert keys == ["installed"]
