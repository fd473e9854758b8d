"""The lawful-basis engine: may this agency share these data with that one,
for this purpose, today? A pure function, explained with citations.

    decide(request, protocols, rules) -> Decision

It reads only its arguments: the disclosure asked about, the protocol
versions on record (``ProtocolTerms``) and the legal rules from
``gateways.toml``. No database, no clock: the date is part of the request.

The law is combined as it combines, not short-circuited: a gateway such as
s115 is a *power* to disclose, so the engine still needs, for every data
category, a UK GDPR Art 6 basis the discloser may use, and for special
category (Art 9) or criminal offence (Art 10) data a DPA 2018 Schedule 1
condition whose own requirements are met. Identities of complainants, victims
and witnesses are withheld unless consent covers the recipient, or a
safeguarding decision overrides it, which a person must then confirm.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import msgspec

from sharehub.disclosure.gated import Citation, Code, Explanation, Reference
from sharehub.agencies.types import AgencyType
from sharehub.protocols.gateways import Gateway, GatewayRules, default_rules
from sharehub.protocols.terms import (
    Article6Basis,
    CategoryTerms,
    DataCategory,
    ProtocolStatus,
    ProtocolTerms,
    Purpose,
    PurposeTerms,
)

ICO_CODE = "ICO Data Sharing Code of Practice (DPA 2018 s121), 'Data sharing agreements'"


class SubjectRole(enum.StrEnum):
    """A subject's role in a case or referral. Which roles have their identity
    protected is data: ``identity_protection`` in gateways.toml."""

    COMPLAINANT = "complainant"
    VICTIM = "victim"
    WITNESS = "witness"
    CHILD = "child"
    HOUSEHOLD_MEMBER = "household_member"
    APPLICANT = "applicant"
    REPRESENTATIVE = "representative"
    PERPETRATOR = "perpetrator"  # alleged perpetrator
    OFFENDER = "offender"
    OTHER = "other"


class ConsentState(enum.StrEnum):
    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    NOT_SOUGHT = "not_sought"


class IdentityRelease(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A recorded reason to show a protected identity without consent: a
    sharing decision, or a person's safeguarding override."""

    kind: Literal["sharing_decision", "safeguarding_override"]
    reference: uuid.UUID
    citation: str = "Data Protection Act 2018 Sch 1 para 18"


