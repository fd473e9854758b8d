"""The browser sign-in: authorization code flow with PKCE, and its checks.

Order of the checks on the way back (OpenID Connect Core 1.0 section 3.1,
RFC 7636 PKCE, RFC 9207 issuer identification):
the session that started the login → its single-use ``state`` → the provider's
``iss`` parameter → the code exchange → the ID token (signature, algorithm,
issuer, audience, times, nonce) → the agency the login belongs to.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sharehub.access.models import RoleAssignment
from sharehub.access.roles import HUB_WIDE_ROLES, Role
from sharehub.access.service import bump_access_version
from sharehub.audit.events import AuditEvent, AuditSink
from sharehub.crypto import FieldCipher, place
from sharehub.identity import sessions
from sharehub.identity.models import IdentityProvider, User, UserSession
from sharehub.identity.provider_client import (
    CodeExchangeRefused,
    ProviderClient,
    ProviderMetadata,
)
from sharehub.identity.tokens import Expectations, UnknownSigningKey, validate_id_token

MAX_PENDING_LOGINS = 5


class LoginFailed(Exception):
    """The login cannot complete; ``reason`` is safe to show the person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LoginSettings:
    public_url: str
    idle: timedelta
    absolute: timedelta


def redirect_uri(public_url: str, provider: IdentityProvider) -> str:
    """Exactly what the agency registers with its provider."""
    return f"{public_url}/auth/callback/{provider.slug}"


def secret_context(provider_id: uuid.UUID) -> str:
    return place("identity_providers", "client_secret", provider_id)


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


async def start_login(
    db: AsyncSession,
    *,
    provider: IdentityProvider,
    metadata: ProviderMetadata,
    live_session: UserSession | None,
    settings: LoginSettings,
    now: datetime,
) -> tuple[str, str | None]:
    """(URL to send the browser to, new session token if a session was started)."""
    token = None
    if live_session is None:
        live_session, token = await sessions.start_session(
            db, now=now, lifetime=sessions.PENDING_LOGIN_LIFETIME
        )
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(48)
    pending = dict(live_session.pending_logins or {})
    pending[state] = {
        "provider_id": str(provider.id),
        "nonce": nonce,
        "code_verifier": verifier,
        "started_at": now.timestamp(),
    }
    # Keep the newest few (several tabs may be signing in); drop the rest.
    newest = sorted(pending.items(), key=lambda item: item[1]["started_at"])[-MAX_PENDING_LOGINS:]
    live_session.pending_logins = dict(newest)
    url = _with_query(
        metadata.authorization_endpoint,
        {
            "response_type": "code",
            "client_id": provider.client_id,
            "redirect_uri": redirect_uri(settings.public_url, provider),
            "scope": " ".join(provider.scopes),
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        },
    )
    return url, token


async def _take_pending_login(
    session_factory: async_sessionmaker[AsyncSession],
    *,
    cookie_token: str | None,
    state: str | None,
    provider: IdentityProvider,
    settings: LoginSettings,
    now: datetime,
) -> tuple[uuid.UUID, dict[str, Any]]:
    """Remove and return the pending login ``state`` names, in its own transaction,
    so that a state is used once even if the rest of the login fails."""
    async with session_factory() as db, db.begin():
        live = None
        if cookie_token:
            live = await sessions.find_live_session(db, cookie_token, now=now, idle=settings.idle)
        if live is None:
            raise LoginFailed("no login in progress in this browser (missing or expired session)")
        pending = dict(live.pending_logins or {})
        entry = pending.pop(state, None) if state else None
        live.pending_logins = pending
    if entry is None:
        raise LoginFailed("the state parameter does not match a login in progress")
    if entry["provider_id"] != str(provider.id):
        raise LoginFailed("the login was started with another provider")
    started = datetime.fromtimestamp(entry["started_at"], tz=now.tzinfo)
    if now - started > sessions.PENDING_LOGIN_LIFETIME:
        raise LoginFailed("the login took too long; start again")
    return live.id, entry


def _check_callback_parameters(
    params: dict[str, str | None], provider: IdentityProvider, metadata: ProviderMetadata
) -> str:
    error = params.get("error")
    if error:
        safe = error if error.isascii() and error.replace("_", "").isalpha() else "error"
        raise LoginFailed(f"the provider did not sign you in ({safe[:40]})")
    iss = params.get("iss")
    if iss is not None and iss != provider.issuer:
        raise LoginFailed("the response came from another issuer (iss mismatch)")
    if iss is None and metadata.iss_parameter_supported:
        raise LoginFailed("the provider promised an iss parameter and sent none")
    code = params.get("code")
    if not code or len(code) > 2048:
        raise LoginFailed("the response has no authorization code")
    return code


async def _verified_claims(
    client: ProviderClient,
    provider: IdentityProvider,
    metadata: ProviderMetadata,
    *,
    code: str,
    entry: dict[str, Any],
    cipher: FieldCipher,
    settings: LoginSettings,
    now: datetime,
) -> dict[str, Any]:
    secret = None
    if provider.client_secret_encrypted:
        secret = cipher.decrypt(
            provider.client_secret_encrypted, context=secret_context(provider.id)
        )
    try:
        response = await client.exchange_code(
            metadata,
            client_id=provider.client_id,
            client_secret=secret,
            auth_method=provider.token_endpoint_auth_method,
            code=code,
            redirect_uri=redirect_uri(settings.public_url, provider),
            code_verifier=entry["code_verifier"],
        )
    except CodeExchangeRefused as refused:
        raise LoginFailed(f"the provider refused the code exchange ({refused.error})") from None
    expect = Expectations(
        issuer=provider.issuer,
        audience=provider.client_id,
        algorithms=provider.signing_algorithms,
        now=now.timestamp(),
    )
    keys = await client.keys(provider.issuer)
    try:
        return validate_id_token(response["id_token"], keys, expect, nonce=entry["nonce"])
    except UnknownSigningKey:
        # The provider may have rotated its keys: look once more (rate-limited).
        keys = await client.keys(provider.issuer, refresh=True)
        return validate_id_token(response["id_token"], keys, expect, nonce=entry["nonce"])


