"""Audits for information governance: who was shown what, on what basis.

- the disclosure audit: filtered by disclosing and receiving agency, protocol,
  gateway, purpose, period and user, with totals and rows;
- the consent audit: consents recorded, withdrawn and expiring, disclosures
  that relied on consent, and safeguarding overrides with their review;
- subject access: everything disclosed about one subject, streamed as JSON or
  CSV (cells that a spreadsheet would run as a formula are defused).

Reports are scoped to the asking agency: disclosures it made or received,
consents and overrides on the subjects it holds. Nothing here decrypts an
identity: rows name subjects by id.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta

import msgspec
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.disclosure.gated import AgencyName, Code, Reference
from sharehub.agencies.models import Agency
from sharehub.calendar import LOCAL_TIME
from sharehub.errors import NotFound
from sharehub.privacy.models import (
    Consent,
    ConsentWithdrawal,
    Disclosure,
    SafeguardingOverride,
    Subject,
)

# A spreadsheet runs a cell starting with these as a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class DisclosureFilter(msgspec.Struct, kw_only=True, frozen=True):
    discloser_agency_id: uuid.UUID | None = None
    recipient_agency_id: uuid.UUID | None = None
    protocol_id: uuid.UUID | None = None
    gateway: str | None = None
    purpose: str | None = None
    user_id: uuid.UUID | None = None
    subject_id: uuid.UUID | None = None
    # Local dates (Europe/London), both inclusive.
    period_from: date | None = None
    period_to: date | None = None


class DisclosureRow(msgspec.Struct, kw_only=True):
    disclosure_id: uuid.UUID
    at: datetime
    subject_id: uuid.UUID
    discloser_agency_id: uuid.UUID
    recipient_agency_id: uuid.UUID
    user_id: uuid.UUID | None
    purpose: Code
    basis: Code
    basis_ids: list[Reference]
    gateway: Code | None
    protocol_id: uuid.UUID | None
    shown: list[Code]
    withheld: list[Code]
    context_kind: Code
    context_id: uuid.UUID | None
    # Names as they are now (agencies are never deleted, names rarely change).
    discloser_agency: AgencyName | None = None
    recipient_agency: AgencyName | None = None


class DisclosureAudit(msgspec.Struct, kw_only=True):
    total: int
    by_basis: dict[Code, int]
    by_purpose: dict[Code, int]
    by_recipient: dict[Reference, int]
    items: list[DisclosureRow]
    limit: int
    offset: int


def local_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=LOCAL_TIME).astimezone(UTC)


def _conditions(agency_id: uuid.UUID, f: DisclosureFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        or_(Disclosure.holding_agency_id == agency_id, Disclosure.viewer_agency_id == agency_id)
    ]
    equal = {
        Disclosure.holding_agency_id: f.discloser_agency_id,
        Disclosure.viewer_agency_id: f.recipient_agency_id,
        Disclosure.protocol_id: f.protocol_id,
        Disclosure.gateway: f.gateway,
        Disclosure.purpose: f.purpose,
        Disclosure.user_id: f.user_id,
        Disclosure.subject_id: f.subject_id,
    }
    conditions += [column == value for column, value in equal.items() if value is not None]
    if f.period_from:
        conditions.append(Disclosure.created_at >= local_start(f.period_from))
    if f.period_to:
        conditions.append(Disclosure.created_at < local_start(f.period_to + timedelta(days=1)))
    return conditions


async def _named(db: AsyncSession, rows: list[DisclosureRow]) -> list[DisclosureRow]:
    ids = {r.discloser_agency_id for r in rows} | {r.recipient_agency_id for r in rows}
    if ids:
        names = dict(
            (await db.execute(select(Agency.id, Agency.name).where(Agency.id.in_(ids)))).all()
        )
        for row in rows:
            row.discloser_agency = names.get(row.discloser_agency_id)
            row.recipient_agency = names.get(row.recipient_agency_id)
    return rows


def row_of(d: Disclosure) -> DisclosureRow:
    return DisclosureRow(
        disclosure_id=d.id,
        at=d.created_at,
        subject_id=d.subject_id,
        discloser_agency_id=d.holding_agency_id,
        recipient_agency_id=d.viewer_agency_id,
        user_id=d.user_id,
        purpose=d.purpose,
        basis=d.basis,
        basis_ids=list(d.basis_ids),
        gateway=d.gateway,
        protocol_id=d.protocol_id,
        shown=list(d.shown),
        withheld=list(d.withheld),
        context_kind=d.context_kind,
        context_id=d.context_id,
    )


async def disclosure_audit(
    db: AsyncSession, agency_id: uuid.UUID, f: DisclosureFilter, *, limit: int, offset: int
) -> DisclosureAudit:
    where = and_(*_conditions(agency_id, f))

    async def counted(column) -> dict[str, int]:  # type: ignore[no-untyped-def]
        rows = await db.execute(select(column, func.count()).where(where).group_by(column))
        return {str(key): n for key, n in rows}

    by_basis = await counted(Disclosure.basis)
    items = await db.scalars(
        select(Disclosure)
        .where(where)
        .order_by(Disclosure.created_at.desc(), Disclosure.id)
        .limit(limit)
        .offset(offset)
    )
    return DisclosureAudit(
        total=sum(by_basis.values()),
        by_basis=by_basis,
        by_purpose=await counted(Disclosure.purpose),
        by_recipient=await counted(Disclosure.viewer_agency_id),
        items=await _named(db, [row_of(d) for d in items]),
        limit=limit,
        offset=offset,
    )


# --- consent --------------------------------------------------------------------------


class ExpiringConsent(msgspec.Struct, kw_only=True):
    consent_id: uuid.UUID
    subject_id: uuid.UUID
    expires_at: datetime
    purposes: list[Code]


class OverrideSummary(msgspec.Struct, kw_only=True):
    override_id: uuid.UUID
    subject_id: uuid.UUID
    user_id: uuid.UUID
    agency_id: uuid.UUID
    purpose: Code
    created_at: datetime
    review_outcome: Code | None
    reviewed_at: datetime | None


class ConsentAudit(msgspec.Struct, kw_only=True):
    period_from: date
    period_to: date
    recorded: int
    withdrawn: int
    disclosures_relying_on_consent: int
    expiring: list[ExpiringConsent]
    overrides_awaiting_review: list[OverrideSummary]
    overrides_reviewed: dict[Code, int]


async def consent_audit(
    db: AsyncSession,
    agency_id: uuid.UUID,
    *,
    period_from: date,
    period_to: date,
    expiring_within_days: int,
    now: datetime,
) -> ConsentAudit:
    start, end = local_start(period_from), local_start(period_to + timedelta(days=1))
    recorded = await db.scalar(
        select(func.count())
        .select_from(Consent)
        .where(Consent.holding_agency_id == agency_id, Consent.created_at >= start)
        .where(Consent.created_at < end)
    )
    withdrawn = await db.scalar(
        select(func.count())
        .select_from(ConsentWithdrawal)
        .join(Consent, Consent.id == ConsentWithdrawal.consent_id)
        .where(Consent.holding_agency_id == agency_id)
        .where(ConsentWithdrawal.withdrawn_at >= start, ConsentWithdrawal.withdrawn_at < end)
    )
    relying = await db.scalar(
        select(func.count())
        .select_from(Disclosure)
        .where(Disclosure.holding_agency_id == agency_id, Disclosure.basis.contains("consent"))
        .where(Disclosure.created_at >= start, Disclosure.created_at < end)
    )
    expiring = await db.execute(
        select(Consent)
        .outerjoin(ConsentWithdrawal, ConsentWithdrawal.consent_id == Consent.id)
        .where(Consent.holding_agency_id == agency_id, ConsentWithdrawal.id.is_(None))
        .where(Consent.expires_at > now)
        .where(Consent.expires_at <= now + timedelta(days=expiring_within_days))
        .order_by(Consent.expires_at)
    )
    overrides = (
        await db.scalars(
            select(SafeguardingOverride)
            .where(
                or_(
                    SafeguardingOverride.holding_agency_id == agency_id,
                    SafeguardingOverride.agency_id == agency_id,
                )
            )
            .order_by(SafeguardingOverride.created_at)
        )
    ).all()
    reviewed: dict[str, int] = {}
    for o in overrides:
        if o.review_outcome:
            reviewed[o.review_outcome] = reviewed.get(o.review_outcome, 0) + 1
    return ConsentAudit(
        period_from=period_from,
        period_to=period_to,
        recorded=recorded or 0,
        withdrawn=withdrawn or 0,
        disclosures_relying_on_consent=relying or 0,
        expiring=[
            ExpiringConsent(
                consent_id=c.id,
                subject_id=c.subject_id,
                expires_at=c.expires_at,  # type: ignore[arg-type]
                purposes=list(c.purposes),
            )
            for c in expiring.scalars()
        ],
        overrides_awaiting_review=[
            OverrideSummary(
                override_id=o.id,
                subject_id=o.subject_id,
                user_id=o.user_id,
                agency_id=o.agency_id,
                purpose=o.purpose,
                created_at=o.created_at,
                review_outcome=o.review_outcome,
                reviewed_at=o.reviewed_at,
            )
            for o in overrides
            if o.review_outcome is None
        ],
        overrides_reviewed=reviewed,
    )


# --- subject access -----------------------------------------------------------------------

CSV_COLUMNS = list(DisclosureRow.__struct_fields__)


def csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        text = ";".join(str(v) for v in value)
    elif isinstance(value, datetime):
        text = value.isoformat()
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(rows: Iterable[DisclosureRow], header: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(getattr(row, name)) for name in CSV_COLUMNS])
    return buffer.getvalue()


async def check_subject_access(
    db: AsyncSession, agency_id: uuid.UUID | None, subject_id: uuid.UUID
) -> None:
    """Subject access is answered by the agency that holds the subject."""
    subject = await db.get(Subject, subject_id)
    if subject is None or (agency_id is not None and subject.holding_agency_id != agency_id):
        raise NotFound("subject")


async def disclosure_batches(
    db: AsyncSession, conditions: list[ColumnElement[bool]], batch_size: int = 500
) -> AsyncIterator[list[DisclosureRow]]:
    """Disclosures matching ``conditions``, oldest first, a batch at a time."""
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        query = select(Disclosure).where(*conditions)
        if after is not None:
            query = query.where(
                or_(
                    Disclosure.created_at > after[0],
                    and_(Disclosure.created_at == after[0], Disclosure.id > after[1]),
                )
            )
        batch = (
            await db.scalars(query.order_by(Disclosure.created_at, Disclosure.id).limit(batch_size))
        ).all()
        if not batch:
            return
        after = (batch[-1].created_at, batch[-1].id)
        yield await _named(db, [row_of(d) for d in batch])


def disclosures_of(db: AsyncSession, subject_id: uuid.UUID) -> AsyncIterator[list[DisclosureRow]]:
    return disclosure_batches(db, [Disclosure.subject_id == subject_id])


def disclosures_for(
    db: AsyncSession, agency_id: uuid.UUID, f: DisclosureFilter
) -> AsyncIterator[list[DisclosureRow]]:
    return disclosure_batches(db, _conditions(agency_id, f))


async def export(
    batches: AsyncIterator[list[DisclosureRow]],
    form: str,
    progress: Callable[[int], None] = lambda _: None,
) -> AsyncIterator[bytes]:
    """Rows streamed as a JSON array or as CSV with a header."""
    count = 0
    yield b"[" if form == "json" else csv_lines([], header=True).encode()
    async for batch in batches:
        if form == "json":
            for row in batch:
                yield (b"," if count else b"") + msgspec.json.encode(row)
                count += 1
        else:
            yield csv_lines(batch, header=False).encode()
            count += len(batch)
        progress(count)
    if form == "json":
        yield b"]"


def subject_access_export(
    db: AsyncSession, subject_id: uuid.UUID, form: str
) -> AsyncIterator[bytes]:
    """The subject access export, streamed: a JSON array or CSV with a header."""
    return export(disclosures_of(db, subject_id), form)
