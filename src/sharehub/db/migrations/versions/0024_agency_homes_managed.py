"""Agencies: the homes a landlord manages, and the day counted (TSM NM01)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild): nullable columns without constraints.
    op.add_column("agencies", sa.Column("homes_managed", sa.Integer(), nullable=True))
    op.add_column("agencies", sa.Column("homes_managed_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.drop_column("homes_managed_on")
        batch_op.drop_column("homes_managed")
