"""HTTP routes for information sharing protocols (thin: parsing and status codes only)."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.enums import MediaType
from litestar.params import JSONBody, PathParameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.db.base import utcnow
from sharehub.disclosure.gated import Rendered
from sharehub.identity.principal import Principal
from sharehub.protocols import service
from sharehub.protocols.document import CONTENT_SECURITY_POLICY, MARKING, render_html
from sharehub.protocols.gateways import GatewayRules
from sharehub.protocols.models import Protocol
from sharehub.protocols.schemas import (
    PartiesInvite,
    PartyChange,
    ProtocolCreate,
    ProtocolExport,
    ProtocolPage,
    ProtocolUpdate,
    ProtocolView,
    Signing,
    StatusChange,
    VersionView,
)
from sharehub.protocols.terms import ProtocolStatus, Purpose
from sharehub.web.params import IfMatch, Session
from sharehub.web.problems import problem_responses
from sharehub.web.versions import etag, expected_version

ProtocolId = Annotated[uuid.UUID, PathParameter(description="The protocol's id")]
VersionNumber = Annotated[
    int, PathParameter(ge=1, le=1_000_000, description="A version number, from 1")
]
PartyAgencyId = Annotated[uuid.UUID, PathParameter(description="The party agency's id")]
# Changes need a version check, and may clash with the protocol's state.
CHANGE_PROBLEMS = problem_responses(400, 404, 409, 412, 428)


def _actor(request: Request) -> Principal:
    return request.user


def _rules(request: Request) -> GatewayRules:
    return request.app.state.gateway_rules


async def _view(request: Request, db: AsyncSession, protocol: Protocol) -> ProtocolView:
    names = await service.agency_names(db, [protocol])
    return service.to_view(protocol, names, service.today(), _rules(request))


async def _respond(
    request: Request,
    db: AsyncSession,
    protocol: Protocol,
    status_code: int = 200,
    **headers: str,
) -> Response[ProtocolView]:
    view = await _view(request, db, protocol)
    return Response(view, status_code=status_code, headers={"ETag": etag(view.version), **headers})


async def _changed(
    request: Request,
    db: AsyncSession,
    protocol: Protocol,
    step: str,
    status_code: int = 200,
    **headers: str,
) -> Response[ProtocolView]:
    """Answer a change, recording it as an audit event (ids and codes only)."""
    response = await _respond(request, db, protocol, status_code, **headers)
    await request.app.state.audit_events.record(
        db=db, event=service.change_event(protocol, request.user, step, utcnow())
    )
    return response


def _filename(protocol_id: uuid.UUID, number: int | None, extension: str) -> str:
    version = f"-v{number}" if number else ""
    return f'inline; filename="protocol-{protocol_id}{version}.{extension}"'


class ProtocolController(Controller):
    path = "/api/protocols"
    tags = ["Protocols"]

    @post(
        "/",
        operation_id="CreateProtocol",
        opt={"action": "protocol:draft"},
        summary="Draft a new information sharing protocol",
        responses=problem_responses(400, 409),
    )
    async def create(
        self, request: Request, state: State, db_session: Session, data: JSONBody[ProtocolCreate]
    ) -> Response[ProtocolView]:
        protocol = await service.create_protocol(
            db_session, _actor(request), data, state.gateway_rules
        )
        return await _changed(
            request, db_session, protocol, "drafted", 201, Location=f"{self.path}/{protocol.id}"
        )

    @get(
        "/",
        operation_id="ListProtocols",
        opt={"action": "protocol:read"},
        summary="List the protocols you may see, by party agency, purpose, status or review",
        responses=problem_responses(400),
    )
    async def list(
        self,
        request: Request,
        db_session: Session,
        agency_id: Annotated[uuid.UUID | None, QueryParameter(required=False)] = None,
        purpose: Annotated[Purpose | None, QueryParameter(required=False)] = None,
        status: Annotated[ProtocolStatus | None, QueryParameter(required=False)] = None,
        review_due: Annotated[
            bool | None,
            QueryParameter(
                required=False, description="Past the review date (including expired), or not"
            ),
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> ProtocolPage:
        rows, total = await service.list_protocols(
            db_session,
            _actor(request),
            agency_id=agency_id,
            purpose=purpose,
            status=status,
            review_due=review_due,
            limit=limit,
            offset=offset,
        )
        day = service.today()
        return ProtocolPage(
            items=[service.to_summary(row, day) for row in rows],
            total=total,
            limit=limit,
            offset=offset,
        )

    @get(
        "/{protocol_id:str}",
        operation_id="GetProtocol",
        opt={"action": "protocol:read"},
        summary="Read a protocol: the version in force, any amendment, and every version",
        responses=problem_responses(400, 404),
    )
    async def read(
        self, request: Request, db_session: Session, protocol_id: ProtocolId
    ) -> Response[ProtocolView]:
        protocol = await service.get_protocol(db_session, _actor(request), protocol_id)
        return await _respond(request, db_session, protocol)

    @get(
        "/{protocol_id:str}/versions/{number:str}",
        operation_id="GetProtocolVersion",
        opt={"action": "protocol:read"},
        summary="Read one version of a protocol, as it was signed",
        responses=problem_responses(400, 404),
    )
    async def read_version(
        self, request: Request, db_session: Session, protocol_id: ProtocolId, number: VersionNumber
    ) -> VersionView:
        protocol = await service.get_protocol(db_session, _actor(request), protocol_id)
        version = service.version_numbered(protocol, number)
        names = await service.agency_names(db_session, [protocol])
        return service.version_view(version, names, service.today(), _rules(request))

    @patch(
        "/{protocol_id:str}",
        operation_id="EditProtocolDraft",
        opt={"action": "protocol:draft"},
        summary="Change a draft (partial update; needs If-Match)",
        responses=CHANGE_PROBLEMS,
    )
    async def edit(
        self,
        request: Request,
        state: State,
        db_session: Session,
        protocol_id: ProtocolId,
        data: JSONBody[ProtocolUpdate],
        if_match: IfMatch,
    ) -> Response[ProtocolView]:
        version = expected_version(if_match)
        protocol = await service.edit_draft(
            db_session, _actor(request), protocol_id, data, version, state.gateway_rules
        )
        return await _changed(request, db_session, protocol, "edited")

    @post(
        "/{protocol_id:str}/parties",
        operation_id="InviteProtocolParties",
        opt={"action": "protocol:draft"},
        summary="Invite agencies to be parties to a draft (needs If-Match)",
        status_code=200,
        responses=CHANGE_PROBLEMS,
    )
    async def invite(
        self,
        request: Request,
        db_session: Session,
        protocol_id: ProtocolId,
        data: JSONBody[PartiesInvite],
        if_match: IfMatch,
    ) -> Response[ProtocolView]:
        version = expected_version(if_match)
        protocol = await service.invite_parties(
            db_session, _actor(request), protocol_id, data.parties, version, _rules(request)
        )
        return await _changed(request, db_session, protocol, "parties_invited")

    @patch(
        "/{protocol_id:str}/parties/{agency_id:str}",
        operation_id="ChangeProtocolParty",
        opt={"action": "protocol:draft"},
        summary="Change a party's terms in a draft (partial update; needs If-Match)",
        responses=CHANGE_PROBLEMS,
    )
    async def change_party(
        self,
        request: Request,
        db_session: Session,
        protocol_id: ProtocolId,
        agency_id: PartyAgencyId,
        data: JSONBody[PartyChange],
        if_match: IfMatch,
    ) -> Response[ProtocolView]:
        version = expected_version(if_match)
        protocol = await service.change_party(
            db_session, _actor(request), protocol_id, agency_id, data, version, _rules(request)
        )
        return await _changed(request, db_session, protocol, "party_changed")

    @delete(
        "/{protocol_id:str}/parties/{agency_id:str}",
        operation_id="RemoveProtocolParty",
        opt={"action": "protocol:draft"},
        summary="Remove a party from a draft (needs If-Match)",
        status_code=200,
        responses=problem_responses(400, 403, 404, 409, 412, 428),
    )
    async def remove_party(
        self,
        request: Request,
        db_session: Session,
        protocol_id: ProtocolId,
        agency_id: PartyAgencyId,
        if_match: IfMatch,
    ) -> Response[ProtocolView]:
        version = expected_version(if_match)
        protocol = await service.remove_party(
            db_session, _actor(request), protocol_id, agency_id, version
        )
        return await _changed(request, db_session, protocol, "party_withdrawn")

    @post(
        "/{protocol_id:str}/submit",
        operation_id="SubmitProtocolForSignature",
        opt={"action": "protocol:draft"},
        summary="Freeze a draft and ask every party to sign it (needs If-Match)",
        status_code=200,
        responses=CHANGE_PROBLEMS,
    )
    async def submit(
        self, request: Request, db_session: Session, protocol_id: ProtocolId, if_match: IfMatch
    ) -> Response[ProtocolView]:
        version = expected_version(if_match)
        protocol = await service.submit_for_signature(
            db_session, _actor(request), protocol_id, version
        )
        return await _changed(request, db_session, protocol, "submitted")

    @post(
        "/{protocol_id:str}/sign",
        operation_id="SignProtocol",
        opt={"action": "protocol:sign"},
        summary="Sign for your agency; in force once every party has signed (needs If-Match)",
        status_code=200,
        responses=CHANGE_PROBLEMS,
    )
    async def sign(
        self,
        request: Request,
        db_session: Session,
        protocol_id: ProtocolId,
        data: JSONBody[Signing],
        if_match: IfMatch,
    ) -> Response[ProtocolView]:
        version = expected_version(if_match)
        protocol = await service.sign(
            db_session, _actor(request), protocol_id, data.job_title, version
        )
        return await _changed(request, db_session, protocol, "signed")

    @post(
        "/{protocol_id:str}/amend",
        operation_id="AmendProtocol",
        opt={"action": "protocol:draft"},
        summary="Start a new draft version; the version in force stays so until it is signed",
        status_code=200,
        responses=CHANGE_PROBLEMS,
    )
    async def amend(
        self, request: Request, db_session: Session, protocol_id: ProtocolId, if_match: IfMatch
    ) -> Response[ProtocolView]:
        version = expected_version(if_match)
        protocol = await service.amend(db_session, _actor(request), protocol_id, version)
        return await _changed(request, db_session, protocol, "amended")

    @post(
        "/{protocol_id:str}/suspend",
        operation_id="SuspendProtocol",
        opt={"action": "protocol:suspend"},
        summary="Suspend the version in force, with a reason (needs If-Match)",
        status_code=200,
        responses=CHANGE_PROBLEMS,
    )
    async def suspend(
        self,
        request: Request,
        db_session: Session,
        protocol_id: ProtocolId,
        data: JSONBody[StatusChange],
        if_match: IfMatch,
    ) -> Response[ProtocolView]:
        version = expected_version(if_match)
        protocol = await service.suspend(db_session, _actor(request), protocol_id, data, version)
        return await _changed(request, db_session, protocol, "suspended")

    @post(
        "/{protocol_id:str}/terminate",
        operation_id="TerminateProtocol",
        opt={"action": "protocol:terminate"},
        summary="End the protocol for good, with a reason (needs If-Match)",
        status_code=200,
        responses=CHANGE_PROBLEMS,
    )
    async def terminate(
        self,
        request: Request,
        db_session: Session,
        protocol_id: ProtocolId,
        data: JSONBody[StatusChange],
        if_match: IfMatch,
    ) -> Response[ProtocolView]:
        version = expected_version(if_match)
        protocol = await service.terminate(db_session, _actor(request), protocol_id, data, version)
        return await _changed(request, db_session, protocol, "terminated")

    @get(
        "/{protocol_id:str}/export.json",
        operation_id="ExportProtocolJSON",
        opt={"action": "protocol:export"},
        summary="The whole record, every version in full, as JSON (marked OFFICIAL)",
        responses=problem_responses(400, 404),
    )
    async def export_json(
        self, request: Request, db_session: Session, protocol_id: ProtocolId
    ) -> Response[ProtocolExport]:
        protocol = await service.get_protocol(db_session, _actor(request), protocol_id)
        names = await service.agency_names(db_session, [protocol])
        day = service.today()
        document = ProtocolExport(
            classification=MARKING,
            exported_at=utcnow(),
            protocol_id=protocol.id,
            status=service.to_view(protocol, names, day, _rules(request)).status,
            current_version=protocol.current_version,
            versions=[
                service.version_view(v, names, day, _rules(request)) for v in protocol.versions
            ],
        )
        return Response(
            document,
            headers={"Content-Disposition": _filename(protocol.id, None, "json")},
        )

    @get(
        "/{protocol_id:str}/export.html",
        operation_id="ExportProtocolHTML",
        opt={"action": "protocol:export"},
        summary="One version (the current one unless asked) as a readable document",
        media_type=MediaType.HTML,
        responses=problem_responses(400, 404),
    )
    async def export_html(
        self,
        request: Request,
        state: State,
        db_session: Session,
        protocol_id: ProtocolId,
        version: Annotated[int | None, QueryParameter(ge=1, le=1_000_000, required=False)] = None,
    ) -> Response[Rendered]:
        protocol = await service.get_protocol(db_session, _actor(request), protocol_id)
        names = await service.agency_names(db_session, [protocol])
        day = service.today()
        number = version or protocol.current_version
        rules = state.gateway_rules
        chosen = service.version_view(service.version_numbered(protocol, number), names, day, rules)
        gateway_names = {g.code: g.name for g in rules.gateways}
        html = render_html(
            service.to_view(protocol, names, day, rules),
            chosen,
            gateway_names=gateway_names,
            exported_at=utcnow(),
        )
        return Response(
            html,
            media_type=MediaType.HTML,
            headers={
                "content-security-policy": CONTENT_SECURITY_POLICY,
                "Content-Disposition": _filename(protocol.id, number, "html"),
            },
        )
