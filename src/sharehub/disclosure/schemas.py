"""What a disclosure check takes and returns."""

from __future__ import annotations

import enum
import uuid
from datetime import date
from typing import Annotated

import msgspec

from sharehub.disclosure.gated import Explanation
from sharehub.protocols.engine import ConsentState, Decision, SubjectRole
from sharehub.protocols.terms import DataCategory, Purpose


class AssertedFact(enum.StrEnum):
    """What the person deciding asserts, for the record: the facts the
    conditions for sharing without a protocol turn on (Data Protection Act 2018, Schedule 1 paras
    10 and 18 and Part 4)."""

    RISK_OF_SERIOUS_HARM = "risk_of_serious_harm"
    CONSENT_CANNOT_BE_GIVEN = "consent_cannot_be_given"
    CONSENT_CANNOT_REASONABLY_BE_OBTAINED = "consent_cannot_reasonably_be_obtained"
    SEEKING_CONSENT_WOULD_PREJUDICE = "seeking_consent_would_prejudice"
    NECESSARY_TO_PREVENT_OR_DETECT_CRIME = "necessary_to_prevent_or_detect_crime"
    ONLY_WHAT_IS_NECESSARY = "only_what_is_necessary"
    APPROPRIATE_POLICY_DOCUMENT = "appropriate_policy_document_in_place"


class CheckDecision(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A person's decision on a check the engine answered "needs review",
    recorded in the check's ledger entry with the facts relied on."""

    share: bool
    facts: Annotated[list[AssertedFact], msgspec.Meta(max_length=len(AssertedFact))] = (
        msgspec.field(default_factory=list)
    )


class DisclosureCheckRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A question, not a disclosure: nothing personal is sent, only what kind of data."""

    recipient_agency_id: uuid.UUID
    purpose: Purpose
    categories: list[DataCategory] = msgspec.field(default_factory=list)
    subject_role: SubjectRole | None = None
    consent: ConsentState = ConsentState.NOT_SOUGHT
    consent_covers_recipient: bool = False
    high_risk_of_serious_harm: bool = False
    consent_would_prejudice: bool = False
    # The day to decide for (default today); protocols in force on that day apply.
    on: date | None = None
    # A person your agency holds: the hub then answers from the consent,
    # sharing decisions and safeguarding overrides it records for them (their
    # role too), not from the yes/no answers above.
    subject_id: uuid.UUID | None = None
    # Where the answer will be "needs review": the decision of a person allowed
    # to record sharing decisions, with the facts asserted.
    decision: CheckDecision | None = None


class DisclosureCheckAnswer(msgspec.Struct, kw_only=True):
    check_id: uuid.UUID
    discloser_agency_id: uuid.UUID
    recipient_agency_id: uuid.UUID
    decision: Decision
    # For a named person: what the hub's records said, in words.
    records_used: list[Explanation] = msgspec.field(default_factory=list)
    # The person's decision, where one was recorded with the check.
    decided: CheckDecision | None = None
