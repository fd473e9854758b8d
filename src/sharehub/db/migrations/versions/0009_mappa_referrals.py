"""MAPPA referrals, their level decisions and the agencies invited to each

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 00:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sharehub.db.base

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mappa_referrals",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("referred_by", sa.Uuid(), nullable=True),
        sa.Column("offender_subject_id", sa.Uuid(), nullable=False),
        sa.Column("area", sa.String(length=100), nullable=False),
        sa.Column("area_key", sa.String(length=100), nullable=False),
        sa.Column("category", sa.Integer(), nullable=False),
        sa.Column("proposed_level", sa.Integer(), nullable=False),
        sa.Column("proposed_level_reason_encrypted", sa.Text(), nullable=False),
        sa.Column("summary_encrypted", sa.Text(), nullable=False),
        sa.Column("visor_ref_encrypted", sa.Text(), nullable=True),
        sa.Column("pnc_id_encrypted", sa.Text(), nullable=True),
        sa.Column("crn_encrypted", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("submitted_at", sharehub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resubmitted", sa.Integer(), nullable=False),
        sa.Column("screened_at", sharehub.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("screened_by", sa.Uuid(), nullable=True),
        sa.Column("return_reason_encrypted", sa.Text(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        sa.Column("closed_at", sharehub.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.String(length=40), nullable=True),
        sa.Column("close_note_encrypted", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sharehub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sharehub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_mappa_referrals_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["offender_subject_id"],
            ["subjects.id"],
            name=op.f("fk_mappa_referrals_offender_subject_id_subjects"),
        ),
        sa.ForeignKeyConstraint(
            ["referred_by"], ["users.id"], name=op.f("fk_mappa_referrals_referred_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["screened_by"], ["users.id"], name=op.f("fk_mappa_referrals_screened_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mappa_referrals")),
    )
    with op.batch_alter_table("mappa_referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mappa_referrals_agency_id"), ["agency_id"])
        batch_op.create_index(batch_op.f("ix_mappa_referrals_area_key"), ["area_key"])
        batch_op.create_index(batch_op.f("ix_mappa_referrals_next_review_on"), ["next_review_on"])
        batch_op.create_index(
            batch_op.f("ix_mappa_referrals_offender_subject_id"), ["offender_subject_id"]
        )
        batch_op.create_index(batch_op.f("ix_mappa_referrals_status"), ["status"])

    op.create_table(
        "mappa_level_decisions",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("previous_level", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("reason_encrypted", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        sa.Column("review_citation", sa.String(length=300), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sharehub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sharehub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_mappa_level_decisions_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["mappa_referrals.id"],
            name=op.f("fk_mappa_level_decisions_referral_id_mappa_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mappa_level_decisions")),
        sa.UniqueConstraint(
            "referral_id", "sequence", name=op.f("uq_mappa_level_decisions_referral_id")
        ),
    )
    with op.batch_alter_table("mappa_level_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mappa_level_decisions_referral_id"), ["referral_id"])

    op.create_table(
        "mappa_invitations",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("invited_at", sharehub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("invited_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_mappa_invitations_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"], ["users.id"], name=op.f("fk_mappa_invitations_invited_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["mappa_referrals.id"],
            name=op.f("fk_mappa_invitations_referral_id_mappa_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("referral_id", "agency_id", name=op.f("pk_mappa_invitations")),
    )
    with op.batch_alter_table("mappa_invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mappa_invitations_agency_id"), ["agency_id"])


def downgrade() -> None:
    with op.batch_alter_table("mappa_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mappa_invitations_agency_id"))
    op.drop_table("mappa_invitations")
    with op.batch_alter_table("mappa_level_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mappa_level_decisions_referral_id"))
    op.drop_table("mappa_level_decisions")
    with op.batch_alter_table("mappa_referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mappa_referrals_status"))
        batch_op.drop_index(batch_op.f("ix_mappa_referrals_offender_subject_id"))
        batch_op.drop_index(batch_op.f("ix_mappa_referrals_next_review_on"))
        batch_op.drop_index(batch_op.f("ix_mappa_referrals_area_key"))
        batch_op.drop_index(batch_op.f("ix_mappa_referrals_agency_id"))
    op.drop_table("mappa_referrals")
