"""Helpers for tests of pages: read the page as a person would, fill its forms
as a browser would (the CSRF token included)."""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def soup(response: Any) -> BeautifulSoup:
    assert response.headers["content-type"].startswith("text/html"), response.text[:300]
    return BeautifulSoup(response.text, "html.parser")


def visible_text(page: BeautifulSoup) -> str:
    """What a person reads: no hidden inputs, scripts or attributes."""
    copy = BeautifulSoup(str(page), "html.parser")
    for hidden in copy.select("script, input[type=hidden], style"):
        hidden.decompose()
    return " ".join(copy.get_text(" ").split())


def assert_no_machinery(page: BeautifulSoup) -> None:
    """No UUIDs or codes on the page a person reads (links may carry references)."""
    text = visible_text(page)
    assert not UUID.search(text), UUID.search(text)
    for code in ("_", "null", "None"):
        words = [w for w in text.split() if code in w and not w.startswith(("http", "@"))]
        if code == "_":
            words = [w for w in words if re.fullmatch(r"[a-z]+(_[a-z]+)+", w.strip(".,;:()"))]
        assert not words, words


def form_fields(
    page: BeautifulSoup, form_index: int = 0, action: str | None = None
) -> dict[str, Any]:
    """The hidden fields of a form on the page (the CSRF token, the version)."""
    if action:
        form = page.select_one(f'form[action="{action}"]')
    else:
        form = page.select("main form")[form_index]
    return {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}


async def submit(client: Any, path: str, data: dict[str, Any], *, form_index: int = 0) -> Any:
    """GET the page, then POST its form with the given fields (as a browser does)."""
    page = soup(await client.get(path))
    fields = {**form_fields(page, form_index), **data}
    return await client.post(path, data=fields)


def error_summary(page: BeautifulSoup) -> list[str]:
    return [a.get_text(strip=True) for a in page.select(".govuk-error-summary a")]


def field_error(page: BeautifulSoup, field_id: str) -> str:
    message = page.select_one(f"#{field_id}-error")
    return message.get_text(" ", strip=True) if message else ""
