"""Who is making a request: a signed-in person or an agency system; or, for
the one public form that records anything (an online application for an ASB
case review), that form itself, acting for the agency that receives it."""

from __future__ import annotations

import uuid
from typing import Literal

import msgspec


class RoleHeld(msgspec.Struct, frozen=True):
    role: str
    agency_id: uuid.UUID | None  # None: the hub-wide domain
    area: str | None = None


# The online application form's actor: no person and no agency system. The
# ledger names it by this id (``user_id`` of the events it records); it is
# never signed in, holds no role and no scope, and is built only by the form's
# own service (``referrals/case_review/online.py``). Fixed, so that an audit can
# find everything the form recorded: uuid5(NAMESPACE_URL,
# "urn:sharehub:actor:online-application-form").
ONLINE_FORM_ID = uuid.uuid5(uuid.NAMESPACE_URL, "urn:sharehub:actor:online-application-form")


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    kind: Literal["user", "machine", "online_form"]
    id: uuid.UUID
    agency_id: uuid.UUID
    roles: tuple[RoleHeld, ...] = ()
    # For agency systems: the permissions their token's scopes grant.
    scopes: frozenset[str] = frozenset()
    session_id: uuid.UUID | None = None

    @property
    def user_id(self) -> uuid.UUID | None:
        """The person acting, for records that name one (None: an agency system
        or the online form)."""
        return self.id if self.kind == "user" else None


def online_form(agency_id: uuid.UUID) -> Principal:
    """The online application form, acting for the agency that receives it."""
    return Principal(kind="online_form", id=ONLINE_FORM_ID, agency_id=agency_id)
