"""How fast does the gate redact a view for another agency, hub-wide?

A case with 5 linked subjects (two complainants and a witness withheld, an
alleged perpetrator and another subject shown) and 2 KB of free text naming
them in every form, and naming two more people the hub holds whom the record
does not link. The hub holds 100,000 people (``--people``): their blind-index
digests in a SQLite table indexed by digest, as ``subject_index`` is.

Each view: build the people, find who the hub holds among the text's
candidate names, addresses and identifiers (one indexed query, nothing
decrypted), redact, serialise. Printed, in one run, in views per second:

- baseline: the same view built and serialised with nothing withheld and the
  text untouched;
- record-only, first read: redaction for the record's linked people only (the
  gate before hub-wide redaction), its terms compiled and the text redacted
  afresh for each view;
- record-only, repeat reads: the same, read again: the compiled terms and
  the redacted text are remembered;
- hub-wide, first read: every view's search and redaction done afresh (the
  memory of who a text names, the redactor's compiled terms and its memo of
  finished texts cleared before each view; a text's own index and candidate
  digests, which depend on nothing but the text, stay cached, as they do for
  a stored text). Its ratio is to record-only, first read;
- hub-wide, repeat reads: the same view read again, as a record is: the index
  generation is read and matches, so only the people found are opened. Its
  ratio is to record-only, repeat reads;
- index lookup alone: the one query of a first read (the generation read and
  the text's candidate digests, but the linked people's, looked up), which
  no first read can beat; its time per view is printed too.

The modes take turns, a block of rounds each, so that a machine's speed
drifting during the run weighs on all of them alike.

Run: python bench/redaction.py [--rounds N] [--people N]
"""

from __future__ import annotations

import argparse
import functools
import random
import sqlite3
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import msgspec

from sharehub.crypto import BlindIndex
from sharehub.disclosure.gated import encode_json
from sharehub.privacy import recognition, redaction
from sharehub.privacy.identity import IDENTITY_FIELDS, Identity, index_digests
from sharehub.privacy.recognition import (
    FOUND,
    Candidate,
    FoundPerson,
    Named,
    Row,
    _own_digests,
    wanted,
)
from sharehub.privacy.redaction import (
    Redactor,
    SubjectInView,
    person_view,
    pseudonyms,
    unlinked_pseudonyms,
)
from sharehub.protocols.engine import SubjectRole
from support.people import FILLER, cased, fictional, written_forms

ROLES = [
    (SubjectRole.COMPLAINANT, frozenset()),
    (SubjectRole.COMPLAINANT, frozenset()),
    (SubjectRole.WITNESS, frozenset()),
    (SubjectRole.PERPETRATOR, frozenset(IDENTITY_FIELDS)),
    (SubjectRole.OTHER, frozenset(IDENTITY_FIELDS)),
]
INDEX = BlindIndex(b"b" * 32)


def hub(people: int) -> tuple[sqlite3.Connection, dict[int, Identity]]:
    """``people`` fictional people: digests in an indexed table, identities sealed."""
    db = sqlite3.connect(":memory:")
    db.execute("create table subject_index (subject integer, agency integer, digest text)")
    db.execute("create table subject_index_state (generation integer)")
    db.execute("insert into subject_index_state values (0)")
    held: dict[int, Identity] = {}
    rows = []
    for n in range(people):
        person = fictional(100_000 + n)
        held[n] = person
        rows += [(n, n % 12, digest) for _, digest in index_digests(person, INDEX)]
    db.executemany("insert into subject_index values (?, ?, ?)", rows)
    db.execute("create index ix_digest on subject_index (digest)")
    return db, held


def case(held: dict[int, Identity]) -> tuple[list[SubjectInView], str]:
    rng = random.Random(2014)
    linked = [fictional(seed) for seed in (11, 23, 37, 41, 59)]
    unlinked = [held[7], held[4242 % len(held)]]
    subjects = [
        SubjectInView(subject_id=uuid.uuid4(), role=role, kind="person", identity=p, shown=shown)
        for p, (role, shown) in zip(linked, ROLES, strict=True)
    ]
    words: list[str] = []
    while len(" ".join(words)) < 1900:
        words += rng.sample(FILLER, 5)
        words.append(cased(rng.choice(written_forms(rng.choice(linked))), rng.randrange(5)))
    words += ["and", unlinked[0].name, "of", unlinked[0].address[0], "called", unlinked[1].name]
    return subjects, " ".join(words)[:2048]


