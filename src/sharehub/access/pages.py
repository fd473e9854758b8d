"""Pages for managing who holds which role: thin over access/service.py.

An agency administrator manages their own agency's staff; the hub
administrator everyone's, and alone grants hub-wide roles (the service's rule).
Roles that come from an agency's sign-in are shown but not removed here: the
agency's provider gives them again at the next sign-in.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy import select

from sharehub.access import service
from sharehub.access.roles import HUB_WIDE_ROLES, Role
from sharehub.agencies.models import Agency
from sharehub.errors import DomainError
from sharehub.web.forms import Form, FormErrors, refused
from sharehub.web.labels import label
from sharehub.web.pages import page_opt, render, see_other
from sharehub.web.params import Session
from sharehub.web.templating import _

NOTICES = {"granted": "Role given", "revoked": "Role removed"}
MESSAGES = {"role": "Select a role to give"}


def _grantable(request: Request) -> list[str]:
    hub = service.is_hub_administrator(request.user)
    return [r.value for r in Role if hub or r not in HUB_WIDE_ROLES]


async def _page(
    request: Request,
    db: Session,
    agency: str | None,
    *,
    notice: str | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Template:
    hub = service.is_hub_administrator(request.user)
    agencies = list(await db.scalars(select(Agency).order_by(Agency.name)))
    chosen = next((a for a in agencies if a.short_code == (agency or "").upper()), None)
    staff = await service.staff_of(db, request.user, chosen.id if chosen else None)
    names = {a.id: a.name for a in agencies}
    people: list[dict[str, Any]] = [
        {
            "user": user,
            "agency": names.get(user.agency_id, ""),
            "roles": [
                {
                    "id": a.id,
                    "text": label("role", a.role)
                    + (f" ({a.area})" if a.area else "")
                    + (_(" across the hub") if a.agency_id is None else ""),
                    "from_sign_in": a.source == "claim",
                }
                for a in roles
            ],
        }
        for user, roles in staff
    ]
    return await render(
        request,
        db,
        "access/staff.html",
        title=_("Staff and their roles"),
        people=people,
        hub=hub,
        agencies=agencies if hub else [],
        chosen=chosen.short_code if chosen else "",
        grantable=_grantable(request),
        notice=_(NOTICES[notice]) if notice in NOTICES else None,
        errors=errors,
        status_code=status_code,
    )


@get("/staff", opt=page_opt("role:read"), include_in_schema=False)
async def staff(
    request: Request,
    db_session: Session,
    agency: Annotated[str | None, QueryParameter(required=False, max_length=10)] = None,
    done: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
) -> Template:
    return await _page(request, db_session, agency, notice=done)


def _id(form: Form, name: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(form.text(name) or "")
    except ValueError:
        return None


@post("/staff/roles", opt=page_opt("role:grant"), include_in_schema=False)
async def give_role(request: Request, db_session: Session) -> Template | Redirect:
    form = await Form.read(request)
    agency = form.text("agency")
    try:
        role = form.text("role")
        if role not in _grantable(request):
            form.errors.add("role", _(MESSAGES["role"]))
            raise form.errors
        user_id = _id(form, "user_id")
        if user_id is None:
            form.errors.add("role", _("Choose the person from the list"))
            raise form.errors
        assignment = await service.grant_role(
            db_session, request.user, user_id=user_id, role=Role(role), agency_id=None, area=None
        )
        await service.record_role_change(
            request.app.state.audit_events, db_session, request.user, "role_granted", assignment
        )
    except (FormErrors, DomainError) as failed:
        errors = await refused(db_session, form, failed, {"role": _(MESSAGES["role"])})
        return await _page(request, db_session, agency, errors=errors, status_code=400)
    return see_other(f"/staff?done=granted{'&agency=' + agency if agency else ''}")


@post("/staff/roles/removal", opt=page_opt("role:revoke"), include_in_schema=False)
async def remove_role(request: Request, db_session: Session) -> Template | Redirect:
    form = await Form.read(request)
    agency = form.text("agency")
    try:
        assignment_id = _id(form, "assignment_id")
        if assignment_id is None:
            form.errors.add("role", _("Choose the role from the list"))
            raise form.errors
        assignment = await service.revoke_role(db_session, request.user, assignment_id)
        await service.record_role_change(
            request.app.state.audit_events, db_session, request.user, "role_revoked", assignment
        )
    except (FormErrors, DomainError) as failed:
        errors = await refused(db_session, form, failed)
        return await _page(request, db_session, agency, errors=errors, status_code=400)
    return see_other(f"/staff?done=revoked{'&agency=' + agency if agency else ''}")


ROUTES = [staff, give_role, remove_role]
