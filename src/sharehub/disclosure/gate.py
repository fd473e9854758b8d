"""The disclosure gate: the one place that builds a view of subjects for a viewer.

Given the viewer (person and agency), the purpose, the subjects in a record
with their roles in it, and the record's free text, the gate

1. asks the lawful-basis engine, per subject and per category of identity
   data, with the consent, sharing decisions and safeguarding overrides on
   record, whether the viewer's agency may see it;
2. has the redactor build the view: each identity field shown or withheld,
   a stable pseudonym per subject, identifiers in free text replaced;
3. records one disclosure per subject (what was shown and withheld, and why)
   and hands each to the audit, in the transaction of the read.

The holding agency's own staff see everything and nothing is recorded as a
disclosure, since nothing leaves the agency.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.agencies.models import Agency
from sharehub.agencies.types import AgencyType
from sharehub.audit.events import AuditEvent
from sharehub.db.base import new_id
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gated import GatedText
from sharehub.privacy.consent import covering, live_consents
from sharehub.privacy.decisions import decision_covers, live_releases
from sharehub.privacy.identifiers import address_line_key, name_key
from sharehub.privacy.identity import IDENTITY_FIELDS, Identity, unseal
from sharehub.privacy.models import (
    Consent,
    Disclosure,
    SafeguardingOverride,
    SharingDecision,
    Subject,
    SubjectIndexEntry,
)
from sharehub.privacy.recognition import FoundPerson, held_in
from sharehub.privacy.redaction import (
    PersonView,
    Redactor,
    SubjectInView,
    holding_person,  # noqa: F401  re-exported with own_text: what the holding agency reads
    own_text,  # noqa: F401
    person_view,
    planned_person,  # noqa: F401
    pseudonyms,
    seal_text,
    unlinked_pseudonyms,
)
from sharehub.privacy.references import HeldReferences
from sharehub.protocols.engine import (
    AgencyRef,
    ConsentState,
    Decision,
    DisclosureRequest,
    IdentityRelease,
    RecordedRisk,
    SubjectRole,
    decide,
    status_on,
)
from sharehub.protocols.gateways import GatewayRules
from sharehub.protocols.service import terms_in_force
from sharehub.protocols.terms import DataCategory, ProtocolStatus, ProtocolTerms, Purpose
from sharehub.referrals.marac.risks import recorded_risks

IN_FORCE = (ProtocolStatus.ACTIVE, ProtocolStatus.REVIEW_DUE)


@dataclass(frozen=True)
class Viewer:
    agency_id: uuid.UUID
    user_id: uuid.UUID | None = None


@dataclass(frozen=True)
class SubjectInRecord:
    subject: Subject
    role: SubjectRole


@dataclass
class SubjectPlan:
    """What one subject's view will show this viewer, and why."""

    subject_id: uuid.UUID
    holding_agency_id: uuid.UUID
    role: SubjectRole
    identity: Identity
    shown: frozenset[str]
    basis: str
    basis_ids: list[str]
    consent: ConsentState
    covering_consents: list[uuid.UUID]
    decisions: dict[str, Decision] = field(default_factory=dict)
    covered_categories: list[DataCategory] = field(default_factory=list)
    # The address is a protected person's too, so it is withheld with theirs.
    household_protected: bool = False

    @property
    def relied_on(self) -> Decision | None:
        """The decision the identity rested on (identity is always decided first)."""
        return next(iter(self.decisions.values()), None)

    @property
    def own_agency(self) -> bool:
        return self.basis == "holding"


class GatedView(msgspec.Struct, kw_only=True):
    people: list[PersonView]
    texts: dict[str, GatedText | None]
    # One per subject disclosed to another agency (empty for the holding agency).
    disclosure_ids: list[uuid.UUID] = msgspec.field(default_factory=list)
    # People the hub holds who are named in the texts without being linked:
    # withheld ("Person A"), and each record of them noted as a disclosure of
    # text about them.
    unlinked: list[FoundPerson] = msgspec.field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """Everything the gate reads once per view."""

    terms: Sequence[ProtocolTerms]
    parties: Mapping[uuid.UUID, frozenset[uuid.UUID]]
    agency_types: Mapping[uuid.UUID, AgencyType]
    # For the engine's explanations, which name the agencies.
    agency_names: Mapping[uuid.UUID, str] = field(default_factory=dict)

    def agency(self, agency_id: uuid.UUID) -> AgencyRef:
        return AgencyRef(
            agency_id, self.agency_types[agency_id], self.agency_names.get(agency_id, "")
        )


