"""The redactor: a view of subjects and free text for one viewer, given which
identity fields that viewer may see. Plain functions over plain data; the
disclosure gate (``disclosure/gate.py``) decides what may be seen and is the
only caller that builds views for another agency.

Free text is stored intact and redacted here, at view time, in two steps:

1. Once per text (and cached, since a text is read by agency after agency):
   its words, and every span that has the form of an identifier — UK
   telephone numbers, e-mail addresses, postcodes, NHS and National Insurance
   numbers, a date given as a date of birth, a house number and street, and
   the restricted references of offender management (PNC ID, nDelius CRN,
   ViSOR, prison number).
2. Once per view: every known identifier of a subject whose identity is
   withheld (names, aliases and each part of them, address lines, dates of
   birth, e-mail) is found among the words in any letter case and spacing and
   becomes the subject's pseudonym; a span of identifier form that belongs to
   a withheld subject becomes "[phone of Complainant A]", one that belongs to
   a subject the viewer may see is kept, and any other becomes a placeholder
   ("[phone number]"), since it may be someone the hub does not know.

Everything it returns is a ``GatedText``: the redactor works for the gate.
"""

from __future__ import annotations

import functools
import re
import string
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from threading import Lock

import msgspec

from sharehub.disclosure.gated import _SEAL, Code, GatedDate, GatedText, LeakRefused, View
from sharehub.privacy import identifiers, references
from sharehub.privacy.identifiers import address_line_key, words_key
from sharehub.privacy.identity import IDENTITY_FIELDS, Identity
from sharehub.privacy.models import Subject
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
# Someone the hub holds who is named in the text but not linked to the record.
UNLINKED_LABEL = "Person"

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


def seal_text(value: str | None) -> GatedText | None:
    """The gate's own: text it decided may be shown as it stands."""
    return None if value is None else GatedText(value, _SEAL)


def own_text(
    reader_agency_id: uuid.UUID, holder_agency_id: uuid.UUID, text: str | None
) -> GatedText | None:
    """Text shown as written to the agency that holds it (its own notes, its own
    consent evidence): nothing leaves the agency, so the gate seals it as it is.
    Asked for another agency's reader it refuses: that reading needs the gate's
    ``disclose``."""
    if reader_agency_id != holder_agency_id:
        raise LeakRefused("another agency's text goes through the gate's disclose()")
    return seal_text(text)


class SubjectInView(msgspec.Struct, frozen=True, kw_only=True):
    """One subject as the gate hands it over: its identity and what may be shown."""

    subject_id: uuid.UUID
    role: SubjectRole
    kind: str
    identity: Identity
    shown: frozenset[str]
    # Named in free text without being linked: found only to be protected, and
    # only its name parts in capitals count (a lower-case "may" is a word).
    unlinked: bool = False


class PersonView(View, kw_only=True):
    """A subject as one viewer sees them. Withheld fields are null and named in
    ``withheld``; the pseudonym stands in for the name wherever it is withheld."""

    subject_id: uuid.UUID
    pseudonym: Code
    role: SubjectRole
    kind: Code
    name: GatedText | None = None
    aliases: list[GatedText] | None = None
    date_of_birth: GatedDate | None = None
    address: list[GatedText] | None = None
    postcode: GatedText | None = None
    phone: GatedText | None = None
    email: GatedText | None = None
    nhs_number: GatedText | None = None
    ni_number: GatedText | None = None
    shown: list[Code] = msgspec.field(default_factory=list)
    withheld: list[Code] = msgspec.field(default_factory=list)


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


def unlinked_pseudonyms(count: int) -> list[str]:
    """ "Person A", "Person B": one per person named in the text without being linked."""
    return [f"{UNLINKED_LABEL} {_letters(n)}" for n in range(count)]


def _sealed(value: object) -> object:
    # The redactor is the gate's: it seals without asking itself for the seal.
    if isinstance(value, tuple):
        return [str.__new__(GatedText, v) for v in value]
    if isinstance(value, date):
        return GatedDate(value, _SEAL)
    return str.__new__(GatedText, value)  # type: ignore[call-overload]


