"""The controlled vocabulary of agency types.

Which statutory gateways an agency type can use (for example whether it is a
"relevant authority" under section 115 Crime and Disorder Act 1998) is not decided
here: the lawful-basis engine in ``sharehub.protocols`` holds that as data with
citations. This table only names the kinds of organisation.
"""

from __future__ import annotations

import enum


class AgencyType(enum.StrEnum):
    POLICE_FORCE = "police_force"
    DISTRICT_COUNCIL = "district_council"
    COUNTY_COUNCIL = "county_council"
    UNITARY_COUNCIL = "unitary_council"
    PROBATION_SERVICE = "probation_service"
    PRISON = "prison"
    INTEGRATED_CARE_BOARD = "integrated_care_board"
    LOCAL_HEALTH_BOARD = "local_health_board"
    NHS_TRUST = "nhs_trust"
    FIRE_AND_RESCUE_AUTHORITY = "fire_and_rescue_authority"
    YOUTH_OFFENDING_TEAM = "youth_offending_team"
    SOCIAL_HOUSING_PROVIDER = "private_registered_provider_of_social_housing"
    DOMESTIC_ABUSE_SERVICE = "domestic_abuse_service"
    EDUCATION = "education"
    OTHER = "other"


# What a practitioner reads on screen for each type.
AGENCY_TYPE_LABELS: dict[AgencyType, str] = {
    AgencyType.POLICE_FORCE: "Police force",
    AgencyType.DISTRICT_COUNCIL: "District council",
    AgencyType.COUNTY_COUNCIL: "County council",
    AgencyType.UNITARY_COUNCIL: "Unitary, metropolitan or London borough council",
    AgencyType.PROBATION_SERVICE: "Probation service",
    AgencyType.PRISON: "Prison",
    AgencyType.INTEGRATED_CARE_BOARD: "Integrated care board (England)",
    AgencyType.LOCAL_HEALTH_BOARD: "Local health board (Wales)",
    AgencyType.NHS_TRUST: "NHS trust",
    AgencyType.FIRE_AND_RESCUE_AUTHORITY: "Fire and rescue authority",
    AgencyType.YOUTH_OFFENDING_TEAM: "Youth offending team",
    AgencyType.SOCIAL_HOUSING_PROVIDER: "Private registered provider of social housing",
    AgencyType.DOMESTIC_ABUSE_SERVICE: "Domestic abuse service (voluntary sector)",
    AgencyType.EDUCATION: "Education",
    AgencyType.OTHER: "Other",
}