async def _context(db: AsyncSession, agency_ids: set[uuid.UUID], today: date) -> Context:
    terms = await terms_in_force(db, today)
    parties = {
        t.protocol_id: frozenset(p.agency_id for p in t.parties)
        for t in terms
        if status_on(t, today) in IN_FORCE
    }
    rows = (
        await db.execute(
            select(Agency.id, Agency.agency_type, Agency.name).where(Agency.id.in_(agency_ids))
        )
    ).all()
    return Context(
        terms, parties, {i: AgencyType(t) for i, t, _ in rows}, {i: n for i, _, n in rows}
    )


def _consent_state(
    consents: Sequence[Consent], covered: Sequence[Consent], lapsed: ConsentState | None
) -> ConsentState:
    if covered or consents:
        return ConsentState.GIVEN
    return lapsed or ConsentState.NOT_SOUGHT


async def plan(
    db: AsyncSession,
    gate: GateContext,
    *,
    viewer: Viewer,
    purpose: Purpose,
    subjects: Sequence[SubjectInRecord],
) -> list[SubjectPlan]:
    """Decide, per subject, which identity fields this viewer may see."""
    cipher, rules, now, today = gate.cipher, gate.rules, gate.now, gate.today
    ids = [s.subject.id for s in subjects]
    others = [s for s in subjects if s.subject.holding_agency_id != viewer.agency_id]
    plans: dict[uuid.UUID, SubjectPlan] = {}
    for entry in subjects:
        if entry.subject.holding_agency_id == viewer.agency_id:
            plans[entry.subject.id] = SubjectPlan(
                entry.subject.id,
                entry.subject.holding_agency_id,
                entry.role,
                unseal(entry.subject, cipher),
                frozenset(IDENTITY_FIELDS),
                "holding",
                [],
                ConsentState.NOT_SOUGHT,
                [],
            )
    if others:
        context = await _context(
            db, {viewer.agency_id} | {s.subject.holding_agency_id for s in others}, today
        )
        consents, lapsed = await live_consents(db, ids, now)
        decisions, overrides = await live_releases(
            db, ids, user_id=viewer.user_id, purpose=purpose, now=now
        )
        risks = await recorded_risks(db, [s.subject.id for s in others], today)
        cache: dict[DisclosureRequest, Decision] = {}
        for entry in others:
            plans[entry.subject.id] = _plan_one(
                entry,
                viewer=viewer,
                purpose=purpose,
                context=context,
                consents=consents.get(entry.subject.id, []),
                lapsed=lapsed.get(entry.subject.id),
                decisions=decisions.get(entry.subject.id, []),
                override=overrides.get(entry.subject.id),
                recorded_risk=risks.get(entry.subject.id),
                identity=unseal(entry.subject, cipher),
                rules=rules,
                today=today,
                cache=cache,
            )
        await _protect_households(db, gate, viewer, [plans[s.subject.id] for s in others])
    return [plans[i] for i in dict.fromkeys(ids)]


_ADDRESS_FIELDS = frozenset({"address", "postcode"})


async def _protect_households(
    db: AsyncSession, gate: GateContext, viewer: Viewer, plans: Sequence[SubjectPlan]
) -> None:
    """A person recorded at a protected person's address (a victim, a child, a
    complainant) has that address withheld wherever the protected person's is:
    a cohabiting perpetrator's address is the victim's. Only where the viewer
    sees the protected person's address too (or holds them) is it shown."""
    showing = [p for p in plans if p.shown & _ADDRESS_FIELDS and p.identity.address]
    if not showing:
        return
    keys = {
        p.subject_id: {
            gate.index.digest("address", key)
            for key in map(address_line_key, p.identity.address)
            if key
        }
        for p in showing
    }
    digests = set().union(*keys.values())
    if not digests:
        return
    seen = {p.subject_id for p in showing}
    protected = gate.rules.identity_protection.subject_roles
    rows = await db.execute(
        select(SubjectIndexEntry.subject_id, SubjectIndexEntry.digest)
        .join(Subject, Subject.id == SubjectIndexEntry.subject_id)
        .where(
            SubjectIndexEntry.field == "address",
            SubjectIndexEntry.digest.in_(list(digests)),
            Subject.role.in_(list(protected)),
            Subject.holding_agency_id != viewer.agency_id,
            Subject.anonymised_at.is_(None),
            Subject.id.not_in(list(seen)),
        )
    )
    found = rows.all()
    if not found:
        return
    # Another record of the same person (same name) is not another person.
    names = {
        subject_id: digest
        for subject_id, digest in await db.execute(
            select(SubjectIndexEntry.subject_id, SubjectIndexEntry.digest).where(
                SubjectIndexEntry.field == "name",
                SubjectIndexEntry.subject_id.in_({subject_id for subject_id, _ in found}),
            )
        )
    }
    for p in showing:
        own_name = gate.index.digest("name", name_key(p.identity.name))
        if any(
            digest in keys[p.subject_id] and names.get(housemate) != own_name
            for housemate, digest in found
        ):
            p.shown = p.shown - _ADDRESS_FIELDS
            p.household_protected = True


