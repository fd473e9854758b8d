"""ASB report events: each step in a report's life, for its timeline

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sharehub.db.base import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "asb_report_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.String(length=40), nullable=True),
        sa.Column("by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["by"], ["users.id"], name=op.f("fk_asb_report_events_by_users")),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["asb_reports.id"],
            name=op.f("fk_asb_report_events_report_id_asb_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asb_report_events")),
    )
    with op.batch_alter_table("asb_report_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_asb_report_events_report_id"), ["report_id"], unique=False
        )
    # Reports made before events were kept start their timeline at "logged".
    op.execute(
        "INSERT INTO asb_report_events (id, report_id, at, kind, detail, by) "
        "SELECT id, id, received_at, 'logged', channel, recorded_by FROM asb_reports"
    )


def downgrade() -> None:
    op.drop_table("asb_report_events")
