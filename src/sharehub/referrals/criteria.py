"""Referral criteria as plain functions over plain data, with their sources.

MARAC: the SafeLives criteria (visible high risk on the DASH checklist,
professional judgement, potential escalation, repeat). ASB case review: the
statutory threshold (Anti-social Behaviour, Crime and Policing Act 2014, section 104
and Schedule 4) and its local parameters. The numbers are local parameters with
defaults, never beliefs in code: an area may lower the case review threshold
(never raise it) or count escalation at 5 incidents instead of 3.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sharehub.calendar import add_months

SAFELIVES = "SafeLives, MARAC referral criteria and DASH risk identification checklist"
S104 = "Anti-social Behaviour, Crime and Policing Act 2014, section 104(4), (11), Schedule 4"


@dataclass(frozen=True)
class Criterion:
    code: str
    met: bool
    reason: str
    citation: str


# --- MARAC --------------------------------------------------------------------------


@dataclass(frozen=True)
class MaracParameters:
    """Local parameters (defaults: SafeLives)."""

    visible_high_risk_yes: int = 14
    medium_risk_yes: int = 10
    escalation_incidents: int = 3
    escalation_months: int = 12
    repeat_months: int = 12

    def __post_init__(self) -> None:
        if not 0 < self.medium_risk_yes < self.visible_high_risk_yes:
            raise ValueError("the medium band starts below the high band")
        if self.escalation_incidents < 1 or self.escalation_months < 1 or self.repeat_months < 1:
            raise ValueError("counts and windows are positive")


@dataclass(frozen=True)
class MaracAssessment:
    risk_band: str  # high | medium | standard (the DASH count alone)
    criteria: tuple[Criterion, ...]
    repeat: bool

    @property
    def eligible(self) -> bool:
        return any(c.met for c in self.criteria)


def dash_band(yes_answers: int, p: MaracParameters = MaracParameters()) -> str:
    if yes_answers >= p.visible_high_risk_yes:
        return "high"
    return "medium" if yes_answers >= p.medium_risk_yes else "standard"


def marac_criteria(
    *,
    yes_answers: int,
    questions: int,
    incident_date: date,
    police_incidents: Sequence[date],
    last_marac_referral: date | None,
    professional_judgement: str | None,
    p: MaracParameters = MaracParameters(),
) -> MaracAssessment:
    """Which referral criteria this case meets. Judgement can add a case, never
    take one away: 14 "yes" answers is visible high risk whatever anyone thinks."""
    if not 0 <= yes_answers <= questions:
        raise ValueError("yes answers are between 0 and the number of questions")
    band = dash_band(yes_answers, p)
    window_start = add_months(incident_date, -p.escalation_months)
    recent = [d for d in police_incidents if window_start < d <= incident_date]
    repeat = last_marac_referral is not None and (
        last_marac_referral <= incident_date <= add_months(last_marac_referral, p.repeat_months)
    )
    criteria = (
        Criterion(
            "visible_high_risk",
            yes_answers >= p.visible_high_risk_yes,
            f"{yes_answers} of {questions} DASH answers are yes "
            f"(visible high risk at {p.visible_high_risk_yes})",
            SAFELIVES,
        ),
        Criterion(
            "professional_judgement",
            bool(professional_judgement and professional_judgement.strip()),
            "a practitioner's judgement that the case is high risk, with reasons"
            if professional_judgement
            else "no professional judgement recorded",
            SAFELIVES,
        ),
        Criterion(
            "potential_escalation",
            len(recent) >= p.escalation_incidents,
            f"{len(recent)} police-reported incident(s) in the {p.escalation_months} months "
            f"to {incident_date.isoformat()} (escalation at {p.escalation_incidents})",
            SAFELIVES,
        ),
        Criterion(
            "repeat",
            repeat,
            f"an incident within {p.repeat_months} months of the last MARAC referral"
            if repeat
            else f"no MARAC referral in the {p.repeat_months} months before this incident",
            SAFELIVES,
        ),
    )
    return MaracAssessment(band, criteria, repeat)


# --- ASB case review ---------------------------------------------------------------------


@dataclass(frozen=True)
class CaseReviewParameters:
    """An area's threshold (defaults: the statutory maximum of 3; hate variant 1)."""

    qualifying_complaints: int = 3
    hate_incident_complaints: int = 1
    complaint_within_months: int = 1
    application_within_months: int = 6

    def __post_init__(self) -> None:
        if not 1 <= self.qualifying_complaints <= 3:
            raise ValueError(
                "the threshold is at most 3 qualifying complaints (section 104(4)); an area may lower it"
            )
        if not 1 <= self.hate_incident_complaints <= self.qualifying_complaints:
            raise ValueError("the hate-incident threshold is between 1 and the main threshold")


