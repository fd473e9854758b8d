"""Subjects: recorded, corrected and looked up by the agency that holds them.

Identity is validated against UK rules, sealed field by field, and indexed by
HMAC digests. Only the holding agency reads a subject here; every other
agency's view is built by the disclosure gate.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

import msgspec
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.crypto import BlindIndex, FieldCipher
from sharehub.db.base import new_id, utcnow
from sharehub.db.changes import check_version, write_changes
from sharehub.db.references import next_reference
from sharehub.disclosure.context import GateContext
from sharehub.errors import BadRequest, Conflict, NotFound, Unprocessable
from sharehub.identity.principal import Principal
from sharehub.privacy import identifiers
from sharehub.privacy.identity import Identity, index_digests, seal, unseal
from sharehub.privacy.models import Subject, SubjectIndexEntry, SubjectIndexState
from sharehub.privacy.redaction import holding_person
from sharehub.privacy.schemas import (
    IdentityIn,
    SubjectCreate,
    SubjectSearch,
    SubjectUpdate,
    SubjectView,
)
from sharehub.protocols.engine import SubjectRole

KIND = "subject"


def validate_identity(data: IdentityIn, today: date, prefix: str = "identity") -> Identity:
    """Check every identifier; one 422 naming each field at fault."""
    errors: list[tuple[str, str]] = []
    values: dict[str, object] = {
        "name": " ".join(data.name.split()),
        "aliases": tuple(" ".join(a.split()) for a in data.aliases),
        "address": tuple(" ".join(line.split()) for line in data.address),
    }
    for field, check in identifiers.CHECKS.items():
        raw = getattr(data, field)
        if raw is None:
            continue
        try:
            values[field] = check(raw)
        except ValueError as exc:
            errors.append((f"{prefix}.{field}", str(exc)))
    if data.date_of_birth is not None:
        try:
            values["date_of_birth"] = identifiers.date_of_birth(data.date_of_birth, today)
        except ValueError as exc:
            errors.append((f"{prefix}.date_of_birth", str(exc)))
    if errors:
        raise Unprocessable(errors)
    return msgspec.convert(values, Identity)


def holding_view(subject: Subject, identity: Identity, reader_agency_id: uuid.UUID) -> SubjectView:
    """The holding agency's own view: everything, since nothing leaves the agency."""
    role = SubjectRole(subject.role)
    return SubjectView(
        id=subject.id,
        reference=subject.reference,
        version=subject.version,
        holding_agency_id=subject.holding_agency_id,
        kind=subject.kind,  # type: ignore[arg-type]
        role=role,
        person=holding_person(reader_agency_id, subject, identity, role),
        created_at=subject.created_at,
    )


async def _reindex(
    db: AsyncSession, subject: Subject, identity: Identity, index: BlindIndex
) -> None:
    await db.execute(delete(SubjectIndexEntry).where(SubjectIndexEntry.subject_id == subject.id))
    # Someone new may now be named in texts already read: every worker's
    # memory of who a text names is out of date from this generation.
    await db.execute(
        update(SubjectIndexState)
        .where(SubjectIndexState.id == 1)
        .values(generation=SubjectIndexState.generation + 1, updated_at=utcnow())
    )
    db.add_all(
        SubjectIndexEntry(
            subject_id=subject.id,
            holding_agency_id=subject.holding_agency_id,
            field=field,
            digest=digest,
        )
        for field, digest in index_digests(identity, index)
    )


