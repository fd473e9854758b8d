"""The case review figures as they are published: for which areas a reader may
produce them, over which year (a financial year, April to March, by default
the last complete one; or a calendar year), and as a CSV file ready to put on
a website. The counting is ``service.figures``'s alone.

The CSV is safe to open in a spreadsheet: a cell that begins with ``=``,
``+``, ``-``, ``@`` (or a tab or carriage return) is prefixed with an
apostrophe, so no area name can become a formula (OWASP, CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.access.relationships import reach
from sharehub.agencies.models import Agency, AgencyArea
from sharehub.i18n import _, day_month_year
from sharehub.identity.principal import Principal
from sharehub.referrals.case_review import procedures
from sharehub.referrals.case_review.schemas import Figures

# How many complete years back the choice of years goes.
YEARS_BACK = 5
HEADER = (
    "area",
    "period start",
    "period end",
    "applications",
    "threshold not met",
    "reviews held",
    "reviews with recommendations",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Period:
    code: str  # "fy2025" (April 2025 to March 2026) or "cy2025"
    start: date
    end: date  # the last day counted: today, for a year not yet over
    complete: bool

    @property
    def name(self) -> str:
        if self.code.startswith("fy"):
            words = _("April {start} to March {end}, financial year").format(
                start=self.start.year, end=self.start.year + 1
            )
        else:
            words = _("January to December {year}, calendar year").format(year=self.start.year)
        return words if self.complete else _("{period} (so far)").format(period=words)

    @property
    def dates(self) -> str:
        """The days counted, in words."""
        return _("{start} to {end}").format(
            start=day_month_year(self.start), end=day_month_year(self.end)
        )


def _period(code: str, start: date, end: date, today: date) -> Period:
    return Period(code, start, min(end, today), complete=end < today)


def financial_year(starting: int, today: date) -> Period:
    return _period(f"fy{starting}", date(starting, 4, 1), date(starting + 1, 3, 31), today)


def calendar_year(year: int, today: date) -> Period:
    return _period(f"cy{year}", date(year, 1, 1), date(year, 12, 31), today)


def _current_financial_year(today: date) -> int:
    return today.year if today >= date(today.year, 4, 1) else today.year - 1


def default_period(today: date) -> Period:
    """The last complete financial year."""
    return financial_year(_current_financial_year(today) - 1, today)


def periods(today: date) -> list[Period]:
    """The years to choose from: this financial year so far and the complete
    ones before it, then the calendar years the same way."""
    fy, cy = _current_financial_year(today), today.year
    return [financial_year(fy - n, today) for n in range(YEARS_BACK + 1)] + [
        calendar_year(cy - n, today) for n in range(YEARS_BACK + 1)
    ]


def period_named(code: str, today: date) -> Period | None:
    return next((p for p in periods(today) if p.code == code), None)


async def areas_for(db: AsyncSession, actor: Principal) -> list[str]:
    """The areas a reader produces figures for: those they coordinate case
    reviews for (every area, for a coordinator for all of them); anyone else
    allowed the figures (a panel member, an information governance lead)
    the areas their agency serves."""
    coordinator = reach(actor, (procedures.COORDINATOR,))
    if actor.kind == "user" and coordinator.everywhere:
        names = list(await db.scalars(select(AgencyArea.area).order_by(AgencyArea.area_key)))
    elif actor.kind == "user" and coordinator.areas:
        names = [
            known
            for key in sorted(coordinator.areas)
            if (known := await procedures.known_area(db, key)) is not None
        ]
    else:
        agency = await db.get(Agency, actor.agency_id)
        names = sorted(agency.area_names, key=str.casefold) if agency else []
    # One entry per area, whatever the case different agencies give it in.
    unique: dict[str, str] = {}
    for name in names:
        unique.setdefault(name.casefold(), name)
    return list(unique.values())


def chosen_area(asked: str | None, areas: list[str]) -> str | None:
    """The area asked for, as the reader's list names it (None: not theirs)."""
    if asked is None:
        return areas[0] if areas else None
    return next((a for a in areas if a.casefold() == asked.strip().casefold()), None)


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def figures_csv(rows: Iterable[Figures]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for f in rows:
        writer.writerow(
            [
                safe_cell(f.area),
                f.period_from.isoformat(),
                f.period_to.isoformat(),
                f.applications,
                f.threshold_not_met,
                f.reviews_held,
                f.reviews_with_recommendations,
            ]
        )
    return out.getvalue().encode("utf-8")


def csv_filename(area: str, start: date, end: date) -> str:
    slug = (
        "-".join(
            "".join(c if c.isascii() and c.isalnum() else " " for c in area.casefold()).split()
        )
        or "area"
    )
    return f"case-review-figures-{slug}-{start.isoformat()}-to-{end.isoformat()}.csv"