def person_view(subject: SubjectInView, pseudonym: str) -> PersonView:
    identity = subject.identity
    fields: dict[str, object] = {}
    shown: list[str] = []
    withheld: list[str] = []
    for name in IDENTITY_FIELDS:
        value = getattr(identity, name)
        if value is None or value == ():
            continue
        if name in subject.shown:
            fields[name] = _sealed(value)
            shown.append(name)
        else:
            withheld.append(name)
    return PersonView(
        subject_id=subject.subject_id,
        pseudonym=pseudonym,
        role=subject.role,
        kind=subject.kind,
        shown=shown,
        withheld=withheld,
        **fields,  # type: ignore[arg-type]
    )


def holding_person(
    viewer_agency_id: uuid.UUID,
    subject: Subject,
    identity: Identity,
    role: SubjectRole,
) -> PersonView:
    """A subject as its holding agency sees it: everything, since nothing leaves."""
    if viewer_agency_id != subject.holding_agency_id:
        raise LeakRefused("another agency's subject goes through disclose()")
    shown = SubjectInView(
        subject_id=subject.id,
        role=role,
        kind=subject.kind,
        identity=identity,
        shown=frozenset(IDENTITY_FIELDS),
    )
    return person_view(shown, pseudonyms([(subject.id, role)])[subject.id])


def planned_person(
    subject_id: uuid.UUID, role: SubjectRole, kind: str, identity: Identity, shown: frozenset[str]
) -> PersonView:
    """What a plan would show (a consent-state preview): the plan is the gate's."""
    view = SubjectInView(
        subject_id=subject_id, role=role, kind=kind, identity=identity, shown=shown
    )
    return person_view(view, pseudonyms([(subject_id, role)])[subject_id])


# --- free text: what is in a text, once per text -------------------------------