@dataclass(frozen=True)
class Complaint:
    behaviour_on: date
    complained_on: date
    hate_incident: bool = False


@dataclass(frozen=True)
class ThresholdDecision:
    met: bool
    qualifying: tuple[Complaint, ...]
    reasons: tuple[Criterion, ...]


@dataclass(frozen=True)
class NotQualifying:
    """Why a complaint does not qualify (s104(11)): a code pages and letters
    put in words of their own, and the rule's words for the API's reasons."""

    code: str
    applies: Callable[[Complaint, date, CaseReviewParameters], bool]
    words: Callable[[CaseReviewParameters], str]


def _months(n: int) -> str:
    return "a month" if n == 1 else f"{n} months"


# The first that applies is the reason given.
NOT_QUALIFYING: tuple[NotQualifying, ...] = (
    NotQualifying(
        "complained_late",
        lambda c, _, p: c.complained_on > add_months(c.behaviour_on, p.complaint_within_months),
        lambda p: f"made more than {_months(p.complaint_within_months)} after the behaviour",
    ),
    NotQualifying(
        "applied_late",
        lambda c, on, p: on > add_months(c.complained_on, p.application_within_months),
        lambda p: f"more than {_months(p.application_within_months)} before the application",
    ),
    NotQualifying(
        "before_behaviour",
        lambda c, _, p: c.complained_on < c.behaviour_on,
        lambda p: "made before the behaviour it reports",
    ),
)


def why_not_qualifying(
    complaint: Complaint, application_on: date, p: CaseReviewParameters
) -> NotQualifying | None:
    """Why a complaint does not qualify, or None when it does."""
    return next(
        (rule for rule in NOT_QUALIFYING if rule.applies(complaint, application_on, p)), None
    )


def case_review_threshold(
    complaints: Sequence[Complaint],
    application_on: date,
    p: CaseReviewParameters = CaseReviewParameters(),
) -> ThresholdDecision:
    """Met when enough complaints qualify: each made within a month of the
    behaviour, and the application within six months of the complaint."""
    qualifying, notes = [], []
    for complaint in complaints:
        rule = why_not_qualifying(complaint, application_on, p)
        failed = rule.words(p) if rule else None
        if failed is None:
            qualifying.append(complaint)
        else:
            notes.append(
                f"the complaint of {complaint.complained_on.isoformat()} does not qualify: {failed}"
            )
    hate = [c for c in qualifying if c.hate_incident]
    main = Criterion(
        "qualifying_complaints",
        len(qualifying) >= p.qualifying_complaints,
        f"{len(qualifying)} qualifying complaint(s); the area's threshold is "
        f"{p.qualifying_complaints}",
        S104,
    )
    hate_rule = Criterion(
        "hate_incident",
        len(hate) >= p.hate_incident_complaints,
        f"{len(hate)} qualifying hate-incident complaint(s); the area's threshold is "
        f"{p.hate_incident_complaints}",
        "local hate-incident variant of the threshold",
    )
    reasons = (main, hate_rule, *(Criterion("not_qualifying", False, n, S104) for n in notes))
    return ThresholdDecision(main.met or hate_rule.met, tuple(qualifying), reasons)
