"""Database fixtures: SQLite in a temp dir, and a throw-away Postgres database.

Postgres: the server at 127.0.0.1:5432 (database ``test``, trust auth) unless
``ACCTBOT_TEST_POSTGRES`` gives another URL. Each test session creates its own database
and drops it at the end; with no server reachable those tests skip and say why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from bot.infra.db import Database

PG_ADMIN_URL = os.environ.get(
    "ACCTBOT_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _pg_admin():  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    engine = sa.create_engine(
        PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    return engine


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A fresh Postgres database for this test session (skips if none is reachable)."""
    import sqlalchemy as sa

    try:
        admin = _pg_admin()
    except Exception as exc:  # no driver, no server, refused...
        pytest.skip(
            f"no Postgres server reachable at {PG_ADMIN_URL} ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:120]}); set ACCTBOT_TEST_POSTGRES to test on one"
        )
    name = f"acctbot_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                ),
                {"n": name},
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    """A migrated, empty database: once on SQLite, once on Postgres."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path}/acctbot.db")
    else:
        base = request.getfixturevalue("postgres_server_url")
        import sqlalchemy as sa

        db = Database(base)
        # Each test starts from an empty schema on the shared session database.
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    db.upgrade()
    try:
        yield db
    finally:
        db.dispose()
