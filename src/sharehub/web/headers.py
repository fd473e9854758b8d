"""Security headers on every response.

Responses may carry personal data, so nothing is cached by browsers or proxies.
Litestar runs middleware only for matched routes; problem responses (404 for an
unknown path among them) add the same headers through ``headers_for``.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = {
    "cache-control": "no-store",
    "pragma": "no-cache",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
# The interactive API docs load their own scripts; everything else needs none.
API_CSP = {"content-security-policy": "default-src 'none'; frame-ancestors 'none'"}
_DOCS_PREFIX = "/schema"


def headers_for(path: str) -> dict[str, str]:
    return SECURITY_HEADERS if path.startswith(_DOCS_PREFIX) else {**SECURITY_HEADERS, **API_CSP}


def security_headers(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        extra = [(k.encode(), v.encode()) for k, v in headers_for(scope["path"]).items()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware
