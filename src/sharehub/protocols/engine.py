"""The lawful-basis engine: may this agency share these data with that one,
for this purpose, today? A pure function, explained with citations.

    decide(request, protocols, rules) -> Decision

It reads only its arguments: the disclosure asked about, the protocol
versions on record (``ProtocolTerms``) and the legal rules from
``gateways.toml``. No database, no clock: the date is part of the request.

The law is combined as it combines, not short-circuited: a gateway such as
section 115 is a *power* to disclose, so the engine still needs, for every data
category, a UK GDPR, Article 6 basis the discloser may use, and for special
category (Article 9) or criminal offence (Article 10) data a Data Protection Act 2018, Schedule 1
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

from sharehub.agencies.types import AgencyType
from sharehub.disclosure.gated import Citation, Code, Explanation, Reference
from sharehub.protocols.gateways import Gateway, GatewayRules, OnwardSharingRule, default_rules
from sharehub.protocols.terms import (
    Article6Basis,
    CategoryTerms,
    DataCategory,
    PartyTerms,
    ProtocolStatus,
    ProtocolTerms,
    Purpose,
    PurposeTerms,
    Schedule1Condition,
)

# The code recommends an agreement; it is good practice, not a legal condition
# of sharing, and the citation says so.
ICO_CODE = (
    "Information Commissioner's Office, Data sharing: a code of practice (2021), "
    "'Data sharing agreements' (good practice, not a legal requirement)"
)


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
    # Ran past the end date it was given for: not withdrawn, and may be renewed.
    EXPIRED = "expired"
    NOT_SOUGHT = "not_sought"


class RecordedRisk(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A risk of serious harm the hub's own records hold, not the asker's word:
    a MARAC referral meeting the criteria, or a safeguarding override."""

    kind: Literal["marac_referral", "safeguarding_override"]
    # The record's human reference ("MARAC-2026-0007"), for the explanation.
    reference: str
    # The criteria met, in words ("visible high risk"), where a referral.
    criteria: tuple[str, ...] = ()


