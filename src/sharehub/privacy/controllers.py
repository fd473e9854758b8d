"""HTTP routes for subjects, consent, sharing decisions and safeguarding
overrides (thin: parsing, status codes, and handing over to the services).

Every response naming a person is no-store (web/headers.py). Identifiers are
only ever sent in bodies, never in URLs.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, MediaType, Request, Response, get, patch, post
from litestar.datastructures import State
from litestar.params import JSONBody, PathParameter, QueryParameter

from sharehub.agencies.models import Agency
from sharehub.calendar import local_today
from sharehub.crypto import open_field
from sharehub.db.base import utcnow
from sharehub.disclosure.gate import SubjectInRecord, Viewer, disclose, lawful_route_exists, plan
from sharehub.errors import Conflict, NotFound
from sharehub.identity.principal import Principal
from sharehub.privacy import consent as consents
from sharehub.privacy import decisions, subjects
from sharehub.privacy.identity import unseal
from sharehub.privacy.models import SafeguardingOverride, Subject
from sharehub.privacy.receipt import CONTENT_SECURITY_POLICY, render_receipt
from sharehub.privacy.redaction import SubjectInView, person_view, pseudonyms
from sharehub.privacy.schemas import (
    ConsentCreate,
    ConsentList,
    ConsentStateView,
    ConsentView,
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
from sharehub.protocols.engine import SubjectRole
from sharehub.protocols.terms import Purpose
from sharehub.web.params import IfMatch, Session
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


async def _gated_subject(
    request: Request, state: State, db_session: Session, subject_id: uuid.UUID, purpose: Purpose
) -> Subject:
    """A subject another agency may look at for this purpose: a protocol in
    force connects the agencies for it. Otherwise 404, as for no subject."""
    subject = await db_session.get(Subject, subject_id)
    if subject is None:
        raise NotFound(subjects.KIND)
    actor = _actor(request)
    planned = await plan(
        db_session,
        viewer=Viewer(actor.agency_id, actor.user_id),
        purpose=purpose,
        subjects=[SubjectInRecord(subject, SubjectRole(subject.role))],
        cipher=state.cipher,
        rules=state.gateway_rules,
        now=utcnow(),
        today=local_today(),
    )
    if not lawful_route_exists(planned):
        raise NotFound(subjects.KIND)
    return subject


async def _override_views(
    request: Request, state: State, db_session: Session, overrides: list[SafeguardingOverride]
) -> list[OverrideView]:
    """Overrides as their reader may see them: the justification and review note
    are free text about a subject, so they pass the gate like any other (the
    overriding agency's DPO reads them once the override has lapsed, too)."""
    actor, now, today = _actor(request), utcnow(), local_today()
    views = []
    for override in overrides:
        subject = await db_session.get(Subject, override.subject_id)
        assert subject is not None  # a foreign key
        gated = await disclose(
            db_session,
            viewer=Viewer(actor.agency_id, actor.user_id),
            purpose=Purpose(override.purpose),
            subjects=[SubjectInRecord(subject, SubjectRole(subject.role))],
            texts={
                "justification": open_field(state.cipher, override, "justification"),
                "review_note": open_field(state.cipher, override, "review_note"),
            },
            texts_held_by={"justification": override.agency_id},
            context_kind="safeguarding_override",
            context_id=override.id,
            cipher=state.cipher,
            rules=state.gateway_rules,
            audit=state.audit_events,
            now=now,
            today=today,
        )
        views.append(
            decisions.override_view(
                override, now, gated.texts["justification"], gated.texts["review_note"]
            )
        )
    return views


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
        self, request: Request, state: State, db_session: Session, data: JSONBody[SubjectCreate]
    ) -> Response[SubjectView]:
        view = await subjects.create_subject(
            db_session, _actor(request), data, state.cipher, state.blind_index, local_today()
        )
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
        self, request: Request, state: State, db_session: Session, data: JSONBody[SubjectSearch]
    ) -> SubjectList:
        found = await subjects.search_subjects(
            db_session, _actor(request), data, state.cipher, state.blind_index, local_today()
        )
        return SubjectList(items=found)

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
        state: State,
        db_session: Session,
        subject_id: SubjectId,
        purpose: Annotated[Purpose | None, QueryParameter(required=False)] = None,
    ) -> Response[SubjectView]:
        actor = _actor(request)
        subject = await db_session.get(Subject, subject_id)
        if subject is not None and subject.holding_agency_id == actor.agency_id:
            return _tagged(subjects.holding_view(subject, unseal(subject, state.cipher)))
        if purpose is None:
            raise NotFound(subjects.KIND)
        subject = await _gated_subject(request, state, db_session, subject_id, purpose)
        gated = await disclose(
            db_session,
            viewer=Viewer(actor.agency_id, actor.user_id),
            purpose=purpose,
            subjects=[SubjectInRecord(subject, SubjectRole(subject.role))],
            context_kind="subject",
            context_id=subject.id,
            cipher=state.cipher,
            rules=state.gateway_rules,
            audit=state.audit_events,
            now=utcnow(),
            today=local_today(),
        )
        return _tagged(
            SubjectView(
                id=subject.id,
                version=subject.version,
                holding_agency_id=subject.holding_agency_id,
                kind=subject.kind,  # type: ignore[arg-type]
                role=SubjectRole(subject.role),
                person=gated.people[0],
                created_at=subject.created_at,
            )
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
        state: State,
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
            state.cipher,
            state.blind_index,
            local_today(),
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
        state: State,
        db_session: Session,
        subject_id: SubjectId,
        data: JSONBody[ConsentCreate],
    ) -> Response[ConsentView]:
        view = await consents.record_consent(
            db_session,
            _actor(request),
            subject_id,
            data,
            state.cipher,
            state.audit_events,
            utcnow(),
        )
        return Response(view, status_code=201, headers={"Location": view.receipt})

    @get(
        "/{subject_id:str}/consents",
        operation_id="ListConsents",
        opt={"action": "consent:read"},
        summary="Every consent receipt for a subject, with its status (history kept)",
        responses=problem_responses(400, 404),
    )
    async def list_consents(
        self, request: Request, state: State, db_session: Session, subject_id: SubjectId
    ) -> ConsentList:
        items = await consents.list_consents(
            db_session, _actor(request), subject_id, state.cipher, utcnow()
        )
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
        state: State,
        db_session: Session,
        subject_id: SubjectId,
        consent_id: ConsentId,
        data: JSONBody[WithdrawalCreate],
    ) -> ConsentView:
        return await consents.withdraw_consent(
            db_session,
            _actor(request),
            subject_id,
            consent_id,
            data,
            state.cipher,
            state.audit_events,
            utcnow(),
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
        state: State,
        db_session: Session,
        subject_id: SubjectId,
        consent_id: ConsentId,
    ) -> Response[str]:
        actor = _actor(request)
        consent, withdrawal = await consents.get_consent(db_session, actor, subject_id, consent_id)
        subject = await subjects.held_subject(db_session, actor, subject_id)
        now = utcnow()
        view = consents.to_view(consent, withdrawal, state.cipher, now)
        holder = await db_session.get(Agency, subject.holding_agency_id)
        assert holder is not None  # a foreign key
        names, titles = await consents.recipient_names(db_session, view.recipients)
        html = render_receipt(
            view,
            person=unseal(subject, state.cipher).name,
            controller=holder.name,
            controller_contact=f"{holder.ig_contact_name}, {holder.ig_contact_email}",
            agency_names=names,
            protocol_titles=titles,
            issued_at=now,
        )
        return Response(
            html,
            media_type=MediaType.HTML,
            headers={
                "content-security-policy": CONTENT_SECURITY_POLICY,
                "Content-Disposition": f'inline; filename="consent-receipt-{consent.id}.html"',
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
        state: State,
        db_session: Session,
        subject_id: SubjectId,
        agency_id: Annotated[uuid.UUID, QueryParameter(description="The viewing agency")],
        purpose: Annotated[Purpose, QueryParameter()],
    ) -> ConsentStateView:
        actor = _actor(request)
        subject = await subjects.held_subject(db_session, actor, subject_id)
        if await db_session.get(Agency, agency_id) is None:
            raise NotFound("agency")
        role = SubjectRole(subject.role)
        [planned] = await plan(
            db_session,
            viewer=Viewer(agency_id),
            purpose=purpose,
            subjects=[SubjectInRecord(subject, role)],
            cipher=state.cipher,
            rules=state.gateway_rules,
            now=utcnow(),
            today=local_today(),
        )
        in_view = SubjectInView(
            subject_id=subject.id,
            role=role,
            kind=subject.kind,
            identity=planned.identity,
            shown=planned.shown,
        )
        return ConsentStateView(
            subject_id=subject.id,
            agency_id=agency_id,
            purpose=purpose,
            consent=planned.consent,
            covering_consents=planned.covering_consents,
            categories_covered=planned.covered_categories,
            would_see=person_view(in_view, pseudonyms([(subject.id, role)])[subject.id]),
            decisions=planned.decisions,
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
        state: State,
        db_session: Session,
        subject_id: SubjectId,
        data: JSONBody[SharingDecisionCreate],
    ) -> Response[SharingDecisionView]:
        view = await decisions.record_sharing_decision(
            db_session,
            _actor(request),
            subject_id,
            data,
            state.cipher,
            state.audit_events,
            utcnow(),
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
        self, request: Request, state: State, db_session: Session, subject_id: SubjectId
    ) -> SharingDecisionList:
        items = await decisions.list_sharing_decisions(
            db_session, _actor(request), subject_id, state.cipher, utcnow()
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
        state: State,
        db_session: Session,
        subject_id: SubjectId,
        decision_id: DecisionId,
    ) -> SharingDecisionView:
        return await decisions.revoke_sharing_decision(
            db_session,
            _actor(request),
            subject_id,
            decision_id,
            state.cipher,
            state.audit_events,
            utcnow(),
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
        state: State,
        db_session: Session,
        subject_id: SubjectId,
        data: JSONBody[OverrideCreate],
    ) -> Response[OverrideView]:
        actor = _actor(request)
        subject = await db_session.get(Subject, subject_id)
        if subject is not None and subject.holding_agency_id == actor.agency_id:
            raise Conflict("your agency holds this subject: its identity is not withheld from you")
        subject = await _gated_subject(request, state, db_session, subject_id, data.purpose)
        override = await decisions.record_override(
            db_session, actor, subject, data, state.cipher, state.audit_events, utcnow()
        )
        [view] = await _override_views(request, state, db_session, [override])
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
        state: State,
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
        items = await _override_views(request, state, db_session, rows)
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
        state: State,
        db_session: Session,
        override_id: OverrideId,
        data: JSONBody[OverrideReview],
    ) -> OverrideView:
        override = await decisions.review_override(
            db_session,
            _actor(request),
            override_id,
            data,
            state.cipher,
            state.audit_events,
            utcnow(),
        )
        [view] = await _override_views(request, state, db_session, [override])
        return view
