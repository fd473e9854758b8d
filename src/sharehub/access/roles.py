"""The roles people hold in the hub, in one place.

Each role is held within a domain: an agency (its own staff's work), or the
whole hub for cross-agency roles. ``docs/roles.md`` explains each one for an
information governance lead; what each may do is in ``policies/``.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    HUB_ADMINISTRATOR = "hub_administrator"
    AGENCY_ADMINISTRATOR = "agency_administrator"
    PRACTITIONER = "practitioner"
    IDVA = "idva"
    MARAC_COORDINATOR = "marac_coordinator"
    MARAC_CHAIR = "marac_chair"
    MAPPA_COORDINATOR = "mappa_coordinator"
    MAPPA_CHAIR = "mappa_chair"
    ASB_CASE_REVIEW_COORDINATOR = "asb_case_review_coordinator"
    ASB_CASE_REVIEW_PANEL_MEMBER = "asb_case_review_panel_member"
    SAFEGUARDING_LEAD = "safeguarding_lead"
    DATA_PROTECTION_OFFICER = "data_protection_officer"
    INFORMATION_GOVERNANCE_LEAD = "information_governance_lead"
    OBSERVER = "observer"


# Roles that span agencies: held in the hub-wide domain, granted only by a hub
# administrator (never by an agency administrator).
HUB_WIDE_ROLES = frozenset(
    {
        Role.HUB_ADMINISTRATOR,
        Role.MARAC_COORDINATOR,
        Role.MARAC_CHAIR,
        Role.MAPPA_COORDINATOR,
        Role.MAPPA_CHAIR,
        Role.ASB_CASE_REVIEW_COORDINATOR,
    }
)