class IdentityRelease(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A recorded reason to show a protected identity without consent: a
    sharing decision, or a person's safeguarding override."""

    kind: Literal["sharing_decision", "safeguarding_override"]
    reference: uuid.UUID
    citation: str = "Data Protection Act 2018, Schedule 1, paragraph 18"


class AgencyRef(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    agency_id: uuid.UUID
    agency_type: AgencyType
    # For explanations a person reads ("Safe Steps is not a relevant authority").
    name: str = ""


class DisclosureRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    discloser: AgencyRef
    recipient: AgencyRef
    purpose: Purpose
    categories: tuple[DataCategory, ...]
    subject_role: SubjectRole
    consent: ConsentState = ConsentState.NOT_SOUGHT
    # Does the recorded consent name this recipient (and purpose)?
    consent_covers_recipient: bool = False
    # Asserted by the asker; ``recorded_risk`` is the same read from the records.
    high_risk_of_serious_harm: bool = False
    recorded_risk: RecordedRisk | None = None
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


# --- words for what a person reads ---------------------------------------------

ARTICLE6_WORDS = {
    Article6Basis.CONSENT: "consent (UK GDPR, Article 6(1)(a))",
    Article6Basis.CONTRACT: "contract (UK GDPR, Article 6(1)(b))",
    Article6Basis.LEGAL_OBLIGATION: "legal obligation (UK GDPR, Article 6(1)(c))",
    Article6Basis.VITAL_INTERESTS: "vital interests (UK GDPR, Article 6(1)(d))",
    Article6Basis.PUBLIC_TASK: "public task (UK GDPR, Article 6(1)(e))",
    Article6Basis.LEGITIMATE_INTERESTS: "legitimate interests (UK GDPR, Article 6(1)(f))",
}
SCHEDULE1_WORDS = {
    Schedule1Condition.STATUTORY_PURPOSES: (
        "statutory and government purposes (Data Protection Act 2018, Schedule 1, paragraph 6)"
    ),
    Schedule1Condition.PREVENTING_UNLAWFUL_ACTS: (
        "preventing or detecting unlawful acts (Data Protection Act 2018, Schedule 1, paragraph 10)"
    ),
    Schedule1Condition.SAFEGUARDING: (
        "safeguarding of children and of individuals at risk (Data Protection Act 2018, "
        "Schedule 1, paragraph 18)"
    ),
    Schedule1Condition.EXPLICIT_CONSENT: "explicit consent (UK GDPR, Article 9(2)(a))",
}
ROLE_WORDS = {
    SubjectRole.HOUSEHOLD_MEMBER: "household member",
    SubjectRole.PERPETRATOR: "alleged perpetrator",
    SubjectRole.OTHER: "person",
}
ROLE_WORDS = {role: ROLE_WORDS.get(role, role.value) for role in SubjectRole}


def _purpose(rules: GatewayRules, purpose: Purpose) -> str:
    return rules.purposes[purpose].name


# --- the named checks that gateways.toml may require ------------------------


@dataclass(frozen=True)
class Check:
    """A requirement's answer: met, unmet (with why), or resting on unsettled law."""

    met: bool
    why: str | None = None
    citation: str | None = None
    unsettled: bool = False
    # A met check worth saying in the explanation (s115 through a commissioner).
    explains: bool = False


MET = Check(True)


@dataclass(frozen=True)
class Facts:
    request: DisclosureRequest
    rules: GatewayRules
    gateway: Gateway | None = None
    protocol: ProtocolTerms | None = None

    def party(self, agency_id: uuid.UUID) -> PartyTerms | None:
        if self.protocol is None:
            return None
        return next((p for p in self.protocol.parties if p.agency_id == agency_id), None)

    @property
    def discloser(self):  # type: ignore[no-untyped-def]
        return self.rules.agency_types[self.request.discloser.agency_type]

    @property
    def recipient(self):  # type: ignore[no-untyped-def]
        return self.rules.agency_types[self.request.recipient.agency_type]


S115_ON_BEHALF = (
    "Crime and Disorder Act 1998, section 115(1): disclosure to a person acting on behalf of a "
    "relevant authority"
)


def _recipient_is_s115_relevant_authority(facts: Facts) -> Check:
    rules = facts.recipient
    if rules.s115 == "yes":
        return Check(True, citation=rules.s115_citation)
    # s115(1)(b): a commissioned service receives as the authority it acts for.
    party = facts.party(facts.request.recipient.agency_id)
    if party is not None and party.on_behalf_of_type is not None:
        principal = facts.rules.agency_types[party.on_behalf_of_type]
        if principal.s115 == "yes":
            who = party.name or "the recipient"
            return Check(
                True,
                f"{who} acts on behalf of {party.on_behalf_of_name or 'a relevant authority'}, "
                "a relevant authority, as the protocol records",
                S115_ON_BEHALF,
                explains=True,
            )
    if rules.s115 == "unsettled":
        return Check(True, rules.s115_note, rules.s115_citation, unsettled=True)
    who = facts.request.recipient.name or "the recipient"
    why = f"{who} is not a relevant authority under section 115"
    return Check(False, f"{why}. {rules.s115_note or ''}".strip(), rules.s115_citation)


def _mappa_partners(facts: Facts) -> Check:
    roles = {facts.discloser.mappa, facts.recipient.mappa}
    if "responsible_authority" in roles and roles <= {"responsible_authority", "duty_to_cooperate"}:
        return MET
    return Check(
        False,
        "MAPPA exchange needs a responsible authority and another responsible authority "
        "or duty-to-co-operate agency",
        "Criminal Justice Act 2003, section 325(1), (6)",
    )


def _recipient_is_case_review_body(facts: Facts) -> Check:
    body = facts.recipient.case_review
    citation = "Anti-social Behaviour, Crime and Policing Act 2014, section 104, section 105(1)"
    if body == "relevant_body":
        return Check(True, citation=citation)
    if body == "co_opted":
        party = facts.party(facts.request.recipient.agency_id)
        who = (party.name if party else "") or "the recipient"
        if party is not None and party.co_opted_for_case_reviews:
            return Check(
                True,
                f"{who} is a local provider of social housing co-opted into the case review "
                "group, as the protocol records: a relevant body",
                "Anti-social Behaviour, Crime and Policing Act 2014, section 104(2), Schedule 4",
                explains=True,
            )
        return Check(
            False,
            f"{who} is a relevant body for case reviews only once co-opted into the case "
            "review group; record its co-option on the protocol",
            "Anti-social Behaviour, Crime and Policing Act 2014, section 104(2)",
        )
    return Check(False, "the recipient is not a relevant body for ASB case reviews", citation)


def _discloser_exercises_public_functions(facts: Facts) -> Check:
    if facts.discloser.exercises_public_functions:
        return MET
    return Check(
        False,
        "the discloser does not exercise public functions",
        "Anti-social Behaviour, Crime and Policing Act 2014, Schedule 4, paragraph 7(2)",
    )


CONSENT_WORDS = {
    ConsentState.REFUSED: "consent was refused",
    ConsentState.WITHDRAWN: "consent is withdrawn",
    ConsentState.EXPIRED: "the consent recorded has expired (it may be sought again)",
    ConsentState.NOT_SOUGHT: "consent is not sought",
}


def _consent_covers(facts: Facts) -> Check:
    request = facts.request
    if request.consent is ConsentState.GIVEN and request.consent_covers_recipient:
        return MET
    if request.consent is ConsentState.GIVEN:
        return Check(False, "the recorded consent does not cover this recipient", "UK GDPR, Article 7")
    return Check(False, CONSENT_WORDS[request.consent], "UK GDPR, Article 7")


def _risk_of_serious_harm(facts: Facts) -> Check:
    risk = facts.request.recorded_risk
    if risk is not None:
        what = {
            "marac_referral": "MARAC referral",
            "safeguarding_override": "safeguarding override",
        }
        met = f" meets the criteria ({', '.join(risk.criteria)})" if risk.criteria else ""
        return Check(
            True,
            f"a risk of serious harm is on record: {what[risk.kind]} {risk.reference}{met}",
            explains=True,
        )
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
        "Data Protection Act 2018, Schedule 1, paragraph 18(2)",
    )


def _never(facts: Facts) -> Check:
    return Check(False, "a contract with the subject is not a basis for partnership sharing")


def _gateway_imposes_a_duty(facts: Facts) -> Check:
    gateway = facts.gateway
    if gateway and not gateway.power_only and Article6Basis.LEGAL_OBLIGATION in gateway.article6:
        # Some duties bind only some disclosers (Sch 4 para 7(2): those
        # exercising public functions must comply; anyone else may).
        unmet = [c for c in _all_met(gateway.duty_only_when, facts) if not c.met]
        if not unmet:
            return Check(True, citation=gateway.citation)
        return Check(
            False,
            f"{gateway.name} gives this discloser a power, not a duty: {unmet[0].why}",
            unmet[0].citation or gateway.citation,
        )
    return Check(False, "no gateway relied on here imposes a duty to disclose")


def _discloser_is_not_a_public_authority(facts: Facts) -> Check:
    if not facts.discloser.public_authority:
        return MET
    return Check(
        False,
        "legitimate interests is not available to a public authority performing its tasks",
        "UK GDPR, Article 6(1) final subparagraph",
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
    if protocol.starts_on and day < protocol.starts_on:
        return ProtocolStatus.NOT_YET_STARTED
    if day > protocol.review_date + timedelta(days=protocol.review_grace_days):
        return ProtocolStatus.EXPIRED
    if day > protocol.review_date:
        return ProtocolStatus.REVIEW_DUE
    return ProtocolStatus.ACTIVE


def _not_in_force(protocol: ProtocolTerms, status: ProtocolStatus) -> str:
    """Why a protocol between the agencies does not authorise sharing today, in
    the words its parties would use."""
    named = f"protocol '{protocol.title}' (version {protocol.version})"
    if status is ProtocolStatus.AWAITING_SIGNATURES:
        waiting = [p.name for p in protocol.parties if not p.signed and p.name]
        if waiting:
            return f"{named} is awaiting signatures from {', '.join(waiting)}"
        return f"{named} is awaiting signatures"
    if status is ProtocolStatus.NOT_YET_STARTED and protocol.starts_on:
        return f"{named} is signed and comes into force on {_day(protocol.starts_on)}"
    if status is ProtocolStatus.SUSPENDED:
        since = f" on {_day(protocol.suspended_on)}" if protocol.suspended_on else ""
        why = f": {protocol.suspension_reason}" if protocol.suspension_reason else ""
        return f"{named} was suspended{since}{why}"
    return f"{named} is {status.value.replace('_', ' ')}"


def _day(day: date) -> str:
    """A date as a reader writes it: 5 March 2027."""
    return f"{day.day} {day:%B %Y}"


def _parties(protocol: ProtocolTerms) -> set[uuid.UUID]:
    return {party.agency_id for party in protocol.parties}


def _find_protocol(
    request: DisclosureRequest, protocols: Sequence[ProtocolTerms], rules: GatewayRules
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
                    f"{_day(ended)}: its review date passed and was not renewed",
                    ICO_CODE,
                )
            )
        else:
            reasons.append(Reason(_not_in_force(protocol, status), ICO_CODE))
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
            Reason(
                f"no protocol in force covers the purpose {_purpose(rules, request.purpose)}",
                ICO_CODE,
            )
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
    # The discloser's own Art 6 basis, where its party records one.
    party = facts.party(facts.request.discloser.agency_id)
    article6 = party.article6 if party is not None and party.article6 else terms.article6
    basis = rules.article6[article6]
    failed = [c for c in _all_met(basis.requires, facts) if not c.met]
    if failed:
        return (
            None,
            WithheldCategory(
                category,
                f"the Article 6 basis {ARTICLE6_WORDS[article6]} is not available: {failed[0].why}",
                failed[0].citation or basis.citation,
            ),
            False,
            [],
        )

    condition = condition_citation = None
    needs = rules.categories[category].needs_condition
    if needs != "none":
        article = (
            "Article 9 (special category)" if needs == "article_9" else "Article 10 (criminal offence)"
        )
        if terms.schedule1 is None:
            return (
                None,
                WithheldCategory(
                    category,
                    f"{article} data needs a Data Protection Act 2018, Schedule 1 condition and the protocol names none",
                    "UK GDPR, Article 9(2)(g), Article 10; Data Protection Act 2018, section 10, Schedule 1",
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
                    f"the condition {SCHEDULE1_WORDS[terms.schedule1]} does not apply: {unmet[0].why}",
                    requirement.citation,
                ),
                False,
                [],
            )
        condition = SCHEDULE1_WORDS[terms.schedule1]
        condition_citation = requirement.citation

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
                f"{rules.categories[category].name}: shown without consent under a recorded "
                f"{release.kind.replace('_', ' ')}"
            )
        elif not consented.met:
            override = _all_met(["risk_of_serious_harm", "consent_not_available"], facts)
            if all(c.met for c in override):
                review = True
                conditions.append(
                    f"{rules.categories[category].name}: shared without consent under a safeguarding override "
                    "(Data Protection Act 2018, Schedule 1, paragraph 18); a person must confirm and record the decision"
                )
            else:
                return (
                    None,
                    WithheldCategory(
                        category,
                        f"the {ROLE_WORDS[facts.request.subject_role]}'s identity is shared only with "
                        f"consent covering this recipient ({consented.why})",
                        protection.citation,
                    ),
                    False,
                    [],
                )
    return (
        PermittedCategory(category, article6, basis.citation, condition, condition_citation),
        None,
        review,
        conditions,
    )


