"""The redactor: a view of subjects and free text for one viewer, given which
identity fields that viewer may see. Plain functions over plain data; the
disclosure gate (``disclosure/gate.py``) decides what may be seen and is the
only caller that builds views for another agency.

Free text is stored intact and redacted here, at view time. Two passes in one:
every known identifier of a subject whose identity is withheld (names, aliases
and each part of them, address lines, dates of birth, e-mail) in any letter
case and spacing, and patterns for UK telephone numbers, e-mail addresses,
postcodes, NHS and National Insurance numbers wherever they appear. A pattern
match that belongs to a subject the viewer may see is kept; one that belongs to
a withheld subject becomes that subject's pseudonym; any other becomes a
placeholder ("[phone number]"), since it may be someone's the hub does not know.
"""

from __future__ import annotations

import functools
import re
import string
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import msgspec

from sharehub.privacy import identifiers
from sharehub.privacy.identity import IDENTITY_FIELDS, Identity
from sharehub.protocols.engine import SubjectRole

# How pseudonyms read, per role: "Complainant A", "Alleged perpetrator B".
ROLE_LABELS: dict[SubjectRole, str] = {
    SubjectRole.COMPLAINANT: "Complainant",
    SubjectRole.VICTIM: "Victim",
    SubjectRole.WITNESS: "Witness",
    SubjectRole.CHILD: "Child",
    SubjectRole.HOUSEHOLD_MEMBER: "Household member",
    SubjectRole.APPLICANT: "Applicant",
    SubjectRole.REPRESENTATIVE: "Representative",
    SubjectRole.PERPETRATOR: "Alleged perpetrator",
    SubjectRole.OFFENDER: "Offender",
    SubjectRole.OTHER: "Subject",
}

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


class SubjectInView(msgspec.Struct, frozen=True, kw_only=True):
    """One subject as the gate hands it over: its identity and what may be shown."""

    subject_id: uuid.UUID
    role: SubjectRole
    kind: str
    identity: Identity
    shown: frozenset[str]


class PersonView(msgspec.Struct, kw_only=True):
    """A subject as one viewer sees them. Withheld fields are null and named in
    ``withheld``; the pseudonym stands in for the name wherever it is withheld."""

    subject_id: uuid.UUID
    pseudonym: str
    role: SubjectRole
    kind: str
    name: str | None = None
    aliases: list[str] | None = None
    date_of_birth: date | None = None
    address: list[str] | None = None
    postcode: str | None = None
    phone: str | None = None
    email: str | None = None
    nhs_number: str | None = None
    ni_number: str | None = None
    shown: list[str] = msgspec.field(default_factory=list)
    withheld: list[str] = msgspec.field(default_factory=list)


