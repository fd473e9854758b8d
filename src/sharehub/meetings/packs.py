"""Meeting packs: one per agency, built on request by the disclosure gate for
that agency, as JSON, HTML or PDF. A pack is never stored, so no other agency
can fetch it; each one built is a set of disclosures in the ledger.

Every page is marked OFFICIAL-SENSITIVE and carries the confidentiality
statement the reader acknowledged.

All three formats come from one ``Pack``, whose every case is a ``CaseView``
the gate built: HTML and PDF print its ``GatedText`` (they are strings), and
JSON is encoded with the gate's encoders (``sharehub.disclosure.gated``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from html import escape
from pathlib import Path

import msgspec
from fpdf import FPDF
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.calendar import LOCAL_TIME
from sharehub.crypto import open_field
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import Viewer
from sharehub.disclosure.gated import (
    AgencyName,
    Code,
    Configuration,
    Explanation,
    GovernanceText,
    Reference,
    StaffName,
    View,
    encode_json,
)
from sharehub.identity.principal import Principal
from sharehub.meetings import agenda as agendas
from sharehub.meetings import statements
from sharehub.meetings.agenda import items_of
from sharehub.meetings.models import Meeting
from sharehub.meetings.preparation import agency_names, case_for, meeting_partners
from sharehub.meetings.risks import RISK_LABELS
from sharehub.meetings.schemas import CaseView
from sharehub.meetings.service import attendees_of, kind_of
from sharehub.privacy.redaction import PersonView
from sharehub.protocols.document import CONTENT_SECURITY_POLICY, STYLE

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "Pack",
    "build_pack",
    "case_title",
    "cases_of",
    "render_html",
    "render_json",
    "render_pdf",
]

MARKING = "OFFICIAL-SENSITIVE"
FONTS = Path(__file__).with_name("fonts")


class PackAttendee(msgspec.Struct, kw_only=True):
    name: StaffName
    agency_name: AgencyName


class PackSlot(msgspec.Struct, kw_only=True):
    """When a case is heard: the meeting's start and each item's minutes before it."""

    item_id: uuid.UUID
    position: int
    starts_at: datetime
    ends_at: datetime
    minutes: int
    # The agency whose record the case is (None for an action carried over).
    referring_agency: AgencyName | None


class Pack(View, kw_only=True):
    meeting_id: uuid.UUID
    reference: Reference  # the meeting's, "MTG-2026-0003"
    meeting: Explanation  # the kind's name
    area: Configuration
    starts_at: datetime
    venue: GovernanceText
    agency_id: uuid.UUID
    agency_name: AgencyName
    generated_at: datetime
    marking: Code
    statement_title: GovernanceText
    statement_version: int
    statement: GovernanceText
    attendees: list[PackAttendee]
    # The agencies that sent apologies (they may still have prepared).
    apologies: list[AgencyName]
    slots: list[PackSlot]
    # Each built by the disclosure gate for this agency.
    cases: list[CaseView]


async def cases_of(
    db: AsyncSession,
    actor: Principal,
    meeting: Meeting,
    gate: GateContext,
    *,
    context_kind: str = "meeting_pack",
) -> list[CaseView]:
    """Every case on the agenda, as the gate lets the actor's agency see it."""
    names = await agency_names(db)
    partners = await meeting_partners(db, meeting, actor.agency_id, gate)
    viewer = Viewer(actor.agency_id, actor.user_id)
    return [
        await case_for(
            db,
            viewer,
            meeting,
            item,
            partners=partners,
            agency_names=names,
            context_kind=context_kind,
            gate=gate,
        )
        for item in await items_of(db, meeting)
    ]


async def slots_of(db: AsyncSession, meeting: Meeting, cases: list[CaseView]) -> list[PackSlot]:
    """Each item's time slot, from the meeting's start and the minutes before
    it, with the agency whose record the case is (its referrer)."""
    names = await agency_names(db)
    holders = {c.item_id: c.holder_agency_id for c in cases if c.source != "action"}
    view = await agendas.view_of(db, meeting)
    return [
        PackSlot(
            item_id=item.id,
            position=item.position,
            starts_at=meeting.starts_at + timedelta(minutes=item.starts_after_minutes),
            ends_at=meeting.starts_at + timedelta(minutes=item.starts_after_minutes + item.minutes),
            minutes=item.minutes,
            referring_agency=names.get(holder) if (holder := holders.get(item.id)) else None,
        )
        for item in view.items
    ]


def initials(name: str) -> str:
    """A name as its initials: "Imogen Thwaite" → "I.T."."""
    return "".join(
        f"{word[0].upper()}." for word in name.replace("-", " ").split() if word[:1].isalpha()
    )


def victim_of(case: CaseView) -> PersonView | None:
    """The person a case is about, as the gate shows them: the victim (or the
    complainant), else the offender for a MAPPA case, else the first person."""
    for role in ("victim", "complainant", "offender", "perpetrator"):
        for person in case.people:
            if person.role == role:
                return person
    return case.people[0] if case.people else None


