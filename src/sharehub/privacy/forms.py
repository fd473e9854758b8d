"""The person form, shared by every page that adds or finds a person.

Builds the API's own ``IdentityIn`` payload from a page's fields, so the rules
(lengths, UK formats, check digits) are the API's.
"""

from __future__ import annotations

from typing import Any

from sharehub.web.forms import Form

ADDRESS_LINES = 3


def identity_payload(form: Form, prefix: str = "identity") -> dict[str, Any]:
    payload: dict[str, Any] = {"name": form.text(f"{prefix}.name") or ""}
    born = form.date(f"{prefix}.date_of_birth", required=False)
    if born:
        payload["date_of_birth"] = born
    lines = [form.text(f"{prefix}.address.{i}") for i in range(ADDRESS_LINES)]
    payload["address"] = [line for line in lines if line]
    for name in ("postcode", "phone", "email", "nhs_number", "ni_number"):
        value = form.text(f"{prefix}.{name}")
        if value:
            payload[name] = value
    return payload


def search_payload(form: Form) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    for name in ("name", "nhs_number", "ni_number", "email", "phone", "postcode"):
        value = form.text(name)
        if value:
            payload[name] = value
    born = form.date("date_of_birth", required=False)
    if born:
        payload["date_of_birth"] = born
    return payload
