"""What each partner agency would see of a subject, and why: the holding
agency's view of its own sharing.

For every agency a protocol in force connects with the holder, and every
purpose that protocol covers, the gate plans the view that agency would get
(``reading.consent_state``: nothing is disclosed or recorded, since nothing
leaves the holder). ``explain`` turns the lawful-basis engine's decision for
each category of identity data into a reason a page can put in words: a code
from a short list (``REASONS``), with the law cited where the law is the reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.agencies.models import Agency
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import IN_FORCE
from sharehub.identity.principal import Principal
from sharehub.privacy import reading
from sharehub.privacy.identity import IDENTITY_FIELDS
from sharehub.privacy.schemas import ConsentStateView
from sharehub.privacy.subjects import held_subject
from sharehub.protocols.engine import ICO_CODE, ConsentState, status_on
from sharehub.protocols.gateways import GatewayRules
from sharehub.protocols.service import terms_in_force
from sharehub.protocols.terms import DataCategory, ProtocolTerms, Purpose

# Why a category of identity data is shown to, or withheld from, an agency.
REASONS = (
    # shown
    "consent",  # consent on record covers the agency, purpose and category
    "sharing_decision",  # the holder's recorded sharing decision covers it
    "protocol",  # the protocol allows it and the subject's role is not protected
    # withheld
    "no_consent",  # a protected role, and no consent or decision on record
    "consent_does_not_cover",  # consent on record, but not for this agency or category
    "consent_withdrawn",  # consent withdrawn or expired
    "not_in_protocol",  # the protocol does not allow this category for the purpose
    "law_does_not_apply",  # the legal basis or condition the protocol names does not apply
    "needs_review",  # the law is unsettled for this agency: a person must confirm
    "identity_first",  # contact details are never shown without identity
    "no_gateway",  # no gateway the protocol relies on applies to this agency
    "no_protocol",  # no protocol in force covers the purpose
    "nothing_recorded",  # nothing of this category is recorded
)


@dataclass(frozen=True)
class CategoryAnswer:
    category: DataCategory
    shown: bool
    reason: str
    # The law, where the law is the reason (as written in gateways.toml).
    citation: str | None = None


@dataclass(frozen=True)
class PartnerView:
    agency_id: uuid.UUID
    agency_name: str
    purpose: Purpose
    state: ConsentStateView
    answers: list[CategoryAnswer]
    protocol_title: str | None = None
    gateway_name: str | None = None
    gateway_citation: str | None = None


@dataclass(frozen=True)
class Route:
    """An agency a protocol in force connects with the holder, for a purpose."""

    agency_id: uuid.UUID
    purpose: Purpose
    protocol_ids: list[uuid.UUID] = field(default_factory=list)


def _in_force(terms: list[ProtocolTerms], agency_id: uuid.UUID, today: date) -> list[ProtocolTerms]:
    return [
        t
        for t in terms
        if status_on(t, today) in IN_FORCE and any(p.agency_id == agency_id for p in t.parties)
    ]


async def routes(db: AsyncSession, agency_id: uuid.UUID, today: date) -> list[Route]:
    """Every (partner agency, purpose) a protocol in force connects this agency with."""
    found: dict[tuple[uuid.UUID, Purpose], Route] = {}
    for terms in _in_force(await terms_in_force(db, today), agency_id, today):
        for purpose in terms.purposes:
            for party in terms.parties:
                if party.agency_id == agency_id:
                    continue
                key = (party.agency_id, purpose.purpose)
                route = found.setdefault(key, Route(party.agency_id, purpose.purpose))
                route.protocol_ids.append(terms.protocol_id)
    return list(found.values())


async def partner_agencies(
    db: AsyncSession, agency_id: uuid.UUID, today: date
) -> list[tuple[uuid.UUID, str]]:
    """The agencies a protocol in force connects with this one, by name."""
    ids = {r.agency_id for r in await routes(db, agency_id, today)}
    if not ids:
        return []
    rows = await db.execute(
        select(Agency.id, Agency.name).where(Agency.id.in_(ids)).order_by(Agency.name)
    )
    return [(i, n) for i, n in rows]


async def protocols_in_force(
    db: AsyncSession, agency_id: uuid.UUID, today: date
) -> list[tuple[uuid.UUID, str]]:
    """The protocols in force this agency is party to, by title."""
    terms = _in_force(await terms_in_force(db, today), agency_id, today)
    return sorted({t.protocol_id: t.title for t in terms}.items(), key=lambda p: p[1])


def explain(state: ConsentStateView, rules: GatewayRules) -> list[CategoryAnswer]:
    """Why each category of identity data is shown or withheld, from the
    engine's decision and the view the gate planned."""
    person = state.would_see
    shown_fields, withheld_fields = set(person.shown), set(person.withheld)
    protected = person.role.value in rules.identity_protection.subject_roles
    answers = []
    for code, decision in state.decisions.items():
        category = DataCategory(code)
        fields = {f for f, c in IDENTITY_FIELDS.items() if c is category}
        withheld = {w.category: w for w in decision.withheld}
        permitted = {p.category for p in decision.permitted}
        citation = None
        if fields & shown_fields:
            if not protected:
                reason = "protocol"
            elif category in state.categories_covered:
                reason = "consent"
            else:
                reason = "sharing_decision"
        elif not fields & withheld_fields:
            reason = "nothing_recorded"
        elif decision.protocol_id is None:
            reason = "no_protocol"
        elif decision.gateway is None:
            reason = "no_gateway"
        elif category in withheld:
            refusal = withheld[category]
            if refusal.citation == rules.identity_protection.citation:
                reason = {
                    ConsentState.GIVEN: "consent_does_not_cover",
                    ConsentState.WITHDRAWN: "consent_withdrawn",
                }.get(state.consent, "no_consent")
            elif refusal.citation == ICO_CODE:
                reason = "not_in_protocol"
            else:
                reason, citation = "law_does_not_apply", refusal.citation
        elif decision.outcome == "needs_review" or category in decision.awaiting_confirmation:
            reason = "needs_review"
        elif category in permitted:
            reason = "identity_first"
        else:
            reason = "not_in_protocol"
        answers.append(CategoryAnswer(category, bool(fields & shown_fields), reason, citation))
    return answers


