"""Who is making a request: a signed-in person or an agency system."""

from __future__ import annotations

import uuid
from typing import Literal

import msgspec


class RoleHeld(msgspec.Struct, frozen=True):
    role: str
    agency_id: uuid.UUID | None  # None: the hub-wide domain
    area: str | None = None


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    kind: Literal["user", "machine"]
    id: uuid.UUID
    agency_id: uuid.UUID
    roles: tuple[RoleHeld, ...] = ()
    # For agency systems: the permissions their token's scopes grant.
    scopes: frozenset[str] = frozenset()
    session_id: uuid.UUID | None = None

    @property
    def user_id(self) -> uuid.UUID | None:
        """The person acting, for records that name one (None: an agency system)."""
        return self.id if self.kind == "user" else None
