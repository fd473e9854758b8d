"""The case review figures for publication, as a page and as a CSV file. Thin
over ``service.figures`` (the counting) and ``publication.py`` (the years, the
areas a reader may choose and the CSV)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.params import QueryParameter
from litestar.response import Template

from sharehub.errors import NotFound
from sharehub.referrals.case_review import publication, service
from sharehub.web.forms import FormErrors
from sharehub.web.pages import page_opt, render
from sharehub.web.params import Gate, Session
from sharehub.web.templating import _

FIGURES = page_opt("case-review:figures")
AreaAsked = Annotated[str | None, QueryParameter(required=False, max_length=100)]


def _csv_link(area: str, period: publication.Period) -> str:
    query = urlencode(
        {"area": area, "from": period.start.isoformat(), "to": period.end.isoformat()}
    )
    return f"/case-reviews/figures.csv?{query}"


@get("/case-reviews/figures", opt=FIGURES, include_in_schema=False)
async def figures_page(
    request: Request,
    db_session: Session,
    gate: Gate,
    area: AreaAsked = None,
    year: Annotated[str | None, QueryParameter(required=False, max_length=10)] = None,
) -> Template:
    today = gate.today
    areas = await publication.areas_for(db_session, request.user)
    errors = FormErrors()
    chosen = publication.chosen_area(area or None, areas)
    if area and chosen is None:
        errors.add("area", _("Choose one of the areas in the list"))
    period = publication.period_named(year, today) if year else publication.default_period(today)
    if period is None:
        errors.add("year", _("Choose one of the years in the list"))
    figures = None
    if chosen is not None and period is not None and not errors:
        figures = await service.figures(db_session, chosen, period.start, period.end)
    shown = period or publication.default_period(today)
    return await render(
        request,
        db_session,
        "case_review/figures.html",
        title=_("ASB case review figures"),
        errors=errors or None,
        status_code=400 if errors else 200,
        areas=[{"value": a, "text": a, "selected": a == chosen} for a in areas],
        years=[
            {"value": p.code, "text": p.name, "selected": p.code == shown.code}
            for p in publication.periods(today)
        ],
        figures=figures,
        period=shown,
        csv=_csv_link(figures.area, shown) if figures else None,
        back={"href": "/case-reviews", "text": _("ASB case reviews")},
    )


@get(
    "/case-reviews/figures.csv",
    opt=FIGURES,
    include_in_schema=False,
    media_type="text/csv; charset=utf-8",
)
async def figures_csv(
    request: Request,
    db_session: Session,
    gate: Gate,
    area: AreaAsked = None,
    period_from: Annotated[
        date | None, QueryParameter(name="from", required=False, description="inclusive")
    ] = None,
    period_to: Annotated[
        date | None, QueryParameter(name="to", required=False, description="inclusive")
    ] = None,
) -> Response[bytes]:
    """One area's figures over a period (the last complete financial year if
    not given), for an area the reader may choose on the page."""
    chosen = publication.chosen_area(
        area or None, await publication.areas_for(db_session, request.user)
    )
    if chosen is None:
        raise NotFound("area")
    default = publication.default_period(gate.today)
    figures = await service.figures(
        db_session, chosen, period_from or default.start, period_to or default.end
    )
    return Response(
        publication.figures_csv([figures]),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": "attachment; filename="
            f'"{publication.csv_filename(figures.area, figures.period_from, figures.period_to)}"',
            "Cache-Control": "no-store",
        },
    )


ROUTES = [figures_page, figures_csv]
