"""Audit events, handed to whoever records them.

Sign-in and access events; disclosure checks from the lawful-basis engine;
disclosures, consent events and safeguarding overrides from the privacy gate.
The hub's sink is the tamper-evident ledger (``ledger.py``), which also passes
each event on to the ``sharehub.audit`` log. Events carry ids, codes and
reasons, never names, e-mail addresses, tokens or other personal data.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Literal, Protocol

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

AuditEventKind = Literal[
    "login_succeeded",
    "login_failed",
    "logout",
    "user_deactivated",
    "role_granted",
    "role_revoked",
    "access_denied",
    "disclosure_checked",
    "protocol_changed",
    "disclosure",
    "consent_recorded",
    "consent_withdrawn",
    "sharing_decision_recorded",
    "sharing_decision_revoked",
    "safeguarding_override",
    "override_reviewed",
    "subject_access_exported",
    "retention_purge",
    "legal_hold_placed",
    "legal_hold_released",
    "referral_step",
    "minutes_approved",
    "minutes_sharing_requested",
    "minutes_sharing_agreed",
    "minutes_sharing_refused",
    "minutes_shared_onward",
    # A document or image attached (its SHA-256 as kept and as received),
    # its sharing or evidence marking changed, and (retention) deleted.
    "attachment_added",
    "attachment_changed",
]


class AuditEvent(msgspec.Struct, frozen=True, kw_only=True):
    kind: AuditEventKind
    at: datetime
    user_id: uuid.UUID | None = None
    agency_id: uuid.UUID | None = None
    provider_id: uuid.UUID | None = None
    # For role changes: whose role, which role, and who changed it (user_id).
    subject_user_id: uuid.UUID | None = None
    # A data subject, by internal id only (consent, disclosure, override).
    subject_id: uuid.UUID | None = None
    role: str | None = None
    reason: str | None = None
    # Codes and ids only (e.g. a lawful-basis decision's outcome and gateway).
    details: dict[str, object] | None = None


class AuditSink(Protocol):
    """Takes events. ``db`` is the transaction of the action the event records:
    the ledger appends in it, so the entry commits or rolls back with the action."""

    async def record(self, event: AuditEvent, db: AsyncSession | None = None) -> None: ...


class LogSink:
    """Writes events to the ``sharehub.audit`` log."""

    def __init__(self) -> None:
        self.log = logging.getLogger("sharehub.audit")

    async def record(self, event: AuditEvent, db: AsyncSession | None = None) -> None:
        self.log.info("audit event %s", msgspec.json.encode(event).decode())


class MemorySink:
    """Keeps events in a list (for tests and for a later audit writer to drain)."""

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    async def record(self, event: AuditEvent, db: AsyncSession | None = None) -> None:
        self.events.append(event)
