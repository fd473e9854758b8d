"""Minutes: per case, the information shared (with the agency it came from),
the risks identified, the decisions (a MAPPA level among them) and the
actions agreed. A draft is written by the coordinator after the meeting; the
chair's approval locks it, creates the actions, and puts the SHA-256 of its
content in the ledger. A correction is an amendment: a new revision with its
reason, approved in turn.

Minutes go to the agencies present and to no one else without the chair's
recorded agreement (MAPPA Guidance; for MARAC, on behalf of the agencies whose
information they hold). The chair can agree only where a protocol in force
for the meeting's purpose connects the recipient with every agency whose
information the minutes hold; once agreed, the recipient reads the approved
minutes (and nothing else of the meeting). Every reading is built by the
disclosure gate, for every person linked to the cases minuted: the records'
own people and those the agencies linked in their preparation.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.agencies.models import Agency
from sharehub.audit.events import AuditEvent
from sharehub.crypto import open_field, seal_field
from sharehub.db.base import new_id
from sharehub.db.changes import check_version, write_changes
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import Viewer, disclose, sharing_partners
from sharehub.disclosure.gated import GatedText
from sharehub.errors import Conflict, Forbidden, NotFound, Unprocessable, VersionRequired
from sharehub.identity.principal import Principal
from sharehub.meetings.agenda import items_of
from sharehub.meetings.cases import (
    SOURCES,
    CaseMaterial,
    MeetingContext,
    MinutedDecision,
    material_of,
    meeting_day,
)
from sharehub.meetings.models import Action, AgendaItem, Meeting, Minutes, OnwardSharing
from sharehub.meetings.preparation import contributions_to, linked_subjects, references_of
from sharehub.meetings.schemas import (
    ActionView,
    Amendment,
    InformationView,
    MinuteEntryView,
    MinutesIn,
    MinutesView,
    OnwardSharingIn,
    ProposedActionView,
)
from sharehub.meetings.service import (
    attendees_of,
    get_meeting,
    invited,
    kind_of,
    organises,
    require_organiser,
)
from sharehub.meetings.types import MeetingType

KIND = "minutes"
MARKING = "OFFICIAL-SENSITIVE"
MAPPA = frozenset({MeetingType.MAPPA_LEVEL_2, MeetingType.MAPPA_LEVEL_3})


def content_sha256(meeting_id: uuid.UUID, revision: int, content: dict[str, Any]) -> str:
    """The hash the ledger keeps: canonical JSON (sorted keys) of what was approved."""
    canonical = msgspec.json.encode(
        {"meeting_id": str(meeting_id), "revision": revision, **content}, order="sorted"
    )
    return hashlib.sha256(canonical).hexdigest()


async def revisions(db: AsyncSession, meeting: Meeting) -> list[Minutes]:
    return list(
        await db.scalars(
            select(Minutes).where(Minutes.meeting_id == meeting.id).order_by(Minutes.revision)
        )
    )


def _content(minutes: Minutes, gate: GateContext) -> dict[str, Any]:
    return msgspec.json.decode(open_field(gate.cipher, minutes, "entries") or "{}")


def _raced(_: IntegrityError) -> Conflict:
    return Conflict("the minutes were changed at the same time; fetch them again")


# --- writing ---------------------------------------------------------------------------------


async def _validate(db: AsyncSession, meeting: Meeting, data: MinutesIn) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    agenda = {item.id for item in await items_of(db, meeting)}
    invited_ids = {a.agency_id for a in meeting.agencies}
    errors += [
        (f"present[{i}]", "not an agency invited to this meeting")
        for i, agency_id in enumerate(data.present)
        if agency_id not in invited_ids
    ]
    seen: set[uuid.UUID] = set()
    day = meeting_day(meeting)
    for i, entry in enumerate(data.entries):
        at = f"entries[{i}]"
        if entry.item_id not in agenda:
            errors.append((f"{at}.item_id", "not an item on this meeting's agenda"))
        if entry.item_id in seen:
            errors.append((f"{at}.item_id", "each agenda item once"))
        seen.add(entry.item_id)
        if entry.level is not None and MeetingType(meeting.meeting_type) not in MAPPA:
            errors.append((f"{at}.level", "a management level is decided at MAPPA meetings"))
        errors += [
            (f"{at}.information[{j}].agency_id", "not an agency invited to this meeting")
            for j, info in enumerate(entry.information)
            if info.agency_id not in invited_ids
        ]
        for j, action in enumerate(entry.actions):
            if action.owner_agency_id not in invited_ids:
                errors.append(
                    (f"{at}.actions[{j}].owner_agency_id", "not an agency invited to this meeting")
                )
            if action.due_on < day:
                errors.append((f"{at}.actions[{j}].due_on", "cannot be before the meeting"))
    return errors


async def write_draft(
    db: AsyncSession,
    actor: Principal,
    meeting: Meeting,
    version: int | None,
    data: MinutesIn,
    gate: GateContext,
) -> Minutes:
    require_organiser(actor, meeting)
    if meeting.status != "held":
        raise Conflict(f"the meeting is {meeting.status}; minutes follow a meeting held")
    errors = await _validate(db, meeting, data)
    if errors:
        raise Unprocessable(errors)
    history = await revisions(db, meeting)
    latest = history[-1] if history else None
    if latest is not None and latest.status == "approved":
        raise Conflict("the minutes are approved; correct them with an amendment")
    if latest is None:
        if version is not None:
            raise Conflict("there is no draft yet; send no If-Match")
        latest = Minutes(id=new_id(), meeting_id=meeting.id, revision=0, status="draft")
        db.add(latest)
    else:
        if version is None:
            raise VersionRequired()
        check_version(latest, version, KIND)
    latest.present = [str(a) for a in dict.fromkeys(data.present)]
    content = msgspec.to_builtins(data)
    seal_field(gate.cipher, latest, "entries", msgspec.json.encode(content).decode())
    await write_changes(db, KIND, _raced)
    return latest


async def approve(
    db: AsyncSession,
    meeting: Meeting,
    version: int,
    context: MeetingContext,
) -> Minutes:
    """The chair approves: locked, actions created, each case's decisions handed
    to its source (a MAPPA level to the referral), content hash in the ledger."""
    actor, gate = context.actor, context.gate
    now = gate.now
    if actor.id != meeting.chair_id:
        raise Forbidden("the minutes are approved by the meeting's chair")
    history = await revisions(db, meeting)
    if not history or history[-1].status != "draft":
        raise Conflict("there is no draft to approve")
    minutes = history[-1]
    check_version(minutes, version, KIND)
    content = _content(minutes, gate)
    for entry in content.get("entries", []):
        for action in entry.get("actions", []):
            db.add(
                seal_action(
                    gate,
                    Action(
                        id=new_id(),
                        meeting_id=meeting.id,
                        item_id=uuid.UUID(entry["item_id"]),
                        minutes_revision=minutes.revision,
                        owner_agency_id=uuid.UUID(action["owner_agency_id"]),
                        due_on=date.fromisoformat(action["due_on"]),
                        status="open",
                    ),
                    action["description"],
                )
            )
    agenda = {item.id: item for item in await items_of(db, meeting)}
    for entry in content.get("entries", []):
        item = agenda.get(uuid.UUID(entry["item_id"]))
        if item is not None:
            await SOURCES[item.source].decided(
                db,
                item.source_id,
                MinutedDecision(level=entry.get("level"), decisions=entry.get("decisions")),
                context,
            )
    minutes.status = "approved"
    minutes.approved_by, minutes.approved_at = actor.id, now
    minutes.content_sha256 = content_sha256(meeting.id, minutes.revision, content)
    await write_changes(db, KIND, _raced)
    await gate.audit.record(
        AuditEvent(
            kind="minutes_approved",
            at=now,
            user_id=actor.id,
            agency_id=actor.agency_id,
            details={
                "meeting_id": str(meeting.id),
                "revision": minutes.revision,
                "content_sha256": minutes.content_sha256,
            },
        ),
        db=db,
    )
    return minutes


def seal_action(gate: GateContext, action: Action, description: str) -> Action:
    seal_field(gate.cipher, action, "description", description)
    return action


async def amend(
    db: AsyncSession,
    actor: Principal,
    meeting: Meeting,
    data: Amendment,
    gate: GateContext,
) -> Minutes:
    """A new draft revision, starting from the approved text (its actions stay)."""
    require_organiser(actor, meeting)
    history = await revisions(db, meeting)
    if not history or history[-1].status != "approved":
        raise Conflict("only approved minutes are amended; edit the draft instead")
    approved = history[-1]
    content = _content(approved, gate)
    for entry in content.get("entries", []):
        entry["actions"] = []  # agreed already: they live on as actions
    draft = Minutes(
        id=new_id(),
        meeting_id=meeting.id,
        revision=approved.revision + 1,
        status="draft",
        present=list(approved.present),
    )
    seal_field(gate.cipher, draft, "entries", msgspec.json.encode(content).decode())
    seal_field(gate.cipher, draft, "amendment_reason", data.reason)
    db.add(draft)
    await write_changes(db, KIND, _raced)
    return draft


async def _minuted_cases(
    db: AsyncSession, meeting: Meeting, item_ids: list[uuid.UUID], gate: GateContext
) -> dict[uuid.UUID, tuple[AgendaItem, CaseMaterial | None]]:
    """The agenda items named, each with its case's material."""
    agenda = {item.id: item for item in await items_of(db, meeting)}
    found: dict[uuid.UUID, tuple[AgendaItem, CaseMaterial | None]] = {}
    for item_id in dict.fromkeys(item_ids):
        item = agenda.get(item_id)
        if item is not None:
            found[item.id] = (item, await material_of(db, item.source, item.source_id, gate))
    return found


