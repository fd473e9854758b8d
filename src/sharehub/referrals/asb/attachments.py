"""Documents and images attached to ASB reports and cases: diary sheets,
letters, photographs, CCTV stills and recordings.

A file is recognised by its contents and must be what its name says
(attachment_rules.py); an image loses its metadata (EXIF location!) before it
is kept. It is kept encrypted outside the database (sharehub/files.py), and
its SHA-256, as kept and as received, goes on the ledger with the upload.

The holding agency's staff see their agency's attachments. Another agency
sees one only when all of these hold: the holder marked it shareable; the
case has been shared with that agency through the hub (an evidence request
asked of it); a protocol in force connects the two for managing ASB cases;
the gate would name every person in the case to that viewer (a picture or a
letter cannot be redacted, so it is shown only where the identity it may
carry would be); and, for CCTV, the agency is one the policy lets recordings
go to. Each download by another agency is a disclosure, recorded.

CCTV recordings are deleted 30 days after they were recorded unless kept as
evidence of a named incident (a report of the case); the retention run
enforces it (retention/service.py).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.agencies.models import Agency
from sharehub.audit.events import AuditEvent
from sharehub.crypto import open_field, seal_field
from sharehub.db.base import new_id
from sharehub.db.changes import check_version, write_changes
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import SubjectInRecord, Viewer, disclose, plan
from sharehub.disclosure.records import connected, gated_record
from sharehub.errors import Conflict, NotFound, Unprocessable
from sharehub.files import EncryptedFiles, FileMissing
from sharehub.identity.models import User
from sharehub.identity.principal import Principal
from sharehub.privacy.models import Subject
from sharehub.protocols.engine import SubjectRole
from sharehub.protocols.terms import Purpose
from sharehub.referrals.asb.attachment_rules import (
    AttachmentRules,
    NotAccepted,
    attachment_rules,
    cctv_disclosable_to,
    cctv_keep_until,
    check,
    without_metadata,
)
from sharehub.referrals.asb.attachment_schemas import AttachmentChange, AttachmentIn, AttachmentView
from sharehub.referrals.asb.models import (
    AsbAttachment,
    AsbCase,
    AsbCaseReport,
    AsbEvidenceRequest,
    AsbReport,
    AsbReportSubject,
)

PURPOSE = Purpose.ASB_CASE_MANAGEMENT
KIND = "attachment"
TABLE = AsbAttachment.__tablename__
Owner = AsbReport | AsbCase


@dataclass(frozen=True)
class Upload:
    """The file as it arrived: its name, the type the sender claimed, its bytes."""

    filename: str
    content_type: str | None
    data: bytes


# --- the rules, as plain functions -----------------------------------------------

_UNSAFE = re.compile(r"[\x00-\x1f\x7f\"\\/:*?<>|]+")


def clean_filename(name: str) -> str:
    """The name a person gave the file, without any folder, control character
    or character a file system or a Content-Disposition header would trip on."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", _UNSAFE.sub(" ", base)).strip(" .")
    return " ".join(base.split())[:120]


def withheld_from_partner(
    *,
    shareable: bool,
    shared_with_them: bool,
    protocol_connects: bool,
    cctv: bool,
    cctv_may_go_to_them: bool,
    everyone_named_to_them: bool,
) -> str | None:
    """Why another agency may not see an attachment, or None when it may."""
    if not shareable:
        return "not marked as shareable by the agency that holds it"
    if not shared_with_them:
        return "the case has not been shared with your agency"
    if not protocol_connects:
        return "no information sharing protocol in force connects your agencies for ASB cases"
    if cctv and not cctv_may_go_to_them:
        return "CCTV recordings are disclosed only to the police or prosecuting agencies"
    if not everyone_named_to_them:
        return "the gate withholds the identity of someone in the case from your agency"
    return None


def delete_on(
    rules: AttachmentRules, kind: str, recorded_on: date | None, evidence: bool
) -> date | None:
    """When the retention run deletes it: CCTV not kept as evidence only."""
    if not rules.kinds[kind].cctv or evidence or recorded_on is None:
        return None
    return cctv_keep_until(rules, recorded_on)


