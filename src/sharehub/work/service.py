"""What is waiting for a person on a Monday morning, by their roles.

Read-only and free of personal data: references, dates and counts only, so
nothing here needs the gate (a person's name or a text is read on the record's
own page, through the gate). Each section is asked for only when the person's
roles open it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.calendar import working_days_between
from sharehub.disclosure.context import GateContext
from sharehub.meetings.cases import OUTSTANDING
from sharehub.meetings.models import Action, Meeting, MeetingAgency
from sharehub.privacy.models import Consent, ConsentWithdrawal, SafeguardingOverride, Subject
from sharehub.referrals.asb.models import AsbCase, AsbEvidenceRequest, AsbReport
from sharehub.referrals.case_review.models import CaseReview, InformationRequest, Recommendation
from sharehub.referrals.case_review.rules import CLOCKS
from sharehub.referrals.marac.models import MaracReferral

# How far ahead a consent's expiry is worth warning about.
CONSENT_WARNING = timedelta(days=30)
LISTED = 10


@dataclass(frozen=True)
class ReportDue:
    reference: str
    category: str
    harm_level: str | None
    due_at: datetime | None
    working_days_left: int | None


@dataclass(frozen=True)
class ConsentEnding:
    person_reference: str
    expires_at: datetime


@dataclass(frozen=True)
class MeetingSoon:
    meeting_type: str
    area: str
    starts_at: datetime


@dataclass(frozen=True)
class ActionOverdue:
    meeting_type: str
    meeting_on: datetime
    due_on: date


@dataclass
class YourWork:
    reports_breached: list[ReportDue] = field(default_factory=list)
    reports_due: list[ReportDue] = field(default_factory=list)
    reports_to_assess: list[ReportDue] = field(default_factory=list)
    # ASB cases: the complainant's contact due as agreed, and reviews overdue.
    cases_contact_due: int | None = None
    cases_review_overdue: int | None = None
    # Partner agencies' requests for information, waiting for an answer.
    evidence_waiting: int | None = None
    consents_ending: list[ConsentEnding] = field(default_factory=list)
    overrides_to_review: int | None = None
    referrals_to_screen: int | None = None
    # ASB case reviews: the agency's answers and responses awaited, and (for
    # a coordinator) reviews with a step late now.
    case_reviews_awaiting: int | None = None
    case_reviews_late: int | None = None
    meetings: list[MeetingSoon] = field(default_factory=list)
    actions_overdue: list[ActionOverdue] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.reports_breached
            or self.reports_due
            or self.reports_to_assess
            or self.cases_contact_due
            or self.cases_review_overdue
            or self.evidence_waiting
            or self.consents_ending
            or self.overrides_to_review
            or self.referrals_to_screen
            or self.case_reviews_awaiting
            or self.case_reviews_late
            or self.meetings
            or self.actions_overdue
        )


def _due(report: AsbReport, today: date) -> ReportDue:
    due = report.response_due_at
    left = working_days_between(today, due.date()) if due and due.date() >= today else None
    return ReportDue(report.reference, report.category, report.harm_level, due, left)


async def your_work(
    db: AsyncSession, agency_id: uuid.UUID, gate: GateContext, may: Callable[[str], bool]
) -> YourWork:
    work = YourWork()
    now, today = gate.now, gate.today
    if may("asb-report:read"):
        unanswered = and_(
            AsbReport.agency_id == agency_id,
            AsbReport.status == "assessed",
            AsbReport.responded_at.is_(None),
        )
        breached = await db.scalars(
            select(AsbReport)
            .where(unanswered, AsbReport.response_due_at < now)
            .order_by(AsbReport.response_due_at)
            .limit(LISTED)
        )
        work.reports_breached = [_due(r, today) for r in breached]
        due = await db.scalars(
            select(AsbReport)
            .where(unanswered, AsbReport.response_due_at >= now)
            .order_by(AsbReport.response_due_at)
            .limit(LISTED)
        )
        work.reports_due = [_due(r, today) for r in due]
        to_assess = await db.scalars(
            select(AsbReport)
            .where(AsbReport.agency_id == agency_id, AsbReport.status == "open")
            .order_by(AsbReport.received_at)
            .limit(LISTED)
        )
        work.reports_to_assess = [_due(r, today) for r in to_assess]
        open_cases = and_(AsbCase.agency_id == agency_id, AsbCase.status == "open")
        work.cases_contact_due = await db.scalar(
            select(func.count())
            .select_from(AsbCase)
            .where(open_cases, AsbCase.next_contact_on <= today)
        )
        work.evidence_waiting = await db.scalar(
            select(func.count())
            .select_from(AsbEvidenceRequest)
            .where(AsbEvidenceRequest.agency_id == agency_id, AsbEvidenceRequest.status == "asked")
        )
        work.cases_review_overdue = await db.scalar(
            select(func.count())
            .select_from(AsbCase)
            .where(open_cases, AsbCase.next_review_on < today)
        )
    if may("consent:read"):
        withdrawn = select(ConsentWithdrawal.consent_id)
        ending = await db.execute(
            select(Subject.reference, Consent.expires_at)
            .join(Subject, Subject.id == Consent.subject_id)
            .where(
                Consent.holding_agency_id == agency_id,
                Consent.expires_at >= now,
                Consent.expires_at < now + CONSENT_WARNING,
                Consent.id.not_in(withdrawn),
            )
            .order_by(Consent.expires_at)
            .limit(LISTED)
        )
        work.consents_ending = [ConsentEnding(ref, at) for ref, at in ending]
    if may("override:review"):
        work.overrides_to_review = await db.scalar(
            select(func.count())
            .select_from(SafeguardingOverride)
            .where(
                SafeguardingOverride.holding_agency_id == agency_id,
                SafeguardingOverride.review_outcome.is_(None),
                SafeguardingOverride.anonymised_at.is_(None),
            )
        )
    if may("marac-referral:coordinate"):
        work.referrals_to_screen = await db.scalar(
            select(func.count())
            .select_from(MaracReferral)
            .where(MaracReferral.status == "submitted")
        )
    if may("case-review:respond"):
        asked = await db.scalar(
            select(func.count())
            .select_from(InformationRequest)
            .where(
                InformationRequest.agency_id == agency_id, InformationRequest.responded_on.is_(None)
            )
        )
        recommended = await db.scalar(
            select(func.count())
            .select_from(Recommendation)
            .where(Recommendation.agency_id == agency_id, Recommendation.responded_on.is_(None))
        )
        work.case_reviews_awaiting = (asked or 0) + (recommended or 0)
    if may("case-review:manage"):
        late_now = or_(
            *(
                and_(
                    getattr(CaseReview, c.stopped_by).is_(None), getattr(CaseReview, c.due) < today
                )
                for c in CLOCKS.values()
            )
        )
        work.case_reviews_late = await db.scalar(
            select(func.count())
            .select_from(CaseReview)
            .where(CaseReview.status != "closed", late_now)
        )
    if may("meeting:read"):
        invited = select(MeetingAgency.meeting_id).where(MeetingAgency.agency_id == agency_id)
        meetings = await db.scalars(
            select(Meeting)
            .where(
                or_(Meeting.organiser_agency_id == agency_id, Meeting.id.in_(invited)),
                Meeting.starts_at >= now,
                Meeting.status != "cancelled",
            )
            .order_by(Meeting.starts_at)
            .limit(5)
        )
        work.meetings = [MeetingSoon(m.meeting_type, m.area, m.starts_at) for m in meetings]
        overdue = await db.execute(
            select(Meeting.meeting_type, Meeting.starts_at, Action.due_on)
            .join(Meeting, Meeting.id == Action.meeting_id)
            .where(
                Action.owner_agency_id == agency_id,
                Action.status.in_(OUTSTANDING),
                Action.due_on < today,
            )
            .order_by(Action.due_on)
            .limit(LISTED)
        )
        work.actions_overdue = [ActionOverdue(t, at, due) for t, at, due in overdue]
    return work
