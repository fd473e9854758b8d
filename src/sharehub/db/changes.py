"""Writing shared records: one version check and one flush for every domain.

A change states the version it was made against (If-Match); another writer's
commit in between is a stale version, and a unique rule broken by a racing
writer is a conflict. Services call these instead of repeating the handling.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from sharehub.db.base import SharedRecord
from sharehub.errors import Conflict, StaleVersion


def check_version(record: SharedRecord, expected_version: int, kind: str) -> None:
    if record.version != expected_version:
        raise StaleVersion(kind, current_version=record.version)


async def write_changes(
    db: AsyncSession, kind: str, on_clash: Callable[[IntegrityError], Conflict]
) -> None:
    """Flush now, so a clash becomes a clear error here rather than at commit."""
    try:
        await db.flush()
    except StaleDataError:
        raise StaleVersion(kind) from None
    except IntegrityError as exc:
        raise on_clash(exc) from None
