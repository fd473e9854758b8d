"""What the agency API takes and returns."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

import msgspec

from sharehub.agencies.types import AgencyType
from sharehub.disclosure.gated import (
    AgencyName,
    Code,
    Configuration,
    Explanation,
    NotPersonal,
)
from sharehub.fields import PRINTABLE, Email, Name, Telephone

ShortCode = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{1,15}$",
        description="2 to 16 letters, digits or hyphens; stored upper-case, unique",
        examples=["KPOL"],
    ),
]
AreaName = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=100,
        pattern=PRINTABLE,
        description="An area served, such as a district, county or force area",
    ),
]
Areas = Annotated[list[AreaName], msgspec.Meta(max_length=50)]


class InformationGovernanceContact(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Who at the agency answers for information governance (often the DPO)."""

    # The agency's information governance contact, published to its partners.
    name: Annotated[Name, NotPersonal("an agency's published IG contact")]
    email: Annotated[Email, NotPersonal("an agency's published IG contact")]
    telephone: Annotated[Telephone, NotPersonal("an agency's published IG contact")] | None = None


class HomesManaged(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A landlord's homes, as counted on a day: what the Tenant Satisfaction
    Measures divide ASB cases by (NM01: cases per 1,000 homes)."""

    count: Annotated[int, msgspec.Meta(ge=0, le=10_000_000)]
    as_of: date


class AgencyCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    short_code: ShortCode
    agency_type: AgencyType
    information_governance_contact: InformationGovernanceContact
    areas: Areas = msgspec.field(default_factory=list)
    homes_managed: HomesManaged | None = None


class AgencyUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A partial update: fields left out stay as they are."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    short_code: ShortCode | msgspec.UnsetType = msgspec.UNSET
    agency_type: AgencyType | msgspec.UnsetType = msgspec.UNSET
    information_governance_contact: InformationGovernanceContact | msgspec.UnsetType = msgspec.UNSET
    areas: Areas | msgspec.UnsetType = msgspec.UNSET
    # null clears it (the agency no longer manages homes).
    homes_managed: HomesManaged | None | msgspec.UnsetType = msgspec.UNSET


class AgencyView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: AgencyName
    short_code: Code
    agency_type: AgencyType
    agency_type_label: Explanation
    areas: list[Configuration]
    information_governance_contact: InformationGovernanceContact
    homes_managed: HomesManaged | None = None
    active: bool
    deactivated_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class AgencyPage(msgspec.Struct, kw_only=True):
    items: list[AgencyView]
    total: int
    limit: int
    offset: int


class AgencyTypeView(msgspec.Struct, kw_only=True):
    code: AgencyType
    label: Explanation
