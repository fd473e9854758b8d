"""An agency's own interval for reviewing open ASB cases, and a MARAC referral
linked to the ASB report triaged as domestic abuse that it takes on

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-14 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

POLICIES = "asb_response_policies"
REFERRALS = "marac_referrals"
FK = f"fk_{REFERRALS}_asb_report_id_asb_reports"
INDEX = f"ix_{REFERRALS}_asb_report_id"


def upgrade() -> None:
    with op.batch_alter_table(POLICIES, schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_review_every_days", sa.Integer(), nullable=True))

    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # SQLite adds a nullable column with its foreign key in place. A batch
        # (copy and move) would drop marac_referrals first, and with foreign
        # keys on that drop deletes every referral's household links
        # (marac_referral_subjects, ON DELETE CASCADE).
        uuid_type = sa.Uuid().compile(dialect=bind.dialect)
        op.execute(
            f"ALTER TABLE {REFERRALS} ADD COLUMN asb_report_id {uuid_type} "
            f"CONSTRAINT {FK} REFERENCES asb_reports (id)"
        )
    else:
        op.add_column(REFERRALS, sa.Column("asb_report_id", sa.Uuid(), nullable=True))
        op.create_foreign_key(op.f(FK), REFERRALS, "asb_reports", ["asb_report_id"], ["id"])
    # One referral per report.
    op.create_index(op.f(INDEX), REFERRALS, ["asb_report_id"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f(INDEX), table_name=REFERRALS)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # A later rebuild of the table (0025) makes the foreign key a table
        # constraint, which SQLite's DROP COLUMN refuses: rebuild instead (the
        # migrations run with foreign keys off, so nothing cascades).
        with op.batch_alter_table(REFERRALS, schema=None, recreate="always") as batch_op:
            batch_op.drop_column("asb_report_id")
    else:
        op.drop_constraint(op.f(FK), REFERRALS, type_="foreignkey")
        op.drop_column(REFERRALS, "asb_report_id")
    with op.batch_alter_table(POLICIES, schema=None) as batch_op:
        batch_op.drop_column("case_review_every_days")
