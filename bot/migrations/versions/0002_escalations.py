"""Escalations: the log, its history, and the Slack outbox.

Revision ID: 0002_escalations
Revises: 0001_baseline
Create Date: 2026-11-23
"""

from __future__ import annotations

revision = "0002_escalations"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
