"""Forms on pages, checked by the same rules as the API.

A page's form is read into the API's own request struct (``msgspec.convert``),
then handed to the same service: one source of truth for every rule. What the
struct or the service refuses comes back as ``FormErrors``: the GOV.UK error
summary and a message beside each field, in plain English, never repeating
what was typed.

Field names in a form are the API's JSON paths (``identity.name``); their HTML
ids replace dots and underscores with hyphens, so the summary links to them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import msgspec
from litestar import Request

from sharehub.errors import DomainError, Unprocessable
from sharehub.web.templating import _

T = TypeVar("T")

_AT_PATH = re.compile(r" - at `\$\.?([^`]*)`$")
_MISSING = re.compile(r"Object missing required field `([^`]+)`")
_INDEX = re.compile(r"\[(\d+)\]")


def field_id(name: str) -> str:
    return _INDEX.sub(r".\1", name).replace(".", "-").replace("_", "-")


@dataclass
class FormErrors(Exception):
    """Errors by field name, in the order the form asks for them."""

    by_field: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        # "address[0]" (a JSON path) and "address.0" (a form field) are one field.
        self.by_field.setdefault(_INDEX.sub(r".\1", name), message)

    def __bool__(self) -> bool:
        return bool(self.by_field)

    @property
    def summary(self) -> list[dict[str, str]]:
        return [{"text": m, "href": f"#{field_id(n)}"} for n, m in self.by_field.items()]

    def get(self, name: str) -> dict[str, str] | None:
        """For a GOV.UK macro's ``errorMessage``."""
        message = self.by_field.get(name)
        return {"text": message} if message else None


def _reason(raw: str) -> str:
    """A struct's or a service's reason as a sentence for a person."""
    text = raw.strip()
    if text.startswith("Expected `str` of length >= 1") or text == "required":
        return _("Enter this")
    if text.startswith("Expected `array` of length >= 1"):
        return _("Choose at least one")
    if text.startswith("Expected `array` of length <="):
        limit = text.split("length <=")[1].split()[0].strip("`")
        return _("Choose no more than {limit}").format(limit=limit)
    if "length <=" in text:
        limit = text.split("length <=")[1].split()[0].strip("`")
        return _("Must be {limit} characters or fewer").format(limit=limit)
    if "length >=" in text:
        limit = text.split("length >=")[1].split()[0].strip("`")
        return _("Must be at least {limit} characters").format(limit=limit)
    if text.startswith("Invalid enum value") or text.startswith("Expected `"):
        return _("Choose one of the options")
    return text[:1].upper() + text[1:]


def _parse(text: str) -> tuple[str, str]:
    """(field path, reason) from one of msgspec's messages."""
    missing = _MISSING.search(text)
    at = _AT_PATH.search(text)
    path = (at.group(1) if at else "").replace("$.", "")
    if missing:
        path = f"{path}.{missing.group(1)}" if path else missing.group(1)
        return path, "required"
    return path, _AT_PATH.sub("", text)


def _every_error(payload: Any, struct: Any, prefix: str = "") -> list[tuple[str, str]]:
    """msgspec stops at the first bad field; a person needs to hear of them all,
    so each field is checked against its own declared type and constraints."""
    if not (isinstance(struct, type) and issubclass(struct, msgspec.Struct)):
        return []
    if not isinstance(payload, dict):
        return []
    errors: list[tuple[str, str]] = []
    for field_info in msgspec.structs.fields(struct):
        key = field_info.encode_name
        name = f"{prefix}{key}"
        value = payload.get(key)
        if value is None:
            if field_info.required:
                errors.append((name, "required"))
            continue
        nested = _every_error(value, field_info.type, f"{name}.")
        if nested:
            errors += nested
            continue
        try:
            msgspec.convert(value, field_info.type, strict=False)
        except msgspec.ValidationError as invalid:
            path, reason = _parse(str(invalid))
            errors.append((f"{name}.{path}" if path else name, reason))
    return errors