def check_agency_binding(provider: IdentityProvider, claims: dict[str, Any]) -> None:
    """The login belongs to the provider's agency: by e-mail domain and/or a claim."""
    if provider.allowed_email_domains:
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise LoginFailed("the provider did not say your e-mail address")
        if claims.get("email_verified") is False:
            raise LoginFailed("your e-mail address is not verified by the provider")
        domain = email.rsplit("@", 1)[1].lower()
        if domain not in {d.lower() for d in provider.allowed_email_domains}:
            raise LoginFailed("your e-mail domain is not one this agency signs in with")
    if provider.agency_claim:
        value = claims.get(provider.agency_claim["name"])
        wanted = provider.agency_claim["value"]
        matches = value == wanted or (isinstance(value, list) and wanted in value)
        if not matches:
            raise LoginFailed("your account does not belong to this agency")


def roles_from_claims(provider: IdentityProvider, claims: dict[str, Any]) -> set[Role]:
    mapping = provider.role_mapping or {}
    value = claims.get(mapping.get("claim", ""))
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    table: dict[str, str] = mapping.get("roles", {})
    return {Role(table[v]) for v in values if isinstance(v, str) and v in table}


def _display_name(claims: dict[str, Any]) -> str:
    for name in ("name", "preferred_username"):
        value = claims.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()[:200]
    parts = [claims.get("given_name"), claims.get("family_name")]
    joined = " ".join(p for p in parts if isinstance(p, str) and p.strip())
    return joined[:200] or "Unnamed user"


async def sign_in_user(
    db: AsyncSession, provider: IdentityProvider, claims: dict[str, Any], now: datetime
) -> User:
    """The user the provider's verified (and agency-bound) claims name, found or
    recorded, with the roles the claims map to. The demo signs its fictional
    staff in through this too, with the claims its development provider sends."""
    user = await db.scalar(
        select(User).where(User.issuer == provider.issuer, User.subject == claims["sub"])
    )
    email = claims.get("email") if isinstance(claims.get("email"), str) else None
    if user is None:
        user = User(
            issuer=provider.issuer,
            subject=claims["sub"],
            agency_id=provider.agency_id,
            provider_id=provider.id,
            active=True,
        )
        db.add(user)
    elif user.agency_id != provider.agency_id:
        raise LoginFailed("this account is registered to another agency")
    elif not user.active:
        raise LoginFailed("this account has been deactivated; ask your agency administrator")
    user.display_name = _display_name(claims)
    user.email = email[:254] if email else None
    user.last_login_at = now
    await db.flush()
    # Roles from claims are re-read at every login: the provider is their source.
    await db.execute(
        delete(RoleAssignment).where(
            RoleAssignment.user_id == user.id, RoleAssignment.source == "claim"
        )
    )
    for role in sorted(roles_from_claims(provider, claims)):
        db.add(
            RoleAssignment(
                user_id=user.id,
                role=role.value,
                agency_id=None if role in HUB_WIDE_ROLES else user.agency_id,
                source="claim",
            )
        )
    await db.flush()
    await bump_access_version(db)
    return user


async def complete_login(
    session_factory: async_sessionmaker[AsyncSession],
    client: ProviderClient,
    *,
    provider: IdentityProvider,
    params: dict[str, str | None],
    cookie_token: str | None,
    cipher: FieldCipher,
    settings: LoginSettings,
    sink: AuditSink,
    now: datetime,
) -> str:
    """Finish a login; returns the token of the new session (a new id: no fixation)."""
    try:
        pre_login_id, entry = await _take_pending_login(
            session_factory,
            cookie_token=cookie_token,
            state=params.get("state"),
            provider=provider,
            settings=settings,
            now=now,
        )
        metadata = await client.metadata(provider.issuer)
        code = _check_callback_parameters(params, provider, metadata)
        claims = await _verified_claims(
            client,
            provider,
            metadata,
            code=code,
            entry=entry,
            cipher=cipher,
            settings=settings,
            now=now,
        )
        check_agency_binding(provider, claims)
        async with session_factory() as db, db.begin():
            user = await sign_in_user(db, provider, claims, now)
            pre_login = await db.get(UserSession, pre_login_id)
            if pre_login is not None:
                await sessions.end_session(db, pre_login, now=now)
            _, token = await sessions.start_session(
                db, now=now, lifetime=settings.absolute, user=user, provider_id=provider.id
            )
            # In the sign-in's own transaction: no session without its entry.
            await sink.record(
                db=db,
                event=AuditEvent(
                    kind="login_succeeded",
                    at=now,
                    user_id=user.id,
                    agency_id=user.agency_id,
                    provider_id=provider.id,
                ),
            )
    except Exception as failure:
        reason = getattr(failure, "reason", None) or "unexpected error"
        await sink.record(
            AuditEvent(kind="login_failed", at=now, provider_id=provider.id, reason=reason)
        )
        raise
    return token
