"""Disclosure checks: the engine's answer for a real pair of agencies, recorded."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.agencies.service import get_agency
from sharehub.agencies.types import AgencyType
from sharehub.audit.events import AuditEvent
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.schemas import DisclosureCheckAnswer, DisclosureCheckRequest
from sharehub.errors import BadRequest, Conflict
from sharehub.protocols.engine import AgencyRef, DisclosureRequest, decide
from sharehub.protocols.service import terms_in_force


async def check_disclosure(
    db: AsyncSession,
    gate: GateContext,
    *,
    discloser_agency_id: uuid.UUID,
    asked_by: uuid.UUID,
    question: DisclosureCheckRequest,
) -> DisclosureCheckAnswer:
    rules, audit, today = gate.rules, gate.audit, gate.today
    if not question.categories:
        raise BadRequest("name at least one category of data", field="categories")
    if question.recipient_agency_id == discloser_agency_id:
        raise BadRequest(
            "sharing within your own agency is not a disclosure", field="recipient_agency_id"
        )
    discloser = await get_agency(db, discloser_agency_id)
    recipient = await get_agency(db, question.recipient_agency_id)
    if not recipient.active:
        raise Conflict("the recipient agency is deactivated", field="recipient_agency_id")
    day = question.on or today
    request = DisclosureRequest(
        discloser=AgencyRef(discloser.id, AgencyType(discloser.agency_type)),
        recipient=AgencyRef(recipient.id, AgencyType(recipient.agency_type)),
        purpose=question.purpose,
        categories=tuple(question.categories),
        subject_role=question.subject_role,
        consent=question.consent,
        consent_covers_recipient=question.consent_covers_recipient,
        high_risk_of_serious_harm=question.high_risk_of_serious_harm,
        consent_would_prejudice=question.consent_would_prejudice,
        on=day,
    )
    decision = decide(request, await terms_in_force(db, day), rules)
    check_id = uuid.uuid4()
    await audit.record(
        db=db,
        event=AuditEvent(
            kind="disclosure_checked",
            at=gate.now,
            user_id=asked_by,
            agency_id=discloser.id,
            reason=decision.outcome,
            details={
                "check_id": str(check_id),
                "recipient_agency_id": str(recipient.id),
                "purpose": question.purpose.value,
                "categories": [c.value for c in question.categories],
                "outcome": decision.outcome,
                "gateway": decision.gateway,
                "protocol_id": str(decision.protocol_id) if decision.protocol_id else None,
                "protocol_version": decision.protocol_version,
                "rules_version": decision.rules_version,
            },
        ),
    )
    return DisclosureCheckAnswer(
        check_id=check_id,
        discloser_agency_id=discloser.id,
        recipient_agency_id=recipient.id,
        decision=decision,
    )
