"""Who the hub holds among the words of a text: found through the blind index,
so no table of names in clear is ever needed.

Once per text (cached, since a text is read by agency after agency) the
candidate spans are keyed as the index keys identity — runs of two to four
capitalised words as a name, a house number and the words after it as an
address line, and every span of identifier form (telephone, e-mail,
postcode, NHS and NI numbers, a date given as a date of birth) — and their
digests taken. One query then finds every subject any of them belongs to
(the record's own people's digests left out: their rows would be set aside).

The same spans serve the writer: names in a text that are not linked to the
record are offered for linking (``names_in``).
"""

from __future__ import annotations

import functools
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from threading import Lock

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.crypto import BlindIndex
from sharehub.privacy.forenames import is_forename
from sharehub.privacy.identity import Identity, index_digests
from sharehub.privacy.models import SubjectIndexEntry, SubjectIndexState
from sharehub.privacy.redaction import TextIndex, index_text

# The fields a span of identifier form is looked up in.
_PATTERN_FIELDS = ("phone", "email", "postcode", "nhs_number", "ni_number", "date_of_birth")
# What may join the words of one name ("Anne-Marie O'Neill").
_NAME_GAPS = frozenset({" ", "-", "'", "’", " - "})
_ADDRESS_LEADS = frozenset({"flat", "apartment", "unit"})


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    field: str
    key: str


def _name_spans(index: TextIndex) -> Iterable[tuple[int, int]]:
    """(first word, last word) of every run of two to four capitalised words."""
    n = len(index.keys)
    i = 0
    while i < n:
        if not index.capital[i] or index.keys[i].isdigit():
            i += 1
            continue
        j = i
        while (
            j + 1 < n
            and index.capital[j + 1]
            and index.text[index.ends[j] : index.starts[j + 1]] in _NAME_GAPS
        ):
            j += 1
        for a in range(i, j + 1):
            for b in range(a + 1, min(a + 4, j + 1)):
                yield a, b
        i = j + 1


def candidates(index: TextIndex) -> list[Candidate]:
    found: list[Candidate] = []
    keys = index.keys
    for a, b in _name_spans(index):
        found.append(
            Candidate(index.starts[a], index.ends[b], "name_words", " ".join(keys[a : b + 1]))
        )
    for i, key in enumerate(keys):
        if key[0].isdigit() or key in _ADDRESS_LEADS:
            for b in range(i + 1, min(i + 6, len(keys))):
                # A house number is followed by words ("4 Mill Row"); only a
                # flat's number is followed by another ("Flat 2, 9 Mill Row").
                if keys[b][0].isdigit() and not (key in _ADDRESS_LEADS and b <= i + 2):
                    break
                found.append(
                    Candidate(index.starts[i], index.ends[b], "address", " ".join(keys[i : b + 1]))
                )
    for span in index.spans:
        if span.kind in _PATTERN_FIELDS and span.normal:
            found.append(Candidate(span.start, span.end, span.kind, span.normal))
    return found


class _Digests:
    """Candidate digests per text, most recently used kept (a bounded cache)."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self.cache: OrderedDict[tuple[int, str], dict[str, Candidate]] = OrderedDict()
        self.lock = Lock()

    def of(self, blind_index: BlindIndex, text: str) -> dict[str, Candidate]:
        key = (id(blind_index), text)
        with self.lock:
            hit = self.cache.get(key)
            if hit is not None:
                self.cache.move_to_end(key)
                return hit
        digests = {blind_index.digest(c.field, c.key): c for c in candidates(index_text(text))}
        with self.lock:
            self.cache[key] = digests
            if len(self.cache) > self.size:
                self.cache.popitem(last=False)
        return digests


DIGESTS = _Digests()


@functools.lru_cache(maxsize=8192)
def _digests_of(blind_index: BlindIndex, identity: Identity) -> frozenset[str]:
    return frozenset(d for _, d in index_digests(identity, blind_index))


@functools.lru_cache(maxsize=4096)
def _digests_of_all(blind_index: BlindIndex, identities: tuple[Identity, ...]) -> frozenset[str]:
    return frozenset().union(*(_digests_of(blind_index, i) for i in identities))


def _own_digests(blind_index: BlindIndex, identities: Sequence[Identity]) -> frozenset[str]:
    """Every digest of the record's own people: their names and identifiers in
    a text are theirs, not someone else's the hub holds."""
    return _digests_of_all(blind_index, tuple(identities))


# Which identity field a kind of candidate is.
FIELD_OF = {"name_words": "name", "address": "address"}


