"""Restricted references: the identifiers of offender management that identify
a person as surely as a name (a PNC ID, an nDelius case reference number, a
ViSOR reference, a prison number). Plain data and functions over strings.

They are recognised wherever they appear in free text, by their form where it
is distinctive (a PNC ID, a CRN, a prison number) and by the word that
introduces them ("ViSOR ref 0012AB34"), and withheld from any viewer not
entitled to them. Checkers for the values a record holds live with the
record (``referrals/mappa/references.py``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

# The references a record (or several records: minutes of two MAPPA cases)
# holds, by kind: one value, or several.
HeldReferences = Mapping[str, "str | Collection[str] | None"]


@dataclass(frozen=True)
class RestrictedReference:
    label: str
    placeholder: str
    # How practitioners introduce it in prose ("PNC ID 19/123456X", "CRN: X123456").
    keyword: str
    # Its form, where it is distinctive enough to find without the keyword.
    pattern: str | None
    citation: str


RESTRICTED: dict[str, RestrictedReference] = {
    "visor_ref": RestrictedReference(
        "ViSOR reference",
        "[ViSOR reference withheld]",
        r"ViSOR",
        None,
        "MAPPA Guidance (2024), ViSOR: the reference is shared only with ViSOR users",
    ),
    "pnc_id": RestrictedReference(
        "PNC ID",
        "[PNC ID withheld]",
        r"PNC",
        r"(?<![\w/])[0-9]{2}(?:[0-9]{2})?\s?/\s?[0-9]{1,7}[A-Za-z](?![\w/])",
        "Police National Computer: year of first recording, serial number, check letter",
    ),
    "crn": RestrictedReference(
        "nDelius CRN",
        "[CRN withheld]",
        r"(?:n?Delius|CRN)",
        r"(?<![\w/])[A-Za-z][0-9]{6}(?![\w/])",
        "Probation Service nDelius case reference number: one letter and six digits",
    ),
    "prison_number": RestrictedReference(
        "prison number",
        "[prison number withheld]",
        r"(?:prison(?:er)?|NOMS)(?:\s+number)?",
        r"(?<![\w/])[A-Za-z][0-9]{4}[A-Za-z]{2}(?![\w/])",
        "HM Prison and Probation Service prison (NOMS) number: a letter, four digits, two letters",
    ),
}

# A keyword, any of the words that follow one ("ID", "ref", "number"…), then a
# value with a digit in it: "PNC checks" is prose, "PNC 19/123456X" is not.
_LEAD = r"(?:\s+(?:(?:ID|ref(?:erence)?|number|CRN)\b|no\b\.?))*\s*[:#]?\s*"
_VALUE = r"(?=[A-Za-z/\-]*[0-9])[A-Za-z0-9][A-Za-z0-9/\-]{3,24}(?![A-Za-z0-9/])"
_BY_KEYWORD = {
    kind: re.compile(rf"(?<!\w){ref.keyword}\b{_LEAD}(?P<value>{_VALUE})", re.IGNORECASE)
    for kind, ref in RESTRICTED.items()
}
_BY_FORM = {
    kind: re.compile(ref.pattern) for kind, ref in RESTRICTED.items() if ref.pattern is not None
}
_SPACES = re.compile(r"\s+")


def _compact(value: str) -> str:
    return _SPACES.sub("", value).upper()


def spans_in(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, "reference:<kind>", compact value) for every restricted
    reference in ``text``."""
    found = []
    for kind, pattern in _BY_KEYWORD.items():
        for match in pattern.finditer(text):
            found.append(
                (match.start("value"), match.end("value"), f"reference:{kind}", "")
            )
    for kind, pattern in _BY_FORM.items():
        for match in pattern.finditer(text):
            found.append((match.start(), match.end(), f"reference:{kind}", _compact(match.group(0))))
    return found


def placeholder(kind: str) -> str:
    return RESTRICTED[kind.removeprefix("reference:")].placeholder


def held_values(held: HeldReferences | None) -> tuple[tuple[str, str], ...]:
    """(kind, value) for every reference held, each once, in a stable order."""
    pairs: set[tuple[str, str]] = set()
    for kind, values in (held or {}).items():
        for value in [values] if isinstance(values, str) else values or ():
            if value:
                pairs.add((kind, value))
    return tuple(sorted(pairs))


def held_terms(held: HeldReferences) -> list[tuple[re.Pattern[str], str]]:
    """The records' own references as written with any spacing and letter case
    (every value of every kind: each case's own, where a view has several)."""
    terms = []
    for kind, value in held_values(held):
        body = r"\s?".join(re.escape(ch) for ch in _compact(value))
        pattern = re.compile(rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])", re.IGNORECASE)
        terms.append((pattern, RESTRICTED[kind].placeholder))
    return terms


def held_spans(
    text: str, terms: list[tuple[re.Pattern[str], str]]
) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), repl) for pattern, repl in terms for m in pattern.finditer(text)]
