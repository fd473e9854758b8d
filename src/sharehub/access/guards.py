"""The one guard every route passes: signed in, and allowed the route's action.

Routes say what they are with ``opt``: ``public=True`` (health, sign-in),
``signed_in=True`` (anyone signed in, even without a role: /me, logout), or
``action="agency:read"``. Anything else is refused.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from sharehub.access.actions import role_may
from sharehub.identity.principal import Principal

NO_ROLE_YET = (
    "you are signed in but have no role in the hub yet; ask your agency administrator "
    "or your agency's information governance contact to grant you one"
)


async def authorise(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    opt = handler.opt
    if opt.get("public"):
        return
    principal: Principal | None = connection.scope.get("user")
    if principal is None:
        raise NotAuthorizedException(
            "sign in first", headers={"WWW-Authenticate": 'Bearer realm="sharehub"'}
        )
    if opt.get("signed_in"):
        return
    action = opt.get("action")
    if not isinstance(action, str):
        raise PermissionDeniedException("this route declares no action, so nobody may use it")
    if principal.kind == "machine":
        if action not in principal.scopes:
            raise PermissionDeniedException(f"your token's scopes do not include {action}")
        return
    if not principal.roles:
        raise PermissionDeniedException(NO_ROLE_YET)
    if not role_may({held.role for held in principal.roles}, action):
        raise PermissionDeniedException(f"your roles do not allow {action}")
