"""The independent sweep issue 14 asks for: "the gate is the only way out".

A realistic partnership is built through the HTTP API only: four agencies (a
police force, a council, probation, a housing provider) with a member of
staff in every role at each; four signed protocols; fictional people (Faker
en_GB, seeded) with and without consent, a sharing decision, a safeguarding
override, a consent withdrawn; ASB reports naming people in their narrative;
MARAC referrals with the household linked and a cohabiting perpetrator at the
victim's address; MAPPA referrals with people at risk and restricted
references; an ASB case review with a representative and the bodies' answers;
three meetings with preparation, packs and minutes (and a fourth the actions
are carried to), whose text names people only one agency linked and a
complainant of another agency whom nothing links.

Then every GET route of the app, API and pages (walked from ``app.routes``,
so a page added later is swept too; a route whose path parameter the sweep
cannot fill with records fails the test), is read with every record's id in
its path and every pack format (JSON, HTML, PDF, whose text is extracted
here), as the members of staff below and as nobody. For each response:

1. no identity of anyone (full name, a distinctive forename or surname,
   alias, address, postcode, phone, e-mail, date of birth, NHS and NI
   numbers, PNC ID, CRN, ViSOR reference) appears to a viewer without a basis
   for it, the basis worked out from what this test recorded (its own
   protocols, consents, decisions and override, who holds whom, who wrote
   which text) and never from the hub's answers;
2. every identity of another agency's person that does appear has its
   disclosure row for that viewer, that person and that request; and every
   such row is in the holding agency's subject access export and in the
   disclosure audit of both agencies.

A failure lists each (route, viewer, person, field, where).

Who reads what (``Readers``): every member of staff, in every role at every
agency, and nobody, reads every route (with its first record); every record of
every route is read at every agency, by one of its own roles in turn and one
of its hub-wide roles in turn; every hub-wide role (a coordinator's or chair's
reach is its own) reads every record, at its agencies in turn; the person
with a safeguarding override (the one basis held by a person, not an agency)
reads everything. ``SWEEP_EVERY_ROLE=1`` reads every URL as every member of
staff (about twice the reads). A role the policy refuses a route is refused
by the guard from the role alone, before any record is read: it reads the
route once (at its agencies in turn) and must be answered 401 or 403.
"""

from __future__ import annotations

import html
import io
import itertools
import os
import re
import time
import uuid
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from faker import Faker
from sqlalchemy import func, select, update

import sharehub
from sharehub.access.roles import HUB_WIDE_ROLES, Role
from sharehub.audit.models import LedgerEntry
from sharehub.calendar import LOCAL_TIME, local_today
from sharehub.db.engine import create_engine, create_session_factory
from sharehub.meetings.models import Meeting
from sharehub.privacy import identifiers
from sharehub.privacy.models import Disclosure
from support.people import nhs_number, ni_number
from support.signin import (
    MACHINE_CLIENT_ID,
    MACHINE_CLIENT_SECRET,
    OTHER_CLIENT_ID,
    OTHER_CLIENT_SECRET,
    OTHER_PROVIDER_SLUG,
    PROVIDER_SLUG,
    ROLE_CLAIM,
    THIRD_CLIENT_ID,
    THIRD_CLIENT_SECRET,
    THIRD_PROVIDER_SLUG,
    sign_in,
)

FOURTH_PROVIDER_SLUG = "fourth-agency"
AREA = "Testshire"
ASB, MARAC, MAPPA, REVIEW = "asb_case_management", "marac", "mappa", "asb_case_review"
PURPOSES = (ASB, MARAC, MAPPA, REVIEW)
PROTECTED = {
    "complainant", "victim", "witness", "child", "household_member", "applicant",
    "representative",
}  # fmt: skip
CONTACT_FIELDS = {"address", "street", "postcode", "phone", "email"}
REFERENCE_FIELDS = {"pnc_id", "crn", "visor_ref"}
# Agency types whose staff see restricted references (CJA 2003 s325(1)).
RESPONSIBLE_AUTHORITIES = {"police_force", "probation_service", "prison"}
MAPPA_COORDINATING = {Role.MAPPA_COORDINATOR.value, Role.MAPPA_CHAIR.value}
HUB_WIDE = {role.value for role in HUB_WIDE_ROLES}


# --- fictional people ---------------------------------------------------------------------


def _vocabulary() -> set[str]:
    """Every word the hub or this test writes on its own (code, data files,
    templates, docs): a person's name part that is one of them is not
    distinctive, so names are drawn that are none of them."""
    root = Path(sharehub.__file__).parent
    paths = [p for p in root.rglob("*") if p.suffix in {".py", ".toml", ".html", ".jinja", ".txt"}]
    paths += list((root.parents[1] / "docs").glob("*.md")) + [Path(__file__)]
    words: set[str] = set()
    for path in paths:
        if path.is_file() and path.name != "forenames.py":
            words |= set(re.findall(r"[a-z]+", path.read_text(errors="ignore").casefold()))
    return words


STREET_TYPES = ("Close", "Road", "Lane", "Row", "Court", "Street", "Avenue", "Gardens", "Crescent")


@dataclass(eq=False)
class Person:
    """One fictional person, as this test recorded them."""

    key: str
    holder: str  # the agency that records them ("POL", "CNL", "PRB", "HSG")
    role: str
    name: str
    aliases: list[str] = field(default_factory=list)
    date_of_birth: date | None = None
    address: list[str] = field(default_factory=list)
    postcode: str | None = None
    phone: str | None = None
    email: str | None = None
    nhs_number: str | None = None
    ni_number: str | None = None
    references: dict[str, str] = field(default_factory=dict)
    id: str = ""

    @property
    def forename(self) -> str:
        return self.name.split()[0]

    @property
    def surname(self) -> str:
        return self.name.split()[-1]

    @property
    def line(self) -> str:
        return self.address[0] if self.address else ""

    def dob(self, form: str = "%d/%m/%Y") -> str:
        assert self.date_of_birth is not None
        if form == "long":
            return f"{self.date_of_birth.day} {self.date_of_birth:%B %Y}"
        return self.date_of_birth.strftime(form)

    def spaced_phone(self) -> str:
        assert self.phone
        return f"{self.phone[:5]} {self.phone[5:]}"

    def body(self) -> dict[str, Any]:
        identity: dict[str, Any] = {"name": self.name, "aliases": self.aliases}
        if self.date_of_birth:
            identity["date_of_birth"] = self.date_of_birth.isoformat()
        identity |= {
            "address": self.address,
            "postcode": self.postcode,
            "phone": self.phone,
            "email": self.email,
            "nhs_number": self.nhs_number,
            "ni_number": self.ni_number,
        }
        return {"role": self.role, "identity": {k: v for k, v in identity.items() if v}}


class People:
    """Fictional people whose every name word, street and town is distinct from
    every other's and from every word the hub writes itself."""

    def __init__(self, seed: int = 14014) -> None:
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.taken = _vocabulary()
        self.serial = 0
        self.all: dict[str, Person] = {}

    def _word(self, make) -> str:  # type: ignore[no-untyped-def]
        for _ in range(5000):
            word = make()
            distinct = word.casefold() not in self.taken
            if word.isascii() and word.isalpha() and len(word) >= 4 and distinct:
                self.taken.add(word.casefold())
                return word
        raise AssertionError("Faker ran out of distinct words")

    def _postcode(self) -> str:
        while True:
            try:
                code = identifiers.postcode(self.fake.postcode())
            except ValueError:
                continue
            if code.casefold() not in self.taken:
                self.taken.add(code.casefold())
                return code

    def make(
        self, key: str, holder: str, role: str, *, at: Person | None = None, alias: bool = False
    ) -> Person:
        self.serial += 1
        n = self.serial
        first, last = self._word(self.fake.first_name), self._word(self.fake.last_name)
        if at is not None:  # living at someone else's address
            address, code = list(at.address), at.postcode
        else:
            street = f"{self._word(self.fake.last_name)} {STREET_TYPES[n % len(STREET_TYPES)]}"
            town = self._word(lambda: self.fake.city().split()[-1])
            address, code = [f"{n + 11} {street}", town], self._postcode()
        person = Person(
            key=key,
            holder=holder,
            role=role,
            name=f"{first} {last}",
            aliases=[f"{self._word(self.fake.first_name)} {last}"] if alias else [],
            date_of_birth=date(1961 + n, 1 + n % 12, 1 + (n * 3) % 28),
            address=address,
            postcode=code,
            phone=f"07700900{100 + n:03d}",
            email=f"{first}.{last}{n}@example.org".lower(),
            nhs_number=nhs_number(n * 7919 + 14),
            ni_number=ni_number(n + 1400),
        )
        self.all[key] = person
        return person


# --- finding identities in a response -----------------------------------------------------


def _spaced(value: str) -> str:
    """A literal found with any spacing (and case) between its characters."""
    return r"\s?".join(re.escape(ch) for ch in value.replace(" ", ""))


def _phrase(value: str) -> str:
    return r"\s+".join(re.escape(word) for word in value.split())


_DIGIT_RUNS = re.compile(r"\+?\(?\d[\d\s().\-]{6,}\d")


@dataclass(frozen=True)
class Hit:
    person: Person
    field: str
    found: str  # the text as it appears


