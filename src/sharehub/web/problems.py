"""RFC 9457 problem details for every error the hub returns.

Bodies name the field and the reason and never echo submitted values (they may
be personal data) or a stack trace. Unexpected errors are logged with an
incident id that the body repeats, so support can find the log line.
"""

from __future__ import annotations

import logging
import re
import traceback
import uuid
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Redirect
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from sharehub.disclosure.gated import Code, Explanation, Reference
from sharehub.errors import (
    BadRequest,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    StaleVersion,
    Unprocessable,
    UpstreamUnavailable,
    VersionRequired,
)
from sharehub.web.headers import headers_for

log = logging.getLogger("sharehub.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:sharehub:problem:"


class FieldError(msgspec.Struct):
    field: Code
    reason: Explanation


class ProblemDetails(msgspec.Struct, omit_defaults=True):
    type: Reference
    title: Explanation
    status: int
    detail: Explanation | None = None
    errors: list[FieldError] | None = None
    incident: Reference | None = None


# status -> (problem slug, title) for errors that carry nothing more specific.
_BY_STATUS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Not signed in"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    412: ("stale-version", "Changed since you read it"),
    413: ("too-large", "Request too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("invalid-value", "A value breaks a rule"),
    428: ("version-required", "Version required"),
    429: ("too-many-requests", "Too many requests"),
    500: ("internal-error", "Internal error"),
    502: ("upstream-unavailable", "A service the hub depends on is unavailable"),
    503: ("unavailable", "Service unavailable"),
}

_DOMAIN_STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    StaleVersion: 412,
    VersionRequired: 428,
    BadRequest: 400,
    Unprocessable: 422,
    UpstreamUnavailable: 502,
}


def problem(
    status: int,
    detail: str | None = None,
    *,
    errors: list[FieldError] | None = None,
    slug: str | None = None,
    headers: dict[str, str] | None = None,
    incident: str | None = None,
    path: str = "",
) -> Response[ProblemDetails]:
    default_slug, title = _BY_STATUS.get(status, ("error", "Error"))
    body = ProblemDetails(
        type=TYPE_PREFIX + (slug or default_slug),
        title=title,
        status=status,
        detail=detail,
        errors=errors,
        incident=incident,
    )
    return Response(
        body,
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={**headers_for(path), **(headers or {})},
    )


_NAMED_FIELD = re.compile(r"field `([^`]+)`")
# msgspec quotes the value it refused ("Invalid enum value 'x'"): whatever was
# typed, which may be personal data, so the reason drops it.
_QUOTED_VALUE = re.compile(r"Invalid enum value .*", re.DOTALL)


def _field_errors(extra: Any) -> list[FieldError]:
    """Litestar's validation messages, reshaped to name each field by its path."""
    errors = []
    for item in extra if isinstance(extra, list) else []:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", "invalid value"))
        key = str(item.get("key") or "")
        if item.get("source") == "body" and key == "data":
            key = ""  # the body itself
        named = _NAMED_FIELD.search(message)
        if named and ("unknown field" in message or "missing required field" in message):
            key = f"{key}.{named.group(1)}" if key else named.group(1)
            message = "not a known field" if "unknown field" in message else "required"
        message = _QUOTED_VALUE.sub("not one of the allowed values", message)
        errors.append(FieldError(field=key or "body", reason=message))
    return errors


def on_validation_error(request: Request, exc: ValidationException) -> Response[Any]:
    if wants_page(request):
        return error_page(request, 400)
    errors = _field_errors(exc.extra)
    detail = "; ".join(f"{e.field}: {e.reason}" for e in errors) or "the request is not valid"
    return problem(400, detail, errors=errors or None, slug="validation", path=request.url.path)


def on_http_error(request: Request, exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status >= 500:
        return on_unexpected_error(request, exc)
    if wants_page(request):
        if status == 401:
            return Redirect("/", status_code=303)
        if status == 403 and exc.detail == CSRF_REFUSED:
            return error_page(request, 403, title=_FORM_EXPIRED[0], advice=_FORM_EXPIRED[1])
        return error_page(request, status)
    detail = (
        exc.detail if exc.detail and exc.detail != _BY_STATUS.get(status, ("", ""))[1] else None
    )
    headers = {k: v for k, v in (exc.headers or {}).items()}  # keep Allow, WWW-Authenticate...
    return problem(status, detail, headers=headers or None, path=request.url.path)


def on_domain_error(request: Request, exc: DomainError) -> Response[Any]:
    status = next((code for kind, code in _DOMAIN_STATUS.items() if isinstance(exc, kind)), 400)
    if wants_page(request):
        return error_page(request, status, exc.detail if status in (409, 422, 400) else None)
    if isinstance(exc, Unprocessable):
        errors = [FieldError(field=f, reason=r) for f, r in exc.errors]
    else:
        errors = [FieldError(field=exc.field, reason=exc.detail)] if exc.field else None
    return problem(status, exc.detail, errors=errors, path=request.url.path)


def on_unexpected_error(request: Request, exc: Exception) -> Response[Any]:
    incident = str(uuid.uuid4())
    # Where it happened, but not the exception's message: messages from
    # libraries can quote the data being processed, which may be personal.
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("unexpected error, incident %s: %s\n%s", incident, type(exc).__name__, frames)
    if wants_page(request):
        # People see a short incident number; the log has the whole id.
        return error_page(request, 500, incident=incident.split("-")[0].upper())
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "something went wrong on our side; quote the incident id if you report it",
        incident=incident,
        path=request.url.path,
    )