def _plan_one(
    entry: SubjectInRecord,
    *,
    viewer: Viewer,
    purpose: Purpose,
    context: Context,
    consents: Sequence[Consent],
    lapsed: ConsentState | None,
    decisions: Sequence[SharingDecision],
    override: SafeguardingOverride | None,
    recorded_risk: RecordedRisk | None,
    identity: Identity,
    rules: GatewayRules,
    today: date,
    cache: dict[DisclosureRequest, Decision],
) -> SubjectPlan:
    subject = entry.subject
    holder, viewer_type = subject.holding_agency_id, context.agency_types.get(viewer.agency_id)
    shown: set[str] = set()
    basis_ids: dict[str, None] = {}
    bases: set[str] = set()
    made: dict[str, Decision] = {}
    all_covering: dict[uuid.UUID, None] = {}
    covered_categories: list[DataCategory] = []
    state = ConsentState.NOT_SOUGHT
    for category in dict.fromkeys(IDENTITY_FIELDS.values()):
        covered = covering(
            consents,
            agency_id=viewer.agency_id,
            purpose=purpose,
            category=category,
            protocol_parties=context.parties,
        )
        all_covering.update(dict.fromkeys(c.id for c in covered))
        if covered:
            covered_categories.append(category)
        state = _consent_state(consents, covered, lapsed)
        release, risk = None, recorded_risk
        if override is not None:
            release = IdentityRelease(kind="safeguarding_override", reference=override.id)
            # The override is itself a recorded risk of serious harm.
            risk = RecordedRisk(
                kind="safeguarding_override", reference=f"of {override.created_at:%d %B %Y}"
            )
        else:
            decision = next(
                (
                    d
                    for d in decisions
                    if decision_covers(
                        d,
                        agency_id=viewer.agency_id,
                        purpose=purpose,
                        category=category,
                        protocol_parties=context.parties,
                    )
                ),
                None,
            )
            if decision is not None:
                release = IdentityRelease(kind="sharing_decision", reference=decision.id)
        if viewer_type is None or holder not in context.agency_types:
            continue
        request = DisclosureRequest(
            discloser=context.agency(holder),
            recipient=context.agency(viewer.agency_id),
            purpose=purpose,
            categories=(category,),
            subject_role=entry.role,
            consent=state,
            consent_covers_recipient=bool(covered),
            identity_release=release,
            recorded_risk=risk,
            on=today,
        )
        if request not in cache:
            cache[request] = decide(request, context.terms, rules)
        verdict = cache[request]
        made[category.value] = verdict
        # Shown only when the engine permits it outright: "needs review" (an
        # unsettled gateway, a decision awaiting confirmation) is not a yes.
        permitted = {p.category for p in verdict.permitted} - set(verdict.awaiting_confirmation)
        if verdict.outcome != "permitted" or category not in permitted:
            continue
        if category is not DataCategory.IDENTITY and "name" not in shown:
            # Contact details identify a person as surely as a name (an
            # e-mail address often is one): never shown without identity.
            continue
        shown |= {f for f, c in IDENTITY_FIELDS.items() if c is category}
        protected = entry.role.value in rules.identity_protection.subject_roles
        if not protected:
            bases.add("protocol")
        elif covered:
            bases.add("consent")
            basis_ids.update(dict.fromkeys(str(c.id) for c in covered))
        elif release is not None:
            bases.add(release.kind)
            basis_ids[str(release.reference)] = None
    basis = "none" if not bases else "+".join(sorted(bases))
    return SubjectPlan(
        subject.id,
        holder,
        entry.role,
        identity,
        frozenset(shown),
        basis,
        list(basis_ids),
        state,
        list(all_covering),
        made,
        covered_categories,
    )


