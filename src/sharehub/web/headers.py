"""Security headers on every response.

Responses may carry personal data, so nothing is cached by browsers or proxies.
Litestar runs middleware only for matched routes; problem responses (404 for an
unknown path among them) add the same headers through ``headers_for``.

Pages get a strict Content-Security-Policy: only the hub's own files, and a
fresh nonce per response for GOV.UK Frontend's one inline script. Never
``unsafe-inline`` for scripts.
"""

from __future__ import annotations

import secrets

from litestar.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = {
    "cache-control": "no-store",
    "pragma": "no-cache",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
# JSON and files: nothing may run.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI sets inline styles on the elements it draws; its scripts are files.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_DOCS_PREFIX = "/schema"


def page_csp(nonce: str) -> str:
    return (
        f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )


def headers_for(path: str, nonce: str | None = None, html: bool = False) -> dict[str, str]:
    if path.startswith(_DOCS_PREFIX):
        csp = DOCS_CSP
    elif html:
        csp = page_csp(nonce or secrets.token_urlsafe(16))
    else:
        csp = API_CSP
    return {**SECURITY_HEADERS, "content-security-policy": csp}


def security_headers(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                content_type = next(
                    (v for k, v in headers if k.lower() == b"content-type"), b""
                ).decode("latin-1")
                extra = headers_for(scope["path"], nonce, html=content_type.startswith("text/html"))
                headers += [
                    (k.encode(), v.encode()) for k, v in extra.items() if k.encode() not in present
                ]
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware
