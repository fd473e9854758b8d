"""Preparation: before the meeting each invited agency adds, per case, what it
holds. Reading a case, with everyone's contributions, is a disclosure through
the gate for the meeting's purpose: an agency sees another agency's
contribution only where a protocol in force connects the two, and the people
in it only as the lawful-basis engine, consent and decisions allow.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.agencies.models import Agency
from sharehub.crypto import open_field, seal_field
from sharehub.db.base import new_id
from sharehub.db.changes import check_version, write_changes
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import SubjectInRecord, Viewer, disclose, sharing_partners
from sharehub.disclosure.gated import GatedText
from sharehub.errors import Conflict, Forbidden, NotFound, Unprocessable, VersionRequired
from sharehub.identity.principal import Principal
from sharehub.meetings.cases import (  # linked_subjects, contributions_to: also minutes', actions'
    CaseMaterial,
    contributions_to,
    linked_subjects,
    material_of,
)
from sharehub.meetings.models import AgendaItem, Contribution, ContributionSubject, Meeting
from sharehub.meetings.schemas import CaseView, ContributionIn, ContributionView
from sharehub.meetings.service import invited, kind_of
from sharehub.privacy.models import Subject
from sharehub.privacy.redaction import PersonView
from sharehub.privacy.subjects import held_subject_errors
from sharehub.protocols.engine import SubjectRole

CONTRIBUTION = "contribution"


async def item_of(db: AsyncSession, meeting: Meeting, item_id: uuid.UUID) -> AgendaItem:
    item = await db.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise NotFound("agenda item")
    return item


async def contribute(
    db: AsyncSession,
    actor: Principal,
    meeting: Meeting,
    item: AgendaItem,
    data: ContributionIn,
    version: int | None,
    gate: GateContext,
) -> Contribution:
    """Add or replace the actor's agency's contribution to one case."""
    if not invited(meeting, actor.agency_id):
        raise Forbidden("only agencies invited to the meeting prepare for it")
    if meeting.status != "scheduled":
        raise Conflict(f"the meeting is {meeting.status}; preparation is before it")
    errors: list[tuple[str, str]] = []
    if data.last_contact_on is not None and data.last_contact_on > gate.today:
        errors.append(("last_contact_on", "cannot be in the future"))
    ids = [link.subject_id for link in data.subjects]
    errors += await held_subject_errors(db, actor.agency_id, ids)
    if errors:
        raise Unprocessable(errors)
    existing = await db.scalar(
        select(Contribution).where(
            Contribution.item_id == item.id, Contribution.agency_id == actor.agency_id
        )
    )
    if existing is None:
        if version is not None:
            raise Conflict("your agency has not contributed to this case yet; send no If-Match")
        contribution = Contribution(
            id=new_id(), meeting_id=meeting.id, item_id=item.id, agency_id=actor.agency_id
        )
        db.add(contribution)
    else:
        if version is None:
            raise VersionRequired()
        check_version(existing, version, CONTRIBUTION)
        contribution = existing
    contribution.author_id = actor.user_id
    contribution.known_to_agency = data.known_to_agency
    contribution.last_contact_on = data.last_contact_on
    contribution.risks = sorted(set(data.risks))
    contribution.subjects = [
        ContributionSubject(subject_id=link.subject_id, role=link.role.value, position=i)
        for i, link in enumerate(data.subjects)
    ]
    seal_field(gate.cipher, contribution, "information", data.information)
    await write_changes(db, CONTRIBUTION, _raced)
    return contribution


def _raced(_: IntegrityError) -> Conflict:
    return Conflict("your agency's contribution was changed at the same time; fetch it again")


def references_of(materials: Iterable[CaseMaterial | None]) -> dict[str, Any]:
    """The restricted references the cases' records hold, and who may see them,
    as the gate takes them (``held_references``, ``references_shown``): every
    MAPPA referral's own PNC ID, CRN and ViSOR reference (each case's, where
    the view holds several, as minutes do), found in every text of the view in
    any spelling. Without them the gate still withholds references by their
    form from agencies not entitled to them."""
    held: dict[str, list[str]] = {}
    shown: bool | None = None
    for material in materials:
        if material is None:
            continue
        for kind, value in material.held_references.items():
            if value and value not in held.setdefault(kind, []):
                held[kind].append(value)
        if material.references_shown is not None:
            # Several cases: shown only where every one of them allows it.
            shown = (
                material.references_shown if shown is None else shown and material.references_shown
            )
    return {"held_references": held or None, "references_shown": shown}


async def case_for(
    db: AsyncSession,
    viewer: Viewer,
    meeting: Meeting,
    item: AgendaItem,
    *,
    partners: frozenset[uuid.UUID],
    agency_names: dict[uuid.UUID, str],
    context_kind: str,
    gate: GateContext,
) -> CaseView:
    """One case with every contribution, as the viewer's agency may see it."""
    material = await material_of(db, item.source, item.source_id, gate)
    base = {
        "item_id": item.id,
        "position": item.position,
        "source": item.source,
        "source_id": item.source_id,
    }
    if material is None:
        raise NotFound("case")
    if material.holder_agency_id is not None and material.holder_agency_id not in partners:
        return CaseView(
            **base,
            reference=material.reference,
            holder_agency_id=material.holder_agency_id,
            withheld="no information sharing protocol in force connects your agency with the "
            f"agency that holds this case for {kind_of(meeting).purpose.value}",
            people=[],
            texts={},
            facts={},
            contributions=[],
        )
    contributions = [c for c in await contributions_to(db, [item.id]) if c.agency_id in partners]
    subjects = await linked_subjects(db, [material], contributions)
    texts = dict(material.texts)
    texts |= {
        f"{CONTRIBUTION}:{c.id}": open_field(gate.cipher, c, "information") for c in contributions
    }
    # Who wrote each text: the case's holder (an action's wording, the meeting's
    # organisers: nobody's own), and each contributing agency its notes.
    written_by = {
        name: material.holder_agency_id
        for name in material.texts
        if material.holder_agency_id is not None and item.source != "action"
    }
    written_by |= {f"{CONTRIBUTION}:{c.id}": c.agency_id for c in contributions}
    gated = await disclose(
        db,
        gate,
        viewer=viewer,
        purpose=kind_of(meeting).purpose,
        subjects=list(subjects.values()),
        texts=texts,
        texts_held_by=written_by,
        context_kind=context_kind,
        context_id=meeting.id,
        **references_of([material]),
    )
    people = {p.subject_id: p for p in gated.people}
    return CaseView(
        **base,
        reference=material.reference,
        holder_agency_id=material.holder_agency_id,
        withheld=None,
        people=[people[s.subject.id] for s in material.subjects],
        texts={name: gated.texts[name] for name in material.texts},
        facts=_named_owner(material.facts, agency_names),
        contributions=[
            _contribution_view(
                c,
                agency_names,
                gated.texts[f"{CONTRIBUTION}:{c.id}"],
                [people[link.subject_id] for link in c.subjects],
            )
            for c in contributions
        ],
    )


