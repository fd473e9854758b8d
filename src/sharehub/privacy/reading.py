"""How subjects, their consent state and safeguarding overrides are read,
each through the disclosure gate: the holding agency in full, another agency
only where a protocol in force connects the two for the purpose it names
(otherwise 404, as for no subject), with the view recorded as a disclosure."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.agencies.models import Agency
from sharehub.crypto import open_field
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import (
    SubjectInRecord,
    Viewer,
    disclose,
    lawful_route_exists,
    plan,
    planned_person,
)
from sharehub.errors import Conflict, NotFound
from sharehub.identity.principal import Principal
from sharehub.privacy import decisions, recognition
from sharehub.privacy.identity import unseal
from sharehub.privacy.models import SafeguardingOverride, Subject
from sharehub.privacy.redaction import own_text
from sharehub.privacy.schemas import (
    ConsentStateView,
    HeldMatch,
    NameInText,
    NamesCheck,
    NamesFound,
    OverrideCreate,
    OverrideView,
    SubjectView,
)
from sharehub.privacy.subjects import KIND, held_subject, holding_view, id_for_reference
from sharehub.protocols.engine import SubjectRole
from sharehub.protocols.terms import Purpose


def _viewer(actor: Principal) -> Viewer:
    return Viewer(actor.agency_id, actor.user_id)


async def reachable_subject(
    db: AsyncSession, gate: GateContext, actor: Principal, subject_id: uuid.UUID, purpose: Purpose
) -> Subject:
    """A subject another agency may look at for this purpose: a protocol in
    force connects the agencies for it. Otherwise 404, as for no subject."""
    subject = await db.get(Subject, subject_id)
    if subject is None:
        raise NotFound(KIND)
    planned = await plan(
        db,
        gate,
        viewer=_viewer(actor),
        purpose=purpose,
        subjects=[SubjectInRecord(subject, SubjectRole(subject.role))],
    )
    if not lawful_route_exists(planned):
        raise NotFound(KIND)
    return subject


async def subject_view(
    db: AsyncSession,
    gate: GateContext,
    actor: Principal,
    subject_id: uuid.UUID,
    purpose: Purpose | None,
) -> SubjectView:
    subject = await db.get(Subject, subject_id)
    if subject is not None and subject.holding_agency_id == actor.agency_id:
        return holding_view(subject, unseal(subject, gate.cipher), actor.agency_id)
    if purpose is None:
        raise NotFound(KIND)
    subject = await reachable_subject(db, gate, actor, subject_id, purpose)
    gated = await disclose(
        db,
        gate,
        viewer=_viewer(actor),
        purpose=purpose,
        subjects=[SubjectInRecord(subject, SubjectRole(subject.role))],
        context_kind="subject",
        context_id=subject.id,
    )
    return SubjectView(
        id=subject.id,
        reference=subject.reference,
        version=subject.version,
        holding_agency_id=subject.holding_agency_id,
        kind=subject.kind,  # type: ignore[arg-type]
        role=SubjectRole(subject.role),
        person=gated.people[0],
        created_at=subject.created_at,
    )


async def subject_view_by_reference(
    db: AsyncSession,
    gate: GateContext,
    actor: Principal,
    reference: str,
    purpose: Purpose | None,
) -> SubjectView:
    """``subject_view`` for the reference people use ("PER-2026-0042"): the
    holding agency in full, another agency through the gate for the purpose it
    names (recorded as a disclosure), and 404 alike for no such subject and
    one no protocol lets the viewer see."""
    subject_id = await id_for_reference(db, reference)
    return await subject_view(db, gate, actor, subject_id, purpose)


async def raise_override(
    db: AsyncSession,
    gate: GateContext,
    actor: Principal,
    subject_id: uuid.UUID,
    data: OverrideCreate,
) -> OverrideView:
    """A safeguarding override on another agency's subject, where a protocol in
    force connects the agencies for the purpose; the holding agency's own staff
    never need one (409)."""
    subject = await db.get(Subject, subject_id)
    if subject is not None and subject.holding_agency_id == actor.agency_id:
        raise Conflict("your agency holds this subject: its identity is not withheld from you")
    subject = await reachable_subject(db, gate, actor, subject_id, data.purpose)
    override = await decisions.record_override(db, actor, subject, data, gate)
    [view] = await override_views(db, gate, actor, [override])
    return view


async def consent_state(
    db: AsyncSession,
    gate: GateContext,
    actor: Principal,
    subject_id: uuid.UUID,
    agency_id: uuid.UUID,
    purpose: Purpose,
) -> ConsentStateView:
    """What that agency would see, shown to the holder (nothing leaves the holder)."""
    subject = await held_subject(db, actor, subject_id)
    if await db.get(Agency, agency_id) is None:
        raise NotFound("agency")
    role = SubjectRole(subject.role)
    [planned] = await plan(
        db,
        gate,
        viewer=Viewer(agency_id),
        purpose=purpose,
        subjects=[SubjectInRecord(subject, role)],
    )
    return ConsentStateView(
        subject_id=subject.id,
        agency_id=agency_id,
        purpose=purpose,
        consent=planned.consent,
        covering_consents=planned.covering_consents,
        categories_covered=planned.covered_categories,
        would_see=planned_person(subject.id, role, subject.kind, planned.identity, planned.shown),
        decisions=planned.decisions,
    )


async def override_views(
    db: AsyncSession,
    gate: GateContext,
    actor: Principal,
    overrides: Sequence[SafeguardingOverride],
) -> list[OverrideView]:
    """Overrides as their reader may see them: the justification and review note
    are free text about a subject, so they pass the gate like any other (the
    overriding agency's DPO reads them once the override has lapsed, too)."""
    views = []
    for override in overrides:
        subject = await db.get(Subject, override.subject_id)
        assert subject is not None  # a foreign key
        gated = await disclose(
            db,
            gate,
            viewer=_viewer(actor),
            purpose=Purpose(override.purpose),
            subjects=[SubjectInRecord(subject, SubjectRole(subject.role))],
            texts={
                "justification": open_field(gate.cipher, override, "justification"),
                "review_note": open_field(gate.cipher, override, "review_note"),
            },
            texts_held_by={"justification": override.agency_id},
            context_kind="safeguarding_override",
            context_id=override.id,
        )
        views.append(
            decisions.override_view(
                override, gate.now, gated.texts["justification"], gated.texts["review_note"]
            )
        )
    return views


LINK = "Link them to the record so the hub can protect their identity."
RECORD = "Record them as a person, with their role, and link them to the record."


async def names_in_text(
    db: AsyncSession, gate: GateContext, actor: Principal, data: NamesCheck
) -> NamesFound:
    """Names in text being written that the record does not link: the writer's
    agency's own records of each (to link), or none (to record). Only the
    writer's agency's subjects are looked at, so nothing of another agency's
    is revealed."""
    linked = []
    for subject_id in dict.fromkeys(data.linked):
        subject = await db.get(Subject, subject_id)
        if subject is not None and subject.holding_agency_id == actor.agency_id:
            linked.append((subject.id, unseal(subject, gate.cipher)))
    found = await recognition.names_in(
        db, gate.index, data.text, agency_id=actor.agency_id, linked=linked
    )
    names = []
    for name in found:
        held = [s for s in [await db.get(Subject, i) for i in name.held] if s is not None]
        names.append(
            NameInText(
                text=own_text(actor.agency_id, actor.agency_id, name.text),  # type: ignore[arg-type]
                start=name.start,
                end=name.end,
                held=[
                    HeldMatch(
                        subject_id=s.id,
                        person=holding_view(s, unseal(s, gate.cipher), actor.agency_id).person,
                    )
                    for s in held
                ],
                suggestion=LINK if held else RECORD,
            )
        )
    return NamesFound(names=names)
