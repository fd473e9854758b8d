"""Risks an agency can flag when it prepares a case, as codes with the words a
practitioner reads. Codes keep contributions comparable across agencies."""

from __future__ import annotations

from typing import Literal

RiskCode = Literal[
    "children_in_household",
    "pregnancy_or_new_baby",
    "recent_separation",
    "escalation",
    "threats_to_kill",
    "strangulation",
    "weapons",
    "stalking_or_harassment",
    "sexual_abuse",
    "coercive_control",
    "substance_misuse",
    "mental_health",
    "suicide_risk",
    "financial_abuse",
    "breach_of_orders",
    "criminal_history",
    "isolation",
    "honour_based_abuse",
    "vulnerable_adult",
    "housing_insecurity",
]

RISK_LABELS: dict[str, str] = {
    "children_in_household": "Children in the household",
    "pregnancy_or_new_baby": "Pregnancy or a baby under 18 months",
    "recent_separation": "Separation, or attempted separation, in the past year",
    "escalation": "Abuse more frequent or getting worse",
    "threats_to_kill": "Threats to kill",
    "strangulation": "Strangulation, choking, suffocation or drowning",
    "weapons": "Use of weapons or objects to hurt",
    "stalking_or_harassment": "Stalking or harassment",
    "sexual_abuse": "Sexual abuse",
    "coercive_control": "Controlling or coercive behaviour",
    "substance_misuse": "Drug or alcohol misuse",
    "mental_health": "Mental health needs",
    "suicide_risk": "Threatened or attempted suicide",
    "financial_abuse": "Financial abuse or hardship",
    "breach_of_orders": "Breach of bail, injunction or other order",
    "criminal_history": "Criminal history",
    "isolation": "Isolation from family or friends",
    "honour_based_abuse": "So-called honour-based abuse",
    "vulnerable_adult": "Care and support needs",
    "housing_insecurity": "Housing insecurity or homelessness",
}