class Finder:
    """Every identity of every person, found in one pass over a text: names,
    aliases, distinctive name parts, address lines and streets, e-mail
    addresses, dates of birth in the usual forms, postcodes and NI numbers in
    any spacing, restricted references in any spacing, and telephone and NHS
    numbers among the runs of digits."""

    def __init__(self, people: Iterable[Person]) -> None:
        self.people = list(people)
        literal: dict[str, list[tuple[Person, str]]] = defaultdict(list)
        spaced: dict[str, list[tuple[Person, str]]] = defaultdict(list)
        self.phones: dict[str, list[Person]] = defaultdict(list)
        self.nhs: dict[str, Person] = {}
        parts = Counter(w.casefold() for p in self.people for w in p.name.split())
        for p in self.people:
            literal[p.name].append((p, "name"))
            for alias in p.aliases:
                literal[alias].append((p, "alias"))
            for part, kind in ((p.forename, "forename"), (p.surname, "surname")):
                if parts[part.casefold()] == 1:  # distinctive: one person's only
                    literal[part].append((p, kind))
            if p.address:
                literal[p.line].append((p, "address"))
                literal[re.sub(r"^\d+\s+", "", p.line)].append((p, "street"))
            if p.email:
                literal[p.email].append((p, "email"))
            if p.date_of_birth:
                for form in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "long"):
                    literal[p.dob(form)].append((p, "date_of_birth"))
            if p.postcode:
                spaced[p.postcode].append((p, "postcode"))
            if p.ni_number:
                spaced[p.ni_number].append((p, "ni_number"))
            for kind, value in p.references.items():
                spaced[value].append((p, kind))
            if p.phone:
                self.phones[p.phone[1:]].append(p)
            if p.nhs_number:
                self.nhs[p.nhs_number] = p
        self.owners: dict[str, list[tuple[Person, str]]] = {}
        alternatives = []
        for text, owners in literal.items():
            self.owners[self._key(text)] = owners
            alternatives.append(_phrase(text))
        for text, owners in spaced.items():
            self.owners[self._key(text)] = self.owners.get(self._key(text), []) + owners
            alternatives.append(_spaced(text))
        alternatives.sort(key=len, reverse=True)
        self.pattern = re.compile(
            r"(?<![A-Za-z0-9])(?:" + "|".join(alternatives) + r")(?![A-Za-z0-9])", re.IGNORECASE
        )

    @staticmethod
    def _key(text: str) -> str:
        return re.sub(r"\s+", "", text).casefold()

    def hits(self, text: str) -> list[Hit]:
        found: list[Hit] = []
        for match in self.pattern.finditer(text):
            for person, kind in self.owners.get(self._key(match.group(0)), []):
                found.append(Hit(person, kind, match.group(0)))
        for match in _DIGIT_RUNS.finditer(text):
            digits = re.sub(r"\D", "", match.group(0))
            for national, owners in self.phones.items():
                if national in digits:
                    found += [Hit(p, "phone", match.group(0)) for p in owners]
            for number, person in self.nhs.items():
                if number in digits:
                    found.append(Hit(person, "nhs_number", match.group(0)))
        return found


def pdf_text(data: bytes) -> str:
    """The text of a PDF as fpdf2 writes it (pure Python, no PDF library):
    content streams inflated, each font's ToUnicode map applied to the
    two-byte glyph codes of its text operators."""
    objects = {
        int(m.group(1)): m.group(2)
        for m in re.finditer(rb"(?<!\d)(\d+) 0 obj(.*?)endobj", data, re.DOTALL)
    }

    def stream(body: bytes) -> bytes | None:
        start = re.search(rb"stream\r?\n", body)
        length = re.search(rb"/Length (\d+)", body)
        if start is None or length is None:
            return None
        raw = body[start.end() : start.end() + int(length.group(1))]
        return zlib.decompress(raw) if b"/FlateDecode" in body[: start.start()] else raw

    def cmap(text: bytes) -> dict[int, str]:
        mapping: dict[int, str] = {}
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.DOTALL):
            for code, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                mapping[int(code, 16)] = bytes.fromhex(uni.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.DOTALL):
            for lo, hi, uni in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
            ):
                first = int(uni, 16)
                for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                    mapping[code] = chr(first + i)
        return mapping

    maps: dict[int, dict[int, str]] = {}
    for number, body in objects.items():
        ref = re.search(rb"/ToUnicode\s+(\d+)\s+0\s+R", body)
        if ref and (content := stream(objects[int(ref.group(1))])) is not None:
            maps[number] = cmap(content)
    fonts = {
        name.decode(): maps[int(number)]
        for body in objects.values()
        for name, number in re.findall(rb"/(F\d+)\s+(\d+)\s+0\s+R", body)
        if int(number) in maps
    }

    def unescape(literal: bytes) -> bytes:
        out, i = bytearray(), 0
        escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
        while i < len(literal):
            ch = literal[i : i + 1]
            if ch == b"\\":
                nxt = literal[i + 1 : i + 2]
                octal = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4])
                if octal:
                    out.append(int(octal.group(0), 8))
                    i += 1 + len(octal.group(0))
                    continue
                out += escapes.get(nxt, nxt)
                i += 2
                continue
            out += ch
            i += 1
        return bytes(out)

    token = re.compile(rb"/(F\d+)\s+[\d.]+\s+Tf|\(((?:\\.|[^\\)])*)\)\s*Tj|ET", re.DOTALL)
    lines: list[str] = []
    for body in objects.values():
        content = stream(body)
        if content is None or b"BT" not in content:
            continue
        mapping: dict[int, str] = {}
        for match in token.finditer(content):
            if match.group(1):
                mapping = fonts.get(match.group(1).decode(), {})
            elif match.group(2) is not None:
                raw = unescape(match.group(2))
                codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
                lines.append("".join(mapping.get(c, "\ufffd") for c in codes))
    return "\n".join(lines)


# --- the partnership, through the API -------------------------------------------------------


@dataclass(frozen=True)
class Staff:
    """A member of staff holding one role at one agency, signed in."""

    agency: str  # "POL", "CNL", "PRB", "HSG"
    role: str
    sub: str
    user_id: str
    cookie: str

    def __str__(self) -> str:
        return f"{self.agency} {self.role}"


ANONYMOUS = Staff(agency="", role="", sub="", user_id="", cookie="")

AGENCIES = {
    # code: (name, type, sign-in slug, client id, client secret)
    "POL": ("Testshire Constabulary", "police_force", PROVIDER_SLUG, None, None),
    "CNL": ("Otherton Borough Council", "unitary_council", OTHER_PROVIDER_SLUG,
            OTHER_CLIENT_ID, OTHER_CLIENT_SECRET),
    "PRB": ("Thirdshire Probation Delivery Unit", "probation_service", THIRD_PROVIDER_SLUG,
            THIRD_CLIENT_ID, THIRD_CLIENT_SECRET),
    "HSG": ("Wendlebury Homes", "private_registered_provider_of_social_housing",
            FOURTH_PROVIDER_SLUG, MACHINE_CLIENT_ID, MACHINE_CLIENT_SECRET),
}  # fmt: skip


class Hub:
    """One test client; each request carries the cookie of the member of staff
    making it (and nothing is remembered between requests)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def request(self, who: Staff, method: str, url: str, **kw: Any) -> Any:
        self.client.cookies.clear()
        headers = dict(kw.pop("headers", None) or {})
        if who.cookie:
            headers["Cookie"] = who.cookie
        response = await self.client.request(method, url, headers=headers, **kw)
        self.client.cookies.clear()
        return response

    async def ok(self, who: Staff, method: str, url: str, status: int = 200, **kw: Any) -> Any:
        response = await self.request(who, method, url, **kw)
        assert response.status_code == status, f"{method} {url} as {who}: {response.text}"
        return response.json()

    async def get(self, who: Staff, url: str, **kw: Any) -> Any:
        return await self.ok(who, "GET", url, **kw)

    async def post(self, who: Staff, url: str, json: Any = None, status: int = 201) -> Any:
        return await self.ok(who, "POST", url, status, json=json)

    async def step(
        self, who: Staff, url: str, json: Any = None, *, of: str, method: str = "POST"
    ) -> Any:
        """A change to a shared record, with the ETag of ``of`` just read by ``who``."""
        read = await self.request(who, "GET", of)
        assert read.status_code == 200, f"GET {of} as {who}: {read.text}"
        return await self.ok(
            who, method, url, json=json, headers={"If-Match": read.headers["etag"]}
        )


@dataclass
class World:
    """Everything the sweep needs: who is who, what was recorded, and every
    record's id by the path parameter that names it."""

    hub: Hub
    people: People
    agencies: dict[str, str] = field(default_factory=dict)  # code → id
    agency_types: dict[str, str] = field(default_factory=dict)  # code → type
    staff: list[Staff] = field(default_factory=list)
    admin: Staff = ANONYMOUS
    # (agencies, purpose, categories) of each protocol signed
    protocols: list[tuple[frozenset[str], str, frozenset[str]]] = field(default_factory=list)
    protocol_ids: list[str] = field(default_factory=list)
    # (person key, agencies, purposes, categories, live)
    consents: list[tuple[str, frozenset[str], frozenset[str], frozenset[str], bool]] = field(
        default_factory=list
    )
    consent_ids: list[tuple[str, str]] = field(default_factory=list)  # (subject id, consent id)
    decisions: list[tuple[str, frozenset[str], str, frozenset[str]]] = field(default_factory=list)
    overrides: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # (person, user id, purpose)
    # (agency, person key, where): an agency wrote this person's identity in its
    # own text, read at the routes starting with ``where``.
    written: list[tuple[str, str, str]] = field(default_factory=list)
    asb_reports: list[str] = field(default_factory=list)
    asb_references: list[str] = field(default_factory=list)  # "ASB-2026-0042"
    asb_cases: list[str] = field(default_factory=list)
    asb_case_references: list[str] = field(default_factory=list)  # "CASE-2026-0001"
    evidence: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    subject_references: list[str] = field(default_factory=list)  # "PER-2026-0042"
    marac: list[str] = field(default_factory=list)
    marac_references: list[str] = field(default_factory=list)  # "MARAC-2026-0001"
    mappa: list[str] = field(default_factory=list)
    mappa_references: list[str] = field(default_factory=list)  # "MAPPA-2026-0001"
    reviews: list[str] = field(default_factory=list)
    review_references: list[str] = field(default_factory=list)  # "ACR-2026-0001"
    review_requests: list[tuple[str, str]] = field(default_factory=list)
    meetings: dict[str, str] = field(default_factory=dict)  # meeting id → purpose
    meeting_references: list[str] = field(default_factory=list)  # "MTG-2026-0001"
    meeting_ids: dict[str, str] = field(default_factory=dict)  # reference → meeting id
    items: list[tuple[str, str]] = field(default_factory=list)  # (meeting id, item id)
    actions: dict[str, str] = field(default_factory=dict)  # action id → meeting id
    providers: list[str] = field(default_factory=list)
    slugs: list[str] = field(default_factory=list)
    seqs: list[int] = field(default_factory=list)

    def at(self, agency: str, role: Role | str) -> Staff:
        value = role.value if isinstance(role, Role) else role
        return next(s for s in self.staff if s.agency == agency and s.role == value)

    def wrote(self, agency: str, wheres: Iterable[str], *people: Person) -> None:
        for where in wheres:
            self.written += [(agency, p.key, where) for p in people]


def _png_still() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 12), (30, 30, 30)).save(out, "PNG")
    return out.getvalue()


PNG_STILL = _png_still()


def answers(yes: int) -> dict[str, str]:
    """The SafeLives DASH checklist: the first ``yes`` of 24 answered yes."""
    codes = [f"q{n:02d}" for n in range(1, 25)]
    return {code: "yes" if i < yes else "no" for i, code in enumerate(codes)}


def category(name: str, **extra: Any) -> dict[str, Any]:
    return {"category": name, "article6": "e_public_task", "retention_days": 730, **extra}


