"""Restricted identifiers: the ViSOR, PNC and nDelius references a MAPPA
referral holds. Plain functions over strings.

Each reference is checked for its format on the way in (a checker returns the
normalised value or raises ``ValueError`` with a reason naming the rule, never
the value). They are shown only to the staff of responsible authorities and to
MAPPA coordinators and chairs; for anyone else they are withheld, and removed
from free text by ``redact_references``: the disclosure gate's redactor knows
identity fields only, not these.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

# PNC ID: year of first recording (2 or 4 digits), a slash, a serial number of
# up to 7 digits and one check letter. The format only: the check letter's
# algorithm is not published, so it is not verified here.
_PNC_ID = re.compile(r"^(?:[0-9]{2}|[0-9]{4})/[0-9]{1,7}[A-Z]$")
# nDelius case reference number: one letter and six digits.
_CRN = re.compile(r"^[A-Z][0-9]{6}$")
# ViSOR references are force-issued and vary in form: letters and digits, at
# least one digit, of a length a reference has.
_VISOR_REF = re.compile(r"^(?=[A-Z]*[0-9])[A-Z0-9]{6,20}$")
_SPACES = re.compile(r"\s+")


def _compact(value: str) -> str:
    return _SPACES.sub("", value).upper()


def pnc_id(value: str) -> str:
    """``2019/0123456x`` → ``2019/0123456X``."""
    compact = _compact(value)
    if not _PNC_ID.match(compact):
        raise ValueError(
            "not a PNC ID (a 2- or 4-digit year, a slash, up to 7 digits and a check letter)"
        )
    return compact


def crn(value: str) -> str:
    compact = _compact(value)
    if not _CRN.match(compact):
        raise ValueError("not an nDelius case reference number (one letter and six digits)")
    return compact


def visor_ref(value: str) -> str:
    compact = _compact(value)
    if not _VISOR_REF.match(compact):
        raise ValueError("not a ViSOR reference (6 to 20 letters and digits, with a digit)")
    return compact


@dataclass(frozen=True)
class Reference:
    label: str
    check: Callable[[str], str]
    placeholder: str
    # How practitioners introduce it in prose ("PNC ID 19/123456X", "CRN: X123456").
    keyword: str
    # Its form, where it is distinctive enough to find without the keyword.
    pattern: str | None


REFERENCES: dict[str, Reference] = {
    "visor_ref": Reference(
        "ViSOR reference", visor_ref, "[ViSOR reference withheld]", r"ViSOR", None
    ),
    "pnc_id": Reference(
        "PNC ID",
        pnc_id,
        "[PNC ID withheld]",
        r"PNC",
        r"(?<![\w/])[0-9]{2}(?:[0-9]{2})?\s?/\s?[0-9]{1,7}[A-Za-z](?![\w/])",
    ),
    "crn": Reference(
        "nDelius CRN",
        crn,
        "[CRN withheld]",
        r"(?:n?Delius|CRN)",
        r"(?<![\w/])[A-Za-z][0-9]{6}(?![\w/])",
    ),
}

# A keyword, any of the words that follow one ("ID", "ref", "number"…), then a
# value with a digit in it: "PNC checks" is prose, "PNC 19/123456X" is not.
_LEAD = r"(?:\s+(?:(?:ID|ref(?:erence)?|number|CRN)\b|no\b\.?))*\s*[:#]?\s*"
_VALUE = r"(?=[A-Za-z/\-]*[0-9])[A-Za-z0-9][A-Za-z0-9/\-]{3,24}(?![A-Za-z0-9/])"
_BY_KEYWORD = {
    kind: re.compile(rf"(?<!\w)({ref.keyword}\b{_LEAD}){_VALUE}", re.IGNORECASE)
    for kind, ref in REFERENCES.items()
}
_BY_FORM = {
    kind: re.compile(ref.pattern) for kind, ref in REFERENCES.items() if ref.pattern is not None
}


def _literal(value: str) -> re.Pattern[str]:
    """A held value as written with any spacing and letter case."""
    body = r"\s?".join(re.escape(ch) for ch in _compact(value))
    return re.compile(rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])", re.IGNORECASE)


def redact_references(text: str | None, held: Mapping[str, str | None]) -> str | None:
    """``text`` without any ViSOR, PNC or nDelius reference: the values the
    record holds wherever they appear, any value introduced by its keyword, and
    anything in the form of a PNC ID or CRN (it may be someone else's)."""
    if text is None:
        return None
    for kind, value in held.items():
        if value:
            text = _literal(value).sub(REFERENCES[kind].placeholder, text)
    for kind, pattern in _BY_KEYWORD.items():
        placeholder = REFERENCES[kind].placeholder
        text = pattern.sub(lambda m, p=placeholder: m.group(1) + p, text)  # type: ignore[misc]
    for kind, pattern in _BY_FORM.items():
        text = pattern.sub(REFERENCES[kind].placeholder, text)
    return text


def shown_to(
    *, own_agency: bool, viewer_mappa_role: str, coordinates: bool, offender_identified: bool
) -> bool:
    """Whether a viewer sees the references: the referring agency's own staff
    always; otherwise staff of a responsible authority (s325(1)) and the MAPPA
    coordinators and chairs for the area, and only where the disclosure gate
    showed them who the offender is (a PNC ID identifies a person as surely as
    a name)."""
    if own_agency:
        return True
    entitled = viewer_mappa_role == "responsible_authority" or coordinates
    return entitled and offender_identified
