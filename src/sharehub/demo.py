"""The demo partnership: fictional agencies of one fictional county.

Every name, place and contact here is invented (people come from Faker's
en_GB provider with a fixed seed; e-mail domains are under example.org, which
is reserved for examples). Loading is idempotent: agencies are matched on
their short code and left alone if present.
"""

from __future__ import annotations

from collections.abc import Callable

from faker import Faker
from sqlalchemy import select

from sharehub.agencies.models import Agency
from sharehub.agencies.schemas import AgencyCreate, InformationGovernanceContact
from sharehub.agencies.service import create_agency
from sharehub.agencies.types import AgencyType
from sharehub.config import Settings
from sharehub.db.engine import create_engine, create_session_factory

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
        progress("demo partnership loaded")
    finally:
        await engine.dispose()