OFFENCES = category(
    "criminal_offence_data", schedule1="para_10_preventing_or_detecting_unlawful_acts"
)
PROTOCOLS = {
    # purpose: (parties, categories, gateways)
    ASB: (("POL", "CNL", "HSG"), ["identity", "contact_details", "asb_incident_details"],
          ["cda1998_s115"]),
    MARAC: (("POL", "CNL", "PRB"), ["identity", "contact_details", "risk_assessment"],
            ["cda1998_s115"]),
    MAPPA: (("POL", "PRB", "CNL", "HSG"), ["identity", "risk_assessment"], ["cja2003_s325"]),
    REVIEW: (("POL", "CNL", "HSG"), ["identity", "contact_details", "asb_incident_details"],
             ["asbcpa2014_sch4_para7"]),
}  # fmt: skip


async def database(settings: Any) -> Any:
    engine = create_engine(settings.database_url)
    return engine, create_session_factory(engine)


async def meeting_starts_at(settings: Any, meeting_id: str, starts: datetime) -> None:
    """Time passes: a meeting's start moved into the past (the test cannot wait)."""
    engine, sessions = await database(settings)
    try:
        async with sessions() as db, db.begin():
            await db.execute(
                update(Meeting).where(Meeting.id == uuid.UUID(meeting_id)).values(starts_at=starts)
            )
    finally:
        await engine.dispose()


async def sign_in_everyone(w: World, client: Any, provider: Any) -> None:
    for code, (_, _, slug, _, _) in AGENCIES.items():
        for role in Role:
            sub = f"{code.lower()}-{role.value.replace('_', '-')}"
            client.cookies.clear()
            await sign_in(client, provider, sub=sub, roles=[role.value], slug=slug)
            cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
            client.cookies.clear()
            staff = Staff(code, role.value, sub, "", cookie)
            me = await w.hub.get(staff, "/me")
            w.staff.append(Staff(code, role.value, sub, me["id"], cookie))


async def register_agencies(w: World, home_id: str, issuer: str) -> None:
    admin = w.admin
    for code, (name, kind, slug, client_id, secret) in AGENCIES.items():
        body = {"name": name, "agency_type": kind, "areas": [AREA, name.split()[0]]}
        if code == "POL":
            await w.hub.step(admin, f"/api/agencies/{home_id}", body, of=f"/api/agencies/{home_id}",
                             method="PATCH")  # fmt: skip
            w.agencies[code] = home_id
        else:
            body |= {
                "short_code": code,
                "information_governance_contact": {
                    "name": "Information Governance Team",
                    "email": f"ig@{code.lower()}.example.org",
                },
            }
            w.agencies[code] = (await w.hub.post(admin, "/api/agencies/", body))["id"]
            provider = {
                "slug": slug,
                "display_name": f"{name} sign-in",
                "agency_id": w.agencies[code],
                "issuer": issuer,
                "client_id": client_id,
                "client_secret": secret,
                "role_mapping": {"claim": ROLE_CLAIM, "roles": {r.value: r.value for r in Role}},
            }
            await w.hub.post(admin, "/api/identity-providers/", provider)
        w.agency_types[code] = kind
        w.slugs.append(slug)


async def sign_protocols(w: World) -> None:
    lead = Role.INFORMATION_GOVERNANCE_LEAD
    for purpose, (parties, categories, gateways) in PROTOCOLS.items():
        draft = {
            "title": f"Testshire {purpose.replace('_', ' ')} information sharing protocol",
            "review_date": (local_today() + timedelta(days=365)).isoformat(),
            "review_grace_days": 30,
            "purposes": [
                {
                    "purpose": purpose,
                    "categories": [
                        OFFENCES if c == "criminal_offence_data" else category(c)
                        for c in categories
                    ]
                    + ([OFFENCES] if purpose == MAPPA else []),
                    "gateways": gateways,
                }
            ],
            "security": "Shared only through the hub.",
            "onward_sharing": "No onward sharing without the discloser's agreement.",
            "dpia_reference": f"DPIA-{purpose}",
        }
        protocol = await w.hub.post(w.at("POL", lead), "/api/protocols/", draft)
        url = f"/api/protocols/{protocol['id']}"
        others = [{"agency_id": w.agencies[a], "role": "joint_controller"} for a in parties[1:]]
        await w.hub.step(w.at("POL", lead), f"{url}/parties", {"parties": others}, of=url)
        await w.hub.step(w.at("POL", lead), f"{url}/submit", of=url)
        for party in parties:
            await w.hub.step(w.at(party, lead), f"{url}/sign", {"job_title": "IG lead"}, of=url)
        w.protocols.append((frozenset(parties), purpose, frozenset(categories)))
        w.protocol_ids.append(protocol["id"])


async def record_people(w: World) -> dict[str, Person]:
    make = w.people.make
    p: dict[str, Person] = {}
    p["asb_c"] = make("asb.complainant", "POL", "complainant", alias=True)
    p["asb_p"] = make("asb.perpetrator", "POL", "perpetrator")
    p["asb_w"] = make("asb.witness", "CNL", "witness")
    p["asb2_c"] = make("asb2.complainant", "CNL", "complainant")
    p["asb3_c"] = make("asb3.complainant", "HSG", "complainant")
    p["mv"] = make("marac.victim", "POL", "victim", alias=True)
    p["ma"] = make("marac.perpetrator", "POL", "perpetrator", at=p["mv"])  # they live together
    p["mk"] = make("marac.child", "POL", "child", at=p["mv"])
    p["mv2"] = make("marac2.victim", "CNL", "victim")
    p["ma2"] = make("marac2.perpetrator", "CNL", "perpetrator")
    p["mh2"] = make("marac2.household", "CNL", "household_member", at=p["mv2"])
    p["mx2"] = make("marac2.former_partner", "PRB", "victim")
    p["o1"] = make("mappa1.offender", "PRB", "offender")
    p["r1"] = make("mappa1.victim", "PRB", "victim")
    p["k1"] = make("mappa1.child", "PRB", "child", at=p["r1"])
    p["o2"] = make("mappa2.offender", "POL", "offender")
    p["r2"] = make("mappa2.victim", "POL", "victim")
    p["cv"] = make("review.victim", "POL", "victim")
    p["ct"] = make("review.witness", "CNL", "witness")
    p["cn"] = make("review.neighbour", "HSG", "perpetrator")
    p["o1"].references = {"pnc_id": "2011/0456789T", "crn": "D482913", "visor_ref": "31HX0042A7"}
    p["o2"].references = {"pnc_id": "09/771203K", "crn": "E551208", "visor_ref": "44TS0913QB"}
    practitioner = Role.PRACTITIONER
    for person in p.values():
        made = await w.hub.post(w.at(person.holder, practitioner), "/api/subjects/", person.body())
        person.id = made["id"]
        w.subject_references.append(made["reference"])
    # The case review's representative is recorded by the application (below).
    p["rep"] = make("review.representative", "POL", "representative")
    p["rep"].aliases, p["rep"].date_of_birth, p["rep"].address = [], None, []
    p["rep"].postcode = p["rep"].phone = p["rep"].email = None
    p["rep"].nhs_number = p["rep"].ni_number = None
    return p


async def record_bases(w: World, p: dict[str, Person]) -> None:
    """Consent covering one agency (not the others), one withdrawn, a sharing
    decision, a safeguarding override reviewed."""
    hub, pr = w.hub, Role.PRACTITIONER

    async def consent(person: Person, to: list[str], purpose: str, categories: list[str]) -> str:
        body = {
            "purposes": [purpose],
            "recipients": {"agencies": [w.agencies[a] for a in to]},
            "categories": categories,
            "how_given": "verbal",
            "evidence_note": f"{person.name} agreed on the phone on {local_today():%d %B}.",
        }
        made = await hub.post(w.at(person.holder, pr), f"/api/subjects/{person.id}/consents", body)
        w.consents.append((person.key, frozenset(to), frozenset([purpose]), frozenset(categories),
                           True))  # fmt: skip
        w.consent_ids.append((person.id, made["id"]))
        return made["id"]

    await consent(p["asb_c"], ["CNL"], ASB, ["identity", "contact_details"])
    await consent(p["mv"], ["CNL"], MARAC, ["identity"])
    await consent(p["r2"], ["PRB"], MAPPA, ["identity"])
    await consent(p["cv"], ["CNL"], REVIEW, ["identity"])
    withdrawn = await consent(p["asb2_c"], ["POL"], ASB, ["identity", "contact_details"])
    await hub.post(
        w.at("CNL", pr),
        f"/api/subjects/{p['asb2_c'].id}/consents/{withdrawn}/withdrawal",
        {"how": "verbal", "note": f"{p['asb2_c'].forename} no longer wants the police told."},
        status=200,
    )
    w.consents[-1] = (*w.consents[-1][:4], False)

    await hub.post(
        w.at("POL", Role.SAFEGUARDING_LEAD),
        f"/api/subjects/{p['mk'].id}/sharing-decisions",
        {
            "purpose": MARAC,
            "recipients": {"agencies": [w.agencies["CNL"]]},
            "categories": ["identity"],
            "legal_basis": "Data Protection Act 2018, Schedule 1, paragraph 18",
            "reasons": f"The council must know {p['mk'].name} lives at the address; risk of harm.",
        },
    )
    w.decisions.append((p["mk"].key, frozenset({"CNL"}), MARAC, frozenset({"identity"})))

    lead = w.at("PRB", Role.SAFEGUARDING_LEAD)
    override = await hub.post(
        lead,
        f"/api/subjects/{p['mv'].id}/safeguarding-overrides",
        {
            "purpose": MARAC,
            "justification": "Licence conditions for the perpetrator need the victim named today.",
            "minutes": 480,
        },
    )
    w.overrides.append((p["mv"].key, lead.user_id, MARAC))
    await hub.post(
        w.at("POL", Role.DATA_PROTECTION_OFFICER),
        f"/api/safeguarding-overrides/{override['id']}/review",
        {
            "outcome": "justified",
            "note": f"Justified: {p['mv'].name} of {p['mv'].line} is at high risk.",
        },
        status=200,
    )
    await hub.post(
        w.at("POL", Role.DATA_PROTECTION_OFFICER),
        "/api/legal-holds/",
        {"record_kind": "subject", "record_id": p["ma"].id, "reason": "Evidence for a trial."},
    )


