"""Pages for attachments, thin over attachments.py: attach a file to a report
or a case, change whether it may be shared or is kept as evidence, and
download it (the holder's staff, or a partner the rules let see it). Every
address uses the report's or case's reference and the attachment's number.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.params import PathParameter
from litestar.response import Redirect, Response, Template
from sqlalchemy import select

from sharehub.errors import DomainError, NotFound
from sharehub.referrals.asb import attachments
from sharehub.referrals.asb.attachment_controllers import file_response
from sharehub.referrals.asb.attachment_rules import attachment_rules
from sharehub.referrals.asb.attachment_schemas import AttachmentChange, AttachmentIn
from sharehub.referrals.asb.models import AsbCase, AsbReport
from sharehub.web.forms import Form, FormErrors, refused
from sharehub.web.labels import N_
from sharehub.web.pages import page_opt, render, see_other
from sharehub.web.params import Files, Gate, Session
from sharehub.web.templating import _
from sharehub.web.uploads import read_upload

READ = page_opt("asb-report:read")
UPDATE = page_opt("asb-report:update")
Reference = Annotated[str, PathParameter(max_length=20, description="e.g. CASE-2026-0007")]
Number = Annotated[int, PathParameter(ge=1, le=10_000)]

MESSAGES = {
    "kind": N_("Choose what the file is"),
    "recorded_on": N_("Enter the day the CCTV was recorded"),
    "description": N_("Describe the file in 1,000 characters or fewer"),
    "evidence_note": N_("Say in 1,000 characters or fewer why it is evidence"),
}


def owner_page(owner: attachments.Owner) -> str:
    prefix = "/asb-cases" if isinstance(owner, AsbCase) else "/asb-reports"
    return f"{prefix}/{owner.reference}"


def _kinds() -> list[tuple[str, str]]:
    return [(code, _(kind.words)) for code, kind in attachment_rules().kinds.items()]


async def _incidents(db: Session, owner: attachments.Owner) -> list[tuple[str, str]]:
    """The reports an attachment can be evidence of: the report, or the case's."""
    if isinstance(owner, AsbReport):
        return [(owner.reference, owner.reference)]
    rows = await db.scalars(
        select(AsbReport.reference).where(AsbReport.id.in_([r.report_id for r in owner.reports]))
    )
    return [(r, r) for r in sorted(rows)]


async def _attach_page(
    request: Request,
    db: Session,
    owner: attachments.Owner,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
) -> Template:
    rules = attachment_rules()
    limit = request.app.state.settings.attachment_max_bytes
    return await render(
        request,
        db,
        "asb/attach.html",
        title=_("Attach a file"),
        marking=True,
        owner_reference=owner.reference,
        kinds=_kinds(),
        incidents=await _incidents(db, owner),
        types=", ".join(_(t.words) for t in rules.types.values()),
        accept=",".join(f".{e}" for t in rules.types.values() for e in t.extensions),
        limit_mb=f"{limit / 1_048_576:g}",
        keep_days=rules.cctv.keep_days,
        cctv_citation=rules.cctv.retention_citation,
        disclosure_citation=rules.cctv.disclosure_citation,
        values=values or {},
        errors=errors,
        status_code=400 if errors else 200,
        back={
            "href": owner_page(owner),
            "text": _("Back to {reference}").format(reference=owner.reference),
        },
    )


@get("/asb-attachments/{reference:str}/new", opt=UPDATE, include_in_schema=False)
async def attach_form(request: Request, db_session: Session, reference: Reference) -> Template:
    owner = await attachments.owner_by_reference(db_session, request.user, reference)
    return await _attach_page(request, db_session, owner)