def _letters(n: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        out = string.ascii_uppercase[rest] + out
    return out


def pseudonyms(subjects: Sequence[tuple[uuid.UUID, SubjectRole]]) -> dict[uuid.UUID, str]:
    """Stable within a context: the order subjects were linked, lettered per role."""
    counts: dict[SubjectRole, int] = {}
    names: dict[uuid.UUID, str] = {}
    for subject_id, role in subjects:
        if subject_id in names:
            continue
        n = counts.get(role, 0)
        counts[role] = n + 1
        names[subject_id] = f"{ROLE_LABELS[role]} {_letters(n)}"
    return names


def person_view(subject: SubjectInView, pseudonym: str) -> PersonView:
    view = PersonView(
        subject_id=subject.subject_id, pseudonym=pseudonym, role=subject.role, kind=subject.kind
    )
    for name in IDENTITY_FIELDS:
        value = getattr(subject.identity, name)
        if value in (None, ()):
            continue
        if name in subject.shown:
            setattr(view, name, list(value) if isinstance(value, tuple) else value)
            view.shown.append(name)
        else:
            view.withheld.append(name)
    return view


# --- free text -----------------------------------------------------------------

_SEP = r"[\s().\-]{0,2}"
_PATTERNS = {
    # Before names: an address's local part often is a name.
    "email": r"[A-Za-z0-9._%+'\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+",
    "phone": (
        rf"(?<![\w+])(?:(?:\+\s?44|0044)(?:{_SEP}\d){{9,11}}|\(?0(?:{_SEP}\d){{9,10}})(?!\d)"
    ),
    "ni_number": (
        r"(?<![A-Za-z0-9])[A-Za-z]{2}(?:[\s\-]?\d{2}){3}(?:[\s\-]?[A-Da-d])?(?![A-Za-z0-9])"
    ),
    "nhs_number": r"(?<![\w])\d(?:[\s\-]?\d){9}(?![\w])",
    "postcode": r"(?<![A-Za-z0-9])[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}(?![A-Za-z0-9])",
}
_PLACEHOLDERS = {
    "email": "[e-mail address]",
    "phone": "[phone number]",
    "ni_number": "[NI number]",
    "nhs_number": "[NHS number]",
    "postcode": "[postcode]",
}
_OWNED = {
    "email": "e-mail of",
    "phone": "phone of",
    "ni_number": "NI number of",
    "nhs_number": "NHS number of",
    "postcode": "postcode of",
    "address": "address of",
    "date_of_birth": "date of birth of",
}


# How a pattern match is brought to the form identifiers are stored in.
_NORMALISE = {
    "email": str.casefold,
    "phone": identifiers.phone_digits,
    "ni_number": lambda text: re.sub(r"[\s\-]", "", text).upper(),
    "nhs_number": lambda text: re.sub(r"[\s\-]", "", text),
    "postcode": identifiers.postcode,
}


def _normalise(kind: str, text: str) -> str | None:
    try:
        return _NORMALISE[kind](text)
    except ValueError:
        return None


_GAP = re.compile(r"[\s,]+")


def _literal_key(text: str) -> str:
    return " ".join(_GAP.split(text.replace("’", "'").casefold())).strip()


def _dates(day: date) -> list[str]:
    month = _MONTHS[day.month - 1]
    return [
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        f"{day.day}/{day.month}/{day.year}",
        f"{day.day:02d}.{day.month:02d}.{day.year}",
        f"{day.day:02d}-{day.month:02d}-{day.year}",
        day.isoformat(),
        f"{day.day} {month} {day.year}",
        f"{day.day} {month[:3]} {day.year}",
    ]


def _name_parts(names: Iterable[str]) -> set[str]:
    parts = set()
    for name in names:
        for word in re.split(r"[\s\-]+", name):
            word = word.strip('.,()"')
            if len(word) >= 2:
                parts.add(word)
    return parts


@functools.lru_cache(maxsize=4096)
def _subject_terms(
    ident: Identity, shown: frozenset[str], who: str
) -> tuple[tuple[tuple[str, str], ...], dict[tuple[str, str], str], tuple[tuple[str, str], ...]]:
    """One subject's part of a redactor: (literal key, replacement) pairs for
    what is withheld, owned pattern values, and pattern values that are shown.
    Cached: a meeting pack meets the same subject for agency after agency."""
    terms: list[tuple[str, str]] = []

    def add(text: str, replacement: str) -> None:
        key = _literal_key(text)
        if key:
            terms.append((key, replacement))

    hidden = {f for f in IDENTITY_FIELDS if f not in shown}
    if "name" in hidden:
        add(ident.name, who)
        for part in _name_parts([ident.name]):
            add(part, who)
    if "aliases" in hidden:
        for alias in ident.aliases:
            add(alias, who)
        for part in _name_parts(ident.aliases):
            add(part, who)
    if "address" in hidden:
        for line in ident.address:
            add(line, f"[{_OWNED['address']} {who}]")
            street = re.sub(r"^\s*\d+[A-Za-z]?\s*,?\s*", "", line)
            if street != line and len(street) >= 4:
                add(street, f"[{_OWNED['address']} {who}]")
    if "date_of_birth" in hidden and ident.date_of_birth:
        for text in _dates(ident.date_of_birth):
            add(text, f"[{_OWNED['date_of_birth']} {who}]")
    owned: dict[tuple[str, str], str] = {}
    kept: list[tuple[str, str]] = []
    for kind in _PATTERNS:
        value = getattr(ident, kind)
        if not value:
            continue
        normal = _normalise(kind, value) or value
        if kind in hidden:
            owned[(kind, normal)] = f"[{_OWNED[kind]} {who}]"
        else:
            kept.append((kind, normal))
    return tuple(terms), owned, tuple(kept)


@functools.lru_cache(maxsize=4096)
def _literal_pattern(text: str) -> str:
    words = [re.escape(w).replace("'", "['’]") for w in _GAP.split(text.strip()) if w]
    return r"[\s,]+".join(words)


@dataclass
class Redactor:
    """Redacts free text for one view. Build once per view, apply to every text."""

    subjects: Sequence[SubjectInView]
    names: Mapping[uuid.UUID, str]
    _literals: dict[str, str] = field(default_factory=dict, init=False)
    _owned: dict[tuple[str, str], str] = field(default_factory=dict, init=False)
    _kept: set[tuple[str, str]] = field(default_factory=set, init=False)
    _regex: re.Pattern[str] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        literals: dict[str, set[str]] = {}  # key → replacements
        shown_values: dict[str, set[str]] = {}
        for subject in self.subjects:
            terms, owned, shown = _subject_terms(
                subject.identity, subject.shown, self.names[subject.subject_id]
            )
            for key, replacement in terms:
                literals.setdefault(key, set()).add(replacement)
            self._owned.update(owned)
            for kind, normal in shown:
                shown_values.setdefault(kind, set()).add(normal)
        for kind, values in shown_values.items():
            self._kept |= {(kind, v) for v in values if (kind, v) not in self._owned}
        # A word two withheld subjects share cannot be given to either.
        self._literals = {
            key: next(iter(r)) if len(r) == 1 else "[name withheld]" for key, r in literals.items()
        }
        alternatives = [
            f"(?P<{kind}>{pattern})" for kind, pattern in _PATTERNS.items() if kind == "email"
        ]
        if self._literals:
            ordered = sorted(self._literals, key=len, reverse=True)
            joined = "|".join(map(_literal_pattern, ordered))
            alternatives.append(rf"(?P<literal>(?<!\w)(?:{joined})(?!\w))")
        alternatives += [
            f"(?P<{kind}>{pattern})" for kind, pattern in _PATTERNS.items() if kind != "email"
        ]
        # Every identifier starts a word, so one look-behind up front spares
        # the engine trying each alternative in the middle of every word.
        self._regex = re.compile(rf"(?<![\w])(?:{'|'.join(alternatives)})", re.IGNORECASE)

    def _replace(self, match: re.Match[str]) -> str:
        text = match.group(0)
        if text.startswith("(") and ")" not in text:
            # An opening bracket taken for part of "(01632) 960123" belongs to the prose.
            return "(" + self._replacement(match.lastgroup or "", text[1:])
        return self._replacement(match.lastgroup or "", text)

    def _replacement(self, kind: str, text: str) -> str:
        if kind == "literal":
            return self._literals.get(_literal_key(text), "[withheld]")
        normal = _normalise(kind, text)
        if normal is None:
            return _PLACEHOLDERS[kind]
        if (kind, normal) in self._owned:
            return self._owned[(kind, normal)]
        if (kind, normal) in self._kept:
            return text
        if kind == "nhs_number" and identifiers.nhs_check_digit(normal[:9]) != int(normal[9]):
            # Ten digits that fail the check digit are a reference number of
            # some kind, not an NHS number: left as written.
            return text
        return _PLACEHOLDERS[kind]

    def text(self, text: str | None) -> str | None:
        if text is None or self._regex is None:
            return text
        return self._regex.sub(self._replace, text)
