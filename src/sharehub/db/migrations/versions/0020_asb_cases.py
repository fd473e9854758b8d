"""ASB cases: opened from reports, with an action plan agreed with the
complainant, and their entries (actions, contacts, diary sheets,
interventions, proportionality reviews, case reviews)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-12 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sharehub.db.base import UTCDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "asb_cases",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("case_officer_id", sa.Uuid(), nullable=True),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("opened_by", sa.Uuid(), nullable=True),
        sa.Column("review_every_days", sa.Integer(), nullable=False),
        sa.Column("next_review_on", sa.Date(), nullable=False),
        sa.Column("plan_agreed_on", sa.Date(), nullable=True),
        sa.Column("contact_method", sa.String(length=20), nullable=True),
        sa.Column("contact_every_days", sa.Integer(), nullable=True),
        sa.Column("next_contact_on", sa.Date(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("close_reason", sa.String(length=40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_asb_cases_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["case_officer_id"], ["users.id"], name=op.f("fk_asb_cases_case_officer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by"], ["users.id"], name=op.f("fk_asb_cases_opened_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asb_cases")),
        sa.UniqueConstraint("reference", name=op.f("uq_asb_cases_reference")),
    )
    with op.batch_alter_table("asb_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asb_cases_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_asb_cases_next_contact_on"), ["next_contact_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_asb_cases_next_review_on"), ["next_review_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_asb_cases_status"), ["status"], unique=False)

    op.create_table(
        "asb_case_reports",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["asb_cases.id"],
            name=op.f("fk_asb_case_reports_case_id_asb_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["asb_reports.id"],
            name=op.f("fk_asb_case_reports_report_id_asb_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "report_id", name=op.f("pk_asb_case_reports")),
        sa.UniqueConstraint("report_id", name=op.f("uq_asb_case_reports_report_id")),
    )

    op.create_table(
        "asb_case_entries",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("agency_id", sa.Uuid(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("text_encrypted", sa.Text(), nullable=True),
        sa.Column("by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_asb_case_entries_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(["by"], ["users.id"], name=op.f("fk_asb_case_entries_by_users")),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["asb_cases.id"],
            name=op.f("fk_asb_case_entries_case_id_asb_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asb_case_entries")),
    )
    with op.batch_alter_table("asb_case_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_asb_case_entries_case_id"), ["case_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("asb_case_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asb_case_entries_case_id"))
    op.drop_table("asb_case_entries")
    op.drop_table("asb_case_reports")
    with op.batch_alter_table("asb_cases", schema=None) as batch_op:
        for name in ("status", "next_review_on", "next_contact_on", "agency_id"):
            batch_op.drop_index(batch_op.f(f"ix_asb_cases_{name}"))
    op.drop_table("asb_cases")
