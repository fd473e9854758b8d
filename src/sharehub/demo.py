"""The demo partnership: fictional agencies of one fictional county, their
staff, and a development OpenID Provider that signs those staff in.

Every name, place and contact here is invented (people come from Faker's
en_GB provider with a fixed seed; e-mail domains are under example.org, which
is reserved for examples). Loading is idempotent: agencies are matched on
their short code and left alone if present; providers are matched on slug.

Each agency gets its own registration with the development provider (as each
real agency would with its own): a login through one agency's registration by
another agency's member of staff is refused by the agency claim.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from faker import Faker
from sqlalchemy import select

from sharehub.access.roles import Role
from sharehub.agencies.models import Agency
from sharehub.agencies.schemas import AgencyCreate, InformationGovernanceContact
from sharehub.agencies.service import create_agency
from sharehub.agencies.types import AgencyType
from sharehub.config import Settings
from sharehub.crypto import FieldCipher
from sharehub.db.engine import create_engine, create_session_factory
from sharehub.identity.devprovider import DevClient, DevProviderConfig, DevUser
from sharehub.identity.login import secret_context
from sharehub.identity.models import IdentityProvider, MachineClient

COUNTY = "Kestrelshire"
DISTRICT = "Harrowmere"

# (short code, name, type, areas served)
DEMO_AGENCIES: list[tuple[str, str, AgencyType, list[str]]] = [
    ("KPOL", "Kestrelshire Constabulary", AgencyType.POLICE_FORCE, [COUNTY]),
    ("HDC", "Harrowmere District Council", AgencyType.DISTRICT_COUNCIL, [DISTRICT]),
    ("FVHA", "Fernvale Housing Association", AgencyType.SOCIAL_HOUSING_PROVIDER, [DISTRICT]),
    ("KPS", "Kestrelshire Probation Delivery Unit", AgencyType.PROBATION_SERVICE, [COUNTY]),
    ("KICB", "Kestrelshire Integrated Care Board", AgencyType.INTEGRATED_CARE_BOARD, [COUNTY]),
    ("SSDA", "Safe Steps Domestic Abuse Service", AgencyType.DOMESTIC_ABUSE_SERVICE, [COUNTY]),
]


DEV_PROVIDER_PATH = "/dev-idp"
AGENCY_CLAIM = "sharehub_agency"
ROLES_CLAIM = "sharehub_roles"
MACHINE_CLIENT_ID = "kpol-case-system"

# (agency short code, roles) for each member of demo staff; one has no role yet,
# to show what a newcomer sees.
DEMO_STAFF: list[tuple[str, list[Role]]] = [
    ("HDC", [Role.HUB_ADMINISTRATOR]),
    ("HDC", [Role.AGENCY_ADMINISTRATOR]),
    ("HDC", [Role.PRACTITIONER, Role.ASB_CASE_REVIEW_COORDINATOR]),
    ("KPOL", [Role.PRACTITIONER]),
    ("KPOL", [Role.MARAC_CHAIR]),
    ("KPOL", [Role.INFORMATION_GOVERNANCE_LEAD]),
    ("FVHA", [Role.PRACTITIONER]),
    ("FVHA", [Role.INFORMATION_GOVERNANCE_LEAD, Role.DATA_PROTECTION_OFFICER]),
    ("FVHA", []),
    ("KPS", [Role.PRACTITIONER, Role.MAPPA_COORDINATOR]),
    ("KICB", [Role.INFORMATION_GOVERNANCE_LEAD]),
    ("SSDA", [Role.IDVA]),
    ("SSDA", [Role.MARAC_COORDINATOR]),
]


def demo_agencies(seed: int = 2026) -> list[AgencyCreate]:
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    agencies = []
    for code, name, agency_type, areas in DEMO_AGENCIES:
        agencies.append(
            AgencyCreate(
                name=name,
                short_code=code,
                agency_type=agency_type,
                areas=areas,
                information_governance_contact=InformationGovernanceContact(
                    name=fake.name(),
                    email=f"information.governance@{code.lower()}.example.org",
                    telephone="01632 960" + f"{fake.random_int(0, 999):03d}",  # Ofcom drama range
                ),
            )
        )
    return agencies


def dev_issuer(settings: Settings) -> str:
    return f"{settings.public_url}{DEV_PROVIDER_PATH}"


def _client_id(code: str) -> str:
    return f"sharehub-{code.lower()}"


def dev_client_secret(settings: Settings, client_id: str) -> str:
    """Derived from the hub's secret, so the provider and the hub agree without storing it."""
    return hmac.new(settings.secret_key.encode(), client_id.encode(), hashlib.sha256).hexdigest()


