"""The tamper-evident ledger: appends in the action's transaction, concurrent
writers, signed checkpoints, inclusion proofs, and `sharehub audit verify`
catching every kind of tampering with the stored entries."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from collections.abc import Callable

import msgspec
import pytest
from sqlalchemy import delete, func, select, text, update

from conftest import migrate, on_postgres, reset_database
from helpers import gate_for
from sharehub.audit import merkle
from sharehub.audit.checkpoints import CheckpointSigner, ExportedCheckpoint, verify_exported
from sharehub.audit.events import AuditEvent, MemorySink
from sharehub.audit.ledger import EntryBody, Ledger, decode, encode
from sharehub.audit.models import Checkpoint, LedgerEntry, LedgerState
from sharehub.audit.verify import verify_ledger
from sharehub.cli import main
from sharehub.config import Settings
from sharehub.db.base import utcnow
from sharehub.db.engine import create_engine, create_session_factory

SIZE = 12


def event(n: int) -> AuditEvent:
    return AuditEvent(
        kind="disclosure" if n % 2 else "consent_recorded",
        at=utcnow(),
        user_id=uuid.uuid4(),
        agency_id=uuid.uuid4(),
        subject_id=uuid.uuid4(),
        details={"n": n},
    )


def signer_for(url: str) -> CheckpointSigner:
    settings = Settings(env="development", database_url=url)
    return CheckpointSigner(settings.ledger_key, settings.public_url or "")


async def filled(url: str, size: int = SIZE, every: int = 1000) -> None:
    await reset_database(url)
    await migrate(url)
    engine = create_engine(url)
    ledger = Ledger(
        create_session_factory(engine),
        signer_for(url),
        checkpoint_every=every,
        forward=MemorySink(),
    )
    for n in range(size):
        await ledger.record(event(n))
    await engine.dispose()


async def export_witness(url: str, path) -> ExportedCheckpoint:
    from sharehub.audit.service import latest_checkpoint

    engine = create_engine(url)
    async with create_session_factory(engine)() as db, db.begin():
        exported = await latest_checkpoint(db, signer_for(url))
    await engine.dispose()
    path.write_bytes(msgspec.json.encode(exported))
    return exported


async def tamper(url: str, change: Callable) -> None:
    """Change the stored ledger as someone with database access could (on
    PostgreSQL that takes a superuser switching the append-only trigger off)."""
    engine = create_engine(url)
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(text("SET LOCAL session_replication_role = replica"))
        await change(connection)
    await engine.dispose()


def rehash(body: str) -> str:
    return merkle.leaf_hash(body.encode()).hex()


def forged(seq: int, prev: str, note: str) -> str:
    original = EntryBody(seq=seq, prev=prev, recorded_at=utcnow(), event=event(99))
    body = msgspec.structs.replace(
        original, event=msgspec.structs.replace(original.event, reason=note)
    )
    return encode(body).decode()


async def rows(connection) -> list[tuple[int, str, str]]:
    result = await connection.execute(
        select(LedgerEntry.seq, LedgerEntry.body, LedgerEntry.leaf_hash).order_by(LedgerEntry.seq)
    )
    return [tuple(r) for r in result]


async def rechain(connection, start: int) -> None:
    """Rewrite every entry from ``start`` on so the chain and state look whole."""
    entries = await rows(connection)
    previous = entries[start - 1][2] if start else ""
    frontier: list[bytes] = []
    for seq, body, leaf in entries:
        if seq >= start:
            content = decode(body)
            body = encode(msgspec.structs.replace(content, seq=seq, prev=previous)).decode()
            leaf = rehash(body)
            await connection.execute(
                update(LedgerEntry).where(LedgerEntry.seq == seq).values(body=body, leaf_hash=leaf)
            )
        frontier = merkle.append(frontier, seq, bytes.fromhex(leaf))
        previous = leaf
    await connection.execute(
        update(LedgerState).values(
            size=len(entries),
            root_hash=merkle.root(frontier).hex(),
            last_leaf_hash=previous or None,
            frontier=[h.hex() for h in frontier],
            checkpointed_size=0,
        )
    )
    await connection.execute(delete(Checkpoint))


async def modify_in_place(connection):
    body = (await rows(connection))[5][1].replace('"n":5', '"n":55')
    await connection.execute(update(LedgerEntry).where(LedgerEntry.seq == 5).values(body=body))


async def modify_and_rehash(connection):
    body = (await rows(connection))[5][1].replace('"n":5', '"n":55')
    await connection.execute(
        update(LedgerEntry).where(LedgerEntry.seq == 5).values(body=body, leaf_hash=rehash(body))
    )


async def delete_one(connection):
    await connection.execute(delete(LedgerEntry).where(LedgerEntry.seq == 5))


async def insert_one(connection):
    entries = await rows(connection)
    for seq in range(len(entries) - 1, 4, -1):
        await connection.execute(
            update(LedgerEntry).where(LedgerEntry.seq == seq).values(seq=seq + 1)
        )
    body = forged(5, entries[4][2], "inserted")
    await connection.execute(
        LedgerEntry.__table__.insert().values(
            seq=5, recorded_at=utcnow(), kind="disclosure", body=body, leaf_hash=rehash(body)
        )
    )


async def reorder(connection):
    entries = await rows(connection)
    for seq, (_, body, leaf) in ((5, entries[6]), (6, entries[5])):
        await connection.execute(
            update(LedgerEntry).where(LedgerEntry.seq == seq).values(body=body, leaf_hash=leaf)
        )


async def truncate_tail(connection):
    await connection.execute(delete(LedgerEntry).where(LedgerEntry.seq >= SIZE - 3))
    await rechain(connection, SIZE - 3)


async def rewrite_history(connection):
    body = (await rows(connection))[5][1].replace('"n":5', '"n":55')
    await connection.execute(update(LedgerEntry).where(LedgerEntry.seq == 5).values(body=body))
    await rechain(connection, 5)


TAMPERING = {
    "an entry changed in place": (modify_in_place, "entry 5: entry 5 has been altered"),
    "an entry changed and re-hashed": (modify_and_rehash, "entry 5: entry 5 has been altered"),
    "an entry deleted": (delete_one, "entry 5: entry 5 is missing"),
    "an entry inserted": (insert_one, "entry 5: entry 6 holds what was recorded as entry 5"),
    "two entries swapped": (reorder, "entry 5: entry 5 holds what was recorded as entry 6"),
    "the tail truncated and the state fixed up": (truncate_tail, "entries at the end were removed"),
    "history rewritten and re-chained": (rewrite_history, "was rewritten"),
}


@pytest.mark.parametrize("how", list(TAMPERING))
def test_verify_names_the_first_bad_entry_for_every_kind_of_tampering(
    how, fresh_database_url, monkeypatch, capsys, tmp_path
):
    url = fresh_database_url
    change, named = TAMPERING[how]
    asyncio.run(filled(url))
    witness = tmp_path / "witness.json"
    asyncio.run(export_witness(url, witness))
    monkeypatch.setenv("SHAREHUB_DATABASE_URL", url)
    assert main(["audit", "verify", "--witness", str(witness)]) == 0
    assert f"ledger verified: {SIZE} entries" in capsys.readouterr().out

    asyncio.run(tamper(url, change))
    assert main(["audit", "verify", "--witness", str(witness)]) == 1
    out = capsys.readouterr().out
    assert "LEDGER DOES NOT VERIFY" in out and named in out, out


def test_a_forged_witness_is_refused(fresh_database_url, monkeypatch, capsys, tmp_path):
    url = fresh_database_url
    asyncio.run(filled(url))
    witness = tmp_path / "witness.json"
    exported = asyncio.run(export_witness(url, witness))
    forged_root = msgspec.structs.replace(exported, root_hash="00" * 32)
    witness.write_bytes(msgspec.json.encode(forged_root))
    monkeypatch.setenv("SHAREHUB_DATABASE_URL", url)
    assert main(["audit", "verify", "--witness", str(witness)]) == 1
    assert "not signed by this hub" in capsys.readouterr().out


def test_checkpoints_are_signed_automatically_and_on_demand(
    fresh_database_url, capsys, monkeypatch
):
    url = fresh_database_url
    asyncio.run(filled(url, size=10, every=4))

    async def stored():
        engine = create_engine(url)
        async with engine.connect() as connection:
            found = [r.tree_size for r in (await connection.execute(select(Checkpoint))).all()]
        await engine.dispose()
        return sorted(found)

    assert asyncio.run(stored()) == [4, 8]
    monkeypatch.setenv("SHAREHUB_DATABASE_URL", url)
    assert main(["audit", "checkpoint"]) == 0
    exported = msgspec.json.decode(capsys.readouterr().out, type=ExportedCheckpoint)
    assert exported.tree_size == 10
    assert verify_exported(exported, signer_for(url).public_key)
    assert asyncio.run(stored()) == [4, 8, 10]


async def test_an_action_that_rolls_back_leaves_no_entry(fresh_database_url):
    url = fresh_database_url
    await filled(url, size=3)
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    ledger = Ledger(sessions, signer_for(url), checkpoint_every=1000, forward=MemorySink())
    with pytest.raises(RuntimeError):
        async with sessions() as db, db.begin():
            await ledger.record(event(3), db)
            raise RuntimeError("the action failed after its audit entry was written")
    async with sessions() as db:
        assert await db.scalar(select(func.count()).select_from(LedgerEntry)) == 3
        assert (await db.get(LedgerState, 1)).size == 3
    report = await verify_ledger(engine, signer_for(url))
    await engine.dispose()
    assert report.ok and report.entries == 3


@pytest.mark.skipif(not on_postgres(), reason="the database enforces append-only on PostgreSQL")
async def test_postgres_refuses_to_change_or_delete_an_entry(fresh_database_url):
    from sqlalchemy.exc import DBAPIError

    url = fresh_database_url
    await filled(url, size=2)
    engine = create_engine(url)
    for statement in (
        update(LedgerEntry).where(LedgerEntry.seq == 0).values(kind="logout"),
        delete(LedgerEntry).where(LedgerEntry.seq == 1),
        text("TRUNCATE ledger_entries"),
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as connection:
                await connection.execute(statement)
    await engine.dispose()


async def test_fifty_concurrent_writers_give_fifty_entries_and_a_ledger_that_verifies(
    fresh_database_url,
):
    url = fresh_database_url
    await filled(url, size=0)
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    ledger = Ledger(sessions, signer_for(url), checkpoint_every=7, forward=MemorySink())

    async def write(n: int) -> None:
        async with sessions() as db, db.begin():
            await ledger.record(event(n), db)

    await asyncio.gather(*(write(n) for n in range(50)))
    async with sessions() as db:
        bodies = [decode(b) for b in await db.scalars(select(LedgerEntry.body))]
    assert sorted(b.event.details["n"] for b in bodies) == list(range(50))
    report = await verify_ledger(engine, signer_for(url))
    await engine.dispose()
    assert report.ok and report.entries == 50 and report.checkpoints_checked == 7


def test_verify_reads_the_witness_file_strictly(fresh_database_url, monkeypatch, tmp_path, capsys):
    url = fresh_database_url
    asyncio.run(filled(url, size=1))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"tree_size": "many"}))
    monkeypatch.setenv("SHAREHUB_DATABASE_URL", url)
    assert main(["audit", "verify", "--witness", str(bad)]) == 2
    assert "not a checkpoint file" in capsys.readouterr().err


# --- with the hub running -------------------------------------------------------------

from sharehub.privacy.models import Disclosure, Subject  # noqa: E402
from test_privacy import ASB, complainant, consent_body, partners, record, seen_by  # noqa: E402,F401
from test_protocols import cast  # noqa: E402,F401


async def test_each_disclosure_has_its_entry_with_a_proof_and_a_failed_one_has_neither(
    partners,  # noqa: F811
    settings,
):
    from sharehub.audit.service import InclusionProof
    from sharehub.calendar import local_today
    from sharehub.crypto import FieldCipher
    from sharehub.disclosure.gate import SubjectInRecord, Viewer, disclose
    from sharehub.protocols.engine import SubjectRole
    from sharehub.protocols.gateways import default_rules
    from sharehub.protocols.terms import Purpose

    victim = await record(partners.officer, complainant())
    await seen_by(partners.viewer, victim["id"])
    engine = create_engine(settings.database_url)
    sessions = create_session_factory(engine)
    async with sessions() as db:
        [disclosure] = (await db.scalars(select(Disclosure))).all()
        entries = (
            await db.scalars(select(LedgerEntry).where(LedgerEntry.kind == "disclosure"))
        ).all()
    [entry] = entries
    assert decode(entry.body).event.details["disclosure_id"] == str(disclosure.id)
    assert entry.subject_id == disclosure.subject_id

    dpo = await partners.person("home-dpo", ["data_protection_officer"])
    proof = await dpo.get(f"/api/audit/entries/{entry.seq}/proof")
    assert proof.status_code == 200, proof.text
    proof = msgspec.json.decode(proof.content, type=InclusionProof)
    root = bytes.fromhex(proof.checkpoint.root_hash)
    leaf = merkle.leaf_hash(proof.body.encode())
    assert leaf.hex() == proof.leaf_hash
    path = [bytes.fromhex(h) for h in proof.audit_path]
    assert merkle.verify_inclusion(proof.seq, proof.tree_size, leaf, path, root)
    assert verify_exported(proof.checkpoint, signer_for(settings.database_url).public_key)
    assert (await dpo.get("/api/audit/entries/999999/proof")).status_code == 404
    # The other agency's practitioner may not read the ledger.
    assert (await partners.viewer.get(f"/api/audit/entries/{entry.seq}/proof")).status_code == 403
    # Another agency's DPO gets the proof of an entry that is not theirs, not its content.
    consented = await partners.officer.post(
        f"/api/subjects/{victim['id']}/consents", json=consent_body(partners)
    )
    assert consented.status_code == 201, consented.text
    async with sessions() as db:
        own = await db.scalar(select(LedgerEntry.seq).where(LedgerEntry.kind == "consent_recorded"))
    theirs = await partners.person("other-dpo", ["data_protection_officer"], "other-agency")
    hidden = msgspec.json.decode(
        (await theirs.get(f"/api/audit/entries/{own}/proof")).content, type=InclusionProof
    )
    assert hidden.body is None and hidden.leaf_hash and hidden.audit_path is not None
    shown = msgspec.json.decode(
        (await dpo.get(f"/api/audit/entries/{own}/proof")).content, type=InclusionProof
    )
    assert shown.body is not None and merkle.leaf_hash(shown.body.encode()).hex() == shown.leaf_hash

    # A read whose transaction fails leaves neither a disclosure nor an entry.
    ledger = Ledger(
        sessions, signer_for(settings.database_url), checkpoint_every=1000, forward=MemorySink()
    )
    async with sessions() as db:
        before = await db.scalar(select(func.count()).select_from(LedgerEntry))
        subject = await db.get(Subject, uuid.UUID(victim["id"]))
    with pytest.raises(RuntimeError):
        async with sessions() as db, db.begin():
            subject = await db.get(Subject, uuid.UUID(victim["id"]))
            await disclose(
                db,
                gate_for(settings, ledger),
                viewer=Viewer(uuid.UUID(partners.other_id)),
                purpose=Purpose(ASB),
                subjects=[SubjectInRecord(subject, SubjectRole.COMPLAINANT)],
                context_kind="test",
                context_id=None,
            )
            raise RuntimeError("the response could not be built")
    async with sessions() as db:
        assert await db.scalar(select(func.count()).select_from(LedgerEntry)) == before
        assert await db.scalar(select(func.count()).select_from(Disclosure)) == 1
    report = await verify_ledger(engine, signer_for(settings.database_url))
    await engine.dispose()
    assert report.ok, report.problem


async def test_fifty_concurrent_disclosures_give_fifty_entries_and_a_ledger_that_verifies(
    partners,  # noqa: F811
    settings,
):
    from sharehub.calendar import local_today
    from sharehub.crypto import FieldCipher
    from sharehub.disclosure.gate import SubjectInRecord, Viewer, disclose
    from sharehub.protocols.engine import SubjectRole
    from sharehub.protocols.gateways import default_rules
    from sharehub.protocols.terms import Purpose

    victim = await record(partners.officer, complainant())
    engine = create_engine(settings.database_url)
    sessions = create_session_factory(engine)
    signer = signer_for(settings.database_url)
    ledger = Ledger(sessions, signer, checkpoint_every=16, forward=MemorySink())
    async with sessions() as db:
        before = await db.scalar(select(func.count()).select_from(LedgerEntry))

    async def one() -> uuid.UUID:
        async with sessions() as db, db.begin():
            subject = await db.get(Subject, uuid.UUID(victim["id"]))
            view = await disclose(
                db,
                gate_for(settings, ledger),
                viewer=Viewer(uuid.UUID(partners.other_id)),
                purpose=Purpose(ASB),
                subjects=[SubjectInRecord(subject, SubjectRole.COMPLAINANT)],
                context_kind="test",
                context_id=None,
            )
        return view.disclosure_ids[0]

    made = await asyncio.gather(*(one() for _ in range(50)))
    async with sessions() as db:
        bodies = [
            decode(b)
            for b in await db.scalars(
                select(LedgerEntry.body).where(LedgerEntry.seq >= before).order_by(LedgerEntry.seq)
            )
        ]
        stored = set(await db.scalars(select(Disclosure.id)))
    recorded = [uuid.UUID(b.event.details["disclosure_id"]) for b in bodies]
    assert len(recorded) == 50 and set(recorded) == set(made) <= stored
    report = await verify_ledger(engine, signer)
    await engine.dispose()
    assert report.ok, report.problem
    assert report.entries == before + 50


async def test_exports_from_the_command_line_show_progress(partners, settings, tmp_path):  # noqa: F811
    victim = await record(partners.officer, complainant())
    await seen_by(partners.viewer, victim["id"])
    out = tmp_path / "sar.csv"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sharehub",
        "audit",
        "subject-access",
        victim["id"],
        "--format",
        "csv",
        "--output",
        str(out),
        env={**os.environ, "SHAREHUB_DATABASE_URL": settings.database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    assert "1 rows" in err.decode()
    lines = out.read_text().splitlines()
    assert lines[0].startswith("disclosure_id,") and len(lines) == 2
    assert victim["id"] in lines[1] and "Thwaite" not in out.read_text()
    # The export is itself a ledger entry, as over HTTP.
    engine = create_engine(settings.database_url)
    async with create_session_factory(engine)() as db:
        exported = await db.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(
                LedgerEntry.kind == "subject_access_exported",
                LedgerEntry.subject_id == uuid.UUID(victim["id"]),
            )
        )
    await engine.dispose()
    assert exported == 1
