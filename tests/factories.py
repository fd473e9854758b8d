"""Fictional test data (Faker en_GB); never real people or agencies."""

from __future__ import annotations

import itertools
from typing import Any

from faker import Faker

from sharehub.agencies.schemas import AgencyCreate, InformationGovernanceContact
from sharehub.agencies.types import AgencyType

fake = Faker("en_GB")
Faker.seed(1998)
_serial = itertools.count(1)


def agency_payload(**overrides: Any) -> dict[str, Any]:
    n = next(_serial)
    town = fake.city()
    payload: dict[str, Any] = {
        "name": f"{town} Community Safety Team {n}",
        "short_code": f"T{n:04d}",
        "agency_type": "district_council",
        "areas": [town],
        "information_governance_contact": {
            "name": fake.name(),
            "email": f"ig{n}@agency{n}.example.org",
            "telephone": "01632 960123",
        },
    }
    payload.update(overrides)
    return payload


def home_agency_payload() -> AgencyCreate:
    """The agency the test users belong to (its type and area are used by no other test data)."""
    return AgencyCreate(
        name="Testshire Hub Team",
        short_code="HOME",
        agency_type=AgencyType.OTHER,
        areas=["Testshire"],
        # A team, not a person: a random name here could share a forename with a
        # fictional person of a test (the sweep would rightly count it as shown).
        information_governance_contact=InformationGovernanceContact(
            name="Information Governance Team", email="ig@home.example.org"
        ),
    )
