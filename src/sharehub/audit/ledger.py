"""The tamper-evident audit ledger.

Every audit event is appended as an entry in the same database transaction as
the action it records: no disclosure without its entry, no entry for an action
that rolled back. Each entry's canonical JSON (sorted keys, its position, the
hash of the entry before it, and the event) is hashed into an RFC 6962 Merkle
tree (``merkle.py``); the tree's size and root are signed as checkpoints
(``checkpoints.py``) every ``checkpoint_every`` entries and on demand.

Appends lock the single ``ledger_state`` row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite transactions are already serialised), so concurrent
writers queue: the tree never forks and no entry is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sharehub.audit import merkle
from sharehub.audit.checkpoints import CheckpointSigner
from sharehub.audit.events import AuditEvent, AuditSink
from sharehub.audit.models import Checkpoint, LedgerEntry, LedgerState
from sharehub.db.base import utcnow

STATE_ID = 1


class EntryBody(msgspec.Struct, frozen=True, kw_only=True):
    """What is hashed. ``prev`` chains each entry to the one before it, so an
    entry changed in place is named by the entry after it."""

    seq: int
    prev: str
    recorded_at: datetime
    event: AuditEvent


def encode(body: EntryBody) -> bytes:
    return msgspec.json.encode(body, order="sorted")


def decode(raw: str | bytes) -> EntryBody:
    return msgspec.json.decode(raw, type=EntryBody)


async def _locked_state(db: AsyncSession) -> LedgerState:
    state = await db.scalar(
        select(LedgerState)
        .where(LedgerState.id == STATE_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if state is None:
        raise RuntimeError("the ledger state row is missing: run `sharehub db upgrade`")
    return state


async def append(
    db: AsyncSession,
    event: AuditEvent,
    *,
    signer: CheckpointSigner | None = None,
    checkpoint_every: int = 0,
    now: datetime | None = None,
) -> LedgerEntry:
    """Append one entry in the caller's transaction."""
    now = now or utcnow()
    state = await _locked_state(db)
    body = encode(
        EntryBody(seq=state.size, prev=state.last_leaf_hash or "", recorded_at=now, event=event)
    )
    leaf = merkle.leaf_hash(body)
    frontier = merkle.append([bytes.fromhex(h) for h in state.frontier], state.size, leaf)
    entry = LedgerEntry(
        seq=state.size,
        recorded_at=now,
        kind=event.kind,
        user_id=event.user_id,
        agency_id=event.agency_id,
        subject_id=event.subject_id,
        body=body.decode(),
        leaf_hash=leaf.hex(),
    )
    db.add(entry)
    state.size += 1
    state.frontier = [h.hex() for h in frontier]
    state.root_hash = merkle.root(frontier).hex()
    state.last_leaf_hash = leaf.hex()
    if (
        signer is not None
        and checkpoint_every
        and (state.size - state.checkpointed_size >= checkpoint_every)
    ):
        db.add(signer.sign(state.size, state.root_hash, now))
        state.checkpointed_size = state.size
    await db.flush()
    return entry


async def checkpoint_now(
    db: AsyncSession, signer: CheckpointSigner, now: datetime | None = None
) -> Checkpoint:
    """Sign the ledger as it stands (or return the checkpoint of that size)."""
    state = await _locked_state(db)
    existing = await db.get(Checkpoint, state.size)
    if existing is not None:
        return existing
    checkpoint = signer.sign(state.size, state.root_hash, now or utcnow())
    db.add(checkpoint)
    state.checkpointed_size = state.size
    await db.flush()
    return checkpoint


class Ledger:
    """The hub's audit sink: every event into the ledger, then on to a log or
    a test's memory. ``db`` is the transaction of the action being recorded;
    without one (a failed sign-in, a refused request) the entry gets its own."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        signer: CheckpointSigner,
        *,
        checkpoint_every: int,
        forward: AuditSink,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.session_factory = session_factory
        self.signer = signer
        self.checkpoint_every = checkpoint_every
        self.forward = forward
        self.clock = clock

    async def record(self, event: AuditEvent, db: AsyncSession | None = None) -> None:
        options = {"signer": self.signer, "checkpoint_every": self.checkpoint_every}
        if db is not None:
            await append(db, event, now=self.clock(), **options)
        else:
            async with self.session_factory() as own, own.begin():
                await append(own, event, now=self.clock(), **options)
        await self.forward.record(event)
