"""The demo partnership's people and cases, as data.

Who each agency knows, the protocols between the agencies, consent, the ASB
reports, the MARAC and MAPPA referrals, the ASB case reviews, two MARAC
meetings and the actions agreed at the first: each step with the member of
staff who takes it (by handle, ``staff._STAFF``) and when. ``loader.py`` walks
these tables in time order through the hub's own services.

Times are counted from the day the demo is loaded, so that targets fall due,
breach and expire on that day whenever it is: ``on(-14, "10:15")`` is fourteen
days before it at 10:15 Europe/London; ``ago(90)`` is ninety minutes before
loading (at most six hours, so that it stays after the day before's office
hours); ``on(2, anchor=HELD)`` is two days after the MARAC meeting held last
month, and ``NEXT`` is the coming one (both on working days).

People's names, dates of birth, addresses and telephone numbers are made up by
Faker (en_GB) from a fixed seed when the demo loads; the texts below name them
by their key (``{marsh_c}``). Addresses are in a made-up postcode area (KX,
which Royal Mail does not use), telephone numbers in Ofcom's drama ranges,
e-mail addresses at example.org, NHS numbers in the 999 range NHS England
keeps for testing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sharehub.protocols.engine import SubjectRole
from sharehub.protocols.terms import (
    Article6Basis,
    DataCategory,
    PartyRole,
    Purpose,
    Schedule1Condition,
)

TODAY, HELD, NEXT = "today", "held_marac", "next_marac"
# How far before the demo's day the MARAC held last month was (or the working
# day before), and how far after it the next one is (or the working day after).
HELD_DAYS_AGO = 33
NEXT_DAYS_AHEAD = 4

R = SubjectRole
C = DataCategory
A6 = Article6Basis
S1 = Schedule1Condition


@dataclass(frozen=True)
class When:
    days: int = 0  # from the anchor; negative is before it
    time: str = "10:00"  # Europe/London
    anchor: str = TODAY
    minutes_ago: int | None = None  # instead: this long before loading


def on(days: int, time: str = "10:00", anchor: str = TODAY) -> When:
    return When(days, time, anchor)


def ago(minutes: int) -> When:
    assert 0 < minutes <= 360, "today's steps stay after the day before's office hours"
    return When(minutes_ago=minutes)


# --- protocols ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    category: DataCategory
    article6: Article6Basis = A6.PUBLIC_TASK
    schedule1: Schedule1Condition | None = None
    retention_days: int = 730


@dataclass(frozen=True)
class Party:
    code: str
    role: PartyRole
    # The party's own UK GDPR Art 6 basis: public task for the public bodies,
    # legitimate interests for the housing association and the charity.
    article6: Article6Basis
    on_behalf_of: str | None = None  # another party's code (section 115(1))
    co_opted_for_case_reviews: bool = False  # ASBCPA 2014 section 104


@dataclass(frozen=True)
class ProtocolCase:
    key: str
    title: str
    drafted_by: str  # an information governance lead: their agency is a controller
    drafter_article6: Article6Basis
    invited: tuple[Party, ...]
    purpose: Purpose
    gateways: tuple[str, ...]
    categories: tuple[Category, ...]
    drafted: When
    review_in_days: int
    dpia: str
    onward_sharing: str
    security: str = (
        "Shared only through the hub, which records every disclosure in its audit ledger. "
        "Staff read what the case in hand needs; nothing is printed, e-mailed or copied "
        "outside the hub."
    )


JOINT = PartyRole.JOINT_CONTROLLER
CRIMINAL_OFFENCES = Category(
    C.CRIMINAL_OFFENCE_DATA, schedule1=S1.PREVENTING_UNLAWFUL_ACTS, retention_days=365
)
NOT_PASSED_ON = (
    "Not passed to anyone outside the parties without the agreement of the agency that provided it."
)

# Drafted by an information governance lead, the other parties invited, submitted,
# then signed by each party's information governance lead a day apart (the
# drafter's agency first), about eleven months before the demo's day.
PROTOCOLS: list[ProtocolCase] = [
    ProtocolCase(
        key="asb",
        title="Harrowmere anti-social behaviour information sharing protocol",
        drafted_by="hdc_ig",
        drafter_article6=A6.PUBLIC_TASK,
        invited=(
            Party("KPOL", JOINT, A6.PUBLIC_TASK),
            Party("FVHA", JOINT, A6.LEGITIMATE_INTERESTS),
        ),
        purpose=Purpose.ASB_CASE_MANAGEMENT,
        # The landlord may disclose to the police and the council under s115;
        # they disclose to it (not a relevant authority) with consent.
        gateways=("cda1998_s115", "consent"),
        categories=(
            Category(C.IDENTITY),
            Category(C.CONTACT_DETAILS),
            Category(C.ASB_INCIDENT_DETAILS),
            Category(C.RISK_ASSESSMENT),
            CRIMINAL_OFFENCES,
        ),
        drafted=on(-345),
        review_in_days=210,
        dpia="DPIA-HDC-ASB-03",
        onward_sharing=NOT_PASSED_ON,
    ),
    ProtocolCase(
        key="marac",
        title="Kestrelshire MARAC information sharing protocol",
        drafted_by="kpol_ig",
        drafter_article6=A6.PUBLIC_TASK,
        invited=(
            Party("HDC", JOINT, A6.PUBLIC_TASK),
            Party("FVHA", JOINT, A6.LEGITIMATE_INTERESTS),
            Party("KPS", JOINT, A6.PUBLIC_TASK),
            Party("KICB", JOINT, A6.PUBLIC_TASK),
            # The charity delivers the district council's IDVA service, so s115
            # reaches it as "a person acting on behalf of" a relevant authority.
            Party("SSDA", JOINT, A6.LEGITIMATE_INTERESTS, on_behalf_of="HDC"),
        ),
        purpose=Purpose.MARAC,
        # Where s115 does not settle it (disclosures to the housing association),
        # DPA 2018 Sch 1 para 18 safeguarding at high risk, or the victim's consent.
        gateways=("cda1998_s115", "dpa2018_safeguarding", "consent"),
        categories=(
            Category(C.IDENTITY),
            Category(C.CONTACT_DETAILS),
            Category(C.RISK_ASSESSMENT),
            CRIMINAL_OFFENCES,
            Category(C.SPECIAL_CATEGORY_HEALTH, schedule1=S1.SAFEGUARDING, retention_days=365),
        ),
        drafted=on(-340),
        review_in_days=120,
        dpia="DPIA-KPOL-MARAC-02",
        onward_sharing="MARAC minutes and information are not shared beyond the MARAC without "
        "the agreement of the agencies whose information they hold, given by the chair.",
    ),
    ProtocolCase(
        key="mappa",
        title="Kestrelshire MAPPA information sharing protocol",
        drafted_by="kps_ig",
        drafter_article6=A6.PUBLIC_TASK,
        invited=(
            Party("KPOL", JOINT, A6.PUBLIC_TASK),
            Party("HDC", PartyRole.CONTROLLER, A6.PUBLIC_TASK),
            Party("FVHA", PartyRole.CONTROLLER, A6.LEGITIMATE_INTERESTS),
            Party("KICB", PartyRole.CONTROLLER, A6.PUBLIC_TASK),
        ),
        purpose=Purpose.MAPPA,
        gateways=("cja2003_s325",),
        categories=(
            Category(C.IDENTITY, retention_days=1095),
            Category(C.CONTACT_DETAILS, retention_days=1095),
            Category(C.RISK_ASSESSMENT, retention_days=1095),
            CRIMINAL_OFFENCES,
        ),
        drafted=on(-335),
        review_in_days=300,
        dpia="DPIA-KPS-MAPPA-05",
        onward_sharing="MAPPA minutes and information are not passed on without the agreement "
        "of the MAPPA chair.",
    ),
    ProtocolCase(
        key="case_review",
        title="Harrowmere ASB case review information sharing protocol",
        drafted_by="hdc_ig",
        # The relevant bodies must answer one another's requests for a review
        # (ASBCPA 2014 Sch 4 para 7(2)).
        drafter_article6=A6.LEGAL_OBLIGATION,
        invited=(
            Party("KPOL", JOINT, A6.LEGAL_OBLIGATION),
            Party("KICB", JOINT, A6.LEGAL_OBLIGATION),
            # Co-opted, so a relevant body; not exercising public functions, it
            # answers requests under its legitimate interests.
            Party("FVHA", JOINT, A6.LEGITIMATE_INTERESTS, co_opted_for_case_reviews=True),
        ),
        purpose=Purpose.ASB_CASE_REVIEW,
        gateways=("asbcpa2014_sch4_para7", "cda1998_s115"),
        categories=(
            Category(C.IDENTITY, A6.LEGAL_OBLIGATION),
            Category(C.ASB_INCIDENT_DETAILS, A6.LEGAL_OBLIGATION),
            Category(C.RISK_ASSESSMENT, A6.LEGAL_OBLIGATION),
        ),
        drafted=on(-330),
        review_in_days=150,
        dpia="DPIA-HDC-ASB-04",
        onward_sharing=NOT_PASSED_ON,
    ),
]


# --- people ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    key: str
    agency: str  # the holding agency
    role: SubjectRole
    by: str
    when: When
    sex: str = "f"
    born: tuple[int, int] = (1972, 2002)  # the range of years of birth
    # Another agency's record of the same person: the same name and date of birth.
    same_as: str | None = None
    nhs_number: bool = False
    # Named in an application that records them itself (a case review's representative).
    recorded: bool = True
    title: str | None = None  # as texts and applications name them ("Councillor")


OLDER = (1938, 1960)
CHILD = (2015, 2021)

PEOPLE: list[Person] = [
    # Harrowmere: the housing association's tenants and the council's residents.
    Person("marsh_c", "FVHA", R.COMPLAINANT, "housing_officer", on(-62, "09:30")),
    Person("marsh_p", "FVHA", R.PERPETRATOR, "housing_officer", on(-62, "09:35"), sex="m"),
    Person("court_c", "FVHA", R.COMPLAINANT, "housing_officer", on(-201)),
    Person("court_p", "FVHA", R.PERPETRATOR, "housing_officer", on(-14, "10:10"), sex="m"),
    Person("elm_c", "FVHA", R.COMPLAINANT, "housing_officer", on(-331), sex="m", born=OLDER),
    Person("ash_c", "FVHA", R.COMPLAINANT, "housing_officer", on(-301)),
    Person("ash_p", "FVHA", R.PERPETRATOR, "housing_officer", on(-6, "13:05"), sex="m"),
    Person("none_c", "FVHA", R.COMPLAINANT, "housing_officer", ago(210), born=OLDER),
    Person("hate_v", "HDC", R.COMPLAINANT, "community_safety", on(-1, "09:40"), sex="m"),
    Person("cr_v", "HDC", R.COMPLAINANT, "community_safety", on(-80), born=OLDER),
    Person("cr_p", "HDC", R.PERPETRATOR, "community_safety", on(-80, "10:05"), sex="m"),
    Person(
        "councillor",
        "HDC",
        R.REPRESENTATIVE,
        "community_safety",
        on(-10),
        recorded=False,
        title="Councillor",
    ),
    # Kestrelshire: domestic abuse.
    Person("v1", "KPOL", R.VICTIM, "police_officer", on(-12, "09:00", HELD), nhs_number=True),
    Person("v1_p", "KPOL", R.PERPETRATOR, "police_officer", on(-12, "09:05", HELD), sex="m"),
    Person("v1_child", "KPOL", R.CHILD, "police_officer", on(-12, "09:10", HELD), born=CHILD),
    Person("v2", "KPOL", R.VICTIM, "police_officer", on(-9, "14:00", HELD)),
    Person("v2_p", "KPOL", R.PERPETRATOR, "police_officer", on(-9, "14:05", HELD), sex="m"),
    Person("v3", "KPOL", R.VICTIM, "police_officer", on(-6, "09:00")),
    Person("v3_p", "KPOL", R.PERPETRATOR, "police_officer", on(-6, "09:05"), sex="m"),
    # The IDVA service's own record of the first victim, a month later.
    Person("v1_ssda", "SSDA", R.VICTIM, "idva", on(-3, "16:00"), same_as="v1"),
    # Offender management.
    Person("offender", "KPS", R.OFFENDER, "probation_officer", on(-35), sex="m"),
    Person("offender_v", "KPS", R.VICTIM, "probation_officer", on(-35, "10:05")),
    # Added with the case reviews that ran their course (at the end, so that
    # everyone above keeps the name Faker gave them).
    Person("quarry_v", "HDC", R.COMPLAINANT, "community_safety", on(-75), born=OLDER),
    Person("quarry_p", "HDC", R.PERPETRATOR, "community_safety", on(-75, "10:05"), sex="m"),
    Person("orchard_v", "HDC", R.COMPLAINANT, "community_safety", on(-115), sex="m"),
    Person("orchard_p", "HDC", R.PERPETRATOR, "community_safety", on(-115, "10:05")),
]


# --- consent, sharing decisions, overrides -------------------------------------------------------


@dataclass(frozen=True)
class ConsentCase:
    person: str
    by: str
    given: When
    purposes: tuple[Purpose, ...]
    categories: tuple[DataCategory, ...]
    how: str
    evidence: str
    agencies: tuple[str, ...] = ()  # recipients by short code
    protocols: tuple[str, ...] = ()  # recipients: every party to these protocols (keys)
    expires: When | None = None
    withdrawn: When | None = None
    withdrawal_note: str | None = None


ASB = (Purpose.ASB_CASE_MANAGEMENT,)
WHO = (C.IDENTITY, C.CONTACT_DETAILS)

# Every state a consent can be in: covering some agencies (not all), withdrawn,
# expired, about to expire; and people with none (none_c, hate_v, v1, v2).
CONSENTS: list[ConsentCase] = [
    ConsentCase(
        "marsh_c", "housing_officer", on(-62, "09:45"), ASB, WHO, "verbal",
        "Agreed on the telephone that the police and the council may know who she is "
        "and contact her about the noise.",
        agencies=("KPOL", "HDC"), expires=on(303),
    ),
    ConsentCase(
        "court_c", "housing_officer", on(-200), ASB, WHO, "written",
        "Signed consent form scanned to the tenancy file.",
        protocols=("asb",), expires=on(165),
        withdrawn=on(-20, "15:20"),
        withdrawal_note="Asked on the telephone that her details are no longer passed to partners.",
    ),
    ConsentCase(
        "elm_c", "housing_officer", on(-330), ASB, (C.IDENTITY,), "written",
        "Consent form signed at the tenancy sign-up.",
        agencies=("KPOL",), expires=on(-30),
    ),
    ConsentCase(
        "ash_c", "housing_officer", on(-300), ASB, WHO, "online",
        "Ticked the consent box on the online report form.",
        agencies=("KPOL", "HDC"), expires=on(5),
    ),
    ConsentCase(
        "cr_v", "community_safety", on(-12), (Purpose.ASB_CASE_REVIEW,),
        (C.IDENTITY, C.CONTACT_DETAILS, C.ASB_INCIDENT_DETAILS), "written",
        "Signed the council's case review consent form for her ward councillor to apply for her.",
        protocols=("case_review",), expires=on(170),
    ),
    ConsentCase(
        "v3", "police_officer", on(-6, "09:30"), (Purpose.MARAC,), WHO, "verbal",
        "Agreed at the scene that MARAC agencies may know who she is and contact her safely "
        "on her mobile.",
        protocols=("marac",), expires=on(174),
    ),
]  # fmt: skip


@dataclass(frozen=True)
class SharingDecisionCase:
    person: str
    by: str
    when: When
    purpose: Purpose
    protocols: tuple[str, ...]
    categories: tuple[DataCategory, ...]
    legal_basis: str
    reasons: str
    referral: str | None = None  # the MARAC referral it was made on (key)
    expires: When | None = None


SHARING_DECISIONS: list[SharingDecisionCase] = [
    SharingDecisionCase(
        "v1_ssda",
        "ssda_ig",
        on(-2, "14:00"),
        Purpose.MARAC,
        ("marac",),
        WHO,
        "Data Protection Act 2018, Schedule 1, paragraph 18",
        "A repeat referral at high risk: the MARAC agencies need to know who she is to keep her "
        "safe, and asking for her consent at her new address could alert her ex-partner.",
        referral="m4",
        expires=on(90),
    ),
]


@dataclass(frozen=True)
class OverrideCase:
    person: str
    by: str
    when: When
    purpose: Purpose
    justification: str
    minutes: int = 60


# Awaiting review by the data protection officer of the agency holding the person.
OVERRIDES: list[OverrideCase] = [
    OverrideCase(
        "none_c",
        "hdc_safeguarding",
        ago(45),
        Purpose.ASB_CASE_MANAGEMENT,
        "An older woman living alone is being targeted at her door. I need to know whether she "
        "is the adult already open to our safeguarding team before officers visit today, so the "
        "visit does not put her at more risk.",
        minutes=120,
    ),
]


# --- ASB reports -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AsbCase:
    key: str
    agency: str
    by: str
    received: When
    channel: str
    category: str
    place: str
    narrative: str
    people: tuple[tuple[str, SubjectRole], ...]
    motivation: str | None = None
    assessed: tuple[When, str] | None = None  # (when, harm level)
    responded: When | None = None
    closed: tuple[When, str] | None = None  # (when, reason): the complainant told that day
    reopened: tuple[When, str] | None = None  # (when, the material change)
    # (when, outcome, the definitions met, or the matter not dealt with as ASB)
    triaged: tuple[When, str, tuple[str, ...]] | None = None
    # The risk tool's questions answered "yes" with the complainant (the rest "no").
    risk_yes: tuple[str, ...] | None = None
    reported_to_police: When | None = None
    # A case opened from the report: (when opened, when the plan was agreed,
    # a visit, a contact), each a moment in its life.
    case: tuple[When, When, When, When] | None = None


# Every stage: logged, harm assessed, first responded, closed with a reason,
# reopened, and one whose response target is breached.
ASB_REPORTS: list[AsbCase] = [
    AsbCase(
        "marsh", "FVHA", "housing_officer", on(-62, "09:40"), "phone", "nuisance",
        "Stairwell and landing, Marsh Court flats",
        "{marsh_c} reports loud music and shouting from the flat above, where {marsh_p} lives, "
        "most nights after midnight. She has asked him to stop and he swore at her.",
        (("marsh_c", R.COMPLAINANT), ("marsh_p", R.PERPETRATOR)),
        triaged=(on(-61, "10:30"), "asb", ("residential_nuisance",)),
        risk_yes=("q04", "q07"),
        assessed=(on(-61, "11:00"), "low"),
        responded=on(-59, "14:00"),
        closed=(on(-45, "16:00"), "behaviour_improved"),
        reopened=(on(-6, "09:20"), ("The music and shouting started again on Saturday night "
                                    "and a neighbour's door was kicked.")),
    ),
    AsbCase(
        "court", "FVHA", "housing_officer", on(-14, "10:15"), "online", "personal",
        "Bus stop outside Court Parade",
        "{court_c} says {court_p} has been following her to the bus stop and shouting abuse "
        "about her son. She is frightened to leave the house in the mornings.",
        (("court_c", R.COMPLAINANT), ("court_p", R.PERPETRATOR)),
        triaged=(on(-13, "09:00"), "asb", ("harassment_alarm_distress",)),
        risk_yes=("q04", "q05", "q06", "q07"),
        assessed=(on(-13, "09:30"), "high"),
        case=(on(-12, "10:00"), on(-12, "10:30"), on(-10, "14:00"), on(-5, "11:00")),
    ),
    AsbCase(
        "stairs", "FVHA", "housing_officer", ago(200), "in_person", "personal",
        "Outside her front door, Lowbrook House",
        "{none_c} came to the office upset: young people gather on the stairs outside her flat, "
        "bang on her door at night and have taken her post. She lives alone.",
        (("none_c", R.COMPLAINANT),),
    ),
    AsbCase(
        "graffiti", "HDC", "community_safety", on(-1, "09:45"), "email", "hate_incident",
        "Shop shutter, Station Road parade",
        "{hate_v} reports racist graffiti sprayed on his shop shutter overnight, the second "
        "time this month.",
        (("hate_v", R.COMPLAINANT),),
        motivation="race",
        triaged=(on(-1, "11:00"), "asb", ("hate_incident", "harassment_alarm_distress")),
        risk_yes=("q03", "q04"),
        assessed=(on(-1, "11:30"), "low"),
        reported_to_police=on(-1, "12:00"),
    ),
    AsbCase(
        "garages", "FVHA", "housing_officer", on(-20, "11:00"), "letter", "environmental",
        "Behind the garages, Elm Walk",
        "{elm_c} writes that rubbish and an old mattress keep being dumped behind the garages "
        "and that rats have been seen.",
        (("elm_c", R.COMPLAINANT),),
        assessed=(on(-20, "14:00"), "low"),
        responded=on(-18, "10:00"),
        closed=(on(-4, "15:00"), "no_further_reasonable_action"),
    ),
    AsbCase(
        "smells", "FVHA", "housing_officer", on(-9, "10:00"), "phone", "nuisance",
        "Shared hallway, Elm Walk",
        "{elm_c} complains that cooking smells from the flat opposite fill the shared hallway "
        "every evening.",
        (("elm_c", R.COMPLAINANT),),
        # Set aside: a matter the landlord does not deal with as ASB; she was told why.
        triaged=(on(-8, "11:00"), "not_asb", ("cooking_smells",)),
    ),
    AsbCase(
        "motorbikes", "FVHA", "housing_officer", on(-6, "13:10"), "phone", "nuisance",
        "Residents' car park, Ash Close",
        "{ash_c} reports that {ash_p} revs motorbikes in the car park late at night and was "
        "rude to her when she asked him to stop.",
        (("ash_c", R.COMPLAINANT), ("ash_p", R.PERPETRATOR)),
        assessed=(on(-6, "15:00"), "low"),
        responded=on(-4, "10:30"),
    ),
    AsbCase(
        "eggs", "HDC", "community_safety", on(-40, "10:00"), "phone", "personal",
        "Her house, Mill Lane",
        "{cr_v} reports that {cr_p} and his friends shout at her from the street and have "
        "thrown eggs at her windows.",
        (("cr_v", R.COMPLAINANT), ("cr_p", R.PERPETRATOR)),
        assessed=(on(-40, "12:00"), "low"),
        responded=on(-38, "11:00"),
    ),
]  # fmt: skip


# --- MARAC -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MaracCase:
    key: str
    by: str
    referred: When
    victim: str
    summary: str
    yes: int  # "yes" answers on the SafeLives DASH checklist
    perpetrator: str | None = None
    household: tuple[tuple[str, str], ...] = ()
    police_incidents: tuple[int, ...] = ()  # days before the referral
    professional_judgement: str | None = None
    consent_given: bool = False
    screened: When | None = None  # accepted by the MARAC coordinator
    listed: tuple[When, str] | None = None  # (when, the meeting's key)
    actions_opened: When | None = None
    closed: tuple[When, str] | None = None


COORDINATOR = "marac_coordinator"

MARAC_REFERRALS: list[MaracCase] = [
    MaracCase(
        "m1", "police_officer", on(-12, "11:00", HELD), "v1",
        "{v1} was punched and pushed down the stairs by her partner {v1_p} in front of their "
        "child {v1_child}. He has threatened to kill her if she leaves him.",
        yes=16, perpetrator="v1_p", household=(("v1_child", "child"),),
        police_incidents=(100, 40),
        screened=on(-11, "10:00", HELD), listed=(on(-6, "10:00", HELD), HELD),
        actions_opened=on(2, "15:00", HELD),
    ),
    MaracCase(
        "m2", "police_officer", on(-9, "15:00", HELD), "v2",
        "{v2} reports that {v2_p} sends her dozens of messages a day and waits outside her work "
        "since she ended their relationship.",
        yes=11, perpetrator="v2_p",
        professional_judgement="Fewer than 14 yes answers, but he has breached his bail "
        "conditions twice and she has just told him she is leaving: the officer judges the "
        "risk high.",
        screened=on(-8, "10:00", HELD), listed=(on(-6, "10:05", HELD), HELD),
        actions_opened=on(2, "15:05", HELD), closed=(on(20, "11:00", HELD), "actions_complete"),
    ),
    MaracCase(
        "m3", "police_officer", on(-6, "12:00"), "v3",
        "{v3} called the police after {v3_p} smashed her phone and locked her out of the "
        "house: the third call to the address this year.",
        yes=9, perpetrator="v3_p", police_incidents=(300, 160, 45), consent_given=True,
        screened=on(-5, "10:00"), listed=(on(-5, "10:30"), NEXT),
    ),
    # A repeat: the same woman, referred again by the IDVA service within 12 months
    # of the police's referral (found by her name and date of birth, nothing decrypted).
    MaracCase(
        "m4", "idva", on(-2, "11:30"), "v1_ssda",
        "{v1_ssda} told her IDVA that her ex-partner came to her new address last night and "
        "tried to force the door. She is terrified he will find the children's school.",
        yes=15,
        screened=on(-1, "10:00"), listed=(on(-1, "10:30"), NEXT),
    ),
]  # fmt: skip


# --- meetings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    case: str  # a MARAC referral's key
    by: str
    when: When
    known: bool
    information: str
    risks: tuple[str, ...] = ()
    last_contact: int | None = None  # days before the contribution


@dataclass(frozen=True)
class ActionCase:
    key: str
    owner: str  # agency short code
    description: str
    due: When
    updates: tuple[tuple[When, str, str, str], ...] = ()  # (when, by, status, note)


@dataclass(frozen=True)
class MinuteEntry:
    case: str
    information: tuple[tuple[str, str], ...]  # (agency short code, what it shared)
    risks: str
    decisions: str
    actions: tuple[ActionCase, ...] = ()


@dataclass(frozen=True)
class MinutesCase:
    drafted: When
    approved: When
    present: tuple[str, ...]
    entries: tuple[MinuteEntry, ...]


@dataclass(frozen=True)
class MeetingCase:
    key: str  # also its anchor: HELD or NEXT
    arranged: When
    venue: str
    attendees: tuple[str, ...]
    acknowledged: tuple[tuple[str, When], ...]
    agenda_built: When
    contributions: tuple[Contribution, ...] = ()
    apologies: tuple[tuple[str, When], ...] = ()
    held: When | None = None
    minutes: MinutesCase | None = None
    by: str = COORDINATOR
    chair: str = "marac_chair"
    agencies: tuple[str, ...] = ("KPOL", "HDC", "FVHA", "KPS", "KICB", "SSDA")


ATTENDEES = (
    "marac_chair", "marac_coordinator", "police_officer", "community_safety",
    "housing_officer", "probation_officer", "icb_nurse", "idva",
)  # fmt: skip
VENUE = "Kestrelshire Police HQ, conference room 2"

MEETINGS: list[MeetingCase] = [
    MeetingCase(
        key=HELD,
        arranged=on(-30, "09:00", HELD),
        venue=VENUE,
        attendees=ATTENDEES,
        apologies=(("probation_officer", on(-2, "09:00", HELD)),),
        acknowledged=(
            ("marac_coordinator", on(-5, "15:50", HELD)),
            ("police_officer", on(-3, "09:00", HELD)),
            ("idva", on(-3, "10:30", HELD)),
            ("housing_officer", on(-2, "10:00", HELD)),
            ("icb_nurse", on(-2, "11:00", HELD)),
            ("marac_chair", on(0, "09:50", HELD)),
            ("community_safety", on(0, "09:55", HELD)),
        ),
        agenda_built=on(-5, "16:00", HELD),
        contributions=(
            Contribution(
                "m1", "police_officer", on(-3, "09:30", HELD), True,
                "Three call-outs to the address in the last year. He was arrested after the "
                "latest assault and bailed not to contact her.",
                ("threats_to_kill", "children_in_household", "escalation"), last_contact=9,
            ),
            Contribution(
                "m1", "idva", on(-3, "11:00", HELD), True,
                "In contact since the referral; a safety plan is started. She wants to stay "
                "near her family.",
                ("threats_to_kill", "recent_separation"), last_contact=1,
            ),
            Contribution(
                "m1", "housing_officer", on(-2, "10:30", HELD), True,
                "Joint tenancy with rent arrears since he stopped paying his share. She has "
                "asked about a move.",
                ("children_in_household", "housing_insecurity"), last_contact=20,
            ),
            Contribution(
                "m1", "icb_nurse", on(-2, "11:30", HELD), True,
                "Two visits to A&E this year with injuries she said were falls. The child is "
                "registered at the same GP practice.",
                ("mental_health",),
            ),
            Contribution(
                "m2", "police_officer", on(-3, "09:45", HELD), True,
                "Two breaches of his bail conditions reported; a harassment investigation is "
                "open.",
                ("stalking_or_harassment", "breach_of_orders"), last_contact=4,
            ),
            Contribution(
                "m2", "idva", on(-3, "11:15", HELD), True,
                "She keeps a diary of his messages and we have helped her report them.",
                ("stalking_or_harassment",), last_contact=2,
            ),
        ),
        held=on(0, "12:30", HELD),
        minutes=MinutesCase(
            drafted=on(1, "14:00", HELD),
            approved=on(2, "10:00", HELD),
            present=("KPOL", "HDC", "FVHA", "KICB", "SSDA"),
            entries=(
                MinuteEntry(
                    "m1",
                    (
                        ("KPOL", ("Three call-outs in a year; arrested and bailed after the "
                                  "latest assault.")),
                        ("FVHA", "Joint tenancy; she has asked about a move."),
                        ("KICB", "Two A&E visits this year with unexplained injuries."),
                    ),
                    "Threats to kill; a child in the household; assaults getting worse.",
                    "High risk confirmed. Safety plan and target hardening agreed; a priority "
                    "move to be considered.",
                    (
                        ActionCase(
                            "locks", "FVHA", "Fit extra locks and a door viewer at her home and "
                            "mark the tenancy file for a priority move.", on(7, anchor=HELD),
                        ),
                        ActionCase(
                            "gp_flag", "KICB", "Flag the household on the GP records and tell "
                            "the practice's safeguarding lead.", on(14, anchor=HELD),
                            updates=((on(9, "11:00", HELD), "icb_nurse", "in_progress",
                                      ("The practice is told; the flag waits for the "
                                       "practice manager.")),),
                        ),
                        ActionCase(
                            "marker", "KPOL", "Put a marker on the address so that any call "
                            "from it is treated as urgent.", on(2, anchor=HELD),
                            updates=((on(2, "16:00", HELD), "police_officer", "done",
                                      "Marker added on the command and control system."),),
                        ),
                        ActionCase(
                            "safety_plan", "SSDA", "Review the safety plan with her every week "
                            "until the next MARAC.", on(60, anchor=HELD),
                        ),
                    ),
                ),
                MinuteEntry(
                    "m2",
                    (
                        ("KPOL", "Bail breached twice; harassment investigation open."),
                        ("SSDA", "She keeps a diary of his messages."),
                    ),
                    "Stalking and harassment since the separation; bail conditions broken.",
                    "Risk remains high. The police pursue the harassment investigation.",
                    (
                        ActionCase(
                            "spo", "KPOL", "Apply for a stalking protection order.",
                            on(10, anchor=HELD),
                            updates=((on(12, "14:00", HELD), "police_officer", "done",
                                      "Interim order granted by the magistrates."),),
                        ),
                        ActionCase(
                            "nmo", "SSDA", "Help her apply for a non-molestation order.",
                            on(10, anchor=HELD),
                            updates=((on(15, "12:00", HELD), "idva", "done",
                                      "Application made with a solicitor's help."),),
                        ),
                    ),
                ),
            ),
        ),
    ),
    MeetingCase(
        key=NEXT,
        arranged=on(-25, "09:00"),
        venue=VENUE,
        attendees=ATTENDEES,
        acknowledged=(
            ("marac_coordinator", on(-1, "15:30")),
            ("police_officer", ago(300)),
            ("icb_nurse", ago(240)),
            ("idva", ago(180)),
            ("housing_officer", ago(150)),
        ),
        agenda_built=on(-1, "16:00"),
        contributions=(
            Contribution(
                "m4", "police_officer", ago(290), True,
                "Referred by us last month. He is bailed not to contact her and has now "
                "breached it: he is wanted for arrest.",
                ("threats_to_kill", "stalking_or_harassment", "breach_of_orders"),
                last_contact=2,
            ),
            Contribution(
                "m3", "police_officer", ago(280), True,
                "Third call to the address this year; he was arrested for criminal damage.",
                ("escalation", "coercive_control"), last_contact=6,
            ),
            Contribution(
                "m4", "icb_nurse", ago(230), False,
                "Not known at her new address: she has not registered with a GP there yet.",
            ),
            Contribution(
                "m4", "idva", ago(170), True,
                "She has moved to a refuge place for a week while the locks are changed.",
                ("threats_to_kill", "children_in_household"), last_contact=0,
            ),
        ),
    ),
]  # fmt: skip


# --- MAPPA ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MappaCase:
    key: str
    by: str
    referred: When
    offender: str
    category: int
    proposed_level: int
    proposed_level_reason: str
    summary: str
    visor_ref: str
    pnc_id: str
    crn: str
    people_at_risk: tuple[tuple[str, str], ...]
    accepted: tuple[When, str]  # (when, by)
    level: tuple[When, str, int, str]  # (when, by, level, reason)
    invited: tuple[When, str, tuple[str, ...]]  # (when, by, agencies)


MAPPA_REFERRALS: list[MappaCase] = [
    MappaCase(
        key="licence",
        by="probation_officer",
        referred=on(-34, "11:00"),
        offender="offender",
        category=2,
        proposed_level=2,
        proposed_level_reason="Released on licence after a sentence for wounding: his housing "
        "and his former partner's safety need the agencies working together.",
        summary="{offender} was released on licence last month after a sentence for wounding "
        "{offender_v}, his former partner. His licence forbids contact with her and entering "
        "Harrowmere town centre.",
        # Made up, in the references' own formats.
        visor_ref="KX19004821",
        pnc_id="2019/0048213K",
        crn="X048213",
        people_at_risk=(("offender_v", "victim"),),
        accepted=(on(-32, "10:00"), "mappa_coordinator"),
        level=(
            on(-25, "15:00"),
            "mappa_chair",
            2,
            (
                "Agreed at the MAPPA screening meeting: level 2, with the council and his "
                "landlord invited for his accommodation and the exclusion zone."
            ),
        ),
        invited=(on(-25, "15:10"), "mappa_coordinator", ("FVHA", "HDC")),
    ),
]


# --- the ASB case reviews ------------------------------------------------------------------------


@dataclass(frozen=True)
class Complaint:
    report: str | None = None  # one of the receiving agency's ASB reports (key)
    behaviour: int | None = None  # days before the demo's day
    complained: int | None = None
    agency: str | None = None


@dataclass(frozen=True)
class ProcedureCase:
    """The area's own review procedure, set by its coordinator (the threshold
    and clocks stay at the hub's defaults; the route and source are its own)."""

    area: str
    by: str
    when: When
    escalation_route: str
    source: str


