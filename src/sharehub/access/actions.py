"""What each action needs, until the Casbin policy in policies/ takes this over.

Deny by default: an action missing from this table is refused for everyone, as
is a route that declares no action. People need a role; agency systems need
the action among their token's scopes.
"""

from __future__ import annotations

from sharehub.access.roles import Role

ANY_ROLE: frozenset[Role] = frozenset(Role)
HUB_ADMIN = frozenset({Role.HUB_ADMINISTRATOR})

# action → the roles that may take it (held in any domain for now).
ACTION_ROLES: dict[str, frozenset[Role]] = {
    "agency:read": ANY_ROLE,
    "agency:create": HUB_ADMIN,
    "agency:update": HUB_ADMIN,
    "agency:deactivate": HUB_ADMIN,
    "identity:provider:manage": HUB_ADMIN,
    "identity:machine-client:manage": HUB_ADMIN,
    "identity:user:read": HUB_ADMIN,
    "identity:user:deactivate": HUB_ADMIN,
}


def role_may(roles: set[str], action: str) -> bool:
    allowed = ACTION_ROLES.get(action, frozenset())
    return any(role in allowed for role in roles)
