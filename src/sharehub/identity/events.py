"""Sign-in events, handed to whoever records them.

The audit ledger will record these; until then they go to the log. Events
carry ids and reasons, never names, e-mail addresses or tokens.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Literal, Protocol

import msgspec

AuthEventKind = Literal[
    "login_succeeded",
    "login_failed",
    "logout",
    "user_deactivated",
    "role_granted",
    "role_revoked",
    "access_denied",
]


class AuthEvent(msgspec.Struct, frozen=True, kw_only=True):
    kind: AuthEventKind
    at: datetime
    user_id: uuid.UUID | None = None
    agency_id: uuid.UUID | None = None
    provider_id: uuid.UUID | None = None
    # For role changes: whose role, which role, and who changed it (user_id).
    subject_user_id: uuid.UUID | None = None
    role: str | None = None
    reason: str | None = None


class AuthEventSink(Protocol):
    async def record(self, event: AuthEvent) -> None: ...


class LogSink:
    """Writes events to the ``sharehub.audit`` log."""

    def __init__(self) -> None:
        self.log = logging.getLogger("sharehub.audit")

    async def record(self, event: AuthEvent) -> None:
        self.log.info("auth event %s", msgspec.json.encode(event).decode())


class MemorySink:
    """Keeps events in a list (for tests and for a later audit writer to drain)."""

    def __init__(self) -> None:
        self.events: list[AuthEvent] = []

    async def record(self, event: AuthEvent) -> None:
        self.events.append(event)
