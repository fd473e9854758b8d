"""Tables for sign-in: trusted providers, users, sessions and machine clients."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sharehub.agencies.models import Agency
from sharehub.db.base import Record, SharedRecord, UTCDateTime


class IdentityProvider(SharedRecord):
    """An OpenID Provider an agency trusts to sign in its staff.

    ``slug`` names it in URLs (the redirect URI is /auth/callback/<slug>). The
    client secret is stored encrypted and never returned by the API.
    """

    __tablename__ = "identity_providers"
    __encrypted__ = ("client_secret",)

    slug: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(500), index=True)
    client_id: Mapped[str] = mapped_column(String(255))
    client_secret_encrypted: Mapped[str | None] = mapped_column(String(1000))
    token_endpoint_auth_method: Mapped[str] = mapped_column(String(32))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    signing_algorithms: Mapped[list[str]] = mapped_column(JSON)
    allowed_email_domains: Mapped[list[str]] = mapped_column(JSON)
    # A claim whose value ties the login to this agency, e.g. {"name": "tid", "value": "…"}.
    agency_claim: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Claim name and value → role, e.g. {"claim": "groups", "roles": {"marac-team": "idva"}}.
    role_mapping: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Whether agency systems may call the API with access tokens from this issuer.
    accepts_machine_tokens: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    agency: Mapped[Agency] = relationship(lazy="joined")


class User(Record):
    """A person who has signed in. Identity is (issuer, subject), never the e-mail."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_users_issuer_subject"),)

    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_providers.id"))
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency] = relationship(lazy="joined")


class UserSession(Record):
    """A browser session, held server-side; the cookie carries a random token
    whose SHA-256 is stored here, so a copy of this table cannot sign anyone in.

    Before login a session holds only the pending logins (state, nonce, PKCE
    verifier); at login it is replaced by a new one (no fixation).
    """

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    provider_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("identity_providers.id"))
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pending_logins: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class MachineClient(SharedRecord):
    """An agency system allowed to call the API with client-credentials tokens."""

    __tablename__ = "machine_clients"
    __table_args__ = (
        UniqueConstraint("provider_id", "client_id", name="uq_machine_clients_provider_client"),
    )

    name: Mapped[str] = mapped_column(String(200))
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_providers.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    # The client id the provider puts in its tokens (client_id, azp or appid claim).
    client_id: Mapped[str] = mapped_column(String(255))
    # Scopes this client may use; a token's scopes beyond these grant nothing.
    allowed_scopes: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
