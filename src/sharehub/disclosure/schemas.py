"""What a disclosure check takes and returns."""

from __future__ import annotations

import uuid
from datetime import date

import msgspec

from sharehub.protocols.engine import ConsentState, Decision, SubjectRole
from sharehub.protocols.terms import DataCategory, Purpose


class DisclosureCheckRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A question, not a disclosure: nothing personal is sent, only what kind of data."""

    recipient_agency_id: uuid.UUID
    purpose: Purpose
    categories: list[DataCategory] = msgspec.field(default_factory=list)
    subject_role: SubjectRole
    consent: ConsentState = ConsentState.NOT_SOUGHT
    consent_covers_recipient: bool = False
    high_risk_of_serious_harm: bool = False
    consent_would_prejudice: bool = False
    # The day to decide for (default today); protocols in force on that day apply.
    on: date | None = None


class DisclosureCheckAnswer(msgspec.Struct, kw_only=True):
    check_id: uuid.UUID
    discloser_agency_id: uuid.UUID
    recipient_agency_id: uuid.UUID
    decision: Decision