@dataclass(frozen=True)
class DiscretionCase:
    """The coordinator's decision on an application below the threshold."""

    when: When
    decision: str  # "accept" or "decline"
    factors: tuple[tuple[str, str], ...]  # (matter, finding)
    reasons: str


@dataclass(frozen=True)
class OutcomeCase:
    held: When
    recorded: When
    summary: str
    recommendations: tuple[tuple[str, str], ...]  # (agency, recommendation)
    told: When | None = None  # the applicant told the outcome
    responses: tuple[tuple[str, When, str], ...] = ()  # (by, when, response)


@dataclass(frozen=True)
class CaseReviewCase:
    key: str
    by: str
    recorded: When
    received: int  # days before the demo's day
    victim: str
    complaints: tuple[Complaint, ...]
    narrative: str
    acknowledged: When
    told: When  # the applicant told the threshold decision
    # A person (not recorded) who applied for the victim; None: the victim applied.
    representative: str | None = None
    relationship: str | None = None
    decision: DiscretionCase | None = None  # below the threshold
    information_requested: tuple[When, tuple[str, ...]] | None = None
    answers: tuple[tuple[str, When, str], ...] = ()  # (by, when, answer)
    outcome: OutcomeCase | None = None
    closed: When | None = None
    coordinator: str = "community_safety"


