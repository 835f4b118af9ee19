"""Digest subscriptions acctbot stopped itself: when and why (it can no longer post).

Revision ID: 0007_digest_stopped
Revises: 0006_people_audit
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_digest_stopped"
down_revision = "0006_people_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("digest_subscriptions") as batch:
        batch.add_column(sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("stopped_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("digest_subscriptions") as batch:
        batch.drop_column("stopped_reason")
        batch.drop_column("stopped_at")