def people_named(
    db: sqlite3.Connection, text: str, linked: list[SubjectInView]
) -> tuple[FoundPerson, ...]:
    """Who the hub holds in the text, not linked, as the gate finds them
    (``recognition.held_in``): the index generation read, the text's digests
    but the linked people's looked up in one indexed query unless already read
    at this generation, then grouped into people. Nothing of them is decrypted."""
    (generation,) = db.execute("select generation from subject_index_state").fetchone()
    own = _own_digests(INDEX, [s.identity for s in linked])
    key = ((text,), own)
    named = FOUND.get(key, generation)
    if named is None:
        candidates = wanted(INDEX, key[0], own)
        named = FOUND.put(key, Named(generation, lookup(db, candidates), candidates))
    return named.people(frozenset(s.subject_id for s in linked))


def lookup(db: sqlite3.Connection, candidates: dict[str, Candidate]) -> tuple[Row, ...]:
    marks = ",".join("?" * len(candidates))
    return tuple(
        db.execute(
            f"select digest, subject, agency from subject_index where digest in ({marks})",
            list(candidates),
        )
    )


def lookup_alone(db: sqlite3.Connection, text: str, linked: list[SubjectInView]) -> None:
    """A first read's query and nothing else: the floor of a first read."""
    db.execute("select generation from subject_index_state").fetchone()
    own = _own_digests(INDEX, [s.identity for s in linked])
    lookup(db, wanted(INDEX, (text,), own))


def view(db: sqlite3.Connection, subjects: list[SubjectInView], text: str, how: str) -> bytes:
    names = pseudonyms([(s.subject_id, s.role) for s in subjects])
    if how == "baseline":
        everything = frozenset(IDENTITY_FIELDS)
        subjects = [msgspec.structs.replace(s, shown=everything) for s in subjects]
    people = [person_view(s, names[s.subject_id]) for s in subjects]
    if how == "record-only":
        text = Redactor(subjects, names).text(text) or ""
    elif how == "hub-wide":
        found = people_named(db, text, subjects)
        unlinked = [
            (f.names, f.addresses, f.values, who)
            for f, who in zip(found, unlinked_pseudonyms(len(found)), strict=True)
        ]
        text = Redactor(subjects, names, unlinked=unlinked).text(text) or ""
    return encode_json({"people": people, "narrative": text})


def forget() -> None:
    """What a first read has not got: who the text names at this generation of
    the index, the redactor's memo and its compiled terms."""
    recognition.FOUND.entries.clear()
    redaction._MEMO.entries.clear()
    redaction._compile.cache_clear()


# (figure, view, whether the memory of earlier views is cleared before each view)
RUNS = [
    ("baseline", "baseline", False),
    ("record-only, first read", "record-only", True),
    ("record-only, repeat reads", "record-only", False),
    ("hub-wide, first read", "hub-wide", True),
    ("hub-wide, repeat reads", "hub-wide", False),
]
BLOCKS = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4000)
    parser.add_argument("--people", type=int, default=100_000)
    args = parser.parse_args()
    started = time.perf_counter()
    db, held = hub(args.people)
    print(f"hub of {args.people:,} people indexed in {time.perf_counter() - started:.1f} s")
    subjects, text = case(held)
    shown = view(db, subjects, text, "hub-wide").decode()
    assert held[7].name not in shown and held[7].address[0] not in shown, "named but not linked"

    runs = [(name, functools.partial(view, db, subjects, text, how), first)
            for name, how, first in RUNS]  # fmt: skip
    runs.append(("index lookup alone", functools.partial(lookup_alone, db, text, subjects), False))
    elapsed = dict.fromkeys((name for name, _, _ in runs), 0.0)
    block = max(1, args.rounds // BLOCKS)
    for _ in range(BLOCKS):
        for name, run, first in runs:
            run()  # warm up: another mode may have cleared what this one remembers
            for _ in range(block):
                if first:
                    forget()
                start = time.perf_counter()
                run()
                elapsed[name] += time.perf_counter() - start
    rates = {name: block * BLOCKS / seconds for name, seconds in elapsed.items()}

    print(f"linked subjects: {len(subjects)}, free text: {len(text.encode())} bytes, "
          f"rounds: {block * BLOCKS}")  # fmt: skip
    base = rates["baseline"]
    for name, rate in rates.items():
        unit = "lookups/s" if name == "index lookup alone" else "views/s"
        line = f"{name + ':':27} {rate:10,.0f} {unit:9}  ratio to baseline {rate / base:.3f}"
        if name.startswith("hub-wide"):
            record = "record-only, " + name.removeprefix("hub-wide, ")
            line += f"  to {record} {rate / rates[record]:.3f}"
        elif name == "index lookup alone":
            line += f"  ({1e6 / rate:.0f} µs each)"
        print(line)


if __name__ == "__main__":
    main()
