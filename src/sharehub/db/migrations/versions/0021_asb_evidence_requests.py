"""ASB cases: requests to partner agencies for information, and their answers

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-13 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sharehub.db.base import UTCDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

TABLE = "asb_evidence_requests"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("asking_agency_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("asked_by", sa.Uuid(), nullable=True),
        sa.Column("asked_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("question_encrypted", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("answer_encrypted", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.Uuid(), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f(f"fk_{TABLE}_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["asking_agency_id"],
            ["agencies.id"],
            name=op.f(f"fk_{TABLE}_asking_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["users.id"], name=op.f(f"fk_{TABLE}_answered_by_users")
        ),
        sa.ForeignKeyConstraint(["asked_by"], ["users.id"], name=op.f(f"fk_{TABLE}_asked_by_users")),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["asb_cases.id"],
            name=op.f(f"fk_{TABLE}_case_id_asb_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f"ix_{TABLE}_case_id"))
        batch_op.drop_index(batch_op.f(f"ix_{TABLE}_agency_id"))
    op.drop_table(TABLE)
