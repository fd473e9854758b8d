"""The case review's rules as data, with where each comes from.

Anti-social Behaviour, Crime and Policing Act 2014, section 104, section 105 and Schedule 4: the
relevant bodies of an area make and publish review procedures (section 104(2), (3));
an application with enough qualifying complaints must be accepted (section 104(4),
(11)), any other is decided by the procedure, which may look at persistence,
harm and the adequacy of the response (section 104(5)); the applicant is told the
decision (section 104(6)) and the outcome; the procedure says what happens when an
applicant is dissatisfied (Schedule 4, paragraph 3); the bodies may ask for information
(Schedule 4, paragraph 7). The numbers below are each area's to set, never beliefs in
code: these are the defaults until it does (``procedures.py``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sharehub.referrals.criteria import CaseReviewParameters

ACT = "Anti-social Behaviour, Crime and Policing Act 2014"
PROCEDURES = f"{ACT}, section 104(2), (3): review procedures made and published by the relevant bodies"
THRESHOLD = f"{ACT}, section 104(4), (11)"
DISCRETION = f"{ACT}, section 104(5)"
APPLICANT_TOLD = f"{ACT}, section 104(6)"
OUTCOME = f"{ACT}, section 104: the review, its recommendations, and the applicant told the outcome"
DISSATISFIED = f"{ACT}, Schedule 4, paragraph 3"
INFORMATION = f"{ACT}, Schedule 4, paragraph 7"
FIGURES = f"{ACT}, section 104: applications, threshold not met, reviews and recommendations published"

# Example timescales of local procedures; each area sets its own.
CLOCK_SOURCE = "example local procedure timescales (10, 15 and 20 working days)"
DEFAULT_ESCALATION_ROUTE = (
    "The police and crime commissioner for the area (the hub's default until the area "
    "records its own route)"
)
DEFAULT_SOURCE = (
    "sharehub defaults: the statutory threshold of 3 qualifying complaints, a hate-incident "
    "variant of 1, and " + CLOCK_SOURCE
)


@dataclass(frozen=True)
class Clocks:
    """Working days allowed for each step of an area's procedure."""

    acknowledge_working_days: int = 10
    decision_working_days: int = 15  # after the acknowledgement
    meeting_working_days: int = 20  # after the threshold decision


@dataclass(frozen=True)
class Procedure:
    """An area's procedure as the hub applies it (the defaults, or its own)."""

    area: str
    parameters: CaseReviewParameters
    clocks: Clocks
    escalation_route: str
    source: str
    version: int | None = None  # None: the defaults, not yet set by the area
    # The agency the area's online applications go to (None: the one council
    # serving the area, if there is exactly one: ``online.receiving_agency``).
    online_receiving_agency_id: uuid.UUID | None = None


def default_procedure(area: str) -> Procedure:
    return Procedure(
        area, CaseReviewParameters(), Clocks(), DEFAULT_ESCALATION_ROUTE, DEFAULT_SOURCE
    )


@dataclass(frozen=True)
class Window:
    """The shortest window an area may set: a qualifying complaint is defined by
    statute, so an area may widen a window (a lower threshold), never narrow it."""

    at_least_months: int
    citation: str


WINDOWS: dict[str, Window] = {
    "complaint_within_months": Window(
        1, f"{ACT}, section 104(11): a complaint made within one month of the behaviour"
    ),
    "application_within_months": Window(
        6, f"{ACT}, section 104(11): the application made within six months of the complaint"
    ),
}


@dataclass(frozen=True)
class Clock:
    """A statutory or local clock: it runs from one date on the case review for
    the procedure's number of working days, and stops at another."""

    runs_from: str  # the case review's date the clock starts from
    stopped_by: str  # the date that meets it
    due: str  # the column holding its due date
    days: str  # the field of ``Clocks`` giving its length
    citation: str
    # Only after these threshold decisions (a declined application has no meeting).
    only_after: frozenset[str] | None = None


CLOCK_CITATION = f"{PROCEDURES}; {CLOCK_SOURCE}"
CLOCKS: dict[str, Clock] = {
    "acknowledge": Clock(
        "received_on", "acknowledged_on", "acknowledge_due_on", "acknowledge_working_days",
        CLOCK_CITATION,
    ),
    "threshold_decision": Clock(
        "acknowledged_on", "decided_on", "decision_due_on", "decision_working_days",
        f"{CLOCK_CITATION}; the applicant is told the decision ({APPLICANT_TOLD})",
    ),
    "review_meeting": Clock(
        "decided_on", "review_held_on", "meeting_due_on", "meeting_working_days",
        CLOCK_CITATION,
        only_after=frozenset({"threshold_met", "accepted"}),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Factor:
    """A matter a discretionary threshold decision may rest on."""

    what: str
    citation: str


FACTORS: dict[str, Factor] = {
    "persistence": Factor(
        "the persistence of the anti-social behaviour complained of", f"{DISCRETION}(a)"
    ),
    "harm": Factor(
        "the harm caused, or the potential for harm to be caused, by the behaviour",
        f"{DISCRETION}(b)",
    ),
    "adequacy_of_response": Factor(
        "the adequacy of the response to the behaviour", f"{DISCRETION}(c)"
    ),
}