# --- finding things ------------------------------------------------------------------


async def owner_by_reference(db: AsyncSession, actor: Principal, reference: str) -> Owner:
    """A report ("ASB-…") or case ("CASE-…") of the actor's agency."""
    reference = reference.upper()
    table = AsbCase if reference.startswith("CASE-") else AsbReport
    owner = await db.scalar(select(table).where(table.reference == reference))
    if owner is None or owner.agency_id != actor.agency_id:
        raise NotFound("report or case")
    return owner


async def _owner_of(db: AsyncSession, attachment: AsbAttachment) -> Owner:
    owner = (
        await db.get(AsbCase, attachment.case_id)
        if attachment.case_id
        else await db.get(AsbReport, attachment.report_id)
    )
    assert owner is not None
    return owner


async def case_holding(db: AsyncSession, attachment: AsbAttachment) -> AsbCase | None:
    """The case it is part of: its own, or the case of its report."""
    if attachment.case_id:
        return await db.get(AsbCase, attachment.case_id)
    return await db.scalar(
        select(AsbCase).join(AsbCaseReport).where(AsbCaseReport.report_id == attachment.report_id)
    )


async def people_of(db: AsyncSession, report_ids: list[uuid.UUID]) -> list[SubjectInRecord]:
    """Everyone in the reports, once each, as the gate takes them."""
    rows = (
        await db.execute(
            select(Subject, AsbReportSubject.role)
            .join(AsbReportSubject, AsbReportSubject.subject_id == Subject.id)
            .where(AsbReportSubject.report_id.in_(report_ids))
            .order_by(AsbReportSubject.report_id, AsbReportSubject.position)
        )
    ).all()
    seen: dict[uuid.UUID, SubjectInRecord] = {}
    for subject, role in rows:
        seen.setdefault(subject.id, SubjectInRecord(subject, SubjectRole(role)))
    return list(seen.values())


async def _people(db: AsyncSession, attachment: AsbAttachment) -> list[SubjectInRecord]:
    case = await case_holding(db, attachment)
    reports = [r.report_id for r in case.reports] if case else [attachment.report_id]
    return await people_of(db, [r for r in reports if r])


async def get_attachment(
    db: AsyncSession, actor: Principal, attachment_id: uuid.UUID
) -> AsbAttachment:
    """One of the actor's agency's attachments; 404 for any other."""
    attachment = await db.get(AsbAttachment, attachment_id)
    if attachment is None or attachment.agency_id != actor.agency_id:
        raise NotFound(KIND)
    return attachment


async def by_number(
    db: AsyncSession, reference: str, number: int
) -> tuple[Owner, AsbAttachment] | None:
    """Attachment ``number`` of the report or case ``reference``, any agency's
    (the caller decides who may see it)."""
    reference = reference.upper()
    table = AsbCase if reference.startswith("CASE-") else AsbReport
    owner = await db.scalar(select(table).where(table.reference == reference))
    if owner is None:
        return None
    column = AsbAttachment.case_id if table is AsbCase else AsbAttachment.report_id
    attachment = await db.scalar(
        select(AsbAttachment).where(column == owner.id, AsbAttachment.number == number)
    )
    return (owner, attachment) if attachment else None


# --- attaching and changing --------------------------------------------------------


def _closed(owner: Owner) -> bool:
    return owner.status == "closed"


async def _evidence_report(
    db: AsyncSession, owner: Owner, reference: str | None, field: str
) -> tuple[AsbReport | None, list[tuple[str, str]]]:
    """The report an attachment is evidence of: the report itself, or one in the case."""
    if reference is None:
        return None, []
    report = await db.scalar(select(AsbReport).where(AsbReport.reference == reference.upper()))
    in_owner = report is not None and (
        report.id == owner.id
        if isinstance(owner, AsbReport)
        else any(r.report_id == report.id for r in owner.reports)
    )
    if report is None or not in_owner:
        return None, [(field, "choose a report of this case (the incident it is evidence of)")]
    return report, []