def demo_staff(seed: int = 2026) -> list[DevUser]:
    fake = Faker("en_GB")
    fake.seed_instance(seed + 1)
    staff = []
    for number, (code, roles) in enumerate(DEMO_STAFF, start=1):
        first, last = fake.first_name(), fake.last_name()
        staff.append(
            DevUser(
                sub=f"{code.lower()}-{number:04d}",
                name=f"{first} {last}",
                email=f"{first}.{last}@{code.lower()}.example.org".lower().replace("'", ""),
                claims={AGENCY_CLAIM: code, ROLES_CLAIM: [role.value for role in roles]},
            )
        )
    return staff


def dev_provider_config(settings: Settings) -> DevProviderConfig:
    staff = demo_staff()
    clients = [
        DevClient(
            client_id=_client_id(code),
            client_secret=dev_client_secret(settings, _client_id(code)),
            redirect_uris=[f"{settings.public_url}/auth/callback/{code.lower()}-dev"],
            post_logout_redirect_uris=[f"{settings.public_url}/auth/logged-out"],
            offered_users=[u.sub for u in staff if u.claims[AGENCY_CLAIM] == code],
        )
        for code, *_ in DEMO_AGENCIES
    ]
    clients.append(
        DevClient(
            client_id=MACHINE_CLIENT_ID,
            client_secret=dev_client_secret(settings, MACHINE_CLIENT_ID),
            grant_types=["client_credentials"],
            scope="agency:read",
            access_token_audience=settings.api_audience,
        )
    )
    return DevProviderConfig(issuer=dev_issuer(settings), users=staff, clients=clients)


async def _register_dev_providers(session, settings: Settings, progress) -> None:  # type: ignore[no-untyped-def]
    cipher = FieldCipher(settings.field_keys)
    agencies = {a.short_code: a for a in await session.scalars(select(Agency))}
    for code, *_ in DEMO_AGENCIES:
        slug = f"{code.lower()}-dev"
        provider = await session.scalar(
            select(IdentityProvider).where(IdentityProvider.slug == slug)
        )
        if provider is None:
            provider = IdentityProvider(slug=slug, agency_id=agencies[code].id, active=True)
            session.add(provider)
            progress(f"  added development sign-in for {code}")
        # Refreshed at every start: the issuer follows the address the demo serves on.
        provider.display_name = "Development sign-in (fictional staff)"
        provider.issuer = dev_issuer(settings)
        provider.client_id = _client_id(code)
        provider.token_endpoint_auth_method = "client_secret_basic"
        provider.scopes = ["openid", "profile", "email"]
        provider.signing_algorithms = ["RS256"]
        provider.allowed_email_domains = []
        provider.agency_claim = {"name": AGENCY_CLAIM, "value": code}
        provider.role_mapping = {"claim": ROLES_CLAIM, "roles": {r.value: r.value for r in Role}}
        provider.accepts_machine_tokens = code == "KPOL"
        await session.flush()
        provider.client_secret_encrypted = cipher.encrypt(
            dev_client_secret(settings, provider.client_id), context=secret_context(provider.id)
        )
        if code == "KPOL":
            machine = await session.scalar(
                select(MachineClient).where(MachineClient.client_id == MACHINE_CLIENT_ID)
            )
            if machine is None:
                session.add(
                    MachineClient(
                        name="Kestrelshire case management system",
                        provider_id=provider.id,
                        agency_id=provider.agency_id,
                        client_id=MACHINE_CLIENT_ID,
                        allowed_scopes=["agency:read"],
                        active=True,
                    )
                )
    await session.flush()


async def load_demo(settings: Settings, progress: Callable[[str], None] = print) -> None:
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            have = set(await session.scalars(select(Agency.short_code)))
            for agency in demo_agencies():
                if agency.short_code in have:
                    progress(f"  agency {agency.short_code} already present")
                    continue
                await create_agency(session, agency)
                progress(f"  added agency {agency.short_code}: {agency.name}")
            await _register_dev_providers(session, settings, progress)
        progress("demo partnership loaded")
        progress(f"sign in at {settings.public_url}/ as any of the fictional staff")
    finally:
        await engine.dispose()
