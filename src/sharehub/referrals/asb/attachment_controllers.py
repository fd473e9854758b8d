"""HTTP routes for attachments (thin over attachments.py)."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import JSONBody, PathParameter

from sharehub.referrals.asb import attachments, cases, service
from sharehub.referrals.asb.attachment_schemas import AttachmentChange, AttachmentIn, AttachmentView
from sharehub.web.params import Files, Gate, IfMatch, Session
from sharehub.web.problems import problem_responses
from sharehub.web.uploads import convert_fields, read_upload
from sharehub.web.versions import etag, expected_version

Id = Annotated[uuid.UUID, PathParameter(description="The report's, case's or attachment's id")]
READ = {"action": "asb-report:read"}
UPDATE = {"action": "asb-report:update"}
UPLOAD = problem_responses(400, 404, 409, 413, 422)
UPLOAD_DESCRIPTION = (
    "multipart/form-data: the file as `file`, and the fields of AttachmentIn (kind, "
    "description, shareable, recorded_on, evidence_for, evidence_note). The file is "
    "recognised by its contents; image metadata is removed before it is kept. From a "
    "browser session, send an X-Requested-By header (any value): a form on another "
    "site cannot, so a cross-site upload is refused."
)


async def _attach(
    request: Request, gate: Gate, db: Session, files: Files, owner: attachments.Owner
) -> Response[AttachmentView]:
    upload, fields = await read_upload(request)
    data = convert_fields(AttachmentIn, fields)
    attachment = await attachments.attach(
        db,
        request.user,
        owner,
        upload,
        data,
        gate,
        files,
        max_bytes=request.app.state.settings.attachment_max_bytes,
    )
    return await _answer(request, gate, db, attachment, 201)


async def _answer(
    request: Request, gate: Gate, db: Session, attachment: object, status_code: int = 200
) -> Response[AttachmentView]:
    view = (await attachments.own_views_of(db, request.user, [attachment], gate))[0]  # type: ignore[list-item]
    return Response(view, status_code=status_code, headers={"ETag": etag(view.version)})


class AsbAttachmentController(Controller):
    path = "/api"
    tags = ["ASB attachments"]

    @post("/asb-reports/{owner_id:str}/attachments", operation_id="AttachToAsbReport", opt=UPDATE,
          summary="Attach a document or image to a report", description=UPLOAD_DESCRIPTION,
          responses=UPLOAD)  # fmt: skip
    async def attach_to_report(
        self, request: Request, gate: Gate, db_session: Session, files: Files, owner_id: Id
    ) -> Response[AttachmentView]:
        report = await service.get_report(db_session, request.user, owner_id)
        return await _attach(request, gate, db_session, files, report)

    @post("/asb-cases/{owner_id:str}/attachments", operation_id="AttachToAsbCase", opt=UPDATE,
          summary="Attach a document or image to a case", description=UPLOAD_DESCRIPTION,
          responses=UPLOAD)  # fmt: skip
    async def attach_to_case(
        self, request: Request, gate: Gate, db_session: Session, files: Files, owner_id: Id
    ) -> Response[AttachmentView]:
        case = await cases.get_case(db_session, request.user, owner_id)
        return await _attach(request, gate, db_session, files, case)

    @get("/asb-reports/{owner_id:str}/attachments", operation_id="ListAsbReportAttachments",
         opt=READ, summary="A report's attachments", responses=problem_responses(400, 404))  # fmt: skip
    async def of_report(
        self, request: Request, gate: Gate, db_session: Session, owner_id: Id
    ) -> list[AttachmentView]:
        report = await service.get_report(db_session, request.user, owner_id)
        return await attachments.own_views(db_session, request.user, report, gate)

    @get("/asb-cases/{owner_id:str}/attachments", operation_id="ListAsbCaseAttachments",
         opt=READ, summary="A case's own attachments (its reports' are on each report)",
         responses=problem_responses(400, 404))  # fmt: skip
    async def of_case(
        self, request: Request, gate: Gate, db_session: Session, owner_id: Id
    ) -> list[AttachmentView]:
        case = await cases.get_case(db_session, request.user, owner_id)
        return await attachments.own_views(db_session, request.user, case, gate)

    @get("/asb-attachments/{attachment_id:str}", operation_id="GetAsbAttachment", opt=READ,
         summary="An attachment: what it is, its fingerprint, sharing and retention",
         responses=problem_responses(400, 404))  # fmt: skip
    async def read(
        self, request: Request, gate: Gate, db_session: Session,
        attachment_id: Annotated[uuid.UUID, PathParameter()],
    ) -> Response[AttachmentView]:  # fmt: skip
        attachment = await attachments.get_attachment(db_session, request.user, attachment_id)
        return await _answer(request, gate, db_session, attachment)

    @get("/asb-attachments/{attachment_id:str}/content", operation_id="DownloadAsbAttachment",
         opt=READ, summary="The file itself (another agency's download is a recorded disclosure)",
         responses=problem_responses(400, 404, 409))  # fmt: skip
    async def content(
        self, request: Request, gate: Gate, db_session: Session, files: Files,
        attachment_id: Annotated[uuid.UUID, PathParameter()],
    ) -> Response[bytes]:  # fmt: skip
        attachment = await attachments.readable(db_session, request.user, attachment_id)
        file = await attachments.download(db_session, request.user, attachment, gate, files)
        return file_response(file)

    @patch("/asb-attachments/{attachment_id:str}", operation_id="ChangeAsbAttachment",
           opt=UPDATE, summary="Mark an attachment shareable, or as evidence of an incident",
           responses=problem_responses(400, 404, 409, 412, 422, 428))  # fmt: skip
    async def change(
        self, request: Request, gate: Gate, db_session: Session,
        attachment_id: Annotated[uuid.UUID, PathParameter()],
        data: JSONBody[AttachmentChange], if_match: IfMatch = None,
    ) -> Response[AttachmentView]:  # fmt: skip
        attachment = await attachments.change(
            db_session, request.user, attachment_id, expected_version(if_match), data, gate
        )
        return await _answer(request, gate, db_session, attachment)


def file_response(file: attachments.Download) -> Response[bytes]:
    """Always a download, never shown inline, never sniffed, never cached."""
    ascii_name = file.filename.encode("ascii", "replace").decode().replace("?", "_")
    return Response(
        file.data,
        media_type=file.content_type,
        headers={
            "Content-Disposition": (
                f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file.filename)}"
            ),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "no-store",
        },
    )