async def attach(
    db: AsyncSession,
    actor: Principal,
    owner: Owner,
    upload: Upload | None,
    data: AttachmentIn,
    gate: GateContext,
    files: EncryptedFiles,
    *,
    max_bytes: int,
) -> AsbAttachment:
    rules = attachment_rules()
    errors: list[tuple[str, str]] = []
    if _closed(owner):
        raise Conflict(f"{owner.reference} is closed: reopen it before attaching anything")
    kind = rules.kinds.get(data.kind)
    if kind is None:
        errors.append(("kind", "choose what the file is"))
    filename = clean_filename(upload.filename) if upload else ""
    type_code = ""
    if upload is None or not upload.data:
        errors.append(("file", "choose a file to attach"))
    elif not filename:
        errors.append(("file", "the file needs a name"))
    elif kind is not None:
        try:
            type_code = check(
                rules,
                upload.data,
                filename=filename,
                claimed_type=upload.content_type,
                kind=data.kind,
                max_bytes=max_bytes,
            )
        except NotAccepted as refused:
            errors.append(("file", str(refused)))
    evidence, problems = await _evidence_report(db, owner, data.evidence_for, "evidence_for")
    errors += problems
    if kind is not None and kind.cctv:
        if data.recorded_on is None:
            errors.append(("recorded_on", "enter the day the CCTV was recorded"))
        elif data.recorded_on > gate.today:
            errors.append(("recorded_on", "cannot be in the future"))
        elif evidence is None and cctv_keep_until(rules, data.recorded_on) <= gate.today:
            why = (
                f"CCTV is kept only {rules.cctv.keep_days} days unless it is evidence of a "
                "named incident: choose the report it is evidence of"
            )
            errors.append(("recorded_on", why))
    elif data.recorded_on is not None and data.recorded_on > gate.today:
        errors.append(("recorded_on", "cannot be in the future"))
    if data.evidence_note and evidence is None:
        errors.append(("evidence_for", "choose the report it is evidence of"))
    if errors:
        raise Unprocessable(errors)
    assert upload is not None and kind is not None
    try:
        kept = without_metadata(rules, type_code, upload.data)
    except NotAccepted as refused:
        raise Unprocessable([("file", str(refused))]) from None
    column = AsbAttachment.case_id if isinstance(owner, AsbCase) else AsbAttachment.report_id
    count = await db.scalar(
        select(func.count()).select_from(AsbAttachment).where(column == owner.id)
    )
    attachment = AsbAttachment(
        id=new_id(),
        agency_id=owner.agency_id,
        report_id=owner.id if isinstance(owner, AsbReport) else None,
        case_id=owner.id if isinstance(owner, AsbCase) else None,
        number=(count or 0) + 1,
        kind=data.kind,
        file_type=type_code,
        size=len(kept),
        sha256=hashlib.sha256(kept).hexdigest(),
        received_sha256=hashlib.sha256(upload.data).hexdigest(),
        shareable=data.shareable,
        recorded_on=data.recorded_on,
        delete_on=delete_on(rules, data.kind, data.recorded_on, evidence is not None),
        evidence_report_id=evidence.id if evidence else None,
        uploaded_by=actor.user_id,
        uploaded_at=gate.now,
    )
    seal_field(gate.cipher, attachment, "filename", filename)
    seal_field(gate.cipher, attachment, "description", data.description)
    seal_field(gate.cipher, attachment, "evidence_note", data.evidence_note)
    db.add(attachment)
    await write_changes(db, KIND, _raced)
    await _on_ledger(db, gate, actor, "attachment_added", attachment, owner)
    # The file last: nothing is written to disk for an upload that was refused.
    files.put(TABLE, attachment.id, kept)
    return attachment


def _raced(_: Exception) -> Conflict:
    return Conflict("another file was attached at the same time; try again")


