"""What every page shares: who is signed in, the navigation their roles open,
the page's nonce and language, and one way to draw a page.

Domain ``pages.py`` modules are thin: they read the request, call the same
service the API calls, and hand plain data to ``render``. Nothing here holds
a domain rule.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from litestar import Request
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.agencies.models import Agency
from sharehub.identity.models import User
from sharehub.identity.principal import Principal
from sharehub.web.labels import N_
from sharehub.web.templating import _, current_language

# Route opts for a page: like the API's, plus ``page`` so errors come back as pages.
PUBLIC_PAGE = {"public": True, "page": True}
SIGNED_IN_PAGE = {"signed_in": True, "page": True}


def page_opt(action: str) -> dict[str, Any]:
    return {"action": action, "page": True}


# (label, path, action that opens it); "Your work" is open to anyone signed in.
NAVIGATION: list[tuple[str, str, str | None]] = [
    (N_("Your work"), "/", None),
    (N_("ASB reports"), "/asb-reports", "asb-report:read"),
    (N_("MARAC"), "/marac-referrals", "marac-referral:read"),
    (N_("MAPPA"), "/mappa-referrals", "mappa-referral:read"),
    (N_("Case reviews"), "/case-reviews", "case-review:read"),
    (N_("Meetings"), "/meetings", "meeting:read"),
    (N_("Actions"), "/meeting-actions", "meeting-action:read"),
    (N_("People"), "/people", "subject:read"),
    (N_("May I share this?"), "/may-i-share", "disclosure:check"),
    (N_("Protocols"), "/protocols", "protocol:read"),
    (N_("Override reviews"), "/override-reviews", "override:review"),
    (N_("Staff and roles"), "/staff", "role:read"),
]


@dataclass(frozen=True)
class Person:
    name: str
    agency: str


@dataclass
class Chrome:
    """What the layout needs on every page."""

    nonce: str
    language: str
    person: Person | None = None
    navigation: list[dict[str, Any]] = field(default_factory=list)


def may(request: Request, action: str) -> bool:
    principal: Principal | None = request.user if "user" in request.scope else None
    if principal is None or principal.kind != "user" or not principal.roles:
        return False
    return request.app.state.access_policy.allowed(principal.id, str(principal.agency_id), action)


async def chrome(request: Request, db: AsyncSession) -> Chrome:
    principal: Principal | None = request.scope.get("user")
    page = Chrome(
        nonce=request.scope.get("state", {}).get("csp_nonce", ""), language=current_language()
    )
    if principal is None or principal.kind != "user":
        return page
    user = await db.get(User, principal.id)
    agency = await db.get(Agency, principal.agency_id)
    page.person = Person(user.display_name if user else "", agency.name if agency else "")
    here = request.url.path
    for text, path, action in NAVIGATION:
        if action is None or may(request, action):
            active = here == path if path == "/" else here.startswith(path)
            page.navigation.append({"text": _(text), "href": path, "active": active})
    return page


async def render(
    request: Request,
    db: AsyncSession,
    template: str,
    *,
    title: str,
    status_code: int = 200,
    **context: Any,
) -> Template:
    return Template(
        template_name=template,
        context={"page": await chrome(request, db), "title": title, **context},
        status_code=status_code,
    )


def see_other(path: str) -> Redirect:
    """After a form succeeds: back to a page by GET (post/redirect/get)."""
    return Redirect(path, status_code=303)


def signed_in(request: Request) -> Principal:
    principal: Principal = request.user
    return principal


def agency_of(request: Request) -> uuid.UUID:
    return signed_in(request).agency_id