def render(
    plans: Sequence[SubjectPlan],
    texts: Mapping[str, str | None],
    subjects_kind: Mapping[uuid.UUID, str],
    *,
    own_texts: Collection[str] = (),
    unlinked: Sequence[FoundPerson] = (),
    references_shown: bool = False,
    held_references: HeldReferences | None = None,
) -> tuple[list[PersonView], dict[str, GatedText | None]]:
    """Plain: the people, the redacted texts and the people named in them without
    being linked, for the planned view. A text is left as written only when
    the viewer's agency wrote it (``own_texts``);
    otherwise every person the hub holds who is named in it (``unlinked``) is
    withheld, and identifiers of people the hub does not know (a phone number,
    an e-mail address) and restricted references are redacted too."""
    names = pseudonyms([(p.subject_id, p.role) for p in plans])
    in_view = [
        SubjectInView(
            subject_id=p.subject_id,
            role=p.role,
            kind=subjects_kind[p.subject_id],
            identity=p.identity,
            shown=p.shown,
        )
        for p in plans
    ]
    people = [person_view(s, names[s.subject_id]) for s in in_view]
    redactor = Redactor(
        in_view,
        names,
        references_shown=references_shown,
        held_references=held_references,
        unlinked=[
            (found.names, found.addresses, found.values, pseudonym)
            for found, pseudonym in zip(unlinked, unlinked_pseudonyms(len(unlinked)), strict=True)
        ],
    )
    return people, {
        key: seal_text(value) if key in own_texts else redactor.text(value)
        for key, value in texts.items()
    }


def references_entitled(gate: GateContext, agency_type: AgencyType | None) -> bool:
    """Restricted references (PNC ID, nDelius CRN, ViSOR, prison number) in free
    text are shown to the staff of MAPPA's responsible authorities (CJA 2003
    section 325(1): police, probation, prisons) and withheld from everyone else."""
    if agency_type is None:
        return False
    return gate.rules.agency_types[agency_type].mappa == "responsible_authority"


async def disclose(
    db: AsyncSession,
    gate: GateContext,
    *,
    viewer: Viewer,
    purpose: Purpose,
    subjects: Sequence[SubjectInRecord],
    texts: Mapping[str, str | None] | None = None,
    texts_held_by: uuid.UUID | Mapping[str, uuid.UUID] | None = None,
    context_kind: str,
    context_id: uuid.UUID | None,
    references_shown: bool | None = None,
    held_references: HeldReferences | None = None,
) -> GatedView:
    """Build the view and record every disclosure in it, in the caller's transaction.
    ``texts_held_by`` says which agency wrote the texts (one for all, or per text):
    the viewer's own texts about its own people are returned as written.
    ``references_shown`` overrides who may see restricted references (a MAPPA
    coordinator for the area may); ``held_references`` are the records' own, one
    value or several per kind (minutes of several MAPPA cases hold each case's)."""
    plans = await plan(db, gate, viewer=viewer, purpose=purpose, subjects=subjects)
    texts = texts or {}
    held_by = (
        texts_held_by if isinstance(texts_held_by, Mapping) else dict.fromkeys(texts, texts_held_by)
    )
    own_texts = {key for key, holder in held_by.items() if holder == viewer.agency_id}
    # An agency's own words come back to it as written, whoever they name: it
    # wrote them, so nothing leaves it (an IDVA reads her notes on her victim).
    to_redact = [value for key, value in texts.items() if value and key not in own_texts]
    unlinked: list[FoundPerson] = []
    if to_redact:
        unlinked = await held_in(
            db, gate.index, to_redact, linked=[(p.subject_id, p.identity) for p in plans]
        )
    if references_shown is None:
        viewer_type = await db.scalar(
            select(Agency.agency_type).where(Agency.id == viewer.agency_id)
        )
        references_shown = references_entitled(
            gate, AgencyType(viewer_type) if viewer_type else None
        )
    people, redacted = render(
        plans,
        texts,
        {s.subject.id: s.subject.kind for s in subjects},
        own_texts=own_texts,
        unlinked=unlinked,
        references_shown=references_shown,
        held_references=held_references,
    )
    view = GatedView(people=people, texts=redacted, unlinked=unlinked)
    for person, planned in zip(people, plans, strict=True):
        if planned.own_agency:
            continue
        view.disclosure_ids.append(
            await _record(
                db,
                gate,
                viewer=viewer,
                purpose=purpose,
                shown=person.shown,
                withheld=person.withheld,
                subject_id=planned.subject_id,
                holding_agency_id=planned.holding_agency_id,
                basis=planned.basis,
                basis_ids=planned.basis_ids,
                relied_on=planned.relied_on,
                decisions={k: msgspec.to_builtins(d) for k, d in planned.decisions.items()},
                context_kind=context_kind,
                context_id=context_id,
                household_protected=planned.household_protected,
            )
        )
    # People named in another agency's text without being linked: nothing of
    # their identity is shown, but text about them is, so each is recorded.
    for found in unlinked:
        for subject_id, holder in found.records:
            if holder == viewer.agency_id:
                continue
            disclosure_id = await _record(
                db,
                gate,
                viewer=viewer,
                purpose=purpose,
                shown=[],
                withheld=found.fields,
                subject_id=subject_id,
                holding_agency_id=holder,
                basis="none",
                basis_ids=[],
                relied_on=None,
                decisions={},
                context_kind=context_kind,
                context_id=context_id,
                named_in_text=True,
            )
            view.disclosure_ids.append(disclosure_id)
    await db.flush()
    return view