def case_title(case: CaseView) -> str:
    """A case by its reference and its person's initials or pseudonym, never an id."""
    person = victim_of(case)
    if person is None:
        return case.reference
    shown = initials(person.name) if person.name else person.pseudonym
    return f"{case.reference} ({shown})" if shown else case.reference


async def build_pack(
    db: AsyncSession,
    actor: Principal,
    meeting: Meeting,
    gate: GateContext,
) -> Pack:
    names = await agency_names(db)
    cases = await cases_of(db, actor, meeting, gate)
    text = statements.statement(meeting.statement_code, meeting.statement_version)
    return Pack(
        meeting_id=meeting.id,
        reference=meeting.reference,
        meeting=kind_of(meeting).name,
        area=meeting.area,
        starts_at=meeting.starts_at,
        venue=open_field(gate.cipher, meeting, "venue") or "",
        agency_id=actor.agency_id,
        agency_name=names.get(actor.agency_id, ""),
        generated_at=gate.now,
        marking=MARKING,
        statement_title=text.title,
        statement_version=text.version,
        statement=text.text.strip(),
        attendees=[
            PackAttendee(name=a.name, agency_name=names.get(a.agency_id, ""))
            for a in await attendees_of(db, meeting)
        ],
        apologies=[names.get(a.agency_id, "") for a in meeting.agencies if a.apologies],
        slots=await slots_of(db, meeting, cases),
        cases=cases,
    )


def _clock(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TIME).strftime("%H:%M")


def slot_words(slot: PackSlot | None) -> str:
    """ "10:15 to 10:30 (15 minutes)"."""
    if slot is None:
        return ""
    return f"{_clock(slot.starts_at)} to {_clock(slot.ends_at)} ({slot.minutes} minutes)"


def _slots(pack: Pack) -> dict[uuid.UUID, PackSlot]:
    return {slot.item_id: slot for slot in pack.slots}


def render_json(pack: Pack) -> bytes:
    """The pack as JSON, through the encoder that knows the gate's types."""
    return encode_json(pack)


# --- shared wording -------------------------------------------------------------------------


def _local(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TIME).strftime("%A %d %B %Y, %H:%M")


def _person_line(person: PersonView) -> str:
    shown = person.name or person.pseudonym
    details = [
        value
        for value in (person.date_of_birth and f"born {person.date_of_birth}", person.postcode)
        if value
    ]
    withheld = " (identity withheld)" if person.name is None else ""
    extra = f" — {', '.join(details)}" if details else ""
    return f"{person.role.replace('_', ' ').capitalize()}: {shown}{withheld}{extra}"


def _risk_words(codes: list[str]) -> str:
    return "; ".join(RISK_LABELS.get(code, code) for code in codes) or "none flagged"


# --- HTML ------------------------------------------------------------------------------------


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _paragraphs(text: str | None) -> str:
    return "".join(f"<p>{_e(line)}</p>" for line in (text or "").splitlines() if line.strip())


def _people_at(pack: Pack) -> tuple[str, str]:
    """Who attends, and which agencies sent apologies, as lines."""
    attending = "; ".join(f"{a.name} ({a.agency_name})" for a in pack.attendees)
    return attending or "nobody named yet", "; ".join(pack.apologies) or "none"


def render_html(pack: Pack) -> str:
    slots = _slots(pack)
    attending, apologies = _people_at(pack)
    parts = [
        "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>",
        f"<title>{_e(pack.meeting)} pack {_e(pack.reference)} — {_e(pack.agency_name)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<p class='marking'>{_e(pack.marking)}</p>",
        f"<h1>{_e(pack.meeting)}: {_e(pack.area)} ({_e(pack.reference)})</h1>",
        f"<p>{_e(_local(pack.starts_at))} — {_e(pack.venue)}</p>",
        (
            f"<p>Pack for <strong>{_e(pack.agency_name)}</strong>, built "
            f"{_e(_local(pack.generated_at))}. Redacted for your agency; do not forward.</p>"
        ),
        f"<p>Attending: {_e(attending)}</p><p>Apologies: {_e(apologies)}</p>",
        f"<h2>{_e(pack.statement_title)} (version {pack.statement_version})</h2>",
        _paragraphs(pack.statement),
        "<h2>Agenda</h2><ol>",
        *(
            f"<li>{_e(slot_words(slots.get(case.item_id)))}: {_e(case_title(case))}</li>"
            for case in pack.cases
        ),
        "</ol>",
    ]
    for case in pack.cases:
        slot = slots.get(case.item_id)
        parts.append(f"<h2>{case.position}. {_e(case_title(case))}</h2>")
        parts.append(f"<p>{_e(slot_words(slot))}</p>")
        if slot is not None and slot.referring_agency:
            parts.append(f"<p>Referred by {_e(slot.referring_agency)}</p>")
        if case.withheld:
            parts.append(f"<p><em>Withheld: {_e(case.withheld)}.</em></p>")
            continue
        parts.append("<ul>" + "".join(f"<li>{_e(_person_line(p))}</li>" for p in case.people))
        parts.append("</ul><table>")
        parts += [f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in case.facts.items()]
        parts.append("</table>")
        for name, text in case.texts.items():
            parts.append(f"<h3>{_e(name.capitalize())}</h3>{_paragraphs(text)}")
        for c in case.contributions:
            parts.append(
                f"<h3>From {_e(c.agency_name)}</h3><p>Known to the agency: "
                f"{'yes' if c.known_to_agency else 'no'}"
                + (f"; last contact {_e(c.last_contact_on)}" if c.last_contact_on else "")
                + f"</p><p>Risks: {_e(_risk_words(c.risks))}</p>"
                + "".join(f"<p>{_e(_person_line(p))}</p>" for p in c.people)
                + _paragraphs(c.information)
            )
    parts.append(f"<p class='marking'>{_e(pack.marking)}</p></body></html>")
    return "".join(parts)


