"""The rules of an ASB case (``casework.toml``) as plain functions: how often
a case is reviewed, when the next contact and the next review fall due, which
interventions are legal steps, and whether one needs a proportionality review
first."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import msgspec

CASEWORK_FILE = Path(__file__).with_name("casework.toml")


class Review(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    every_days: int
    citation: str


class Intervention(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    words: str
    legal: bool
    citation: str


class Proportionality(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    words: str
    citation: str


class Cctv(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    review_every_years: int
    citation: str
    covert_citation: str


class CaseworkRules(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    version: str
    review: Review
    contact_methods: dict[str, str]
    review_outcomes: dict[str, str]
    owners: dict[str, str]
    interventions: dict[str, Intervention]
    proportionality: Proportionality
    cctv: Cctv


def load_casework_rules(path: Path = CASEWORK_FILE) -> CaseworkRules:
    rules = msgspec.convert(tomllib.loads(path.read_text("utf-8")), CaseworkRules)
    if not 1 <= rules.review.every_days <= 366:
        raise ValueError(f"{path.name}: review.every_days must be 1 to 366")
    if "close" not in rules.review_outcomes:
        raise ValueError(f"{path.name}: review_outcomes needs 'close'")
    return rules


@cache
def casework_rules() -> CaseworkRules:
    return load_casework_rules()


def cctv_review_due(installed: date, every_years: int) -> date:
    """When fixed CCTV is next reviewed (29 February falls to 28 February)."""
    try:
        return installed.replace(year=installed.year + every_years)
    except ValueError:
        return installed.replace(year=installed.year + every_years, day=28)


def next_contact(last: date, every_days: int) -> date:
    return last + timedelta(days=every_days)


def next_review(last: date, every_days: int) -> date:
    return last + timedelta(days=every_days)


def review_interval(asked: int | None, agency: int | None, default: int) -> int:
    """How often a new case is reviewed, in days: as asked when it is opened;
    else the agency's own policy; else the hub's default (``[review].every_days``)."""
    for every in (asked, agency):
        if every is not None:
            return every
    return default


def needs_proportionality_review(
    rules: CaseworkRules,
    intervention: str,
    perpetrator_vulnerable: bool,
    reviews_to_proceed: Sequence[date],
    on: date,
) -> bool:
    """A legal step against a person recorded as vulnerable needs a review,
    recorded on or before its day, that decided to proceed."""
    if not rules.interventions[intervention].legal or not perpetrator_vulnerable:
        return False
    return not any(reviewed <= on for reviewed in reviews_to_proceed)
