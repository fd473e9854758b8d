"""The few HTML pages a person sees around sign-in. Everything shown is escaped."""

from __future__ import annotations

from html import escape

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} · sharehub</title></head>
<body><main><h1>{title}</h1>{body}</main></body></html>"""


def page(title: str, body_html: str) -> str:
    return _PAGE.format(title=escape(title), body=body_html)


def sign_in_page(providers: list[tuple[str, str, str]]) -> str:
    """providers: (agency name, provider name, login URL)."""
    if not providers:
        items = "<p>No agency has set up sign-in yet. Ask the hub administrator.</p>"
    else:
        links = "".join(
            f'<li><a href="{escape(url)}">{escape(agency)}: {escape(name)}</a></li>'
            for agency, name, url in providers
        )
        items = f"<p>Sign in through your agency:</p><ul>{links}</ul>"
    return page("Sign in to sharehub", items)


_LOGOUT_FORM = (
    '<form method="post" action="/auth/logout"><button type="submit">Sign out</button></form>'
)


def signed_in_page(name: str, agency: str, roles: list[str], ask: str | None) -> str:
    if ask:
        body = (
            f"<p>You are signed in as {escape(name)} of {escape(agency)}, "
            f"but you have no role in the hub yet.</p><p>{escape(ask)}</p>"
        )
    else:
        body = (
            f"<p>You are signed in as {escape(name)} of {escape(agency)}.</p>"
            f"<p>Your roles: {escape(', '.join(roles))}.</p>"
            '<p><a href="/me">Your details</a> · <a href="/schema">API</a></p>'
        )
    return page("sharehub", body + _LOGOUT_FORM)


def signed_out_page() -> str:
    return page("Signed out", '<p>You are signed out. <a href="/">Sign in again</a>.</p>')