CASE_REVIEW_PROCEDURE = ProcedureCase(
    area="Harrowmere",
    by="community_safety",
    when=on(-300),
    escalation_route=(
        "Office of the Police and Crime Commissioner for Kestrelshire, Case Review Appeals, "
        "PO Box 4127, Harrowmere KX1 9ZQ"
    ),
    source="Harrowmere ASB case review procedure, version 2 (published by the community "
    "safety partnership)",
)

# One waiting for the bodies' answers, one declined below the threshold and
# closed, and one that ran its course to an outcome with recommendations.
CASE_REVIEWS: list[CaseReviewCase] = [
    CaseReviewCase(
        key="mill_lane",
        by="community_safety",
        recorded=on(-10, "14:00"),
        received=11,
        victim="cr_v",
        representative="councillor",
        relationship="ward councillor",
        complaints=(
            Complaint(report="eggs"),
            Complaint(behaviour=71, complained=70, agency="KPOL"),
            Complaint(behaviour=101, complained=100, agency="FVHA"),
        ),
        narrative="Her ward councillor applies for {cr_v}, who has complained to the police, "
        "her landlord and the council about {cr_p} and his friends since the spring. She feels "
        "nothing has changed and is afraid to go out after dark.",
        acknowledged=on(-9, "10:00"),
        told=on(-8, "11:00"),
        information_requested=(on(-8, "11:30"), ("KPOL", "FVHA", "KICB")),
        answers=(
            (
                "police_officer",
                on(-3, "15:00"),
                (
                    "Four calls about the street since March; two youths given community "
                    "resolutions; weekend patrols increased."
                ),
            ),
        ),
    ),
    # Below the threshold: the complaints are too old, or made too long after
    # the behaviour; the coordinator declines, tells her, and closes it.
    CaseReviewCase(
        key="quarry_road",
        by="community_safety",
        recorded=on(-62, "11:00"),
        received=62,
        victim="quarry_v",
        complaints=(
            Complaint(behaviour=280, complained=279, agency="HDC"),
            Complaint(behaviour=270, complained=268, agency="HDC"),
            Complaint(behaviour=130, complained=85, agency="FVHA"),
        ),
        narrative="{quarry_v} says her neighbour {quarry_p} played loud music late at night "
        "through the winter and shouted at her when she complained.",
        acknowledged=on(-60, "09:30"),
        decision=DiscretionCase(
            when=on(-50, "14:00"),
            decision="decline",
            factors=(
                ("persistence", "does_not_support_review"),
                ("harm", "does_not_support_review"),
                ("adequacy_of_response", "does_not_support_review"),
            ),
            reasons="No noise has been reported since the spring. The council's noise team "
            "visited twice and served an abatement notice; Fernvale Housing Association offered "
            "mediation, which her neighbour accepted.",
        ),
        told=on(-49, "10:00"),
        closed=on(-40, "16:00"),
    ),
    # At the threshold: the review is held, the outcome has two
    # recommendations, the applicant is told, and the landlord has responded.
    CaseReviewCase(
        key="orchard_walk",
        by="community_safety",
        recorded=on(-101, "15:00"),
        received=101,
        victim="orchard_v",
        complaints=(
            Complaint(behaviour=170, complained=166, agency="KPOL"),
            Complaint(behaviour=150, complained=148, agency="FVHA"),
            Complaint(behaviour=131, complained=130, agency="HDC"),
        ),
        narrative="{orchard_v} has complained to the police, his landlord and the council "
        "about {orchard_p}, who lives in the flat above, banging on his door and damaging his "
        "car. He says each agency told him to call another.",
        acknowledged=on(-99, "10:00"),
        told=on(-98, "11:00"),
        information_requested=(on(-98, "11:30"), ("KPOL", "FVHA")),
        answers=(
            (
                "police_officer",
                on(-90, "15:00"),
                (
                    "Three reports since the spring: criminal damage to the car recorded, no "
                    "suspect charged for want of evidence; a neighbourhood officer visited once."
                ),
            ),
            (
                "housing_officer",
                on(-88, "12:00"),
                (
                    "Both are our tenants. Two warning letters were sent to the tenant upstairs; "
                    "no further action was taken while the police investigation was open."
                ),
            ),
        ),
        outcome=OutcomeCase(
            held=on(-76, "10:00"),
            recorded=on(-75, "14:00"),
            summary="The agencies each acted on their own reports, but no one brought them "
            "together, so the pattern of behaviour was missed and {orchard_v} was passed "
            "between agencies. The review agreed a joint plan with one lead officer.",
            recommendations=(
                (
                    "FVHA",
                    (
                        "Name one housing officer as the lead for this case and consider an "
                        "injunction or a notice seeking possession against the tenant upstairs."
                    ),
                ),
                (
                    "KPOL",
                    (
                        "Review the criminal damage reports together and share the "
                        "neighbourhood officer's patrol plan with the housing officer."
                    ),
                ),
            ),
            told=on(-74, "11:00"),
            responses=(
                (
                    "housing_officer",
                    on(-60, "10:30"),
                    (
                        "A lead housing officer is named and a notice seeking possession was "
                        "served; the tenant has signed an acceptable behaviour contract."
                    ),
                ),
            ),
        ),
    ),
]
