"""Warnings before anyone signs: every party pair, purpose and data category a
protocol names that no gateway in it can support, in plain English.

Worked out by asking the lawful-basis engine itself, for each ordered pair of
parties, purpose and category, about a subject whose identity is not
protected, with nothing on record: what it refuses then is what the protocol
cannot do. Where only the person's consent or a recorded risk of serious harm
would open the way, that is said too, since a practitioner will meet it case
by case (an s115-only MARAC protocol with a voluntary-sector service redacts
the victim from her own IDVA).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import msgspec

from sharehub.protocols.engine import (
    AgencyRef,
    ConsentState,
    Decision,
    DisclosureRequest,
    SubjectRole,
    decide,
)
from sharehub.protocols.gateways import GatewayRules
from sharehub.protocols.terms import PartyTerms, ProtocolStatus, ProtocolTerms, PurposeTerms


def _as_signed(terms: ProtocolTerms) -> ProtocolTerms:
    """The protocol as if every party had signed and it were in force."""
    return msgspec.structs.replace(
        terms,
        status=ProtocolStatus.ACTIVE,
        effective_from=None,
        starts_on=None,
        parties=tuple(msgspec.structs.replace(p, signed=True) for p in terms.parties),
    )


def _pairs(terms: ProtocolTerms) -> Iterator[tuple[PartyTerms, PartyTerms]]:
    for discloser in terms.parties:
        for recipient in terms.parties:
            if discloser.agency_id != recipient.agency_id:
                yield discloser, recipient


def _ask(
    protocol: ProtocolTerms,
    rules: GatewayRules,
    discloser: PartyTerms,
    recipient: PartyTerms,
    section: PurposeTerms,
    **facts: object,
) -> Decision:
    request = DisclosureRequest(
        discloser=AgencyRef(discloser.agency_id, discloser.agency_type, discloser.name),
        recipient=AgencyRef(recipient.agency_id, recipient.agency_type, recipient.name),
        purpose=section.purpose,
        categories=tuple(c.category for c in section.categories),
        subject_role=SubjectRole.OTHER,
        on=protocol.review_date - timedelta(days=1),
        **facts,  # type: ignore[arg-type]
    )
    return decide(request, (protocol,), rules)


# What every decision says that explains nothing about this pair.
_GENERAL = ("protocol '", "gateway: ", "no gateway the protocol relies on", "none of the data")


def _why(decision: Decision) -> str:
    said = [r.text for r in decision.reasons if not r.text.startswith(_GENERAL)]
    said += [w.reason for w in decision.withheld]
    return "; ".join(dict.fromkeys(t.rstrip(".") for t in said)) or (
        "no gateway the protocol names applies"
    )


def _advice(recipient: PartyTerms) -> str:
    who = recipient.name or "the recipient"
    return (
        "Add consent or the safeguarding condition (Data Protection Act 2018, Schedule 1, "
        f"paragraph 18) as gateways, or record that {who} acts on behalf of a relevant "
        "authority if it does."
    )


def protocol_warnings(terms: ProtocolTerms, rules: GatewayRules) -> list[str]:
    protocol = _as_signed(terms)
    found: list[str] = []
    for section in protocol.purposes:
        purpose = rules.purposes[section.purpose].name
        for discloser, recipient in _pairs(protocol):
            plain = _ask(protocol, rules, discloser, recipient, section)
            blocked = {w.category for w in plain.withheld}
            if plain.outcome == "permitted" and not blocked:
                continue
            between = (
                f"{discloser.name or 'A party'} to {recipient.name or 'another party'} for "
                f"{purpose}"
            )
            opened = _ask(
                protocol,
                rules,
                discloser,
                recipient,
                section,
                consent=ConsentState.GIVEN,
                consent_covers_recipient=True,
                high_risk_of_serious_harm=True,
                consent_would_prejudice=True,
            )
            still = {w.category for w in opened.withheld}
            if opened.outcome == "refused" or still:
                names = ", ".join(rules.categories[c].name for c in sorted(still)) if still else ""
                what = f" ({names})" if names else ""
                found.append(
                    f"Nothing{what} can be shared from {between}, even with consent or a "
                    f"recorded risk of serious harm: {_why(opened if still else plain)}. "
                    + _advice(recipient)
                )
            else:
                found.append(
                    f"From {between}, sharing rests on the person's consent covering "
                    f"{recipient.name or 'the recipient'} or a recorded risk of serious harm, "
                    f"case by case: {_why(plain)}. " + _advice(recipient)
                )
    return found