async def _record(
    db: AsyncSession,
    gate: GateContext,
    *,
    viewer: Viewer,
    purpose: Purpose,
    shown: list[str],
    withheld: list[str],
    subject_id: uuid.UUID,
    holding_agency_id: uuid.UUID,
    basis: str,
    basis_ids: list[str],
    relied_on: Decision | None,
    decisions: dict[str, object],
    context_kind: str,
    context_id: uuid.UUID | None,
    household_protected: bool = False,
    named_in_text: bool = False,
) -> uuid.UUID:
    """One disclosure row and its ledger entry, in the read's transaction."""
    disclosure = Disclosure(
        id=new_id(),
        subject_id=subject_id,
        holding_agency_id=holding_agency_id,
        viewer_agency_id=viewer.agency_id,
        user_id=viewer.user_id,
        purpose=purpose.value,
        context_kind=context_kind,
        context_id=context_id,
        shown=list(shown),
        withheld=list(withheld),
        basis=basis,
        basis_ids=basis_ids,
        protocol_id=relied_on.protocol_id if relied_on else None,
        gateway=relied_on.gateway if relied_on else None,
        decision=decisions,
        created_at=gate.now,
    )
    db.add(disclosure)
    details: dict[str, object] = {
        "disclosure_id": str(disclosure.id),
        "holding_agency_id": str(holding_agency_id),
        "purpose": purpose.value,
        "context_kind": context_kind,
        "context_id": str(context_id) if context_id else None,
        "shown": list(shown),
        "withheld": list(withheld),
        "basis_ids": basis_ids,
    }
    if household_protected:
        details["household_protected"] = True
    if named_in_text:
        details["named_in_text"] = True
    await gate.audit.record(
        db=db,
        event=AuditEvent(
            kind="disclosure",
            at=gate.now,
            user_id=viewer.user_id,
            agency_id=viewer.agency_id,
            subject_id=subject_id,
            reason=basis,
            details=details,
        ),
    )
    return disclosure.id


async def sharing_partners(
    db: AsyncSession, agency_id: uuid.UUID, purpose: Purpose, today: date
) -> frozenset[uuid.UUID]:
    """The agencies a protocol in force connects with this one for the purpose
    (itself included). Information that names nobody the hub holds, such as an
    agency's notes for a meeting, still goes only where a protocol allows."""
    found = {agency_id}
    for terms in await terms_in_force(db, today):
        parties = {p.agency_id for p in terms.parties}
        if (
            agency_id in parties
            and status_on(terms, today) in IN_FORCE
            and any(p.purpose == purpose for p in terms.purposes)
        ):
            found |= parties
    return frozenset(found)


def lawful_route_exists(plans: Sequence[SubjectPlan]) -> bool:
    """Whether a protocol in force connects the viewer's agency with the holder
    for the purpose (whatever it then allows): without one, another agency
    is told the subject does not exist."""
    return all(
        p.own_agency or any(d.protocol_id is not None for d in p.decisions.values()) for p in plans
    )