async def _matching(
    db: AsyncSession,
    agency_id: uuid.UUID | None,
    wanted: Sequence[tuple[str, str]],
    exclude: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """Subjects (of this agency, or of any agency for None) that match every
    (field, digest) given."""
    if not wanted:
        return []
    query = (
        select(SubjectIndexEntry.subject_id)
        .where(
            or_(
                *(
                    and_(SubjectIndexEntry.field == f, SubjectIndexEntry.digest == d)
                    for f, d in wanted
                )
            )
        )
        .group_by(SubjectIndexEntry.subject_id)
        .having(func.count(func.distinct(SubjectIndexEntry.field)) == len({f for f, _ in wanted}))
    )
    if agency_id is not None:
        query = query.where(SubjectIndexEntry.holding_agency_id == agency_id)
    if exclude is not None:
        query = query.where(SubjectIndexEntry.subject_id != exclude)
    return list(await db.scalars(query.order_by(SubjectIndexEntry.subject_id)))


def _same_person_rules(identity: Identity, index: BlindIndex) -> list[list[tuple[str, str]]]:
    """Same NHS number, same NI number, or same name and date of birth."""
    rules: list[list[tuple[str, str]]] = []
    if identity.nhs_number:
        rules.append([("nhs_number", index.digest("nhs_number", identity.nhs_number))])
    if identity.ni_number:
        rules.append([("ni_number", index.digest("ni_number", identity.ni_number))])
    if identity.date_of_birth:
        rules.append(
            [
                ("name", index.digest("name", identifiers.name_key(identity.name))),
                (
                    "date_of_birth",
                    index.digest("date_of_birth", identity.date_of_birth.isoformat()),
                ),
            ]
        )
    return rules


async def _same_person(
    db: AsyncSession,
    agency_id: uuid.UUID | None,
    subject: Subject,
    identity: Identity,
    index: BlindIndex,
) -> list[uuid.UUID]:
    found: dict[uuid.UUID, None] = {}
    for rule in _same_person_rules(identity, index):
        for match in await _matching(db, agency_id, rule, exclude=subject.id):
            found[match] = None
    return list(found)


async def possible_duplicates(
    db: AsyncSession, subject: Subject, identity: Identity, index: BlindIndex
) -> list[uuid.UUID]:
    """Other records of the same agency that look like the same person."""
    return await _same_person(db, subject.holding_agency_id, subject, identity, index)


async def same_person_anywhere(
    db: AsyncSession, subject: Subject, identity: Identity, index: BlindIndex
) -> list[uuid.UUID]:
    """This subject and the records of any agency that look like the same person
    (for history checks such as a repeat MARAC referral; nothing is shown)."""
    return [subject.id, *await _same_person(db, None, subject, identity, index)]


async def create_subject(
    db: AsyncSession,
    actor: Principal,
    data: SubjectCreate,
    gate: GateContext,
) -> SubjectView:
    cipher, index = gate.cipher, gate.index
    identity = validate_identity(data.identity, gate.today)
    subject = Subject(
        id=new_id(),
        reference=await next_reference(db, "person", gate.today.year),
        holding_agency_id=actor.agency_id,
        kind=data.kind,
        role=data.role.value,
        recorded_by=actor.user_id,
    )
    seal(subject, identity, cipher)
    db.add(subject)
    await db.flush()
    await _reindex(db, subject, identity, index)
    await db.flush()
    view = holding_view(subject, identity, actor.agency_id)
    view.possible_duplicates = await possible_duplicates(db, subject, identity, index)
    return view


async def held_subject(db: AsyncSession, actor: Principal, subject_id: uuid.UUID) -> Subject:
    """A subject the actor's agency holds; 404 for any other, so ids do not leak."""
    subject = await db.get(Subject, subject_id)
    if subject is None or subject.holding_agency_id != actor.agency_id:
        raise NotFound(KIND)
    return subject


async def subject_by_reference(db: AsyncSession, actor: Principal, reference: str) -> Subject:
    """A subject the actor's agency holds, found by the reference people use
    ("PER-2026-0042"); 404 for any other, so references do not leak."""
    subject = await db.scalar(select(Subject).where(Subject.reference == reference.upper()))
    if subject is None or subject.holding_agency_id != actor.agency_id:
        raise NotFound(KIND)
    return subject


async def id_for_reference(db: AsyncSession, reference: str) -> uuid.UUID:
    """The id behind a reference, for a read that then decides what the actor
    may see (the gate); 404 for no such reference."""
    subject_id = await db.scalar(select(Subject.id).where(Subject.reference == reference.upper()))
    if subject_id is None:
        raise NotFound(KIND)
    return subject_id


async def duplicate_references(
    db: AsyncSession, subject: Subject, cipher: FieldCipher, index: BlindIndex
) -> list[str]:
    """The references of the holding agency's other records that look like the
    same person (same NHS or NI number, or name and date of birth)."""
    ids = await possible_duplicates(db, subject, unseal(subject, cipher), index)
    if not ids:
        return []
    return list(
        await db.scalars(
            select(Subject.reference).where(Subject.id.in_(ids)).order_by(Subject.reference)
        )
    )


async def update_subject(
    db: AsyncSession,
    actor: Principal,
    subject_id: uuid.UUID,
    expected_version: int,
    changes: SubjectUpdate,
    gate: GateContext,
) -> SubjectView:
    cipher, index, today = gate.cipher, gate.index, gate.today
    subject = await held_subject(db, actor, subject_id)
    check_version(subject, expected_version, KIND)
    if changes.kind is not msgspec.UNSET:
        subject.kind = changes.kind
    if changes.role is not msgspec.UNSET:
        subject.role = changes.role.value
    if changes.identity is not msgspec.UNSET:
        identity = validate_identity(changes.identity, today)
        seal(subject, identity, cipher)
        await _reindex(db, subject, identity, index)
    else:
        identity = unseal(subject, cipher)
    await write_changes(db, KIND, _raced)
    view = holding_view(subject, identity, actor.agency_id)
    view.possible_duplicates = await possible_duplicates(db, subject, identity, index)
    return view


def _raced(_: IntegrityError) -> Conflict:
    return Conflict("the subject was changed at the same time; fetch it again")


async def search_subjects(
    db: AsyncSession,
    actor: Principal,
    query: SubjectSearch,
    gate: GateContext,
) -> list[SubjectView]:
    """Exact matches among the actor's agency's subjects, on every identifier given."""
    index = gate.index
    wanted: list[tuple[str, str]] = []
    errors: list[tuple[str, str]] = []
    if query.name is not None:
        wanted.append(("name", index.digest("name", identifiers.name_key(query.name))))
    if query.date_of_birth is not None:
        wanted.append(
            ("date_of_birth", index.digest("date_of_birth", query.date_of_birth.isoformat()))
        )
    for field, check in identifiers.CHECKS.items():
        raw = getattr(query, field)
        if raw is None:
            continue
        try:
            wanted.append((field, index.digest(field, check(raw))))
        except ValueError as exc:
            errors.append((field, str(exc)))
    if errors:
        raise Unprocessable(errors)
    if not wanted:
        raise BadRequest("give at least one identifier to search by", field="body")
    ids = (await _matching(db, actor.agency_id, wanted))[:50]
    subjects = (await db.scalars(select(Subject).where(Subject.id.in_(ids)))).all() if ids else []
    return [
        holding_view(s, unseal(s, gate.cipher), actor.agency_id)
        for s in sorted(subjects, key=lambda s: s.id)
    ]


async def held_subject_errors(
    db: AsyncSession, agency_id: uuid.UUID, ids: Sequence[uuid.UUID], field: str = "subjects"
) -> list[tuple[str, str]]:
    """Problems with subjects a record links to: each once, each one the agency
    holds and not anonymised under the retention schedule."""
    errors: list[tuple[str, str]] = []
    if len(set(ids)) != len(ids):
        errors.append((field, "each subject once"))
    held = set(
        await db.scalars(
            select(Subject.id).where(
                Subject.id.in_(ids),
                Subject.holding_agency_id == agency_id,
                Subject.anonymised_at.is_(None),
            )
        )
    )
    errors += [
        (f"{field}[{i}].subject_id", "no such subject held by your agency")
        for i, subject_id in enumerate(ids)
        if subject_id not in held
    ]
    return errors


async def reindex_all(
    db: AsyncSession, cipher: FieldCipher, index: BlindIndex, batch_size: int = 500
) -> int:
    """Write every subject's blind-index digests afresh (after a release adds a
    kind of digest, such as the words of names and addresses the gate searches
    free text for). Returns how many subjects were indexed."""
    done = 0
    last: uuid.UUID | None = None
    while True:
        query = select(Subject).where(Subject.anonymised_at.is_(None)).order_by(Subject.id)
        if last is not None:
            query = query.where(Subject.id > last)
        batch = list(await db.scalars(query.limit(batch_size)))
        if not batch:
            return done
        for subject in batch:
            await _reindex(db, subject, unseal(subject, cipher), index)
        await db.flush()
        done += len(batch)
        last = batch[-1].id
