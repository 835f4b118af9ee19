"""Once-only keys: request signatures seen (replays), forms filed, cards shared.

Revision ID: 0008_once_keys
Revises: 0007_digest_stopped
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_once_keys"
down_revision = "0007_digest_stopped"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "once_keys",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("result", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_once_keys")),
    )
    op.create_index(op.f("ix_once_keys_expires_at"), "once_keys", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_once_keys_expires_at"), table_name="once_keys")
    op.drop_table("once_keys")
