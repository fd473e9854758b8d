"""Finds who is calling: an agency system's bearer token, or a session cookie.

Runs before the guards. A bad bearer token is refused at once (401); a stale or
unknown cookie just means "not signed in".
"""

from __future__ import annotations

import time
from datetime import timedelta

import msgspec
from joserfc import jws
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.access.policy import AccessPolicy
from sharehub.access.service import access_version, all_assignments
from sharehub.db.base import utcnow
from sharehub.identity import service, sessions
from sharehub.identity.models import IdentityProvider, User
from sharehub.identity.principal import Principal
from sharehub.identity.provider_client import ProviderClient, ProviderUnavailable
from sharehub.identity.tokens import (
    Expectations,
    TokenRejected,
    UnknownSigningKey,
    read_header,
    token_client_id,
    token_scopes,
    validate_access_token,
)


def session_cookie_name(secure: bool) -> str:
    # __Host- cookies must be Secure, host-only and path=/: no subdomain can set them.
    return "__Host-sharehub" if secure else "sharehub_session"


def _unverified_issuer(token: str) -> str:
    read_header(token)  # size and shape checks first
    try:
        payload = msgspec.json.decode(jws.extract_compact(token.encode()).payload)
    except (msgspec.DecodeError, ValueError):
        raise TokenRejected("token payload is not JSON") from None
    issuer = payload.get("iss") if isinstance(payload, dict) else None
    if not isinstance(issuer, str):
        raise TokenRejected("token has no issuer")
    return issuer


async def principal_from_bearer(
    db: AsyncSession, client: ProviderClient, token: str, *, audience: str
) -> Principal:
    # The issuer is read unverified only to choose whose keys to check against;
    # the check itself then pins that issuer.
    issuer = _unverified_issuer(token)
    providers = list(
        await db.scalars(
            select(IdentityProvider).where(
                IdentityProvider.issuer == issuer,
                IdentityProvider.accepts_machine_tokens.is_(True),
                IdentityProvider.active.is_(True),
            )
        )
    )
    if not providers:
        raise TokenRejected("token issuer is not trusted for agency systems")
    expect = Expectations(
        issuer=issuer,
        audience=audience,
        algorithms=providers[0].signing_algorithms,
        now=time.time(),
    )
    try:
        try:
            claims = validate_access_token(token, await client.keys(issuer), expect)
        except UnknownSigningKey:
            keys = await client.keys(issuer, refresh=True)
            claims = validate_access_token(token, keys, expect)
    except ProviderUnavailable:
        raise TokenRejected("the token's provider cannot be reached to check it") from None
    client_id = token_client_id(claims)
    for provider in providers:
        machine = await service.find_machine_client(db, provider.id, client_id)
        if machine is not None and provider.agency.active:
            return Principal(
                kind="machine",
                id=machine.id,
                agency_id=machine.agency_id,
                scopes=token_scopes(claims) & frozenset(machine.allowed_scopes),
            )
    raise TokenRejected("token was issued to a client not registered with the hub")


async def principal_from_cookie(
    db: AsyncSession, token: str, *, idle: timedelta
) -> Principal | None:
    record = await sessions.find_live_session(db, token, now=utcnow(), idle=idle)
    if record is None or record.user_id is None:
        return None
    user = await db.get(User, record.user_id)
    if user is None or not user.active or not user.agency.active:
        return None
    return Principal(
        kind="user",
        id=user.id,
        agency_id=user.agency_id,
        roles=service.held(await service.roles_of(db, user.id)),
        session_id=record.id,
    )


async def refresh_policy(db: AsyncSession, policy: AccessPolicy) -> None:
    """Reload role assignments if any worker changed them since this one loaded."""
    version = await access_version(db)
    if version != policy.version:
        policy.load_assignments(version, await all_assignments(db))


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer":
                return credentials.strip()
            return ""  # another scheme: treated as a bad token
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    for header, value in scope.get("headers", []):
        if header == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                if key == name:
                    return val
    return None


def authentication(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        if scope["type"] != "http" or (
            handler is not None and handler.opt.get("own_authentication")
        ):
            scope["user"] = None
            await app(scope, receive, send)
            return
        state: State = scope["litestar_app"].state
        settings = state.settings
        scope["user"] = None
        bearer = _bearer(scope)
        async with state.session_factory() as db, db.begin():
            if bearer is not None:
                try:
                    scope["user"] = await principal_from_bearer(
                        db, state.provider_client, bearer, audience=settings.api_audience
                    )
                except TokenRejected as rejected:
                    raise NotAuthorizedException(
                        f"bearer token refused: {rejected.reason}",
                        headers={
                            "WWW-Authenticate": 'Bearer realm="sharehub", error="invalid_token"'
                        },
                    ) from None
            else:
                token = _cookie(scope, session_cookie_name(settings.cookies_secure))
                if token:
                    scope["user"] = await principal_from_cookie(
                        db, token, idle=timedelta(minutes=settings.session_idle_minutes)
                    )
                if scope["user"] is not None:
                    await refresh_policy(db, state.access_policy)
        await app(scope, receive, send)

    return middleware
