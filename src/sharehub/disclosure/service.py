"""Disclosure checks: the engine's answer for a real pair of agencies, recorded."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.agencies.service import get_agency
from sharehub.agencies.types import AgencyType
from sharehub.audit.events import AuditEvent
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import IN_FORCE
from sharehub.disclosure.schemas import (
    AssertedFact,
    DisclosureCheckAnswer,
    DisclosureCheckRequest,
)
from sharehub.errors import BadRequest, Conflict, Forbidden, NotFound
from sharehub.privacy.consent import covering, live_consents
from sharehub.privacy.decisions import decision_covers, live_releases
from sharehub.privacy.models import Subject
from sharehub.protocols.engine import (
    AgencyRef,
    ConsentState,
    DisclosureRequest,
    IdentityRelease,
    RecordedRisk,
    SubjectRole,
    decide,
    status_on,
)
from sharehub.protocols.service import terms_in_force
from sharehub.protocols.terms import ProtocolTerms
from sharehub.referrals.marac.risks import recorded_risks


class _FromRecords:
    """What the hub records about one person, as the engine's facts."""

    def __init__(self) -> None:
        self.role: SubjectRole | None = None
        self.consent = ConsentState.NOT_SOUGHT
        self.covers = False
        self.release: IdentityRelease | None = None
        self.risk: RecordedRisk | None = None
        self.said: list[str] = []


async def _from_records(
    db: AsyncSession,
    gate: GateContext,
    *,
    subject_id: uuid.UUID,
    discloser_agency_id: uuid.UUID,
    question: DisclosureCheckRequest,
    terms: list[ProtocolTerms],
    day: date,
) -> _FromRecords:
    """The consent, sharing decisions and overrides on record for a person the
    asker's agency holds (404 for anyone else, so ids do not leak). Consent
    and decisions count only where they cover every category asked about."""
    subject = await db.get(Subject, subject_id)
    if subject is None or subject.holding_agency_id != discloser_agency_id:
        raise NotFound("person")
    found = _FromRecords()
    found.role = SubjectRole(subject.role) if subject.role in set(SubjectRole) else None
    parties = {
        t.protocol_id: frozenset(p.agency_id for p in t.parties)
        for t in terms
        if status_on(t, day) in IN_FORCE
    }
    recipient = question.recipient_agency_id
    consents, lapsed = await live_consents(db, [subject.id], gate.now)
    held = consents.get(subject.id, [])
    if held:
        found.consent = ConsentState.GIVEN
        found.covers = all(
            covering(
                held,
                agency_id=recipient,
                purpose=question.purpose,
                category=category,
                protocol_parties=parties,
            )
            for category in question.categories
        )
        found.said.append(
            "consent is recorded and covers this recipient for everything asked about"
            if found.covers
            else "consent is recorded but does not cover this recipient for everything asked about"
        )
    else:
        found.consent = lapsed.get(subject.id, ConsentState.NOT_SOUGHT)
        found.said.append(
            f"no consent in force is recorded ({found.consent.value.replace('_', ' ')})"
        )
    decisions, overrides = await live_releases(
        db, [subject.id], user_id=None, purpose=question.purpose, now=gate.now
    )
    decision = next(
        (
            d
            for d in decisions.get(subject.id, [])
            if all(
                decision_covers(
                    d,
                    agency_id=recipient,
                    purpose=question.purpose,
                    category=category,
                    protocol_parties=parties,
                )
                for category in question.categories
            )
        ),
        None,
    )
    if decision is not None:
        found.release = IdentityRelease(kind="sharing_decision", reference=decision.id)
        found.said.append("a sharing decision in force covers this recipient and purpose")
    override = overrides.get(subject.id)
    if override is not None:
        found.risk = RecordedRisk(
            kind="safeguarding_override", reference=f"of {override.created_at:%d %B %Y}"
        )
        found.said.append("a safeguarding override in force records a risk of serious harm")
    else:
        found.risk = (await recorded_risks(db, [subject.id], day)).get(subject.id)
        if found.risk is not None:
            found.said.append(
                f"a live {found.risk.reference} meeting the criteria records a risk of serious harm"
            )
    return found


