"""Key rotation: every sealed field re-encrypted under the new key in batches,
readable at every point, and resumable after an interruption."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

import pytest
from sqlalchemy import select

from conftest import migrate, reset_database
from factories import home_agency_payload
from sharehub.agencies.service import create_agency
from sharehub.audit.events import MemorySink
from sharehub.cli import main
from sharehub.crypto import BlindIndex, FieldCipher, new_key, parse_keys
from sharehub.db.base import utcnow
from sharehub.db.engine import create_engine, create_session_factory
from sharehub.disclosure.context import GateContext
from sharehub.identity.principal import Principal
from sharehub.privacy.consent import record_consent, to_view
from sharehub.privacy.identity import unseal
from sharehub.privacy.models import Consent, Subject
from sharehub.privacy.schemas import ConsentCreate, IdentityIn, Recipients, SubjectCreate
from sharehub.privacy.subjects import create_subject
from sharehub.protocols.engine import SubjectRole
from sharehub.protocols.gateways import default_rules
from sharehub.protocols.terms import DataCategory, Purpose
from sharehub.rotation import rotate, sealed_columns
from support.people import FIRST_NAMES, LAST_NAMES

OLD, NEW = f"old:{new_key()}", f"new:{new_key()}"


async def seed(url: str, count: int) -> dict[uuid.UUID, str]:
    """``count`` subjects (and a consent each) sealed under the old key."""
    cipher, index = FieldCipher(parse_keys(OLD)), BlindIndex(b"i" * 32)
    engine = create_engine(url)
    names = {}
    async with create_session_factory(engine)() as db, db.begin():
        agency = await create_agency(db, home_agency_payload())
        actor = Principal(kind="machine", id=uuid.uuid4(), agency_id=agency.id)
        gate = GateContext(cipher, index, default_rules(), MemorySink(), utcnow(), date.today())
        for n in range(count):
            name = f"{FIRST_NAMES[n]} {LAST_NAMES[n]}"
            view = await create_subject(
                db,
                actor,
                SubjectCreate(
                    role=SubjectRole.WITNESS, identity=IdentityIn(name=name, phone="07700900123")
                ),
                gate,
            )
            names[view.id] = name
            await record_consent(
                db,
                actor,
                view.id,
                ConsentCreate(
                    purposes=[Purpose.MARAC],
                    recipients=Recipients(agencies=[agency.id]),
                    categories=[DataCategory.IDENTITY],
                    how_given="written",
                    evidence_note=f"Signed by {name}",
                ),
                gate,
            )
    await engine.dispose()
    return names


async def under(url: str, cipher: FieldCipher) -> tuple[dict[uuid.UUID, str], set[str]]:
    """Every subject's name as decrypted, and the key ids in use."""
    engine = create_engine(url)
    async with create_session_factory(engine)() as db:
        subjects = (await db.scalars(select(Subject))).all()
        consents = (await db.scalars(select(Consent))).all()
        names = {s.id: unseal(s, cipher).name for s in subjects}
        for consent in consents:
            gate = GateContext(cipher, BlindIndex(b"i" * 32), default_rules(), MemorySink(), utcnow(), date.today())
            view = to_view(consent, None, gate, consent.holding_agency_id)
            assert view.evidence_note.startswith("Signed by")
        kids = {s.name_encrypted.split(".")[1] for s in subjects}
        kids |= {c.evidence_note_encrypted.split(".")[1] for c in consents}
    await engine.dispose()
    return names, kids


@pytest.fixture
async def url(fresh_database_url):
    await reset_database(fresh_database_url)
    await migrate(fresh_database_url)
    return fresh_database_url


def test_every_sealed_column_is_known():
    names = {c.name for c in sealed_columns()}
    assert {
        "subjects.name",
        "subjects.nhs_number",
        "consents.evidence_note",
        "identity_providers.client_secret",
        "safeguarding_overrides.justification",
    } <= names
    # Every column that holds ciphertext is declared, so none is left behind.
    from sharehub.db.models import metadata

    stored = {
        f"{table.name}.{column.name.removesuffix('_encrypted')}"
        for table in metadata.tables.values()
        for column in table.columns
        if column.name.endswith("_encrypted")
    }
    assert stored == names


async def test_an_interrupted_rotation_leaves_every_row_readable_and_resumes(url):
    names = await seed(url, 7)
    both = FieldCipher(parse_keys(f"{NEW},{OLD}"))
    engine = create_engine(url)
    try:
        first = await rotate(engine, both, batch_size=3, max_batches=2)
        assert first[-1].done < first[-1].total or len(first) > 1
        read, kids = await under(url, both)
        assert read == names and kids == {"old", "new"}  # half-way, all readable

        seen = []
        rest = await rotate(engine, both, batch_size=3, report=seen.append)
        assert seen and all(p.failed == 0 for p in rest)
        read, kids = await under(url, both)
        assert read == names and kids == {"new"}
        # The old key can now be retired; a second run has nothing to do.
        assert all(p.total == 0 for p in await rotate(engine, both))
    finally:
        await engine.dispose()
    read, _ = await under(url, FieldCipher(parse_keys(NEW)))
    assert read == names


def test_the_command_reports_progress_and_fails_on_values_it_cannot_read(
    fresh_database_url, monkeypatch, capsys
):
    url = fresh_database_url
    asyncio.run(reset_database(url))
    asyncio.run(migrate(url))
    names = asyncio.run(seed(url, 4))
    monkeypatch.setenv("SHAREHUB_DATABASE_URL", url)
    monkeypatch.setenv("SHAREHUB_ENCRYPTION_KEYS", f"{NEW},{OLD}")
    assert main(["keys", "rotate", "--batch-size", "2"]) == 0
    out = capsys.readouterr().out
    assert "subjects.name: 2/4 re-encrypted" in out and "every sealed field is under key new" in out
    assert asyncio.run(under(url, FieldCipher(parse_keys(NEW))))[0] == names

    # A third key with the old ones forgotten: the values under "new" cannot be read.
    monkeypatch.setenv("SHAREHUB_ENCRYPTION_KEYS", f"third:{new_key()}")
    assert main(["keys", "rotate"]) == 1
    assert "could not be decrypted" in capsys.readouterr().out