async def _on_ledger(
    db: AsyncSession,
    gate: GateContext,
    actor: Principal,
    kind: str,
    attachment: AsbAttachment,
    owner: Owner,
) -> None:
    await gate.audit.record(
        db=db,
        event=AuditEvent(
            kind=kind,  # type: ignore[arg-type]
            at=gate.now,
            user_id=actor.user_id,
            agency_id=actor.agency_id,
            details={
                "attachment_id": str(attachment.id),
                "attached_to": owner.reference,
                "kind": attachment.kind,
                "file_type": attachment.file_type,
                "size": attachment.size,
                "sha256": attachment.sha256,
                "received_sha256": attachment.received_sha256,
                "shareable": attachment.shareable,
                "evidence": attachment.evidence_report_id is not None,
                "delete_on": attachment.delete_on.isoformat() if attachment.delete_on else None,
            },
        ),
    )


async def change(
    db: AsyncSession,
    actor: Principal,
    attachment_id: uuid.UUID,
    version: int,
    data: AttachmentChange,
    gate: GateContext,
) -> AsbAttachment:
    attachment = await get_attachment(db, actor, attachment_id)
    check_version(attachment, version, KIND)
    owner = await _owner_of(db, attachment)
    rules = attachment_rules()
    if data.shareable is not msgspec.UNSET:
        attachment.shareable = data.shareable
    if data.evidence_for is not msgspec.UNSET:
        evidence, errors = await _evidence_report(db, owner, data.evidence_for, "evidence_for")
        if errors:
            raise Unprocessable(errors)
        if evidence is None and attachment.evidence_report_id is not None:
            kind = rules.kinds.get(attachment.kind)
            recorded = attachment.recorded_on
            if kind and kind.cctv and recorded and cctv_keep_until(rules, recorded) <= gate.today:
                raise Conflict(
                    f"this recording is more than {rules.cctv.keep_days} days old: it is kept "
                    "only as evidence, so it cannot stop being evidence (it would be deleted)",
                    field="evidence_for",
                )
        attachment.evidence_report_id = evidence.id if evidence else None
        if evidence is None:
            seal_field(gate.cipher, attachment, "evidence_note", None)
    if data.evidence_note is not msgspec.UNSET:
        if data.evidence_note and attachment.evidence_report_id is None:
            raise Unprocessable([("evidence_for", "choose the report it is evidence of")])
        seal_field(gate.cipher, attachment, "evidence_note", data.evidence_note)
    attachment.delete_on = delete_on(
        rules, attachment.kind, attachment.recorded_on, attachment.evidence_report_id is not None
    )
    await write_changes(db, KIND, _raced)
    await _on_ledger(db, gate, actor, "attachment_changed", attachment, owner)
    return attachment


# --- reading -------------------------------------------------------------------------


async def _names(db: AsyncSession, attachments: list[AsbAttachment]) -> tuple[dict, dict, dict]:
    users = {a.uploaded_by for a in attachments if a.uploaded_by}
    staff = dict(
        (await db.execute(select(User.id, User.display_name).where(User.id.in_(users)))).all()
    )
    agencies = dict(
        (
            await db.execute(
                select(Agency.id, Agency.name).where(
                    Agency.id.in_({a.agency_id for a in attachments})
                )
            )
        ).all()
    )
    reports = {a.evidence_report_id for a in attachments if a.evidence_report_id}
    references = dict(
        (
            await db.execute(
                select(AsbReport.id, AsbReport.reference).where(AsbReport.id.in_(reports))
            )
        ).all()
    )
    return staff, agencies, references


def texts_of(attachment: AsbAttachment, gate: GateContext) -> dict[str, str | None]:
    """Its free text (the file's name too: people name files after people),
    keyed for the gate."""
    return {
        f"attachment.{attachment.id}.{name}": open_field(gate.cipher, attachment, name)
        for name in AsbAttachment.__encrypted__
    }


