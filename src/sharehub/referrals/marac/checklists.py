"""The risk identification checklists (DASH) a referral may use, loaded from
``checklists.toml`` and checked on load: a broken file stops startup rather
than mis-scoring referrals."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Literal

import msgspec

Answer = Literal["yes", "no", "not_known"]
CHECKLISTS_FILE = Path(__file__).with_name("checklists.toml")


class Question(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: str
    text: str


class Group(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A heading of the published form and the questions under it."""

    title: str
    questions: tuple[str, ...]


class Checklist(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    version: str
    title: str
    citation: str
    in_use: bool
    questions: tuple[Question, ...]
    # The form's own headings; a checklist without them is one group.
    groups: tuple[Group, ...] = ()

    def grouped(self) -> list[tuple[str, list[Question]]]:
        by_code = {q.code: q for q in self.questions}
        if not self.groups:
            return [(self.title, list(self.questions))]
        return [(g.title, [by_code[c] for c in g.questions]) for g in self.groups]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(q.code for q in self.questions)


class _File(msgspec.Struct, forbid_unknown_fields=True):
    checklist: list[Checklist]


def load_checklists(path: Path = CHECKLISTS_FILE) -> dict[str, Checklist]:
    parsed = msgspec.convert(tomllib.loads(path.read_text("utf-8")), _File)
    found: dict[str, Checklist] = {}
    for checklist in parsed.checklist:
        if checklist.version in found:
            raise ValueError(f"{path.name}: checklist {checklist.version} is listed twice")
        codes = checklist.codes
        if not codes or len(set(codes)) != len(codes):
            raise ValueError(f"{path.name}: {checklist.version} needs unique question codes")
        grouped = [c for g in checklist.groups for c in g.questions]
        if checklist.groups and sorted(grouped) != sorted(codes):
            raise ValueError(
                f"{path.name}: {checklist.version}: its groups must hold every question once"
            )
        found[checklist.version] = checklist
    return found


@cache
def checklists() -> dict[str, Checklist]:
    return load_checklists()


def answer_errors(
    checklist: Checklist, answers: Mapping[str, Answer], field: str = "answers"
) -> list[tuple[str, str]]:
    """Every question answered (yes, no or not known), and nothing else."""
    errors = [
        (f"{field}.{code}", "answer every question: yes, no or not_known")
        for code in checklist.codes
        if code not in answers
    ]
    # Unknown keys are counted, never echoed: they are whatever was typed.
    unknown = len(set(answers) - set(checklist.codes))
    if unknown:
        errors.append((field, f"{unknown} answer(s) to questions not on {checklist.version}"))
    return errors


def yes_count(answers: Mapping[str, Answer]) -> int:
    return sum(1 for answer in answers.values() if answer == "yes")
