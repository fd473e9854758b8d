"""Referral criteria at their boundaries: MARAC (DASH 13/14, escalation 2/3
incidents, repeat at 12 months less and more a day) and the ASB case review
threshold (3 qualifying complaints; late and stale complaints)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sharehub.calendar import add_months
from sharehub.referrals.criteria import (
    CaseReviewParameters,
    Complaint,
    MaracParameters,
    case_review_threshold,
    dash_band,
    marac_criteria,
)

INCIDENT = date(2026, 11, 2)


def met(assessment) -> set[str]:
    return {c.code for c in assessment.criteria if c.met}


def assess(**overrides):
    values = {
        "yes_answers": 0,
        "questions": 24,
        "incident_date": INCIDENT,
        "police_incidents": [],
        "last_marac_referral": None,
        "professional_judgement": None,
    }
    values.update(overrides)
    return marac_criteria(**values)


@pytest.mark.parametrize(
    "yes,band", [(13, "medium"), (14, "high"), (9, "standard"), (10, "medium")]
)
def test_dash_bands(yes, band):
    assert dash_band(yes) == band


def test_visible_high_risk_starts_at_fourteen_and_judgement_cannot_lower_it():
    assert met(assess(yes_answers=13)) == set()
    assert met(assess(yes_answers=14)) == {"visible_high_risk"}
    assert met(assess(yes_answers=14, professional_judgement="")) == {"visible_high_risk"}
    judged = assess(yes_answers=6, professional_judgement="Escalating threats; recent separation.")
    assert met(judged) == {"professional_judgement"} and judged.risk_band == "standard"
    with pytest.raises(ValueError):
        assess(yes_answers=25)


def test_potential_escalation_counts_police_incidents_in_twelve_months():
    two = [INCIDENT - timedelta(days=10), INCIDENT - timedelta(days=200)]
    assert "potential_escalation" not in met(assess(police_incidents=two))
    three = [*two, add_months(INCIDENT, -12) + timedelta(days=1)]
    assert "potential_escalation" in met(assess(police_incidents=three))
    outside = [*two, add_months(INCIDENT, -12)]
    assert "potential_escalation" not in met(assess(police_incidents=outside))
    five = MaracParameters(escalation_incidents=5)
    assert "potential_escalation" not in met(assess(police_incidents=three, p=five))


def test_a_repeat_is_an_incident_within_twelve_months_of_the_last_referral():
    last = date(2025, 11, 20)
    just_inside = add_months(last, 12) - timedelta(days=1)
    just_outside = add_months(last, 12) + timedelta(days=1)
    assert assess(incident_date=just_inside, last_marac_referral=last).repeat
    assert "repeat" in met(assess(incident_date=just_inside, last_marac_referral=last))
    assert not assess(incident_date=just_outside, last_marac_referral=last).repeat
    assert assess(incident_date=add_months(last, 12), last_marac_referral=last).repeat


def test_local_parameters_are_checked():
    with pytest.raises(ValueError):
        MaracParameters(visible_high_risk_yes=10, medium_risk_yes=12)
    with pytest.raises(ValueError, match="at most 3"):
        CaseReviewParameters(qualifying_complaints=4)
    assert CaseReviewParameters(qualifying_complaints=2).qualifying_complaints == 2


APPLIED = date(2026, 11, 20)


def complaints(n: int, **overrides) -> list[Complaint]:
    return [
        Complaint(
            behaviour_on=date(2026, 9, 1) + timedelta(days=7 * i),
            complained_on=date(2026, 9, 3) + timedelta(days=7 * i),
            **overrides,
        )
        for i in range(n)
    ]


def test_three_qualifying_complaints_meet_the_threshold_and_two_do_not():
    assert case_review_threshold(complaints(3), APPLIED).met
    assert not case_review_threshold(complaints(2), APPLIED).met
    assert case_review_threshold(complaints(2), APPLIED, CaseReviewParameters(2)).met


def test_late_or_stale_complaints_do_not_count():
    late = Complaint(behaviour_on=date(2026, 8, 1), complained_on=date(2026, 9, 2))
    on_time = Complaint(behaviour_on=date(2026, 8, 1), complained_on=date(2026, 9, 1))
    stale = Complaint(behaviour_on=date(2026, 4, 1), complained_on=date(2026, 5, 19))
    decision = case_review_threshold([*complaints(2), late, stale], APPLIED)
    assert not decision.met and len(decision.qualifying) == 2
    assert sum(1 for r in decision.reasons if r.code == "not_qualifying") == 2
    assert case_review_threshold([*complaints(2), on_time], APPLIED).met


def test_one_hate_incident_complaint_meets_the_hate_variant():
    assert case_review_threshold(complaints(1, hate_incident=True), APPLIED).met
    assert not case_review_threshold(complaints(1), APPLIED).met


def test_months_are_calendar_months():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 2), -12) == date(2025, 11, 2)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