_SEP = r"[\s().\-]{0,2}"
_PATTERNS = {
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
    "address": "[address]",
    "date_of_birth": "[date of birth]",
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
_NUMBERS = r"\d{1,2}(?:st|nd|rd|th)?"
_MONTH_NAMES = "|".join(m[:3] + f"(?:{m[3:]})?" for m in _MONTHS)
# A date written as someone's date of birth ("DOB 03/04/1988", "born 3 April 1988").
_DATE_OF_BIRTH = re.compile(
    r"(?:\bd\.?\s?o\.?\s?b\.?|\bdate\s+of\s+birth|\bborn(?:\s+on)?)\s*[:\-]?\s*"
    rf"(?P<date>\d{{1,2}}[/.\-]\d{{1,2}}[/.\-]\d{{2,4}}|{_NUMBERS}\s+(?:{_MONTH_NAMES})\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2})",
    re.IGNORECASE,
)
# Words that end a street name: "14 Larkspur Close", "Flat 2, 9 Mill Row".
STREET_WORDS = (
    "street st road rd avenue ave lane ln close cl drive dr way court ct crescent cres "
    "place pl row terrace ter gardens gdns grove hill walk square sq mews green park rise "
    "view vale parade yard wharf fold gate croft meadow meadows bank brow approach "
    "boulevard chase dene garth lea side wynd"
).split()
_ADDRESS = re.compile(
    r"(?<![\w/])(?:(?:flat|apartment|unit)\s+\d+[a-z]?,?\s+)?\d{1,4}[a-z]?,?\s+"
    r"(?:[A-Za-z'’\-]+\s+){0,3}(?:" + "|".join(STREET_WORDS) + r")\b\.?",
    re.IGNORECASE,
)

_WORD = identifiers.WORD
# What may come between the words of one name, address or date.
_GAP = re.compile(r"^[\s,.'’/\-]{1,4}$")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    normal: str


@dataclass(frozen=True)
class TextIndex:
    """What a text holds, independent of any viewer."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    keys: tuple[str, ...]
    capital: tuple[bool, ...]
    # Whether each word may continue a term begun by the word before it: the
    # gap between them is one a name, address or date is written with.
    joins: tuple[bool, ...]
    at: Mapping[str, tuple[int, ...]]
    spans: tuple[Span, ...]


def _normalise_pattern(kind: str, text: str) -> str | None:
    try:
        if kind == "email":
            return text.casefold()
        if kind == "phone":
            return identifiers.phone_digits(text)
        if kind in ("ni_number", "nhs_number"):
            return re.sub(r"[\s\-]", "", text).upper()
        if kind == "postcode":
            return identifiers.postcode(text)
    except ValueError:
        return None
    return text


def _valid_nhs(normal: str) -> bool:
    return identifiers.nhs_check_digit(normal[:9]) == int(normal[9])


def _date_of_birth(text: str) -> str | None:
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d", "%d/%m/%y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    found = re.match(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\s+(\d{4})", text)
    if found:
        day, month_name, year = found.groups()
        months = [m for m in _MONTHS if m.casefold().startswith(month_name.casefold()[:3])]
        if months:
            try:
                return date(int(year), _MONTHS.index(months[0]) + 1, int(day)).isoformat()
            except ValueError:
                return None
    return None


def _restricted_spans(text: str) -> list[Span]:
    return [Span(s, e, kind, normal) for s, e, kind, normal in references.spans_in(text)]


@functools.lru_cache(maxsize=4096)
def index_text(text: str) -> TextIndex:
    starts, ends, keys, capital = [], [], [], []
    at: dict[str, list[int]] = {}
    for i, match in enumerate(_WORD.finditer(text)):
        word = match.group(0)
        key = word.casefold()
        starts.append(match.start())
        ends.append(match.end())
        keys.append(key)
        capital.append(word[0].isupper())
        at.setdefault(key, []).append(i)
    joins = [False] + [
        _GAP.match(text[end:start]) is not None for end, start in zip(ends, starts[1:])
    ]
    spans: list[Span] = []
    for kind, pattern in _COMPILED.items():
        for match in pattern.finditer(text):
            normal = _normalise_pattern(kind, match.group(0))
            if kind == "nhs_number" and normal and not _valid_nhs(normal):
                # Ten digits that fail the check digit are a reference number of
                # some kind, not an NHS number: left as written.
                continue
            start = match.start()
            if kind == "phone" and match.group(0).startswith("(") and ")" not in match.group(0):
                start += 1  # an opening bracket taken for "(01632) 960123" is the prose's
            spans.append(Span(start, match.end(), kind, normal or ""))
    for match in _DATE_OF_BIRTH.finditer(text):
        normal = _date_of_birth(match.group("date"))
        spans.append(Span(match.start("date"), match.end("date"), "date_of_birth", normal or ""))
    for match in _ADDRESS.finditer(text):
        end = match.end()
        if text[end - 1] == ".":
            end -= 1
        spans.append(Span(match.start(), end, "address", words_key(text[match.start() : end])))
    spans += _restricted_spans(text)
    return TextIndex(
        text=text,
        starts=tuple(starts),
        ends=tuple(ends),
        keys=tuple(keys),
        capital=tuple(capital),
        joins=tuple(joins),
        at={k: tuple(v) for k, v in at.items()},
        spans=tuple(spans),
    )


_COMPILED = {kind: re.compile(rf"(?<![\w])(?:{p})", re.IGNORECASE) for kind, p in _PATTERNS.items()}


# --- free text: what one view withholds ----------------------------------------


def _dates(day: date) -> list[str]:
    month = _MONTHS[day.month - 1]
    suffix = "th" if 11 <= day.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10, "th")
    return [
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        f"{day.day}/{day.month}/{day.year}",
        day.isoformat(),
        f"{day.day} {month} {day.year}",
        f"{day.day}{suffix} {month} {day.year}",
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


# A term: the words to find (as keys), whether only a capitalised first word
# counts, and what it becomes.
Term = tuple[tuple[str, ...], bool, str]


@functools.lru_cache(maxsize=8192)
def _subject_terms(
    ident: Identity, shown: frozenset[str], who: str, unlinked: bool
) -> tuple[tuple[Term, ...], dict[tuple[str, str], str], tuple[tuple[str, str], ...]]:
    """One subject's part of a redactor: the terms withheld, owned values of
    identifier form, and values of identifier form that are shown. Cached: a
    meeting pack meets the same subject for agency after agency."""
    terms: list[Term] = []

    def add(text: str, replacement: str, capital_only: bool = False) -> None:
        key = tuple(words_key(text).split())
        if key:
            terms.append((key, capital_only, replacement))

    hidden = {f for f in IDENTITY_FIELDS if f not in shown}
    names: list[str] = []
    if "name" in hidden:
        names.append(ident.name)
    if "aliases" in hidden:
        names += ident.aliases
    for name in names:
        add(name, who)
    for part in _name_parts(names):
        add(part, who, capital_only=unlinked)
    address = f"[{_OWNED['address']} {who}]"
    owned: dict[tuple[str, str], str] = {}
    kept: list[tuple[str, str]] = []
    for line in ident.address:
        key = address_line_key(line)
        if "address" in hidden:
            add(line, address)
            street = re.sub(r"^\s*\d+[A-Za-z]?\s*,?\s*", "", line)
            if street != line and len(street) >= 4:
                add(street, address)
            if key:
                owned[("address", key)] = address
        elif key:
            kept.append(("address", key))
    if ident.date_of_birth:
        iso = ident.date_of_birth.isoformat()
        if "date_of_birth" in hidden:
            replacement = f"[{_OWNED['date_of_birth']} {who}]"
            for text in _dates(ident.date_of_birth):
                add(text, replacement)
            owned[("date_of_birth", iso)] = replacement
        else:
            kept.append(("date_of_birth", iso))
    for kind in ("email", "phone", "ni_number", "nhs_number", "postcode"):
        value = getattr(ident, kind)
        if not value:
            continue
        normal = _normalise_pattern(kind, value) or value
        if kind in hidden:
            owned[(kind, normal)] = f"[{_OWNED[kind]} {who}]"
        else:
            kept.append((kind, normal))
    return tuple(terms), owned, tuple(kept)


# Which of two spans starting together wins: an e-mail address (its local part
# is often a name), then a person's own words, then the other forms.
_PRIORITY = {"email": 0, "literal": 1}


Terms = dict[str, list[tuple[tuple[str, ...], bool, str]]]


# Someone named in a text without being linked, as the index found them: the
# words of their names and address lines, their identifiers of pattern form,
# and their pseudonym ("Person A"). Nothing of them was decrypted.
Unlinked = tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...], str]


def _unlinked_terms(
    found: Unlinked,
) -> tuple[list[Term], dict[tuple[str, str], str]]:
    names, addresses, values, who = found
    terms: list[Term] = []
    for name in names:
        words = tuple(name.split())
        terms.append((words, False, who))
        # Their forename or surname alone, where it is written as a name.
        terms += [((w,), True, who) for w in words if len(w) >= 2]
    terms += [(tuple(a.split()), False, f"[{_OWNED['address']} {who}]") for a in addresses]
    owned = {(kind, normal): f"[{_OWNED[kind]} {who}]" for kind, normal in values}
    for address in addresses:
        owned[("address", address)] = f"[{_OWNED['address']} {who}]"
    return terms, owned


@functools.lru_cache(maxsize=2048)
def _compile(
    people: tuple[tuple[Identity, frozenset[str], str, bool], ...],
    unlinked: tuple[Unlinked, ...] = (),
) -> tuple[Terms, dict[tuple[str, str], str], frozenset[tuple[str, str]]]:
    """The withheld terms (by first word, longest first), the owned values of
    identifier form and the shown ones, for one set of people as one viewer
    sees them. Cached: a record is read again and again."""
    owned: dict[tuple[str, str], str] = {}
    shown_values: set[tuple[str, str]] = set()
    chosen: dict[tuple[tuple[str, ...], bool], str] = {}
    parts = [_subject_terms(i, shown, who, u) for i, shown, who, u in people]
    parts += [(*_unlinked_terms(found), ()) for found in unlinked]
    for subject_terms, subject_owned, subject_shown in parts:
        for key, capital_only, replacement in subject_terms:
            earlier = chosen.setdefault((key, capital_only), replacement)
            if earlier != replacement:
                # A word two withheld subjects share cannot be given to either.
                chosen[(key, capital_only)] = "[name withheld]"
        owned.update(subject_owned)
        shown_values.update(subject_shown)
    terms: Terms = {}
    for (key, capital_only), replacement in chosen.items():
        terms.setdefault(key[0], []).append((key, capital_only, replacement))
    # Longest first within each first word; most first words begin one term.
    for options in terms.values():
        if len(options) > 1:
            options.sort(key=lambda term: len(term[0]), reverse=True)
    return terms, owned, frozenset(v for v in shown_values if v not in owned)


@functools.lru_cache(maxsize=512)
def _held_terms(held: tuple[tuple[str, str], ...]) -> list[tuple[re.Pattern[str], str]]:
    by_kind: dict[str, list[str]] = {}
    for kind, value in held:
        by_kind.setdefault(kind, []).append(value)
    return references.held_terms(by_kind)


class _Memo:
    """Redacted texts by (view, text): redaction is a pure function of both, and
    a record's texts are read by the same kind of viewer again and again."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[object, str], str] = OrderedDict()
        self.lock = Lock()

    def get(self, key: tuple[object, str]) -> str | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: tuple[object, str], value: str) -> None:
        with self.lock:
            self.entries[key] = value
            if len(self.entries) > self.size:
                self.entries.popitem(last=False)