async def sources_of(
    db: AsyncSession, meeting: Meeting, minutes: Minutes, gate: GateContext
) -> set[uuid.UUID]:
    """The agencies whose information the minutes hold: the agency whose record
    each minuted case is, and each agency information is minuted as coming from."""
    entries = _content(minutes, gate).get("entries", [])
    cases = await _minuted_cases(db, meeting, [uuid.UUID(e["item_id"]) for e in entries], gate)
    found = {
        material.holder_agency_id
        for _, material in cases.values()
        if material is not None and material.holder_agency_id is not None
    }
    for entry in entries:
        found |= {uuid.UUID(info["agency_id"]) for info in entry.get("information", [])}
    return found


async def _names(db: AsyncSession, agency_ids: set[uuid.UUID]) -> list[str]:
    rows = await db.scalars(select(Agency.name).where(Agency.id.in_(agency_ids)))
    return sorted(rows)


async def share_onward(
    db: AsyncSession,
    actor: Principal,
    meeting: Meeting,
    data: OnwardSharingIn,
    gate: GateContext,
) -> OnwardSharing:
    """The chair agrees that an agency not present may have the approved minutes:
    only where a protocol in force for the meeting's purpose connects it with
    every agency whose information the minutes hold (409 saying what must come
    first otherwise). The agreement is what lets it read them."""
    kind = kind_of(meeting)
    if actor.id != meeting.chair_id:
        raise Forbidden(f"minutes go further only with {kind.onward_sharing}")
    history = [m for m in await revisions(db, meeting) if m.status == "approved"]
    if not history:
        raise Conflict("there are no approved minutes to share")
    agency = await db.get(Agency, data.agency_id)
    if agency is None or not agency.active:
        raise Unprocessable([("agency_id", "no such active agency")])
    if str(data.agency_id) in history[-1].present:
        raise Conflict("that agency was present and has the minutes already")
    partners = await sharing_partners(db, data.agency_id, kind.purpose, gate.today)
    if partners == {data.agency_id}:
        raise Conflict(
            f"{agency.name} is not party to an information sharing protocol in force for "
            f"{kind.purpose.value}: a protocol with the agencies whose information the "
            f"{kind.name} minutes hold must be signed first"
        )
    missing = await sources_of(db, meeting, history[-1], gate) - partners
    if missing:
        raise Conflict(
            f"no information sharing protocol in force for {kind.purpose.value} connects "
            f"{agency.name} with {', '.join(await _names(db, missing))}, whose information "
            "the minutes hold: such a protocol must be signed first"
        )
    agreement = OnwardSharing(
        id=new_id(),
        meeting_id=meeting.id,
        agency_id=data.agency_id,
        agreed_by=actor.id,
        agreed_at=gate.now,
    )
    seal_field(gate.cipher, agreement, "reason", data.reason)
    db.add(agreement)
    try:
        await db.flush()
    except IntegrityError:
        raise Conflict("the minutes are already shared with that agency") from None
    await gate.audit.record(
        AuditEvent(
            kind="minutes_shared_onward",
            at=gate.now,
            user_id=actor.id,
            agency_id=actor.agency_id,
            details={"meeting_id": str(meeting.id), "recipient_agency_id": str(data.agency_id)},
        ),
        db=db,
    )
    return agreement


