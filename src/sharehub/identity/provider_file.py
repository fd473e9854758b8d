"""Trusted providers from a TOML file, for hub administrators who keep
configuration in version control (and for the first hub administrator, who
cannot use the API before anyone can sign in).

    [[provider]]
    slug = "kpol-staff"
    display_name = "Kestrelshire Constabulary staff"
    agency = "KPOL"                        # the agency's short code
    issuer = "https://login.example.org/tenant/v2.0"
    client_id = "sharehub"
    client_secret_env = "KPOL_OIDC_SECRET" # read from the environment, never the file
    role_mapping = { claim = "groups", roles = { "hub-admins" = "hub_administrator" } }

Secrets are read from the environment variable named by ``client_secret_env``
so the file itself can be reviewed and committed.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.agencies.models import Agency
from sharehub.crypto import FieldCipher
from sharehub.errors import BadRequest, NotFound
from sharehub.identity import service
from sharehub.identity.models import IdentityProvider
from sharehub.identity.schemas import ProviderCreate, ProviderUpdate


class ProviderFileEntry(ProviderCreate, forbid_unknown_fields=True, kw_only=True):
    agency_id: None = None  # the file names the agency by short code instead
    agency: str
    client_secret_env: str | None = None


class ProviderFile(msgspec.Struct, forbid_unknown_fields=True):
    provider: list[ProviderFileEntry]


def read_provider_file(path: Path) -> ProviderFile:
    try:
        raw = tomllib.loads(path.read_text())
        return msgspec.convert(raw, ProviderFile)
    except (OSError, tomllib.TOMLDecodeError, msgspec.ValidationError) as exc:
        raise BadRequest(f"{path}: {exc}") from None


async def import_providers(
    db: AsyncSession,
    entries: list[ProviderFileEntry],
    cipher: FieldCipher,
    *,
    environ: Mapping[str, str] = os.environ,
    allow_loopback: bool,
) -> list[tuple[str, str]]:
    """Add or update each provider (matched on slug); returns (slug, "added"|"updated")."""
    done = []
    for entry in entries:
        agency = await db.scalar(select(Agency).where(Agency.short_code == entry.agency.upper()))
        if agency is None:
            raise NotFound(f"agency {entry.agency}")
        secret = entry.client_secret
        if entry.client_secret_env:
            secret = environ.get(entry.client_secret_env)
            if not secret:
                raise BadRequest(
                    f"{entry.slug}: environment variable {entry.client_secret_env} is empty"
                )
        fields = {
            name: getattr(entry, name)
            for name in ProviderCreate.__struct_fields__
            if name not in {"agency_id", "client_secret"}
        }
        existing = await db.scalar(
            select(IdentityProvider).where(IdentityProvider.slug == entry.slug)
        )
        if existing is None:
            await service.create_provider(
                db,
                ProviderCreate(**{**fields, "agency_id": agency.id, "client_secret": secret}),
                cipher,
                allow_loopback=allow_loopback,
            )
            done.append((entry.slug, "added"))
            continue
        if existing.agency_id != agency.id or existing.issuer != entry.issuer:
            raise BadRequest(f"{entry.slug}: a provider's agency and issuer cannot change")
        changes = {k: v for k, v in fields.items() if k in ProviderUpdate.__struct_fields__}
        if secret is not None:
            changes["client_secret"] = secret
        await service.update_provider(
            db,
            existing.id,
            ProviderUpdate(**changes),
            existing.version,
            cipher,
            allow_loopback=allow_loopback,
        )
        done.append((entry.slug, "updated"))
    return done
