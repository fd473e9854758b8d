"""ASB closure: what the complainant was told and why, the ASB case review
offered, and their satisfaction asked afterwards (TSM TP12)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-11 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("asb_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closure_explanation_encrypted", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "case_review_offered", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(sa.Column("satisfaction", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("satisfaction_asked_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("asb_reports", schema=None) as batch_op:
        for column in (
            "satisfaction_asked_on",
            "satisfaction",
            "case_review_offered",
            "closure_explanation_encrypted",
        ):
            batch_op.drop_column(column)
