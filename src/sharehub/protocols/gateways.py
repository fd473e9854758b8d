"""Loading the legal gateways data file (protocols/gateways.toml), strictly.

The file is the law as the hub reads it. It is parsed into typed structures
and cross-checked (every gateway, basis and condition names only checks the
engine knows; every agency type, purpose, category, Article 6 basis and Schedule 1
condition the hub uses is covered), so a mistake in it stops the hub at start
instead of producing wrong answers later.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Literal

import msgspec

from sharehub.agencies.types import AgencyType
from sharehub.protocols.terms import Article6Basis, DataCategory, Purpose, Schedule1Condition

DEFAULT_FILE = Path(__file__).with_name("gateways.toml")


class GatewayFileError(RuntimeError):
    """The gateways file is missing, malformed or inconsistent."""


class AgencyTypeRules(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    public_authority: bool
    s115: Literal["yes", "no", "unsettled"]
    mappa: Literal["responsible_authority", "duty_to_cooperate", "none"]
    case_review: Literal["relevant_body", "co_opted", "none"]
    s115_citation: str = "Crime and Disorder Act 1998, section 115(2)"
    s115_note: str | None = None
    # Whether it exercises public functions (ASBCPA 2014 Sch 4 para 7(2)), where
    # that differs from being a public authority for data protection.
    public_functions: bool | None = None

    @property
    def exercises_public_functions(self) -> bool:
        return self.public_authority if self.public_functions is None else self.public_functions


class Gateway(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: str
    name: str
    citation: str
    purposes: tuple[Purpose, ...]
    requires: tuple[str, ...]
    article6: tuple[Article6Basis, ...]
    power_only: bool
    note: str
    # Checks the discloser must meet for the gateway to bind it (a duty); for
    # other disclosers it is a power only.
    duty_only_when: tuple[str, ...] = ()


class Requirement(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    citation: str
    requires: tuple[str, ...]


class CategoryRules(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str
    needs_condition: Literal["article_9", "article_10", "none"]
    identifying: bool


class IdentityProtection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    subject_roles: tuple[str, ...]
    citation: str


class PurposeRules(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str
    unlawful_acts: bool


class OnwardSharingRule(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Who must agree before a meeting's minutes go to an agency not at it."""

    agreement: Literal["chair", "information_owners"]
    text: str
    citation: str


class WithoutProtocol(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The route for sharing to prevent serious harm where no protocol covers it."""

    requires: tuple[str, ...]
    citation: str
    note: str
    conditions: tuple[str, ...]


class GatewayRules(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    version: str
    agency_types: dict[AgencyType, AgencyTypeRules]
    gateways: tuple[Gateway, ...]
    article6: dict[Article6Basis, Requirement]
    schedule1: dict[Schedule1Condition, Requirement]
    categories: dict[DataCategory, CategoryRules]
    identity_protection: IdentityProtection
    purposes: dict[Purpose, PurposeRules]
    onward_sharing: dict[Purpose, OnwardSharingRule] = msgspec.field(default_factory=dict)
    without_protocol: WithoutProtocol | None = None

    def gateway(self, code: str) -> Gateway | None:
        return next((g for g in self.gateways if g.code == code), None)


def _check_complete(rules: GatewayRules, known_checks: frozenset[str]) -> None:
    for name, table, vocabulary in (
        ("agency_types", rules.agency_types, AgencyType),
        ("article6", rules.article6, Article6Basis),
        ("schedule1", rules.schedule1, Schedule1Condition),
        ("categories", rules.categories, DataCategory),
        ("purposes", rules.purposes, Purpose),
    ):
        missing = sorted(set(vocabulary) - set(table))
        if missing:
            raise GatewayFileError(f"[{name}] has no entry for {', '.join(missing)}")
    codes = [g.code for g in rules.gateways]
    if len(codes) != len(set(codes)):
        raise GatewayFileError("two gateways share a code")
    named = [(f"gateway {g.code}", g.requires + g.duty_only_when) for g in rules.gateways]
    named += [(f"article6.{k}", v.requires) for k, v in rules.article6.items()]
    named += [(f"schedule1.{k}", v.requires) for k, v in rules.schedule1.items()]
    if rules.without_protocol:
        named.append(("without_protocol", rules.without_protocol.requires))
    for where, checks in named:
        unknown = sorted(set(checks) - known_checks)
        if unknown:
            raise GatewayFileError(f"{where} requires unknown checks: {', '.join(unknown)}")


def load_gateway_rules(path: Path = DEFAULT_FILE) -> GatewayRules:
    from sharehub.protocols.engine import REQUIREMENTS

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        rules = msgspec.convert(raw, GatewayRules)
    except (OSError, tomllib.TOMLDecodeError, msgspec.ValidationError) as exc:
        raise GatewayFileError(f"{path.name}: {exc}") from None
    _check_complete(rules, frozenset(REQUIREMENTS))
    return rules


@lru_cache(maxsize=1)
def default_rules() -> GatewayRules:
    return load_gateway_rules()
