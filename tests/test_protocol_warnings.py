"""Warnings before signing: what a protocol's gateways cannot support, said
before anyone signs it (pure: the engine asked about each pair of parties)."""

from __future__ import annotations

from sharehub.protocols.gateways import default_rules
from sharehub.protocols.terms import DataCategory as C
from sharehub.protocols.terms import Purpose
from sharehub.protocols.warnings import protocol_warnings
from test_lawful_basis import COUNCIL, DA_SERVICE, POLICE, cat, protocol, purposes_with

MARAC_S115_ONLY = purposes_with(Purpose.MARAC, cat(C.IDENTITY), cat(C.RISK_ASSESSMENT))


def test_an_s115_only_marac_protocol_with_a_charity_is_warned_about():
    warnings = protocol_warnings(protocol(POLICE, COUNCIL, DA_SERVICE, purposes=MARAC_S115_ONLY), default_rules())
    to_charity = [w for w in warnings if "to Safe Steps" in w]
    assert len(to_charity) == 2  # from the police and from the council
    assert all("Safe Steps is not a relevant authority under section 115" in w for w in to_charity)
    assert all("acts on behalf of a relevant authority" in w for w in to_charity)
    # The charity may disclose to the police and the council under s115.
    assert not [w for w in warnings if "from Safe Steps" in w]


def test_a_consent_gateway_turns_the_warning_into_case_by_case():
    purposes = purposes_with(Purpose.MARAC, cat(C.RISK_ASSESSMENT), gateways=("cda1998_s115", "consent"))
    warnings = protocol_warnings(protocol(POLICE, DA_SERVICE, purposes=purposes), default_rules())
    assert len(warnings) == 1
    assert "rests on the person's consent" in warnings[0]


def test_recording_that_the_charity_acts_for_the_council_clears_the_warning():
    terms = protocol(POLICE, COUNCIL, DA_SERVICE, purposes=MARAC_S115_ONLY, on_behalf={DA_SERVICE: COUNCIL})
    assert protocol_warnings(terms, default_rules()) == []


def test_warnings_are_plain_english():
    warnings = protocol_warnings(protocol(POLICE, COUNCIL, DA_SERVICE, purposes=MARAC_S115_ONLY), default_rules())
    for warning in warnings:
        for code in ("cda1998", "_", "marac:"):
            assert code not in warning, warning
