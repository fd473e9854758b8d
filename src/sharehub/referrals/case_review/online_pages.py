"""Public pages for applying online for an ASB case review, thin over
``online.py``: the areas that take applications online, each area's form
(one page, works without JavaScript), and the receipt.

- No sign-in (``PUBLIC_PAGE``). The form carries the CSRF token every page's
  form carries, and a form sent from another site is refused besides
  (``origin.form_from_another_site``): anyone may fetch the token.
- Limits per client address and per area (``online.count_application``,
  settings in config.py) answer 429 with a page and ``Retry-After``; the
  request body is bounded (``online_application_max_body_bytes``); a field no
  person fills in (hidden from people and from assistive technology) refuses
  a bot. None of these refusals writes anything.
- Success redirects (303) to the receipt, whose address carries only the
  area: the reference comes from a short-lived signed cookie, so a receipt
  cannot be fetched by guessing a reference, and it shows the reference and
  what happens next, nothing the applicant typed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import date
from typing import Annotated, Any

import msgspec
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.params import PathParameter
from litestar.response import Redirect, Response, Template

from sharehub.config import Settings
from sharehub.errors import DomainError, Unprocessable
from sharehub.referrals.case_review import online
from sharehub.referrals.case_review.online import MAX_REPORTS, NOT_SURE, OnlineApplicationIn
from sharehub.web.forms import Form, FormErrors, invalid_fields
from sharehub.web.labels import N_
from sharehub.web.origin import form_from_another_site
from sharehub.web.pages import PUBLIC_PAGE, render
from sharehub.web.params import Gate, Session
from sharehub.web.problems import error_page
from sharehub.web.templating import _

BASE = "/apply-for-a-case-review"
Area = Annotated[
    str, PathParameter(min_length=1, max_length=100, description="The area's name, hyphenated")
]
# The form's own limit until the settings give another (app.py sets it).
DEFAULT_BODY_LIMIT = 65_536
# A field people never see: a bot filling in every field fills this one too.
HONEYPOT = "website"
RECEIPT_SECONDS = 30 * 60
CONTACT = ("email", "phone", "address_line_1", "address_line_2", "town", "postcode")
VICTIM_TYPES = (
    ("individual", N_("A person")),
    ("business", N_("A business")),
    ("group", N_("A group, for example a residents' association")),
)

# --- messages, in the order the form asks ----------------------------------------------------

MESSAGES: dict[str, str] = {
    "applying_for": N_("Select whether you are the victim or applying for someone else"),
    "applicant_name": N_("Enter your full name"),
    "relationship": N_(
        "Enter your relationship to the person you are applying for, like daughter or ward "
        "councillor"
    ),
    "victim_type": N_("Select whether a person, a business or a group is affected"),
    "victim_name": N_("Enter the name of the person, business or group affected"),
    "contact.email": N_("Enter an email address or a phone number so that you can be contacted"),
    "contact.phone": N_("Enter a UK phone number, like 01632 960 001 or 07700 900 982"),
    "contact.address_line_1": N_("Address lines must be 200 characters or fewer"),
    "contact.address_line_2": N_("Address lines must be 200 characters or fewer"),
    "contact.town": N_("Town or city must be 200 characters or fewer"),
    "contact.postcode": N_("Enter a real postcode, like AA1 1AA"),
    "narrative": N_("Describe what has been happening, in 5,000 characters or fewer"),
    "consent": N_(
        "Confirm that you agree to the information being shared: without it the application "
        "cannot be considered"
    ),
    "victim_agreed": N_("Confirm that the person you are applying for has agreed"),
}
# A reason that deserves its own words on a field.
SPECIFIC: dict[tuple[str, str], str] = {
    ("narrative", "required"): N_("Describe what has been happening"),
    ("contact.email", online.INVALID): N_(
        "Enter an email address in the correct format, like name@example.com"
    ),
}
REPORT_MESSAGES = {
    "behaviour_on": N_("Report {n}: enter roughly when it happened, for example 27 3 2026"),
    "behaviour_on:future": N_("Report {n}: the date it happened must be today or in the past"),
    "reported_on": N_("Report {n}: enter when you reported it, for example 27 3 2026"),
    "reported_on:future": N_("Report {n}: the date you reported it must be today or in the past"),
    "reported_on:before": N_(
        "Report {n}: the date you reported it must be the same as or after the date it happened"
    ),
    "reported_to": N_("Report {n}: select who you reported it to, or I'm not sure"),
}


def _order() -> list[str]:
    head = ["applying_for", "applicant_name", "relationship", "victim_type", "victim_name"]
    head += [f"contact.{f}" for f in CONTACT] + ["narrative"]
    for row in range(MAX_REPORTS):
        head += [f"reports.{row}.{f}" for f in ("behaviour_on", "reported_on", "reported_to")]
    return [*head, "reports", "consent", "victim_agreed", "form"]


FIELD_ORDER = {name: i for i, name in enumerate(_order())}


def _report_message(field: str, reason: str) -> str:
    row, name = field.split(".", 2)[1:]
    key = name
    if reason == online.FUTURE:
        key = f"{name}:future"
    elif reason == online.BEFORE_BEHAVIOUR:
        key = f"{name}:before"
    return _(REPORT_MESSAGES.get(key, REPORT_MESSAGES["reported_to"])).format(n=int(row) + 1)


def _message(field: str, reason: str) -> str:
    """A refusal in plain English, never quoting what was typed."""
    if field.startswith("reports."):
        return _report_message(field, reason)
    if (field, reason) in SPECIFIC:
        return _(SPECIFIC[(field, reason)])
    if field in MESSAGES:
        return _(MESSAGES[field])
    return _("Check your answers and try again")


def _errors(found: list[tuple[str, str]]) -> FormErrors:
    errors = FormErrors()
    for name, reason in sorted(found, key=lambda pair: FIELD_ORDER.get(pair[0], len(FIELD_ORDER))):
        errors.add(name, reason)
    return errors


# --- reading the form ------------------------------------------------------------------------


def _date(form: Form, name: str, found: list[tuple[str, str]]) -> str | None:
    parts = [form.text(f"{name}-{p}") for p in ("day", "month", "year")]
    if not any(parts):
        found.append((name, online.REQUIRED))
        return None
    try:
        day, month, year = (int(p or "") for p in parts)
        if year < 1900:
            raise ValueError
        return date(year, month, day).isoformat()
    except ValueError:
        found.append((name, online.REQUIRED))
        return None


def _given(form: Form, row: int) -> bool:
    base = f"reports.{row}"
    return any(
        form.text(f"{base}.{what}-{part}")
        for what in ("behaviour_on", "reported_on")
        for part in ("day", "month", "year")
    ) or bool(form.text(f"{base}.reported_to") or form.text(f"{base}.hate_incident"))


def read(form: Form) -> tuple[dict[str, Any], list[tuple[str, str]], dict[int, int]]:
    """(the payload for ``OnlineApplicationIn``, what could not be read, and
    each report's row on the form by its place in the payload)."""
    found: list[tuple[str, str]] = []
    reports, rows = [], {}
    given = [row for row in range(MAX_REPORTS) if _given(form, row)] or [0]
    for row in given:
        base = f"reports.{row}"
        behaviour = _date(form, f"{base}.behaviour_on", found)
        reported = _date(form, f"{base}.reported_on", found)
        to = form.text(f"{base}.reported_to")
        if not to or len(to) > 16:
            found.append((f"{base}.reported_to", online.REQUIRED))
        if behaviour and reported and to and len(to) <= 16:
            rows[len(reports)] = row
            reports.append(
                {
                    "behaviour_on": behaviour,
                    "reported_on": reported,
                    "reported_to": to,
                    "hate_incident": form.text(f"{base}.hate_incident") == "yes",
                }
            )
    someone_else = form.text("applying_for") == "someone_else"
    payload = {
        "applying_for": form.text("applying_for"),
        "applicant_name": form.text("applicant_name") if someone_else else None,
        "relationship": form.text("relationship") if someone_else else None,
        "victim_type": form.text("victim_type"),
        "victim_name": form.text("victim_name"),
        "contact": {f: form.text(f"contact.{f}") for f in CONTACT},
        "narrative": form.text("narrative"),
        "reports": reports,
        "consent": form.text("consent") == "yes",
        "victim_agreed": form.text("victim_agreed") == "yes",
    }
    return payload, found, rows


def _on_form(name: str, rows: dict[int, int]) -> str:
    """A payload's field name as the form names it ("reports.1.x" may be row 3)."""
    if name.startswith("reports.") and name.count(".") >= 2:
        index, rest = name.split(".", 2)[1:]
        if index.isdigit():
            return f"reports.{rows.get(int(index), int(index))}.{rest}"
    return name


def _service_field(name: str) -> str:
    """A field the service names, as the form does."""
    name = name.replace("[", ".").replace("]", "")
    if name.startswith("identity."):
        return "contact." + name.removeprefix("identity.")
    if name.startswith("complaints."):
        index, rest = name.split(".", 2)[1:]
        return f"reports.{index}." + {
            "complained_on": "reported_on",
            "agency_id": "reported_to",
        }.get(rest, rest)
    return name if name in FIELD_ORDER else "form"


# --- the receipt -----------------------------------------------------------------------------


def _receipt_key(settings: Settings) -> bytes:
    hkdf = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"sharehub online receipt")
    return hkdf.derive(settings.secret_key.encode())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal_receipt(settings: Settings, receipt: dict[str, Any]) -> str:
    body = _b64(msgspec.json.encode(receipt))
    mac = _b64(hmac.new(_receipt_key(settings), body.encode(), hashlib.sha256).digest())
    return f"{body}.{mac}"


