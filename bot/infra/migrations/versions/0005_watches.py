"""Watches: who watches which record, the watched fields' last values, the changes
recorded once each, the notices per person, and each watcher's time zone and snooze.

Revision ID: 0005_watches
Revises: 0004_slack_events
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_watches"
down_revision = "0004_slack_events"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "watches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("slack_user_id", sa.String(20), nullable=False),
        sa.Column("record_id", sa.String(18), nullable=False),
        sa.Column("sobject", sa.String(20), nullable=False),
        sa.Column("label", sa.String(255), nullable=False),
        sa.Column("account_id", sa.String(18), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watches")),
        sa.UniqueConstraint("slack_user_id", "record_id", name=op.f("uq_watches_slack_user_id")),
    )
    op.create_index(op.f("ix_watches_slack_user_id"), "watches", ["slack_user_id"])
    op.create_index(op.f("ix_watches_record_id"), "watches", ["record_id"])
    op.create_table(
        "watch_records",
        sa.Column("record_id", sa.String(18), nullable=False),
        sa.Column("sobject", sa.String(20), nullable=False),
        sa.Column("account_id", sa.String(18), nullable=True),
        sa.Column("label", sa.String(255), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("modstamp", TZ, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_watch_records")),
    )
    op.create_index(op.f("ix_watch_records_account_id"), "watch_records", ["account_id"])
    op.create_table(
        "watch_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", sa.String(18), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sobject", sa.String(20), nullable=False),
        sa.Column("account_id", sa.String(18), nullable=True),
        sa.Column("label", sa.String(255), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.String(255), nullable=True),
        sa.Column("changed_at", TZ, nullable=True),
        sa.Column("detected_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_changes")),
        sa.UniqueConstraint("record_id", "version", name=op.f("uq_watch_changes_record_id")),
    )
    op.create_table(
        "watch_notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("slack_user_id", sa.String(20), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("watched_id", sa.String(18), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("delivered_at", TZ, nullable=True),
        sa.Column("outbox_key", sa.String(200), nullable=True),
        sa.Column("dropped", sa.String(40), nullable=True),
        sa.ForeignKeyConstraint(
            ["change_id"],
            ["watch_changes.id"],
            name=op.f("fk_watch_notices_change_id_watch_changes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_notices")),
        sa.UniqueConstraint(
            "slack_user_id", "change_id", name=op.f("uq_watch_notices_slack_user_id")
        ),
    )
    op.create_index(op.f("ix_watch_notices_change_id"), "watch_notices", ["change_id"])
    op.create_index("ix_watch_notices_pending", "watch_notices", ["slack_user_id", "delivered_at"])
    op.create_table(
        "watch_people",
        sa.Column("slack_user_id", sa.String(20), nullable=False),
        sa.Column("tz", sa.String(64), nullable=True),
        sa.Column("tz_checked_at", TZ, nullable=True),
        sa.Column("snoozed_until", TZ, nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("slack_user_id", name=op.f("pk_watch_people")),
    )


def downgrade() -> None:
    op.drop_table("watch_people")
    op.drop_index("ix_watch_notices_pending", table_name="watch_notices")
    op.drop_index(op.f("ix_watch_notices_change_id"), table_name="watch_notices")
    op.drop_table("watch_notices")
    op.drop_table("watch_changes")
    op.drop_index(op.f("ix_watch_records_account_id"), table_name="watch_records")
    op.drop_table("watch_records")
    op.drop_index(op.f("ix_watches_record_id"), table_name="watches")
    op.drop_index(op.f("ix_watches_slack_user_id"), table_name="watches")
    op.drop_table("watches")
