"""The demo partnership: six fictional agencies of one fictional county, their
staff signed in through a development OpenID Provider, and a partnership a
newcomer can explore: signed protocols, people in every consent state, ASB
reports at every stage, MARAC and MAPPA referrals, an ASB case review, a MARAC
held with approved minutes and overdue actions and the next one being
prepared, and a ledger with a signed checkpoint.

- ``staff.py``: the agencies, the staff and their roles, the development
  provider and the sign-in guide (whom to sign in as for each job);
- ``partnership.py``: the people and cases, as data;
- ``loader.py``: walks that data in time order through the hub's services.

``sharehub demo`` calls ``load_demo``: deterministic (the same people,
references and structure for the same seed and day) and idempotent (run
again, it adds nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from sharehub.agencies.models import Agency
from sharehub.agencies.service import create_agency
from sharehub.config import Settings
from sharehub.db.base import utcnow
from sharehub.db.engine import create_engine, create_session_factory
from sharehub.demo.staff import (
    AGENCY_CLAIM,
    COUNTY,
    DEMO_AGENCIES,
    DEMO_STAFF,
    DEV_PROVIDER_PATH,
    DISTRICT,
    MACHINE_CLIENT_ID,
    ROLES_CLAIM,
    GuideEntry,
    _register_dev_providers,
    demo_agencies,
    demo_staff,
    dev_client_secret,
    dev_issuer,
    dev_provider_config,
    sign_in_guide,
    sign_in_staff,
)

__all__ = [
    "AGENCY_CLAIM",
    "COUNTY",
    "DEMO_AGENCIES",
    "DEMO_STAFF",
    "DEV_PROVIDER_PATH",
    "DISTRICT",
    "MACHINE_CLIENT_ID",
    "ROLES_CLAIM",
    "GuideEntry",
    "demo_agencies",
    "demo_staff",
    "dev_client_secret",
    "dev_issuer",
    "dev_provider_config",
    "load_demo",
    "sign_in_guide",
]


async def load_demo(
    settings: Settings,
    progress: Callable[[str], None] = print,
    *,
    now: datetime | None = None,
) -> None:
    """Load the demo partnership as it stands on the day of ``now`` (default:
    the clock's), printing progress and, at the end, whom to sign in as."""
    from sharehub.demo.loader import Partnership

    now = now or utcnow()
    engine = create_engine(settings.database_url)
    try:
        sessions = create_session_factory(engine)
        async with sessions() as session, session.begin():
            have = set(await session.scalars(select(Agency.short_code)))
            for agency in demo_agencies():
                if agency.short_code in have:
                    progress(f"  agency {agency.short_code} already present")
                    continue
                await create_agency(session, agency)
                progress(f"  added agency {agency.short_code}: {agency.name}")
            await _register_dev_providers(session, settings, progress)
        # One transaction: the partnership is loaded whole or not at all.
        async with sessions() as db, db.begin():
            staff = await sign_in_staff(db, settings, now, progress)
            await Partnership(db, sessions, settings, staff, now).load(progress)
        progress("demo partnership loaded")
        progress(f"sign in at {settings.public_url}/ as one of the fictional staff:")
        guide = sign_in_guide()
        width = max(len(entry.job) for entry in guide)
        for entry in guide:
            progress(f"  {entry.job:<{width}}  {entry.name} ({entry.agency})")
    finally:
        await engine.dispose()
