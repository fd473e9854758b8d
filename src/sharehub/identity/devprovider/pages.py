"""The development provider's HTML pages. No outside assets; everything shown is escaped."""

from __future__ import annotations

import base64
import hashlib
from html import escape

from sharehub.identity.devprovider.schemas import DevUser

WARNING = "Development sign-in — not for real use"

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}"
    ".warning{background:#fff3cd;border:2px solid #b58105;padding:.75rem;font-weight:bold}"
    "ul{list-style:none;padding:0}li{margin:.5rem 0}"
    "button{font-size:1rem;padding:.4rem .8rem}small{color:#555}"
)
# The only thing the pages load is their own inline style, allowed by its hash.
# No form-action: browsers apply it to the redirect after the POST too, and that
# goes to the client's redirect_uri, wherever it is.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; "
    f"style-src 'sha256-{base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()}'; "
    "frame-ancestors 'none'; base-uri 'none'"
)

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{style}</style></head>
<body><main><p class="warning">{warning}</p><h1>{title}</h1>{body}</main></body></html>"""


def _page(title: str, body_html: str) -> str:
    return _PAGE.format(title=escape(title), style=_STYLE, warning=escape(WARNING), body=body_html)


def choose_user_page(
    action: str, client_id: str, params: list[tuple[str, str]], users: list[DevUser]
) -> str:
    """One form: the original request in hidden fields, one button per person."""
    hidden = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in params
    )
    buttons = "".join(
        f'<li><button type="submit" name="user" value="{escape(user.sub)}">'
        f"Sign in as {escape(user.name)}</button> <small>{escape(user.email)}"
        f"{_claims_text(user)}</small></li>"
        for user in users
    )
    body = (
        f"<p>The application <code>{escape(client_id)}</code> asks who you are. "
        "These are fictional staff: pick one.</p>"
        f'<form method="post" action="{escape(action)}">{hidden}<ul>{buttons}</ul>'
        '<p><button type="submit" name="user" value="">Cancel</button></p></form>'
    )
    return _page("Choose whom to sign in as", body)


def _claims_text(user: DevUser) -> str:
    """The extra claims, so a tester can tell the fictional staff apart."""
    shown = []
    for name, value in sorted(user.claims.items()):
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        shown.append(f"{name}: {text or '(none)'}")
    return escape(" · " + "; ".join(shown)) if shown else ""


def refused_page(title: str, error: str, description: str) -> str:
    body = (
        f"<p><code>{escape(error)}</code>: {escape(description)}</p>"
        "<p>The request was refused and nothing was sent back to the application.</p>"
    )
    return _page(title, body)


def signed_out_page() -> str:
    return _page("Signed out", "<p>You are signed out of the development provider.</p>")
