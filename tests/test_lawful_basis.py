"""The lawful-basis engine, scenario by scenario: outcome, gateway and the law cited.

Each scenario is one row: who discloses what to whom, for what purpose, under
which protocol, and what the engine must answer. The engine is a pure function,
so no database or HTTP is involved.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date

import pytest

from sharehub.agencies.types import AgencyType as T
from sharehub.protocols.engine import (
    AgencyRef,
    ConsentState,
    DisclosureRequest,
    IdentityRelease,
    RecordedRisk,
    SubjectRole,
    decide,
)
from sharehub.protocols.terms import (
    Article6Basis as A6,
)
from sharehub.protocols.terms import (
    CategoryTerms,
    PartyTerms,
    ProtocolStatus,
    ProtocolTerms,
    Purpose,
    PurposeTerms,
)
from sharehub.protocols.terms import (
    DataCategory as C,
)
from sharehub.protocols.terms import (
    Schedule1Condition as S1,
)

TODAY = date(2026, 11, 21)

# Fictional agencies, named for the explanations.
NAMES = {T.POLICE_FORCE: "Kent Police", T.DISTRICT_COUNCIL: "Harrowmere District Council",
         T.DOMESTIC_ABUSE_SERVICE: "Safe Steps"}
AGENCIES = {
    kind: AgencyRef(uuid.uuid5(uuid.NAMESPACE_URL, f"sharehub-test/{kind.value}"), kind,
                    NAMES.get(kind, kind.value.replace("_", " ").title()))
    for kind in T
}
POLICE, COUNCIL, HOUSING = AGENCIES[T.POLICE_FORCE], AGENCIES[T.DISTRICT_COUNCIL], AGENCIES[T.SOCIAL_HOUSING_PROVIDER]
PROBATION, PRISON, ICB = AGENCIES[T.PROBATION_SERVICE], AGENCIES[T.PRISON], AGENCIES[T.INTEGRATED_CARE_BOARD]
DA_SERVICE = AGENCIES[T.DOMESTIC_ABUSE_SERVICE]

S115 = "Crime and Disorder Act 1998, section 115(1)"
S325 = "Criminal Justice Act 2003, section 325(2) to (4)"
SCH4 = "Anti-social Behaviour, Crime and Policing Act 2014, Schedule 4, paragraph 7"
PARA18 = "Data Protection Act 2018, Schedule 1, paragraph 18"
PARA10 = "Data Protection Act 2018, Schedule 1, paragraph 10"
PUBLIC_TASK = "UK GDPR, Article 6(1)(e); Data Protection Act 2018, section 8"
LEGAL_OBLIGATION = "UK GDPR, Article 6(1)(c)"
NOT_FOR_PUBLIC_AUTHORITIES = "UK GDPR, Article 6(1) final subparagraph"
ICO = (
    "Information Commissioner's Office, Data sharing: a code of practice (2021), "
    "'Data sharing agreements' (good practice, not a legal requirement)"
)
IDENTITY_ADVICE = (
    "HM Government, Information sharing: advice for practitioners (2024); "
    "UK GDPR, Article 5(1)(c) data minimisation"
)


def cat(category: C, basis: A6 = A6.PUBLIC_TASK, condition: S1 | None = None) -> CategoryTerms:
    return CategoryTerms(category=category, article6=basis, schedule1=condition)


STANDARD_CATEGORIES = (
    cat(C.IDENTITY),
    cat(C.CONTACT_DETAILS),
    cat(C.ASB_INCIDENT_DETAILS),
    cat(C.RISK_ASSESSMENT),
    cat(C.CRIMINAL_OFFENCE_DATA, condition=S1.PREVENTING_UNLAWFUL_ACTS),
    cat(C.SPECIAL_CATEGORY_HEALTH, condition=S1.SAFEGUARDING),
)
STANDARD_PURPOSES = (
    PurposeTerms(purpose=Purpose.ASB_CASE_MANAGEMENT, categories=STANDARD_CATEGORIES, gateways=("cda1998_s115", "consent")),
    PurposeTerms(purpose=Purpose.MARAC, categories=STANDARD_CATEGORIES, gateways=("cda1998_s115", "dpa2018_safeguarding", "consent")),
    PurposeTerms(purpose=Purpose.MAPPA, categories=STANDARD_CATEGORIES, gateways=("cja2003_s325",)),
    PurposeTerms(
        purpose=Purpose.ASB_CASE_REVIEW,
        categories=(cat(C.ASB_INCIDENT_DETAILS, A6.LEGAL_OBLIGATION), cat(C.IDENTITY, A6.LEGAL_OBLIGATION)),
        gateways=("asbcpa2014_sch4_para7", "cda1998_s115"),
    ),
    PurposeTerms(
        purpose=Purpose.SAFEGUARDING,
        categories=(cat(C.RISK_ASSESSMENT), cat(C.CRIMINAL_OFFENCE_DATA, condition=S1.PREVENTING_UNLAWFUL_ACTS)),
        gateways=("dpa2018_safeguarding", "consent"),
    ),
)


def protocol(
    *parties: AgencyRef,
    purposes=STANDARD_PURPOSES,
    status=ProtocolStatus.ACTIVE,
    review_date=date(2027, 6, 30),
    version=1,
    onward=None,
    protocol_id=None,
    article6=None,
    on_behalf=None,
    co_opted=frozenset(),
    signed=None,
    starts_on=None,
    suspended=(None, None),
) -> ProtocolTerms:
    article6, on_behalf = article6 or {}, on_behalf or {}

    def party(p: AgencyRef) -> PartyTerms:
        principal = on_behalf.get(p)
        return PartyTerms(
            agency_id=p.agency_id, agency_type=p.agency_type, name=p.name,
            article6=article6.get(p), co_opted_for_case_reviews=p in co_opted,
            on_behalf_of=principal.agency_id if principal else None,
            on_behalf_of_type=principal.agency_type if principal else None,
            on_behalf_of_name=principal.name if principal else "",
            signed=p in signed if signed is not None else status is not ProtocolStatus.AWAITING_SIGNATURES,
        )

    return ProtocolTerms(
        protocol_id=protocol_id or uuid.uuid5(uuid.NAMESPACE_URL, f"protocol/{version}/{len(parties)}"),
        version=version,
        title="Kestrelshire community safety information sharing protocol",
        status=status,
        parties=tuple(party(p) for p in parties),
        starts_on=starts_on,
        suspended_on=suspended[0],
        suspension_reason=suspended[1],
        purposes=purposes,
        review_date=review_date,
        review_grace_days=30,
        onward_sharing=onward,
    )


EVERYONE = protocol(*AGENCIES.values(), onward="not passed on without the agreement of the disclosing agency")


def purposes_with(purpose: Purpose, *categories: CategoryTerms, gateways=("cda1998_s115",)):
    return (PurposeTerms(purpose=purpose, categories=categories, gateways=gateways),)


@dataclass
class Scenario:
    name: str
    discloser: AgencyRef
    recipient: AgencyRef
    purpose: Purpose
    categories: tuple[C, ...]
    outcome: str
    gateway: str | None
    cites: set[str]
    protocols: tuple[ProtocolTerms, ...] = (EVERYONE,)
    subject: SubjectRole = SubjectRole.PERPETRATOR
    consent: ConsentState = ConsentState.NOT_SOUGHT
    consent_covers: bool = False
    high_risk: bool = False
    would_prejudice: bool = False
    recorded_risk: RecordedRisk | None = None
    release: IdentityRelease | None = None
    permitted: set[C] | None = None
    withheld: set[C] = field(default_factory=set)
    says: str | None = None  # a phrase the reasons, conditions or withheld reasons must contain


SCENARIOS = [
    Scenario("housing to police for ASB case management: section 115", HOUSING, POLICE,
             Purpose.ASB_CASE_MANAGEMENT, (C.ASB_INCIDENT_DETAILS,), "permitted", "cda1998_s115",
             {S115, PUBLIC_TASK, ICO}, says="A power, not a duty"),
    Scenario("police to housing for ASB: a social landlord under section 115 is unsettled law: review",
             POLICE, HOUSING, Purpose.ASB_CASE_MANAGEMENT, (C.ASB_INCIDENT_DETAILS,),
             "needs_review", "cda1998_s115", {"Crime and Disorder Act 1998, section 115(2), as amended"},
             says="unsettled"),
    Scenario("police to housing for ASB: consent the protocol names covers it", POLICE, HOUSING,
             Purpose.ASB_CASE_MANAGEMENT, (C.ASB_INCIDENT_DETAILS,), "permitted", "consent",
             {"UK GDPR, Article 6(1)(a), Article 7"}, consent=ConsentState.GIVEN, consent_covers=True),
    Scenario("police to housing: consent not for this recipient leaves only unsettled section 115",
             POLICE, HOUSING, Purpose.ASB_CASE_MANAGEMENT, (C.ASB_INCIDENT_DETAILS,),
             "needs_review", "cda1998_s115", {"UK GDPR, Article 7"}, consent=ConsentState.GIVEN,
             consent_covers=False, says="does not cover this recipient"),
    Scenario("council to a domestic abuse charity not recorded as acting for anyone", COUNCIL,
             DA_SERVICE, Purpose.MARAC, (C.RISK_ASSESSMENT,), "refused", None,
             {"Crime and Disorder Act 1998, section 115(2)"}, says="not a relevant authority"),
    Scenario("council to a domestic abuse charity under section 115: not a relevant authority", COUNCIL,
             DA_SERVICE, Purpose.ASB_CASE_MANAGEMENT, (C.RISK_ASSESSMENT,), "refused", None,
             {"Crime and Disorder Act 1998, section 115(2)"}),
    Scenario("police to a domestic abuse charity for MARAC: safeguarding, high risk", POLICE,
             DA_SERVICE, Purpose.MARAC, (C.RISK_ASSESSMENT,), "permitted", "dpa2018_safeguarding",
             {PARA18, PUBLIC_TASK}, high_risk=True, would_prejudice=True),
    Scenario("police to a domestic abuse charity for MARAC without risk or consent", POLICE,
             DA_SERVICE, Purpose.MARAC, (C.RISK_ASSESSMENT,), "refused", None, {ICO},
             says="no risk of serious harm"),
    Scenario("MAPPA: probation to a duty-to-co-operate housing provider", PROBATION, HOUSING,
             Purpose.MAPPA, (C.RISK_ASSESSMENT,), "permitted", "cja2003_s325", {S325},
             subject=SubjectRole.OFFENDER, says="not passed on without the agreement"),
    Scenario("MAPPA: housing provider to a charity outside MAPPA", HOUSING, DA_SERVICE,
             Purpose.MAPPA, (C.RISK_ASSESSMENT,), "refused", None,
             {"Criminal Justice Act 2003, section 325(1), (6)"}, subject=SubjectRole.OFFENDER),
    Scenario("MAPPA: two duty-to-co-operate agencies without a responsible authority", COUNCIL,
             HOUSING, Purpose.MAPPA, (C.RISK_ASSESSMENT,), "refused", None,
             {"Criminal Justice Act 2003, section 325(1), (6)"}, subject=SubjectRole.OFFENDER),
    Scenario("MAPPA: police to prison, both responsible authorities", POLICE, PRISON,
             Purpose.MAPPA, (C.CRIMINAL_OFFENCE_DATA,), "permitted", "cja2003_s325",
             {S325, PARA10}, subject=SubjectRole.OFFENDER),
    Scenario("case review request: police to council under Schedule 4, paragraph 7", POLICE, COUNCIL,
             Purpose.ASB_CASE_REVIEW, (C.ASB_INCIDENT_DETAILS,), "permitted",
             "asbcpa2014_sch4_para7", {SCH4, LEGAL_OBLIGATION}),
    Scenario("case review: a housing provider asked under Schedule 4, paragraph 7 has a power, not a duty",
             HOUSING, COUNCIL, Purpose.ASB_CASE_REVIEW, (C.ASB_INCIDENT_DETAILS,), "refused",
             "asbcpa2014_sch4_para7", {"Anti-social Behaviour, Crime and Policing Act 2014, Schedule 4, paragraph 7(2)"},
             withheld={C.ASB_INCIDENT_DETAILS}, says="a power, not a duty"),
    Scenario("case review: a housing provider answers under its own basis, legitimate interests",
             HOUSING, COUNCIL, Purpose.ASB_CASE_REVIEW, (C.ASB_INCIDENT_DETAILS,), "permitted",
             "asbcpa2014_sch4_para7", {SCH4, "UK GDPR, Article 6(1) final subparagraph; Data Protection Act 2018, section 7"},
             protocols=(protocol(COUNCIL, POLICE, HOUSING, article6={HOUSING: A6.LEGITIMATE_INTERESTS}),)),
    Scenario("case review: council to a housing provider not recorded as co-opted", COUNCIL, HOUSING,
             Purpose.ASB_CASE_REVIEW, (C.ASB_INCIDENT_DETAILS,), "refused", "cda1998_s115",
             {"Anti-social Behaviour, Crime and Policing Act 2014, section 104(2)"}, says="once co-opted",
             withheld={C.ASB_INCIDENT_DETAILS}),
    Scenario("case review: council to a co-opted housing provider", COUNCIL, HOUSING,
             Purpose.ASB_CASE_REVIEW, (C.ASB_INCIDENT_DETAILS,), "permitted", "asbcpa2014_sch4_para7",
             {SCH4, "Anti-social Behaviour, Crime and Policing Act 2014, section 104(2), Schedule 4"},
             protocols=(protocol(COUNCIL, POLICE, HOUSING, co_opted={HOUSING}),), says="co-opted"),
    Scenario("section 115 to a charity acting on behalf of the council (section 115(1))", POLICE, DA_SERVICE,
             Purpose.MARAC, (C.RISK_ASSESSMENT,), "permitted", "cda1998_s115",
             {"Crime and Disorder Act 1998, section 115(1): disclosure to a person acting on behalf of a relevant authority"},
             protocols=(protocol(POLICE, COUNCIL, DA_SERVICE, on_behalf={DA_SERVICE: COUNCIL}),),
             says="acts on behalf of"),
    Scenario("section 115 does not reach a charity acting for another charity", POLICE, DA_SERVICE,
             Purpose.MARAC, (C.RISK_ASSESSMENT,), "refused", None, {"Crime and Disorder Act 1998, section 115(2)"},
             protocols=(protocol(POLICE, AGENCIES[T.OTHER], DA_SERVICE, on_behalf={DA_SERVICE: AGENCIES[T.OTHER]}),)),
    Scenario("a risk of serious harm from a MARAC referral on record: paragraph 18", POLICE, DA_SERVICE,
             Purpose.MARAC, (C.RISK_ASSESSMENT,), "permitted", "dpa2018_safeguarding", {PARA18},
             recorded_risk=RecordedRisk(kind="marac_referral", reference="MARAC-2026-0007",
                                        criteria=("visible high risk",)),
             would_prejudice=True, says="MARAC referral MARAC-2026-0007"),
    Scenario("expired consent is its own state, not withdrawn", HOUSING, POLICE,
             Purpose.ASB_CASE_MANAGEMENT, (C.IDENTITY,), "refused", "cda1998_s115", {IDENTITY_ADVICE},
             subject=SubjectRole.COMPLAINANT, consent=ConsentState.EXPIRED, withheld={C.IDENTITY},
             says="has expired"),
    Scenario("a recorded sharing decision settles unsettled law for the disclosure", POLICE, ICB,
             Purpose.ASB_CASE_MANAGEMENT, (C.ASB_INCIDENT_DETAILS,), "permitted", "cda1998_s115",
             {S115}, release=IdentityRelease(kind="sharing_decision", reference=uuid.UUID(int=7)),
             says="a person has reviewed it"),
    Scenario("no protocol, but a risk of serious harm: needs review naming the conditions",
             HOUSING, POLICE, Purpose.SAFEGUARDING, (C.IDENTITY, C.RISK_ASSESSMENT), "needs_review",
             None, {"Information Commissioner's Office, Data sharing: a code of practice (2021), 'Data sharing in an urgent situation or in an emergency' (good practice: an agreement is not a precondition of sharing)"},
             protocols=(), high_risk=True, says="Schedule 1, paragraph 18"),
    Scenario("no protocol and no risk of serious harm: refused", HOUSING, POLICE,
             Purpose.SAFEGUARDING, (C.RISK_ASSESSMENT,), "refused", None, {ICO}, protocols=(),
             says="no information sharing protocol"),
    Scenario("a signed protocol with a start date still to come", HOUSING, POLICE,
             Purpose.ASB_CASE_MANAGEMENT, (C.ASB_INCIDENT_DETAILS,), "refused", None, {ICO},
             protocols=(protocol(HOUSING, POLICE, starts_on=date(2027, 1, 1)),),
             says="comes into force on 1 January 2027"),
    Scenario("a protocol awaiting signatures names who has not signed", HOUSING, POLICE,
             Purpose.ASB_CASE_MANAGEMENT, (C.ASB_INCIDENT_DETAILS,), "refused", None, {ICO},
             protocols=(protocol(HOUSING, POLICE, status=ProtocolStatus.AWAITING_SIGNATURES,
                                 signed={HOUSING}),),
             says="awaiting signatures from Kent Police"),
    Scenario("a suspended protocol gives the date and the reason", HOUSING, POLICE,
             Purpose.ASB_CASE_MANAGEMENT, (C.ASB_INCIDENT_DETAILS,), "refused", None, {ICO},
             protocols=(protocol(HOUSING, POLICE, status=ProtocolStatus.SUSPENDED,
                                 suspended=(date(2026, 11, 2), "a breach is being investigated")),),
             says="suspended on 2 November 2026: a breach is being investigated"),
    Scenario("health data without a Schedule 1 condition is refused", POLICE, COUNCIL,
             Purpose.ASB_CASE_MANAGEMENT, (C.SPECIAL_CATEGORY_HEALTH,), "refused", "cda1998_s115",
             {"UK GDPR, Article 9(2)(g), Article 10; Data Protection Act 2018, section 10, Schedule 1"},
             protocols=(protocol(POLICE, COUNCIL, purposes=purposes_with(
                 Purpose.ASB_CASE_MANAGEMENT, cat(C.SPECIAL_CATEGORY_HEALTH))),),
             withheld={C.SPECIAL_CATEGORY_HEALTH}),
    Scenario("health data under paragraph 18 without risk is refused", POLICE, COUNCIL,
             Purpose.ASB_CASE_MANAGEMENT, (C.SPECIAL_CATEGORY_HEALTH,), "refused", "cda1998_s115",
             {PARA18}, withheld={C.SPECIAL_CATEGORY_HEALTH}),
    Scenario("health data under paragraph 18 at high risk for MARAC", POLICE, COUNCIL, Purpose.MARAC,
             (C.SPECIAL_CATEGORY_HEALTH,), "permitted", "cda1998_s115", {S115, PARA18},
             high_risk=True, would_prejudice=True, permitted={C.SPECIAL_CATEGORY_HEALTH}),
    Scenario("criminal offence data under paragraph 10 for ASB", POLICE, COUNCIL,
             Purpose.ASB_CASE_MANAGEMENT, (C.CRIMINAL_OFFENCE_DATA,), "permitted", "cda1998_s115",
             {PARA10}),
    Scenario("criminal offence data under paragraph 10 is not for general safeguarding", POLICE,
             COUNCIL, Purpose.SAFEGUARDING, (C.CRIMINAL_OFFENCE_DATA,), "refused",
             "dpa2018_safeguarding", {PARA10}, high_risk=True, would_prejudice=True,
             withheld={C.CRIMINAL_OFFENCE_DATA}),
    Scenario("expired protocol", HOUSING, POLICE, Purpose.ASB_CASE_MANAGEMENT,
             (C.ASB_INCIDENT_DETAILS,), "refused", None, {ICO},
             protocols=(protocol(HOUSING, POLICE, review_date=date(2026, 9, 30)),), says="expired on 30 October 2026"),
    Scenario("protocol past review but within grace: permitted, flagged", HOUSING, POLICE,
             Purpose.ASB_CASE_MANAGEMENT, (C.ASB_INCIDENT_DETAILS,), "permitted", "cda1998_s115",
             {S115}, protocols=(protocol(HOUSING, POLICE, review_date=date(2026, 11, 1)),),
             says="review is overdue"),
    Scenario("suspended protocol", HOUSING, POLICE, Purpose.ASB_CASE_MANAGEMENT,
             (C.ASB_INCIDENT_DETAILS,), "refused", None, {ICO},
             protocols=(protocol(HOUSING, POLICE, status=ProtocolStatus.SUSPENDED),), says="suspended"),
    Scenario("protocol still awaiting signatures", HOUSING, POLICE, Purpose.ASB_CASE_MANAGEMENT,
             (C.ASB_INCIDENT_DETAILS,), "refused", None, {ICO},
             protocols=(protocol(HOUSING, POLICE, status=ProtocolStatus.AWAITING_SIGNATURES),),
             says="awaiting signatures"),
    Scenario("no protocol between the agencies", HOUSING, POLICE, Purpose.ASB_CASE_MANAGEMENT,
             (C.ASB_INCIDENT_DETAILS,), "refused", None, {ICO},
             protocols=(protocol(HOUSING, COUNCIL),), says="no information sharing protocol"),
    Scenario("protocol does not cover the purpose", HOUSING, POLICE, Purpose.MAPPA,
             (C.RISK_ASSESSMENT,), "refused", None, {ICO},
             protocols=(protocol(HOUSING, POLICE, purposes=STANDARD_PURPOSES[:1]),),
             says="covers the purpose MAPPA: managing sexual and violent offenders"),
    Scenario("a category the protocol does not allow is withheld, the rest shared", HOUSING,
             POLICE, Purpose.ASB_CASE_REVIEW, (C.ASB_INCIDENT_DETAILS, C.RISK_ASSESSMENT),
             "permitted", "cda1998_s115", {S115}, permitted={C.ASB_INCIDENT_DETAILS},
             withheld={C.RISK_ASSESSMENT}, protocols=(protocol(HOUSING, POLICE, purposes=purposes_with(
                 Purpose.ASB_CASE_REVIEW, cat(C.ASB_INCIDENT_DETAILS), gateways=("cda1998_s115",))),)),
    Scenario("consent withdrawn: the complainant's identity is withheld", HOUSING, POLICE,
             Purpose.ASB_CASE_MANAGEMENT, (C.IDENTITY, C.ASB_INCIDENT_DETAILS), "permitted",
             "cda1998_s115", {IDENTITY_ADVICE}, subject=SubjectRole.COMPLAINANT,
             consent=ConsentState.WITHDRAWN, permitted={C.ASB_INCIDENT_DETAILS},
             withheld={C.IDENTITY}, says="consent is withdrawn"),
    Scenario("complainant's identity with consent covering the recipient", HOUSING, POLICE,
             Purpose.ASB_CASE_MANAGEMENT, (C.IDENTITY, C.CONTACT_DETAILS), "permitted",
             "cda1998_s115", {S115}, subject=SubjectRole.COMPLAINANT, consent=ConsentState.GIVEN,
             consent_covers=True, permitted={C.IDENTITY, C.CONTACT_DETAILS}),
    Scenario("victim's identity without consent at high risk: safeguarding override, review",
             POLICE, COUNCIL, Purpose.MARAC, (C.IDENTITY,), "needs_review", "cda1998_s115", {S115},
             subject=SubjectRole.VICTIM, consent=ConsentState.NOT_SOUGHT, high_risk=True,
             would_prejudice=True, says="safeguarding override"),
    Scenario("a perpetrator's identity is not withheld for want of their consent", HOUSING,
             POLICE, Purpose.ASB_CASE_MANAGEMENT, (C.IDENTITY,), "permitted", "cda1998_s115",
             {S115}, subject=SubjectRole.PERPETRATOR, permitted={C.IDENTITY}),
    Scenario("legitimate interests is not open to the police", POLICE, COUNCIL,
             Purpose.ASB_CASE_MANAGEMENT, (C.ASB_INCIDENT_DETAILS,), "refused", "cda1998_s115",
             {NOT_FOR_PUBLIC_AUTHORITIES}, withheld={C.ASB_INCIDENT_DETAILS},
             protocols=(protocol(POLICE, COUNCIL, HOUSING, purposes=purposes_with(
                 Purpose.ASB_CASE_MANAGEMENT, cat(C.ASB_INCIDENT_DETAILS, A6.LEGITIMATE_INTERESTS))),)),
    Scenario("legitimate interests is open to a housing association", HOUSING, COUNCIL,
             Purpose.ASB_CASE_MANAGEMENT, (C.ASB_INCIDENT_DETAILS,), "permitted", "cda1998_s115",
             {"UK GDPR, Article 6(1) final subparagraph; Data Protection Act 2018, section 7"},
             protocols=(protocol(POLICE, COUNCIL, HOUSING, purposes=purposes_with(
                 Purpose.ASB_CASE_MANAGEMENT, cat(C.ASB_INCIDENT_DETAILS, A6.LEGITIMATE_INTERESTS))),)),
    Scenario("an integrated care board's section 115 status is unsettled: review", POLICE, ICB,
             Purpose.ASB_CASE_MANAGEMENT, (C.ASB_INCIDENT_DETAILS,), "needs_review", "cda1998_s115",
             {S115}, says="unsettled"),
    Scenario("a consent basis without consent is withheld", HOUSING, POLICE,
             Purpose.ASB_CASE_MANAGEMENT, (C.ASB_INCIDENT_DETAILS,), "refused", "cda1998_s115",
             {"UK GDPR, Article 7"}, withheld={C.ASB_INCIDENT_DETAILS},
             protocols=(protocol(HOUSING, POLICE, purposes=purposes_with(
                 Purpose.ASB_CASE_MANAGEMENT, cat(C.ASB_INCIDENT_DETAILS, A6.CONSENT))),)),
    Scenario("contract is never the basis for partnership sharing", HOUSING, POLICE,
             Purpose.ASB_CASE_MANAGEMENT, (C.ASB_INCIDENT_DETAILS,), "refused", "cda1998_s115",
             {"UK GDPR, Article 6(1)(b)"}, withheld={C.ASB_INCIDENT_DETAILS},
             protocols=(protocol(HOUSING, POLICE, purposes=purposes_with(
                 Purpose.ASB_CASE_MANAGEMENT, cat(C.ASB_INCIDENT_DETAILS, A6.CONTRACT))),)),
    Scenario("the newest version in force is the one relied on", HOUSING, POLICE,
             Purpose.ASB_CASE_MANAGEMENT, (C.ASB_INCIDENT_DETAILS,), "permitted", "cda1998_s115",
             {S115}, protocols=(
                 protocol(HOUSING, POLICE, review_date=date(2025, 1, 1), version=1),
                 protocol(HOUSING, POLICE, version=2),
             )),
    Scenario("a gateway that does not serve the purpose is not used", HOUSING, POLICE,
             Purpose.ASB_CASE_MANAGEMENT, (C.ASB_INCIDENT_DETAILS,), "refused", None, set(),
             protocols=(protocol(HOUSING, POLICE, purposes=purposes_with(
                 Purpose.ASB_CASE_MANAGEMENT, cat(C.ASB_INCIDENT_DETAILS), gateways=("cja2003_s325",))),),
             says="does not serve Anti-social behaviour case management"),
]


def request_for(s: Scenario) -> DisclosureRequest:
    return DisclosureRequest(
        discloser=s.discloser, recipient=s.recipient, purpose=s.purpose, categories=s.categories,
        subject_role=s.subject, consent=s.consent, consent_covers_recipient=s.consent_covers,
        high_risk_of_serious_harm=s.high_risk, consent_would_prejudice=s.would_prejudice,
        recorded_risk=s.recorded_risk, identity_release=s.release, on=TODAY,
    )


def test_there_are_at_least_thirty_scenarios():
    assert len(SCENARIOS) >= 30
    assert len({s.name for s in SCENARIOS}) == len(SCENARIOS)


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(s: Scenario):
    decision = decide(request_for(s), s.protocols)
    explained = " | ".join(
        [r.text for r in decision.reasons] + list(decision.conditions)
        + [w.reason for w in decision.withheld]
    )
    assert decision.outcome == s.outcome, explained
    assert decision.gateway == s.gateway, explained
    assert s.cites <= decision.citations, (s.cites - decision.citations, decision.citations)
    if s.permitted is not None:
        assert {p.category for p in decision.permitted} == s.permitted, explained
    assert {w.category for w in decision.withheld} == s.withheld, explained
    if s.says:
        assert s.says in explained, explained
    if decision.outcome == "refused":
        assert decision.reasons, "a refusal says what is missing"
    assert decision.rules_version


def test_s115_alone_is_never_a_blanket_yes():
    """Every category shared under section 115 also carries its own Article 6 basis."""
    for s in SCENARIOS:
        decision = decide(request_for(s), s.protocols)
        if decision.gateway == "cda1998_s115":
            assert all(p.article6_citation for p in decision.permitted)
            assert any("power, not a duty" in c for c in decision.conditions)


def test_the_engine_is_pure_and_repeatable():
    s = SCENARIOS[0]
    assert decide(request_for(s), s.protocols) == decide(request_for(s), s.protocols)


def test_the_plain_english_page_matches_the_rules_file():
    from pathlib import Path

    from sharehub.protocols.explain import BEGIN, END, render_rules_markdown
    from sharehub.protocols.gateways import default_rules

    page = (Path(__file__).parents[1] / "docs" / "lawful-basis.md").read_text()
    generated = page[page.index(BEGIN) : page.index(END) + len(END)]
    assert generated == render_rules_markdown(default_rules()), (
        "docs/lawful-basis.md is out of date: run `sharehub gateways doc --write docs/lawful-basis.md`"
    )


@pytest.mark.parametrize(
    "change,complaint",
    [
        (('requires = ["recipient_is_s115_relevant_authority"]', 'requires = ["trust_me"]'), "unknown checks"),
        (("[agency_types.prison]", "[agency_types.prisonn]"), "prisonn"),
        (('s115 = "no"', 's115 = "maybe"'), "s115"),
        (("[categories.identity]", "[categories.identityx]"), "identityx"),
        (("version = ", "versoin = "), "versoin"),
    ],
)
def test_a_broken_rules_file_is_refused(tmp_path, change, complaint):
    from sharehub.protocols.gateways import DEFAULT_FILE, GatewayFileError, load_gateway_rules

    broken = tmp_path / "gateways.toml"
    broken.write_text(DEFAULT_FILE.read_text().replace(*change, 1))
    with pytest.raises(GatewayFileError, match=complaint):
        load_gateway_rules(broken)


ABBREVIATED = re.compile(r"\b(Sch|para|Art|DPA|s\d+)\b")
CODE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_explanations_are_for_people(s: Scenario):
    """What a data protection officer reads: no internal codes, and citations
    written out as the legislation is ("Schedule 1, paragraph 18")."""
    decision = decide(request_for(s), s.protocols)
    texts = (
        [r.text for r in decision.reasons]
        + list(decision.conditions)
        + [w.reason for w in decision.withheld]
    )
    for text in texts:
        assert not CODE.search(text), text
    for citation in decision.citations:
        assert not ABBREVIATED.search(citation), citation
