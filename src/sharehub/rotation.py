"""Re-encrypting every sealed field under the active key (``sharehub keys rotate``).

Rotation is: put the new key first in SHAREHUB_ENCRYPTION_KEYS (keeping the
old ones after it, so everything still decrypts), restart, run this, then
retire the old keys. Rows are re-encrypted in batches, each its own
transaction, and only rows not yet under the active key are picked up: a run
that stops half-way leaves every row readable, and running it again carries on
where it stopped. Each update is conditional on the ciphertext it read, so a
value changed meanwhile by the hub is left alone (it is already under the
active key). Versions and update times are not touched: nothing changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import Column, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from sharehub.crypto import DecryptionFailed, FieldCipher, place
from sharehub.db.base import Base
from sharehub.db.models import metadata  # noqa: F401  (every table registered)
from sharehub.files import EncryptedFiles


@dataclass(frozen=True)
class SealedColumn:
    table: Table
    field: str

    @property
    def column(self) -> Column:  # type: ignore[type-arg]
        return self.table.c[f"{self.field}_encrypted"]

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.field}"


def sealed_columns() -> Iterator[SealedColumn]:
    """Every ``<field>_encrypted`` column of every model that declares ``__encrypted__``."""
    for mapper in sorted(Base.registry.mappers, key=lambda m: m.class_.__name__):
        for field in getattr(mapper.class_, "__encrypted__", ()):
            yield SealedColumn(mapper.local_table, field)  # type: ignore[arg-type]


@dataclass
class Progress:
    column: str
    done: int
    total: int
    failed: int


async def rotate_files(engine: AsyncEngine, files: EncryptedFiles) -> Progress:
    """The attachments' files, kept outside the database with the same keys."""
    from sharehub.referrals.asb.models import AsbAttachment

    async with engine.connect() as connection:
        ids = list(await connection.scalars(select(AsbAttachment.id).order_by(AsbAttachment.id)))
    progress = Progress("attachment files", 0, 0, 0)
    for row_id in ids:
        try:
            if not files.holds(row_id):
                continue
            if files.rekey(AsbAttachment.__tablename__, row_id):
                progress.total += 1
                progress.done += 1
        except DecryptionFailed:
            progress.total += 1
            progress.failed += 1
    return progress


async def rotate(
    engine: AsyncEngine,
    cipher: FieldCipher,
    *,
    batch_size: int = 500,
    report: Callable[[Progress], None] = lambda _: None,
    max_batches: int | None = None,
) -> list[Progress]:
    """Re-encrypt what is not under the active key. ``max_batches`` stops early
    (as an interrupted run would). Returns the outcome per column."""
    outcome: list[Progress] = []
    batches = 0
    for sealed in sealed_columns():
        column, key = sealed.column, sealed.table.c.id
        stale = column.is_not(None) & ~column.startswith(cipher.active_prefix, autoescape=True)
        async with engine.connect() as connection:
            total = await connection.scalar(select(func.count()).where(stale)) or 0
        progress = Progress(sealed.name, 0, total, 0)
        after: uuid.UUID | None = None
        while total:
            if max_batches is not None and batches >= max_batches:
                return [*outcome, progress]
            query = select(key, column).where(stale).order_by(key).limit(batch_size)
            if after is not None:
                query = query.where(key > after)
            async with engine.begin() as connection:
                rows = (await connection.execute(query)).all()
                for row_id, sealed_value in rows:
                    context = place(sealed.table.name, sealed.field, row_id)
                    try:
                        plain = cipher.decrypt(sealed_value, context=context)
                    except DecryptionFailed:
                        progress.failed += 1
                        continue
                    values = {column.name: cipher.encrypt(plain, context=context)}
                    if "updated_at" in sealed.table.c:
                        values["updated_at"] = sealed.table.c.updated_at
                    await connection.execute(
                        update(sealed.table)
                        .where(key == row_id, column == sealed_value)
                        .values(values)
                    )
                    progress.done += 1
            batches += 1
            if not rows:
                break
            after = rows[-1][0]
            report(progress)
        outcome.append(progress)
    return outcome
