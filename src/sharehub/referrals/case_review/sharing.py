"""How a case review's contents reach another agency: only where a protocol in
force connects the agencies for the case review, and only through the
disclosure gate, which records each subject shown as a disclosure.

Some of a case review's text names no subject (a business named as the
victim, an answer with nobody linked): the gate then records no disclosure,
so the read is put on the ledger here, with the holding agency, the purpose
and the record, and no personal data.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.audit.events import AuditEvent
from sharehub.disclosure import records
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import (
    GatedView,
    SubjectInRecord,
    Viewer,
    disclose,
)
from sharehub.identity.principal import Principal
from sharehub.protocols.terms import Purpose

PURPOSE = Purpose.ASB_CASE_REVIEW


async def connected(
    db: AsyncSession, gate: GateContext, viewer_agency_id: uuid.UUID, holder_agency_id: uuid.UUID
) -> bool:
    """Whether a protocol in force connects the agencies for the case review."""
    return await records.connected(db, gate, viewer_agency_id, holder_agency_id, PURPOSE)


async def gated(
    db: AsyncSession,
    gate: GateContext,
    *,
    actor: Principal,
    holder_agency_id: uuid.UUID,
    subjects: Sequence[SubjectInRecord],
    texts: Mapping[str, str | None],
    written_by: Mapping[str, uuid.UUID] | None = None,
    context_kind: str,
    context_id: uuid.UUID,
) -> GatedView:
    """Through the gate; ``written_by`` names texts another body wrote (its answer
    or its response), which are otherwise the holder's."""
    user_id = actor.user_id
    view = await disclose(
        db,
        gate,
        viewer=Viewer(actor.agency_id, user_id),
        purpose=PURPOSE,
        subjects=subjects,
        texts=texts,
        texts_held_by={name: holder_agency_id for name in texts} | dict(written_by or {}),
        context_kind=context_kind,
        context_id=context_id,
    )
    shown = sorted(name for name, text in texts.items() if text is not None)
    if actor.agency_id != holder_agency_id and not view.disclosure_ids and shown:
        await gate.audit.record(
            db=db,
            event=AuditEvent(
                kind="disclosure",
                at=gate.now,
                user_id=user_id,
                agency_id=actor.agency_id,
                reason="protocol",
                details={
                    "holding_agency_id": str(holder_agency_id),
                    "purpose": PURPOSE.value,
                    "context_kind": context_kind,
                    "context_id": str(context_id),
                    "subjects": 0,
                    "texts": shown,
                },
            ),
        )
    return view