# --- the decision --------------------------------------------------------------


def _without_protocol(
    request: DisclosureRequest, rules: GatewayRules, reasons: list[Reason]
) -> Decision:
    """No protocol in force covers it: refused, unless a risk of serious harm is
    asserted or recorded, when sharing what is necessary remains possible once
    a person decides (needs review, naming the conditions)."""
    route = rules.without_protocol
    facts = Facts(request, rules)
    checks = _all_met(route.requires, facts) if route else []
    if route is None or not all(c.met for c in checks):
        return Decision(outcome="refused", reasons=tuple(reasons), rules_version=rules.version)
    said = [Reason(c.why, c.citation) for c in checks if c.explains and c.why]
    basis = (
        Article6Basis.PUBLIC_TASK
        if facts.discloser.public_authority
        else Article6Basis.LEGITIMATE_INTERESTS
    )
    categories = tuple(dict.fromkeys(request.categories))
    return Decision(
        outcome="needs_review",
        gateway_citation=route.citation,
        permitted=tuple(
            PermittedCategory(c, basis, rules.article6[basis].citation) for c in categories
        ),
        conditions=route.conditions,
        reasons=(*reasons, *said, Reason(route.note, route.citation)),
        rules_version=rules.version,
        awaiting_confirmation=categories,
    )


