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

from sharehub.identity.principal import Principal


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
    return any(
        held.role in coordinator_roles
        and held.agency_id is None
        and (held.area is None or (area is not None and held.area.casefold() == area.casefold()))
        for held in principal.roles
    )