async def asb_reports(w: World, p: dict[str, Person]) -> None:
    pr = Role.PRACTITIONER
    c, a, wit = p["asb_c"], p["asb_p"], p["asb_w"]
    reports = [
        (
            "POL",
            [(c, "complainant"), (a, "perpetrator")],
            (
                f"{c.name} (DOB {c.dob()}) of {c.line}, {c.postcode} reports {a.name} shouting "
                f"at her door at night; {wit.name} of {wit.line} saw it. Call {c.forename} on "
                f"{c.spaced_phone()} or {c.email}. {a.surname} was warned."
            ),
        ),
        (
            "CNL",
            [(p["asb2_c"], "complainant")],
            f"{p['asb2_c'].name} reports noise from the flat above; call {p['asb2_c'].phone}.",
        ),
        (
            "HSG",
            [(p["asb3_c"], "complainant")],
            f"{p['asb3_c'].name} of {p['asb3_c'].line} reports a dog left barking all day.",
        ),
    ]
    for agency, links, narrative in reports:
        made = await w.hub.post(
            w.at(agency, pr),
            "/api/asb-reports/",
            {
                "channel": "phone",
                "incident_on": (local_today() - timedelta(days=3)).isoformat(),
                "category": "nuisance",
                "place": "Near the shops",
                "narrative": narrative,
                "subjects": [{"subject_id": s.id, "role": role} for s, role in links],
            },
        )
        w.asb_reports.append(made["id"])
        w.asb_references.append(made["reference"])
    # The police's own narrative, in the API and on its page (and the pages of its steps).
    w.wrote(
        "POL", [f"/api/asb-reports/{w.asb_reports[0]}", f"/asb-reports/{w.asb_references[0]}"], wit
    )


async def asb_cases(w: World, p: dict[str, Person]) -> None:
    """The police open a case from their report and ask the council about it,
    naming the complainant and the council's own witness; the council answers."""
    police, council = w.at("POL", Role.PRACTITIONER), w.at("CNL", Role.PRACTITIONER)
    c, wit = p["asb_c"], p["asb_w"]
    case = await w.hub.post(police, "/api/asb-cases/", {"report_ids": [w.asb_reports[0]]})
    w.asb_cases.append(case["id"])
    w.asb_case_references.append(case["reference"])
    url = f"/api/asb-cases/{case['id']}"
    await w.hub.step(
        police,
        f"{url}/evidence-requests",
        {
            "agency_id": w.agencies["CNL"],
            "question": f"Has {c.name} or {wit.name} of {wit.line} reported the shouting to you?",
            "due_on": (local_today() + timedelta(days=7)).isoformat(),
        },
        of=url,
    )
    [asked] = await w.hub.get(council, "/api/asb-evidence-requests/?waiting=true")
    w.evidence.append(asked["id"])
    await w.hub.post(
        council,
        f"/api/asb-evidence-requests/{asked['id']}/answer",
        {"answer": f"{wit.name} rang us about it twice last month."},
        status=200,
    )
    # A shareable diary sheet and a CCTV still, their names and words naming
    # the complainant and the witness: the council (no consent covering it)
    # must see neither, nor any agency the case was not shared with.
    for kind, name, data, what in (
        (
            "diary_sheet",
            f"Diary of {c.name}.txt",
            f"{c.name}: shouting again at 2am.",
            "text/plain",
        ),
        ("cctv_still", f"{wit.name} at the door.png", PNG_STILL, "image/png"),
    ):
        made = await w.hub.ok(
            police, "POST", f"{url}/attachments", 201,
            files={"file": (name, data.encode() if isinstance(data, str) else data, what)},
            data={"kind": kind, "shareable": "true", "description": f"From {wit.name}",
                  "recorded_on": local_today().isoformat()},
            headers={"X-Requested-By": "sweep"},
        )  # fmt: skip
        w.attachments.append(made["id"])
    # The police's own question, wherever they read it back.
    w.wrote("POL", [url, f"/asb-cases/{case['reference']}", "/api/asb-evidence-requests"], c, wit)
    w.wrote(
        "POL",
        ["/api/asb-attachments/", f"/api/asb-cases/{case['id']}/attachments",
         f"/asb-attachments/{case['reference']}/"],
        c, wit,
    )  # fmt: skip
    w.wrote("CNL", ["/api/asb-evidence-requests", "/asb-evidence-requests"], wit)


async def marac_referrals(w: World, p: dict[str, Person], day: date) -> None:
    pr, coordinator = Role.PRACTITIONER, w.at("CNL", Role.MARAC_COORDINATOR)
    v, a, k = p["mv"], p["ma"], p["mk"]
    v2, a2, h2, nb = p["mv2"], p["ma2"], p["mh2"], p["asb3_c"]
    referrals = [
        (
            "POL",
            v,
            a,
            [(k, "child")],
            (
                f"{v.name} (born {v.dob('long')}) lives at {v.line}, {v.postcode} with {a.name} "
                f"and their daughter {k.name}, DOB {k.dob()}. {a.forename} strangled {v.forename} "
                f"on Friday; she called 999 from {v.spaced_phone()}. NHS {v.nhs_number}."
            ),
        ),
        (
            "CNL",
            v2,
            a2,
            [(h2, "household_member")],
            (
                f"{v2.name} (NI {v2.ni_number}) and her brother {h2.name} live at {v2.line}; "
                f"{a2.name} broke the door. The neighbour {nb.name} called the police."
            ),
        ),
    ]
    for agency, victim, accused, household, summary in referrals:
        made = await w.hub.post(
            w.at(agency, pr),
            "/api/marac-referrals/",
            {
                "area": AREA,
                "victim_id": victim.id,
                "perpetrator_id": accused.id,
                "incident_on": (day - timedelta(days=2)).isoformat(),
                "checklist_version": "safelives-dash-2009",
                "answers": answers(15),
                "victim_aware": True,
                "consent_given": False,
                "idva_allocated": False,
                "summary": summary,
                "household": [{"subject_id": s.id, "role": role} for s, role in household],
            },
        )
        url = f"/api/marac-referrals/{made['id']}"
        await w.hub.step(coordinator, f"{url}/screening", {"outcome": "accepted"}, of=url)
        await w.hub.step(coordinator, f"{url}/listing", {"meeting_on": day.isoformat()}, of=url)
        w.marac.append(made["id"])
        w.marac_references.append(made["reference"])
    w.wrote(
        "CNL",
        [f"/api/marac-referrals/{w.marac[1]}", f"/marac-referrals/{w.marac_references[1]}"],
        nb,
    )


async def mappa_referrals(w: World, p: dict[str, Person]) -> None:
    pr, coordinator = Role.PRACTITIONER, w.at("PRB", Role.MAPPA_COORDINATOR)
    o1, r1, k1, o2, r2 = p["o1"], p["r1"], p["k1"], p["o2"], p["r2"]
    referrals = [
        (
            "PRB",
            o1,
            [(r1, "victim"), (k1, "child")],
            (
                f"{o1.name} (PNC ID {o1.references['pnc_id']}, nDelius CRN: "
                f"{o1.references['crn'].lower()}) was released on licence. ViSOR ref "
                f"{o1.references['visor_ref'][:4]} {o1.references['visor_ref'][4:]}. He must not "
                f"contact {r1.name} of {r1.line} or her son {k1.name}."
            ),
        ),
        (
            "POL",
            o2,
            [(r2, "victim")],
            (
                f"{o2.name} (CRN {o2.references['crn']}, PNC {o2.references['pnc_id']}) threatened "
                f"{r2.name} again; she lives at {r2.line}. ViSOR {o2.references['visor_ref']}."
            ),
        ),
    ]
    for agency, offender, at_risk, summary in referrals:
        refs = offender.references
        made = await w.hub.post(
            w.at(agency, pr),
            "/api/mappa-referrals/",
            {
                "offender_subject_id": offender.id,
                "area": AREA,
                "category": 2,
                "proposed_level": 2,
                "proposed_level_reason": "Housing, licence conditions and the victim's safety.",
                "summary": summary,
                "pnc_id": refs["pnc_id"],
                "crn": refs["crn"],
                "visor_ref": refs["visor_ref"],
                "people_at_risk": [{"subject_id": s.id, "role": role} for s, role in at_risk],
            },
        )
        url = f"/api/mappa-referrals/{made['id']}"
        await w.hub.step(coordinator, f"{url}/acceptance", of=url)
        await w.hub.step(
            coordinator, f"{url}/invitations", {"agency_ids": [w.agencies["CNL"]]}, of=url
        )
        w.mappa.append(made["id"])
        w.mappa_references.append(made["reference"])
    # The police wrote the probation offender and his victim into nothing of
    # theirs yet; see the preparation below.


async def case_review(w: World, p: dict[str, Person]) -> dict[str, Any]:
    hub, pr = w.hub, Role.PRACTITIONER
    coordinator = w.at("POL", Role.ASB_CASE_REVIEW_COORDINATOR)
    v, rep, a, t, n = p["cv"], p["rep"], p["asb_p"], p["ct"], p["cn"]
    today = local_today()
    complaints = [
        {
            "behaviour_on": (today - timedelta(days=d + 2)).isoformat(),
            "complained_on": (today - timedelta(days=d)).isoformat(),
            "agency_id": w.agencies["POL"],
        }
        for d in (60, 40, 20)
    ]
    made = await hub.post(
        w.at("POL", pr),
        "/api/case-reviews/",
        {
            "area": AREA,
            "received_on": (today - timedelta(days=10)).isoformat(),
            "applicant_type": "representative",
            "victim_type": "individual",
            "victim_subject_id": v.id,
            "representative": {"name": f"Councillor {rep.name}", "relationship": "ward councillor"},
            "complaints": complaints,
            "narrative": f"Councillor {rep.name} applies for {v.name} of {v.line}; {rep.surname} "
            f"has heard the shouting at her door herself. {v.forename} has complained three "
            f"times about {a.name}.",
        },
    )
    rep.id = made["representative_person"]["subject_id"]
    url = f"/api/case-reviews/{made['id']}"
    await hub.step(coordinator, f"{url}/acknowledgement", {}, of=url)
    asked = await hub.step(
        coordinator,
        f"{url}/information-requests",
        {"agencies": [w.agencies[a] for a in ("POL", "CNL", "HSG")]},
        of=url,
    )
    w.reviews.append(made["id"])
    w.review_references.append(made["reference"])
    answers_by = {
        "POL": (
            (
                f"Police attended {v.line} three times; {v.name} gave a statement each time. "
                f"{a.name} was arrested once."
            ),
            [],
        ),
        "CNL": (
            (
                f"{v.name} has been a council tenant since 2019. {t.name} (DOB {t.dob()}) of "
                f"{t.line} supports her account."
            ),
            [(t, "witness")],
        ),
        "HSG": (
            f"Our tenant {n.name} of {n.line}, {n.postcode} was warned about noise.",
            [(n, "perpetrator")],
        ),
    }
    by_agency = {r["agency_id"]: r["id"] for r in asked["information_requests"]}
    for agency, (text, links) in answers_by.items():
        request_id = by_agency[w.agencies[agency]]
        w.review_requests.append((made["id"], request_id))
        await hub.ok(
            w.at(agency, pr),
            "POST",
            f"{url}/information-requests/{request_id}/response",
            json={
                "response": text,
                "subjects": [{"subject_id": s.id, "role": r} for s, r in links],
            },
            headers={"If-Match": '"1"'},
        )
    # The council's answer names the victim: the council wrote it (the API's
    # address, and the page's: the council was asked second).
    w.wrote(
        "CNL",
        [
            f"{url}/information-requests/{by_agency[w.agencies['CNL']]}",
            f"/case-reviews/{made['reference']}/answers/2",
        ],
        v,
    )
    return made


