"""Evidence from partners: a case officer asks a partner agency for
information about an ASB case, and the partner answers in the hub.

Both directions are disclosures. The question (the landlord's words about its
case) reaches the partner, and the answer (the partner's words) reaches the
landlord, only through the disclosure gate (``disclosure/records.py``): only
where a protocol in force connects the two for managing ASB cases, with the
case's people shown as the gate allows the reader, people the hub holds but
the case does not link withheld, and every read by the other agency recorded.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.agencies.models import Agency
from sharehub.crypto import open_field, seal_field
from sharehub.db.base import new_id, utcnow
from sharehub.db.changes import write_changes
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import SubjectInRecord
from sharehub.disclosure.records import connected, gated_record
from sharehub.errors import Conflict, NotFound, Unprocessable
from sharehub.identity.principal import Principal
from sharehub.protocols.terms import Purpose
from sharehub.referrals.asb import attachments, cases
from sharehub.referrals.asb.case_schemas import (
    CaseDisclosureIn,
    EvidenceAnswerIn,
    EvidenceRequestIn,
    EvidenceRequestView,
)
from sharehub.referrals.asb.models import AsbCase, AsbEvidenceRequest

PURPOSE = Purpose.ASB_CASE_MANAGEMENT
KIND = "evidence request"


async def _names(db: AsyncSession, *ids: uuid.UUID) -> dict[uuid.UUID, str]:
    return dict((await db.execute(select(Agency.id, Agency.name).where(Agency.id.in_(ids)))).all())


async def ask_partner(
    db: AsyncSession,
    actor: Principal,
    case_id: uuid.UUID,
    version: int,
    data: EvidenceRequestIn,
    gate: GateContext,
) -> AsbCase:
    case = await cases.changing(db, actor, case_id, version, "evidence_request")
    errors: list[tuple[str, str]] = []
    if data.due_on < gate.today:
        errors.append(("due_on", "cannot be in the past"))
    errors += await cases.partner_errors(db, data.agency_id, case.agency_id, "agency_id")
    if errors:
        raise Unprocessable(errors)
    if not await connected(db, gate, case.agency_id, data.agency_id, PURPOSE):
        name = (await _names(db, data.agency_id)).get(data.agency_id, "that agency")
        raise Conflict(
            f"no information sharing protocol in force connects your agency with {name} for "
            "managing ASB cases, so it cannot be asked through the hub: ask 'May I share "
            "this?' first",
            field="agency_id",
        )
    count = await db.scalar(
        select(func.count())
        .select_from(AsbEvidenceRequest)
        .where(AsbEvidenceRequest.case_id == case.id)
    )
    request = AsbEvidenceRequest(
        id=new_id(),
        case_id=case.id,
        number=(count or 0) + 1,
        asking_agency_id=case.agency_id,
        agency_id=data.agency_id,
        asked_by=actor.user_id,
        asked_on=gate.today,
        due_on=data.due_on,
        status="asked",
    )
    seal_field(gate.cipher, request, "question", data.question)
    db.add(request)
    case.updated_at = utcnow()
    await write_changes(db, cases.KIND, cases.raced)
    return case


async def tell_partner(
    db: AsyncSession,
    actor: Principal,
    case_id: uuid.UUID,
    version: int,
    data: CaseDisclosureIn,
    gate: GateContext,
) -> AsbCase:
    """The landlord's own disclosure to a partner: the same route as a
    request (a protocol in force for managing ASB cases, or nothing), read by
    the partner only through the gate, each read recorded."""
    case = await cases.changing(db, actor, case_id, version, "share_information")
    await _may_exchange(db, gate, case, data.agency_id, "shared with")
    count = await db.scalar(
        select(func.count())
        .select_from(AsbEvidenceRequest)
        .where(AsbEvidenceRequest.case_id == case.id)
    )
    told = AsbEvidenceRequest(
        id=new_id(),
        case_id=case.id,
        number=(count or 0) + 1,
        kind="disclosure",
        asking_agency_id=case.agency_id,
        agency_id=data.agency_id,
        asked_by=actor.user_id,
        asked_on=gate.today,
        due_on=None,
        status="shared",
    )
    seal_field(gate.cipher, told, "question", data.information)
    db.add(told)
    case.updated_at = utcnow()
    await write_changes(db, cases.KIND, cases.raced)
    return case


async def _may_exchange(
    db: AsyncSession, gate: GateContext, case: AsbCase, agency_id: uuid.UUID, verb: str
) -> None:
    errors = await cases.partner_errors(db, agency_id, case.agency_id, "agency_id")
    if errors:
        raise Unprocessable(errors)
    if not await connected(db, gate, case.agency_id, agency_id, PURPOSE):
        name = (await _names(db, agency_id)).get(agency_id, "that agency")
        raise Conflict(
            f"no information sharing protocol in force connects your agency with {name} for "
            f"managing ASB cases, so nothing can be {verb} them through the hub: ask 'May I "
            "share this?' first",
            field="agency_id",
        )


async def get_request(
    db: AsyncSession, actor: Principal, request_id: uuid.UUID
) -> AsbEvidenceRequest:
    """A request the actor's agency asked or was asked; 404 for anyone else."""
    request = await db.get(AsbEvidenceRequest, request_id)
    if request is None or actor.agency_id not in (request.asking_agency_id, request.agency_id):
        raise NotFound(KIND)
    return request


