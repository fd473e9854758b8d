"""The letter to the applicant of a case review, for the coordinator: a page to
read and print (the print stylesheet leaves the hub's menus off) and the same
letter as a PDF to download. Thin over ``letters.py``: the review is found by
its reference as the API finds it, the reader must coordinate case reviews
for its area, and the letter is composed from the view the disclosure gate
builds for them (``views.view_of``, which records what it discloses).
"""

from __future__ import annotations

import uuid
from typing import Annotated, NamedTuple

from litestar import Request, Response, get
from litestar.params import PathParameter, QueryParameter
from litestar.response import Template
from sqlalchemy import select

from sharehub.agencies.models import Agency
from sharehub.errors import Conflict, NotFound
from sharehub.identity.models import User
from sharehub.referrals.case_review import letters, procedures, service, views
from sharehub.referrals.case_review.letters import LetterKind
from sharehub.referrals.case_review.models import CaseReview
from sharehub.referrals.case_review.rules import DEFAULT_ESCALATION_ROUTE
from sharehub.referrals.case_review.schemas import CaseReviewView
from sharehub.web.pages import page_opt, render
from sharehub.web.params import Gate, Session
from sharehub.web.templating import _

MANAGE = page_opt("case-review:manage")
Reference = Annotated[str, PathParameter(max_length=20, description="e.g. ACR-2026-0003")]
Of = Annotated[
    LetterKind | None,
    QueryParameter(required=False, description="decision or outcome; the latest if not given"),
]


async def _names(db: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = await db.execute(select(Agency.id, Agency.name).where(Agency.id.in_(ids)))
    return {agency_id: name for agency_id, name in rows}


async def _route(db: Session, review: CaseReview, view: CaseReviewView) -> str | None:
    """Where a dissatisfied applicant goes: as recorded when they asked, else
    as the area's procedure says now (None: the area has not said)."""
    if view.escalation_route and view.escalation_route != DEFAULT_ESCALATION_ROUTE:
        return str(view.escalation_route)
    procedure = await procedures.procedure_for(db, review.area)
    return procedure.escalation_route if procedure.version is not None else None


async def _context(
    request: Request, db: Session, gate: Gate, review: CaseReview, view: CaseReviewView
) -> letters.Context:
    actor = request.user
    ids = {
        view.receiving_agency_id,
        actor.agency_id,
        *(c.agency_id for c in view.complaints),
        *(r.agency_id for r in view.information_requests),
        *(r.agency_id for r in view.recommendations),
    }
    names = await _names(db, ids)
    user = await db.get(User, actor.id)
    return letters.Context(
        agencies=names,
        escalation_route=await _route(db, review, view),
        parameters=procedures.parameters_of(review.procedure),
        sender=user.display_name if user else "",
        sender_agency=names.get(actor.agency_id, ""),
        reader_agency_id=actor.agency_id,
        today=gate.today,
    )


class Found(NamedTuple):
    view: CaseReviewView
    letter: letters.Letter | None  # None: the review has no letter yet
    context: letters.Context | None


async def _letter(
    request: Request, db: Session, gate: Gate, reference: str, of: LetterKind | None
) -> Found:
    """The review's letter of that kind (or its latest), for this coordinator."""
    review = await service.review_by_reference(db, request.user, reference, gate)
    # Only the area's coordinator writes to the applicant; refused before the
    # gate is asked, so nothing is disclosed to anyone else.
    procedures.require_coordinator(request.user, review.area)
    view = await views.view_of(db, request.user, review, gate)
    kind = of or letters.latest(view)
    if kind is None:
        return Found(view, None, None)
    if kind not in letters.letters_open(view):
        raise NotFound("letter")
    context = await _context(request, db, gate, review, view)
    return Found(view, letters.compose(view, kind, context), context)


@get("/case-reviews/{reference:str}/letter", opt=MANAGE, include_in_schema=False)
async def letter_page(
    request: Request, db_session: Session, gate: Gate, reference: Reference, of: Of = None
) -> Template:
    found = await _letter(request, db_session, gate, reference, of)
    view, letter = found.view, found.letter
    kind = letter.kind if letter else None
    receiving = (await _names(db_session, {view.receiving_agency_id})).get(
        view.receiving_agency_id, ""
    )
    return await render(
        request,
        db_session,
        "case_review/letter.html",
        title=_("Letter to the applicant: {reference}").format(reference=view.reference),
        marking=True,
        review=view,
        letter=letter,
        choices=letters.choices(view, kind),
        not_yet=letters.not_yet() if letter is None else None,
        elsewhere=request.user.agency_id != view.receiving_agency_id,
        receiving_agency=receiving,
        pdf=f"/case-reviews/{view.reference}/letter.pdf?of={kind}" if kind else None,
        dated=letters.when(letter.dated) if letter else "",
        back={"href": f"/case-reviews/{view.reference}", "text": _("Back to the case review")},
    )


@get(
    "/case-reviews/{reference:str}/letter.pdf",
    opt=MANAGE,
    include_in_schema=False,
    media_type="application/pdf",
)
async def letter_pdf(
    request: Request, db_session: Session, gate: Gate, reference: Reference, of: Of = None
) -> Response[bytes]:
    found = await _letter(request, db_session, gate, reference, of)
    letter, context = found.letter, found.context
    if letter is None or context is None:
        raise Conflict(letters.not_yet())
    return Response(
        letters.render_pdf(letter, author=f"{context.sender}, {context.sender_agency}"),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{letter.filename}"',
            "Cache-Control": "no-store",
        },
    )


ROUTES = [letter_page, letter_pdf]
