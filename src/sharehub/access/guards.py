"""The one guard every route passes: signed in, and allowed the route's action.

Routes say what they are with ``opt``: ``public=True`` (health, sign-in),
``signed_in=True`` (anyone signed in, even without a role: /me, sign-out), or
``action="agency:read"``. Anything else is refused. People are decided by the
Casbin policy in policies/ (in their own agency's domain; hub-wide roles apply
everywhere); agency systems by the scopes their registration allows.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from sharehub.audit.events import AuditEvent
from sharehub.db.base import utcnow
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
        allowed = action in principal.scopes
    elif not principal.roles:
        raise PermissionDeniedException(NO_ROLE_YET)
    else:
        policy = connection.app.state.access_policy
        allowed = policy.allowed(principal.id, str(principal.agency_id), action)
    if not allowed:
        await connection.app.state.audit_events.record(
            AuditEvent(
                kind="access_denied",
                at=utcnow(),
                user_id=principal.id,
                agency_id=principal.agency_id,
                reason=f"missing {action}",
            )
        )
        # Names the missing action only: nothing about the object asked for.
        raise PermissionDeniedException(f"you are not allowed {action}")