@post("/asb-attachments/{reference:str}/new", opt=UPDATE, include_in_schema=False)
async def attach(
    request: Request, db_session: Session, gate: Gate, files: Files, reference: Reference
) -> Template | Redirect:
    owner = await attachments.owner_by_reference(db_session, request.user, reference)
    upload, fields = await read_upload(request)
    form = Form({k: [v] for k, v in fields.items() if isinstance(v, str)})
    messages = {k: _(v) for k, v in MESSAGES.items()}
    if upload is None:
        # Said with the other fields' errors, not only once they are right.
        form.errors.add("file", _("Choose a file to attach"))
    try:
        payload: dict[str, Any] = {
            "kind": form.text("kind"),
            "description": form.text("description"),
            "shareable": form.text("shareable") == "yes",
            "recorded_on": form.date("recorded_on", required=False),
            "evidence_for": form.text("evidence_for"),
            "evidence_note": form.text("evidence_note"),
        }
        data = form.convert(AttachmentIn, payload, messages)
        await attachments.attach(
            db_session,
            request.user,
            owner,
            upload,
            data,
            gate,
            files,
            max_bytes=request.app.state.settings.attachment_max_bytes,
        )
    except (FormErrors, DomainError) as failed:
        errors = await refused(db_session, form, failed, messages)
        db_session.expunge_all()
        owner = await attachments.owner_by_reference(db_session, request.user, reference)
        return await _attach_page(request, db_session, owner, values=form.values, errors=errors)
    return see_other(f"{owner_page(owner)}?done=attached")


async def _found(
    db: Session, request: Request, reference: str, number: int
) -> tuple[attachments.Owner, Any]:
    found = await attachments.by_number(db, reference, number)
    if found is None:
        raise NotFound("attachment")
    return found


@get("/asb-attachments/{reference:str}/{number:int}", opt=READ, include_in_schema=False)
async def download(
    request: Request,
    db_session: Session,
    gate: Gate,
    files: Files,
    reference: Reference,
    number: Number,
) -> Response[bytes]:
    _owner, attachment = await _found(db_session, request, reference, number)
    file = await attachments.download(db_session, request.user, attachment, gate, files)
    return file_response(file)


async def _settings_page(
    request: Request,
    db: Session,
    gate: Gate,
    owner: attachments.Owner,
    attachment: Any,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
) -> Template:
    view = (await attachments.own_views_of(db, request.user, [attachment], gate))[0]
    rules = attachment_rules()
    return await render(
        request,
        db,
        "asb/attachment_settings.html",
        title=_("Sharing and evidence"),
        marking=True,
        owner_reference=owner.reference,
        attachment=view,
        incidents=await _incidents(db, owner),
        keep_days=rules.cctv.keep_days,
        values=values
        or {
            "shareable": ["yes" if view.shareable else "no"],
            "evidence_for": [view.evidence_for or ""],
            "evidence_note": [str(view.evidence_note or "")],
        },
        errors=errors,
        status_code=400 if errors else 200,
        back={
            "href": owner_page(owner),
            "text": _("Back to {reference}").format(reference=owner.reference),
        },
    )


async def _own(
    db: Session, request: Request, reference: str, number: int
) -> tuple[attachments.Owner, Any]:
    owner, attachment = await _found(db, request, reference, number)
    if attachment.agency_id != request.user.agency_id:
        raise NotFound("attachment")
    return owner, attachment


@get("/asb-attachments/{reference:str}/{number:int}/settings", opt=UPDATE, include_in_schema=False)
async def settings_form(
    request: Request, db_session: Session, gate: Gate, reference: Reference, number: Number
) -> Template:
    owner, attachment = await _own(db_session, request, reference, number)
    return await _settings_page(request, db_session, gate, owner, attachment)


@post("/asb-attachments/{reference:str}/{number:int}/settings", opt=UPDATE, include_in_schema=False)
async def change_settings(
    request: Request, db_session: Session, gate: Gate, reference: Reference, number: Number
) -> Template | Redirect:
    owner, attachment = await _own(db_session, request, reference, number)
    form = await Form.read(request)
    messages = {k: _(v) for k, v in MESSAGES.items()}
    try:
        data = form.convert(
            AttachmentChange,
            {
                "shareable": form.text("shareable") == "yes",
                "evidence_for": form.text("evidence_for"),
                "evidence_note": form.text("evidence_note"),
            },
            messages,
        )
        await attachments.change(
            db_session, request.user, attachment.id, form.version(), data, gate
        )
    except (FormErrors, DomainError) as failed:
        errors = await refused(db_session, form, failed, messages)
        db_session.expunge_all()
        owner, attachment = await _own(db_session, request, reference, number)
        return await _settings_page(
            request, db_session, gate, owner, attachment, values=form.values, errors=errors
        )
    return see_other(f"{owner_page(owner)}?done=attachment")


ROUTES = [attach_form, attach, download, settings_form, change_settings]
UPLOADS = [attach]
