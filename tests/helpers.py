"""Assertions shared by the HTTP tests."""

from __future__ import annotations

from typing import Any

import httpx


def assert_problem(
    response: httpx.Response, status: int, field: str | None = None
) -> dict[str, Any]:
    """An RFC 9457 body with the given status, naming ``field`` if given."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:sharehub:problem:")
    assert body["title"]
    assert "Traceback" not in response.text
    if field is not None:
        named = [error["field"] for error in body.get("errors", [])]
        assert field in named, f"{field!r} not among {named}: {body}"
    return body


def gate_for(settings: Any, audit: Any, now: Any = None) -> Any:
    """The gate's context for a test that calls services directly, as a request
    would have it (the settings' keys, the shipped gateway rules, ``audit``)."""
    from sharehub.calendar import local_today
    from sharehub.crypto import BlindIndex, FieldCipher
    from sharehub.db.base import utcnow
    from sharehub.disclosure.context import GateContext
    from sharehub.protocols.gateways import default_rules

    moment = now or utcnow()
    return GateContext(
        FieldCipher(settings.field_keys),
        BlindIndex(settings.index_key),
        default_rules(),
        audit,
        moment,
        local_today(moment),
    )