# --- reading ---------------------------------------------------------------------------------


async def shared_with(db: AsyncSession, meeting: Meeting, agency_id: uuid.UUID) -> bool:
    """Whether the chair agreed that this agency may have the approved minutes."""
    found = await db.scalar(
        select(OnwardSharing.id).where(
            OnwardSharing.meeting_id == meeting.id, OnwardSharing.agency_id == agency_id
        )
    )
    return found is not None


async def meeting_of_minutes(db: AsyncSession, actor: Principal, meeting_id: uuid.UUID) -> Meeting:
    """The meeting, to read its minutes: as ``get_meeting`` (invited agencies and
    organisers), and for an agency the chair agreed to share the minutes with
    though it was never invited. It reaches the minutes only, nothing else of
    the meeting."""
    try:
        return await get_meeting(db, actor, meeting_id)
    except NotFound:
        meeting = await db.get(Meeting, meeting_id)
        if meeting is None or not await shared_with(db, meeting, actor.agency_id):
            raise
        return meeting


async def readable_revision(db: AsyncSession, actor: Principal, meeting: Meeting) -> Minutes:
    """Organisers read the latest revision, draft or not; agencies present (and
    those the chair agreed to share with) read the latest approved one; anyone
    else is told there are none."""
    history = await revisions(db, meeting)
    if organises(actor, kind_of(meeting), meeting.area) and history:
        return history[-1]
    approved = [m for m in history if m.status == "approved"]
    if not approved:
        raise NotFound(KIND)
    latest = approved[-1]
    shared = await shared_with(db, meeting, actor.agency_id)
    if str(actor.agency_id) not in latest.present and not shared:
        if invited(meeting, actor.agency_id):
            raise Forbidden(
                "minutes go to the agencies present; ask the chair to agree to share them"
            )
        raise NotFound(KIND)
    return latest