async def views(
    db: AsyncSession,
    attachments: list[AsbAttachment],
    gated_texts: dict,
    gate: GateContext,
) -> list[AttachmentView]:
    """Views of attachments whose texts the gate has already built."""
    rules = attachment_rules()
    staff, agencies, references = await _names(db, attachments)
    owners = {}
    for a in attachments:
        owner = await _owner_of(db, a)
        owners[a.id] = owner.reference
    out = []
    for a in attachments:
        kind = rules.kinds.get(a.kind)
        file_type = rules.types[a.file_type]
        text = {
            name: gated_texts.get(f"attachment.{a.id}.{name}")
            for name in AsbAttachment.__encrypted__
        }
        out.append(
            AttachmentView(
                id=a.id,
                version=a.version,
                attached_to=owners[a.id],
                number=a.number,
                kind=a.kind,
                kind_words=kind.words if kind else a.kind,
                file_type=a.file_type,
                file_type_words=file_type.words,
                content_type=file_type.content_type,
                size=a.size,
                sha256=a.sha256,
                filename=text["filename"],
                description=text["description"],
                shareable=a.shareable,
                cctv=bool(kind and kind.cctv),
                recorded_on=a.recorded_on,
                delete_on=a.delete_on,
                evidence_for=references.get(a.evidence_report_id),
                evidence_note=text["evidence_note"],
                retention_citation=rules.cctv.retention_citation if kind and kind.cctv else None,
                agency=agencies.get(a.agency_id, ""),
                uploaded_by=staff.get(a.uploaded_by),
                uploaded_at=a.uploaded_at,
            )
        )
    return out


async def of_owner(db: AsyncSession, owner: Owner) -> list[AsbAttachment]:
    column = AsbAttachment.case_id if isinstance(owner, AsbCase) else AsbAttachment.report_id
    return list(
        await db.scalars(
            select(AsbAttachment).where(column == owner.id).order_by(AsbAttachment.number)
        )
    )


async def own_views(
    db: AsyncSession, actor: Principal, owner: Owner, gate: GateContext
) -> list[AttachmentView]:
    return await own_views_of(db, actor, await of_owner(db, owner), gate)


async def own_views_of(
    db: AsyncSession, actor: Principal, attachments: list[AsbAttachment], gate: GateContext
) -> list[AttachmentView]:
    """The holding agency's own view of its attachments: its own words, as
    written (the gate returns them unchanged, and records nothing)."""
    texts: dict[str, str | None] = {}
    for a in attachments:
        if a.agency_id != actor.agency_id:  # pragma: no cover - callers pass their own
            raise NotFound(KIND)
        texts |= texts_of(a, gate)
    gated = await disclose(
        db,
        gate,
        viewer=Viewer(actor.agency_id, actor.user_id),
        purpose=PURPOSE,
        subjects=[],
        texts=texts,
        texts_held_by=actor.agency_id,
        context_kind="asb_attachments",
        context_id=None,
    )
    return await views(db, attachments, gated.texts, gate)


async def _everyone_named(
    db: AsyncSession, gate: GateContext, actor: Principal, people: list[SubjectInRecord]
) -> bool:
    plans = await plan(
        db, gate, viewer=Viewer(actor.agency_id, actor.user_id), purpose=PURPOSE, subjects=people
    )
    return all("name" in p.shown for p in plans)