class AgencyRef(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    agency_id: uuid.UUID
    agency_type: AgencyType


class DisclosureRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    discloser: AgencyRef
    recipient: AgencyRef
    purpose: Purpose
    categories: tuple[DataCategory, ...]
    subject_role: SubjectRole
    consent: ConsentState = ConsentState.NOT_SOUGHT
    # Does the recorded consent name this recipient (and purpose)?
    consent_covers_recipient: bool = False
    high_risk_of_serious_harm: bool = False
    # Consent cannot be given, cannot reasonably be obtained, or seeking it
    # would prejudice the protection (DPA 2018 Sch 1 para 18(2)).
    consent_would_prejudice: bool = False
    # A recorded sharing decision or safeguarding override covering this
    # recipient, purpose and subject.
    identity_release: IdentityRelease | None = None
    on: date


class Reason(msgspec.Struct, frozen=True):
    text: Explanation
    citation: Citation | None = None


class PermittedCategory(msgspec.Struct, frozen=True):
    category: DataCategory
    article6: Article6Basis
    article6_citation: Citation
    # Art 9 / Art 10 condition, where the category needs one.
    condition: Explanation | None = None
    condition_citation: Citation | None = None


class WithheldCategory(msgspec.Struct, frozen=True):
    category: DataCategory
    reason: Explanation
    citation: Citation | None = None


Outcome = Literal["permitted", "refused", "needs_review"]


class Decision(msgspec.Struct, frozen=True, kw_only=True):
    outcome: Outcome
    gateway: Code | None = None
    gateway_citation: Citation | None = None
    protocol_id: uuid.UUID | None = None
    protocol_version: int | None = None
    permitted: tuple[PermittedCategory, ...] = ()
    withheld: tuple[WithheldCategory, ...] = ()
    conditions: tuple[Explanation, ...] = ()
    reasons: tuple[Reason, ...] = ()
    rules_version: Reference = ""
    # Permitted only once a person confirms and records it (a safeguarding
    # decision): the gate withholds these until then.
    awaiting_confirmation: tuple[DataCategory, ...] = ()

    @property
    def citations(self) -> set[str]:
        found = {r.citation for r in self.reasons if r.citation}
        found |= {p.article6_citation for p in self.permitted}
        found |= {p.condition_citation for p in self.permitted if p.condition_citation}
        found |= {w.citation for w in self.withheld if w.citation}
        if self.gateway_citation:
            found.add(self.gateway_citation)
        return found


# --- the named checks that gateways.toml may require ------------------------


@dataclass(frozen=True)
class Check:
    """A requirement's answer: met, unmet (with why), or resting on unsettled law."""

    met: bool
    why: str | None = None
    citation: str | None = None
    unsettled: bool = False


MET = Check(True)


@dataclass(frozen=True)
class Facts:
    request: DisclosureRequest
    rules: GatewayRules
    gateway: Gateway | None = None

    @property
    def discloser(self):  # type: ignore[no-untyped-def]
        return self.rules.agency_types[self.request.discloser.agency_type]

    @property
    def recipient(self):  # type: ignore[no-untyped-def]
        return self.rules.agency_types[self.request.recipient.agency_type]


def _recipient_is_s115_relevant_authority(facts: Facts) -> Check:
    rules = facts.recipient
    if rules.s115 == "yes":
        return Check(True, citation=rules.s115_citation)
    if rules.s115 == "unsettled":
        return Check(True, rules.s115_note, rules.s115_citation, unsettled=True)
    why = "the recipient is not a relevant authority under s115"
    return Check(False, f"{why}. {rules.s115_note or ''}".strip(), rules.s115_citation)


def _mappa_partners(facts: Facts) -> Check:
    roles = {facts.discloser.mappa, facts.recipient.mappa}
    if "responsible_authority" in roles and roles <= {"responsible_authority", "duty_to_cooperate"}:
        return MET
    return Check(
        False,
        "MAPPA exchange needs a responsible authority and another responsible authority "
        "or duty-to-co-operate agency",
        "Criminal Justice Act 2003 s325(1), (6)",
    )


def _recipient_is_case_review_body(facts: Facts) -> Check:
    body = facts.recipient.case_review
    citation = "Anti-social Behaviour, Crime and Policing Act 2014 s104, s105(1)"
    if body == "relevant_body":
        return Check(True, citation=citation)
    if body == "co_opted":
        return Check(
            True,
            "the recipient takes part in case reviews only if co-opted: confirm it is",
            citation,
            unsettled=True,
        )
    return Check(False, "the recipient is not a relevant body for ASB case reviews", citation)


def _discloser_exercises_public_functions(facts: Facts) -> Check:
    if facts.discloser.public_authority:
        return MET
    return Check(False, "the discloser does not exercise public functions", "DPA 2018 s7")


def _consent_covers(facts: Facts) -> Check:
    request = facts.request
    if request.consent is ConsentState.GIVEN and request.consent_covers_recipient:
        return MET
    if request.consent is ConsentState.GIVEN:
        return Check(False, "the recorded consent does not cover this recipient", "UK GDPR Art 7")
    return Check(False, f"consent is {request.consent.value.replace('_', ' ')}", "UK GDPR Art 7")


def _risk_of_serious_harm(facts: Facts) -> Check:
    if facts.request.high_risk_of_serious_harm:
        return MET
    return Check(False, "no risk of serious harm is recorded")


def _consent_not_available(facts: Facts) -> Check:
    request = facts.request
    if request.consent is not ConsentState.GIVEN and request.consent_would_prejudice:
        return MET
    return Check(
        False,
        "consent could be sought without prejudicing the protection",
        "Data Protection Act 2018 Sch 1 para 18(2)",
    )


def _never(facts: Facts) -> Check:
    return Check(False, "a contract with the subject is not a basis for partnership sharing")


def _gateway_imposes_a_duty(facts: Facts) -> Check:
    gateway = facts.gateway
    if gateway and not gateway.power_only and Article6Basis.LEGAL_OBLIGATION in gateway.article6:
        return Check(True, citation=gateway.citation)
    return Check(False, "no gateway relied on here imposes a duty to disclose")


def _discloser_is_not_a_public_authority(facts: Facts) -> Check:
    if not facts.discloser.public_authority:
        return MET
    return Check(
        False,
        "legitimate interests is not available to a public authority performing its tasks",
        "UK GDPR Art 6(1) final subparagraph",
    )


def _purpose_concerns_unlawful_acts(facts: Facts) -> Check:
    if facts.rules.purposes[facts.request.purpose].unlawful_acts:
        return MET
    return Check(False, "the purpose is not preventing or detecting unlawful acts")


REQUIREMENTS: dict[str, Callable[[Facts], Check]] = {
    "recipient_is_s115_relevant_authority": _recipient_is_s115_relevant_authority,
    "mappa_responsible_authority_and_partner": _mappa_partners,
    "recipient_is_case_review_body": _recipient_is_case_review_body,
    "discloser_exercises_public_functions": _discloser_exercises_public_functions,
    "consent_covers_this_disclosure": _consent_covers,
    "risk_of_serious_harm": _risk_of_serious_harm,
    "consent_not_available": _consent_not_available,
    "never_for_partnership_sharing": _never,
    "gateway_imposes_a_duty": _gateway_imposes_a_duty,
    "discloser_is_not_a_public_authority": _discloser_is_not_a_public_authority,
    "purpose_concerns_unlawful_acts": _purpose_concerns_unlawful_acts,
}


def _all_met(names: Sequence[str], facts: Facts) -> list[Check]:
    return [REQUIREMENTS[name](facts) for name in names]


# --- the protocol in force ---------------------------------------------------


def status_on(protocol: ProtocolTerms, day: date) -> ProtocolStatus:
    """A protocol's status on a given day: review due after its review date,
    expired once the grace period after that has passed."""
    if protocol.status not in (ProtocolStatus.ACTIVE, ProtocolStatus.REVIEW_DUE):
        return protocol.status
    if protocol.effective_from and day < protocol.effective_from:
        return ProtocolStatus.AWAITING_SIGNATURES
    if day > protocol.review_date + timedelta(days=protocol.review_grace_days):
        return ProtocolStatus.EXPIRED
    if day > protocol.review_date:
        return ProtocolStatus.REVIEW_DUE
    return ProtocolStatus.ACTIVE


def _parties(protocol: ProtocolTerms) -> set[uuid.UUID]:
    return {party.agency_id for party in protocol.parties}


def _find_protocol(
    request: DisclosureRequest, protocols: Sequence[ProtocolTerms]
) -> tuple[ProtocolTerms, PurposeTerms] | list[Reason]:
    pair = {request.discloser.agency_id, request.recipient.agency_id}
    between = [p for p in protocols if pair <= _parties(p)]
    if not between:
        return [Reason("no information sharing protocol between these agencies", ICO_CODE)]
    in_force, reasons = [], []
    for protocol in between:
        status = status_on(protocol, request.on)
        if status in (ProtocolStatus.ACTIVE, ProtocolStatus.REVIEW_DUE):
            in_force.append(protocol)
        elif status is ProtocolStatus.EXPIRED:
            ended = protocol.review_date + timedelta(days=protocol.review_grace_days)
            reasons.append(
                Reason(
                    f"protocol '{protocol.title}' (version {protocol.version}) expired on "
                    f"{ended.isoformat()}: its review date passed and was not renewed",
                    ICO_CODE,
                )
            )
        else:
            reasons.append(
                Reason(f"protocol '{protocol.title}' is {status.value.replace('_', ' ')}", ICO_CODE)
            )
    covering = [
        (protocol, terms)
        for protocol in sorted(in_force, key=lambda p: p.version, reverse=True)
        for terms in protocol.purposes
        if terms.purpose is request.purpose
    ]
    if covering:
        return covering[0]
    if in_force:
        reasons.append(
            Reason(f"no protocol in force covers the purpose {request.purpose.value}", ICO_CODE)
        )
    return reasons


# --- per category ------------------------------------------------------------


def _category_verdict(
    facts: Facts, terms: CategoryTerms | None, category: DataCategory
) -> tuple[PermittedCategory | None, WithheldCategory | None, bool, list[str]]:
    """(permitted, withheld, needs a person's review, conditions) for one category."""
    rules = facts.rules
    if terms is None:
        return (
            None,
            WithheldCategory(
                category, "the protocol does not allow this category for this purpose", ICO_CODE
            ),
            False,
            [],
        )
    basis = rules.article6[terms.article6]
    failed = [c for c in _all_met(basis.requires, facts) if not c.met]
    if failed:
        return (
            None,
            WithheldCategory(
                category,
                f"Art 6 basis {terms.article6.value} not available: {failed[0].why}",
                failed[0].citation or basis.citation,
            ),
            False,
            [],
        )

    condition = condition_citation = None
    needs = rules.categories[category].needs_condition
    if needs != "none":
        article = (
            "Art 9 (special category)" if needs == "article_9" else "Art 10 (criminal offence)"
        )
        if terms.schedule1 is None:
            return (
                None,
                WithheldCategory(
                    category,
                    f"{article} data needs a DPA 2018 Schedule 1 condition and the protocol names none",
                    "UK GDPR Art 9(2)(g), Art 10; Data Protection Act 2018 s10, Sch 1",
                ),
                False,
                [],
            )
        requirement = rules.schedule1[terms.schedule1]
        unmet = [c for c in _all_met(requirement.requires, facts) if not c.met]
        if unmet:
            return (
                None,
                WithheldCategory(
                    category,
                    f"condition {terms.schedule1.value} does not apply: {unmet[0].why}",
                    requirement.citation,
                ),
                False,
                [],
            )
        condition, condition_citation = terms.schedule1.value, requirement.citation

    review, conditions = False, []
    protection = rules.identity_protection
    if (
        rules.categories[category].identifying
        and facts.request.subject_role in protection.subject_roles
    ):
        consented = _consent_covers(facts)
        release = facts.request.identity_release
        if not consented.met and release is not None:
            conditions.append(
                f"{category.value}: shown without consent under a recorded "
                f"{release.kind.replace('_', ' ')} ({release.reference})"
            )
        elif not consented.met:
            override = _all_met(["risk_of_serious_harm", "consent_not_available"], facts)
            if all(c.met for c in override):
                review = True
                conditions.append(
                    f"{category.value}: shared without consent under a safeguarding override "
                    "(DPA 2018 Sch 1 para 18); a person must confirm and record the decision"
                )
            else:
                return (
                    None,
                    WithheldCategory(
                        category,
                        f"the {facts.request.subject_role.value}'s identity is shared only with "
                        f"consent covering this recipient ({consented.why})",
                        protection.citation,
                    ),
                    False,
                    [],
                )
    return (
        PermittedCategory(category, terms.article6, basis.citation, condition, condition_citation),
        None,
        review,
        conditions,
    )


# --- the decision --------------------------------------------------------------


def decide(
    request: DisclosureRequest,
    protocols: Sequence[ProtocolTerms],
    rules: GatewayRules | None = None,
) -> Decision:
    rules = rules or default_rules()
    found = _find_protocol(request, protocols)
    if isinstance(found, list):
        return Decision(outcome="refused", reasons=tuple(found), rules_version=rules.version)
    protocol, purpose_terms = found
    reasons: list[Reason] = [
        Reason(
            f"protocol '{protocol.title}' version {protocol.version} is in force and covers "
            f"{request.purpose.value}",
            ICO_CODE,
        )
    ]
    conditions: list[str] = []
    review = False
    if status_on(protocol, request.on) is ProtocolStatus.REVIEW_DUE:
        stops = protocol.review_date + timedelta(days=protocol.review_grace_days)
        conditions.append(
            f"the protocol's review is overdue; it stops authorising disclosures after "
            f"{stops.isoformat()}"
        )

    gateway, gateway_checks, refusals = None, [], []
    for code in purpose_terms.gateways:
        candidate = rules.gateway(code)
        if candidate is None or request.purpose not in candidate.purposes:
            refusals.append(Reason(f"gateway {code} does not serve {request.purpose.value}"))
            continue
        checks = _all_met(candidate.requires, Facts(request, rules, candidate))
        unmet = [c for c in checks if not c.met]
        if unmet:
            refusals += [Reason(f"{candidate.name}: {c.why}", c.citation) for c in unmet]
            continue
        gateway, gateway_checks = candidate, checks
        break
    if gateway is None:
        return Decision(
            outcome="refused",
            protocol_id=protocol.protocol_id,
            protocol_version=protocol.version,
            reasons=tuple(
                reasons
                + (refusals or [Reason("the protocol names no gateway for this purpose", ICO_CODE)])
                + [Reason("no gateway the protocol relies on applies to this disclosure")]
            ),
            rules_version=rules.version,
        )
    # Say why earlier gateways in the protocol's list were passed over.
    reasons += [Reason(f"not available: {r.text}", r.citation) for r in refusals]
    reasons.append(Reason(f"gateway: {gateway.name}", gateway.citation))
    for check in gateway_checks:
        if check.unsettled:
            review = True
            reasons.append(Reason(f"unsettled: {check.why}", check.citation))
    if gateway.power_only:
        conditions.append(gateway.note)
    if protocol.onward_sharing:
        conditions.append(f"onward sharing: {protocol.onward_sharing}")

    facts = Facts(request, rules, gateway)
    allowed = {terms.category: terms for terms in purpose_terms.categories}
    permitted, withheld, awaiting = [], [], []
    for category in dict.fromkeys(request.categories):
        granted, refused, needs_review, notes = _category_verdict(
            facts, allowed.get(category), category
        )
        review = review or needs_review
        if needs_review:
            awaiting.append(category)
        conditions += notes
        if granted:
            permitted.append(granted)
        if refused:
            withheld.append(refused)
    if not permitted:
        outcome: Outcome = "refused"
        reasons.append(Reason("none of the data asked about may be shared"))
    else:
        outcome = "needs_review" if review else "permitted"
    return Decision(
        outcome=outcome,
        gateway=gateway.code,
        gateway_citation=gateway.citation,
        protocol_id=protocol.protocol_id,
        protocol_version=protocol.version,
        permitted=tuple(permitted),
        withheld=tuple(withheld),
        conditions=tuple(conditions),
        reasons=tuple(reasons),
        rules_version=rules.version,
        awaiting_confirmation=tuple(awaiting),
    )
