"""What the attachment routes take and return."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

import msgspec

from sharehub.disclosure.gated import (
    AgencyName,
    Citation,
    Code,
    Explanation,
    GatedText,
    Reference,
    StaffName,
    View,
)
from sharehub.referrals.asb.schemas import RuleCode

Description = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
ReportReference = Annotated[
    str, msgspec.Meta(min_length=5, max_length=20, pattern=r"^[A-Za-z0-9-]+$")
]


class AttachmentIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The fields sent with the file (multipart/form-data, the file as ``file``)."""

    kind: RuleCode
    description: Description | None = None
    # May be shown to a partner agency the case is shared with, where the gate
    # allows the case's people to be named to it.
    shareable: bool = False
    # CCTV: the day it was recorded (deleted 30 days later unless evidence).
    recorded_on: date | None = None
    # Kept as evidence of a named incident: a report of the case, by reference.
    evidence_for: ReportReference | None = None
    evidence_note: Description | None = None


class AttachmentChange(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    shareable: bool | msgspec.UnsetType = msgspec.UNSET
    evidence_for: ReportReference | None | msgspec.UnsetType = msgspec.UNSET
    evidence_note: Description | None | msgspec.UnsetType = msgspec.UNSET


class AttachmentView(View, kw_only=True):
    id: uuid.UUID
    version: int
    # The report or case it is attached to, and its number there.
    attached_to: Reference
    number: int
    kind: Code
    kind_words: Explanation
    file_type: Code
    file_type_words: Explanation
    content_type: Code
    size: int
    # SHA-256 of the file as kept (after image metadata was removed), as on the ledger.
    sha256: Reference
    filename: GatedText | None
    description: GatedText | None
    shareable: bool
    cctv: bool
    recorded_on: date | None
    # When it is deleted (CCTV not kept as evidence).
    delete_on: date | None
    evidence_for: Reference | None
    evidence_note: GatedText | None
    retention_citation: Citation | None
    agency: AgencyName
    uploaded_by: StaffName | None
    uploaded_at: datetime
