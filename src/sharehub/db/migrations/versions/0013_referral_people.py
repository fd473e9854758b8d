"""Referrals link the people practitioners name: MAPPA victims and others at
risk, MARAC children and household members, the case review representative

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _links(table: str, parent: str) -> None:
    op.create_table(
        table,
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            [f"{parent}.id"],
            name=op.f(f"fk_{table}_referral_id_{parent}"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f(f"fk_{table}_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("referral_id", "subject_id", name=op.f(f"pk_{table}")),
    )
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_subject_id"), ["subject_id"], unique=False)


def upgrade() -> None:
    _links("mappa_referral_subjects", "mappa_referrals")
    _links("marac_referral_subjects", "marac_referrals")
    with op.batch_alter_table("case_reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("representative_subject_id", sa.Uuid(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_case_reviews_representative_subject_id"),
            ["representative_subject_id"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_case_reviews_representative_subject_id_subjects"),
            "subjects",
            ["representative_subject_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("case_reviews", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_case_reviews_representative_subject_id_subjects"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_case_reviews_representative_subject_id"))
        batch_op.drop_column("representative_subject_id")
    for table in ("marac_referral_subjects", "mappa_referral_subjects"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_subject_id"))
        op.drop_table(table)
