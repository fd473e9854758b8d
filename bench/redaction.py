"""How fast does the redactor build a view for another agency?

A case with 5 subjects (two complainants and a witness withheld, an alleged
perpetrator and another subject shown) and 2 KB of free text naming them in
every form. Prints redacted views per second against a bare baseline measured
in the same run: building and serialising the same view with nothing withheld
and the text untouched.

Run: python bench/redaction.py [--rounds N]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import msgspec  # noqa: E402

from sharehub.privacy.identity import IDENTITY_FIELDS  # noqa: E402
from sharehub.privacy.redaction import (  # noqa: E402
    Redactor,
    SubjectInView,
    person_view,
    pseudonyms,
)
from sharehub.protocols.engine import SubjectRole  # noqa: E402
from support.people import FILLER, cased, fictional, written_forms  # noqa: E402

ROLES = [
    (SubjectRole.COMPLAINANT, frozenset()),
    (SubjectRole.COMPLAINANT, frozenset()),
    (SubjectRole.WITNESS, frozenset()),
    (SubjectRole.PERPETRATOR, frozenset(IDENTITY_FIELDS)),
    (SubjectRole.OTHER, frozenset(IDENTITY_FIELDS)),
]


def case() -> tuple[list[SubjectInView], str]:
    rng = random.Random(2014)
    people = [fictional(seed) for seed in (11, 23, 37, 41, 59)]
    subjects = [
        SubjectInView(subject_id=uuid.uuid4(), role=role, kind="person", identity=p, shown=shown)
        for p, (role, shown) in zip(people, ROLES, strict=True)
    ]
    words: list[str] = []
    while len(" ".join(words)) < 2048:
        words += rng.sample(FILLER, 5)
        words.append(cased(rng.choice(written_forms(rng.choice(people))), rng.randrange(5)))
    return subjects, " ".join(words)[:2048]


def view(subjects: list[SubjectInView], text: str, redact: bool) -> bytes:
    names = pseudonyms([(s.subject_id, s.role) for s in subjects])
    if not redact:
        everything = frozenset(IDENTITY_FIELDS)
        subjects = [msgspec.structs.replace(s, shown=everything) for s in subjects]
    people = [person_view(s, names[s.subject_id]) for s in subjects]
    if redact:
        text = Redactor(subjects, names).text(text) or ""
    return msgspec.json.encode({"people": people, "narrative": text})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    subjects, text = case()

    timings = {}
    for label, redact in (("baseline", False), ("redacted", True)):
        view(subjects, text, redact)  # warm up
        start = time.perf_counter()
        for _ in range(args.rounds):
            view(subjects, text, redact)
        timings[label] = args.rounds / (time.perf_counter() - start)

    print(
        f"subjects: {len(subjects)}, free text: {len(text.encode())} bytes, rounds: {args.rounds}"
    )
    print(f"baseline (same view, nothing withheld): {timings['baseline']:10,.0f} views/s")
    print(
        f"redacted views:                         {timings['redacted']:10,.0f} views/s  "
        f"ratio {timings['redacted'] / timings['baseline']:.3f}"
    )


if __name__ == "__main__":
    main()
