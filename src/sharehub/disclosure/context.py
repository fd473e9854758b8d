"""The one thing the gate needs beside the database, handed to services as one
argument: the keys that open identity (cipher) and find people (blind index),
the law as the hub reads it, the audit sink, and the clock of the request.

Routes receive it by dependency injection (``gate``); services take it as
``gate: GateContext`` and never read the application's state themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from litestar.datastructures import State

from sharehub.audit.events import AuditSink
from sharehub.calendar import local_today
from sharehub.crypto import BlindIndex, FieldCipher
from sharehub.db.base import utcnow
from sharehub.protocols.gateways import GatewayRules


@dataclass(frozen=True)
class GateContext:
    cipher: FieldCipher
    index: BlindIndex
    rules: GatewayRules
    audit: AuditSink
    now: datetime
    today: date

    def at(self, now: datetime) -> GateContext:
        """The same context at another moment (a test, a backdated step)."""
        return replace(self, now=now, today=local_today(now))


def gate_context(state: State, now: datetime | None = None) -> GateContext:
    now = now or utcnow()
    return GateContext(
        cipher=state.cipher,
        index=state.blind_index,
        rules=state.gateway_rules,
        audit=state.audit_events,
        now=now,
        today=local_today(now),
    )


async def provide_gate(state: State) -> GateContext:
    """The request's context: read once per request, so its clock is one moment."""
    return gate_context(state)
