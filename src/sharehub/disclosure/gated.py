"""What a response may carry, by type.

Text a person wrote and anything that identifies a person reach a response
only as a ``GatedText`` (or a ``GatedDate``), and only the disclosure gate
makes those: their constructors want the gate's seal. A response struct that
holds them derives from ``View``, which refuses, as it is built, a field
declared gated that holds anything else, so a domain that forgets the gate
cannot even build its answer. Every other string a response carries is
declared as one of the non-personal kinds below (a citation, an explanation
the hub wrote, a reference, a code, an agency's or a member of staff's name,
governance text about an agreement), and ``tests/test_gated_types.py`` walks
the response type of every route and fails on a plain ``str``.

Encoders: the JSON API encodes these through ``ENCODERS`` (Litestar's
``type_encoders``); anything else that encodes a view uses ``enc_hook``.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import msgspec

# The gate's seal: only ``disclosure/gate.py`` and the redactor it drives use
# it (``tests/test_gated_types.py`` checks that no other module does).
_SEAL = object()


class LeakRefused(TypeError):
    """A view was given personal text the gate did not build: a programming error."""


class GatedText(str):
    """Text the gate built for one viewer: redacted, or shown as written because
    the viewer may see it."""

    __slots__ = ()

    def __new__(cls, value: str, seal: object) -> GatedText:
        if seal is not _SEAL:
            raise LeakRefused("only the disclosure gate makes a GatedText")
        return super().__new__(cls, value)


class GatedDate(date):
    """A date that identifies a person (a date of birth), shown by the gate."""

    __slots__ = ()

    def __new__(cls, value: date, seal: object) -> GatedDate:
        if seal is not _SEAL:
            raise LeakRefused("only the disclosure gate makes a GatedDate")
        return super().__new__(cls, value.year, value.month, value.day)


GATED_TYPES = (GatedText, GatedDate)


def enc_hook(value: object) -> object:
    if isinstance(value, GatedText):
        return str.__str__(value)
    if isinstance(value, GatedDate):
        return date.isoformat(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


ENCODERS: dict[Any, Callable[[Any], Any]] = {GatedText: str.__str__, GatedDate: date.isoformat}


def to_builtins(value: object) -> Any:
    """``msgspec.to_builtins`` that knows the gated types."""
    return msgspec.to_builtins(value, enc_hook=enc_hook)


def encode_json(value: object) -> bytes:
    return msgspec.json.encode(value, enc_hook=enc_hook)


# --- strings that are not personal, each saying why ---------------------------------


class NotPersonal:
    """Marks a string field of a response as carrying no case subject's identity
    and no free text a person wrote about one, with the reason."""

    __slots__ = ("why",)

    def __init__(self, why: str) -> None:
        self.why = why

    def __repr__(self) -> str:
        return f"NotPersonal({self.why!r})"


def _plain(why: str) -> Any:
    return Annotated[str, NotPersonal(why)]


# Legal and policy citations, from the hub's data files.
Citation = _plain("a citation from the hub's rules")
# Sentences the hub writes itself: reasons, next steps, labels of its vocabulary.
Explanation = _plain("written by the hub from its rules")
# A code of the hub's vocabulary, or an identifier that is not a person's.
Code = _plain("a code of the hub's vocabulary")
Reference = _plain("a reference, digest or identifier of a record, not of a person")
# Partner agencies and their staff act in their professional capacity; the
# partnership knows who they are (a MARAC's attendee list names them).
AgencyName = _plain("the name of a partner agency")
StaffName = _plain("a member of staff acting for their agency")
# Text written about an agreement, a procedure or a meeting's arrangements,
# read by the agencies party to it; never about a case's people.
GovernanceText = _plain("governance text about an agreement or procedure")
# Settings of the hub itself (providers, URLs, scopes, areas).
Configuration = _plain("a setting of the hub")
# A whole document rendered from gated views (an HTML export, a printed receipt).
Rendered = _plain("a document rendered from views the gate built")


# --- the base of every response struct that carries gated values --------------------


def _shape(annotation: Any) -> tuple[str, tuple[type, ...], bool] | None:
    """How a field holds gated values: ("one" | "each" | "values", the gated
    types allowed, whether None is allowed), or None when it holds none."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _shape(typing.get_args(annotation)[0])
    if annotation in GATED_TYPES:
        return ("one", (annotation,), False)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(annotation)
        shapes = [sh for sh in map(_shape, options) if sh is not None]
        if not shapes:
            return None
        kinds = {sh[0] for sh in shapes}
        if len(kinds) != 1:
            raise TypeError(f"mixed gated shapes in {annotation!r}")
        allowed = tuple(t for sh in shapes for t in sh[1])
        return (shapes[0][0], allowed, type(None) in options or any(sh[2] for sh in shapes))
    if origin in (list, tuple, set, frozenset):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        inner = [sh for sh in map(_shape, args) if sh is not None]
        if not inner:
            return None
        return ("each", tuple(t for sh in inner for t in sh[1]), any(sh[2] for sh in inner))
    if origin is dict:
        inner_shape = _shape(typing.get_args(annotation)[1])
        if inner_shape is None:
            return None
        return ("values", inner_shape[1], inner_shape[2])
    return None


@functools.cache
def gated_fields(cls: type) -> tuple[tuple[str, str, tuple[type, ...], bool], ...]:
    """(field, shape, gated types, nullable) for each field of ``cls`` that holds
    values only the gate makes."""
    hints = typing.get_type_hints(cls, include_extras=True)
    found = []
    for name in cls.__struct_fields__:  # type: ignore[attr-defined]
        shape = _shape(hints[name])
        if shape is not None:
            found.append((name, *shape))
    return tuple(found)


def _fits(value: Any, shape: str, allowed: tuple[type, ...], nullable: bool) -> bool:
    if shape == "one":
        return isinstance(value, allowed) or (value is None and nullable)
    if value is None:
        return True  # an optional list or map left out
    items = value.values() if shape == "values" else value
    return all(isinstance(v, allowed) or (v is None and nullable) for v in items)


class View(msgspec.Struct, kw_only=True):
    """A response that carries personal data: built only from what the gate made."""

    def __post_init__(self) -> None:
        for name, shape, allowed, nullable in gated_fields(type(self)):
            value = getattr(self, name)
            if value is None and (nullable or shape != "one"):
                continue
            if not _fits(value, shape, allowed, nullable):
                raise LeakRefused(
                    f"{type(self).__name__}.{name} holds text the disclosure gate did not build"
                )
