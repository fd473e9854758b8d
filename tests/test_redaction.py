"""The redactor, as plain functions: withheld identifiers never appear in a
view, in structured fields or in free text, in any form or letter case."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from sharehub.disclosure.gated import encode_json
from sharehub.privacy.identity import IDENTITY_FIELDS, Identity
from sharehub.privacy.redaction import (
    Redactor,
    SubjectInView,
    person_view,
    pseudonyms,
)
from sharehub.protocols.engine import SubjectRole
from sharehub.protocols.terms import DataCategory
from support.people import FILLER, PSEUDONYM_WORDS, identities, leaked, narratives, words_of

ALL = frozenset(IDENTITY_FIELDS)
IDENTITY_ONLY = frozenset(f for f, c in IDENTITY_FIELDS.items() if c is DataCategory.IDENTITY)


def view_of(subjects: list[SubjectInView], texts: dict[str, str]) -> str:
    names = pseudonyms([(s.subject_id, s.role) for s in subjects])
    people = [person_view(s, names[s.subject_id]) for s in subjects]
    redactor = Redactor(subjects, names)
    redacted = {k: redactor.text(v) for k, v in texts.items()}
    return encode_json({"people": people, "texts": redacted}).decode()


@st.composite
def scenes(draw: st.DrawFn) -> tuple[list[SubjectInView], dict[str, str]]:
    n = draw(st.integers(1, 5))
    base = draw(st.integers(1, 500)) * 10
    people = [draw(identities(seed=base + i)) for i in range(n)]
    subjects = [
        SubjectInView(
            subject_id=uuid.uuid4(),
            role=draw(st.sampled_from(list(SubjectRole))),
            kind="person",
            identity=person,
            shown=draw(st.sampled_from([frozenset(), IDENTITY_ONLY, ALL])),
        )
        for person in people
    ]
    texts = {"narrative": draw(narratives(people)), "notes": draw(narratives(people))}
    return subjects, texts


@settings(max_examples=150, deadline=None)
@given(scenes())
def test_withheld_identifiers_appear_nowhere_in_the_view(scene):
    subjects, texts = scene
    output = view_of(subjects, texts)
    allowed = set(FILLER) | PSEUDONYM_WORDS
    for other in subjects:
        allowed |= words_of(other.identity, set(other.shown))
    for subject in subjects:
        hidden = set(IDENTITY_FIELDS) - subject.shown
        assert leaked(output, subject.identity, hidden, allowed) == [], subject.role


@settings(max_examples=100, deadline=None)
@given(scenes())
def test_shown_identity_is_shown_in_full(scene):
    subjects, texts = scene
    names = pseudonyms([(s.subject_id, s.role) for s in subjects])
    for subject in subjects:
        view = person_view(subject, names[subject.subject_id])
        if "name" in subject.shown:
            assert view.name == subject.identity.name
        else:
            assert view.name is None and "name" in view.withheld
        assert set(view.shown) | set(view.withheld) == {
            f for f in IDENTITY_FIELDS if getattr(subject.identity, f) not in (None, ())
        }


def test_pseudonyms_are_stable_and_lettered_per_role():
    ids = [uuid.uuid4() for _ in range(4)]
    roles = [
        SubjectRole.COMPLAINANT,
        SubjectRole.PERPETRATOR,
        SubjectRole.COMPLAINANT,
        SubjectRole.OTHER,
    ]
    names = pseudonyms(list(zip(ids, roles, strict=True)))
    assert [names[i] for i in ids] == [
        "Complainant A",
        "Alleged perpetrator A",
        "Complainant B",
        "Subject A",
    ]
    assert pseudonyms(list(zip(ids, roles, strict=True))) == names


def person(**overrides) -> Identity:
    values = {
        "name": "Imogen Thwaite",
        "address": ("14 Larkspur Close", "Harrowmere"),
        "postcode": "HX3 9QT",
        "phone": "07700900461",
        "email": "imogen.thwaite@example.org",
        "nhs_number": "9434765919",
        "ni_number": "QQ123456C",
    }
    values.update(overrides)
    return Identity(**values)


def redact(text: str, *, shown=frozenset(), role=SubjectRole.COMPLAINANT, others=()) -> str:
    subject = SubjectInView(
        subject_id=uuid.uuid4(), role=role, kind="person", identity=person(), shown=shown
    )
    subjects = [subject, *others]
    return Redactor(subjects, pseudonyms([(s.subject_id, s.role) for s in subjects])).text(text)


def test_free_text_names_the_pseudonym_and_says_what_was_withheld():
    text = (
        "IMOGEN THWAITE (07700 900 461, imogen.thwaite@example.org) of 14 larkspur close "
        "says Thwaite's neighbour shouts. NHS 943 476 5919, NI qq 12 34 56 c, HX39QT."
    )
    assert redact(text) == (
        "Complainant A ([phone of Complainant A], [e-mail of Complainant A]) of "
        "[address of Complainant A] says Complainant A's neighbour shouts. NHS [NHS number of "
        "Complainant A], NI [NI number of Complainant A], [postcode of Complainant A]."
    )


def test_identifiers_of_people_the_hub_does_not_know_become_placeholders():
    text = "Caller on 01632 960 001 (caller@example.org), LS1 4AP, NHS 401 023 2137."
    assert (
        redact(text) == "Caller on [phone number] ([e-mail address]), [postcode], NHS [NHS number]."
    )


def test_what_the_viewer_may_see_is_kept_and_reference_numbers_are_left_alone():
    assert redact("Call 07700 900461 about ref 1234567890.", shown=ALL) == (
        "Call 07700 900461 about ref 1234567890."
    )