async def what_partners_see(
    db: AsyncSession, gate: GateContext, actor: Principal, subject_id: uuid.UUID
) -> list[PartnerView]:
    """For the holding agency: each partner agency and purpose, what that agency
    would see of the subject, and why."""
    await held_subject(db, actor, subject_id)
    found = await routes(db, actor.agency_id, gate.today)
    if not found:
        return []
    names = dict(
        (
            await db.execute(
                select(Agency.id, Agency.name).where(Agency.id.in_({r.agency_id for r in found}))
            )
        ).all()
    )
    titles = {(t.protocol_id, t.version): t.title for t in await terms_in_force(db, gate.today)}
    views = []
    for route in sorted(found, key=lambda r: (names.get(r.agency_id, ""), r.purpose.value)):
        state = await reading.consent_state(
            db, gate, actor, subject_id, route.agency_id, route.purpose
        )
        relied_on = next(iter(state.decisions.values()), None)
        gateway = gate.rules.gateway(relied_on.gateway) if relied_on and relied_on.gateway else None
        views.append(
            PartnerView(
                agency_id=route.agency_id,
                agency_name=names.get(route.agency_id, ""),
                purpose=route.purpose,
                state=state,
                answers=explain(state, gate.rules),
                protocol_title=titles.get((relied_on.protocol_id, relied_on.protocol_version))
                if relied_on
                else None,
                gateway_name=gateway.name if gateway else None,
                gateway_citation=gateway.citation if gateway else None,
            )
        )
    return views
