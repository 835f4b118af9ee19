"""Who sees what: admin overrides of the Slack-to-Salesforce user mapping, and the audit log.

Revision ID: 0006_people_audit
Revises: 0005_watches
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_people_audit"
down_revision = "0005_watches"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_mappings",
        sa.Column("slack_user_id", sa.String(20), primary_key=True),
        sa.Column("salesforce_user_id", sa.String(18), nullable=False),
        sa.Column("set_by", sa.String(100), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("command", sa.String(60), nullable=False),
        sa.Column("slack_user_id", sa.String(20), nullable=True),
        sa.Column("salesforce_user_id", sa.String(18), nullable=True),
        sa.Column("channel_id", sa.String(40), nullable=True),
        sa.Column("record_ids", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("user_mappings")
