"""HTTP routes for the audit ledger: signed checkpoints and inclusion proofs."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated, Literal

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import PathParameter, QueryParameter
from litestar.response import Stream

from sharehub.audit import reports, service
from sharehub.audit.checkpoints import ExportedCheckpoint
from sharehub.audit.events import AuditEvent
from sharehub.audit.service import InclusionProof
from sharehub.calendar import local_today
from sharehub.db.base import utcnow
from sharehub.errors import BadRequest
from sharehub.web.params import Session
from sharehub.web.problems import problem_responses

Seq = Annotated[int, PathParameter(ge=0, le=2**62, description="The entry's position")]


class LedgerController(Controller):
    path = "/api/audit"
    tags = ["Audit"]

    @post(
        "/checkpoints",
        operation_id="SignCheckpoint",
        opt={"action": "audit:checkpoint"},
        summary="Sign the ledger as it stands, to keep as a witness",
        description=(
            "Answers the signed size and root of the ledger now (a new checkpoint if it has "
            "grown since the last). A partner agency keeps it; `sharehub audit verify --witness` "
            "later proves the ledger still holds exactly that history."
        ),
        status_code=200,
    )
    async def checkpoint(self, state: State, db_session: Session) -> ExportedCheckpoint:
        return await service.latest_checkpoint(db_session, state.ledger_signer)

    @get(
        "/entries/{seq:int}/proof",
        operation_id="InclusionProof",
        opt={"action": "audit:read"},
        summary="Proof that one ledger entry is in the signed tree",
        responses=problem_responses(400, 404),
    )
    async def proof(
        self, request: Request, state: State, db_session: Session, seq: Seq
    ) -> InclusionProof:
        return await service.inclusion_proof(
            db_session, state.ledger_signer, seq, request.user.agency_id
        )


Day = Annotated[date | None, QueryParameter(required=False, description="Local date, inclusive")]
Id = Annotated[uuid.UUID | None, QueryParameter(required=False)]


class AuditReportController(Controller):
    path = "/api/audit"
    tags = ["Audit"]

    @get(
        "/disclosures",
        operation_id="DisclosureAudit",
        opt={"action": "audit:read"},
        summary="Disclosures your agency made or received, filtered, with totals",
        responses=problem_responses(400),
    )
    async def disclosures(
        self,
        request: Request,
        db_session: Session,
        discloser_agency_id: Id = None,
        recipient_agency_id: Id = None,
        protocol_id: Id = None,
        user_id: Id = None,
        gateway: Annotated[str | None, QueryParameter(max_length=60, required=False)] = None,
        purpose: Annotated[str | None, QueryParameter(max_length=40, required=False)] = None,
        period_from: Day = None,
        period_to: Day = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=10_000_000)] = 0,
    ) -> reports.DisclosureAudit:
        if period_from and period_to and period_to < period_from:
            raise BadRequest("the period ends before it starts", field="period_to")
        chosen = reports.DisclosureFilter(
            discloser_agency_id=discloser_agency_id,
            recipient_agency_id=recipient_agency_id,
            protocol_id=protocol_id,
            gateway=gateway,
            purpose=purpose,
            user_id=user_id,
            period_from=period_from,
            period_to=period_to,
        )
        return await reports.disclosure_audit(
            db_session, request.user.agency_id, chosen, limit=limit, offset=offset
        )

    @get(
        "/consents",
        operation_id="ConsentAudit",
        opt={"action": "audit:read"},
        summary="Consents recorded, withdrawn and expiring; overrides and their review",
        responses=problem_responses(400),
    )
    async def consents(
        self,
        request: Request,
        db_session: Session,
        period_from: Day = None,
        period_to: Day = None,
        expiring_within_days: Annotated[int, QueryParameter(ge=1, le=366)] = 30,
    ) -> reports.ConsentAudit:
        end = period_to or local_today()
        start = period_from or end - timedelta(days=365)
        if end < start:
            raise BadRequest("the period ends before it starts", field="period_to")
        return await reports.consent_audit(
            db_session,
            request.user.agency_id,
            period_from=start,
            period_to=end,
            expiring_within_days=expiring_within_days,
            now=utcnow(),
        )

    @get(
        "/subject-access/{subject_id:str}",
        operation_id="SubjectAccessExport",
        opt={"action": "audit:subject-access"},
        summary="Everything disclosed about one subject, as JSON or CSV (streamed)",
        responses=problem_responses(400, 404),
    )
    async def subject_access(
        self,
        request: Request,
        state: State,
        db_session: Session,
        subject_id: Annotated[uuid.UUID, PathParameter(description="The subject's id")],
        format: Annotated[Literal["json", "csv"], QueryParameter()] = "json",
    ) -> Stream:
        await reports.check_subject_access(db_session, request.user.agency_id, subject_id)
        await state.audit_events.record(
            db=db_session,
            event=AuditEvent(
                kind="subject_access_exported",
                at=utcnow(),
                user_id=request.user.id,
                agency_id=request.user.agency_id,
                subject_id=subject_id,
                reason=format,
            ),
        )

        async def body():  # type: ignore[no-untyped-def]
            # Its own read-only session: the stream outlives the request's transaction.
            async with state.session_factory() as db:
                async for chunk in reports.subject_access_export(db, subject_id, format):
                    yield chunk

        media = "text/csv; charset=utf-8" if format == "csv" else "application/json"
        return Stream(
            body(),
            media_type=media,
            headers={
                "Content-Disposition": (
                    f'attachment; filename="subject-access-{subject_id}.{format}"'
                )
            },
        )