_MEMO = _Memo()


class Redactor:
    """Redacts free text for one view. Build once per view, apply to every text.

    ``references_shown``: whether the viewer may see restricted references
    (PNC ID, nDelius CRN, ViSOR, prison number); ``held_references`` are the
    records' own (one value or several per kind: each case's, where a view
    holds several), found wherever they appear in any spacing; ``unlinked`` are
    people the hub holds who are named in the texts without being linked."""

    def __init__(
        self,
        subjects: Sequence[SubjectInView],
        names: Mapping[uuid.UUID, str],
        *,
        references_shown: bool = False,
        held_references: references.HeldReferences | None = None,
        unlinked: Sequence[Unlinked] = (),
    ) -> None:
        people = tuple((s.identity, s.shown, names[s.subject_id], s.unlinked) for s in subjects)
        found = tuple(unlinked)
        held = references.held_values(held_references)
        self._terms, self._owned, self._kept = _compile(people, found)
        self._references_shown = references_shown
        self._held_references = _held_terms(held)
        self._key = (people, found, references_shown, held)

    def _literal_spans(self, index: TextIndex) -> list[tuple[int, int, int, str]]:
        found = []
        starts, ends, keys, capital = index.starts, index.ends, index.keys, index.capital
        joins, literal = index.joins, _PRIORITY["literal"]
        for first, options in self._terms.items():
            for i in index.at.get(first, ()):
                for key, capital_only, replacement in options:
                    if capital_only and not capital[i]:
                        continue
                    end = i + len(key)
                    # The term's words in order, each joined to the one before.
                    if keys[i:end] == key and all(joins[i + 1 : end]):
                        found.append((starts[i], ends[end - 1], literal, replacement))
                        break
        return found

    def _pattern_replacement(self, span: Span, text: str) -> str | None:
        """What a span of identifier form becomes (None: kept as written)."""
        if span.kind.startswith("reference:"):
            return None if self._references_shown else references.placeholder(span.kind)
        if not span.normal:
            return _PLACEHOLDERS[span.kind]
        key = (span.kind, span.normal)
        if key in self._owned:
            return self._owned[key]
        if key in self._kept:
            return None
        return _PLACEHOLDERS[span.kind]

    def text(self, text: str | None) -> GatedText | None:
        if text is None:
            return None
        memo_key = (self._key, text)
        done = _MEMO.get(memo_key)
        if done is not None:
            return GatedText(done, _SEAL)
        redacted = self._redact(text)
        _MEMO.put(memo_key, redacted)
        return GatedText(redacted, _SEAL)

    def _redact(self, text: str) -> str:
        index = index_text(text)
        spans = self._literal_spans(index)
        replacement = self._pattern_replacement
        spans += [
            (s.start, s.end, _PRIORITY.get(s.kind, 2), replacement(s, text) or "\x00")
            for s in index.spans
        ]
        if self._held_references and not self._references_shown:
            held = references.held_spans(text, self._held_references)
            spans += [(start, end, 1, r) for start, end, r in held]
        if not spans:
            return text
        spans.sort(key=lambda s: (s[0], s[2], -s[1]))
        out: list[str] = []
        cursor = 0
        for start, end, _, replacement in spans:
            if start < cursor:
                continue
            out.append(text[cursor:start])
            out.append(text[start:end] if replacement == "\x00" else replacement)
            cursor = end
        out.append(text[cursor:])
        return "".join(out)
