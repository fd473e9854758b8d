"""Subject index: found by digest alone, for the hub-wide search of free text; its generation

The gate looks up every candidate name, address and identifier in a text
against every agency's subjects at once (privacy/recognition.py), so the
index is searched by digest without the holding agency. The new digests
("name_words", "address") are written by `sharehub db upgrade` re-indexing
every subject after the migrations, since only the hub's keys can read them.
``subject_index_state`` counts additions to the index, so that what a text
was found to name can be kept until someone new is indexed, in every worker.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sharehub.db.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subject_index", schema=None) as batch_op:
        batch_op.create_index("ix_subject_index_digest", ["digest"], unique=False)
    state = op.create_table(
        "subject_index_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sharehub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_index_state")),
    )
    op.bulk_insert(state, [{"id": 1, "generation": 0, "updated_at": sharehub.db.base.utcnow()}])


def downgrade() -> None:
    op.drop_table("subject_index_state")
    with op.batch_alter_table("subject_index", schema=None) as batch_op:
        batch_op.drop_index("ix_subject_index_digest")
