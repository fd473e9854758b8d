"""MARAC referrals: a human reference ("MARAC-2026-0012"), given to those already made

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

TABLE = "marac_referrals"


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("reference", sa.String(length=20), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(f"SELECT id, referred_at FROM {TABLE} ORDER BY referred_at, id")
    ).all()
    last: dict[int, int] = {}
    for row_id, referred_at in rows:
        year = int(str(referred_at)[:4])
        last[year] = last.get(year, 0) + 1
        connection.execute(
            sa.text(f"UPDATE {TABLE} SET reference = :reference WHERE id = :id"),
            {"reference": f"MARAC-{year}-{last[year]:04d}", "id": row_id},
        )
    for year, number in last.items():
        connection.execute(
            sa.text("INSERT INTO reference_counters (kind, year, last) VALUES (:k, :y, :n)"),
            {"k": "marac_referral", "y": year, "n": number},
        )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.alter_column("reference", existing_type=sa.String(length=20), nullable=False)
        batch_op.create_unique_constraint(batch_op.f(f"uq_{TABLE}_reference"), ["reference"])


def downgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f"uq_{TABLE}_reference"), type_="unique")
        batch_op.drop_column("reference")
    op.execute("DELETE FROM reference_counters WHERE kind = 'marac_referral'")