# --- meetings ---------------------------------------------------------------------------------

MEETINGS = "/api/meetings"
READ_MEETINGS = {
    "practitioner", "idva", "safeguarding_lead", "asb_case_review_panel_member",
}  # fmt: skip


async def arrange(
    w: World, organiser: Staff, kind: str, chair: Staff, agencies: list[str], starts: datetime
) -> str:
    made = await w.hub.post(
        organiser,
        f"{MEETINGS}/",
        {
            "meeting_type": kind,
            "area": AREA,
            "starts_at": starts.isoformat(),
            "venue": "Civic centre, committee room B",
            "chair_id": chair.user_id,
            "agencies": [w.agencies[a] for a in agencies],
        },
    )
    w.meeting_references.append(made["reference"])
    w.meeting_ids[made["reference"]] = made["id"]
    return made["id"]


async def everyone_acknowledges(w: World, meeting_id: str, agencies: Iterable[str]) -> None:
    """Every member of staff of the agencies invited who may read the meeting
    acknowledges its statement (so each reads what the meeting holds for them)."""
    for staff in w.staff:
        if staff.role in HUB_WIDE or (staff.agency in agencies and staff.role in READ_MEETINGS):
            statement = await w.hub.request(staff, "GET", f"{MEETINGS}/{meeting_id}/statement")
            if statement.status_code == 200:
                await w.hub.request(
                    staff,
                    "POST",
                    f"{MEETINGS}/{meeting_id}/acknowledgement",
                    json={"statement_sha256": statement.json()["sha256"]},
                )


async def acknowledge(w: World, who: Staff, meeting_id: str) -> None:
    statement = await w.hub.get(who, f"{MEETINGS}/{meeting_id}/statement")
    await w.hub.post(
        who,
        f"{MEETINGS}/{meeting_id}/acknowledgement",
        {"statement_sha256": statement["sha256"]},
        status=200,
    )


async def agenda(w: World, organiser: Staff, meeting_id: str) -> list[str]:
    url = f"{MEETINGS}/{meeting_id}"
    built = await w.hub.step(organiser, f"{url}/agenda/build", of=url)
    items = [i["id"] for i in built["items"]]
    w.items += [(meeting_id, i) for i in items]
    return items


async def prepare(
    w: World,
    who: Staff,
    meeting_id: str,
    item: str,
    text: str,
    links: list[tuple[Person, str]] = (),  # type: ignore[assignment]
    risks: list[str] = (),  # type: ignore[assignment]
) -> None:
    await w.hub.ok(
        who,
        "PUT",
        f"{MEETINGS}/{meeting_id}/agenda/{item}/contribution",
        json={
            "known_to_agency": True,
            "risks": list(risks),
            "information": text,
            "subjects": [{"subject_id": s.id, "role": role} for s, role in links],
        },
    )


def pack_page(w: World, meeting_id: str) -> str:
    """The agency's pack as a page and as a PDF (each shows every case's preparation)."""
    return f"/meetings/{next(r for r, i in w.meeting_ids.items() if i == meeting_id)}/pack"


def run_page(w: World, meeting_id: str) -> str:
    """The chair's pages for a meeting's cases (each shows the case's preparation)."""
    return f"/meetings/{next(r for r, i in w.meeting_ids.items() if i == meeting_id)}/run/"


async def held_and_minuted(
    w: World,
    settings: Any,
    organiser: Staff,
    chair: Staff,
    meeting_id: str,
    starts: datetime,
    minutes: dict[str, Any],
) -> dict[str, Any]:
    url = f"{MEETINGS}/{meeting_id}"
    await meeting_starts_at(settings, meeting_id, starts - timedelta(minutes=10))
    await w.hub.step(organiser, f"{url}/held", of=url)
    await w.hub.ok(organiser, "PUT", f"{url}/minutes", json=minutes)
    if chair != organiser:
        await acknowledge(w, chair, meeting_id)
    approved = await w.hub.step(chair, f"{url}/minutes/approval", of=f"{url}/minutes")
    for entry in approved["entries"]:
        w.actions |= {a["id"]: meeting_id for a in entry["actions"]}
    return approved


async def meetings(w: World, settings: Any, p: dict[str, Person], starts: datetime) -> None:
    hub, pr = w.hub, Role.PRACTITIONER
    day = starts.astimezone(LOCAL_TIME).date()
    due = (day + timedelta(days=7)).isoformat()

    # MARAC: the police's referral and the council's; probation prepares and
    # links a former partner only it holds; the council names the housing
    # provider's complainant, whom nothing links.
    coordinator, chair = w.at("CNL", Role.MARAC_COORDINATOR), w.at("POL", Role.MARAC_CHAIR)
    mid = await arrange(w, coordinator, "marac", chair, ["POL", "CNL", "PRB"], starts)
    w.meetings[mid] = MARAC
    await acknowledge(w, coordinator, mid)
    first, second = await agenda(w, coordinator, mid)
    await everyone_acknowledges(w, mid, ("POL", "CNL", "PRB"))
    v, a, k, nb = p["mv"], p["ma"], p["mk"], p["asb3_c"]
    v2, a2, h2, x2 = p["mv2"], p["ma2"], p["mh2"], p["mx2"]
    await prepare(
        w, w.at("POL", pr), mid, first,
        f"{v.name} called 999 from {v.spaced_phone()}; {a.name} was arrested at {v.line}.",
        risks=["strangulation", "threats_to_kill"],
    )  # fmt: skip
    await prepare(
        w, w.at("CNL", pr), mid, first,
        f"{k.forename} attends Pennick Moor Primary. The neighbour {nb.name} heard shouting.",
        risks=["children_in_household"],
    )  # fmt: skip
    await prepare(
        w, w.at("PRB", pr), mid, second,
        f"{a2.name} assaulted a previous partner, {x2.name} of {x2.line}, in 2019.",
        [(x2, "victim")],
    )  # fmt: skip
    await prepare(w, w.at("CNL", pr), mid, second, f"{v2.name} and {h2.name} are rehoused soon.")
    case = [f"{MEETINGS}/{mid}/agenda/{first}", f"{MEETINGS}/{mid}/pack"]
    w.wrote("CNL", case, nb)
    w.wrote("CNL", [f"{MEETINGS}/{mid}/agenda/{second}", f"{MEETINGS}/{mid}/pack"], nb)
    w.wrote("CNL", [run_page(w, mid), pack_page(w, mid)], nb)
    marac_minutes = {
        "present": [w.agencies["POL"], w.agencies["CNL"]],
        "entries": [
            {
                "item_id": first,
                "information": [
                    {"agency_id": w.agencies["POL"], "text": f"Police: {v.name} reported threats."},
                    {"agency_id": w.agencies["CNL"], "text": f"Council: {k.name} is known to us."},
                ],
                "risks": f"High risk to {v.name} and {k.forename} at {v.line}.",
                "decisions": f"Refer {a.name} for a Domestic Violence Disclosure Scheme check.",
                "actions": [
                    {
                        "owner_agency_id": w.agencies["CNL"],
                        "description": f"Fit a target-hardening package at {v.line} for {v.name}.",
                        "due_on": due,
                    },
                    {
                        "owner_agency_id": w.agencies["PRB"],
                        "description": f"Check {a.name}'s licence conditions.",
                        "due_on": due,
                    },
                ],
            },
            {
                "item_id": second,
                "information": [
                    {"agency_id": w.agencies["PRB"], "text": f"Probation: {x2.name} was hurt."}
                ],
                "risks": f"{x2.name} is at risk from {a2.name} too; {nb.name} is a witness.",
                "decisions": f"Safety plan for {v2.name} and {h2.forename}.",
                "actions": [
                    {
                        "owner_agency_id": w.agencies["POL"],
                        "description": f"Warn {x2.forename} of the risk at {x2.line}.",
                        "due_on": due,
                    }
                ],
            },
        ],
    }
    await held_and_minuted(w, settings, coordinator, chair, mid, starts, marac_minutes)
    await hub.post(
        chair,
        f"{MEETINGS}/{mid}/minutes/onward-sharing",
        {"agency_id": w.agencies["PRB"], "reason": "Probation manage both perpetrators."},
    )

    # The next MARAC: the actions carried onto its agenda.
    following = await arrange(
        w, coordinator, "marac", chair, ["POL", "CNL", "PRB"], starts + timedelta(days=28)
    )
    w.meetings[following] = MARAC
    await acknowledge(w, coordinator, following)
    await agenda(w, coordinator, following)
    await everyone_acknowledges(w, following, ("POL", "CNL", "PRB"))

    # MAPPA level 2: both referrals; the references written into preparation
    # and minutes in spellings only the records' own values give away.
    coordinator, chair = w.at("PRB", Role.MAPPA_COORDINATOR), w.at("PRB", Role.MAPPA_CHAIR)
    mid = await arrange(w, coordinator, "mappa_level_2", chair, ["POL", "PRB", "CNL"], starts)
    w.meetings[mid] = MAPPA
    await acknowledge(w, coordinator, mid)
    first, second = await agenda(w, coordinator, mid)
    await everyone_acknowledges(w, mid, ("POL", "PRB", "CNL"))
    o1, r1, k1, o2, r2 = p["o1"], p["r1"], p["k1"], p["o2"], p["r2"]
    refs1, refs2 = o1.references, o2.references
    await prepare(
        w, w.at("POL", pr), mid, first,
        f"Checked PNC {refs1['pnc_id']} and CRN {refs1['crn'].lower()}; {o1.name} was seen "
        f"near {r1.line}.",
    )  # fmt: skip
    await prepare(
        w, w.at("PRB", pr), mid, first, f"{r1.name} has moved {k1.forename} to a new school."
    )
    await prepare(
        w, w.at("POL", pr), mid, second,
        f"{o2.forename} was flagged under {refs2['visor_ref'].lower()} last year.",
    )  # fmt: skip
    await prepare(
        w, w.at("CNL", pr), mid, second,
        f"{o2.name} asked about housing; the neighbour {nb.name} complained about him.",
    )  # fmt: skip
    # The police wrote the victim's address, which is her child's too: their own
    # words come back to them as written.
    w.wrote("POL", [f"{MEETINGS}/{mid}/agenda/{first}", f"{MEETINGS}/{mid}/pack"], o1, r1, k1)
    w.wrote("POL", [run_page(w, mid), pack_page(w, mid)], o1, r1, k1)
    w.wrote("CNL", [f"{MEETINGS}/{mid}/agenda/{second}", f"{MEETINGS}/{mid}/pack"], nb)
    w.wrote("CNL", [run_page(w, mid), pack_page(w, mid)], nb)
    mappa_minutes = {
        "present": [w.agencies[a] for a in ("POL", "PRB", "CNL")],
        "entries": [
            {
                "item_id": first,
                "risks": f"{o1.name} poses a risk to {r1.name} and {k1.forename}.",
                "decisions": "Level 2: multi-agency management for the licence period.",
                "level": 2,
                "actions": [
                    {
                        "owner_agency_id": w.agencies["CNL"],
                        "description": f"Housing review for {o1.name}, away from {r1.line}.",
                        "due_on": due,
                    }
                ],
            },
            {
                "item_id": second,
                "information": [
                    {"agency_id": w.agencies["PRB"], "text": f"Probation hold {refs2['crn']}."}
                ],
                "risks": f"{o2.name} poses a risk to {r2.name}; flagged under "
                f"{refs2['visor_ref'][:4].lower()} {refs2['visor_ref'][4:].lower()}.",
                "decisions": "Level 2, reviewed in 16 weeks.",
                "level": 2,
            },
        ],
    }
    await held_and_minuted(w, settings, coordinator, chair, mid, starts, mappa_minutes)

    # The ASB case review panel.
    coordinator = w.at("POL", Role.ASB_CASE_REVIEW_COORDINATOR)
    mid = await arrange(
        w, coordinator, "asb_case_review_panel", coordinator, ["POL", "CNL", "HSG"], starts
    )
    w.meetings[mid] = REVIEW
    await acknowledge(w, coordinator, mid)
    [item] = await agenda(w, coordinator, mid)
    await everyone_acknowledges(w, mid, ("POL", "CNL", "HSG"))
    cv, rep, ct, cn = p["cv"], p["rep"], p["ct"], p["cn"]
    await prepare(
        w, w.at("CNL", pr), mid, item,
        f"{cv.name} reported to us twice; {ct.name} is a witness.", [(ct, "witness")],
    )  # fmt: skip
    await prepare(
        w, w.at("HSG", pr), mid, item,
        f"{cn.name} is our tenant; {nb.name} also complained about noise from {cn.line}.",
        [(cn, "perpetrator")],
    )  # fmt: skip
    w.wrote("CNL", [f"{MEETINGS}/{mid}/agenda/{item}", f"{MEETINGS}/{mid}/pack"], cv)
    w.wrote("CNL", [run_page(w, mid), pack_page(w, mid)], cv)
    review_minutes = {
        "present": [w.agencies[a] for a in ("POL", "CNL", "HSG")],
        "entries": [
            {
                "item_id": item,
                "risks": f"{cv.name} and the representative, {rep.name}, report continuing "
                f"nuisance from {cn.name}.",
                "decisions": f"A joint plan for {cv.forename}.",
                "actions": [
                    {
                        "owner_agency_id": w.agencies["HSG"],
                        "description": f"A tenancy warning for {cn.name}.",
                        "due_on": due,
                    }
                ],
            }
        ],
    }
    await held_and_minuted(w, settings, coordinator, coordinator, mid, starts, review_minutes)
    # The outcome, a recommendation to the council, and its answer.
    url = f"/api/case-reviews/{w.reviews[0]}"
    outcome = await hub.step(
        coordinator,
        f"{url}/outcome",
        {
            "summary": f"The response to {cv.name} was not joined up.",
            "recommendations": [
                {"agency_id": w.agencies["CNL"], "recommendation": f"Visit {cv.name} weekly."}
            ],
        },
        of=url,
    )
    [recommendation] = outcome["recommendations"]
    await hub.ok(
        w.at("CNL", pr),
        "POST",
        f"{url}/recommendations/{recommendation['id']}/response",
        json={"response": f"Visits to {cv.forename} started."},
        headers={"If-Match": f'"{recommendation["version"]}"'},
    )
    w.wrote("CNL", [url], cv)


