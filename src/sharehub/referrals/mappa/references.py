"""Restricted identifiers: the ViSOR, PNC and nDelius references a MAPPA
referral holds. Plain functions over strings.

Each reference is checked for its format on the way in (a checker returns the
normalised value or raises ``ValueError`` with a reason naming the rule, never
the value). They are shown only to the staff of responsible authorities and to
MAPPA coordinators and chairs (``shown_to``); for anyone else the disclosure
gate withholds them, in the referral's fields and wherever they appear in free
text: its redactor finds them by their forms and keywords, and the record's own
values in any spacing (``privacy/references.py`` holds the one table of
patterns and placeholders).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sharehub.privacy.references import RESTRICTED

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
    """A reference a MAPPA referral holds: its checker; its label and
    placeholder are the hub's one table's (``privacy/references.RESTRICTED``)."""

    kind: str
    check: Callable[[str], str]

    @property
    def label(self) -> str:
        return RESTRICTED[self.kind].label

    @property
    def placeholder(self) -> str:
        return RESTRICTED[self.kind].placeholder


REFERENCES: dict[str, Reference] = {
    "visor_ref": Reference("visor_ref", visor_ref),
    "pnc_id": Reference("pnc_id", pnc_id),
    "crn": Reference("crn", crn),
}


def shown_to(
    *, own_agency: bool, viewer_mappa_role: str, coordinates: bool, offender_identified: bool
) -> bool:
    """Whether a viewer sees the references: the referring agency's own staff
    always; otherwise staff of a responsible authority (section 325(1)) and the MAPPA
    coordinators and chairs for the area, and only where the disclosure gate
    showed them who the offender is (a PNC ID identifies a person as surely as
    a name)."""
    if own_agency:
        return True
    entitled = viewer_mappa_role == "responsible_authority" or coordinates
    return entitled and offender_identified
