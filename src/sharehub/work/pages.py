"""The start page (before sign-in) and "Your work" (after): thin over services."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from sharehub.agencies.models import Agency
from sharehub.identity import service as identity
from sharehub.identity.principal import Principal
from sharehub.web.pages import PUBLIC_PAGE, may, render
from sharehub.web.params import Gate, Session
from sharehub.web.templating import _
from sharehub.work.service import your_work


@get("/", opt=PUBLIC_PAGE, include_in_schema=False)
async def start(request: Request, db_session: Session, gate: Gate) -> Template:
    principal: Principal | None = request.user
    if principal is None or principal.kind != "user":
        providers = await identity.list_providers(db_session, active_only=True)
        return await render(
            request,
            db_session,
            "home/start.html",
            title=_("Sign in to sharehub"),
            providers=[
                {
                    "agency": p.agency.name,
                    "provider": p.display_name,
                    "href": f"/auth/login/{p.slug}",
                }
                for p in sorted(providers, key=lambda p: p.agency.name)
                if p.agency.active
            ],
        )
    if not principal.roles:
        agency = await db_session.get(Agency, principal.agency_id)
        return await render(
            request,
            db_session,
            "home/no_role.html",
            title=_("You do not have a role in the hub yet"),
            agency=agency,
            administrators=await identity.administrators_of(db_session, principal.agency_id),
        )
    work = await your_work(
        db_session, principal.agency_id, gate, lambda action: may(request, action)
    )
    return await render(
        request,
        db_session,
        "home/your_work.html",
        title=_("Your work"),
        work=work,
        roles=sorted({held.role for held in principal.roles}),
        may={a: may(request, a) for a in ("asb-report:create", "subject:read", "override:review")},
    )


@get("/auth/logged-out", opt=PUBLIC_PAGE, include_in_schema=False)
async def signed_out(request: Request, db_session: Session) -> Template:
    return await render(request, db_session, "home/signed_out.html", title=_("You have signed out"))


@get("/help/accessibility", opt=PUBLIC_PAGE, include_in_schema=False)
async def accessibility(request: Request, db_session: Session) -> Template:
    return await render(
        request, db_session, "home/accessibility.html", title=_("Accessibility statement")
    )


ROUTES = [start, signed_out, accessibility]
