"""Human references for ASB reports and people ("ASB-2026-0042"), and the
counters that issue them; existing records are numbered in the order made

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# (table, counter kind, prefix, the time that dates a record)
NUMBERED = [
    ("asb_reports", "asb_report", "ASB", "received_at"),
    ("subjects", "person", "PER", "created_at"),
]


def upgrade() -> None:
    counters = op.create_table(
        "reference_counters",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "year", name=op.f("pk_reference_counters")),
    )
    bind = op.get_bind()
    for table, kind, prefix, dated_by in NUMBERED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("reference", sa.String(length=20), nullable=True))
        rows = bind.execute(
            sa.text(f"SELECT id, {dated_by} FROM {table} ORDER BY {dated_by}, id")  # noqa: S608
        ).all()
        last: dict[int, int] = {}
        for row_id, dated in rows:
            year = dated.year if hasattr(dated, "year") else int(str(dated)[:4])
            last[year] = last.get(year, 0) + 1
            bind.execute(
                sa.text(f"UPDATE {table} SET reference = :ref WHERE id = :id"),  # noqa: S608
                {"ref": f"{prefix}-{year}-{last[year]:04d}", "id": row_id},
            )
        if last:
            op.bulk_insert(
                counters, [{"kind": kind, "year": y, "last": n} for y, n in sorted(last.items())]
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("reference", existing_type=sa.String(length=20), nullable=False)
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_reference"), ["reference"])


def downgrade() -> None:
    for table, *_ in NUMBERED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_reference"), type_="unique")
            batch_op.drop_column("reference")
    op.drop_table("reference_counters")
