"""The relevant bodies' part: each body asked answers once (Schedule 4, paragraph 7), and
each body given a recommendation records its response. Only the body's own
staff write its answer; anyone else reads it through the gate."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.crypto import seal_field
from sharehub.db.changes import check_version, write_changes
from sharehub.disclosure.context import GateContext
from sharehub.errors import Conflict, NotFound, Unprocessable
from sharehub.identity.principal import Principal
from sharehub.privacy.subjects import held_subject_errors
from sharehub.referrals.case_review.models import (
    CaseReview,
    InformationRequest,
    ResponseSubject,
)
from sharehub.referrals.case_review.schemas import InformationResponseIn, RecommendationResponseIn
from sharehub.referrals.case_review.service import check_step, get_review, raced
from sharehub.referrals.case_review.sharing import connected

REQUEST = "information request"
RECOMMENDATION = "recommendation"


async def get_request(
    db: AsyncSession,
    actor: Principal,
    review_id: uuid.UUID,
    request_id: uuid.UUID,
    gate: GateContext,
) -> tuple[CaseReview, InformationRequest]:
    """A body's answer, for those who may see the review and, outside the body,
    only where a protocol in force connects their agency with it."""
    review = await get_review(db, actor, review_id, gate)
    request = next((r for r in review.information_requests if r.id == request_id), None)
    if request is None or not await connected(db, gate, actor.agency_id, request.agency_id):
        raise NotFound(REQUEST)
    return review, request


def _answered_once(answered: date | None, what: str) -> None:
    if answered is not None:
        raise Conflict(f"{what} is already recorded; each body answers once")


def _when(given: date | None, today: date, not_before: date, field: str, what: str) -> date:
    day = given or today
    if day > today:
        raise Unprocessable([(field, "cannot be in the future")])
    if day < not_before:
        raise Unprocessable([(field, f"cannot be before {what}")])
    return day


async def respond(
    db: AsyncSession,
    actor: Principal,
    review_id: uuid.UUID,
    request_id: uuid.UUID,
    version: int,
    data: InformationResponseIn,
    gate: GateContext,
) -> tuple[CaseReview, InformationRequest]:
    today = gate.today
    review, request = await get_request(db, actor, review_id, request_id, gate)
    if request.agency_id != actor.agency_id:
        raise NotFound(REQUEST)  # another body's request is not yours to answer
    check_version(request, version, REQUEST)
    check_step(review, "respond")
    _answered_once(request.responded_on, "this body's answer")
    responded_on = _when(
        data.responded_on, today, request.requested_on, "responded_on", "the request"
    )
    ids = [link.subject_id for link in data.subjects]
    errors: list[tuple[str, str]] = []
    errors += await held_subject_errors(db, actor.agency_id, ids)
    if errors:
        raise Unprocessable(errors)
    request.responded_on = responded_on
    request.responded_by = actor.user_id
    seal_field(gate.cipher, request, "response", data.response)
    request.subjects = [
        ResponseSubject(subject_id=link.subject_id, role=link.role.value, position=i)
        for i, link in enumerate(data.subjects)
    ]
    await write_changes(db, REQUEST, raced)
    return review, request


async def respond_to_recommendation(
    db: AsyncSession,
    actor: Principal,
    review_id: uuid.UUID,
    recommendation_id: uuid.UUID,
    version: int,
    data: RecommendationResponseIn,
    gate: GateContext,
) -> CaseReview:
    """The named body records how it had regard to the review's recommendation."""
    today = gate.today
    review = await get_review(db, actor, review_id, gate)
    recommendation = next((r for r in review.recommendations if r.id == recommendation_id), None)
    if recommendation is None or recommendation.agency_id != actor.agency_id:
        raise NotFound(RECOMMENDATION)
    check_version(recommendation, version, RECOMMENDATION)
    check_step(review, "respond_to_recommendation")
    _answered_once(recommendation.responded_on, "this body's response to the recommendation")
    assert review.outcome_recorded_on is not None
    recommendation.responded_on = _when(
        data.responded_on, today, review.outcome_recorded_on, "responded_on", "the outcome"
    )
    recommendation.responded_by = actor.user_id
    seal_field(gate.cipher, recommendation, "response", data.response)
    await write_changes(db, RECOMMENDATION, raced)
    return review
