"""Who may see a particular record: plain functions, tested without HTTP."""

from __future__ import annotations

import uuid

from sharehub.access.relationships import may_see
from sharehub.identity.principal import Principal, RoleHeld

HOME, OTHER, INVITED = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def person(agency, *roles: RoleHeld) -> Principal:
    return Principal(kind="user", id=uuid.uuid4(), agency_id=agency, roles=roles)


def test_owning_agency_sees_its_record():
    assert may_see(person(HOME, RoleHeld("practitioner", HOME)), owning_agency_id=HOME)
    assert not may_see(person(OTHER, RoleHeld("practitioner", OTHER)), owning_agency_id=HOME)


def test_invited_agencies_see_the_record():
    invited = person(INVITED, RoleHeld("practitioner", INVITED))
    assert may_see(invited, owning_agency_id=HOME, invited_agency_ids={INVITED})


def test_coordinators_see_records_of_their_area_only():
    coordinator = person(OTHER, RoleHeld("marac_coordinator", None, "Harrowmere"))
    rules = {"owning_agency_id": HOME, "coordinator_roles": {"marac_coordinator"}}
    assert may_see(coordinator, area="harrowmere", **rules)
    assert not may_see(coordinator, area="Fenby", **rules)
    assert not may_see(coordinator, area=None, **rules)
    everywhere = person(OTHER, RoleHeld("marac_coordinator", None, None))
    assert may_see(everywhere, area="Fenby", **rules)
    # A coordinator role held in an agency (not hub-wide) does not reach other agencies.
    local = person(OTHER, RoleHeld("marac_coordinator", OTHER, None))
    assert not may_see(local, area="Fenby", **rules)
    # Other roles do not count as coordination.
    assert not may_see(person(OTHER, RoleHeld("observer", None)), area="Fenby", **rules)
