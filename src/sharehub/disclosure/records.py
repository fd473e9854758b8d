"""How a shared record's contents reach another agency: only where a
protocol in force connects the agencies for the record's purpose, and only
through the disclosure gate, which records each subject shown as a
disclosure.

The gate records a disclosure for each person it shows; the text another
agency wrote is a disclosure too, whoever it names, so each read of it is put
on the ledger here, with the agency that wrote it, the purpose and the
record, and no personal data.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.audit.events import AuditEvent
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import (
    GatedView,
    SubjectInRecord,
    Viewer,
    disclose,
    sharing_partners,
)
from sharehub.identity.principal import Principal
from sharehub.protocols.terms import Purpose

# Text whose writer's agency is not on record: no reader's own, so it passes
# the gate for everyone (the agency that wrote it included).
NO_KNOWN_WRITER = uuid.UUID(int=0)


async def writers(
    db: AsyncSession, written_by: Mapping[str, uuid.UUID | None]
) -> dict[str, uuid.UUID]:
    """Each text's writing agency, from the member of staff who wrote it: the
    ``texts_held_by`` the gate takes, so a coordinator's words are not taken
    for the referrer's own."""
    from sharehub.identity.models import User

    users = {u for u in written_by.values() if u is not None}
    agencies = dict(
        (await db.execute(select(User.id, User.agency_id).where(User.id.in_(users)))).all()
    )
    return {
        name: agencies.get(user, NO_KNOWN_WRITER) if user else NO_KNOWN_WRITER
        for name, user in written_by.items()
    }


async def connected(
    db: AsyncSession,
    gate: GateContext,
    viewer_agency_id: uuid.UUID,
    holder_agency_id: uuid.UUID,
    purpose: Purpose,
) -> bool:
    """Whether a protocol in force names both agencies and covers the purpose:
    the question the gate's ``lawful_route_exists`` asks of subjects, asked of
    the agencies, since a record may hold no subject at all."""
    return holder_agency_id in await sharing_partners(db, viewer_agency_id, purpose, gate.today)


async def gated_record(
    db: AsyncSession,
    gate: GateContext,
    *,
    actor: Principal,
    purpose: Purpose,
    holder_agency_id: uuid.UUID,
    subjects: Sequence[SubjectInRecord],
    texts: Mapping[str, str | None],
    written_by: Mapping[str, uuid.UUID] | None = None,
    context_kind: str,
    context_id: uuid.UUID,
    details: Mapping[str, object] | None = None,
) -> GatedView:
    """Through the gate; ``written_by`` names texts another agency wrote (its
    answer or its response), which are otherwise the holder's. ``details``
    go on the ledger entry with the rest (codes and digests only)."""
    user_id = actor.user_id
    view = await disclose(
        db,
        gate,
        viewer=Viewer(actor.agency_id, user_id),
        purpose=purpose,
        subjects=subjects,
        texts=texts,
        texts_held_by={name: holder_agency_id for name in texts} | dict(written_by or {}),
        context_kind=context_kind,
        context_id=context_id,
    )
    # What another agency wrote, read here: its texts left it, whether or not
    # anyone the hub holds is named in them, so the read itself is recorded.
    owners = {name: (written_by or {}).get(name, holder_agency_id) for name in texts}
    shown = sorted(
        name for name, text in texts.items() if text is not None and owners[name] != actor.agency_id
    )
    if shown:
        await gate.audit.record(
            db=db,
            event=AuditEvent(
                kind="disclosure",
                at=gate.now,
                user_id=user_id,
                agency_id=actor.agency_id,
                reason="protocol",
                details={
                    "holding_agency_id": str(owners[shown[0]]),
                    "purpose": purpose.value,
                    "context_kind": context_kind,
                    "context_id": str(context_id),
                    "subjects": 0,
                    "texts": shown,
                    **(details or {}),
                },
            ),
        )
    return view
