"""Meetings: a human reference ("MTG-2026-0003"), given to those already made

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

TABLE = "meetings"


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("reference", sa.String(length=20), nullable=True))
    connection = op.get_bind()
    # In the order they were recorded: the creation time, then the id.
    rows = connection.execute(
        sa.text(f"SELECT id, created_at FROM {TABLE} ORDER BY created_at, id")
    ).all()
    last: dict[int, int] = {}
    for row_id, created_at in rows:
        year = int(str(created_at)[:4])
        last[year] = last.get(year, 0) + 1
        connection.execute(
            sa.text(f"UPDATE {TABLE} SET reference = :reference WHERE id = :id"),
            {"reference": f"MTG-{year}-{last[year]:04d}", "id": row_id},
        )
    for year, number in last.items():
        connection.execute(
            sa.text("INSERT INTO reference_counters (kind, year, last) VALUES (:k, :y, :n)"),
            {"k": "meeting", "y": year, "n": number},
        )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.alter_column("reference", existing_type=sa.String(length=20), nullable=False)
        batch_op.create_unique_constraint(batch_op.f(f"uq_{TABLE}_reference"), ["reference"])


def downgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f"uq_{TABLE}_reference"), type_="unique")
        batch_op.drop_column("reference")
    op.execute("DELETE FROM reference_counters WHERE kind = 'meeting'")
