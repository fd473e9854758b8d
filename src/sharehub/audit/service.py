"""Reading the ledger: checkpoints and inclusion proofs."""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.disclosure.gated import Reference
from sharehub.audit import merkle
from sharehub.audit.checkpoints import CheckpointSigner, ExportedCheckpoint
from sharehub.audit.ledger import checkpoint_now
from sharehub.audit.models import Checkpoint, LedgerEntry
from sharehub.errors import NotFound
from sharehub.privacy.models import Subject


class InclusionProof(msgspec.Struct, kw_only=True):
    """RFC 6962 inclusion proof of one entry in a signed tree.

    Check it: SHA-256(0x00 || body) is ``leaf_hash``; folding ``audit_path``
    into it as RFC 9162 section 2.1.3.2 describes gives ``checkpoint.root_hash``;
    and the checkpoint's signature verifies with the hub's ledger key."""

    seq: int
    # The entry itself, for the agency it concerns (its actor's agency, or the
    # holder of its subject); null for anyone else, who still gets the proof.
    body: Reference | None
    leaf_hash: Reference
    tree_size: int
    audit_path: list[Reference]
    checkpoint: ExportedCheckpoint


async def latest_checkpoint(db: AsyncSession, signer: CheckpointSigner) -> ExportedCheckpoint:
    """The ledger as it stands now, signed (a new checkpoint if it has grown)."""
    return signer.export(await checkpoint_now(db, signer))


async def _concerns(db: AsyncSession, entry: LedgerEntry, agency_id: uuid.UUID) -> bool:
    if entry.agency_id == agency_id:
        return True
    if entry.subject_id is None:
        return False
    holder = await db.scalar(
        select(Subject.holding_agency_id).where(Subject.id == entry.subject_id)
    )
    return holder == agency_id


async def inclusion_proof(
    db: AsyncSession, signer: CheckpointSigner, seq: int, agency_id: uuid.UUID
) -> InclusionProof:
    """A proof anyone with audit rights may check; the entry's content only for
    the agency it concerns (another agency's events are not theirs to read)."""
    entry = await db.get(LedgerEntry, seq)
    if entry is None:
        raise NotFound("ledger entry")
    checkpoint = await db.scalar(
        select(Checkpoint).where(Checkpoint.tree_size > seq).order_by(Checkpoint.tree_size)
    )
    if checkpoint is None:
        checkpoint = await checkpoint_now(db, signer)
    leaves = [
        bytes.fromhex(h)
        for h in await db.scalars(
            select(LedgerEntry.leaf_hash)
            .where(LedgerEntry.seq < checkpoint.tree_size)
            .order_by(LedgerEntry.seq)
        )
    ]
    return InclusionProof(
        seq=seq,
        body=entry.body if await _concerns(db, entry, agency_id) else None,
        leaf_hash=entry.leaf_hash,
        tree_size=checkpoint.tree_size,
        audit_path=[h.hex() for h in merkle.inclusion_path(seq, leaves)],
        checkpoint=signer.export(checkpoint),
    )