async def why_withheld(
    db: AsyncSession, gate: GateContext, actor: Principal, attachment: AsbAttachment
) -> str | None:
    """For another agency's reader: why not, or None when the attachment may be shown."""
    rules = attachment_rules()
    case = await case_holding(db, attachment)
    shared = (
        case is not None
        and (
            await db.scalar(
                select(func.count())
                .select_from(AsbEvidenceRequest)
                .where(
                    AsbEvidenceRequest.case_id == case.id,
                    AsbEvidenceRequest.agency_id == actor.agency_id,
                )
            )
            or 0
        )
        > 0
    )
    agency_type = await db.scalar(select(Agency.agency_type).where(Agency.id == actor.agency_id))
    kind = rules.kinds.get(attachment.kind)
    cctv = bool(kind and kind.cctv)
    # Cheap checks first; the gate's plan only when they all pass.
    first = withheld_from_partner(
        shareable=attachment.shareable,
        shared_with_them=shared,
        protocol_connects=shared
        and await connected(db, gate, actor.agency_id, attachment.agency_id, PURPOSE),
        cctv=cctv,
        cctv_may_go_to_them=cctv_disclosable_to(rules, agency_type or ""),
        everyone_named_to_them=True,
    )
    if first:
        return first
    named = await _everyone_named(db, gate, actor, await _people(db, attachment))
    return withheld_from_partner(
        shareable=True,
        shared_with_them=True,
        protocol_connects=True,
        cctv=cctv,
        cctv_may_go_to_them=True,
        everyone_named_to_them=named,
    )


async def visible_in_case(
    db: AsyncSession, gate: GateContext, actor: Principal, case: AsbCase
) -> list[AsbAttachment]:
    """The case's attachments (its own and its reports') another agency's
    reader may see."""
    reports = [r.report_id for r in case.reports]
    rows = list(
        await db.scalars(
            select(AsbAttachment)
            .where(
                (AsbAttachment.case_id == case.id) | (AsbAttachment.report_id.in_(reports)),
                AsbAttachment.shareable.is_(True),
            )
            .order_by(AsbAttachment.case_id.is_(None), AsbAttachment.uploaded_at)
        )
    )
    return [a for a in rows if await why_withheld(db, gate, actor, a) is None]


async def readable(db: AsyncSession, actor: Principal, attachment_id: uuid.UUID) -> AsbAttachment:
    """An attachment by id, for ``download`` to decide on (404 if there is none)."""
    attachment = await db.get(AsbAttachment, attachment_id)
    if attachment is None:
        raise NotFound(KIND)
    return attachment


@dataclass(frozen=True)
class Download:
    filename: str
    content_type: str
    data: bytes


async def download(
    db: AsyncSession,
    actor: Principal,
    attachment: AsbAttachment,
    gate: GateContext,
    files: EncryptedFiles,
) -> Download:
    """The file, for its holder's staff or for another agency the rules let
    see it (404 otherwise, so nobody learns what another agency holds). A
    download by another agency is a disclosure: the case's people are
    recorded as disclosed and the file's hash goes on the ledger."""
    rules = attachment_rules()
    filename = open_field(gate.cipher, attachment, "filename") or ""
    if attachment.agency_id != actor.agency_id:
        if await why_withheld(db, gate, actor, attachment) is not None:
            raise NotFound(KIND)
        gated = await gated_record(
            db,
            gate,
            actor=actor,
            purpose=PURPOSE,
            holder_agency_id=attachment.agency_id,
            subjects=await _people(db, attachment),
            texts={"filename": filename},
            context_kind="asb_attachment",
            context_id=attachment.id,
            details={"sha256": attachment.sha256},
        )
        filename = str(gated.texts["filename"] or "")
    try:
        data = files.get(TABLE, attachment.id)
    except FileMissing:
        raise Conflict(
            "the file is no longer kept (it may have been deleted under the retention "
            "schedule): ask the agency that holds it"
        ) from None
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        raise Conflict(
            "the file kept does not match its recorded fingerprint: tell your administrator"
        )
    return Download(
        filename or f"attachment-{attachment.number}",
        rules.types[attachment.file_type].content_type,
        data,
    )


# --- retention ---------------------------------------------------------------------


async def cctv_due(db: AsyncSession, today: date) -> list[AsbAttachment]:
    """CCTV recordings past their 30 days and not kept as evidence."""
    return list(
        await db.scalars(
            select(AsbAttachment)
            .where(AsbAttachment.delete_on.is_not(None), AsbAttachment.delete_on <= today)
            .where(AsbAttachment.evidence_report_id.is_(None))
            .order_by(AsbAttachment.delete_on, AsbAttachment.id)
        )
    )