async def build(client: Any, provider: Any, settings: Any, partnership: Any) -> World:
    w = World(hub=Hub(client), people=People())
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    w.admin = Staff("POL", "hub_administrator", "hub-admin-1", "", cookie)
    await register_agencies(w, str(partnership.agency_id), provider.issuer)
    await sign_in_everyone(w, client, provider)
    await sign_protocols(w)
    p = await record_people(w)
    await record_bases(w, p)
    await asb_reports(w, p)
    await asb_cases(w, p)
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    await marac_referrals(w, p, starts.astimezone(LOCAL_TIME).date())
    await mappa_referrals(w, p)
    await case_review(w, p)
    await meetings(w, settings, p, starts)
    providers = await w.hub.get(w.admin, "/api/identity-providers/")
    w.providers = [item["id"] for item in providers]
    engine, sessions = await database(settings)
    try:
        async with sessions() as db:
            # A proof for the first ledger entry of each kind for each agency.
            rows = await db.execute(
                select(func.min(LedgerEntry.seq)).group_by(LedgerEntry.kind, LedgerEntry.agency_id)
            )
            w.seqs = sorted(seq for (seq,) in rows)
    finally:
        await engine.dispose()
    return w


# --- every GET route, with every record ---------------------------------------------------------


def explicit_routes(w: World) -> dict[str, list[str]]:
    """GET routes whose records come in pairs (a meeting's items, a review's
    requests, a subject's consents) or whose query changes what they show (a
    subject's purpose, a pack's format, an export's form, a filter)."""
    people = [p for p in w.people.all.values() if p.id]
    subjects = [p.id for p in people]
    purposes: dict[str, set[str]] = defaultdict(set)
    for key, _, chosen, *_ in w.consents:
        purposes[key] |= chosen
    for key, _, purpose, _ in w.decisions:
        purposes[key].add(purpose)
    meetings = list(w.meetings)
    return {
        # Swagger UI's own third-party code, served from the package: it carries
        # no record, and its word lists (top-level domains, locales) hold common
        # names by chance. The static files router is read with the hub's own file.
        "/static/swagger-ui/swagger-ui-bundle.js": [],
        "/api/asb-reports": ["/api/asb-reports", "/api/asb-reports?status=open"],
        "/marac-referrals": [
            f"/marac-referrals?view={v}" for v in ("screening", "ours", "caseload", "all")
        ],
        "/mappa-referrals": [
            f"/mappa-referrals?view={v}"
            for v in ("screening", "reviews", "ours", "invited", "all&status=accepted")
        ],
        "/case-reviews": [
            f"/case-reviews?view={v}" for v in ("open", "overdue", "awaiting", "ours", "all")
        ],
        "/case-reviews/{reference:str}/answers/{number:int}": [
            f"/case-reviews/{r}/answers/{n}" for r in w.review_references for n in (1, 2, 3, 4)
        ],
        "/meetings": ["/meetings", "/meetings?view=past", "/meetings?kind=marac"],
        "/meeting-actions": ["/meeting-actions", "/meeting-actions?view=overdue"]
        + [f"/meeting-actions?meeting={r}" for r in w.meeting_references],
        "/meetings/{reference:str}/run/{number:int}": [
            f"/meetings/{r}/run/{n}" for r in w.meeting_references for n in (1, 2)
        ],
        "/api/audit/disclosures": ["/api/audit/disclosures?limit=500"],
        "/api/audit/subject-access/{subject_id:str}": [
            f"/api/audit/subject-access/{s}?format={form}"
            for s in subjects
            for form in ("json", "csv")
        ],
        "/api/case-reviews/{review_id:str}/information-requests/{request_id:str}": [
            f"/api/case-reviews/{r}/information-requests/{q}" for r, q in w.review_requests
        ],
        "/api/mappa-referrals/reviews-due": ["/api/mappa-referrals/reviews-due?within_days=365"],
        "/api/meeting-actions": ["/api/meeting-actions"]
        + [f"/api/meeting-actions?meeting_id={m}" for m in meetings],
        "/api/meetings/{meeting_id:str}/agenda/{item_id:str}": [
            f"{MEETINGS}/{m}/agenda/{i}" for m, i in w.items
        ],
        "/api/meetings/{meeting_id:str}/pack": [
            f"{MEETINGS}/{m}/pack?format={form}"
            for m in meetings
            for form in ("json", "html", "pdf")
        ],
        "/api/safeguarding-overrides": [
            "/api/safeguarding-overrides",
            "/api/safeguarding-overrides?awaiting_review=true",
        ],
        "/api/subjects/{subject_id:str}": [f"/api/subjects/{s}" for s in subjects]
        + [f"/api/subjects/{s}?purpose={purpose}" for s in subjects for purpose in PURPOSES],
        # What another agency would see, for the purpose of each consent and decision.
        "/api/subjects/{subject_id:str}/consent-state": [
            f"/api/subjects/{p.id}/consent-state?agency_id={w.agencies[a]}&purpose={purpose}"
            for p in people
            for a in w.agencies
            if a != p.holder
            for purpose in sorted(purposes.get(p.key, ()))
        ],
        "/api/subjects/{subject_id:str}/consents/{consent_id:str}/receipt": [
            f"/api/subjects/{s}/consents/{c}/receipt" for s, c in w.consent_ids
        ],
        "/api/users": ["/api/users"] + [f"/api/users?agency_id={a}" for a in w.agencies.values()],
    }


_PARAMETER = re.compile(r"\{(\w+):\w+\}")
# Steps of the record pages (a GET showing each step's form).
PAGE_STEPS = ["assessment", "first-response", "closure", "reopening", "no-such-step", "screening",
              "listing", "hearing", "resubmission", "level-review", "invitations",
              "acknowledgement", "threshold-decision", "information-requests", "outcome",
              "invitation", "attendee", "agenda", "timings", "cancellation"]  # fmt: skip


