"""Applying the retention schedule: ``sharehub retention run [--dry-run]``.

Finds what is due under ``schedule.toml`` (a disclosure under a protocol keeps
for as long as that protocol says for the purpose), leaves alone anything
under a legal hold (a hold on a subject covers every record about them),
deletes or anonymises the rest a batch at a time, and appends a ledger entry
per record in the same transaction as its purge. Running it again finds
nothing more to do: deleted records are gone and anonymised ones are marked.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import msgspec
from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sharehub.audit.events import AuditEvent, AuditSink
from sharehub.crypto import FieldCipher, seal_field
from sharehub.files import EncryptedFiles
from sharehub.identity.models import UserSession
from sharehub.meetings.models import Contribution, ContributionSubject, Meeting
from sharehub.privacy.identity import Identity, seal
from sharehub.privacy.models import (
    Consent,
    ConsentWithdrawal,
    Disclosure,
    SafeguardingOverride,
    SharingDecision,
    Subject,
    SubjectIndexEntry,
)
from sharehub.protocols.models import Protocol, ProtocolPurpose, ProtocolVersion
from sharehub.protocols.terms import CategoryTerms
from sharehub.referrals.asb.models import AsbAttachment, AsbReport, AsbReportSubject
from sharehub.referrals.case_review.models import (
    CaseReview,
    CaseReviewComplaint,
    InformationRequest,
    ResponseSubject,
)
from sharehub.referrals.mappa.models import MappaReferral, MappaReferralSubject
from sharehub.referrals.marac.models import MaracReferral, MaracReferralSubject
from sharehub.retention.models import LegalHold
from sharehub.retention.schedule import Schedule

ANONYMISED = "[anonymised under the retention schedule]"


@dataclass(frozen=True)
class Due:
    kind: str
    record_id: uuid.UUID
    action: str
    subject_id: uuid.UUID | None
    # Everyone the record is about (a hold on any of them keeps it).
    about: frozenset[uuid.UUID] = frozenset()

    @property
    def subjects(self) -> frozenset[uuid.UUID]:
        return self.about | ({self.subject_id} if self.subject_id else set())


@dataclass
class RunReport:
    dry_run: bool
    due: list[Due] = field(default_factory=list)
    held: int = 0
    done: int = 0

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for item in self.due:
            found[item.kind] = found.get(item.kind, 0) + 1
        return found


async def _holds(db: AsyncSession) -> tuple[set[tuple[str, uuid.UUID]], set[uuid.UUID]]:
    rows = (
        await db.execute(
            select(LegalHold.record_kind, LegalHold.record_id).where(
                LegalHold.released_at.is_(None)
            )
        )
    ).all()
    records = {(kind, record_id) for kind, record_id in rows}
    return records, {record_id for kind, record_id in rows if kind == "subject"}


async def _protocol_days(db: AsyncSession) -> dict[tuple[uuid.UUID, str], int]:
    """The longest retention each protocol (its governing version) sets per purpose."""
    rows = await db.execute(
        select(Protocol.id, ProtocolPurpose.purpose, ProtocolPurpose.categories)
        .join(ProtocolVersion, ProtocolVersion.protocol_id == Protocol.id)
        .join(ProtocolPurpose, ProtocolPurpose.version_id == ProtocolVersion.id)
        .where(ProtocolVersion.number == Protocol.current_version)
    )
    days: dict[tuple[uuid.UUID, str], int] = {}
    for protocol_id, purpose, categories in rows:
        # Read as the engine reads them (a category without a period keeps 365 days).
        terms = msgspec.convert(categories, list[CategoryTerms])
        longest = max((c.retention_days for c in terms), default=0)
        if longest:
            days[(protocol_id, purpose)] = longest
    return days


def cases_keeping_subjects(quiet: datetime) -> list[Select[tuple[uuid.UUID]]]:
    """Every kind of case that keeps the people in it: while open, and for the
    quiet period after it closed (a meeting, for the quiet period after it sat).
    A subject in any of them is not yet due, whatever else is quiet."""
    since = quiet.date()
    return [
        select(AsbReportSubject.report_id)
        .join(AsbReport, AsbReport.id == AsbReportSubject.report_id)
        .where(AsbReportSubject.subject_id == Subject.id)
        .where(or_(AsbReport.status != "closed", AsbReport.closed_at >= quiet)),
        select(MaracReferral.id)
        .where(
            or_(MaracReferral.victim_id == Subject.id, MaracReferral.perpetrator_id == Subject.id)
        )
        .where(or_(MaracReferral.status != "closed", MaracReferral.closed_at >= quiet)),
        select(MaracReferralSubject.subject_id)
        .join(MaracReferral, MaracReferral.id == MaracReferralSubject.referral_id)
        .where(MaracReferralSubject.subject_id == Subject.id)
        .where(or_(MaracReferral.status != "closed", MaracReferral.closed_at >= quiet)),
        select(MappaReferral.id)
        .where(MappaReferral.offender_subject_id == Subject.id)
        .where(or_(MappaReferral.status != "closed", MappaReferral.closed_at >= quiet)),
        select(MappaReferralSubject.subject_id)
        .join(MappaReferral, MappaReferral.id == MappaReferralSubject.referral_id)
        .where(MappaReferralSubject.subject_id == Subject.id)
        .where(or_(MappaReferral.status != "closed", MappaReferral.closed_at >= quiet)),
        select(CaseReview.id)
        .where(
            or_(
                CaseReview.victim_subject_id == Subject.id,
                CaseReview.representative_subject_id == Subject.id,
            )
        )
        .where(or_(CaseReview.status != "closed", CaseReview.closed_on >= since)),
        select(ResponseSubject.subject_id)
        .join(InformationRequest, InformationRequest.id == ResponseSubject.request_id)
        .join(CaseReview, CaseReview.id == InformationRequest.case_review_id)
        .where(ResponseSubject.subject_id == Subject.id)
        .where(or_(CaseReview.status != "closed", CaseReview.closed_on >= since)),
        select(ContributionSubject.subject_id)
        .join(Contribution, Contribution.id == ContributionSubject.contribution_id)
        .join(Meeting, Meeting.id == Contribution.meeting_id)
        .where(ContributionSubject.subject_id == Subject.id, Meeting.starts_at >= quiet),
    ]


async def find_due(db: AsyncSession, schedule: Schedule, now: datetime) -> tuple[list[Due], int]:
    """(what is due, how many due records a legal hold keeps)."""
    held_records, held_subjects = await _holds(db)
    rules = schedule.kinds
    found: list[Due] = []
    kept_here = 0

    def cutoff(kind: str) -> datetime:
        return now - timedelta(days=rules[kind].days)

    # Disclosures: the default period, or the protocol's for the purpose.
    overrides = await _protocol_days(db) if rules["disclosure"].protocol_override else {}
    shortest = min([rules["disclosure"].days, *overrides.values()])
    for d in (
        await db.execute(
            select(
                Disclosure.id,
                Disclosure.subject_id,
                Disclosure.created_at,
                Disclosure.protocol_id,
                Disclosure.purpose,
            )
            .where(Disclosure.created_at < now - timedelta(days=shortest))
            .order_by(Disclosure.created_at)
        )
    ).all():
        days = overrides.get((d.protocol_id, d.purpose), rules["disclosure"].days)
        if d.created_at < now - timedelta(days=days):
            found.append(Due("disclosure", d.id, rules["disclosure"].action, d.subject_id))

    ended = func.coalesce(ConsentWithdrawal.withdrawn_at, Consent.expires_at)
    for c in (
        await db.execute(
            select(Consent.id, Consent.subject_id)
            .outerjoin(ConsentWithdrawal, ConsentWithdrawal.consent_id == Consent.id)
            .where(ended < cutoff("consent"))
            # A case review made on a representative's word rests on this consent.
            .where(~select(CaseReview.id).where(CaseReview.consent_id == Consent.id).exists())
            .order_by(Consent.id)
        )
    ).all():
        found.append(Due("consent", c.id, rules["consent"].action, c.subject_id))

    for o in (
        await db.execute(
            select(SafeguardingOverride.id, SafeguardingOverride.subject_id)
            .where(SafeguardingOverride.reviewed_at < cutoff("safeguarding_override"))
            .where(SafeguardingOverride.anonymised_at.is_(None))
            .order_by(SafeguardingOverride.id)
        )
    ).all():
        found.append(
            Due("safeguarding_override", o.id, rules["safeguarding_override"].action, o.subject_id)
        )

    quiet = cutoff("subject")
    recent_disclosure = select(Disclosure.id).where(
        Disclosure.subject_id == Subject.id, Disclosure.created_at >= quiet
    )
    recent_consent = select(Consent.id).where(
        Consent.subject_id == Subject.id, Consent.created_at >= quiet
    )
    # A hold on a report keeps the people in it whole, as a hold on them keeps it.
    in_held_report = select(AsbReportSubject.subject_id).where(
        AsbReportSubject.subject_id == Subject.id,
        AsbReportSubject.report_id.in_(
            [record_id for kind, record_id in held_records if kind == "asb_report"]
        ),
    )
    for s in (
        await db.execute(
            select(Subject.id)
            .where(Subject.updated_at < quiet, Subject.anonymised_at.is_(None))
            .where(~recent_disclosure.exists(), ~recent_consent.exists())
            .where(*(~case.exists() for case in cases_keeping_subjects(quiet)))
            .where(~in_held_report.exists())
            .order_by(Subject.id)
        )
    ).all():
        found.append(Due("subject", s.id, rules["subject"].action, s.id))

    # A report a case review relied on as a complaint stays while the review does.
    relied_on = select(CaseReviewComplaint.asb_report_id).where(
        CaseReviewComplaint.asb_report_id == AsbReport.id
    )
    reports = (
        await db.scalars(
            select(AsbReport.id)
            .where(AsbReport.status == "closed", AsbReport.closed_at < cutoff("asb_report"))
            .where(~relied_on.exists())
            .order_by(AsbReport.id)
        )
    ).all()
    people: dict[uuid.UUID, set[uuid.UUID]] = {r: set() for r in reports}
    for report_id, subject_id in await db.execute(
        select(AsbReportSubject.report_id, AsbReportSubject.subject_id).where(
            AsbReportSubject.report_id.in_(reports)
        )
    ):
        people[report_id].add(subject_id)
    for report_id in reports:
        found.append(
            Due(
                "asb_report",
                report_id,
                rules["asb_report"].action,
                None,
                frozenset(people[report_id]),
            )
        )

    # CCTV past its date (fixed when attached, from the CCTV policy) and not
    # kept as evidence; a hold on the recording or on its report keeps it.
    held_reports = {record_id for kind, record_id in held_records if kind == "asb_report"}
    for a in (
        await db.execute(
            select(AsbAttachment.id, AsbAttachment.report_id)
            .where(AsbAttachment.delete_on.is_not(None), AsbAttachment.delete_on <= now.date())
            .where(AsbAttachment.evidence_report_id.is_(None))
            .order_by(AsbAttachment.delete_on, AsbAttachment.id)
        )
    ).all():
        if a.report_id in held_reports:
            kept_here += 1
            continue
        found.append(Due("cctv_recording", a.id, rules["cctv_recording"].action, None))

    for u in (
        await db.execute(
            select(UserSession.id)
            .where(
                func.coalesce(UserSession.ended_at, UserSession.expires_at) < cutoff("user_session")
            )
            .where(or_(UserSession.ended_at.is_not(None), UserSession.expires_at < now))
            .order_by(UserSession.id)
        )
    ).all():
        found.append(Due("user_session", u.id, rules["user_session"].action, None))

    due, kept = [], kept_here
    for d in found:
        if (d.kind, d.record_id) in held_records or d.subjects & held_subjects:
            kept += 1
        else:
            due.append(d)
    return due, kept


async def _apply(db: AsyncSession, item: Due, cipher: FieldCipher, now: datetime) -> None:
    if item.kind == "disclosure":
        await db.execute(delete(Disclosure).where(Disclosure.id == item.record_id))
    elif item.kind == "consent":
        await db.execute(
            delete(ConsentWithdrawal).where(ConsentWithdrawal.consent_id == item.record_id)
        )
        await db.execute(delete(Consent).where(Consent.id == item.record_id))
    elif item.kind == "asb_report":
        await db.execute(
            delete(AsbReportSubject).where(AsbReportSubject.report_id == item.record_id)
        )
        await db.execute(delete(AsbAttachment).where(AsbAttachment.report_id == item.record_id))
        await db.execute(
            update(AsbAttachment)
            .where(AsbAttachment.evidence_report_id == item.record_id)
            .values(evidence_report_id=None)
        )
        # A MARAC referral made from it keeps everything it holds, less the link.
        await db.execute(
            update(MaracReferral)
            .where(MaracReferral.asb_report_id == item.record_id)
            .values(asb_report_id=None)
        )
        await db.execute(delete(AsbReport).where(AsbReport.id == item.record_id))
    elif item.kind == "cctv_recording":
        await db.execute(delete(AsbAttachment).where(AsbAttachment.id == item.record_id))
    elif item.kind == "user_session":
        await db.execute(delete(UserSession).where(UserSession.id == item.record_id))
    elif item.kind == "safeguarding_override":
        override = await db.get(SafeguardingOverride, item.record_id)
        if override is not None:
            seal_field(cipher, override, "justification", ANONYMISED)
            seal_field(cipher, override, "review_note", None)
            override.anonymised_at = now
    elif item.kind == "subject":
        subject = await db.get(Subject, item.record_id)
        if subject is not None:
            seal(subject, Identity(name=ANONYMISED), cipher)
            subject.anonymised_at = now
            # The reasons recorded for sharing their identity are about them too.
            for decision in await db.scalars(
                select(SharingDecision).where(SharingDecision.subject_id == subject.id)
            ):
                seal_field(cipher, decision, "reasons", ANONYMISED)
            await db.execute(
                delete(SubjectIndexEntry).where(SubjectIndexEntry.subject_id == subject.id)
            )


async def run_retention(
    session_factory: async_sessionmaker[AsyncSession],
    schedule: Schedule,
    *,
    cipher: FieldCipher,
    audit: AuditSink,
    now: datetime,
    dry_run: bool,
    files: EncryptedFiles | None = None,
    batch_size: int = 200,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> RunReport:
    async with session_factory() as db:
        due, held = await find_due(db, schedule, now)
    report = RunReport(dry_run=dry_run, due=due, held=held)
    if dry_run:
        return report
    doomed: list[uuid.UUID] = []
    for start in range(0, len(due), batch_size):
        batch = due[start : start + batch_size]
        async with session_factory() as db, db.begin():
            for item in batch:
                if item.kind == "asb_report" and files is not None:
                    # The report's attachments go with it (their rows by cascade).
                    gone = await db.scalars(
                        select(AsbAttachment.id).where(AsbAttachment.report_id == item.record_id)
                    )
                    doomed.extend(gone)
                if item.kind == "cctv_recording":
                    doomed.append(item.record_id)
                await _apply(db, item, cipher, now)
                await audit.record(
                    db=db,
                    event=AuditEvent(
                        kind="retention_purge",
                        at=now,
                        subject_id=item.subject_id,
                        reason=item.action,
                        details={
                            "record_kind": item.kind,
                            "record_id": str(item.record_id),
                            "schedule_version": schedule.version,
                        },
                    ),
                )
                report.done += 1
        # The files once their rows are gone for good: a failed batch keeps both.
        if files is not None:
            for attachment_id in doomed:
                files.delete(attachment_id)
        doomed.clear()
        progress(report.done, len(due))
    return report


__all__ = ["Due", "RunReport", "find_due", "run_retention"]