class FoundPerson(msgspec.Struct, frozen=True, kw_only=True):
    """Someone the hub holds who is named in a text without being linked: the
    records found (subject and holding agency; one person may be held by
    several agencies) and what of theirs the text holds, as the index keys it.
    Nothing of them is decrypted: the words found are what is withheld."""

    records: tuple[tuple[uuid.UUID, uuid.UUID], ...]
    names: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    values: tuple[tuple[str, str], ...] = ()

    @property
    def fields(self) -> list[str]:
        found = (["name"] if self.names else []) + (["address"] if self.addresses else [])
        return found + sorted({kind for kind, _ in self.values})


Row = tuple[str, uuid.UUID, uuid.UUID]  # digest, subject, holding agency


def wanted(
    blind_index: BlindIndex, texts: Sequence[str], own: frozenset[str] = frozenset()
) -> dict[str, Candidate]:
    """Every candidate digest of the texts (each text's own cached) but the
    record's own people's (``own``): index rows of theirs would only be set
    aside, and a phone number shared by a household or a hostel is many rows."""
    found: dict[str, Candidate] = {}
    for text in texts:
        found.update(DIGESTS.of(blind_index, text))
    for digest in own.intersection(found):
        del found[digest]
    return found


# What a view's texts are looked up by: the texts, and the digests of the
# record's own people, which are left out of the lookup.
FoundKey = tuple[tuple[str, ...], frozenset[str]]


class Named:
    """What a view's texts were found to name at one generation of the index:
    the index rows matched (none of the record's own people's digests), and the
    people they make once the record's own subjects are set aside (kept per set
    of subjects: a record is read often)."""

    __slots__ = ("candidates", "generation", "people_for", "rows")

    def __init__(
        self, generation: int, rows: tuple[Row, ...], candidates: dict[str, Candidate]
    ) -> None:
        self.generation = generation
        self.rows = rows
        digests = dict.fromkeys(r[0] for r in rows)
        self.candidates = tuple(
            (d, candidates[d].field, candidates[d].key) for d in digests if d in candidates
        )
        self.people_for: dict[frozenset[uuid.UUID], tuple[FoundPerson, ...]] = {}

    def people(self, exclude_ids: frozenset[uuid.UUID]) -> tuple[FoundPerson, ...]:
        found = self.people_for.get(exclude_ids)
        if found is None:
            found = group(self.rows, self.candidates, exclude_ids)
            if len(self.people_for) < 64:
                self.people_for[exclude_ids] = found
        return found


