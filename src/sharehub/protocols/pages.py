"""The protocol register as pages, thin over the same services as the API
(protocols/controllers.py): every protocol the reader may see with its status
and who has not signed, and one protocol's terms, with each party's role,
UK GDPR Article 6 basis, on whose behalf it acts and whether it is co-opted
for ASB case reviews, and the engine's warnings while it is being drafted or
signed. The printable document is the API's HTML export.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template

from sharehub.db.base import utcnow
from sharehub.errors import DomainError, NotFound
from sharehub.protocols import service
from sharehub.protocols.models import Protocol
from sharehub.protocols.schemas import PartyChange, PartyView, VersionStatus, VersionView
from sharehub.web.forms import Form, FormErrors, refused
from sharehub.web.labels import N_, label
from sharehub.web.pages import may, page_opt, render, see_other
from sharehub.web.params import Session
from sharehub.web.templating import _

READ = page_opt("protocol:read")
DRAFT = page_opt("protocol:draft")
ProtocolPath = Annotated[str, PathParameter(max_length=40)]
# A party by its place in the version's list (1 is the first), so no id is shown.
PartyNumber = Annotated[int, PathParameter(ge=1, le=50)]
Done = Annotated[str | None, QueryParameter(required=False, max_length=20)]
NOTICES = {"party": N_("Party's terms changed")}

STATUS = {
    VersionStatus.DRAFT: N_("Draft"),
    VersionStatus.AWAITING_SIGNATURES: N_("Awaiting signatures"),
    VersionStatus.NOT_YET_STARTED: N_("Signed, not yet started"),
    VersionStatus.ACTIVE: N_("In force"),
    VersionStatus.REVIEW_DUE: N_("In force, review overdue"),
    VersionStatus.SUSPENDED: N_("Suspended"),
    VersionStatus.TERMINATED: N_("Ended"),
    VersionStatus.SUPERSEDED: N_("Replaced"),
    VersionStatus.EXPIRED: N_("Expired"),
}
TAG = {
    VersionStatus.ACTIVE: "govuk-tag--green",
    VersionStatus.REVIEW_DUE: "govuk-tag--orange",
    VersionStatus.SUSPENDED: "govuk-tag--red",
    VersionStatus.EXPIRED: "govuk-tag--red",
    VersionStatus.TERMINATED: "govuk-tag--grey",
    VersionStatus.SUPERSEDED: "govuk-tag--grey",
}


def _status(status: VersionStatus) -> dict[str, str]:
    return {"text": _(STATUS.get(status, N_("Other"))), "classes": TAG.get(status, "")}


def _unsigned(version: VersionView) -> list[str]:
    if version.status is not VersionStatus.AWAITING_SIGNATURES:
        return []
    waiting = set(version.awaiting_signature_from)
    return [p.agency_name for p in version.parties if p.agency_id in waiting]


@get("/protocols", opt=READ, include_in_schema=False)
async def register(request: Request, db_session: Session, state: State) -> Template:
    rows, total = await service.list_protocols(db_session, request.user, limit=100)
    names = await service.agency_names(db_session, rows)
    day = service.today()
    items: list[dict[str, Any]] = []
    for protocol in rows:
        view = service.to_view(protocol, names, day, state.gateway_rules)
        items.append(
            {
                "href": f"/protocols/{protocol.id}",
                "title": view.current.title,
                "status": _status(view.status),
                "parties": [p.agency_name for p in view.current.parties],
                "purposes": [p.purpose for p in view.current.purposes],
                "review_date": view.current.review_date,
                "unsigned": _unsigned(view.current),
                "amendment": view.pending_amendment is not None,
            }
        )
    return await render(
        request,
        db_session,
        "protocols/register.html",
        title=_("Information sharing protocols"),
        items=items,
        total=total,
    )


async def _protocol(request: Request, db: Session, protocol_id: str) -> Protocol:
    try:
        wanted = uuid.UUID(protocol_id)
    except ValueError:
        raise NotFound("no such protocol") from None
    return await service.get_protocol(db, request.user, wanted)


async def _shown(db: Session, state: State, protocol: Protocol) -> VersionView:
    """The version a reader is shown: an amendment being agreed, else the one in force."""
    names = await service.agency_names(db, [protocol])
    view = service.to_view(protocol, names, service.today(), state.gateway_rules)
    return view.pending_amendment or view.current


@get("/protocols/{protocol_id:str}", opt=READ, include_in_schema=False)
async def protocol_page(
    request: Request,
    db_session: Session,
    state: State,
    protocol_id: ProtocolPath,
    done: Done = None,
) -> Template:
    protocol = await _protocol(request, db_session, protocol_id)
    names = await service.agency_names(db_session, [protocol])
    rules = state.gateway_rules
    view = service.to_view(protocol, names, service.today(), rules)
    shown = view.pending_amendment or view.current
    return await render(
        request,
        db_session,
        "protocols/protocol.html",
        title=shown.title,
        view=view,
        version=shown,
        status=_status(shown.status),
        unsigned=_unsigned(shown),
        gateway_names={g.code: g.name for g in rules.gateways},
        may_export=may(request, "protocol:export"),
        may_change=shown.status is VersionStatus.DRAFT and may(request, "protocol:draft"),
        notice=_(NOTICES[done]) if done in NOTICES else None,
        export=f"/api/protocols/{protocol.id}/export.html?version={shown.number}",
    )


# --- a party's terms, in a draft ---------------------------------------------------------


def _party(version: VersionView, number: int) -> PartyView:
    if number > len(version.parties):
        raise NotFound("no such party")
    return version.parties[number - 1]


async def _party_page(
    request: Request,
    db: Session,
    state: State,
    protocol: Protocol,
    number: int,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
) -> Template:
    version = await _shown(db, state, protocol)
    party = _party(version, number)
    if values is None:
        values = {
            "role": [party.role.value],
            "article6": [party.article6.value] if party.article6 else [],
            "on_behalf_of": [str(party.on_behalf_of)] if party.on_behalf_of else [""],
            "co_opted_for_case_reviews": ["yes"] if party.co_opted_for_case_reviews else [],
        }
    chosen = (values.get("on_behalf_of") or [""])[0]
    principals = [{"value": "", "text": _("No one: it acts for itself")}] + [
        {"value": str(p.agency_id), "text": p.agency_name, "selected": str(p.agency_id) == chosen}
        for p in version.parties
        if p.agency_id != party.agency_id
    ]
    return await render(
        request,
        db,
        "protocols/party.html",
        title=party.agency_name,
        protocol_title=version.title,
        back={"href": f"/protocols/{protocol.id}", "text": _("Back to the protocol")},
        principals=principals,
        co_opted_items=[
            {
                "value": "yes",
                "text": _("Co-opted into the ASB case review group"),
                "checked": bool(values.get("co_opted_for_case_reviews")),
                "hint": {
                    "text": _(
                        "Only a local provider of social housing can be (Anti-social Behaviour, "
                        "Crime and Policing Act 2014, section 104)."
                    )
                },
            }
        ],
        version=protocol.version,
        values=values,
        errors=errors,
        status_code=400 if errors else 200,
    )


@get("/protocols/{protocol_id:str}/parties/{number:int}", opt=DRAFT, include_in_schema=False)
async def party_form(
    request: Request,
    db_session: Session,
    state: State,
    protocol_id: ProtocolPath,
    number: PartyNumber,
) -> Template:
    protocol = await _protocol(request, db_session, protocol_id)
    return await _party_page(request, db_session, state, protocol, number)


@post("/protocols/{protocol_id:str}/parties/{number:int}", opt=DRAFT, include_in_schema=False)
async def change_party(
    request: Request,
    db_session: Session,
    state: State,
    protocol_id: ProtocolPath,
    number: PartyNumber,
) -> Template | Redirect:
    protocol = await _protocol(request, db_session, protocol_id)
    party = _party(await _shown(db_session, state, protocol), number)
    form = await Form.read(request)
    payload = {
        "role": form.text("role"),
        "article6": form.text("article6"),
        "on_behalf_of": form.text("on_behalf_of"),
        "co_opted_for_case_reviews": form.text("co_opted_for_case_reviews") == "yes",
    }
    messages = {
        n: _(m)
        for n, m in (("role", N_("Select the party's role")), ("article6", N_("Select its basis")))
        if not form.text(n)
    }
    try:
        for name, message in messages.items():
            form.errors.add(name, message)
        change = form.convert(PartyChange, payload, messages)
        try:
            expected = int(form.text("version") or "")
        except ValueError:
            expected = -1  # refused by the service as a stale copy
        changed = await service.change_party(
            db_session,
            request.user,
            protocol.id,
            party.agency_id,
            change,
            expected,
            state.gateway_rules,
        )
        await state.audit_events.record(
            db=db_session,
            event=service.change_event(changed, request.user, "party_changed", utcnow()),
        )
    except (FormErrors, DomainError) as failed:
        errors = await refused(db_session, form, failed, messages)
        # Rolled back: read the protocol afresh, not the expired copy.
        db_session.expunge_all()
        protocol = await _protocol(request, db_session, protocol_id)
        return await _party_page(
            request, db_session, state, protocol, number, values=form.values, errors=errors
        )
    return see_other(f"/protocols/{protocol.id}?done=party")


ROUTES = [register, protocol_page, party_form, change_party]
