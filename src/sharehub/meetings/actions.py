"""Actions agreed at meetings: worked by the agency that owns them, with each
progress update kept; overdue when not done by the due date; carried onto the
next meeting of the same kind and area until done (``cases.py``)."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.crypto import open_field, seal_field
from sharehub.db.base import new_id
from sharehub.db.changes import check_version, write_changes
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import Viewer, disclose
from sharehub.errors import Conflict, Forbidden, NotFound
from sharehub.identity.principal import Principal
from sharehub.meetings.cases import OUTSTANDING, material_of
from sharehub.meetings.minutes import action_view
from sharehub.meetings.models import Action, ActionUpdate, AgendaItem, Meeting
from sharehub.meetings.preparation import contributions_to, linked_subjects, references_of
from sharehub.meetings.schemas import ActionProgress, ActionView
from sharehub.meetings.service import invited, kind_of, organises

KIND = "action"

# From each status, the statuses an update may set (the same one: progress noted).
MOVES: dict[str, frozenset[str]] = {
    "open": frozenset({"open", "in_progress", "done", "cancelled"}),
    "in_progress": frozenset({"in_progress", "done", "cancelled"}),
    "done": frozenset(),
    "cancelled": frozenset(),
}


def _raced(_: IntegrityError) -> Conflict:
    return Conflict("the action was changed at the same time; fetch it again")


async def _visible(db: AsyncSession, actor: Principal, action: Action) -> Meeting | None:
    meeting = await db.get(Meeting, action.meeting_id)
    if meeting is None:
        return None
    if action.owner_agency_id == actor.agency_id or invited(meeting, actor.agency_id):
        return meeting
    return meeting if organises(actor, kind_of(meeting), meeting.area) else None


async def get_action(
    db: AsyncSession, actor: Principal, action_id: uuid.UUID
) -> tuple[Action, Meeting]:
    action = await db.get(Action, action_id)
    meeting = await _visible(db, actor, action) if action else None
    if action is None or meeting is None:
        raise NotFound(KIND)
    return action, meeting


async def progress(
    db: AsyncSession,
    actor: Principal,
    action: Action,
    version: int,
    data: ActionProgress,
    gate: GateContext,
) -> Action:
    if action.owner_agency_id != actor.agency_id:
        raise Forbidden("progress is recorded by the agency that owns the action")
    check_version(action, version, KIND)
    allowed = MOVES[action.status]
    if data.status not in allowed:
        open_now = ", ".join(sorted(allowed)) or "none"
        raise Conflict(f"the action is {action.status}; it can move to: {open_now}")
    action.status = data.status
    action.completed_on = gate.today if data.status == "done" else None
    update = ActionUpdate(
        id=new_id(),
        action_id=action.id,
        user_id=actor.user_id,
        status=data.status,
    )
    seal_field(gate.cipher, update, "note", data.note)
    db.add(update)
    await write_changes(db, KIND, _raced)
    return action


async def list_actions(
    db: AsyncSession,
    actor: Principal,
    *,
    meeting: Meeting | None,
    overdue_only: bool,
    gate: GateContext,
    limit: int,
    offset: int,
) -> tuple[list[ActionView], int]:
    """The agency's own actions, or (given a meeting it may see) that meeting's.
    Lists carry no description: reading one goes through the gate."""
    conditions: list[ColumnElement[bool]] = [
        Action.owner_agency_id == actor.agency_id
        if meeting is None
        else Action.meeting_id == meeting.id
    ]
    if overdue_only:
        conditions.append(and_(Action.status.in_(OUTSTANDING), Action.due_on < gate.today))
    where = and_(*conditions)
    total = await db.scalar(select(func.count()).select_from(Action).where(where)) or 0
    rows = await db.scalars(
        select(Action).where(where).order_by(Action.due_on, Action.id).limit(limit).offset(offset)
    )
    return [action_view(a, None, gate.today) for a in rows], total


async def view_of(
    db: AsyncSession,
    actor: Principal,
    action: Action,
    meeting: Meeting,
    gate: GateContext,
) -> ActionView:
    """The action's wording through the gate, for every person linked to its
    case (the record's own people and those the agencies linked in preparation)."""
    item = await db.get(AgendaItem, action.item_id)
    material = await material_of(db, item.source, item.source_id, gate) if item else None
    subjects = await linked_subjects(
        db, [material], await contributions_to(db, [item.id] if item else [])
    )
    gated = await disclose(
        db,
        gate,
        viewer=Viewer(actor.agency_id, actor.user_id),
        purpose=kind_of(meeting).purpose,
        subjects=list(subjects.values()),
        texts={"description": open_field(gate.cipher, action, "description")},
        context_kind="meeting_action",
        context_id=action.id,
        **references_of([material]),
    )
    return action_view(action, gated.texts["description"], gate.today)


# --- for the pages: a named owner, an action by its number, where it was carried -------------

# The person who owns an action for its agency is kept as the wording's first
# line (the stored action has no column of its own for it).
NAMED_OWNER = "Named owner: "


def with_named_owner(description: str, owner: str | None) -> str:
    return f"{NAMED_OWNER}{owner}\n{description}" if owner else description


def named_owner(text: str | None) -> tuple[str | None, str | None]:
    """(the named owner, the rest of the wording) of an action's description."""
    if text and text.startswith(NAMED_OWNER):
        first, _, rest = text.partition("\n")
        return first[len(NAMED_OWNER) :].strip() or None, rest
    return None, text


async def numbered(db: AsyncSession, meeting_ids: set[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Each action's number within its meeting (1, 2, ...), in the order agreed:
    the address people use ("MTG-2026-0003", action 2)."""
    if not meeting_ids:
        return {}
    rows = await db.execute(
        select(Action.id, Action.meeting_id)
        .where(Action.meeting_id.in_(meeting_ids))
        .order_by(Action.meeting_id, Action.minutes_revision, Action.created_at, Action.id)
    )
    counts: dict[uuid.UUID, int] = {}
    found: dict[uuid.UUID, int] = {}
    for action_id, meeting_id in rows.all():
        counts[meeting_id] = counts.get(meeting_id, 0) + 1
        found[action_id] = counts[meeting_id]
    return found


async def action_by_number(
    db: AsyncSession, actor: Principal, meeting: Meeting, number: int
) -> tuple[Action, Meeting]:
    """The meeting's action of that number, where the actor may see it."""
    numbers = await numbered(db, {meeting.id})
    for action_id, n in numbers.items():
        if n == number:
            return await get_action(db, actor, action_id)
    raise NotFound(KIND)


async def carried_to(db: AsyncSession, action_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The reference of the latest meeting each action was carried onto."""
    if not action_ids:
        return {}
    rows = await db.execute(
        select(AgendaItem.source_id, Meeting.reference)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(AgendaItem.source == "action", AgendaItem.source_id.in_(action_ids))
        .order_by(Meeting.starts_at)
    )
    return dict(rows.all())  # type: ignore[arg-type]


async def updates_of(db: AsyncSession, action: Action) -> list[ActionUpdate]:
    return list(
        await db.scalars(
            select(ActionUpdate)
            .where(ActionUpdate.action_id == action.id)
            .order_by(ActionUpdate.created_at, ActionUpdate.id)
        )
    )
