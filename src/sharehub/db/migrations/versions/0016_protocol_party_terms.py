"""Protocol parties' own terms (Art 6 basis, on whose behalf, co-option for
ASB case reviews) and a version's agreed start date

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("protocol_parties", schema=None) as batch_op:
        # Left empty on earlier rows: their parties never recorded a basis.
        batch_op.add_column(sa.Column("article6", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("on_behalf_of_agency_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "co_opted_for_case_reviews",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_protocol_parties_on_behalf_of_agency_id_agencies"),
            "agencies",
            ["on_behalf_of_agency_id"],
            ["id"],
        )
    with op.batch_alter_table("protocol_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("protocol_versions", schema=None) as batch_op:
        batch_op.drop_column("starts_on")
    with op.batch_alter_table("protocol_parties", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_protocol_parties_on_behalf_of_agency_id_agencies"), type_="foreignkey"
        )
        batch_op.drop_column("co_opted_for_case_reviews")
        batch_op.drop_column("on_behalf_of_agency_id")
        batch_op.drop_column("article6")
