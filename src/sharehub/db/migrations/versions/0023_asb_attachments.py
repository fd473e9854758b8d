"""ASB reports and cases: attachments (documents, images, CCTV), kept encrypted outside the
database; and the case officer's disclosures to partners, beside their requests

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sharehub.db.base import UTCDateTime

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

TABLE = "asb_attachments"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("file_type", sa.String(length=20), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("received_sha256", sa.String(length=64), nullable=False),
        sa.Column("filename_encrypted", sa.Text(), nullable=False),
        sa.Column("description_encrypted", sa.Text(), nullable=True),
        sa.Column("shareable", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=True),
        sa.Column("delete_on", sa.Date(), nullable=True),
        sa.Column("evidence_report_id", sa.Uuid(), nullable=True),
        sa.Column("evidence_note_encrypted", sa.Text(), nullable=True),
        sa.Column("uploaded_by", sa.Uuid(), nullable=True),
        sa.Column("uploaded_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(report_id IS NULL) <> (case_id IS NULL)", name=op.f(f"ck_{TABLE}_one_owner")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f(f"fk_{TABLE}_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["asb_reports.id"],
            name=op.f(f"fk_{TABLE}_report_id_asb_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["asb_cases.id"],
            name=op.f(f"fk_{TABLE}_case_id_asb_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evidence_report_id"],
            ["asb_reports.id"],
            name=op.f(f"fk_{TABLE}_evidence_report_id_asb_reports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f(f"fk_{TABLE}_uploaded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint("report_id", "number", name=op.f(f"uq_{TABLE}_report_id")),
        sa.UniqueConstraint("case_id", "number", name=op.f(f"uq_{TABLE}_case_id")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_report_id"), ["report_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_delete_on"), ["delete_on"], unique=False)
    with op.batch_alter_table("asb_evidence_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=12), server_default="request", nullable=False)
        )
        batch_op.alter_column("due_on", existing_type=sa.Date(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("asb_evidence_requests", schema=None) as batch_op:
        batch_op.execute("DELETE FROM asb_evidence_requests WHERE kind = 'disclosure'")
        batch_op.alter_column("due_on", existing_type=sa.Date(), nullable=False)
        batch_op.drop_column("kind")
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f"ix_{TABLE}_delete_on"))
        batch_op.drop_index(batch_op.f(f"ix_{TABLE}_case_id"))
        batch_op.drop_index(batch_op.f(f"ix_{TABLE}_report_id"))
        batch_op.drop_index(batch_op.f(f"ix_{TABLE}_agency_id"))
    op.drop_table(TABLE)
