"""The gate redacts, hub-wide, everyone the hub holds who is named in a text,
not only the record's own people; a household shares a protected person's
address protection; restricted references are withheld from agencies not
entitled to them; and the writer is told which names the record does not
link. Over a real database, with the home agency's subjects read by Otherton
under a signed protocol for ASB case management (see test_privacy.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from sharehub.audit.events import MemorySink
from sharehub.calendar import local_today
from sharehub.crypto import BlindIndex, FieldCipher
from sharehub.db.engine import create_engine, create_session_factory
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import SubjectInRecord, Viewer, disclose
from sharehub.identity.principal import Principal
from sharehub.privacy.models import Disclosure, Subject
from sharehub.privacy.schemas import IdentityIn, SubjectCreate
from sharehub.privacy.subjects import create_subject
from sharehub.protocols.engine import SubjectRole
from sharehub.protocols.gateways import default_rules
from sharehub.protocols.terms import Purpose
from support.people import fictional
from test_privacy import partners  # noqa: F401  (fixture)
from test_protocols import cast  # noqa: F401  (fixture)

RULES = default_rules()
ASB = Purpose.ASB_CASE_MANAGEMENT


@pytest.fixture
async def hub(settings, partners):  # noqa: F811
    engine = create_engine(settings.database_url)
    sessions = create_session_factory(engine)
    cipher, index = FieldCipher(settings.field_keys), BlindIndex(settings.index_key)
    audit = MemorySink()

    def gate() -> GateContext:
        now = datetime.now(UTC)
        return GateContext(cipher, index, RULES, audit, now, local_today(now))

    home = Principal(kind="machine", id=uuid.uuid4(), agency_id=uuid.UUID(partners.home_id))

    async def person(seed: int, role: SubjectRole, **changes) -> tuple[uuid.UUID, object]:
        identity = fictional(seed)
        fields = {
            "name": identity.name,
            "address": list(identity.address),
            "postcode": identity.postcode,
            "phone": identity.phone,
            "date_of_birth": identity.date_of_birth,
        } | changes
        async with sessions() as db, db.begin():
            view = await create_subject(
                db, home, SubjectCreate(role=role, identity=IdentityIn(**fields)), gate()
            )
        return view.id, fields

    async def read(
        subjects: list[tuple[uuid.UUID, SubjectRole]], text: str, viewer: str
    ) -> tuple[object, list[Disclosure]]:
        agency = uuid.UUID(partners.other_id if viewer == "other" else partners.home_id)
        context = uuid.uuid4()
        async with sessions() as db, db.begin():
            rows = [(await db.get(Subject, i), role) for i, role in subjects]
            gated = await disclose(
                db,
                gate(),
                viewer=Viewer(agency, None),
                purpose=ASB,
                subjects=[SubjectInRecord(s, role) for s, role in rows],
                texts={"narrative": text},
                texts_held_by=uuid.UUID(partners.home_id),
                context_kind="test",
                context_id=context,
            )
            disclosures = list(
                await db.scalars(select(Disclosure).where(Disclosure.context_id == context))
            )
        return gated, disclosures

    yield person, read
    await engine.dispose()


async def test_someone_the_hub_holds_is_withheld_wherever_a_text_names_them(hub):
    person, read = hub
    complainant_id, complainant = await person(901, SubjectRole.COMPLAINANT)
    _, neighbour = await person(902, SubjectRole.WITNESS)
    text = (
        f"{complainant['name']} says {neighbour['name']} of {neighbour['address'][0]} saw it; "
        f"{neighbour['name'].split()[1]} will give a statement."
    )
    gated, disclosures = await read([(complainant_id, SubjectRole.COMPLAINANT)], text, "other")
    shown = gated.texts["narrative"]
    assert neighbour["name"] not in shown and neighbour["address"][0] not in shown
    assert neighbour["name"].split()[1] not in shown
    assert shown == (
        "Complainant A says Person A of [address of Person A] saw it; Person A will give a "
        "statement."
    )
    # Text about the neighbour reached another agency: a disclosure with nothing shown.
    named = [d for d in disclosures if d.subject_id != complainant_id]
    assert len(named) == 1 and named[0].shown == [] and set(named[0].withheld) == {
        "name", "address",
    }  # fmt: skip

    # The agency that wrote it and holds them both reads it as written.
    own, none = await read([(complainant_id, SubjectRole.COMPLAINANT)], text, "home")
    assert own.texts["narrative"] == text and none == []


async def test_a_person_at_a_protected_persons_address_has_it_withheld_with_theirs(hub):
    person, read = hub
    victim_id, victim = await person(903, SubjectRole.VICTIM)
    shared = {"address": victim["address"], "postcode": victim["postcode"]}
    perpetrator_id, perpetrator = await person(904, SubjectRole.PERPETRATOR, **shared)
    gated, disclosures = await read([(perpetrator_id, SubjectRole.PERPETRATOR)], "", "other")
    [seen] = gated.people
    # The protocol lets Otherton see an alleged perpetrator's identity and contact
    # details, but his address is the victim's, whose address it may not see.
    assert seen.name == perpetrator["name"] and seen.phone is not None
    assert seen.address is None and seen.postcode is None
    assert {"address", "postcode"} <= set(seen.withheld)
    assert "address" in disclosures[0].withheld

    # Someone living elsewhere has their address shown.
    elsewhere_id, _ = await person(905, SubjectRole.PERPETRATOR)
    gated, _ = await read([(elsewhere_id, SubjectRole.PERPETRATOR)], "", "other")
    assert gated.people[0].address is not None


async def test_restricted_references_are_withheld_from_an_agency_not_entitled(hub):
    person, read = hub
    offender_id, _ = await person(906, SubjectRole.OFFENDER)
    text = "PNC ID 19/123456X; nDelius CRN X123456; ViSOR ref 0012AB34; prison number A1234BC."
    # Otherton is a council: not a MAPPA responsible authority.
    gated, _ = await read([(offender_id, SubjectRole.OFFENDER)], text, "other")
    shown = gated.texts["narrative"]
    for reference in ("19/123456X", "X123456", "0012AB34", "A1234BC"):
        assert reference not in shown
    assert "[PNC ID withheld]" in shown and "[prison number withheld]" in shown


async def test_the_writer_is_told_which_names_the_record_does_not_link(partners):  # noqa: F811
    officer = partners.officer
    body = {
        "role": "witness",
        "identity": {"name": "Carys Pengelly", "address": ["8 Tansy Walk"]},
    }
    held = (await officer.post("/api/subjects/", json=body)).json()
    linked = (
        await officer.post(
            "/api/subjects/", json={"role": "complainant", "identity": {"name": "Idris Vellacott"}}
        )
    ).json()
    text = (
        "Idris Vellacott called. Carys Pengelly saw the van near the Post Office; "
        "Mabel Trethowan was with her."
    )
    found = await officer.post(
        "/api/subjects/names-in-text", json={"text": text, "linked": [linked["id"]]}
    )
    assert found.status_code == 200, found.text
    names = {n["text"]: n for n in found.json()["names"]}
    assert set(names) == {"Carys Pengelly", "Mabel Trethowan"}
    assert [h["subject_id"] for h in names["Carys Pengelly"]["held"]] == [held["id"]]
    assert names["Carys Pengelly"]["suggestion"].startswith("Link")
    assert names["Mabel Trethowan"]["held"] == []
    assert names["Mabel Trethowan"]["suggestion"].startswith("Record")
    # Another agency's records are never offered.
    other = await partners.viewer.post("/api/subjects/names-in-text", json={"text": text})
    assert all(n["held"] == [] for n in other.json()["names"])
