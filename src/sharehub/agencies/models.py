"""Tables for partner agencies and the areas they serve."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sharehub.db.base import Base, SharedRecord, UTCDateTime


class Agency(SharedRecord):
    __tablename__ = "agencies"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_code: Mapped[str] = mapped_column(String(16), unique=True)
    agency_type: Mapped[str] = mapped_column(String(64), index=True)
    ig_contact_name: Mapped[str] = mapped_column(String(200))
    ig_contact_email: Mapped[str] = mapped_column(String(254))
    ig_contact_telephone: Mapped[str | None] = mapped_column(String(32))
    # A landlord's homes (social housing owned or managed), and the day the
    # count applies to: the denominator of TSM NM01 (ASB cases per 1,000 homes).
    homes_managed: Mapped[int | None] = mapped_column(Integer)
    homes_managed_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    areas: Mapped[list[AgencyArea]] = relationship(
        back_populates="agency",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="AgencyArea.area",
    )

    @property
    def area_names(self) -> list[str]:
        return [row.area for row in self.areas]


class AgencyArea(Base):
    """One area an agency serves (a district, county or force area, by name)."""

    __tablename__ = "agency_areas"

    agency_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True
    )
    area: Mapped[str] = mapped_column(String(100), primary_key=True)
    # Lower-cased copy so that filtering by area ignores case on every database.
    area_key: Mapped[str] = mapped_column(String(100), index=True)

    agency: Mapped[Agency] = relationship(back_populates="areas")
