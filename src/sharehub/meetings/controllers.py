"""HTTP routes for meetings and their actions (thin)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from litestar import Controller, Request, Response, get, post, put
from litestar.enums import MediaType
from litestar.params import JSONBody, PathParameter, QueryParameter
from sqlalchemy import select

from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import Viewer
from sharehub.disclosure.gated import Rendered
from sharehub.meetings import actions, agenda, minutes, packs, preparation, service
from sharehub.meetings.cases import MeetingContext
from sharehub.meetings.models import Acknowledgement, Meeting, Minutes
from sharehub.meetings.packs import Pack
from sharehub.meetings.schemas import (
    AcknowledgementView,
    Acknowledging,
    ActionPage,
    ActionProgress,
    ActionView,
    AgendaOrder,
    AgendaView,
    Amendment,
    Apologies,
    AttendeeIn,
    Cancellation,
    CaseView,
    ContributionIn,
    ContributionView,
    Invitation,
    MeetingCreate,
    MeetingPage,
    MeetingView,
    MinutesIn,
    MinutesView,
    OnwardSharingIn,
    OnwardSharingRefusal,
    OnwardSharingView,
    StatementView,
)
from sharehub.meetings.types import MeetingType
from sharehub.web.params import Gate, IfMatch, Session
from sharehub.web.problems import problem_responses
from sharehub.web.versions import etag, expected_version

MeetingId = Annotated[uuid.UUID, PathParameter(description="The meeting's id")]
ItemId = Annotated[uuid.UUID, PathParameter(description="The agenda item's id")]
ActionId = Annotated[uuid.UUID, PathParameter(description="The action's id")]
RecipientId = Annotated[
    uuid.UUID, PathParameter(description="The agency the minutes would be shared with")
]
CHANGE = problem_responses(400, 403, 404, 409, 412, 422, 428)
READ = problem_responses(400, 403, 404)


def _context(request: Request, gate: GateContext, meeting: Meeting) -> MeetingContext:
    """What the referral a case came from needs to record what the meeting did."""
    return MeetingContext(actor=request.user, meeting=meeting, gate=gate)


def _optional_version(if_match: str | None) -> int | None:
    return expected_version(if_match) if if_match is not None else None


async def _meeting_answer(
    request: Request, gate: GateContext, db: Session, meeting: Meeting, status_code: int = 200
) -> Response[MeetingView]:
    view = await service.view_of(db, request.user, meeting, gate)
    return Response(view, status_code=status_code, headers={"ETag": etag(view.version)})


async def _acknowledged(request: Request, db: Session, meeting_id: uuid.UUID) -> Meeting:
    meeting = await service.get_meeting(db, request.user, meeting_id)
    await service.require_acknowledged(db, request.user, meeting)
    return meeting


async def _minutes_answer(
    request: Request, gate: GateContext, db: Session, meeting: Meeting, revision: Minutes
) -> Response[MinutesView]:
    view = await minutes.view_of(db, request.user, meeting, revision, gate)
    return Response(view, headers={"ETag": etag(view.version)})


async def _answer(
    request: Request,
    gate: GateContext,
    db: Session,
    meeting_id: uuid.UUID,
    recipient_id: uuid.UUID,
    refusal: OnwardSharingRefusal | None,
) -> OnwardSharingView:
    found = await minutes.sharing_meeting(db, request.user, meeting_id, gate)
    sharing = await minutes.answer(db, request.user, found, recipient_id, refusal, gate)
    return await minutes.view_of_request(db, found.meeting, sharing, gate)


class MeetingController(Controller):
    path = "/api/meetings"
    tags = ["Meetings"]

    @post(
        "/",
        operation_id="ArrangeMeeting",
        opt={"action": "meeting:arrange"},
        summary="Arrange a meeting for an area: kind, time, venue, chair, agencies invited",
        responses=problem_responses(400, 403, 422),
    )
    async def arrange(
        self, request: Request, gate: Gate, db_session: Session, data: JSONBody[MeetingCreate]
    ) -> Response[MeetingView]:
        meeting = await service.arrange(db_session, request.user, data, gate)
        return await _meeting_answer(request, gate, db_session, meeting, 201)

    @get(
        "/",
        operation_id="ListMeetings",
        opt={"action": "meeting:read"},
        summary="Meetings your agency is invited to, or that you organise",
        responses=problem_responses(400),
    )
    async def list(
        self,
        request: Request,
        db_session: Session,
        meeting_type: Annotated[MeetingType | None, QueryParameter(required=False)] = None,
        area: Annotated[str | None, QueryParameter(required=False, max_length=100)] = None,
        after: Annotated[datetime | None, QueryParameter(required=False)] = None,
        before: Annotated[datetime | None, QueryParameter(required=False)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> MeetingPage:
        items, total = await service.list_meetings(
            db_session,
            request.user,
            meeting_type=meeting_type,
            area=area,
            after=after,
            before=before,
            limit=limit,
            offset=offset,
        )
        return MeetingPage(items=items, total=total)

    @get(
        "/{meeting_id:str}",
        operation_id="GetMeeting",
        opt={"action": "meeting:read"},
        summary="A meeting: when, where, who is invited, apologies, and what comes next",
        responses=READ,
    )
    async def read(
        self, request: Request, gate: Gate, db_session: Session, meeting_id: MeetingId
    ) -> Response[MeetingView]:
        meeting = await service.get_meeting(db_session, request.user, meeting_id)
        return await _meeting_answer(request, gate, db_session, meeting)

    @post(
        "/{meeting_id:str}/invitations",
        operation_id="InviteAgency",
        opt={"action": "meeting:arrange"},
        summary="Invite a further agency",
        status_code=200,
        responses=CHANGE,
    )
    async def invite(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        meeting_id: MeetingId,
        data: JSONBody[Invitation],
        if_match: IfMatch = None,
    ) -> Response[MeetingView]:
        meeting = await service.get_meeting(db_session, request.user, meeting_id)
        meeting = await service.invite(
            db_session, request.user, meeting, expected_version(if_match), data.agency_id, gate
        )
        return await _meeting_answer(request, gate, db_session, meeting)

    @post(
        "/{meeting_id:str}/attendees",
        operation_id="NameAttendee",
        opt={"action": "meeting:attend"},
        summary="Name a person to attend for their agency (agencies name their own)",
        status_code=200,
        responses=CHANGE,
    )
    async def name_attendee(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        meeting_id: MeetingId,
        data: JSONBody[AttendeeIn],
    ) -> Response[MeetingView]:
        meeting = await service.get_meeting(db_session, request.user, meeting_id)
        meeting = await service.name_attendee(db_session, request.user, meeting, data.user_id, gate)
        return await _meeting_answer(request, gate, db_session, meeting)

    @post(
        "/{meeting_id:str}/apologies",
        operation_id="SendApologies",
        opt={"action": "meeting:prepare"},
        summary="Your agency sends apologies (it can still send information for its cases)",
        status_code=200,
        responses=CHANGE,
    )
    async def apologies(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        meeting_id: MeetingId,
        data: JSONBody[Apologies],
    ) -> Response[MeetingView]:
        meeting = await service.get_meeting(db_session, request.user, meeting_id)
        meeting = await service.send_apologies(
            db_session, request.user, meeting, data.apologies, gate
        )
        return await _meeting_answer(request, gate, db_session, meeting)

    @post(
        "/{meeting_id:str}/held",
        operation_id="RecordMeetingHeld",
        opt={"action": "meeting:arrange"},
        summary="Record that the meeting took place (minutes can then be written)",
        status_code=200,
        responses=CHANGE,
    )
    async def held(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        meeting_id: MeetingId,
        if_match: IfMatch = None,
    ) -> Response[MeetingView]:
        meeting = await service.get_meeting(db_session, request.user, meeting_id)
        context = _context(request, gate, meeting)
        meeting = await service.hold(
            db_session, request.user, meeting, expected_version(if_match), gate
        )
        await agenda.record_heard(db_session, meeting, context)
        return await _meeting_answer(request, gate, db_session, meeting)

    @post(
        "/{meeting_id:str}/cancellation",
        operation_id="CancelMeeting",
        opt={"action": "meeting:arrange"},
        summary="Cancel a scheduled meeting, saying why",
        status_code=200,
        responses=CHANGE,
    )
    async def cancel(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        meeting_id: MeetingId,
        data: JSONBody[Cancellation],
        if_match: IfMatch = None,
    ) -> Response[MeetingView]:
        meeting = await service.get_meeting(db_session, request.user, meeting_id)
        meeting = await service.cancel(
            db_session, request.user, meeting, expected_version(if_match), data, gate
        )
        return await _meeting_answer(request, gate, db_session, meeting)

    # --- the confidentiality statement ------------------------------------------------

    @get(
        "/{meeting_id:str}/statement",
        operation_id="GetConfidentialityStatement",
        opt={"action": "meeting:read"},
        summary="The confidentiality statement for this meeting, with its SHA-256",
        responses=READ,
    )
    async def statement(
        self, request: Request, db_session: Session, meeting_id: MeetingId
    ) -> StatementView:
        meeting = await service.get_meeting(db_session, request.user, meeting_id)
        return await service.statement_for(db_session, request.user, meeting)

    @post(
        "/{meeting_id:str}/acknowledgement",
        operation_id="AcknowledgeStatement",
        opt={"action": "meeting:read"},
        summary="Acknowledge the statement (send the SHA-256 of the text you read)",
        status_code=200,
        responses=problem_responses(400, 403, 404, 422),
    )
    async def acknowledge(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        meeting_id: MeetingId,
        data: JSONBody[Acknowledging],
    ) -> StatementView:
        meeting = await service.get_meeting(db_session, request.user, meeting_id)
        await service.acknowledge(db_session, request.user, meeting, data, gate)
        return await service.statement_for(db_session, request.user, meeting)

    @get(
        "/{meeting_id:str}/acknowledgements",
        operation_id="ListAcknowledgements",
        opt={"action": "meeting:arrange"},
        summary="Who has acknowledged the statement, and which version (the organisers)",
        responses=READ,
    )
    async def acknowledgements(
        self, request: Request, db_session: Session, meeting_id: MeetingId
    ) -> list[AcknowledgementView]:
        meeting = await service.get_meeting(db_session, request.user, meeting_id)
        service.require_organiser(request.user, meeting)
        rows = await db_session.scalars(
            select(Acknowledgement)
            .where(Acknowledgement.meeting_id == meeting.id)
            .order_by(Acknowledgement.acknowledged_at)
        )
        return [
            AcknowledgementView(
                user_id=row.user_id,
                agency_id=row.agency_id,
                statement_version=row.statement_version,
                statement_sha256=row.statement_sha256,
                acknowledged_at=row.acknowledged_at,
            )
            for row in rows
        ]

    # --- agenda and preparation ---------------------------------------------------------

    @get(
        "/{meeting_id:str}/agenda",
        operation_id="GetAgenda",
        opt={"action": "meeting:read"},
        summary="The agenda, with the time each item gets (after acknowledging the statement)",
        responses=READ,
    )
    async def agenda(
        self, request: Request, db_session: Session, meeting_id: MeetingId
    ) -> Response[AgendaView]:
        meeting = await _acknowledged(request, db_session, meeting_id)
        view = await agenda.view_of(db_session, meeting)
        return Response(view, headers={"ETag": etag(view.version)})

    @post(
        "/{meeting_id:str}/agenda/build",
        operation_id="BuildAgenda",
        opt={"action": "meeting:arrange"},
        summary="Add the cases due and the actions outstanding from earlier meetings",
        status_code=200,
        responses=CHANGE,
    )
    async def build_agenda(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        meeting_id: MeetingId,
        if_match: IfMatch = None,
    ) -> Response[AgendaView]:
        meeting = await _acknowledged(request, db_session, meeting_id)
        meeting = await agenda.build(
            db_session, request.user, meeting, expected_version(if_match), gate
        )
        view = await agenda.view_of(db_session, meeting)
        return Response(view, headers={"ETag": etag(view.version)})

    @put(
        "/{meeting_id:str}/agenda",
        operation_id="ReorderAgenda",
        opt={"action": "meeting:arrange"},
        summary="Put the items in order, with the minutes each gets",
        responses=CHANGE,
    )
    async def reorder_agenda(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        meeting_id: MeetingId,
        data: JSONBody[AgendaOrder],
        if_match: IfMatch = None,
    ) -> Response[AgendaView]:
        meeting = await _acknowledged(request, db_session, meeting_id)
        meeting = await agenda.reorder(
            db_session, request.user, meeting, expected_version(if_match), data, gate
        )
        view = await agenda.view_of(db_session, meeting)
        return Response(view, headers={"ETag": etag(view.version)})

    @get(
        "/{meeting_id:str}/agenda/{item_id:str}",
        operation_id="GetMeetingCase",
        opt={"action": "meeting:read"},
        summary="One case with every agency's preparation, as the gate lets your agency see it",
        responses=READ,
    )
    async def case(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        meeting_id: MeetingId,
        item_id: ItemId,
    ) -> CaseView:
        meeting = await _acknowledged(request, db_session, meeting_id)
        item = await preparation.item_of(db_session, meeting, item_id)
        return await preparation.case_for(
            db_session,
            Viewer(request.user.agency_id, request.user.user_id),
            meeting,
            item,
            partners=await preparation.meeting_partners(
                db_session, meeting, request.user.agency_id, gate
            ),
            agency_names=await preparation.agency_names(db_session),
            context_kind="meeting_case",
            gate=gate,
        )

    @put(
        "/{meeting_id:str}/agenda/{item_id:str}/contribution",
        operation_id="PrepareCase",
        opt={"action": "meeting:prepare"},
        summary="Your agency's preparation for a case (If-Match to replace it)",
        responses=CHANGE,
    )
    async def contribute(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        meeting_id: MeetingId,
        item_id: ItemId,
        data: JSONBody[ContributionIn],
        if_match: IfMatch = None,
    ) -> Response[ContributionView]:
        meeting = await _acknowledged(request, db_session, meeting_id)
        item = await preparation.item_of(db_session, meeting, item_id)
        contribution = await preparation.contribute(
            db_session,
            request.user,
            meeting,
            item,
            data,
            _optional_version(if_match),
            gate,
        )
        mine = await preparation.own_contribution(
            db_session,
            Viewer(request.user.agency_id, request.user.user_id),
            meeting,
            contribution,
            agency_names=await preparation.agency_names(db_session),
            gate=gate,
        )
        return Response(mine, headers={"ETag": etag(mine.version)})

    @get(
        "/{meeting_id:str}/pack",
        operation_id="GetMeetingPack",
        opt={"action": "meeting:read"},
        summary="Your agency's meeting pack, redacted for it (JSON, HTML or PDF); never stored",
        responses=READ,
    )
    async def pack(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        meeting_id: MeetingId,
        format: Annotated[Literal["json", "html", "pdf"], QueryParameter(required=False)] = "json",
    ) -> Response[Pack | Rendered | bytes]:
        meeting = await _acknowledged(request, db_session, meeting_id)
        built = await packs.build_pack(db_session, request.user, meeting, gate)
        name = f"meeting-pack-{meeting.id}"
        if format == "html":
            return Response(
                packs.render_html(built),
                media_type=MediaType.HTML,
                headers={
                    "content-security-policy": packs.CONTENT_SECURITY_POLICY,
                    "Content-Disposition": f'inline; filename="{name}.html"',
                },
            )
        if format == "pdf":
            return Response(
                packs.render_pdf(built),
                media_type="application/pdf",
                headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
            )
        return Response(built)

    # --- minutes ----------------------------------------------------------------------------

    @get(
        "/{meeting_id:str}/minutes",
        operation_id="GetMinutes",
        opt={"action": "meeting:read"},
        summary="The minutes (approved; the organisers also see a draft), redacted for you",
        responses=READ,
    )
    async def read_minutes(
        self, request: Request, gate: Gate, db_session: Session, meeting_id: MeetingId
    ) -> Response[MinutesView]:
        # Also for an agency the minutes were shared with onward.
        meeting = await minutes.meeting_of_minutes(db_session, request.user, meeting_id)
        revision = await minutes.readable_revision(db_session, request.user, meeting, gate.rules)
        return await _minutes_answer(request, gate, db_session, meeting, revision)

    @put(
        "/{meeting_id:str}/minutes",
        operation_id="WriteMinutes",
        opt={"action": "meeting:minute"},
        summary="Write the draft minutes (If-Match once a draft exists)",
        responses=CHANGE,
    )
    async def write_minutes(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        meeting_id: MeetingId,
        data: JSONBody[MinutesIn],
        if_match: IfMatch = None,
    ) -> Response[MinutesView]:
        meeting = await service.get_meeting(db_session, request.user, meeting_id)
        draft = await minutes.write_draft(
            db_session, request.user, meeting, _optional_version(if_match), data, gate
        )
        return await _minutes_answer(request, gate, db_session, meeting, draft)

    @post(
        "/{meeting_id:str}/minutes/approval",
        operation_id="ApproveMinutes",
        opt={"action": "meeting:approve"},
        summary="The chair approves the draft: locked, actions created, hash in the ledger",
        status_code=200,
        responses=CHANGE,
    )
    async def approve_minutes(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        meeting_id: MeetingId,
        if_match: IfMatch = None,
    ) -> Response[MinutesView]:
        meeting = await service.get_meeting(db_session, request.user, meeting_id)
        approved = await minutes.approve(
            db_session, meeting, expected_version(if_match), _context(request, gate, meeting)
        )
        return await _minutes_answer(request, gate, db_session, meeting, approved)

    @post(
        "/{meeting_id:str}/minutes/amendment",
        operation_id="AmendMinutes",
        opt={"action": "meeting:minute"},
        summary="Start an amendment to approved minutes, saying why",
        status_code=201,
        responses=CHANGE,
    )
    async def amend_minutes(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        meeting_id: MeetingId,
        data: JSONBody[Amendment],
    ) -> Response[MinutesView]:
        meeting = await service.get_meeting(db_session, request.user, meeting_id)
        draft = await minutes.amend(db_session, request.user, meeting, data, gate)
        answer = await _minutes_answer(request, gate, db_session, meeting, draft)
        answer.status_code = 201
        return answer

    @post(
        "/{meeting_id:str}/minutes/onward-sharing",
        operation_id="ShareMinutesOnward",
        opt={"action": "meeting:share-minutes"},
        summary="Ask that an agency not present may have the minutes (granted at once "
        "where the chair agrees)",
        status_code=201,
        responses=CHANGE,
    )
    async def share_onward(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        meeting_id: MeetingId,
        data: JSONBody[OnwardSharingIn],
    ) -> OnwardSharingView:
        meeting = await service.get_meeting(db_session, request.user, meeting_id)
        sharing = await minutes.share_onward(db_session, request.user, meeting, data, gate)
        return await minutes.view_of_request(db_session, meeting, sharing, gate)

    @get(
        "/{meeting_id:str}/minutes/onward-sharing",
        operation_id="ListMinutesOnwardSharing",
        opt={"action": "meeting:share-minutes"},
        summary="Requests to share the minutes further, with each owning agency's answer",
        responses=READ,
    )
    async def onward_sharing(
        self, request: Request, gate: Gate, db_session: Session, meeting_id: MeetingId
    ) -> list[OnwardSharingView]:
        found = await minutes.sharing_meeting(db_session, request.user, meeting_id, gate)
        return await minutes.requests(db_session, found, gate)

    @post(
        "/{meeting_id:str}/minutes/onward-sharing/{agency_id:str}/agreement",
        operation_id="AgreeMinutesOnwardSharing",
        opt={"action": "meeting:share-minutes"},
        summary="Your agency agrees that the minutes may go to that agency, for its "
        "information in them",
        status_code=200,
        responses=CHANGE,
    )
    async def agree_onward_sharing(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        meeting_id: MeetingId,
        agency_id: RecipientId,
    ) -> OnwardSharingView:
        return await _answer(request, gate, db_session, meeting_id, agency_id, None)

    @post(
        "/{meeting_id:str}/minutes/onward-sharing/{agency_id:str}/refusal",
        operation_id="RefuseMinutesOnwardSharing",
        opt={"action": "meeting:share-minutes"},
        summary="Your agency refuses, saying why: the minutes do not go to that agency",
        status_code=200,
        responses=CHANGE,
    )
    async def refuse_onward_sharing(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        meeting_id: MeetingId,
        agency_id: RecipientId,
        data: JSONBody[OnwardSharingRefusal],
    ) -> OnwardSharingView:
        return await _answer(request, gate, db_session, meeting_id, agency_id, data)


class MeetingActionController(Controller):
    path = "/api/meeting-actions"
    tags = ["Meetings"]

    @get(
        "/",
        operation_id="ListMeetingActions",
        opt={"action": "meeting-action:read"},
        summary="Your agency's actions, or one meeting's; overdue=true for those past due",
        responses=problem_responses(400, 404),
    )
    async def list(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        meeting_id: Annotated[uuid.UUID | None, QueryParameter(required=False)] = None,
        overdue: Annotated[bool, QueryParameter(required=False)] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> ActionPage:
        meeting = (
            await service.get_meeting(db_session, request.user, meeting_id)
            if meeting_id is not None
            else None
        )
        items, total = await actions.list_actions(
            db_session,
            request.user,
            meeting=meeting,
            overdue_only=overdue,
            gate=gate,
            limit=limit,
            offset=offset,
        )
        return ActionPage(items=items, total=total)

    @get(
        "/{action_id:str}",
        operation_id="GetMeetingAction",
        opt={"action": "meeting-action:read"},
        summary="An action, its wording built by the disclosure gate",
        responses=READ,
    )
    async def read(
        self, request: Request, gate: Gate, db_session: Session, action_id: ActionId
    ) -> Response[ActionView]:
        action, meeting = await actions.get_action(db_session, request.user, action_id)
        view = await actions.view_of(db_session, request.user, action, meeting, gate)
        return Response(view, headers={"ETag": etag(view.version)})

    @post(
        "/{action_id:str}/progress",
        operation_id="RecordActionProgress",
        opt={"action": "meeting-action:update"},
        summary="The owning agency records progress (or completion) with a note",
        status_code=200,
        responses=CHANGE,
    )
    async def progress(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        action_id: ActionId,
        data: JSONBody[ActionProgress],
        if_match: IfMatch = None,
    ) -> Response[ActionView]:
        action, meeting = await actions.get_action(db_session, request.user, action_id)
        action = await actions.progress(
            db_session,
            request.user,
            action,
            expected_version(if_match),
            data,
            gate,
        )
        view = await actions.view_of(db_session, request.user, action, meeting, gate)
        return Response(view, headers={"ETag": etag(view.version)})
