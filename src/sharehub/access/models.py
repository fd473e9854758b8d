"""Role assignments: who holds which role, in which agency (or hub-wide)."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sharehub.db.base import Base, Record


class RoleAssignment(Record):
    __tablename__ = "role_assignments"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "agency_id", "area", name="uq_role_assignments_grant"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(64))
    # The domain: an agency, or NULL for the hub-wide domain.
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    # For area-scoped cross-agency roles (e.g. MARAC coordinator for one district).
    area: Mapped[str | None] = mapped_column(String(100))
    # "claim" when it comes from the identity provider's claims at login (and is
    # replaced at each login), "grant" when an administrator granted it.
    source: Mapped[str] = mapped_column(String(16))
    granted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class AccessState(Base):
    """One row: a counter that goes up with every change to role assignments,
    so every worker can tell at once that its loaded policy is out of date."""

    __tablename__ = "access_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
