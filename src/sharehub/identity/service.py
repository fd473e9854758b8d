"""Rules for trusted providers, machine clients and users."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.access.models import RoleAssignment
from sharehub.access.service import bump_access_version
from sharehub.agencies.service import get_agency
from sharehub.crypto import FieldCipher
from sharehub.db.changes import check_version, write_changes
from sharehub.errors import BadRequest, Conflict, NotFound
from sharehub.identity import sessions
from sharehub.identity.login import redirect_uri, secret_context
from sharehub.identity.models import IdentityProvider, MachineClient, User
from sharehub.identity.principal import RoleHeld
from sharehub.identity.provider_client import acceptable_url
from sharehub.identity.schemas import (
    AgencyClaim,
    MachineClientCreate,
    MachineClientView,
    ProviderCreate,
    ProviderUpdate,
    ProviderView,
    RoleMapping,
)


def provider_view(provider: IdentityProvider, public_url: str) -> ProviderView:
    return ProviderView(
        id=provider.id,
        slug=provider.slug,
        display_name=provider.display_name,
        agency_id=provider.agency_id,
        issuer=provider.issuer,
        client_id=provider.client_id,
        client_secret_set=provider.client_secret_encrypted is not None,
        token_endpoint_auth_method=provider.token_endpoint_auth_method,
        scopes=provider.scopes,
        signing_algorithms=provider.signing_algorithms,
        allowed_email_domains=provider.allowed_email_domains,
        agency_claim=msgspec.convert(provider.agency_claim, AgencyClaim | None),
        role_mapping=msgspec.convert(provider.role_mapping, RoleMapping | None),
        accepts_machine_tokens=provider.accepts_machine_tokens,
        redirect_uri=redirect_uri(public_url, provider),
        post_logout_redirect_uri=f"{public_url}/auth/logged-out",
        active=provider.active,
        version=provider.version,
    )


def _check_provider_settings(
    issuer: str, scopes: list[str], auth_method: str, secret_set: bool, *, allow_loopback: bool
) -> None:
    if not acceptable_url(issuer, allow_loopback_http=allow_loopback):
        raise BadRequest("the issuer must be an https:// URL", field="issuer")
    if "openid" not in scopes:
        raise BadRequest("scopes must include openid", field="scopes")
    if auth_method != "none" and not secret_set:
        raise BadRequest(f"{auth_method} needs a client_secret", field="client_secret")


async def _flush(db: AsyncSession, kind: str) -> None:
    await write_changes(
        db, kind, lambda _: Conflict(f"another {kind} already uses this identifier")
    )


async def create_provider(
    db: AsyncSession, data: ProviderCreate, cipher: FieldCipher, *, allow_loopback: bool
) -> IdentityProvider:
    _check_provider_settings(
        data.issuer,
        data.scopes,
        data.token_endpoint_auth_method,
        data.client_secret is not None,
        allow_loopback=allow_loopback,
    )
    agency = await get_agency(db, data.agency_id)
    if not agency.active:
        raise Conflict("the agency is deactivated", field="agency_id")
    if await db.scalar(select(IdentityProvider.id).where(IdentityProvider.slug == data.slug)):
        raise Conflict("another provider already has this slug", field="slug")
    provider = IdentityProvider(
        id=uuid.uuid4(),
        slug=data.slug,
        display_name=data.display_name,
        agency_id=agency.id,
        issuer=data.issuer,
        client_id=data.client_id,
        token_endpoint_auth_method=data.token_endpoint_auth_method,
        scopes=list(data.scopes),
        signing_algorithms=list(data.signing_algorithms),
        allowed_email_domains=[d.lower() for d in data.allowed_email_domains],
        agency_claim=msgspec.to_builtins(data.agency_claim),
        role_mapping=msgspec.to_builtins(data.role_mapping),
        accepts_machine_tokens=data.accepts_machine_tokens,
        active=True,
    )
    if data.client_secret is not None:
        provider.client_secret_encrypted = cipher.encrypt(
            data.client_secret, context=secret_context(provider.id)
        )
    db.add(provider)
    await _flush(db, "provider")
    return provider


async def get_provider(db: AsyncSession, provider_id: uuid.UUID) -> IdentityProvider:
    provider = await db.get(IdentityProvider, provider_id)
    if provider is None:
        raise NotFound("identity provider")
    return provider


async def get_active_provider_by_slug(db: AsyncSession, slug: str) -> IdentityProvider:
    provider = await db.scalar(select(IdentityProvider).where(IdentityProvider.slug == slug))
    if provider is None or not provider.active or not provider.agency.active:
        raise NotFound("identity provider")
    return provider


async def list_providers(db: AsyncSession, *, active_only: bool = False) -> list[IdentityProvider]:
    query = select(IdentityProvider).order_by(IdentityProvider.display_name)
    if active_only:
        query = query.where(IdentityProvider.active.is_(True))
    return list(await db.scalars(query))


async def update_provider(
    db: AsyncSession,
    provider_id: uuid.UUID,
    changes: ProviderUpdate,
    expected_version: int,
    cipher: FieldCipher,
    *,
    allow_loopback: bool,
) -> IdentityProvider:
    provider = await get_provider(db, provider_id)
    check_version(provider, expected_version, "identity provider")
    for name in (
        "display_name",
        "client_id",
        "token_endpoint_auth_method",
        "scopes",
        "signing_algorithms",
        "allowed_email_domains",
        "accepts_machine_tokens",
    ):
        value = getattr(changes, name)
        if value is not msgspec.UNSET:
            setattr(provider, name, list(value) if isinstance(value, list) else value)
    for name in ("agency_claim", "role_mapping"):
        value = getattr(changes, name)
        if value is not msgspec.UNSET:
            setattr(provider, name, msgspec.to_builtins(value))
    if changes.client_secret is not msgspec.UNSET:
        provider.client_secret_encrypted = cipher.encrypt(
            changes.client_secret, context=secret_context(provider.id)
        )
    _check_provider_settings(
        provider.issuer,
        provider.scopes,
        provider.token_endpoint_auth_method,
        provider.client_secret_encrypted is not None,
        allow_loopback=allow_loopback,
    )
    await _flush(db, "provider")
    return provider


async def set_provider_active(
    db: AsyncSession, provider_id: uuid.UUID, expected_version: int, *, active: bool
) -> IdentityProvider:
    provider = await get_provider(db, provider_id)
    check_version(provider, expected_version, "identity provider")
    if provider.active == active:
        raise Conflict(f"the provider is already {'active' if active else 'deactivated'}")
    provider.active = active
    await _flush(db, "provider")
    return provider


def machine_client_view(client: MachineClient) -> MachineClientView:
    return MachineClientView(
        id=client.id,
        name=client.name,
        provider_id=client.provider_id,
        agency_id=client.agency_id,
        client_id=client.client_id,
        allowed_scopes=client.allowed_scopes,
        active=client.active,
        version=client.version,
    )


async def create_machine_client(db: AsyncSession, data: MachineClientCreate) -> MachineClient:
    provider = await get_provider(db, data.provider_id)
    if not provider.accepts_machine_tokens:
        raise Conflict("this provider is not set to accept machine tokens", field="provider_id")
    clash = await db.scalar(
        select(MachineClient.id).where(
            MachineClient.provider_id == provider.id, MachineClient.client_id == data.client_id
        )
    )
    if clash:
        raise Conflict("this client is already registered", field="client_id")
    client = MachineClient(
        name=data.name,
        provider_id=provider.id,
        agency_id=provider.agency_id,
        client_id=data.client_id,
        allowed_scopes=sorted(set(data.allowed_scopes)),
        active=True,
    )
    db.add(client)
    await _flush(db, "machine client")
    return client


async def list_machine_clients(db: AsyncSession) -> list[MachineClient]:
    return list(await db.scalars(select(MachineClient).order_by(MachineClient.name)))


async def set_machine_client_active(
    db: AsyncSession, client_id: uuid.UUID, expected_version: int, *, active: bool
) -> MachineClient:
    client = await db.get(MachineClient, client_id)
    if client is None:
        raise NotFound("machine client")
    check_version(client, expected_version, "machine client")
    if client.active == active:
        raise Conflict(f"the machine client is already {'active' if active else 'deactivated'}")
    client.active = active
    await _flush(db, "machine client")
    return client


async def find_machine_client(
    db: AsyncSession, provider_id: uuid.UUID, client_id: str
) -> MachineClient | None:
    return await db.scalar(
        select(MachineClient).where(
            MachineClient.provider_id == provider_id,
            MachineClient.client_id == client_id,
            MachineClient.active.is_(True),
        )
    )


async def roles_of(db: AsyncSession, user_id: uuid.UUID) -> list[RoleAssignment]:
    return list(
        await db.scalars(
            select(RoleAssignment)
            .where(RoleAssignment.user_id == user_id)
            .order_by(RoleAssignment.role)
        )
    )


def held(assignments: list[RoleAssignment]) -> tuple[RoleHeld, ...]:
    return tuple(RoleHeld(a.role, a.agency_id, a.area) for a in assignments)


async def get_user(db: AsyncSession, user_id: uuid.UUID) -> User:
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound("user")
    return user


async def list_users(db: AsyncSession, agency_id: uuid.UUID | None = None) -> list[User]:
    query = select(User).order_by(User.display_name, User.id)
    if agency_id is not None:
        query = query.where(User.agency_id == agency_id)
    return list(await db.scalars(query))


async def deactivate_user(db: AsyncSession, user_id: uuid.UUID, *, now: datetime) -> User:
    """Deactivated users' sessions end at once; they cannot sign in again."""
    user = await get_user(db, user_id)
    if not user.active:
        raise Conflict("the user is already deactivated")
    user.active = False
    await sessions.end_user_sessions(db, user.id, now=now)
    await db.flush()
    await bump_access_version(db)
    return user


async def administrators_of(db: AsyncSession, agency_id: uuid.UUID) -> list[User]:
    """Who can grant a role in an agency: its active agency administrators."""
    return list(
        await db.scalars(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(
                User.agency_id == agency_id,
                User.active.is_(True),
                RoleAssignment.role == "agency_administrator",
                RoleAssignment.agency_id == agency_id,
            )
            .order_by(User.display_name)
            .distinct()
        )
    )
