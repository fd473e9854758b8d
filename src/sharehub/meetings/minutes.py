"""Minutes: per case, the information shared (with the agency it came from),
the risks identified, the decisions (a MAPPA level among them) and the
actions agreed. A draft is written by the coordinator after the meeting; the
chair's approval locks it, creates the actions, and puts the SHA-256 of its
content in the ledger. A correction is an amendment: a new revision with its
reason, approved in turn.

Minutes go to the agencies present and to no one else without the agreement
the law table's rule for the meeting's purpose names
(``protocols.engine.onward_sharing_rule``): the chair's (MAPPA, ASB case
review panels), or every agency's whose information they hold (MARAC, ASB
case conferences), each answering by a member who attended or its governance
lead. A request is possible only where a protocol in force for the purpose
connects the recipient with every agency whose information the minutes hold;
once granted, the recipient reads the approved minutes (and nothing else of
the meeting). Every reading is built by the
disclosure gate, for every person linked to the cases minuted: the records'
own people and those the agencies linked in their preparation.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from typing import Any, NamedTuple

import msgspec
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.access.roles import Role
from sharehub.agencies.models import Agency
from sharehub.audit.events import AuditEvent, AuditEventKind
from sharehub.crypto import open_field, seal_field
from sharehub.db.base import new_id
from sharehub.db.changes import check_version, write_changes
from sharehub.db.references import normalise
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
from sharehub.meetings.models import (
    Action,
    AgendaItem,
    Meeting,
    MeetingAttendee,
    Minutes,
    OnwardSharing,
    OnwardSharingAnswer,
)
from sharehub.meetings.preparation import contributions_to, linked_subjects, references_of
from sharehub.meetings.schemas import (
    ActionView,
    Amendment,
    InformationView,
    MinuteEntryView,
    MinutesIn,
    MinutesView,
    OnwardSharingIn,
    OnwardSharingRefusal,
    OnwardSharingView,
    OwnerAnswerView,
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
from sharehub.protocols.engine import onward_sharing_rule
from sharehub.protocols.gateways import GatewayRules, OnwardSharingRule

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


# --- onward sharing --------------------------------------------------------------------------

REQUESTED, AGREED, REFUSED = "requested", "agreed", "refused"
# Who may answer for an owning agency beside its members who attended.
GOVERNANCE = frozenset({Role.INFORMATION_GOVERNANCE_LEAD.value, Role.DATA_PROTECTION_OFFICER.value})


def rule_of(meeting: Meeting, rules: GatewayRules) -> OnwardSharingRule:
    return onward_sharing_rule(kind_of(meeting).purpose, rules)


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


async def _names(db: AsyncSession, agency_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not agency_ids:
        return {}
    rows = await db.execute(select(Agency.id, Agency.name).where(Agency.id.in_(agency_ids)))
    return dict(rows.all())  # type: ignore[arg-type]


async def _sorted_names(db: AsyncSession, agency_ids: set[uuid.UUID]) -> list[str]:
    return sorted((await _names(db, agency_ids)).values())


def _waiting_text(names: list[str]) -> str:
    who = "who has" if len(names) == 1 else "who have"
    return f"the minutes hold information from {_and(names)}, {who} not agreed yet"


async def _approved(db: AsyncSession, meeting: Meeting) -> Minutes:
    approved = [m for m in await revisions(db, meeting) if m.status == "approved"]
    if not approved:
        raise Conflict("there are no approved minutes to share")
    return approved[-1]


async def request_of(
    db: AsyncSession, meeting: Meeting, agency_id: uuid.UUID, *, lock: bool = False
) -> OnwardSharing | None:
    query = select(OnwardSharing).where(
        OnwardSharing.meeting_id == meeting.id, OnwardSharing.agency_id == agency_id
    )
    # Answers to one request wait for each other, so the last one sees them all.
    return await db.scalar(query.with_for_update() if lock else query)


async def _check_protocols(
    db: AsyncSession, meeting: Meeting, agency: Agency, sources: set[uuid.UUID], gate: GateContext
) -> None:
    """A protocol in force for the meeting's purpose must connect the recipient
    with every agency whose information the minutes hold."""
    kind = kind_of(meeting)
    partners = await sharing_partners(db, agency.id, kind.purpose, gate.today)
    if partners == {agency.id}:
        raise Conflict(
            f"{agency.name} is not party to an information sharing protocol in force for "
            f"{kind.purpose.value}: a protocol with the agencies whose information the "
            f"{kind.name} minutes hold must be signed first"
        )
    missing = sources - partners
    if missing:
        raise Conflict(
            f"no information sharing protocol in force for {kind.purpose.value} connects "
            f"{agency.name} with {', '.join(await _sorted_names(db, missing))}, whose "
            "information the minutes hold: such a protocol must be signed first"
        )


async def _why_not(db: AsyncSession, sharing: OnwardSharing, recipient: str) -> str:
    if sharing.state == AGREED:
        return f"the minutes are already shared with {recipient}"
    refused = {a.agency_id for a in sharing.answers if a.answer == REFUSED}
    if sharing.state == REFUSED:
        by = _and(await _sorted_names(db, refused))
        return f"{by} refused to share the minutes with {recipient}"
    return f"sharing the minutes with {recipient} has been asked for already"


async def _grant(
    db: AsyncSession, actor: Principal, meeting: Meeting, sharing: OnwardSharing, gate: GateContext
) -> None:
    sharing.state = AGREED
    sharing.agreed_by, sharing.agreed_at = actor.id, gate.now
    await db.flush()
    await _record(gate, db, actor, "minutes_shared_onward", meeting, sharing)


async def _record(
    gate: GateContext,
    db: AsyncSession,
    actor: Principal,
    kind: AuditEventKind,
    meeting: Meeting,
    sharing: OnwardSharing,
) -> None:
    await gate.audit.record(
        AuditEvent(
            kind=kind,
            at=gate.now,
            user_id=actor.id,
            agency_id=actor.agency_id,
            details={
                "meeting_id": str(meeting.id),
                "recipient_agency_id": str(sharing.agency_id),
            },
        ),
        db=db,
    )


async def share_onward(
    db: AsyncSession,
    actor: Principal,
    meeting: Meeting,
    data: OnwardSharingIn,
    gate: GateContext,
) -> OnwardSharing:
    """Ask that an agency not present may have the approved minutes, only where
    a protocol in force for the meeting's purpose connects it with every agency
    whose information they hold (409 saying what must come first otherwise).
    Where the law table's rule is the chair's agreement, the chair asking is the
    agreement; where it is the agencies', the chair or a member of an agency
    present asks, and it is granted once every agency whose information the
    minutes hold has agreed (``answer``)."""
    rule = rule_of(meeting, gate.rules)
    chair = actor.id == meeting.chair_id
    if rule.agreement == "chair" and not chair:
        raise Forbidden(f"only the meeting's chair agrees to this. {rule.text}")
    minutes = await _approved(db, meeting)
    # A member is a person: an agency system asks for nothing.
    if not chair and (actor.user_id is None or str(actor.agency_id) not in minutes.present):
        raise Forbidden(
            "the meeting's chair, or a member of an agency present, asks for the minutes "
            "to go further"
        )
    agency = await db.get(Agency, data.agency_id)
    if agency is None or not agency.active:
        raise Unprocessable([("agency_id", "no such active agency")])
    if str(data.agency_id) in minutes.present:
        raise Conflict("that agency was present and has the minutes already")
    sources = await sources_of(db, meeting, minutes, gate)
    await _check_protocols(db, meeting, agency, sources, gate)
    sharing = await request_of(db, meeting, data.agency_id)
    if sharing is None:
        sharing = OnwardSharing(
            id=new_id(),
            meeting_id=meeting.id,
            agency_id=data.agency_id,
            state=REQUESTED,
            requested_by=actor.id,
            requested_at=gate.now,
            answers=[],
        )
        seal_field(gate.cipher, sharing, "reason", data.reason)
        db.add(sharing)
        try:
            await db.flush()
        except IntegrityError:
            raise Conflict(
                "sharing the minutes with that agency was asked for at the same time; "
                "fetch the requests again"
            ) from None
        if rule.agreement == "information_owners":
            await _record(gate, db, actor, "minutes_sharing_requested", meeting, sharing)
    elif not (sharing.state == REQUESTED and rule.agreement == "chair"):
        # (A request made while the agencies' agreement was the rule is the
        # chair's to grant once the rule is the chair's.)
        raise Conflict(await _why_not(db, sharing, agency.name))
    # The recipient's own information needs nobody's agreement to reach it.
    if rule.agreement == "chair" or not sources - {agency.id}:
        await _grant(db, actor, meeting, sharing, gate)
    return sharing


class SharingMeeting(NamedTuple):
    meeting: Meeting
    minutes: Minutes | None  # the latest approved revision
    sources: set[uuid.UUID]


async def sharing_meeting(
    db: AsyncSession, actor: Principal, meeting_id: uuid.UUID, gate: GateContext
) -> SharingMeeting:
    """The meeting, for its requests to share the minutes: its organisers, the
    agencies present and those whose information the minutes hold (so an
    owning agency's governance lead answers though it was not invited)."""
    meeting = await db.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("meeting")
    approved = [m for m in await revisions(db, meeting) if m.status == "approved"]
    minutes = approved[-1] if approved else None
    sources = await sources_of(db, meeting, minutes, gate) if minutes else set()
    if (
        organises(actor, kind_of(meeting), meeting.area)
        or (minutes is not None and str(actor.agency_id) in minutes.present)
        or actor.agency_id in sources
    ):
        return SharingMeeting(meeting, minutes, sources)
    if invited(meeting, actor.agency_id):
        raise Forbidden(
            "requests to share the minutes are for the chair, the agencies present and "
            "the agencies whose information they hold"
        )
    raise NotFound("meeting")


async def may_answer(
    db: AsyncSession, actor: Principal, meeting: Meeting, minutes: Minutes
) -> bool:
    """A member of the actor's agency who attended the meeting for it, or the
    agency's information governance lead or data protection officer."""
    if any(r.role in GOVERNANCE and r.agency_id == actor.agency_id for r in actor.roles):
        return True
    attended = await db.scalar(
        select(MeetingAttendee.user_id).where(
            MeetingAttendee.meeting_id == meeting.id,
            MeetingAttendee.user_id == actor.id,
            MeetingAttendee.agency_id == actor.agency_id,
        )
    )
    return attended is not None and str(actor.agency_id) in minutes.present


async def answer(
    db: AsyncSession,
    actor: Principal,
    sharing_meeting: SharingMeeting,
    recipient_id: uuid.UUID,
    refusal: OnwardSharingRefusal | None,
    gate: GateContext,
) -> OnwardSharing:
    """The actor's agency agrees (``refusal`` None) or refuses, for its own
    information in the minutes; the last agreement grants the request, and a
    refusal ends it."""
    meeting, minutes, sources = sharing_meeting
    sharing = await request_of(db, meeting, recipient_id, lock=True)
    if sharing is None or minutes is None:
        raise NotFound("request to share the minutes with that agency")
    recipient = await db.get(Agency, sharing.agency_id)
    assert recipient is not None  # a foreign key
    if sharing.state != REQUESTED:
        raise Conflict(await _why_not(db, sharing, recipient.name))
    rule = rule_of(meeting, gate.rules)
    if rule.agreement == "chair":
        raise Conflict(f"the meeting's chair decides this, not each agency. {rule.text}")
    owners = sources - {sharing.agency_id}
    if actor.agency_id not in owners:
        raise Forbidden(
            "your agency's information is not in these minutes: the agencies whose "
            "information they hold answer"
        )
    own = (await _names(db, {actor.agency_id}))[actor.agency_id]
    if not await may_answer(db, actor, meeting, minutes):
        raise Forbidden(
            f"for {own}, a member who attended the meeting, or its information governance "
            "lead or data protection officer, answers"
        )
    if any(a.agency_id == actor.agency_id for a in sharing.answers):
        raise Conflict(f"{own} has answered already")
    given = OnwardSharingAnswer(
        id=new_id(),
        sharing_id=sharing.id,
        agency_id=actor.agency_id,
        answer=AGREED if refusal is None else REFUSED,
        answered_by=actor.id,
        answered_at=gate.now,
    )
    seal_field(gate.cipher, given, "reason", refusal.reason if refusal else None)
    sharing.answers.append(given)
    if refusal is not None:
        sharing.state = REFUSED
    try:
        await db.flush()
    except IntegrityError:
        raise Conflict(f"{own} answered at the same time; fetch the requests again") from None
    kind: AuditEventKind = (
        "minutes_sharing_agreed" if refusal is None else "minutes_sharing_refused"
    )
    await _record(gate, db, actor, kind, meeting, sharing)
    agreed = {a.agency_id for a in sharing.answers if a.answer == AGREED}
    if refusal is None and owners <= agreed:
        await _check_protocols(db, meeting, recipient, sources, gate)
        await _grant(db, actor, meeting, sharing, gate)
    return sharing


async def requests(
    db: AsyncSession, sharing_meeting: SharingMeeting, gate: GateContext
) -> list[OnwardSharingView]:
    """Every request for the meeting's minutes, each owning agency's answer, and
    what each still waits for."""
    meeting, _, sources = sharing_meeting
    rule = rule_of(meeting, gate.rules)
    rows = list(
        await db.scalars(
            select(OnwardSharing)
            .where(OnwardSharing.meeting_id == meeting.id)
            .order_by(OnwardSharing.requested_at, OnwardSharing.id)
        )
    )
    owners = {
        row.id: (sources - {row.agency_id} if rule.agreement == "information_owners" else set())
        | {a.agency_id for a in row.answers}
        for row in rows
    }
    names = await _names(db, {r.agency_id for r in rows}.union(*owners.values()))
    return [sharing_view(row, owners[row.id], names, rule) for row in rows]


def sharing_view(
    sharing: OnwardSharing,
    owners: set[uuid.UUID],
    names: dict[uuid.UUID, str],
    rule: OnwardSharingRule,
) -> OnwardSharingView:
    answers = {a.agency_id: a for a in sharing.answers}
    listed = sorted(owners, key=lambda agency_id: names.get(agency_id, ""))
    waiting = [names[a] for a in listed if a not in answers]
    if sharing.state != REQUESTED:
        waiting_for = None
    elif rule.agreement == "chair":
        waiting_for = "the meeting's chair has not agreed yet"
    else:
        waiting_for = _waiting_text(waiting) if waiting else None
    return OnwardSharingView(
        meeting_id=sharing.meeting_id,
        agency_id=sharing.agency_id,
        agency_name=names[sharing.agency_id],
        state=sharing.state,  # type: ignore[arg-type]
        agreement=rule.agreement,
        rule=rule.text,
        citation=rule.citation,
        requested_by=sharing.requested_by,
        requested_at=sharing.requested_at,
        agreed_by=sharing.agreed_by,
        agreed_at=sharing.agreed_at,
        owners=[
            OwnerAnswerView(
                agency_id=agency_id,
                agency_name=names[agency_id],
                answer=answers[agency_id].answer if agency_id in answers else "awaiting",  # type: ignore[arg-type]
                answered_by=answers[agency_id].answered_by if agency_id in answers else None,
                answered_at=answers[agency_id].answered_at if agency_id in answers else None,
            )
            for agency_id in listed
        ],
        waiting_for=waiting_for,
    )


async def view_of_request(
    db: AsyncSession, meeting: Meeting, sharing: OnwardSharing, gate: GateContext
) -> OnwardSharingView:
    """One request as ``requests`` shows it."""
    rule = rule_of(meeting, gate.rules)
    owners = {a.agency_id for a in sharing.answers}
    if rule.agreement == "information_owners":
        minutes = await _approved(db, meeting)
        owners |= await sources_of(db, meeting, minutes, gate) - {sharing.agency_id}
    names = await _names(db, owners | {sharing.agency_id})
    return sharing_view(sharing, owners, names, rule)


# --- reading ---------------------------------------------------------------------------------


async def shared_with(db: AsyncSession, meeting: Meeting, agency_id: uuid.UUID) -> bool:
    """Whether sharing the approved minutes with this agency was granted."""
    sharing = await request_of(db, meeting, agency_id)
    return sharing is not None and sharing.state == AGREED


async def meeting_of_minutes(db: AsyncSession, actor: Principal, meeting_id: uuid.UUID) -> Meeting:
    """The meeting, to read its minutes: as ``get_meeting`` (invited agencies and
    organisers), and for an agency the minutes were shared with though it was
    never invited. It reaches the minutes only, nothing else of the meeting."""
    try:
        return await get_meeting(db, actor, meeting_id)
    except NotFound:
        meeting = await db.get(Meeting, meeting_id)
        if meeting is None or not await shared_with(db, meeting, actor.agency_id):
            raise
        return meeting


async def readable_revision(
    db: AsyncSession, actor: Principal, meeting: Meeting, rules: GatewayRules
) -> Minutes:
    """Organisers read the latest revision, draft or not; agencies present (and
    those the minutes were shared with) read the latest approved one; anyone
    else is told there are none."""
    history = await revisions(db, meeting)
    if organises(actor, kind_of(meeting), meeting.area) and history:
        return history[-1]
    approved = [m for m in history if m.status == "approved"]
    if not approved:
        raise NotFound(KIND)
    latest = approved[-1]
    if str(actor.agency_id) in latest.present:
        return latest
    sharing = await request_of(db, meeting, actor.agency_id)
    if sharing is not None and sharing.state == AGREED:
        return latest
    if not invited(meeting, actor.agency_id):
        raise NotFound(KIND)
    rule = rule_of(meeting, rules)
    if sharing is not None and sharing.state == REQUESTED:
        how = "sharing them with your agency waits for the agreement it needs"
    elif rule.agreement == "chair":
        how = "ask the chair to agree to share them"
    else:
        how = "ask the chair or an agency present to ask the agencies whose information they hold"
    raise Forbidden(f"minutes go to the agencies present; {how}. {rule.text}")


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


# --- for the pages: the draft as written, the meeting by its reference -----------------------


async def draft_content(
    db: AsyncSession, actor: Principal, meeting: Meeting, gate: GateContext
) -> tuple[Minutes | None, dict[str, Any]]:
    """The organisers' working copy: the latest draft and its content as they
    wrote it (to be written back whole by ``write_draft``); None and empty
    content where there is no draft yet, and refused once the minutes are
    approved (an amendment starts a new draft)."""
    require_organiser(actor, meeting)
    history = await revisions(db, meeting)
    if not history:
        return None, {"present": [], "entries": []}
    latest = history[-1]
    if latest.status != "draft":
        raise Conflict("the minutes are approved; correct them with an amendment")
    content = _content(latest, gate)
    content.setdefault("present", list(latest.present))
    content.setdefault("entries", [])
    return latest, content


async def meeting_of_minutes_by_reference(
    db: AsyncSession, actor: Principal, reference: str
) -> Meeting:
    """``meeting_of_minutes`` by the reference people use ("MTG-2026-0003")."""
    meeting_id = await db.scalar(
        select(Meeting.id).where(Meeting.reference == normalise(reference))
    )
    if meeting_id is None:
        raise NotFound("meeting")
    return await meeting_of_minutes(db, actor, meeting_id)


async def sharing_meeting_by_reference(
    db: AsyncSession, actor: Principal, reference: str, gate: GateContext
) -> SharingMeeting:
    """``sharing_meeting`` by the meeting's reference."""
    meeting_id = await db.scalar(
        select(Meeting.id).where(Meeting.reference == normalise(reference))
    )
    if meeting_id is None:
        raise NotFound("meeting")
    return await sharing_meeting(db, actor, meeting_id, gate)