def overdue(action: Action, today: date) -> bool:
    return action.status in ("open", "in_progress") and action.due_on < today


def action_view(action: Action, description: GatedText | None, today: date) -> ActionView:
    return ActionView(
        id=action.id,
        version=action.version,
        meeting_id=action.meeting_id,
        item_id=action.item_id,
        owner_agency_id=action.owner_agency_id,
        description=description,
        due_on=action.due_on,
        status=action.status,  # type: ignore[arg-type]
        completed_on=action.completed_on,
        overdue=overdue(action, today),
    )


async def view_of(
    db: AsyncSession,
    actor: Principal,
    meeting: Meeting,
    minutes: Minutes,
    gate: GateContext,
) -> MinutesView:
    """The minutes as the reader's agency may see them, built by the gate for
    every person linked to the cases minuted (the records' own people and the
    people each agency linked in its preparation): each is redacted as the gate
    decides, and each shown to another agency is a disclosure."""
    content = _content(minutes, gate)
    entries = content.get("entries", [])
    actions = list(
        await db.scalars(
            select(Action)
            .where(Action.meeting_id == meeting.id, Action.minutes_revision <= minutes.revision)
            .order_by(Action.due_on, Action.id)
        )
    )
    item_ids = [uuid.UUID(e["item_id"]) for e in entries] + [a.item_id for a in actions]
    cases = await _minuted_cases(db, meeting, item_ids, gate)
    materials = [material for _, material in cases.values()]
    subjects = await linked_subjects(db, materials, await contributions_to(db, cases))
    texts: dict[str, str | None] = {}
    for i, entry in enumerate(entries):
        texts[f"{i}.risks"], texts[f"{i}.decisions"] = entry.get("risks"), entry.get("decisions")
        for j, info in enumerate(entry.get("information", [])):
            texts[f"{i}.information.{j}"] = info["text"]
        for j, proposed in enumerate(entry.get("actions", [])):
            texts[f"{i}.proposed.{j}"] = proposed["description"]
    texts |= {f"action.{a.id}": open_field(gate.cipher, a, "description") for a in actions}
    texts["amendment_reason"] = open_field(gate.cipher, minutes, "amendment_reason")
    gated = await disclose(
        db,
        gate,
        viewer=Viewer(actor.agency_id, actor.user_id),
        purpose=kind_of(meeting).purpose,
        subjects=list(subjects.values()),
        texts=texts,
        context_kind="meeting_minutes",
        context_id=meeting.id,
        **references_of(materials),
    )
    shown = gated.texts
    present = [uuid.UUID(a) for a in minutes.present]
    return MinutesView(
        meeting_id=meeting.id,
        revision=minutes.revision,
        version=minutes.version,
        status=minutes.status,  # type: ignore[arg-type]
        present=present,
        apologies=[a.agency_id for a in meeting.agencies if a.apologies],
        attendees=await attendees_of(db, meeting),
        entries=[
            MinuteEntryView(
                item_id=uuid.UUID(entry["item_id"]),
                information=[
                    InformationView(
                        agency_id=uuid.UUID(info["agency_id"]), text=shown[f"{i}.information.{j}"]
                    )
                    for j, info in enumerate(entry.get("information", []))
                ],
                risks=shown[f"{i}.risks"],
                decisions=shown[f"{i}.decisions"],
                level=entry.get("level"),
                actions=[
                    action_view(a, shown[f"action.{a.id}"], gate.today)
                    for a in actions
                    if str(a.item_id) == entry["item_id"]
                ],
                proposed_actions=[
                    ProposedActionView(
                        owner_agency_id=uuid.UUID(p["owner_agency_id"]),
                        description=shown[f"{i}.proposed.{j}"],
                        due_on=date.fromisoformat(p["due_on"]),
                    )
                    for j, p in enumerate(entry.get("actions", []))
                ]
                if minutes.status == "draft"
                else [],
            )
            for i, entry in enumerate(entries)
        ],
        amendment_reason=shown["amendment_reason"],
        approved_by=minutes.approved_by,
        approved_at=minutes.approved_at,
        content_sha256=minutes.content_sha256,
        marking=MARKING,
    )