async def answer(
    db: AsyncSession,
    actor: Principal,
    request_id: uuid.UUID,
    data: EvidenceAnswerIn,
    gate: GateContext,
) -> AsbEvidenceRequest:
    request = await get_request(db, actor, request_id)
    if request.agency_id != actor.agency_id:
        raise NotFound(KIND)  # the asker does not answer its own request
    if request.kind == "disclosure":
        raise Conflict("this is information shared with your agency: there is nothing to answer")
    if request.status != "asked":
        raise Conflict(f"this request is already {request.status}")
    if not await connected(db, gate, request.agency_id, request.asking_agency_id, PURPOSE):
        raise Conflict(
            "the protocol that connected your agencies for managing ASB cases is no longer in "
            "force: the answer cannot be shared through the hub"
        )
    request.status = "declined" if data.declined else "answered"
    seal_field(gate.cipher, request, "answer", data.answer)
    request.answered_by, request.answered_on = actor.user_id, gate.today
    await db.flush()
    return request


async def _subjects(db: AsyncSession, case: AsbCase) -> list[SubjectInRecord]:
    return await attachments.people_of(db, [r.report_id for r in case.reports])


async def view_of(
    db: AsyncSession, actor: Principal, request: AsbEvidenceRequest, gate: GateContext
) -> EvidenceRequestView:
    """Built by the gate for whichever side reads it."""
    case = await db.get(AsbCase, request.case_id)
    assert case is not None
    names = await _names(db, request.asking_agency_id, request.agency_id)
    other = (
        request.agency_id
        if actor.agency_id == request.asking_agency_id
        else (request.asking_agency_id)
    )
    route = await connected(db, gate, actor.agency_id, other, PURPOSE)
    texts = {
        "question": open_field(gate.cipher, request, "question"),
        "answer": open_field(gate.cipher, request, "answer"),
    }
    if not route:
        # No protocol in force between them any more: the other agency's words
        # are withheld; the reader's own still come back as written.
        texts = {
            name: text for name, text in texts.items() if _owner(request, name) == actor.agency_id
        } | {name: None for name in texts if _owner(request, name) != actor.agency_id}
    # The case's documents and images the holder marked shareable, where the
    # rules let this reader see them (attachments.py): their names and
    # descriptions pass the gate with the rest.
    shown = (
        await attachments.visible_in_case(db, gate, actor, case)
        if route and actor.agency_id == request.agency_id
        else []
    )
    for attachment in shown:
        texts |= attachments.texts_of(attachment, gate)
    gated = await gated_record(
        db,
        gate,
        actor=actor,
        purpose=PURPOSE,
        holder_agency_id=request.asking_agency_id,
        subjects=await _subjects(db, case),
        texts=texts,
        written_by={"answer": request.agency_id},
        context_kind="asb_evidence_request",
        context_id=request.id,
    )
    return EvidenceRequestView(
        id=request.id,
        case_reference=case.reference,
        number=request.number,
        asking_agency=names.get(request.asking_agency_id, ""),  # type: ignore[arg-type]
        agency=names.get(request.agency_id, ""),  # type: ignore[arg-type]
        asked_on=request.asked_on,
        due_on=request.due_on,
        kind=request.kind,  # type: ignore[arg-type]
        overdue=request.status == "asked"
        and request.due_on is not None
        and request.due_on < gate.today,
        status=request.status,  # type: ignore[arg-type]
        question=gated.texts["question"],
        answer=gated.texts["answer"],
        answered_on=request.answered_on,
        people=gated.people,
        attachments=await attachments.views(db, shown, gated.texts, gate),
    )


def _owner(request: AsbEvidenceRequest, text: str) -> uuid.UUID:
    return request.agency_id if text == "answer" else request.asking_agency_id


async def requests_of_case(
    db: AsyncSession, actor: Principal, case: AsbCase, gate: GateContext
) -> list[EvidenceRequestView]:
    rows = await db.scalars(
        select(AsbEvidenceRequest)
        .where(AsbEvidenceRequest.case_id == case.id)
        .order_by(AsbEvidenceRequest.number)
    )
    return [await view_of(db, actor, r, gate) for r in rows]


async def inbox(
    db: AsyncSession, actor: Principal, gate: GateContext, *, waiting_only: bool = False
) -> list[EvidenceRequestView]:
    """The requests other agencies have made of the actor's agency."""
    query = select(AsbEvidenceRequest).where(AsbEvidenceRequest.agency_id == actor.agency_id)
    if waiting_only:
        query = query.where(AsbEvidenceRequest.status == "asked")
    rows = await db.scalars(
        query.order_by(AsbEvidenceRequest.due_on.nulls_last(), AsbEvidenceRequest.created_at).limit(
            100
        )
    )
    return [await view_of(db, actor, r, gate) for r in rows]
