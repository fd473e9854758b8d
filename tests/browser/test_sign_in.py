"""Signing in and out in a real browser, through the development provider."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from browser.harness import (
    LiveHub,
    agency_name,
    check_accessibility,
    expect,
    keep_screenshot,
    sign_in_as,
    sign_out,
    staff_member,
)
from sharehub.access.roles import Role

if TYPE_CHECKING:
    from playwright.sync_api import Page

HOUSING = "FVHA"


def test_a_housing_officer_signs_in_and_out(page: Page, live_hub: LiveHub) -> None:
    officer = staff_member(HOUSING, Role.PRACTITIONER)
    agency = agency_name(HOUSING)

    page.goto(live_hub.url + "/")
    expect(page.get_by_role("link", name=re.compile(re.escape(agency)))).to_be_visible()
    check_accessibility(page)

    sign_in_as(page, live_hub, HOUSING, officer.name, on_provider_page=check_accessibility)

    body = page.locator("body")
    expect(body).to_contain_text(officer.name)
    expect(body).to_contain_text(agency)
    check_accessibility(page)
    keep_screenshot(page, "sign-in-housing-officer")

    sign_out(page)
    expect(body).to_contain_text(re.compile("signed out", re.IGNORECASE))
    check_accessibility(page)
    page.goto(live_hub.url + "/")
    expect(body).not_to_contain_text(officer.name)
    expect(page.get_by_role("link", name=re.compile(re.escape(agency)))).to_be_visible()


def test_signing_in_works_when_the_hub_is_opened_at_localhost(
    page: Page, live_hub: LiveHub
) -> None:
    """The hub is published as 127.0.0.1; a person who types localhost is moved
    to the public address before sign-in starts, so the provider sends them
    back to the host their sign-in cookie is on (until it did, the callback
    answered a raw 400)."""
    officer = staff_member(HOUSING, Role.PRACTITIONER)

    sign_in_as(page, live_hub.localhost_url, HOUSING, officer.name)

    expect(page.locator("body")).to_contain_text(officer.name)
    assert page.url.startswith(live_hub.url + "/"), page.url


def test_axe_is_run_offline_and_finds_what_is_wrong(page: Page) -> None:
    """The check is not vacuous and needs no network: on a page of its own,
    with every request refused, it names an image without a text alternative."""
    page.set_content(
        '<!doctype html><html lang="en-GB"><head><title>Broken</title></head>'
        '<body><main><h1>Broken</h1><img src="data:image/gif;base64,'
        'R0lGODlhAQABAAAAACwAAAAAAQABAAA=" width="10" height="10"></main></body></html>'
    )
    with pytest.raises(AssertionError, match=r"image-alt \(critical\)"):
        check_accessibility(page)
