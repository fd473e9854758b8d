"""Triage of an ASB report, as the rules in ``triage.toml`` have it: dealt with
as ASB (naming the definitions met), set aside as a matter the landlord does
not deal with as ASB (closed with its reason, the complainant pointed to the
body better placed), or sent down the domestic abuse route. Plain functions
over plain data: the service applies them, the pages and the API only ask.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Literal

import msgspec

TRIAGE_FILE = Path(__file__).with_name("triage.toml")

Outcome = Literal["asb", "not_asb", "domestic_abuse"]


class Definition(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    kind: Literal["statutory", "hate", "environmental"]
    words: str
    citation: str


class Signpost(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    words: str
    citation: str


class Matter(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A matter a landlord does not deal with as ASB, and where it points instead."""

    words: str
    signpost: str
    citation: str


class Reopening(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    requires: tuple[str, ...]
    citation: str
    words: dict[str, str]


class DomesticAbuseRoute(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    words: str
    citation: str


class TriageRules(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    version: str
    definitions: dict[str, Definition]
    signposts: dict[str, Signpost]
    not_asb: dict[str, Matter]
    reopening: Reopening
    domestic_abuse: DomesticAbuseRoute


def load_triage_rules(path: Path = TRIAGE_FILE) -> TriageRules:
    rules = msgspec.convert(tomllib.loads(path.read_text("utf-8")), TriageRules)
    for code, matter in rules.not_asb.items():
        if matter.signpost not in rules.signposts:
            raise ValueError(f"{path.name}: not_asb.{code} points to unknown {matter.signpost!r}")
    missing = set(rules.reopening.requires) - set(rules.reopening.words)
    if missing:
        raise ValueError(f"{path.name}: reopening has no words for {sorted(missing)}")
    if "hate_incident" not in rules.definitions:
        raise ValueError(f"{path.name}: the hate incident definition is missing")
    return rules


@cache
def triage_rules() -> TriageRules:
    return load_triage_rules()


def agency_matters(
    rules: TriageRules,
    chosen: Sequence[str] | None,
    own: Mapping[str, Matter] | None = None,
) -> dict[str, Matter]:
    """The matters an agency does not deal with as ASB: the ones its policy
    chose from the catalogue (all of them if it chose none) and its own."""
    codes = list(rules.not_asb) if chosen is None else list(chosen)
    found = {code: rules.not_asb[code] for code in codes if code in rules.not_asb}
    found.update(own or {})
    return found


def triage_errors(
    rules: TriageRules,
    matters: Mapping[str, Matter],
    *,
    category: str,
    outcome: Outcome,
    definitions: Sequence[str],
    matter: str | None,
    signposted_to: str | None,
    told: bool,
) -> list[tuple[str, str]]:
    """What is wrong with a triage decision, by field; empty if nothing."""
    errors: list[tuple[str, str]] = []
    hate = category == "hate_incident"
    if outcome == "asb":
        if not definitions:
            errors.append(("definitions", "name at least one definition the behaviour meets"))
        unknown = [d for d in definitions if d not in rules.definitions]
        if unknown:
            errors.append(("definitions", "not a definition the hub knows"))
        if hate and "hate_incident" not in definitions:
            errors.append(
                (
                    "definitions",
                    "a report logged as a hate incident is one: it was perceived as one by the "
                    "victim or someone else, and is triaged as such",
                )
            )
    elif definitions:
        errors.append(("definitions", "name definitions only for a report dealt with as ASB"))
    if outcome == "not_asb":
        if hate:
            errors.append(
                (
                    "outcome",
                    "a hate incident is dealt with as ASB whatever else it is: the victim's or "
                    "anyone's perception decides, not the landlord's",
                )
            )
        if matter is None:
            errors.append(("matter", "say which matter it is that is not dealt with as ASB"))
        elif matter not in matters:
            errors.append(("matter", "not one of your agency's matters not dealt with as ASB"))
        if signposted_to is not None and signposted_to not in rules.signposts:
            errors.append(("signposted_to", "not a body the hub knows"))
        if not told:
            errors.append(("complainant_told_on", "record when the complainant was told"))
    else:
        for name, value in (("matter", matter), ("signposted_to", signposted_to)):
            if value is not None:
                errors.append((name, "give this only for a matter not dealt with as ASB"))
    return errors


def signpost_for(
    rules: TriageRules, matters: Mapping[str, Matter], matter: str, chosen: str | None
) -> str:
    """The body the complainant is pointed to: the one chosen, else the matter's own."""
    return chosen or matters[matter].signpost


def reopening_errors(
    rules: TriageRules, close_reason: str | None, conditions: Sequence[str]
) -> list[tuple[str, str]]:
    """A matter set aside as not ASB is reopened only when repeated incidents
    are persistent, deliberate and harmful, all three."""
    if close_reason != "not_asb":
        return []
    missing = [c for c in rules.reopening.requires if c not in conditions]
    if not missing:
        return []
    words = " and ".join(rules.reopening.requires)
    return [
        (
            "conditions",
            f"a matter set aside as not ASB is reopened as ASB only when the repeated "
            f"incidents are {words}",
        )
    ]
