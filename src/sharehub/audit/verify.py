"""Checking the whole ledger: ``sharehub audit verify``.

Reads every entry in order and checks, for each: that none is missing
(positions run 0, 1, 2… without a gap), that its content still hashes to its
recorded leaf hash, that it records its own position (catches entries moved or
inserted), and that it names the hash of the entry before it (catches an entry
rewritten with a fresh hash: the next one disagrees). The running Merkle root
must equal every signed checkpoint's root at that size, and every witness
checkpoint a partner agency exported; the ledger must be at least as long as
the largest of them (catches a truncated tail) and end where its state row
says. The first problem found is reported with the entry it concerns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from sharehub.audit import merkle
from sharehub.audit.checkpoints import (
    CheckpointSigner,
    ExportedCheckpoint,
    verify_exported,
)
from sharehub.audit.ledger import STATE_ID, decode
from sharehub.audit.models import Checkpoint, LedgerEntry, LedgerState


@dataclass
class Report:
    entries: int = 0
    root_hash: str = merkle.EMPTY_ROOT.hex()
    checkpoints_checked: int = 0
    witnesses_checked: int = 0
    # The first problem: the entry it concerns (None: the ledger as a whole) and what.
    bad_entry: int | None = None
    problem: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None


def _fail(report: Report, entry: int | None, problem: str) -> Report:
    report.bad_entry, report.problem = entry, problem
    return report


async def verify_ledger(
    engine: AsyncEngine,
    signer: CheckpointSigner,
    *,
    witnesses: Sequence[ExportedCheckpoint] = (),
    trusted_keys: Sequence[Ed25519PublicKey] = (),
    batch_size: int = 5000,
    progress: Callable[[int], None] = lambda _: None,
) -> Report:
    report = Report()
    keys = [signer.public_key, *trusted_keys]
    for witness in witnesses:
        if not any(verify_exported(witness, key) for key in keys):
            return _fail(
                report,
                None,
                f"witness checkpoint of size {witness.tree_size} "
                "is not signed by this hub's ledger key",
            )
    async with engine.connect() as connection:
        checkpoints = {c.tree_size: c for c in (await connection.execute(select(Checkpoint))).all()}
        state = (
            await connection.execute(select(LedgerState).where(LedgerState.id == STATE_ID))
        ).first()
    by_size: dict[int, list[tuple[str, str]]] = {}
    for size, checkpoint in checkpoints.items():
        signed = Checkpoint(
            tree_size=checkpoint.tree_size,
            root_hash=checkpoint.root_hash,
            signed_at=checkpoint.signed_at,
            key_id=checkpoint.key_id,
            signature=checkpoint.signature,
        )
        if not signer.verifies(signed):
            return _fail(report, None, f"the checkpoint at size {size} has a bad signature")
        by_size.setdefault(size, []).append(("checkpoint", checkpoint.root_hash))
    for witness in witnesses:
        by_size.setdefault(witness.tree_size, []).append(("witness", witness.root_hash))
    if 0 in by_size:
        for _, root_hash in by_size[0]:
            if root_hash != merkle.EMPTY_ROOT.hex():
                return _fail(report, None, "a checkpoint of the empty ledger does not match")

    frontier: list[bytes] = []
    previous = ""
    last_good = 0  # the largest size a signed root confirmed
    expected = 0
    while True:
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(LedgerEntry.seq, LedgerEntry.body, LedgerEntry.leaf_hash)
                    .where(LedgerEntry.seq >= expected)
                    .order_by(LedgerEntry.seq)
                    .limit(batch_size)
                )
            ).all()
        if not rows:
            break
        for seq, body, stored_leaf in rows:
            if seq != expected:
                return _fail(report, expected, f"entry {expected} is missing (deleted)")
            try:
                content = decode(body)
            except msgspec.DecodeError:
                return _fail(report, seq, f"entry {seq} is not a ledger entry any more (altered)")
            leaf = merkle.leaf_hash(body.encode())
            if leaf.hex() != stored_leaf:
                return _fail(
                    report,
                    seq,
                    f"entry {seq} has been altered: its content no longer matches its hash",
                )
            if content.seq != seq:
                return _fail(
                    report,
                    min(seq, content.seq),
                    (
                        f"entry {seq} holds what was recorded as entry {content.seq}: entries "
                        "were inserted, removed or reordered here"
                    ),
                )
            if content.prev != previous:
                return _fail(
                    report,
                    seq - 1,
                    (
                        f"entry {seq - 1} has been altered or replaced: entry {seq} recorded a "
                        "different hash for it"
                    ),
                )
            frontier = merkle.append(frontier, seq, leaf)
            previous = leaf.hex()
            expected = seq + 1
            for what, root_hash in by_size.get(expected, ()):
                if merkle.root(frontier).hex() != root_hash:
                    return _fail(
                        report,
                        last_good,
                        (
                            f"the history up to entry {expected - 1} was rewritten: it no longer "
                            f"matches the signed {what} of size {expected}; the first entry not "
                            f"covered by an earlier matching checkpoint is {last_good}"
                        ),
                    )
                report.checkpoints_checked += what == "checkpoint"
                report.witnesses_checked += what == "witness"
                last_good = expected
        progress(expected)
    report.entries = expected
    report.root_hash = merkle.root(frontier).hex()
    longest = max(by_size, default=0)
    if longest > expected:
        return _fail(
            report,
            expected,
            (
                f"the ledger ends at {expected} entries but a signed checkpoint covers {longest}: "
                "entries at the end were removed"
            ),
        )
    if state is None:
        return _fail(report, None, "the ledger's state row is missing")
    if state.size != expected:
        return _fail(
            report,
            min(state.size, expected),
            (
                f"the ledger holds {expected} entries but recorded {state.size}: entries at "
                "the end were "
                + ("removed" if state.size > expected else "added without being recorded")
            ),
        )
    if state.root_hash != report.root_hash or (state.last_leaf_hash or "") != previous:
        return _fail(
            report,
            max(expected - 1, 0),
            f"entry {expected - 1}, the last, has been altered: the recorded root no longer "
            "matches",
        )
    return report
