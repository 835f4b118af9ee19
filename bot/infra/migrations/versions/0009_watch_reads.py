"""Watches: when the kept values were read (the org's time, to order two reads of the
same second) and what a change's "who" is (last save, creation or activation).

Revision ID: 0009_watch_reads
Revises: 0008_once_keys
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_watch_reads"
down_revision = "0008_once_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("watch_records") as batch:
        batch.add_column(sa.Column("read_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("watch_changes") as batch:
        batch.add_column(sa.Column("attribution", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("watch_changes") as batch:
        batch.drop_column("attribution")
    with op.batch_alter_table("watch_records") as batch:
        batch.drop_column("read_at")