def invalid_fields(
    payload: Any, struct: Any, invalid: msgspec.ValidationError
) -> list[tuple[str, str]]:
    """Every bad field of a payload msgspec refused, as (field, reason)."""
    return [(name or "form", reason) for name, reason in _every_error(payload, struct)] or [
        _parse(str(invalid))
    ]


class Form:
    """The submitted fields of one page's form (repeated names kept as lists)."""

    def __init__(self, values: Mapping[str, list[str]]) -> None:
        self.values = {k: [v.strip() for v in vs] for k, vs in values.items()}
        self.errors = FormErrors()

    @classmethod
    async def read(cls, request: Request) -> Form:
        data = await request.form()
        return cls({key: [str(v) for v in data.getall(key)] for key in data.keys()})

    def text(self, name: str) -> str | None:
        values = self.values.get(name) or [""]
        return values[0] or None

    def many(self, name: str) -> list[str]:
        return [v for v in self.values.get(name, []) if v]

    def version(self) -> int:
        """The version of the record the form was read from (``form_keys``)."""
        try:
            return int(self.text("version") or "")
        except ValueError:
            return -1  # refused by the service as a stale copy

    def date(self, name: str, *, required: bool = True, label: str = "") -> str | None:
        """A GOV.UK date input (``name-day``, ``name-month``, ``name-year``) as ISO text."""
        parts = [self.text(f"{name}-{p}") for p in ("day", "month", "year")]
        if not any(parts):
            if required:
                self.errors.add(name, _("Enter the date {label}").format(label=label).strip())
            return None
        try:
            day, month, year = (int(p or "") for p in parts)
            if year < 1000:
                raise ValueError
            return date(year, month, day).isoformat()
        except ValueError:
            self.errors.add(name, _("Enter a real date, for example 27 3 2026"))
            return None

    def convert(
        self, struct: type[T], payload: dict[str, Any], messages: Mapping[str, str] | None = None
    ) -> T:
        """The payload as the API's struct; raises ``FormErrors`` naming every bad field."""
        messages = messages or {}
        try:
            result = msgspec.convert(payload, struct, strict=False)
        except msgspec.ValidationError as invalid:
            found = _every_error(payload, struct) or [_parse(str(invalid))]
            for name, reason in found:
                self.errors.add(name or "form", messages.get(name) or _reason(reason))
            raise self.errors from None
        if self.errors:
            raise self.errors
        return result

    def refused(self, error: DomainError, messages: Mapping[str, str] | None = None) -> FormErrors:
        """A service's refusal, as errors on this form."""
        messages = messages or {}
        if isinstance(error, Unprocessable):
            for name, reason in error.errors:
                self.errors.add(name, messages.get(name) or _reason(reason))
        else:
            self.errors.add(
                error.field or "form", messages.get(error.field or "") or _reason(error.detail)
            )
        return self.errors


async def refused(
    db: Any, form: Form, failed: Exception, messages: Mapping[str, str] | None = None
) -> FormErrors:
    """What was refused, as this form's errors; and nothing of it written."""
    await db.rollback()
    if isinstance(failed, FormErrors):
        return failed
    assert isinstance(failed, DomainError)
    return form.refused(failed, messages)


def renamed(errors: FormErrors, names: Mapping[str, str], order: Sequence[str] = ()) -> FormErrors:
    """Errors named as the API names fields ("household[1].subject_id"), under
    the form's own field names ("household.3.reference"), the first message of
    each kept, in the order the form asks its questions (by the first part of
    the name; ``order``)."""

    def place(name: str) -> tuple[int, str]:
        head = name.split(".")[0]
        return (order.index(head) if head in order else len(order), name)

    out = FormErrors()
    pairs = [(names.get(name, name), message) for name, message in errors.by_field.items()]
    for name, message in sorted(pairs, key=lambda pair: place(pair[0])) if order else pairs:
        out.add(name, message)
    return out


def checked(form: Form, name: str) -> Callable[[str], bool]:
    chosen = set(form.many(name))
    return lambda value: value in chosen
