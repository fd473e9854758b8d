"""What the role assignment API takes and returns."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from sharehub.disclosure.gated import Code, Configuration
from sharehub.access.roles import Role
from sharehub.agencies.schemas import AreaName


class RoleGrant(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    user_id: uuid.UUID
    role: Role
    # Agency roles: the person's own agency (the default). Hub-wide roles: leave out.
    agency_id: uuid.UUID | None = None
    # Hub-wide coordinator roles may be limited to one area.
    area: AreaName | None = None


class RoleAssignmentView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    user_id: uuid.UUID
    role: Code
    agency_id: uuid.UUID | None
    area: Configuration | None
    source: Code
    granted_by: uuid.UUID | None
    created_at: datetime
