"""ASB case reviews applied for online: the agency an area's online applications
go to, whether an application came online, a complaint made to a body the
applicant was not sure of, and the counts that limit online applications

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-16 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

PROCEDURES = "case_review_procedures"
REVIEWS = "case_reviews"
COMPLAINTS = "case_review_complaints"
COUNTS = "case_review_online_counts"
FK = f"fk_{PROCEDURES}_online_receiving_agency_id_agencies"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # In place, as 0022 does: nothing refers to the procedures, but there
        # is no reason to copy a table to add a nullable column.
        uuid_type = sa.Uuid().compile(dialect=bind.dialect)
        op.execute(
            f"ALTER TABLE {PROCEDURES} ADD COLUMN online_receiving_agency_id {uuid_type} "
            f"CONSTRAINT {FK} REFERENCES agencies (id)"
        )
    else:
        op.add_column(PROCEDURES, sa.Column("online_receiving_agency_id", sa.Uuid(), nullable=True))
        op.create_foreign_key(
            op.f(FK), PROCEDURES, "agencies", ["online_receiving_agency_id"], ["id"]
        )
    # Added in place on both databases (a constant default): case_reviews is
    # not copied, so the rows that refer to it are untouched.
    op.add_column(
        REVIEWS,
        sa.Column("received_online", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    # SQLite copies the complaints to change the column; nothing refers to them.
    with op.batch_alter_table(COMPLAINTS, schema=None) as batch_op:
        batch_op.alter_column("agency_id", existing_type=sa.Uuid(), nullable=True)
    op.create_table(
        COUNTS,
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", "window_start", name=op.f(f"pk_{COUNTS}")),
    )
    op.create_index(op.f(f"ix_{COUNTS}_window_ends_at"), COUNTS, ["window_ends_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f(f"ix_{COUNTS}_window_ends_at"), table_name=COUNTS)
    op.drop_table(COUNTS)
    # A complaint to a body nobody named has nowhere to go back to.
    op.execute(f"DELETE FROM {COMPLAINTS} WHERE agency_id IS NULL")
    with op.batch_alter_table(COMPLAINTS, schema=None) as batch_op:
        batch_op.alter_column("agency_id", existing_type=sa.Uuid(), nullable=False)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.drop_column(REVIEWS, "received_online")
        # The foreign key is a column constraint SQLite's DROP COLUMN refuses:
        # rebuild (nothing refers to the procedures).
        with op.batch_alter_table(PROCEDURES, schema=None, recreate="always") as batch_op:
            batch_op.drop_column("online_receiving_agency_id")
    else:
        op.drop_column(REVIEWS, "received_online")
        op.drop_constraint(op.f(FK), PROCEDURES, type_="foreignkey")
        op.drop_column(PROCEDURES, "online_receiving_agency_id")
