"""Escalations: the log, its history, and the Slack outbox.

Revision ID: 0002_escalations
Revises: 0001_baseline
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_escalations"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    counters = op.create_table(
        "counters",
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    op.bulk_insert(counters, [{"name": "escalation", "value": 0}])
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ref", sa.String(20), nullable=False),
        sa.Column("account_id", sa.String(18), nullable=True),
        sa.Column("account_name", sa.String(255), nullable=True),
        sa.Column("order_id", sa.String(18), nullable=True),
        sa.Column("order_number", sa.String(40), nullable=True),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("severity", sa.String(2), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reporter", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("assignee", sa.String(20), nullable=True),
        sa.Column("due_at", TZ, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("acknowledged_by", sa.String(20), nullable=True),
        sa.Column("acknowledged_at", TZ, nullable=True),
        sa.Column("resolved_by", sa.String(20), nullable=True),
        sa.Column("resolved_at", TZ, nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("owner_name", sa.String(255), nullable=True),
        sa.Column("sla_level", sa.Integer(), nullable=False),
        sa.Column("next_reminder_at", TZ, nullable=True),
        sa.Column("chain_top_sf_id", sa.String(18), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
        sa.UniqueConstraint("ref", name=op.f("uq_escalations_ref")),
    )
    op.create_index(op.f("ix_escalations_status"), "escalations", ["status"])
    op.create_index(op.f("ix_escalations_next_reminder_at"), "escalations", ["next_reminder_at"])
    op.create_table(
        "escalation_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(20), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("from_value", sa.Text(), nullable=True),
        sa.Column("to_value", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
            name=op.f("fk_escalation_history_escalation_id_escalations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_history")),
    )
    op.create_index(
        op.f("ix_escalation_history_escalation_id"), "escalation_history", ["escalation_id"]
    )
    op.create_table(
        "escalation_recipients",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(20), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("added_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
            name=op.f("fk_escalation_recipients_escalation_id_escalations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_recipients")),
        sa.UniqueConstraint(
            "escalation_id", "slack_user_id", name=op.f("uq_escalation_recipients_escalation_id")
        ),
    )
    op.create_index(
        op.f("ix_escalation_recipients_escalation_id"), "escalation_recipients", ["escalation_id"]
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("method", sa.String(40), nullable=False),
        sa.Column("target", sa.String(40), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("depends_on", sa.String(200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TZ, nullable=False),
        sa.Column("claim_token", sa.String(40), nullable=True),
        sa.Column("claimed_at", TZ, nullable=True),
        sa.Column("claimed_until", TZ, nullable=True),
        sa.Column("doubt_since", TZ, nullable=True),
        sa.Column("delivered_at", TZ, nullable=True),
        sa.Column("result_channel", sa.String(40), nullable=True),
        sa.Column("result_ts", sa.String(40), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("dead", sa.Boolean(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
            name=op.f("fk_outbox_escalation_id_escalations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_key")),
    )
    op.create_index(op.f("ix_outbox_escalation_id"), "outbox", ["escalation_id"])
    op.create_index("ix_outbox_due", "outbox", ["delivered_at", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("escalation_recipients")
    op.drop_table("escalation_history")
    op.drop_table("escalations")
    op.drop_table("counters")
