"""The gate by type: every string a route can answer with is either built by
the disclosure gate (``GatedText``) or declared not personal, with a reason;
a view holding gate-built fields refuses anything else; and only the gate
holds the seal that makes them."""

from __future__ import annotations

import enum
import re
import types
import typing
import uuid
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import pytest
from litestar import Litestar, Response

from sharehub.app import create_app
from sharehub.config import Settings
from sharehub.disclosure.gated import (
    GATED_TYPES,
    GatedText,
    LeakRefused,
    NotPersonal,
    View,
    gated_fields,
)
from sharehub.privacy.redaction import PersonView

SRC = Path(__file__).resolve().parents[1] / "src" / "sharehub"


@pytest.fixture(scope="module")
def routes() -> Litestar:
    return create_app(Settings(env="development", database_url="sqlite+aiosqlite:///:memory:"))


def _response_types(annotation: Any) -> list[Any]:
    options = (
        typing.get_args(annotation)
        if typing.get_origin(annotation) in (typing.Union, types.UnionType)
        else [annotation]
    )
    found = []
    for option in options:
        origin = typing.get_origin(option)
        if isinstance(origin, type) and issubclass(origin, Response):
            found += list(typing.get_args(option))
        elif isinstance(option, type) and issubclass(option, Response):
            continue  # a bare Response: a redirect or an empty answer
        else:
            found.append(option)
    return found


def plain_strings(annotation: Any, where: str, seen: set[type]) -> list[str]:
    """Every place in ``annotation`` where a plain, undeclared ``str`` can be."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        inner, *extras = typing.get_args(annotation)
        if inner is str and any(isinstance(e, NotPersonal) for e in extras):
            return []
        return plain_strings(inner, where, seen)
    if annotation is str:
        return [where]
    if annotation in GATED_TYPES or annotation in (bytes, type(None)) or origin is Literal:
        return []
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return []
    if origin in (typing.Union, types.UnionType, list, tuple, set, frozenset):
        return [
            place
            for arg in typing.get_args(annotation)
            if arg is not Ellipsis
            for place in plain_strings(arg, f"{where}[]", seen)
        ]
    if origin is dict:
        key, value = typing.get_args(annotation)
        return plain_strings(value, f"{where}{{}}", seen) + [
            p for p in plain_strings(key, f"{where}{{key}}", seen)
        ]
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        if annotation in seen:
            return []
        seen.add(annotation)
        hints = typing.get_type_hints(annotation, include_extras=True)
        return [
            place
            for name in annotation.__struct_fields__
            for place in plain_strings(hints[name], f"{annotation.__qualname__}.{name}", seen)
        ]
    return []


def response_structs(annotation: Any, seen: set[type]) -> None:
    for arg in typing.get_args(annotation):
        response_structs(arg, seen)
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        if annotation in seen:
            return
        seen.add(annotation)
        hints = typing.get_type_hints(annotation, include_extras=True)
        for name in annotation.__struct_fields__:
            response_structs(hints[name], seen)


def handlers(app: Litestar):
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            yield handler


def test_no_route_answers_with_a_string_nobody_declared(routes: Litestar) -> None:
    undeclared = set()
    seen: set[type] = set()
    for handler in handlers(routes):
        for answer in _response_types(handler.parsed_fn_signature.return_type.raw):
            for place in plain_strings(answer, handler.handler_name, seen):
                undeclared.add(place)
    assert sorted(undeclared) == [], (
        "each string a route returns is a GatedText (built by the gate) or declared "
        "NotPersonal with its reason (sharehub.disclosure.gated)"
    )


def test_every_response_struct_with_gated_fields_checks_them(routes: Litestar) -> None:
    seen: set[type] = set()
    for handler in handlers(routes):
        response_structs(handler.parsed_fn_signature.return_type.raw, seen)
    unchecked = [
        cls.__qualname__ for cls in seen if gated_fields(cls) and not issubclass(cls, View)
    ]
    assert unchecked == []
    # The walk found the views that carry people at all.
    assert PersonView in seen


def test_a_view_refuses_text_the_gate_did_not_build() -> None:
    with pytest.raises(LeakRefused):
        PersonView(
            subject_id=uuid.uuid4(), pseudonym="Victim A", role="victim", kind="person",
            name="Anyone At All",
        )  # fmt: skip
    with pytest.raises(LeakRefused):
        PersonView(
            subject_id=uuid.uuid4(), pseudonym="Victim A", role="victim", kind="person",
            address=["1 Any Street"],
        )  # fmt: skip
    with pytest.raises(LeakRefused):
        GatedText("typed by hand", object())


def test_a_gated_date_is_a_date() -> None:
    from sharehub.privacy.redaction import SubjectInView, person_view
    from sharehub.privacy.identity import IDENTITY_FIELDS, Identity

    view = person_view(
        SubjectInView(
            subject_id=uuid.uuid4(),
            role="victim",
            kind="person",
            identity=Identity(name="Test Person", date_of_birth=date(1990, 1, 2)),
            shown=frozenset(IDENTITY_FIELDS),
        ),
        "Victim A",
    )
    assert view.date_of_birth == date(1990, 1, 2)
    assert isinstance(view.name, GatedText)


def test_only_the_gate_holds_the_seal() -> None:
    users = sorted(
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if re.search(r"\b_SEAL\b", path.read_text())
    )
    assert users == ["disclosure/gated.py", "privacy/redaction.py"]