async def own_contribution(
    db: AsyncSession,
    viewer: Viewer,
    meeting: Meeting,
    contribution: Contribution,
    *,
    agency_names: dict[uuid.UUID, str],
    gate: GateContext,
) -> ContributionView:
    """The contributing agency's own contribution, as written (nothing leaves it)."""
    subjects = [
        SubjectInRecord(s, SubjectRole(link.role))
        for link in contribution.subjects
        if (s := await db.get(Subject, link.subject_id)) is not None
    ]
    gated = await disclose(
        db,
        gate,
        viewer=viewer,
        purpose=kind_of(meeting).purpose,
        subjects=subjects,
        texts={"information": open_field(gate.cipher, contribution, "information")},
        texts_held_by=contribution.agency_id,
        context_kind="meeting_case",
        context_id=meeting.id,
    )
    return _contribution_view(contribution, agency_names, gated.texts["information"], gated.people)


def _contribution_view(
    contribution: Contribution,
    agency_names: dict[uuid.UUID, str],
    information: GatedText | None,
    people: list[PersonView],
) -> ContributionView:
    """A contribution with its text and people as the gate rendered them."""
    return ContributionView(
        id=contribution.id,
        version=contribution.version,
        agency_id=contribution.agency_id,
        agency_name=agency_names.get(contribution.agency_id, ""),
        known_to_agency=contribution.known_to_agency,
        last_contact_on=contribution.last_contact_on,
        risks=list(contribution.risks),
        information=information,
        people=people,
    )


def _named_owner(facts: dict[str, str], names: dict[uuid.UUID, str]) -> dict[str, str]:
    """An action's owner by the agency's name rather than its id."""
    owner = facts.get("Owner")
    if owner is None:
        return facts
    try:
        return facts | {"Owner": names.get(uuid.UUID(owner), owner)}
    except ValueError:
        return facts


async def agency_names(db: AsyncSession) -> dict[uuid.UUID, str]:
    return dict((await db.execute(select(Agency.id, Agency.name))).all())  # type: ignore[arg-type]


async def meeting_partners(
    db: AsyncSession, meeting: Meeting, agency_id: uuid.UUID, gate: GateContext
) -> frozenset[uuid.UUID]:
    return await sharing_partners(db, agency_id, kind_of(meeting).purpose, gate.today)