def parameter_values(w: World, name: str, template: str) -> list[str] | None:
    """Every record a path parameter can name, by the parameter's name (None:
    the sweep does not know it)."""
    people = [p for p in w.people.all.values() if p.id]
    by_name: dict[str, list[str]] = {
        "agency_id": list(w.agencies.values()),
        "subject_id": [p.id for p in people],
        "report_id": w.asb_reports,
        "case_id": w.asb_cases,
        "evidence_id": w.evidence,
        "attachment_id": w.attachments,
        "owner_id": w.asb_reports + w.asb_cases,
        "review_id": w.reviews,
        "request_id": [q for _, q in w.review_requests],
        "meeting_id": list(w.meetings),
        "item_id": [i for _, i in w.items],
        "action_id": list(w.actions),
        "protocol_id": w.protocol_ids,
        "provider_id": w.providers,
        "consent_id": [c for _, c in w.consent_ids],
        "seq": [str(n) for n in w.seqs],
        "number": ["1"],
        "area": [AREA],
        "slug": w.slugs,
        "step": PAGE_STEPS,
        "file_path": ["sharehub.js", "no-such-file.js"],
        "path": ["no-such-page"],
    }
    if name == "referral_id":
        if "marac" in template:
            return w.marac
        return w.mappa if "mappa" in template else w.marac + w.mappa
    if name == "reference":
        if template.startswith("/asb-reports"):
            return w.asb_references
        if template.startswith(("/asb-cases", "/asb-evidence-requests")):
            return w.asb_case_references
        if template.startswith("/marac-referrals"):
            return w.marac_references
        if template.startswith("/mappa-referrals"):
            return w.mappa_references
        if template.startswith("/asb-attachments"):
            return w.asb_case_references + w.asb_references
        if template.startswith("/case-reviews"):
            return w.review_references
        if template.startswith("/people"):
            return w.subject_references
        if template.startswith(("/meetings", "/meeting-actions")):
            return w.meeting_references
        return w.asb_references + w.subject_references
    return by_name.get(name)


def fill(w: World, template: str) -> list[str] | None:
    """The URLs of a route with every combination of the records its path
    parameters name (None: a parameter the sweep does not know)."""
    choices = []
    for name in _PARAMETER.findall(template):
        values = parameter_values(w, name, template)
        if values is None:
            return None
        choices.append(values)
    urls = []
    for combination in itertools.product(*choices):
        values = iter(combination)
        urls.append(_PARAMETER.sub(lambda _, values=values: next(values), template))
    return urls


def routes_to_read(w: World, templates: Iterable[str]) -> dict[str, list[str] | None]:
    """Each GET route of the app with the URLs that read it: the explicit
    variants above, or every record its parameters name."""
    explicit = explicit_routes(w)
    return {t: explicit[t] if t in explicit else fill(w, t) for t in templates}


def get_routes(app: Any) -> dict[str, dict[str, Any]]:
    """Every GET route of the app and what its handler declares (``opt``)."""
    found: dict[str, dict[str, Any]] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if "GET" in (handler.http_methods or ()):
                found[route.path] = dict(handler.opt)
    return found


def purpose_of(w: World, url: str) -> str | None:
    """The purpose a response serves, as this test built the record it shows;
    None where it serves none (an identity may then be shown only to the
    agency that holds the person)."""
    path, _, query = url.partition("?")
    params = dict(part.split("=", 1) for part in query.split("&") if "=" in part)
    parts = path.strip("/").split("/")
    if path.startswith(
        (
            "/api/asb-reports",
            "/api/asb-cases",
            "/api/asb-evidence-requests",
            "/asb-cases",
            "/asb-evidence-requests",
            "/api/asb-attachments",
            "/asb-attachments",
        )
    ):
        return ASB
    if path.startswith(("/api/marac-referrals", "/marac-referrals")):
        return MARAC
    if path.startswith(("/api/mappa-referrals", "/mappa-referrals")):
        return MAPPA
    if path.startswith(("/api/case-reviews", "/case-reviews")):
        return REVIEW
    if path.startswith(MEETINGS + "/"):
        return w.meetings.get(parts[2])
    if path.startswith("/meetings/") and len(parts) > 1:
        return w.meetings.get(w.meeting_ids.get(parts[1], ""))
    if path.startswith("/meeting-actions"):  # an action's page, or one meeting's
        reference = parts[1] if len(parts) > 1 else params.get("meeting", "")
        return w.meetings.get(w.meeting_ids.get(reference, ""))
    if path.startswith("/api/meeting-actions"):
        if len(parts) > 2:
            return w.meetings.get(w.actions.get(parts[2], ""))
        return w.meetings.get(params.get("meeting_id", ""))
    if len(parts) == 3 and path.startswith("/api/subjects/"):
        return params.get("purpose")
    return None


@dataclass(frozen=True)
class Read:
    url: str
    viewer: Staff
    status: int
    started: datetime
    ended: datetime


@dataclass
class Finding:
    read: Read
    person: Person
    field: str
    found: str
    where: str

    def line(self) -> str:
        return (
            f"GET {self.read.url} as {self.read.viewer} ({self.read.status}): "
            f"{self.person.key} [{self.person.role}, held by {self.person.holder}] "
            f"{self.field} {self.found!r} at {self.where}"
        )


class Basis:
    """Whether a viewer may see a person's identity (or contact details, or
    restricted references), from what this test recorded."""

    def __init__(self, w: World) -> None:
        self.w = w
        self.by_address: dict[str, list[Person]] = defaultdict(list)
        for p in w.people.all.values():
            if p.address:
                self.by_address[p.line].append(p)

    def _protocol(self, a: str, b: str, purpose: str, category: str) -> bool:
        return any(
            {a, b} <= parties and p == purpose and category in categories
            for parties, p, categories in self.w.protocols
        )

    def wrote(self, viewer: Staff, person: Person, path: str) -> bool:
        """The viewer's agency wrote this person's identity in its own text read here."""
        return any(
            a == viewer.agency and k == person.key and path.startswith(where)
            for a, k, where in self.w.written
        )

    def allows(
        self, viewer: Staff, person: Person, what: str, purpose: str | None, path: str
    ) -> bool:
        w, agency = self.w, viewer.agency
        if not agency:
            return False
        if agency == person.holder or self.wrote(viewer, person, path):
            return True
        if what == "references":
            return (
                w.agency_types[agency] in RESPONSIBLE_AUTHORITIES
                or viewer.role in MAPPA_COORDINATING
            )
        if purpose is None:
            return False
        if what == "contact_details" and not self.allows(viewer, person, "identity", purpose, path):
            return False  # contact details never without identity
        if not self._protocol(agency, person.holder, purpose, what):
            return False
        if person.role not in PROTECTED:
            return True
        if any(
            key == person.key
            and agency in to
            and purpose in purposes
            and what in categories
            and live
            for key, to, purposes, categories, live in w.consents
        ):
            return True
        if any(
            key == person.key and agency in to and purpose == p and what in categories
            for key, to, p, categories in w.decisions
        ):
            return True
        return any(
            key == person.key and user == viewer.user_id and purpose == p
            for key, user, p in w.overrides
        )

    def leaked(self, viewer: Staff, hit: Hit, purpose: str | None, path: str) -> list[Person]:
        """The people a hit shows without a basis (none: it is allowed)."""
        if hit.field in REFERENCE_FIELDS:
            return (
                [] if self.allows(viewer, hit.person, "references", purpose, path) else [hit.person]
            )
        if hit.field not in CONTACT_FIELDS:
            return (
                [] if self.allows(viewer, hit.person, "identity", purpose, path) else [hit.person]
            )
        if hit.field == "address" or hit.field == "street" or hit.field == "postcode":
            # An address is everyone's who lives there: shown only where a
            # resident's may be and every protected resident's may be too.
            residents = [p for p in self.by_address.get(hit.person.line, [hit.person])]
            seen = [
                p for p in residents if self.allows(viewer, p, "contact_details", purpose, path)
            ]
            hidden = [p for p in residents if p not in seen]
            protected_hidden = [p for p in hidden if p.role in PROTECTED]
            if seen and not protected_hidden:
                return []
            return protected_hidden or hidden
        allowed = self.allows(viewer, hit.person, "contact_details", purpose, path)
        return [] if allowed else [hit.person]


def texts_of(response: Any) -> tuple[str, Any]:
    """The text a response shows, and (for JSON) the decoded body."""
    kind = response.headers.get("content-type", "")
    if "json" in kind:
        try:
            body = response.json()
        except ValueError:
            return response.text, None
        return "\n".join(strings(body)), body
    if "pdf" in kind:
        return pdf_text(response.content), None
    if "html" in kind:
        return html.unescape(response.text), None
    return response.text, None


def strings(body: Any, path: str = "$") -> Iterator[str]:
    for _, text in walk(body, path):
        yield text


