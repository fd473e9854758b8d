"""Where requests may come from.

- The JSON API's writes authenticated by the session cookie must be JSON and
  must not come from another site: a browser sends a cross-site form or a
  ``text/plain`` fetch with the person's cookie attached, and neither may
  change anything. Agency systems with bearer tokens are not browsers and are
  not affected. (Pages have CSRF tokens instead: see app.py.)
- Sign-in starts at the hub's public address: a person who opened the hub at
  ``localhost`` when it is published as ``127.0.0.1`` would otherwise come back
  from their provider to a host their session cookie was never set on.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.types import ASGIApp, Receive, Scope, Send

from sharehub.web.problems import problem

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# The JSON API's paths: under /api/, and the disclosure check at the address
# the partnership's specification names. Pages have CSRF tokens instead.
API_PATHS = ("/api/", "/disclosure-checks")
JSON_TYPES = ("application/json", "application/merge-patch+json")
# API writes that take a file (multipart/form-data) instead of JSON.
UPLOAD_PATHS = ("/attachments",)
SAME_SITE = {"same-origin", "none"}
# Paths a person lands on before signing in; moved to the public address.
SIGN_IN_PATHS = ("/", "/auth/login/")
# The names one machine answers to: a hub published on one of them is often
# opened on another. (Other host names are the proxy's business.)
LOOPBACK = {"localhost", "127.0.0.1", "[::1]"}


def _host_name(netloc: str) -> str:
    return netloc.rsplit(":", 1)[0] if not netloc.endswith("]") else netloc


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def cross_site_refusal(scope: Scope, public_origin: str) -> str | None:
    """Why a cookie-authenticated API write is refused, or None."""
    if scope["method"] not in UNSAFE or not scope["path"].startswith(API_PATHS):
        return None
    if _header(scope, b"authorization"):
        return None  # a bearer token: an agency system, not a browser
    if _header(scope, b"cookie") is None:
        return None  # not signed in: the guard answers 401
    fetch_site = _header(scope, b"sec-fetch-site")
    if fetch_site is not None and fetch_site.lower() not in SAME_SITE:
        return "a change cannot come from another site"
    origin = _header(scope, b"origin")
    if origin is not None and origin.lower() != "null" and _origin(origin) != public_origin:
        return "a change cannot come from another site"
    if origin is not None and origin.lower() == "null":
        return "a change cannot come from another site"
    content_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
    has_body = (_header(scope, b"content-length") or "0") != "0" or _header(
        scope, b"transfer-encoding"
    )
    if (
        has_body
        and content_type == "multipart/form-data"
        and scope["path"].endswith(UPLOAD_PATHS)
        and _header(scope, b"x-requested-by")
    ):
        # A file upload: a form on another site can send multipart, but not
        # a header of its own, so the header proves the page is ours.
        return None
    if has_body and content_type not in JSON_TYPES:
        if scope["path"].endswith(UPLOAD_PATHS):
            return (
                "send the file as multipart/form-data with an X-Requested-By header "
                "(a form on another site cannot add one)"
            )
        return "send JSON (Content-Type: application/json)"
    return None


def form_from_another_site(scope: Scope, public_url: str) -> bool:
    """Whether a page's form was sent from another site, by what the browser
    says of it (``Sec-Fetch-Site``, ``Origin``). Pages' forms carry CSRF tokens
    (app.py); a public form that records something checks this as well, since
    anyone may fetch its token."""
    fetch_site = _header(scope, b"sec-fetch-site")
    if fetch_site is not None:
        # The browser's own word, whatever name the hub was opened under.
        return fetch_site.lower() not in SAME_SITE
    origin = _header(scope, b"origin")
    if origin is None:
        return False
    return origin.lower() == "null" or (bool(public_url) and _origin(origin) != _origin(public_url))


def request_origin_checks(public_url: str) -> object:
    public_origin = _origin(public_url) if public_url else ""
    public_host = urlsplit(public_url).netloc.lower() if public_url else ""

    def middleware_factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or not public_origin:
                await app(scope, receive, send)
                return
            host = (_header(scope, b"host") or "").lower()
            path = scope["path"]
            on_sign_in_path = path == "/" or path.startswith(SIGN_IN_PATHS[1])
            other_loopback = (
                host != public_host
                and _host_name(host) in LOOPBACK
                and _host_name(public_host) in LOOPBACK
            )
            if scope["method"] == "GET" and other_loopback and on_sign_in_path:
                query = scope.get("query_string", b"").decode("latin-1")
                location = public_origin + path + (f"?{query}" if query else "")
                await send(
                    {
                        "type": "http.response.start",
                        "status": 307,
                        "headers": [
                            (b"location", location.encode("latin-1")),
                            (b"cache-control", b"no-store"),
                            (b"content-length", b"0"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return
            reason = cross_site_refusal(scope, public_origin)
            if reason is not None:
                response = problem(403, reason, slug="cross-site", path=path)
                await response.to_asgi_response(app=None, request=None)(scope, receive, send)  # type: ignore[arg-type]
                return
            await app(scope, receive, send)

        return middleware

    return middleware_factory
