"""The vocabulary of information sharing protocols, as plain data.

These are what a protocol *says* (its parties, purposes, data categories and
the legal basis for each, the gateways relied on, its dates), independent of
how it is stored. The lawful-basis engine reads only these, so it can be
tested without a database, and a stored protocol version converts to a
``ProtocolTerms`` for every check.

Headings follow the ICO Data Sharing Code (statutory code under DPA 2018
s121, in force 5 October 2021): parties and roles, purposes, data items,
lawful basis and special category / criminal offence conditions, retention,
security and onward sharing, review.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date

import msgspec

from sharehub.agencies.types import AgencyType


class Purpose(enum.StrEnum):
    ASB_CASE_MANAGEMENT = "asb_case_management"
    MARAC = "marac"
    MAPPA = "mappa"
    ASB_CASE_REVIEW = "asb_case_review"
    CRIME_PREVENTION = "crime_prevention"
    SAFEGUARDING = "safeguarding"


class DataCategory(enum.StrEnum):
    IDENTITY = "identity"
    CONTACT_DETAILS = "contact_details"
    ASB_INCIDENT_DETAILS = "asb_incident_details"
    RISK_ASSESSMENT = "risk_assessment"
    CRIMINAL_OFFENCE_DATA = "criminal_offence_data"  # UK GDPR Art 10
    SPECIAL_CATEGORY_HEALTH = "special_category_health"  # UK GDPR Art 9
    SPECIAL_CATEGORY_OTHER = "special_category_other"  # Art 9: ethnicity, religion, sexuality…


class Article6Basis(enum.StrEnum):
    """UK GDPR Article 6(1)."""

    CONSENT = "a_consent"
    CONTRACT = "b_contract"
    LEGAL_OBLIGATION = "c_legal_obligation"
    VITAL_INTERESTS = "d_vital_interests"
    PUBLIC_TASK = "e_public_task"
    LEGITIMATE_INTERESTS = "f_legitimate_interests"


class Schedule1Condition(enum.StrEnum):
    """DPA 2018 Schedule 1 conditions for special category and criminal offence data."""

    STATUTORY_PURPOSES = "para_6_statutory_and_government_purposes"
    PREVENTING_UNLAWFUL_ACTS = "para_10_preventing_or_detecting_unlawful_acts"
    SAFEGUARDING = "para_18_safeguarding_of_children_and_individuals_at_risk"
    EXPLICIT_CONSENT = "art_9_2_a_explicit_consent"


class PartyRole(enum.StrEnum):
    CONTROLLER = "controller"
    JOINT_CONTROLLER = "joint_controller"
    PROCESSOR = "processor"


class ProtocolStatus(enum.StrEnum):
    DRAFT = "draft"
    AWAITING_SIGNATURES = "awaiting_signatures"
    ACTIVE = "active"
    REVIEW_DUE = "review_due"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    EXPIRED = "expired"


class CategoryTerms(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """One data category a purpose allows, with its legal basis."""

    category: DataCategory
    article6: Article6Basis
    # Needed for special category and criminal offence data.
    schedule1: Schedule1Condition | None = None
    retention_days: int = msgspec.field(default=365)


class PurposeTerms(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    purpose: Purpose
    categories: tuple[CategoryTerms, ...]
    # Gateway codes from protocols/gateways.toml, in the order relied on.
    gateways: tuple[str, ...]


class PartyTerms(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    agency_id: uuid.UUID
    agency_type: AgencyType
    role: PartyRole = PartyRole.CONTROLLER


class ProtocolTerms(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """One version of a protocol, as the lawful-basis engine sees it."""

    protocol_id: uuid.UUID
    version: int
    title: str
    status: ProtocolStatus
    parties: tuple[PartyTerms, ...]
    purposes: tuple[PurposeTerms, ...]
    review_date: date
    # Once past review_date a protocol is flagged; past review_date + grace it
    # stops authorising disclosures.
    review_grace_days: int = 30
    # Conditions on what recipients may do next (e.g. "onward sharing needs the chair's agreement").
    onward_sharing: str | None = None
    effective_from: date | None = None