def decide(
    request: DisclosureRequest,
    protocols: Sequence[ProtocolTerms],
    rules: GatewayRules | None = None,
) -> Decision:
    rules = rules or default_rules()
    found = _find_protocol(request, protocols, rules)
    if isinstance(found, list):
        return _without_protocol(request, rules, found)
    protocol, purpose_terms = found
    reasons: list[Reason] = [
        Reason(
            f"protocol '{protocol.title}' version {protocol.version} is in force and covers "
            f"{_purpose(rules, request.purpose)}",
            ICO_CODE,
        )
    ]
    conditions: list[str] = []
    review = False
    if status_on(protocol, request.on) is ProtocolStatus.REVIEW_DUE:
        stops = protocol.review_date + timedelta(days=protocol.review_grace_days)
        conditions.append(
            f"the protocol's review is overdue; it stops authorising disclosures after "
            f"{_day(stops)}"
        )

    # The first gateway in the protocol's order that applies outright; failing
    # that, the first that applies on unsettled law (a person must review it).
    gateway, gateway_checks, refusals = None, [], []
    unsettled: tuple[Gateway, list[Check]] | None = None
    for code in purpose_terms.gateways:
        candidate = rules.gateway(code)
        if candidate is None or request.purpose not in candidate.purposes:
            refusals.append(
                Reason(
                    f"{candidate.name if candidate else 'a gateway the hub does not know'} "
                    f"does not serve {_purpose(rules, request.purpose)}"
                )
            )
            continue
        checks = _all_met(candidate.requires, Facts(request, rules, candidate, protocol))
        unmet = [c for c in checks if not c.met]
        if unmet:
            refusals += [Reason(f"{candidate.name}: {c.why}", c.citation) for c in unmet]
            continue
        if any(c.unsettled for c in checks):
            unsettled = unsettled or (candidate, checks)
            continue
        gateway, gateway_checks = candidate, checks
        break
    if gateway is None and unsettled is not None:
        gateway, gateway_checks = unsettled
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
    settled_by = request.identity_release
    for check in gateway_checks:
        if check.unsettled and settled_by is not None and settled_by.kind == "sharing_decision":
            reasons.append(
                Reason(
                    f"unsettled: {check.why} A recorded sharing decision covers this "
                    "disclosure: a person has reviewed it",
                    check.citation,
                )
            )
        elif check.unsettled:
            review = True
            reasons.append(Reason(f"unsettled: {check.why}", check.citation))
        elif check.explains and check.why:
            reasons.append(Reason(check.why, check.citation))
    if gateway.power_only:
        conditions.append(gateway.note)
    if protocol.onward_sharing:
        conditions.append(f"onward sharing: {protocol.onward_sharing}")

    facts = Facts(request, rules, gateway, protocol)
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
        reasons.append(Reason("nothing asked about may be shared"))
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


# --- onward sharing of minutes ---------------------------------------------------

OWNERS_AGREE = OnwardSharingRule(
    agreement="information_owners",
    text="Information is not passed on without the agreement of the agency that provided it.",
    citation="UK GDPR, Article 5(1)(b) purpose limitation",
)


def onward_sharing_rule(purpose: Purpose, rules: GatewayRules | None = None) -> OnwardSharingRule:
    """Who must agree before minutes shared for ``purpose`` go further: the
    chair (MAPPA) or every agency whose information they hold (MARAC)."""
    rules = rules or default_rules()
    return rules.onward_sharing.get(purpose, OWNERS_AGREE)
