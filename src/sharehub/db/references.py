"""Human references: what a person reads, says on the phone and types into a
search box ("ASB-2026-0042"), never the record's UUID.

One counter per kind and year, advanced in the same transaction as the record
it names, so references are gap-free per year unless a transaction rolls back.
"""

from __future__ import annotations

from sqlalchemy import Integer, String, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from sharehub.db.base import Base

# kind -> prefix. A table of its own so that a new kind of record is one line.
PREFIXES = {
    "asb_report": "ASB",
    "asb_case": "CASE",
    "person": "PER",
    "marac_referral": "MARAC",
    "mappa_referral": "MAPPA",
    "case_review": "ACR",
    "meeting": "MTG",
}


class ReferenceCounter(Base):
    __tablename__ = "reference_counters"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


def format_reference(kind: str, year: int, number: int) -> str:
    return f"{PREFIXES[kind]}-{year}-{number:04d}"


async def next_reference(db: AsyncSession, kind: str, year: int) -> str:
    for _ in range(3):
        number = await db.scalar(
            update(ReferenceCounter)
            .where(ReferenceCounter.kind == kind, ReferenceCounter.year == year)
            .values(last=ReferenceCounter.last + 1)
            .returning(ReferenceCounter.last)
        )
        if number is not None:
            return format_reference(kind, year, number)
        try:
            async with db.begin_nested():
                db.add(ReferenceCounter(kind=kind, year=year, last=1))
            return format_reference(kind, year, 1)
        except IntegrityError:
            continue  # another transaction started the year first: advance theirs
    raise RuntimeError("could not allocate a reference")  # pragma: no cover


def looks_like(kind: str, text: str) -> bool:
    """Whether a search box's text is a reference of this kind (case-insensitive)."""
    parts = text.strip().upper().split("-")
    return (
        len(parts) == 3
        and parts[0] == PREFIXES[kind]
        and parts[1].isdigit()
        and len(parts[1]) == 4
        and parts[2].isdigit()
    )


def normalise(text: str) -> str:
    return text.strip().upper()
