"""POST /api/disclosure-checks: "may I share this?", answered and recorded."""

from __future__ import annotations

from litestar import Request, post
from litestar.params import JSONBody

from sharehub.disclosure.schemas import DisclosureCheckAnswer, DisclosureCheckRequest
from sharehub.disclosure.service import check_disclosure
from sharehub.web.pages import may
from sharehub.web.params import Gate, Session
from sharehub.web.problems import problem_responses


@post(
    # Under /api/ like every other resource, and at the address the partnership's
    # specification names.
    ["/api/disclosure-checks", "/disclosure-checks"],
    opt={"action": "disclosure:check"},
    tags=["Disclosure"],
    summary="Ask whether a disclosure would be lawful, without disclosing anything",
    status_code=200,
    responses=problem_responses(400, 403, 404, 409),
)
async def disclosure_check(
    request: Request,
    gate: Gate,
    db_session: Session,
    data: JSONBody[DisclosureCheckRequest],
) -> DisclosureCheckAnswer:
    return await check_disclosure(
        db_session,
        gate,
        discloser_agency_id=request.user.agency_id,
        asked_by=request.user.id,
        question=data,
        may_decide=may(request, "sharing-decision:record"),
    )