def open_receipt(settings: Settings, token: str | None, area_slug: str) -> dict[str, Any] | None:
    """The receipt a cookie carries, if it is ours, unexpired and for this area."""
    if not token or token.count(".") != 1 or len(token) > 1000:
        return None
    body, mac = token.split(".")
    expected = _b64(hmac.new(_receipt_key(settings), body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(mac, expected):
        return None
    try:
        receipt: dict[str, Any] = msgspec.json.decode(_unb64(body))
    except (msgspec.DecodeError, ValueError):
        return None
    if receipt.get("area") != area_slug or float(receipt.get("expires", 0)) < time.time():
        return None
    return receipt


def _receipt_cookie(settings: Settings) -> str:
    return "__Host-sharehub-receipt" if settings.cookies_secure else "sharehub_receipt"


# --- the pages -------------------------------------------------------------------------------


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def client_address(request: Request) -> str:
    """The address the request came from (the connection's peer: forwarded
    headers are trusted only from a proxy configured in front, see cli.py)."""
    return request.client.host if request.client else "unknown"


def _limits(settings: Settings) -> online.Limits:
    return online.Limits(
        per_address_per_hour=settings.online_applications_per_address_per_hour,
        per_address_per_day=settings.online_applications_per_address_per_day,
        per_area_per_day=settings.online_applications_per_area_per_day,
    )


async def _not_found(request: Request, db: Session) -> Template:
    return await render(
        request,
        db,
        "case_review/public/no_area.html",
        title=_("Page not found"),
        index=BASE,
        status_code=404,
    )


async def _closed(request: Request, db: Session, place: online.OnlineArea) -> Template:
    return await render(
        request,
        db,
        "case_review/public/closed.html",
        title=_("{area} does not take applications online").format(area=place.area),
        place=place,
        index=BASE,
    )


@get(BASE, opt=PUBLIC_PAGE, include_in_schema=False)
async def areas(request: Request, db_session: Session, gate: Gate) -> Template:
    found = [a for a in await online.online_areas(db_session, gate.rules) if a.open]
    return await render(
        request,
        db_session,
        "case_review/public/index.html",
        title=_("Apply for an anti-social behaviour case review"),
        areas=[{"text": a.area, "href": f"{BASE}/{a.slug}"} for a in found],
    )


def _choices(place: online.OnlineArea) -> list[tuple[str, str]]:
    return [(b.short_code, b.name) for b in place.bodies] + [(NOT_SURE, _("I'm not sure"))]


async def _form(
    request: Request,
    db: Session,
    place: online.OnlineArea,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
) -> Template:
    parameters = place.procedure.parameters
    return await render(
        request,
        db,
        "case_review/public/apply.html",
        title=_("Apply for an anti-social behaviour case review"),
        place=place,
        values=values or {},
        errors=errors,
        rows=list(range(MAX_REPORTS)),
        choices=_choices(place),
        victim_types=[(code, _(text)) for code, text in VICTIM_TYPES],
        statement=online.consent_statement(place),
        declaration=online.declaration(),
        threshold=parameters.qualifying_complaints,
        hate_threshold=parameters.hate_incident_complaints,
        within_months=parameters.application_within_months,
        report_within_months=parameters.complaint_within_months,
        narrative_max=online.NARRATIVE_MAX,
        honeypot=HONEYPOT,
        status_code=400 if errors else 200,
    )


@get(f"{BASE}/{{area:str}}", opt=PUBLIC_PAGE, include_in_schema=False)
async def apply_form(request: Request, db_session: Session, gate: Gate, area: Area) -> Template:
    place = await online.online_area(db_session, gate, area)
    if place is None:
        return await _not_found(request, db_session)
    if not place.open:
        return await _closed(request, db_session, place)
    return await _form(request, db_session, place)


async def _too_many(
    request: Request, db: Session, place: online.OnlineArea, refused: online.TooMany, gate: Gate
) -> Template:
    template = await render(
        request,
        db,
        "case_review/public/too_many.html",
        title=_("You cannot send another application yet"),
        place=place,
        refused=refused,
        status_code=429,
    )
    template.set_header("Retry-After", str(refused.retry_after(gate.now)))
    return template


@post(
    f"{BASE}/{{area:str}}",
    opt=PUBLIC_PAGE,
    include_in_schema=False,
    request_max_body_size=DEFAULT_BODY_LIMIT,
)
async def apply(
    request: Request, db_session: Session, gate: Gate, area: Area
) -> Template | Redirect | Response[Any]:
    settings = _settings(request)
    if form_from_another_site(request.scope, settings.public_url or ""):
        return error_page(
            request,
            403,
            title=N_("This form must be sent from this website"),
            advice=N_("Nothing was sent. Go back to the form on this website and send it again."),
        )
    place = await online.online_area(db_session, gate, area)
    if place is None:
        return await _not_found(request, db_session)
    if not place.open:
        return await _closed(request, db_session, place)
    form = await Form.read(request)
    if form.text(HONEYPOT):
        # Only a bot fills in a field nobody can see: nothing is read or written.
        return error_page(request, 400)
    refused = await online.count_application(
        db_session,
        address=client_address(request),
        area=place.area,
        gate=gate,
        limits=_limits(settings),
    )
    if refused is not None:
        await db_session.rollback()  # nothing of it counted
        return await _too_many(request, db_session, place, refused, gate)
    payload, found, rows = read(form)
    try:
        data = msgspec.convert(payload, OnlineApplicationIn, strict=False)
    except msgspec.ValidationError as invalid:
        data = None
        found += [
            (_on_form(name, rows), reason)
            for name, reason in invalid_fields(payload, OnlineApplicationIn, invalid)
            if not (name.startswith("reports") and any(f.startswith("reports.") for f, _ in found))
        ]
    found += [(_on_form(n, rows), r) for n, r in online.problems_in(payload, place, gate.today)]
    review = None
    if not found and data is not None:
        try:
            review = await online.apply_online(db_session, place, data, gate)
        except DomainError as failed:
            errors = failed.errors if isinstance(failed, Unprocessable) else [("form", "")]
            found = [(_on_form(_service_field(n), rows), r) for n, r in errors] or [("form", "")]
    if review is None:
        await db_session.rollback()  # nothing of it written, nor counted
        shown = _errors([(name, _message(name, reason)) for name, reason in found])
        return await _form(request, db_session, place, values=form.values, errors=shown)
    receipt = {
        "reference": review.reference,
        "area": place.slug,
        "days": review.procedure["acknowledge_working_days"],
        "due": review.acknowledge_due_on.isoformat(),
        "expires": int(time.time()) + RECEIPT_SECONDS,
    }
    return Redirect(
        f"{BASE}/{place.slug}/received",
        status_code=303,
        cookies=[
            Cookie(
                key=_receipt_cookie(settings),
                value=seal_receipt(settings, receipt),
                max_age=RECEIPT_SECONDS,
                path="/",
                httponly=True,
                secure=settings.cookies_secure,
                samesite="strict",
            )
        ],
    )


@get(f"{BASE}/{{area:str}}/received", opt=PUBLIC_PAGE, include_in_schema=False)
async def received(request: Request, db_session: Session, gate: Gate, area: Area) -> Template:
    place = await online.online_area(db_session, gate, area)
    if place is None:
        return await _not_found(request, db_session)
    settings = _settings(request)
    receipt = open_receipt(settings, request.cookies.get(_receipt_cookie(settings)), place.slug)
    if receipt is None:
        return await render(
            request,
            db_session,
            "case_review/public/no_receipt.html",
            title=_("There is no receipt to show"),
            place=place,
            minutes=RECEIPT_SECONDS // 60,
            status_code=404,
        )
    return await render(
        request,
        db_session,
        "case_review/public/received.html",
        title=_("Application sent"),
        place=place,
        reference=receipt["reference"],
        days=receipt["days"],
        due=date.fromisoformat(receipt["due"]),
    )


ROUTES = [areas, apply_form, apply, received]
# The form's body is bounded by the settings (app.py).
BODY_LIMITED = [apply]