def walk(body: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    if isinstance(body, dict):
        for key, value in body.items():
            yield f"{path} (key)", str(key)
            yield from walk(value, f"{path}.{key}")
    elif isinstance(body, list):
        for i, value in enumerate(body):
            yield from walk(value, f"{path}[{i}]")
    elif body is not None:
        yield path, str(body)


def where_in(finder: Finder, body: Any, text: str, hit: Hit) -> str:
    if body is not None:
        for path, value in walk(body):
            if any(h.person is hit.person and h.field == hit.field for h in finder.hits(value)):
                return path
    at = text.casefold().find(hit.found.casefold())
    return f"…{text[max(0, at - 40) : at + len(hit.found) + 40]}…".replace("\n", " ")


@dataclass
class Sweep:
    routes: int = 0
    urls: int = 0
    reads: int = 0
    ok: int = 0
    refused_once: int = 0
    by_status: Counter = field(default_factory=Counter)
    leaks: list[Finding] = field(default_factory=list)
    wrong_refusals: list[str] = field(default_factory=list)
    # (read, person): another agency's person shown on a basis: a disclosure is due
    shown: list[tuple[Read, Person]] = field(default_factory=list)
    seen_by_holder: set[str] = field(default_factory=set)
    viewers: set[Staff] = field(default_factory=set)
    pdfs: int = 0


# Path parameters that name no record: sign-in plumbing, static files, API documents.
NO_RECORD = {"slug", "file_path", "path"}


def needed(w: World, template: str, url: str, viewer: Staff, first: bool) -> bool:
    """Whether a read the policy allows adds anything (every other is made):

    - a route whose parameters name no record is read with every variant by
      nobody, and with its first by everyone else;
    - a subject read for a purpose, by the holding agency's own staff (who
      see their subject whole, whatever the purpose) is read without one;
    - by another agency, for a purpose no protocol of this test connects it
      with the holder for, only for the first subject each agency holds (to
      show those stay shut)."""
    names = set(_PARAMETER.findall(template))
    if names and names <= NO_RECORD:
        return first or not viewer.cookie
    if template == "/api/subjects/{subject_id:str}" and "?purpose=" in url:
        subject_id, purpose = url.split("/")[3].split("?purpose=")
        person = next(p for p in w.people.all.values() if p.id == subject_id)
        if viewer.agency == person.holder:
            return False
        firsts: dict[str, Person] = {}
        for p in w.people.all.values():
            firsts.setdefault(p.holder, p)
        return firsts[person.holder] is person or any(
            {viewer.agency, person.holder} <= parties and p == purpose
            for parties, p, _ in w.protocols
        )
    return True


class Readers:
    """Who reads each URL of one route.

    Everyone reads its first URL: every role of every agency, and nobody.
    Then every record is read, in every agency, by one of the agency's own
    roles the policy allows (in turn) and by one of its hub-wide roles (in
    turn); every hub-wide role (a coordinator's or chair's reach is its own)
    reads every record, at its agencies in turn; and the one person whose
    basis is their own (a safeguarding override) reads everything. With
    ``SWEEP_EVERY_ROLE=1`` every member of staff reads every URL.

    A role the policy refuses the route is refused by the guard, from the
    role alone, before any record is read: it is read once per route, at
    the agencies in turn, and must answer 401 or 403."""

    def __init__(self, w: World, viewers: list[Staff], allowed: Any, position: int) -> None:
        self.allowed, self.position = allowed, position
        self.every_role = os.environ.get("SWEEP_EVERY_ROLE") == "1"
        self.overriding = {user for _, user, _ in w.overrides}
        self.local: dict[str, list[Staff]] = defaultdict(list)
        self.wide: dict[str, list[Staff]] = defaultdict(list)
        for viewer in viewers:
            if allowed(viewer):
                (self.wide if viewer.role in HUB_WIDE else self.local)[viewer.agency].append(viewer)
        self.agencies = list(w.agencies)
        self.rank = {role: i for i, role in enumerate(sorted(HUB_WIDE))}
        self.holding = {
            role: sorted({v.agency for v in viewers if v.role == role})
            for role in {v.role for v in viewers}
        }

    def reads(self, i: int, viewer: Staff) -> bool:
        if not self.allowed(viewer):
            at = self.holding[viewer.role]
            return i == 0 and viewer.agency == at[self.position % len(at)]
        if i == 0 or self.every_role or viewer.user_id in self.overriding:
            return True
        for turn in (self.local[viewer.agency], self.wide[viewer.agency]):
            if turn and turn[i % len(turn)] is viewer:
                return True
        if viewer.role in HUB_WIDE and viewer.agency in self.agencies:
            return viewer.agency == self.agencies[(i + self.rank[viewer.role]) % len(self.agencies)]
        return False


async def read_everything(w: World, app: Any) -> Sweep:
    policy = app.state.access_policy
    finder = Finder(w.people.all.values())
    basis = Basis(w)
    declared = get_routes(app)
    table = routes_to_read(w, declared)
    unknown = sorted(t for t, urls in table.items() if urls is None)
    assert not unknown, f"routes whose parameters the sweep cannot fill: {unknown}"
    sweep = Sweep(routes=len(declared), urls=sum(len(urls or []) for urls in table.values()))
    viewers = [ANONYMOUS, w.admin, *w.staff]
    for position, (template, opt) in enumerate(declared.items()):
        roles = policy.roles_allowed(opt["action"]) if opt.get("action") else frozenset()

        def allowed(viewer: Staff, opt: dict[str, Any] = opt, roles: Any = roles) -> bool:
            if opt.get("public"):
                return True
            return bool(viewer.cookie) and bool(opt.get("signed_in") or viewer.role in roles)

        readers = Readers(w, viewers, allowed, position)
        for i, url in enumerate(table[template] or []):
            for viewer in viewers:
                if not readers.reads(i, viewer):
                    continue
                if allowed(viewer) and not needed(w, template, url, viewer, i == 0):
                    continue
                started = datetime.now(UTC)
                response = await w.hub.request(viewer, "GET", url)
                read = Read(url, viewer, response.status_code, started, datetime.now(UTC))
                check(w, sweep, finder, basis, read, response, refused=not allowed(viewer))
    return sweep


def check(
    w: World,
    sweep: Sweep,
    finder: Finder,
    basis: Basis,
    read: Read,
    response: Any,
    *,
    refused: bool,
) -> None:
    """One response: its identities against their basis, and those of another
    agency's people shown on a basis noted, for their disclosure rows."""
    sweep.reads += 1
    sweep.by_status[read.status] += 1
    sweep.viewers.add(read.viewer)
    if refused:
        sweep.refused_once += 1
        if read.status not in (302, 303, 401, 403):
            sweep.wrong_refusals.append(f"GET {read.url} as {read.viewer}: {read.status}")
    if read.status == 200:
        sweep.ok += 1
    text, body = texts_of(response)
    if "pdf" in response.headers.get("content-type", ""):
        # A letter to a member of the public is headed as letters to people are.
        marking = "Private and confidential" if "/letter.pdf" in read.url else "OFFICIAL-SENSITIVE"
        assert marking in text, f"no text found in the PDF of {read.url}"
        sweep.pdfs += 1
    viewer, path = read.viewer, read.url.partition("?")[0]
    purpose = purpose_of(w, read.url)
    shown: dict[str, Person] = {}
    for hit in finder.hits(text):
        person = hit.person
        if viewer.agency == person.holder:
            sweep.seen_by_holder.add(person.key)
        for hidden in basis.leaked(viewer, hit, purpose, path):
            where = where_in(finder, body, text, hit)
            sweep.leaks.append(Finding(read, hidden, hit.field, hit.found, where))
        if person.holder != viewer.agency and not basis.wrote(viewer, person, path):
            shown[person.key] = person
    sweep.shown += [(read, person) for person in shown.values()]


async def disclosure_rows(settings: Any) -> list[Disclosure]:
    engine, sessions = await database(settings)
    try:
        async with sessions() as db:
            return list(await db.scalars(select(Disclosure)))
    finally:
        await engine.dispose()


async def audited(w: World, sweep: Sweep, settings: Any) -> list[str]:
    """Each identity shown to another agency has its disclosure row (that
    viewer, that person, during that read), and each such row is in the
    subject access export and both agencies' disclosure audits."""
    problems: list[str] = []
    rows = await disclosure_rows(settings)
    index: dict[tuple[str, str], list[Disclosure]] = defaultdict(list)
    for row in rows:
        index[(str(row.subject_id), str(row.user_id))].append(row)
    due: dict[str, set[str]] = defaultdict(set)  # subject → disclosure ids
    by_viewer: dict[tuple[str, str, str], set[str]] = defaultdict(
        set
    )  # (holder, viewer agency, user)
    for read, person in sweep.shown:
        match = [
            r
            for r in index.get((person.id, read.viewer.user_id), [])
            if read.started <= r.created_at <= read.ended
            and str(r.viewer_agency_id) == w.agencies[read.viewer.agency]
        ]
        if not match:
            problems.append(
                f"GET {read.url} as {read.viewer}: {person.key} (held by {person.holder}) shown, "
                "with no disclosure row for that read"
            )
            continue
        for row in match:
            due[person.id].add(str(row.id))
            by_viewer[(person.holder, read.viewer.agency, read.viewer.user_id)].add(str(row.id))
    dpo = Role.DATA_PROTECTION_OFFICER
    people = {p.id: p for p in w.people.all.values()}
    for subject_id, ids in due.items():
        holder = w.at(people[subject_id].holder, dpo)
        response = await w.hub.request(
            holder, "GET", f"/api/audit/subject-access/{subject_id}?format=json"
        )
        exported = {row["disclosure_id"] for row in response.json()}
        for missing in sorted(ids - exported):
            problems.append(
                f"disclosure {missing} of {people[subject_id].key} not in the subject access export"
            )
    for (holder, viewer_agency, user_id), ids in by_viewer.items():
        for asking, side in ((viewer_agency, "recipient"), (holder, "discloser")):
            listed: set[str] = set()
            offset = 0
            query = (
                f"user_id={user_id}&recipient_agency_id={w.agencies[viewer_agency]}"
                f"&discloser_agency_id={w.agencies[holder]}"
            )
            while True:
                page = await w.hub.get(
                    w.at(asking, dpo), f"/api/audit/disclosures?{query}&limit=500&offset={offset}"
                )
                listed |= {item["disclosure_id"] for item in page["items"]}
                offset += 500
                if offset >= page["total"]:
                    break
            for missing in sorted(ids - listed):
                problems.append(
                    f"disclosure {missing} to {viewer_agency} not in the {side}'s disclosure audit"
                )
    return problems


def report(title: str, lines: list[str], limit: int = 150) -> str:
    shown = lines[:limit]
    more = f"\n… and {len(lines) - limit} more" if len(lines) > limit else ""
    return f"{title} ({len(lines)}):\n  " + "\n  ".join(shown) + more


@pytest.fixture
async def world(client, oidc_provider, settings, partnership) -> World:  # type: ignore[no-untyped-def]
    import logging

    quiet = {name: logging.getLogger(name).level for name in ("httpx", "sharehub", "fontTools")}
    for name in quiet:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        yield await build(client, oidc_provider, settings, partnership)
    finally:
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)


def test_the_sweep_reads_every_get_route(app):
    """Every GET route is swept: a route whose path parameter the sweep cannot
    fill with records fails here, naming it (add the parameter to
    ``parameter_values``, or the route to ``explicit_routes``)."""
    empty = World(hub=None, people=People.__new__(People))  # type: ignore[arg-type]
    empty.people.all = {}
    declared = get_routes(app)
    table = routes_to_read(empty, declared)
    unknown = sorted(t for t, urls in table.items() if urls is None)
    assert not unknown, f"routes whose parameters the sweep cannot fill: {unknown}"
    stale = sorted(set(explicit_routes(empty)) - set(declared))
    assert not stale, f"routes the sweep reads that are gone: {stale}"


async def test_no_identity_leaves_outside_its_basis_and_every_one_shown_is_recorded(
    world, app, settings
):
    started = time.monotonic()
    sweep = await read_everything(world, app)
    elapsed = time.monotonic() - started
    problems = await audited(world, sweep, settings)
    summary = (
        f"{sweep.routes} GET routes, {sweep.urls} URLs with every record, "
        f"{len(sweep.viewers)} viewers; {sweep.reads} reads ({sweep.ok} answered 200, "
        f"{sweep.refused_once} refused by the policy and read once), "
        f"{len(sweep.shown)} identities of another agency's people shown, in {elapsed:.1f} s"
    )
    print(summary, dict(sweep.by_status))
    failures = []
    if sweep.leaks:
        failures.append(report("identities shown without a basis", [f.line() for f in sweep.leaks]))
    if problems:
        failures.append(report("identities shown without a record", problems))
    if sweep.wrong_refusals:
        failures.append(report("reads the policy refuses that were answered", sweep.wrong_refusals))
    assert not failures, summary + "\n" + "\n".join(failures)
    # The sweep is not vacuous: every person was found where their holder reads
    # them, identities were shown to other agencies on a basis, PDFs were read.
    unseen = {p.key for p in world.people.all.values()} - sweep.seen_by_holder
    assert not unseen, f"never found, even by their holder: {sorted(unseen)}"
    assert len(sweep.shown) > 50 and sweep.pdfs > 0