# --- PDF -------------------------------------------------------------------------------------


class _PackPDF(FPDF):
    def __init__(self, marking: str) -> None:
        super().__init__(format="A4")
        self.marking = marking
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=18)

    def header(self) -> None:
        self.set_font("DejaVu", "B", 9)
        self.cell(0, 6, self.marking, align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("DejaVu", "B", 9)
        self.cell(0, 6, f"{self.marking} — page {self.page_no()}", align="C")


def _wrapped(pdf: FPDF, paragraph: str) -> list[str]:
    """Greedy word wrap to the page width. fpdf2's own multi_cell re-measures
    the paragraph for every line, which grows with the square of its length;
    contributions are often one long paragraph."""
    width, space = pdf.epw, pdf.get_string_width(" ")
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    for word in paragraph.split():
        w = pdf.get_string_width(word)
        if current and used + space + w > width:
            lines.append(" ".join(current))
            current, used = [], 0.0
        while w > width:  # a single word wider than the page: split it
            cut = max(1, int(len(word) * width / w))
            lines.append(word[:cut])
            word = word[cut:]
            w = pdf.get_string_width(word)
        used = used + space + w if current else w
        current.append(word)
    if current:
        lines.append(" ".join(current))
    return lines


def render_pdf(pack: Pack) -> bytes:
    pdf = _PackPDF(pack.marking)
    pdf.set_title(f"{pack.meeting} pack {pack.reference} — {pack.agency_name}")
    pdf.set_lang("en-GB")
    pdf.set_subject(f"{pack.marking}: redacted for {pack.agency_name}; do not forward")
    pdf.set_author("sharehub")
    pdf.add_page()
    slots = _slots(pack)
    attending, apologies = _people_at(pack)

    def heading(text: str, size: int = 13, level: int | None = None) -> None:
        # Headings of level 0 and 1 are the PDF's outline (its bookmarks).
        if level is not None:
            pdf.start_section(text, level=level, strict=False)
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def body(text: str | None) -> None:
        pdf.set_font("DejaVu", "", 10)
        for paragraph in (text or "").splitlines():
            for line in _wrapped(pdf, paragraph):
                pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    heading(f"{pack.meeting}: {pack.area} ({pack.reference})", 16, level=0)
    body(f"{_local(pack.starts_at)} — {pack.venue}")
    body(
        f"Pack for {pack.agency_name}, built {_local(pack.generated_at)}. "
        "Redacted for your agency; do not forward."
    )
    body(f"Attending: {attending}\nApologies: {apologies}")
    heading(f"{pack.statement_title} (version {pack.statement_version})", level=1)
    body(pack.statement)
    heading("Agenda", level=1)
    body(
        "\n".join(
            f"{case.position}. {slot_words(slots.get(case.item_id))}: {case_title(case)}"
            for case in pack.cases
        )
    )
    for case in pack.cases:
        slot = slots.get(case.item_id)
        heading(f"{case.position}. {case_title(case)}", level=1)
        referred = (
            f"\nReferred by {slot.referring_agency}" if slot and slot.referring_agency else ""
        )
        body(slot_words(slot) + referred)
        if case.withheld:
            body(f"Withheld: {case.withheld}.")
            continue
        body("\n".join(_person_line(p) for p in case.people))
        body("\n".join(f"{k}: {v}" for k, v in case.facts.items()))
        for name, text in case.texts.items():
            heading(name.capitalize(), 11)
            body(text)
        for c in case.contributions:
            heading(f"From {c.agency_name}", 11)
            known = "yes" if c.known_to_agency else "no"
            last = f"; last contact {c.last_contact_on}" if c.last_contact_on else ""
            body(f"Known to the agency: {known}{last}\nRisks: {_risk_words(c.risks)}")
            body("\n".join(_person_line(p) for p in c.people))
            body(c.information)
    return bytes(pdf.output())
