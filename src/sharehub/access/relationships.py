"""Who may see a particular record: plain relationship checks, beside Casbin.

Casbin answers "may a practitioner read referrals at all"; these answer "is
this referral theirs". A record is visible to its owning agency, to agencies
invited to a meeting it is listed on, and to the coordinators for its area
(hub-wide roles, optionally limited to one area). Services call these and
answer 404, not 403, when they say no, so a record's existence does not leak.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sharehub.identity.principal import Principal


@dataclass(frozen=True)
class Reach:
    """Where a person's hub-wide roles of some kinds (coordinators, chairs) reach:
    every area, or the areas named on their grants (casefolded)."""

    everywhere: bool
    areas: frozenset[str]

    def covers(self, area: str | None) -> bool:
        return self.everywhere or (area is not None and area.casefold() in self.areas)


def reach(principal: Principal, roles: Collection[str]) -> Reach:
    held = [r for r in principal.roles if r.role in roles and r.agency_id is None]
    return Reach(
        everywhere=any(r.area is None for r in held),
        areas=frozenset(r.area.casefold() for r in held if r.area),
    )


def may_see(
    principal: Principal,
    *,
    owning_agency_id: uuid.UUID,
    invited_agency_ids: Collection[uuid.UUID] = (),
    area: str | None = None,
    coordinator_roles: Collection[str] = (),
) -> bool:
    if principal.agency_id == owning_agency_id or principal.agency_id in invited_agency_ids:
        return True
    return reach(principal, coordinator_roles).covers(area)
