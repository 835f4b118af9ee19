"""Digests: channel subscriptions and the runs claimed per (team, kind, period).

Revision ID: 0003_digests
Revises: 0002_escalations
Create Date: 2026-11-23
"""

from __future__ import annotations

revision = "0003_digests"
down_revision = "0002_escalations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