DOCUMENTATION_PAGES = {"/schema", "/schema/", "/schema/swagger"}


def wants_page(request: Request) -> bool:
    """A page route, or a browser asking for a path the hub does not have."""
    handler = request.scope.get("route_handler")
    path = request.url.path
    if path in DOCUMENTATION_PAGES:
        return True  # the API documentation is a page; its JSON document is not
    if handler is not None:
        return bool(handler.opt.get("page"))
    if path.startswith(("/api/", "/schema", "/dev-idp", "/static/")):
        return False
    return "text/html" in (request.headers.get("accept") or "")


# status -> (title, what to do): plain English for people, never a code.
_PAGE_ERRORS = {
    400: (
        "Something in the form could not be used",
        "Go back, check what you entered and try again.",
    ),
    403: (
        "You cannot do this",
        "Your roles in the hub do not include this. If you need it for your work, ask your "
        "agency administrator or your agency's information governance lead.",
    ),
    404: (
        "Page not found",
        "If you typed the web address, check it is correct. The record may also belong to "
        "another agency, or have been deleted under the retention schedule.",
    ),
    405: ("Page not found", "Go back and use the links and buttons on the page."),
    409: ("This cannot be done now", "Go back to the record to see where it stands."),
    412: (
        "Someone else changed this record",
        "Go back to the record, check what changed, and make your change again.",
    ),
    413: ("That is too large", "Go back and shorten what you entered."),
    422: (
        "Something in the form could not be used",
        "Go back, check what you entered and try again.",
    ),
    429: ("Too many requests", "Wait a minute and try again."),
    500: ("Sorry, there is a problem with the service", "Try again later."),
    502: (
        "A service the hub depends on is not answering",
        "Your agency's sign-in service may be down. Try again later.",
    ),
}


# What Litestar's CSRF middleware says when a form's token is missing or wrong:
# most often a form left open in another tab, or from before a sign-in.
CSRF_REFUSED = "CSRF token verification failed"
_FORM_EXPIRED = (
    "This form has expired",
    "Nothing was saved. Go back, reload the page, and fill in the form again.",
)


def error_page(
    request: Request,
    status: int,
    detail: str | None = None,
    *,
    incident: str | None = None,
    title: str | None = None,
    advice: str | None = None,
) -> Response[Any]:
    from litestar.response import Template

    default_title, default_advice = _PAGE_ERRORS.get(status, _PAGE_ERRORS[400])
    title, advice = title or default_title, advice or default_advice
    from sharehub.web.templating import _, current_language

    paragraphs = [_(advice)]
    if detail:
        paragraphs.insert(0, _(detail[:1].upper() + detail[1:].rstrip(".") + "."))
    return Template(
        template_name="errors/error.html",
        context={
            "page": {
                "nonce": request.scope.get("state", {}).get("csp_nonce", ""),
                "language": current_language(),
                "navigation": [{"text": _("Your work"), "href": "/"}],
            },
            "title": _(title),
            "paragraphs": paragraphs,
            "incident": incident,
        },
        status_code=status,
    )


EXCEPTION_HANDLERS = {
    ValidationException: on_validation_error,
    HTTPException: on_http_error,
    DomainError: on_domain_error,
    Exception: on_unexpected_error,
}

_DESCRIPTIONS = {
    400: "The request is not valid; `errors` names each bad field and why",
    404: "No such record",
    409: "Conflicts with the current state; `detail` says why",
    412: "The record changed since you read it (stale If-Match)",
    422: "A value breaks a rule (a postcode, a check digit); `errors` names each field",
    428: "If-Match is required to change a shared record",
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI declarations of the problems a route can return."""
    return {
        status: ResponseSpec(
            data_container=ProblemDetails,
            description=_DESCRIPTIONS.get(status, _BY_STATUS[status][1]),
            media_type=PROBLEM_MEDIA_TYPE,
        )
        for status in statuses
    }