class _Found:
    """``Named`` per lookup (``FoundKey``), most recently used kept; an entry
    holds only while nobody new has been indexed (its generation is current)."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self.entries: OrderedDict[FoundKey, Named] = OrderedDict()
        self.lock = Lock()

    def get(self, key: FoundKey, generation: int) -> Named | None:
        with self.lock:
            hit = self.entries.get(key)
            if hit is None or hit.generation != generation:
                return None
            self.entries.move_to_end(key)
            return hit

    def put(self, key: FoundKey, named: Named) -> Named:
        with self.lock:
            self.entries[key] = named
            if len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return named


FOUND = _Found()


def group(
    rows: tuple[Row, ...],
    candidates: tuple[tuple[str, str, str], ...],
    exclude_ids: frozenset[uuid.UUID],
) -> tuple[FoundPerson, ...]:
    """People found, one per group of records that share a digest found in the
    text (one person held by several agencies), in the order first named.
    ``candidates`` are (digest, kind, key) for the text's candidate spans; the
    rows hold none of the record's own people's digests. Plain."""
    parent: dict[uuid.UUID, uuid.UUID] = {}

    def root(x: uuid.UUID) -> uuid.UUID:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    by_digest: dict[str, uuid.UUID] = {}
    holders: dict[uuid.UUID, uuid.UUID] = {}
    matched: dict[uuid.UUID, set[str]] = {}
    for digest, subject_id, agency_id in rows:
        if subject_id in exclude_ids:
            continue
        holders.setdefault(subject_id, agency_id)
        matched.setdefault(subject_id, set()).add(digest)
        root(subject_id)
        if digest in by_digest:
            parent[root(subject_id)] = root(by_digest[digest])
        else:
            by_digest[digest] = subject_id
    members: dict[uuid.UUID, list[uuid.UUID]] = {}
    for subject_id in holders:
        members.setdefault(root(subject_id), []).append(subject_id)
    spans = {digest: (kind, key) for digest, kind, key in candidates}
    people = []
    for records in members.values():
        digests = set().union(*(matched[s] for s in records))
        found = [spans[d] for d in digests if d in spans]
        people.append(
            FoundPerson(
                records=tuple((s, holders[s]) for s in records),
                names=tuple(sorted({k for kind, k in found if kind == "name_words"})),
                addresses=tuple(sorted({k for kind, k in found if kind == "address"})),
                values=tuple(sorted((kind, k) for kind, k in found if kind not in FIELD_OF)),
            )
        )
    return tuple(people)


async def held_in(
    db: AsyncSession,
    blind_index: BlindIndex,
    texts: Iterable[str],
    *,
    linked: Sequence[tuple[uuid.UUID, Identity]] = (),
) -> list[FoundPerson]:
    """The people the hub holds whose identity appears in ``texts`` and who are
    not among ``linked`` (the record's own people, by id or by identity)."""
    found_in = tuple(t for t in texts if t)
    if not found_in:
        return []
    own = _own_digests(blind_index, [identity for _, identity in linked])
    key = (found_in, own)
    generation = await db.scalar(
        select(SubjectIndexState.generation).where(SubjectIndexState.id == 1)
    )
    # No state row (a database emptied by hand): nothing remembered is trusted.
    named = FOUND.get(key, generation) if generation is not None else None
    if named is None:
        candidates = wanted(blind_index, found_in, own)
        rows: tuple[Row, ...] = ()
        if candidates:
            rows = tuple(
                (digest, subject_id, agency_id)
                for digest, subject_id, agency_id in await db.execute(
                    select(
                        SubjectIndexEntry.digest,
                        SubjectIndexEntry.subject_id,
                        SubjectIndexEntry.holding_agency_id,
                    ).where(SubjectIndexEntry.digest.in_(list(candidates)))
                )
            )
        named = Named(generation if generation is not None else -1, rows, candidates)
        if generation is not None:
            FOUND.put(key, named)
    if not named.rows:
        return []
    return list(named.people(frozenset(subject_id for subject_id, _ in linked)))


# --- for the writer: names not linked ----------------------------------------


@dataclass(frozen=True)
class NameFound:
    text: str
    start: int
    end: int
    # Records of the writer's own agency with this name (to link); never another's.
    held: list[uuid.UUID]


async def names_in(
    db: AsyncSession,
    blind_index: BlindIndex,
    text: str,
    *,
    agency_id: uuid.UUID,
    linked: Sequence[tuple[uuid.UUID, Identity]] = (),
) -> list[NameFound]:
    """Names in ``text`` that are not linked to the record: the writer's agency's
    own records of each, to link, or none, to record a new person. A run of
    capitalised words counts as a name when the agency holds someone of that
    name or when it starts with a forename."""
    index = index_text(text)
    linked_digests = _own_digests(blind_index, [identity for _, identity in linked])
    spans: dict[tuple[int, int], str] = {}
    for a, b in _name_spans(index):
        key = " ".join(index.keys[a : b + 1])
        digest = blind_index.digest("name_words", key)
        if digest not in linked_digests:
            spans[(a, b)] = digest
    held: dict[str, list[uuid.UUID]] = {}
    if spans:
        rows = await db.execute(
            select(SubjectIndexEntry.digest, SubjectIndexEntry.subject_id).where(
                SubjectIndexEntry.holding_agency_id == agency_id,
                SubjectIndexEntry.field == "name_words",
                SubjectIndexEntry.digest.in_(list(set(spans.values()))),
            )
        )
        for digest, subject_id in rows:
            held.setdefault(digest, []).append(subject_id)
    linked_words = {w for _, identity in linked for w in identity.name.casefold().split()}
    found: list[NameFound] = []
    taken_until = -1
    # Longest name first at each place: "Jane Anne Smith", not "Jane Anne".
    for (a, b), digest in sorted(spans.items(), key=lambda item: (item[0][0], -item[0][1])):
        if a <= taken_until:
            continue
        words = index.keys[a : b + 1]
        if digest not in held:
            # Someone the agency does not hold: a forename and a surname (and a
            # middle name when it is a forename too), not of a linked person.
            if not is_forename(words[0]) or words[0] in linked_words:
                continue
            if len(words) > 3 or (len(words) == 3 and not is_forename(words[1])):
                continue
        found.append(
            NameFound(
                text=text[index.starts[a] : index.ends[b]],
                start=index.starts[a],
                end=index.ends[b],
                held=sorted(set(held.get(digest, [])), key=str),
            )
        )
        taken_until = b
    return found