async def check_disclosure(
    db: AsyncSession,
    gate: GateContext,
    *,
    discloser_agency_id: uuid.UUID,
    asked_by: uuid.UUID,
    question: DisclosureCheckRequest,
    may_decide: bool = False,
) -> DisclosureCheckAnswer:
    rules, audit, today = gate.rules, gate.audit, gate.today
    if not question.categories:
        raise BadRequest("name at least one category of data", field="categories")
    if question.recipient_agency_id == discloser_agency_id:
        raise BadRequest(
            "sharing within your own agency is not a disclosure", field="recipient_agency_id"
        )
    discloser = await get_agency(db, discloser_agency_id)
    recipient = await get_agency(db, question.recipient_agency_id)
    if not recipient.active:
        raise Conflict("the recipient agency is deactivated", field="recipient_agency_id")
    day = question.on or today
    terms = await terms_in_force(db, day)
    records = None
    if question.subject_id is not None:
        records = await _from_records(
            db,
            gate,
            subject_id=question.subject_id,
            discloser_agency_id=discloser.id,
            question=question,
            terms=terms,
            day=day,
        )
    role = question.subject_role or (records.role if records else None)
    if role is None:
        raise BadRequest("say the person's role in the case", field="subject_role")
    request = DisclosureRequest(
        discloser=AgencyRef(discloser.id, AgencyType(discloser.agency_type), discloser.name),
        recipient=AgencyRef(recipient.id, AgencyType(recipient.agency_type), recipient.name),
        purpose=question.purpose,
        categories=tuple(question.categories),
        subject_role=role,
        consent=records.consent if records else question.consent,
        consent_covers_recipient=records.covers if records else question.consent_covers_recipient,
        high_risk_of_serious_harm=question.high_risk_of_serious_harm,
        recorded_risk=records.risk if records else None,
        consent_would_prejudice=question.consent_would_prejudice,
        identity_release=records.release if records else None,
        on=day,
    )
    decision = decide(request, terms, rules)
    if question.decision is not None:
        if not may_decide:
            raise Forbidden(
                "a decision on a check is recorded by someone allowed to record sharing "
                "decisions (a safeguarding lead, an information governance lead or a data "
                "protection officer)"
            )
        if decision.outcome != "needs_review":
            raise Conflict(
                f"the answer is {decision.outcome.replace('_', ' ')}: a decision is recorded "
                "only where the engine asks for a person's review",
                field="decision",
            )
        if question.decision.share and AssertedFact.RISK_OF_SERIOUS_HARM not in (
            question.decision.facts
        ):
            raise BadRequest(
                "a decision to share names the facts relied on, a risk of serious harm among them",
                field="decision.facts",
            )
    check_id = uuid.uuid4()
    await audit.record(
        db=db,
        event=AuditEvent(
            kind="disclosure_checked",
            at=gate.now,
            user_id=asked_by,
            agency_id=discloser.id,
            reason=decision.outcome,
            details={
                "check_id": str(check_id),
                "recipient_agency_id": str(recipient.id),
                "purpose": question.purpose.value,
                "categories": [c.value for c in question.categories],
                "outcome": decision.outcome,
                "gateway": decision.gateway,
                "protocol_id": str(decision.protocol_id) if decision.protocol_id else None,
                "protocol_version": decision.protocol_version,
                "rules_version": decision.rules_version,
                # Whether the hub's records about a person were used (not who).
                "about_a_person_held": question.subject_id is not None,
                # A person's decision on a "needs review" answer, with the facts
                # they asserted: the record a regulator would ask for.
                "decision": (
                    {
                        "share": question.decision.share,
                        "facts": [f.value for f in question.decision.facts],
                    }
                    if question.decision
                    else None
                ),
            },
        ),
    )
    return DisclosureCheckAnswer(
        check_id=check_id,
        discloser_agency_id=discloser.id,
        recipient_agency_id=recipient.id,
        decision=decision,
        records_used=records.said if records else [],
        decided=question.decision,
    )
