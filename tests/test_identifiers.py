"""UK identifiers: checked on the way in, normalised for lookup."""

from __future__ import annotations

import uuid
from datetime import date

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharehub.agencies.types import AgencyType
from sharehub.privacy import identifiers
from sharehub.protocols.engine import (
    AgencyRef,
    DisclosureRequest,
    IdentityRelease,
    SubjectRole,
    decide,
)
from sharehub.protocols.terms import (
    Article6Basis,
    CategoryTerms,
    DataCategory,
    PartyTerms,
    ProtocolStatus,
    ProtocolTerms,
    Purpose,
    PurposeTerms,
)
from support.people import nhs_number


@pytest.mark.parametrize(
    "written,stored",
    [
        ("sw1a1aa", "SW1A 1AA"),
        ("HX3  9QT", "HX3 9QT"),
        ("m1 1ae", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
    ],
)
def test_postcodes_are_normalised(written, stored):
    assert identifiers.postcode(written) == stored


@pytest.mark.parametrize("bad", ["", "SW1A", "12345", "SW1A 1A", "HX3 9Q7", "not a postcode"])
def test_bad_postcodes_are_refused(bad):
    with pytest.raises(ValueError, match="postcode"):
        identifiers.postcode(bad)


def test_nhs_numbers_need_the_right_check_digit():
    assert identifiers.nhs_number("943 476 5919") == "9434765919"
    assert identifiers.nhs_number("943-476-5919") == "9434765919"
    with pytest.raises(ValueError, match="check digit"):
        identifiers.nhs_number("943 476 5918")
    with pytest.raises(ValueError, match="10 digits"):
        identifiers.nhs_number("943 476 591")


@given(st.integers(0, 10**9))
def test_every_wrong_last_digit_is_caught(seed):
    good = nhs_number(seed)
    for wrong in set("0123456789") - {good[9]}:
        with pytest.raises(ValueError):
            identifiers.nhs_number(good[:9] + wrong)


@pytest.mark.parametrize(
    "bad",
    ["DQ123456C", "QQ123456C", "AO123456C", "GB123456C", "AB123456E", "AB12345C", "A1234567C"],
)
def test_ni_numbers_follow_the_hmrc_format(bad):
    assert identifiers.ni_number("ab 12 34 56 c") == "AB123456C"
    with pytest.raises(ValueError, match="National Insurance"):
        identifiers.ni_number(bad)


@pytest.mark.parametrize(
    "written",
    ["07700 900461", "+44 7700 900461", "+44 (0)7700 900461", "0044 7700 900461", "07700-900-461"],
)
def test_phone_numbers_in_any_notation_are_one_number(written):
    assert identifiers.phone(written) == "07700900461"


@pytest.mark.parametrize("bad", ["12345", "07700 900", "call me", "+1 202 555 0143"])
def test_bad_phone_numbers_are_refused(bad):
    with pytest.raises(ValueError):
        identifiers.phone(bad)


def test_dates_of_birth_are_not_in_the_future():
    today = date(2026, 11, 21)
    assert identifiers.date_of_birth(date(1984, 3, 7), today) == date(1984, 3, 7)
    with pytest.raises(ValueError, match="future"):
        identifiers.date_of_birth(date(2026, 11, 22), today)


def test_a_recorded_release_lets_the_engine_permit_a_protected_identity():
    police, council = uuid.uuid4(), uuid.uuid4()
    protocol = ProtocolTerms(
        protocol_id=uuid.uuid4(),
        version=1,
        title="ASB protocol",
        status=ProtocolStatus.ACTIVE,
        parties=(
            PartyTerms(agency_id=police, agency_type=AgencyType.POLICE_FORCE),
            PartyTerms(agency_id=council, agency_type=AgencyType.DISTRICT_COUNCIL),
        ),
        purposes=(
            PurposeTerms(
                purpose=Purpose.ASB_CASE_MANAGEMENT,
                categories=(
                    CategoryTerms(
                        category=DataCategory.IDENTITY, article6=Article6Basis.PUBLIC_TASK
                    ),
                ),
                gateways=("cda1998_s115",),
            ),
        ),
        review_date=date(2027, 11, 1),
    )
    request = DisclosureRequest(
        discloser=AgencyRef(police, AgencyType.POLICE_FORCE),
        recipient=AgencyRef(council, AgencyType.DISTRICT_COUNCIL),
        purpose=Purpose.ASB_CASE_MANAGEMENT,
        categories=(DataCategory.IDENTITY,),
        subject_role=SubjectRole.CHILD,
        on=date(2026, 11, 21),
    )
    withheld = decide(request, [protocol])
    assert withheld.outcome == "refused" and withheld.withheld[0].category is DataCategory.IDENTITY
    release = IdentityRelease(kind="sharing_decision", reference=uuid.uuid4())
    released = decide(msgspec.structs.replace(request, identity_release=release), [protocol])
    assert released.outcome == "permitted" and released.awaiting_confirmation == ()
    # Said in words; the decision's own id travels in the disclosure's basis, not the text.
    assert any("recorded sharing decision" in c for c in released.conditions)
    assert not any(str(release.reference) in c for c in released.conditions)
