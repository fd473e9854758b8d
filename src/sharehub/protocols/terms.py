"""The vocabulary of information sharing protocols, as plain data.

These are what a protocol *says* (its parties, purposes, data categories and
the legal basis for each, the gateways relied on, its dates), independent of
how it is stored. The lawful-basis engine reads only these, so it can be
tested without a database, and a stored protocol version converts to a
``ProtocolTerms`` for every check.

Headings follow the ICO Data Sharing Code (statutory code under Data Protection Act 2018
section 121, in force 5 October 2021): parties and roles, purposes, data items,
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
    CRIMINAL_OFFENCE_DATA = "criminal_offence_data"  # UK GDPR, Article 10
    SPECIAL_CATEGORY_HEALTH = "special_category_health"  # UK GDPR, Article 9
    # The other special categories (UK GDPR Art 9(1)), each needing its own
    # Schedule 1 condition: a hate incident's motivation is one of these.
    RACIAL_OR_ETHNIC_ORIGIN = "racial_or_ethnic_origin"
    RELIGIOUS_OR_PHILOSOPHICAL_BELIEFS = "religious_or_philosophical_beliefs"
    SEX_LIFE_OR_SEXUAL_ORIENTATION = "sex_life_or_sexual_orientation"
    POLITICAL_OPINIONS = "political_opinions"
    TRADE_UNION_MEMBERSHIP = "trade_union_membership"
    GENETIC_OR_BIOMETRIC = "genetic_or_biometric"
    SPECIAL_CATEGORY_OTHER = "special_category_other"  # Article 9, not listed above
    # As the ICO's data sharing agreement templates list them.
    FINANCIAL = "financial"
    HOUSING_TENANCY = "housing_tenancy"
    EDUCATION = "education"
    SOCIAL_CARE = "social_care"


class Article6Basis(enum.StrEnum):
    """UK GDPR, Article 6(1)."""

    CONSENT = "a_consent"
    CONTRACT = "b_contract"
    LEGAL_OBLIGATION = "c_legal_obligation"
    VITAL_INTERESTS = "d_vital_interests"
    PUBLIC_TASK = "e_public_task"
    LEGITIMATE_INTERESTS = "f_legitimate_interests"


class Schedule1Condition(enum.StrEnum):
    """Data Protection Act 2018, Schedule 1 conditions for special category and criminal offence data."""

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
    # Signed by every party, with a start date still to come.
    NOT_YET_STARTED = "not_yet_started"
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
    # The agency's name, for explanations a person reads.
    name: str = ""
    # The party's own UK GDPR Art 6 basis for its sharing under the protocol;
    # when recorded it is the one the engine tests for this party's disclosures.
    article6: Article6Basis | None = None
    # A service commissioned by another party (a charity delivering the
    # council's IDVA service): Crime and Disorder Act 1998 s115(1) reaches "a
    # person acting on behalf of" a relevant authority.
    on_behalf_of: uuid.UUID | None = None
    on_behalf_of_type: AgencyType | None = None
    on_behalf_of_name: str = ""
    # A local provider of social housing co-opted into the ASB case review
    # (ASB, Crime and Policing Act 2014 s104(2)): then a relevant body.
    co_opted_for_case_reviews: bool = False
    signed: bool = False


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
    # The day every party had signed.
    effective_from: date | None = None
    # A start date the parties agreed: in force from the later of the two.
    starts_on: date | None = None
    suspended_on: date | None = None
    suspension_reason: str | None = None
