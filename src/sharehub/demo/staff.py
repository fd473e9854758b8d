"""The demo's fictional agencies of one fictional county, their staff, and a
development OpenID Provider that signs those staff in.

Every name, place and contact here is invented (people come from Faker's
en_GB provider with a fixed seed; e-mail domains are under example.org, which
is reserved for examples; telephone numbers are in Ofcom's drama ranges).
Loading is idempotent: agencies are matched on their short code and left alone
if present; providers are matched on slug; staff on their provider's issuer and
subject.

Each agency gets its own registration with the development provider (as each
real agency would with its own): a login through one agency's registration by
another agency's member of staff is refused by the agency claim. Staff hold
their roles through the provider's role claim, which each registration maps to
the hub's roles one for one; hub-wide roles (``access.roles.HUB_WIDE_ROLES``,
such as the MARAC coordinator's) are held in the hub-wide domain.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import date, datetime
from typing import NamedTuple

from faker import Faker
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.access.roles import Role
from sharehub.agencies.models import Agency
from sharehub.agencies.schemas import AgencyCreate, HomesManaged, InformationGovernanceContact
from sharehub.agencies.types import AgencyType
from sharehub.calendar import local_today
from sharehub.config import Settings
from sharehub.crypto import FieldCipher
from sharehub.identity.devprovider.schemas import DevClient, DevProviderConfig, DevUser
from sharehub.identity.login import check_agency_binding, secret_context, sign_in_user
from sharehub.identity.models import IdentityProvider, MachineClient, User

COUNTY = "Kestrelshire"
DISTRICT = "Harrowmere"
SEED = 2026

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

# The demo's staff: (the handle the partnership's data uses, agency, roles). A
# member of staff's subject is "<agency>-<number>" by position here ("kpol-0004"),
# so staff are only ever added at the end. One has no role yet, to show what a
# newcomer sees.
_STAFF: list[tuple[str, str, list[Role]]] = [
    ("hub_admin", "HDC", [Role.HUB_ADMINISTRATOR]),
    ("hdc_admin", "HDC", [Role.AGENCY_ADMINISTRATOR]),
    ("community_safety", "HDC", [Role.PRACTITIONER, Role.ASB_CASE_REVIEW_COORDINATOR]),
    ("police_officer", "KPOL", [Role.PRACTITIONER]),
    ("marac_chair", "KPOL", [Role.MARAC_CHAIR]),
    ("kpol_ig", "KPOL", [Role.INFORMATION_GOVERNANCE_LEAD]),
    ("housing_officer", "FVHA", [Role.PRACTITIONER]),
    (
        "fvha_ig",
        "FVHA",
        [Role.INFORMATION_GOVERNANCE_LEAD, Role.DATA_PROTECTION_OFFICER],
    ),
    ("newcomer", "FVHA", []),
    ("mappa_coordinator", "KPS", [Role.PRACTITIONER, Role.MAPPA_COORDINATOR]),
    ("kicb_ig", "KICB", [Role.INFORMATION_GOVERNANCE_LEAD]),
    ("idva", "SSDA", [Role.IDVA]),
    ("marac_coordinator", "SSDA", [Role.MARAC_COORDINATOR]),
    # Added with the living demo: every agency's information governance lead
    # (each party signs its protocols), safeguarding, probation and health.
    ("hdc_ig", "HDC", [Role.INFORMATION_GOVERNANCE_LEAD]),
    ("hdc_safeguarding", "HDC", [Role.SAFEGUARDING_LEAD]),
    ("kps_ig", "KPS", [Role.INFORMATION_GOVERNANCE_LEAD]),
    ("probation_officer", "KPS", [Role.PRACTITIONER]),
    ("mappa_chair", "KPS", [Role.MAPPA_CHAIR]),
    ("icb_nurse", "KICB", [Role.PRACTITIONER, Role.SAFEGUARDING_LEAD]),
    ("ssda_ig", "SSDA", [Role.INFORMATION_GOVERNANCE_LEAD]),
]

# (agency short code, roles) for each member of demo staff, in order.
DEMO_STAFF: list[tuple[str, list[Role]]] = [(code, roles) for _, code, roles in _STAFF]
# Each member of staff's number (1-based, as in their subject) by handle.
STAFF_NUMBER: dict[str, int] = {key: n for n, (key, _, _) in enumerate(_STAFF, start=1)}

# The post each signs protocols in, for the information governance leads.
IG_POSTS: dict[str, str] = {
    "KPOL": "Force Information Governance Manager",
    "HDC": "Information Governance and Data Protection Manager",
    "FVHA": "Head of Information Governance and Data Protection Officer",
    "KPS": "Regional Information Governance Lead",
    "KICB": "Head of Information Governance",
    "SSDA": "Operations Manager (information governance)",
}

# Whom to sign in as for each job (a member of staff's handle).
GUIDE: list[tuple[str, str]] = [
    ("Housing officer", "housing_officer"),
    ("Police officer", "police_officer"),
    ("IDVA (domestic abuse service)", "idva"),
    ("MARAC coordinator", "marac_coordinator"),
    ("MARAC chair", "marac_chair"),
    ("MAPPA coordinator", "mappa_coordinator"),
    ("ASB case review coordinator", "community_safety"),
    ("Safeguarding lead", "hdc_safeguarding"),
    ("Data protection officer", "fvha_ig"),
    ("Information governance lead", "kpol_ig"),
    ("Hub administrator", "hub_admin"),
    ("Agency administrator", "hdc_admin"),
    ("Newcomer (no role yet)", "newcomer"),
]


class GuideEntry(NamedTuple):
    """Whom to sign in as for a job: pick the agency, then the person."""

    job: str
    name: str
    agency: str


def _last_year_end() -> date:
    """31 March just gone (the year end landlords report TSMs for)."""
    today = local_today()
    year = today.year if today >= date(today.year, 3, 31) else today.year - 1
    return date(year, 3, 31)


def demo_agencies(seed: int = SEED) -> list[AgencyCreate]:
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
                # The landlord's homes at the last year end, for TSM NM01.
                homes_managed=HomesManaged(count=8_412, as_of=_last_year_end())
                if agency_type == AgencyType.SOCIAL_HOUSING_PROVIDER
                else None,
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


def demo_staff(seed: int = SEED) -> list[DevUser]:
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


def sign_in_guide(seed: int = SEED) -> list[GuideEntry]:
    """(job, person, agency) for each job the demo shows, for the README and
    the start page."""
    staff = demo_staff(seed)
    names = {code: name for code, name, *_ in DEMO_AGENCIES}
    return [
        GuideEntry(
            job, staff[STAFF_NUMBER[key] - 1].name, names[DEMO_STAFF[STAFF_NUMBER[key] - 1][0]]
        )
        for job, key in GUIDE
    ]


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


async def _follow_issuer(db: AsyncSession, provider: IdentityProvider, issuer: str) -> None:
    """The demo's staff stay the same people when the demo is served on another
    address (the issuer follows it): their records move to the new issuer,
    unless they have already signed in afresh under it."""
    users = await db.scalars(
        select(User).where(User.provider_id == provider.id, User.issuer != issuer)
    )
    for user in users:
        clash = await db.scalar(
            select(User.id).where(User.issuer == issuer, User.subject == user.subject)
        )
        if clash is None:
            user.issuer = issuer


async def _register_dev_providers(
    session: AsyncSession, settings: Settings, progress: Callable[[str], None]
) -> None:
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
        else:
            await _follow_issuer(session, provider, dev_issuer(settings))
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


async def sign_in_staff(
    db: AsyncSession, settings: Settings, now: datetime, progress: Callable[[str], None]
) -> dict[str, User]:
    """Every member of staff, signed in once through the real sign-in rule with
    the claims the development provider sends for them (so they hold their roles,
    from the claims, before anyone opens a browser); those already known are
    left as they are. Returns them by handle."""
    from sharehub.identity.devprovider.server import user_claims

    providers = {
        p.slug: p for p in await db.scalars(select(IdentityProvider)) if p.slug.endswith("-dev")
    }
    found: dict[str, User] = {}
    added = 0
    for (key, code, _), person in zip(_STAFF, demo_staff(), strict=True):
        provider = providers[f"{code.lower()}-dev"]
        user = await db.scalar(
            select(User).where(User.issuer == provider.issuer, User.subject == person.sub)
        )
        if user is None:
            claims = user_claims(person, " ".join(provider.scopes))
            check_agency_binding(provider, claims)
            user = await sign_in_user(db, provider, claims, now)
            added += 1
        found[key] = user
    if added:
        progress(f"  signed in {added} fictional staff through the development provider")
    return found
