"""Onward sharing of minutes as a request: its state, who asked, and each
owning agency's answer (agreed, or refused with its reason)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-09 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sharehub.db.base import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

SHARING = "meeting_onward_sharing"
ANSWERS = "meeting_onward_sharing_answers"


def upgrade() -> None:
    with op.batch_alter_table(SHARING, schema=None) as batch_op:
        batch_op.add_column(sa.Column("state", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("requested_by", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("requested_at", UTCDateTime(), nullable=True))
    # Every earlier row is a chair's agreement: asked for and granted at once.
    op.execute(
        f"UPDATE {SHARING} SET state = 'agreed', requested_by = agreed_by, "
        "requested_at = agreed_at"
    )
    with op.batch_alter_table(SHARING, schema=None) as batch_op:
        batch_op.alter_column("state", existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column("requested_by", existing_type=sa.Uuid(), nullable=False)
        batch_op.alter_column("requested_at", existing_type=UTCDateTime(), nullable=False)
        batch_op.alter_column("agreed_by", existing_type=sa.Uuid(), nullable=True)
        batch_op.alter_column("agreed_at", existing_type=UTCDateTime(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_meeting_onward_sharing_requested_by_users"),
            "users",
            ["requested_by"],
            ["id"],
        )

    op.create_table(
        ANSWERS,
        sa.Column("sharing_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("answer", sa.String(length=20), nullable=False),
        sa.Column("answered_by", sa.Uuid(), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.Column("reason_encrypted", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f(f"fk_{ANSWERS}_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["users.id"], name=op.f(f"fk_{ANSWERS}_answered_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["sharing_id"],
            [f"{SHARING}.id"],
            name=op.f(f"fk_{ANSWERS}_sharing_id_{SHARING}"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{ANSWERS}")),
        sa.UniqueConstraint("sharing_id", "agency_id", name=op.f(f"uq_{ANSWERS}_sharing_id")),
    )
    with op.batch_alter_table(ANSWERS, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{ANSWERS}_sharing_id"), ["sharing_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table(ANSWERS, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f"ix_{ANSWERS}_sharing_id"))
    op.drop_table(ANSWERS)
    # Before this revision only a granted share was a row.
    op.execute(f"DELETE FROM {SHARING} WHERE state <> 'agreed'")
    with op.batch_alter_table(SHARING, schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_meeting_onward_sharing_requested_by_users"), type_="foreignkey"
        )
        batch_op.alter_column("agreed_by", existing_type=sa.Uuid(), nullable=False)
        batch_op.alter_column("agreed_at", existing_type=UTCDateTime(), nullable=False)
        batch_op.drop_column("requested_at")
        batch_op.drop_column("requested_by")
        batch_op.drop_column("state")
