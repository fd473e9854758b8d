"""HTTP routes for subjects, consent, sharing decisions and safeguarding
overrides (thin: parsing, status codes, and handing over to the services).

Every response naming a person is no-store (web/headers.py). Identifiers are
only ever sent in bodies, never in URLs.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, MediaType, Request, Response, get, patch, post
from litestar.params import JSONBody, PathParameter, QueryParameter

from sharehub.disclosure.gated import Rendered
from sharehub.identity.principal import Principal
from sharehub.privacy import consent as consents
from sharehub.privacy import decisions, reading, subjects
from sharehub.privacy.receipt import CONTENT_SECURITY_POLICY, consent_receipt
from sharehub.privacy.schemas import (
    ConsentCreate,
    ConsentList,
    ConsentStateView,
    ConsentView,
    NamesCheck,
    NamesFound,
    OverrideCreate,
    OverrideList,
    OverrideReview,
    OverrideView,
    SharingDecisionCreate,
    SharingDecisionList,
    SharingDecisionView,
    SubjectCreate,
    SubjectList,
    SubjectSearch,
    SubjectUpdate,
    SubjectView,
    WithdrawalCreate,
)
from sharehub.protocols.terms import Purpose
from sharehub.web.params import Gate, IfMatch, Session
from sharehub.web.problems import problem_responses
from sharehub.web.versions import etag, expected_version

SubjectId = Annotated[uuid.UUID, PathParameter(description="The subject's id")]
ConsentId = Annotated[uuid.UUID, PathParameter(description="The consent receipt's id")]
DecisionId = Annotated[uuid.UUID, PathParameter(description="The sharing decision's id")]
OverrideId = Annotated[uuid.UUID, PathParameter(description="The override's id")]


def _actor(request: Request) -> Principal:
    return request.user  # type: ignore[no-any-return]


def _tagged(view: SubjectView, status_code: int = 200, **headers: str) -> Response[SubjectView]:
    return Response(view, status_code=status_code, headers={"ETag": etag(view.version), **headers})


class SubjectController(Controller):
    path = "/api/subjects"
    tags = ["Subjects and consent"]

    @post(
        "/",
        operation_id="RecordSubject",
        opt={"action": "subject:create"},
        summary="Record a person (or household, business, group) your agency knows",
        responses=problem_responses(400, 422),
    )
    async def create(
        self, request: Request, gate: Gate, db_session: Session, data: JSONBody[SubjectCreate]
    ) -> Response[SubjectView]:
        view = await subjects.create_subject(db_session, _actor(request), data, gate)
        return _tagged(view, 201, Location=f"{self.path}/{view.id}")

    @post(
        "/search",
        operation_id="SearchSubjects",
        opt={"action": "subject:read"},
        summary="Find your agency's subjects by exact identifiers (sent in the body)",
        status_code=200,
        responses=problem_responses(400, 422),
    )
    async def search(
        self, request: Request, gate: Gate, db_session: Session, data: JSONBody[SubjectSearch]
    ) -> SubjectList:
        found = await subjects.search_subjects(db_session, _actor(request), data, gate)
        return SubjectList(items=found)

    @post(
        "/names-in-text",
        operation_id="NamesInText",
        opt={"action": "subject:read"},
        summary="Names in text you are writing that the record does not link yet",
        description=(
            "Send the text and the subjects the record links; the hub answers with each "
            "other name it finds, your agency's records of that name to link, or a "
            "suggestion to record the person. Linking is what lets the disclosure gate "
            "protect them when another agency reads the text."
        ),
        status_code=200,
        responses=problem_responses(400),
    )
    async def names_in_text(
        self, request: Request, gate: Gate, db_session: Session, data: JSONBody[NamesCheck]
    ) -> NamesFound:
        return await reading.names_in_text(db_session, gate, _actor(request), data)

    @get(
        "/{subject_id:str}",
        operation_id="GetSubject",
        opt={"action": "subject:read"},
        summary="A subject: in full for the holding agency, through the disclosure gate for others",
        description=(
            "Another agency names the purpose it is looking for; each identity field is shown "
            "or withheld as consent, sharing decisions and the protocols say, and the view is "
            "recorded as a disclosure."
        ),
        responses=problem_responses(400, 404),
    )
    async def read(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        subject_id: SubjectId,
        purpose: Annotated[Purpose | None, QueryParameter(required=False)] = None,
    ) -> Response[SubjectView]:
        return _tagged(
            await reading.subject_view(db_session, gate, _actor(request), subject_id, purpose)
        )

    @patch(
        "/{subject_id:str}",
        operation_id="CorrectSubject",
        opt={"action": "subject:update"},
        summary="Correct a subject's details (holding agency, with If-Match)",
        responses=problem_responses(400, 404, 412, 422, 428),
    )
    async def update(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        subject_id: SubjectId,
        data: JSONBody[SubjectUpdate],
        if_match: IfMatch = None,
    ) -> Response[SubjectView]:
        view = await subjects.update_subject(
            db_session,
            _actor(request),
            subject_id,
            expected_version(if_match),
            data,
            gate,
        )
        return _tagged(view)

    # --- consent ---------------------------------------------------------------

    @post(
        "/{subject_id:str}/consents",
        operation_id="RecordConsent",
        opt={"action": "consent:record"},
        summary="Record a consent receipt",
        responses=problem_responses(400, 404, 422),
    )
    async def record_consent(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        subject_id: SubjectId,
        data: JSONBody[ConsentCreate],
    ) -> Response[ConsentView]:
        view = await consents.record_consent(db_session, _actor(request), subject_id, data, gate)
        return Response(view, status_code=201, headers={"Location": view.receipt})

    @get(
        "/{subject_id:str}/consents",
        operation_id="ListConsents",
        opt={"action": "consent:read"},
        summary="Every consent receipt for a subject, with its status (history kept)",
        responses=problem_responses(400, 404),
    )
    async def list_consents(
        self, request: Request, gate: Gate, db_session: Session, subject_id: SubjectId
    ) -> ConsentList:
        items = await consents.list_consents(db_session, _actor(request), subject_id, gate)
        return ConsentList(items=items)

    @post(
        "/{subject_id:str}/consents/{consent_id:str}/withdrawal",
        operation_id="WithdrawConsent",
        opt={"action": "consent:withdraw"},
        summary="Record that consent is withdrawn (takes effect at once)",
        status_code=200,
        responses=problem_responses(400, 404, 409),
    )
    async def withdraw(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        subject_id: SubjectId,
        consent_id: ConsentId,
        data: JSONBody[WithdrawalCreate],
    ) -> ConsentView:
        return await consents.withdraw_consent(
            db_session, _actor(request), subject_id, consent_id, data, gate
        )

    @get(
        "/{subject_id:str}/consents/{consent_id:str}/receipt",
        operation_id="ConsentReceipt",
        opt={"action": "consent:read"},
        summary="A printable consent receipt for the subject (marked OFFICIAL-SENSITIVE)",
        media_type=MediaType.HTML,
        responses=problem_responses(400, 404),
    )
    async def receipt(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        subject_id: SubjectId,
        consent_id: ConsentId,
    ) -> Response[Rendered]:
        html = await consent_receipt(db_session, _actor(request), gate, subject_id, consent_id)
        return Response(
            html,
            media_type=MediaType.HTML,
            headers={
                "content-security-policy": CONTENT_SECURITY_POLICY,
                "Content-Disposition": f'inline; filename="consent-receipt-{consent_id}.html"',
            },
        )

    @get(
        "/{subject_id:str}/consent-state",
        operation_id="ConsentState",
        opt={"action": "consent:read"},
        summary="What one agency would see of this subject for one purpose, and why",
        responses=problem_responses(400, 404),
    )
    async def consent_state(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        subject_id: SubjectId,
        agency_id: Annotated[uuid.UUID, QueryParameter(description="The viewing agency")],
        purpose: Annotated[Purpose, QueryParameter()],
    ) -> ConsentStateView:
        return await reading.consent_state(
            db_session, gate, _actor(request), subject_id, agency_id, purpose
        )

    # --- sharing decisions and overrides ---------------------------------------------

    @post(
        "/{subject_id:str}/sharing-decisions",
        operation_id="RecordSharingDecision",
        opt={"action": "sharing-decision:record"},
        summary="Record a decision that identity may be shared without consent",
        responses=problem_responses(400, 404, 422),
    )
    async def record_decision(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        subject_id: SubjectId,
        data: JSONBody[SharingDecisionCreate],
    ) -> Response[SharingDecisionView]:
        view = await decisions.record_sharing_decision(
            db_session, _actor(request), subject_id, data, gate
        )
        return Response(view, status_code=201)

    @get(
        "/{subject_id:str}/sharing-decisions",
        operation_id="ListSharingDecisions",
        opt={"action": "consent:read"},
        summary="Sharing decisions recorded for a subject",
        responses=problem_responses(400, 404),
    )
    async def list_decisions(
        self, request: Request, gate: Gate, db_session: Session, subject_id: SubjectId
    ) -> SharingDecisionList:
        items = await decisions.list_sharing_decisions(
            db_session, _actor(request), subject_id, gate
        )
        return SharingDecisionList(items=items)

    @post(
        "/{subject_id:str}/sharing-decisions/{decision_id:str}/revocation",
        operation_id="RevokeSharingDecision",
        opt={"action": "sharing-decision:record"},
        summary="Revoke a sharing decision (takes effect at once)",
        status_code=200,
        responses=problem_responses(400, 404, 409),
    )
    async def revoke_decision(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        subject_id: SubjectId,
        decision_id: DecisionId,
    ) -> SharingDecisionView:
        return await decisions.revoke_sharing_decision(
            db_session, _actor(request), subject_id, decision_id, gate
        )

    @post(
        "/{subject_id:str}/safeguarding-overrides",
        operation_id="SafeguardingOverride",
        opt={"action": "identity:override"},
        summary="Reveal a withheld identity to yourself for a limited time (break glass)",
        description=(
            "Needs a written justification; the override is recorded, audited and placed in "
            "the data protection officers' review queue."
        ),
        responses=problem_responses(400, 404, 409),
    )
    async def override(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        subject_id: SubjectId,
        data: JSONBody[OverrideCreate],
    ) -> Response[OverrideView]:
        view = await reading.raise_override(db_session, gate, _actor(request), subject_id, data)
        return Response(view, status_code=201)


class OverrideReviewController(Controller):
    path = "/api/safeguarding-overrides"
    tags = ["Subjects and consent"]

    @get(
        "/",
        operation_id="ListOverrides",
        opt={"action": "override:review"},
        summary="Safeguarding overrides on your agency's subjects or by its staff (DPO queue)",
        responses=problem_responses(400),
    )
    async def list(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        awaiting_review: Annotated[bool | None, QueryParameter(required=False)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> OverrideList:
        rows, total = await decisions.list_overrides(
            db_session,
            _actor(request),
            awaiting_review=awaiting_review,
            limit=limit,
            offset=offset,
        )
        items = await reading.override_views(db_session, gate, _actor(request), rows)
        return OverrideList(items=items, total=total)

    @post(
        "/{override_id:str}/review",
        operation_id="ReviewOverride",
        opt={"action": "override:review"},
        summary="Record the data protection officer's review of an override",
        status_code=200,
        responses=problem_responses(400, 404, 409),
    )
    async def review(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        override_id: OverrideId,
        data: JSONBody[OverrideReview],
    ) -> OverrideView:
        override = await decisions.review_override(
            db_session, _actor(request), override_id, data, gate
        )
        [view] = await reading.override_views(db_session, gate, _actor(request), [override])
        return view
