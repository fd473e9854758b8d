"""How fast is the audit ledger?

Appends N entries, each in its own transaction as an action would, then
verifies the whole ledger. Prints appends per second and verified entries per
second, each against a bare baseline measured in the same run: SHA-256 of the
same entry bytes (what a hash chain costs at the least).

Run: python bench/audit.py [--entries N] [--database-url URL]
(default: a temporary SQLite file; give a PostgreSQL URL to measure that.)
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from sqlalchemy import select  # noqa: E402

from conftest import migrate, reset_database  # noqa: E402
from sharehub.audit.checkpoints import CheckpointSigner  # noqa: E402
from sharehub.audit.events import AuditEvent, MemorySink  # noqa: E402
from sharehub.audit.ledger import Ledger  # noqa: E402
from sharehub.audit.models import LedgerEntry  # noqa: E402
from sharehub.audit.verify import verify_ledger  # noqa: E402
from sharehub.config import normalise_database_url  # noqa: E402
from sharehub.db.base import utcnow  # noqa: E402
from sharehub.db.engine import create_engine, create_session_factory  # noqa: E402


def event(n: int) -> AuditEvent:
    return AuditEvent(
        kind="disclosure",
        at=utcnow(),
        user_id=uuid.uuid4(),
        agency_id=uuid.uuid4(),
        subject_id=uuid.uuid4(),
        reason="consent",
        details={"disclosure_id": str(uuid.uuid4()), "purpose": "marac", "shown": ["name"]},
    )


async def run(url: str, entries: int) -> None:
    await reset_database(url)
    await migrate(url)
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    signer = CheckpointSigner(b"b" * 32, "https://hub.example.org")
    ledger = Ledger(sessions, signer, checkpoint_every=256, forward=MemorySink())

    start = time.perf_counter()
    for n in range(entries):
        async with sessions() as db, db.begin():
            await ledger.record(event(n), db)
    appends = entries / (time.perf_counter() - start)

    start = time.perf_counter()
    report = await verify_ledger(engine, signer)
    verified = report.entries / (time.perf_counter() - start)
    assert report.ok, report.problem

    async with sessions() as db:
        bodies = [b.encode() for b in await db.scalars(select(LedgerEntry.body))]
    await engine.dispose()
    start = time.perf_counter()
    for _ in range(20):
        for body in bodies:
            hashlib.sha256(b"\x00" + body).digest()
    hashes = 20 * len(bodies) / (time.perf_counter() - start)

    print(
        f"database: {url.split('://')[0]}, entries: {entries}, "
        f"mean entry {sum(map(len, bodies)) // len(bodies)} bytes"
    )
    print(f"baseline SHA-256 of the same bytes: {hashes:12,.0f} /s")
    print(f"appends (one transaction each):     {appends:12,.0f} /s  ratio {appends / hashes:.5f}")
    print(
        f"verified entries:                   {verified:12,.0f} /s  ratio {verified / hashes:.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = normalise_database_url(args.database_url or f"sqlite:///{scratch}/bench.db")
        asyncio.run(run(url, args.entries))


if __name__ == "__main__":
    main()
