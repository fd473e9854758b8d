"""ASB triage (dealt with as ASB, not ASB and signposted, the domestic abuse
route), reports on to the police, an agency's own list of matters not dealt
with as ASB, and completed risk assessments with the people's needs

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-10 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sharehub.db.base import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("asb_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("triage_outcome", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("triage_definitions", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("not_asb_matter", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("signposted_to", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("triaged_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("triaged_by", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("triage_note_encrypted", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("police_reported_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("police_reported_to_encrypted", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("police_reference_encrypted", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_asb_reports_triaged_by_users"), "users", ["triaged_by"], ["id"]
        )

    op.create_table(
        "asb_risk_assessments",
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("tool", sa.String(length=60), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("scored_level", sa.String(length=10), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("judgement_encrypted", sa.Text(), nullable=True),
        sa.Column("complainant_needs", sa.JSON(), nullable=False),
        sa.Column("complainant_support_encrypted", sa.Text(), nullable=True),
        sa.Column("perpetrator_needs", sa.JSON(), nullable=False),
        sa.Column("perpetrator_support_encrypted", sa.Text(), nullable=True),
        sa.Column("assessed_at", UTCDateTime(), nullable=False),
        sa.Column("assessed_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessed_by"], ["users.id"], name=op.f("fk_asb_risk_assessments_assessed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["asb_reports.id"],
            name=op.f("fk_asb_risk_assessments_report_id_asb_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asb_risk_assessments")),
    )
    with op.batch_alter_table("asb_risk_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_asb_risk_assessments_report_id"), ["report_id"], unique=False
        )

    op.create_table(
        "asb_triage_policies",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("matters", sa.JSON(), nullable=False),
        sa.Column("own_matters", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_asb_triage_policies_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asb_triage_policies")),
        sa.UniqueConstraint("agency_id", name=op.f("uq_asb_triage_policies_agency_id")),
    )


def downgrade() -> None:
    op.drop_table("asb_triage_policies")
    with op.batch_alter_table("asb_risk_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asb_risk_assessments_report_id"))
    op.drop_table("asb_risk_assessments")
    with op.batch_alter_table("asb_reports", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_asb_reports_triaged_by_users"), type_="foreignkey")
        for column in (
            "police_reference_encrypted",
            "police_reported_to_encrypted",
            "police_reported_on",
            "triage_note_encrypted",
            "triaged_by",
            "triaged_at",
            "signposted_to",
            "not_asb_matter",
            "triage_definitions",
            "triage_outcome",
        ):
            batch_op.drop_column(column)
