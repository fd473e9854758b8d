"""Server-side sessions: created, found, refreshed and ended.

The cookie holds a random 256-bit token; the table holds its SHA-256. A session
ends when its idle or absolute timeout passes, at logout, or when its user is
deactivated, and an ended session never comes back.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.identity.models import User, UserSession

# A login must finish within this time of being started.
PENDING_LOGIN_LIFETIME = timedelta(minutes=10)
# last_seen_at is written at most this often, not on every request.
TOUCH_INTERVAL = timedelta(seconds=30)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


async def start_session(
    db: AsyncSession,
    *,
    now: datetime,
    lifetime: timedelta,
    user: User | None = None,
    provider_id: uuid.UUID | None = None,
) -> tuple[UserSession, str]:
    token = new_token()
    record = UserSession(
        token_hash=hash_token(token),
        user_id=user.id if user else None,
        provider_id=provider_id,
        last_seen_at=now,
        expires_at=now + lifetime,
        pending_logins={},
    )
    db.add(record)
    await db.flush()
    return record, token


async def find_live_session(
    db: AsyncSession, token: str, *, now: datetime, idle: timedelta
) -> UserSession | None:
    """The session behind a cookie token if it is still live; ends it if it has lapsed."""
    if not token or len(token) > 128:
        return None
    record = await db.scalar(select(UserSession).where(UserSession.token_hash == hash_token(token)))
    if record is None or record.ended_at is not None:
        return None
    if now >= record.expires_at or now - record.last_seen_at >= idle:
        record.ended_at = now
        return None
    if now - record.last_seen_at >= TOUCH_INTERVAL:
        record.last_seen_at = now
    return record


async def end_session(db: AsyncSession, record: UserSession, *, now: datetime) -> None:
    record.ended_at = now
    record.pending_logins = {}


async def end_user_sessions(db: AsyncSession, user_id: uuid.UUID, *, now: datetime) -> None:
    await db.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=now)
    )
