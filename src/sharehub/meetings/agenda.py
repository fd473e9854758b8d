"""A meeting's agenda: built from the cases due (referrals listed for it, cases
due for review) and the actions still outstanding from earlier meetings of the
same kind and area; reordered, with the time each case gets."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.db.base import new_id
from sharehub.db.changes import check_version, write_changes
from sharehub.disclosure.context import GateContext
from sharehub.errors import Conflict, Unprocessable
from sharehub.identity.principal import Principal
from sharehub.meetings.cases import SOURCES, MeetingContext
from sharehub.meetings.models import AgendaItem, Meeting
from sharehub.meetings.schemas import AgendaItemView, AgendaOrder, AgendaView
from sharehub.meetings.service import KIND, _raced, kind_of, require_organiser
from sharehub.meetings.types import MeetingType

# A carried-over action is a quick check of progress, not a case discussion.
ACTION_MINUTES = 5


async def items_of(db: AsyncSession, meeting: Meeting) -> list[AgendaItem]:
    return list(
        await db.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )


async def build(
    db: AsyncSession, actor: Principal, meeting: Meeting, version: int, gate: GateContext
) -> Meeting:
    """Add every case and outstanding action due at this meeting that is not on
    the agenda yet. Running it again adds only what has become due since."""
    require_organiser(actor, meeting)
    check_version(meeting, version, KIND)
    if meeting.status != "scheduled":
        raise Conflict(f"the meeting is {meeting.status}; the agenda is built before it")
    existing = await items_of(db, meeting)
    have = {(i.source, i.source_id) for i in existing}
    position = max((i.position for i in existing), default=0)
    per_case = kind_of(meeting).minutes_per_case
    meeting_type = MeetingType(meeting.meeting_type)
    for name, source in SOURCES.items():
        if meeting_type not in source.meeting_types:
            continue
        for source_id, reason in await source.due(db, meeting):
            if (name, source_id) in have:
                continue
            position += 1
            db.add(
                AgendaItem(
                    id=new_id(),
                    meeting_id=meeting.id,
                    position=position,
                    source=name,
                    source_id=source_id,
                    reason=reason,
                    minutes=ACTION_MINUTES if name == "action" else per_case,
                )
            )
    meeting.updated_at = gate.now  # the agenda is part of the meeting's version
    await write_changes(db, KIND, _raced)
    return meeting


async def reorder(
    db: AsyncSession,
    actor: Principal,
    meeting: Meeting,
    version: int,
    data: AgendaOrder,
    gate: GateContext,
) -> Meeting:
    require_organiser(actor, meeting)
    check_version(meeting, version, KIND)
    if meeting.status != "scheduled":
        raise Conflict(f"the meeting is {meeting.status}; the agenda is set before it")
    items = {i.id: i for i in await items_of(db, meeting)}
    wanted = [slot.item_id for slot in data.items]
    if len(set(wanted)) != len(wanted) or set(wanted) != set(items):
        raise Unprocessable([("items", "list every agenda item exactly once")])
    for position, slot in enumerate(data.items, start=1):
        items[slot.item_id].position = position
        items[slot.item_id].minutes = slot.minutes
    meeting.updated_at = gate.now
    await write_changes(db, KIND, _raced)
    return meeting


async def record_heard(db: AsyncSession, meeting: Meeting, context: MeetingContext) -> None:
    """The meeting was held: each case source records that its cases were heard."""
    for item in await items_of(db, meeting):
        await SOURCES[item.source].heard(db, item.source_id, context)


async def view_of(db: AsyncSession, meeting: Meeting) -> AgendaView:
    items = await items_of(db, meeting)
    views, elapsed = [], 0
    for item in items:
        views.append(
            AgendaItemView(
                id=item.id,
                position=item.position,
                source=item.source,
                source_id=item.source_id,
                reason=item.reason,
                minutes=item.minutes,
                starts_after_minutes=elapsed,
                overdue=item.reason == "action_overdue",
            )
        )
        elapsed += item.minutes
    return AgendaView(
        meeting_id=meeting.id, version=meeting.version, items=views, total_minutes=elapsed
    )
