"""Staff and their roles, as an agency administrator and the hub administrator
manage them: the newcomer told whom to ask gets a role, and can work."""

from __future__ import annotations

from sqlalchemy import select

from pages import assert_no_machinery, error_summary, soup, visible_text
from test_privacy import partners  # noqa: F401
from sharehub.audit.models import LedgerEntry
from sharehub.db.engine import create_engine
from test_protocols import cast  # noqa: F401


def card_form(page, name: str, action: str) -> dict[str, str]:
    card = next(c for c in page.select(".govuk-summary-card") if name in c.get_text())
    form = card.select_one(f'form[action="{action}"]')
    return {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}


async def _ledger_kinds(settings) -> list[str]:
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            return list(await connection.scalars(select(LedgerEntry.kind)))
    finally:
        await engine.dispose()


async def test_an_agency_administrator_gives_the_newcomer_a_role(partners, settings):  # noqa: F811
    admin = await partners.person("home-admin", ["agency_administrator"])
    newcomer = await partners.person("home-newcomer", [])
    assert "You do not have a role" in visible_text(soup(await newcomer.get("/")))

    page = soup(await admin.get("/staff"))
    text = visible_text(page)
    assert "home-newcomer" in text and "No role yet" in text
    assert "other-officer" not in text  # another agency's staff are not theirs to manage
    assert_no_machinery(page)
    # Hub-wide roles are the hub administrator's to give: not offered here.
    assert "MARAC coordinator" not in text

    given = await admin.post(
        "/staff/roles",
        data={**card_form(page, "home-newcomer", "/staff/roles"), "role": "practitioner"},
    )
    assert given.status_code == 303, given.text[:2000]
    page = soup(await admin.get(given.headers["location"]))
    assert "Role given" in visible_text(page)
    assert "role_granted" in await _ledger_kinds(settings)
    # At the newcomer's next request, they can work.
    assert "Your roles: Practitioner" in visible_text(soup(await newcomer.get("/")))

    again = await admin.post(
        "/staff/roles",
        data={**card_form(page, "home-newcomer", "/staff/roles"), "role": "practitioner"},
    )
    assert again.status_code == 400
    assert "The person already holds this role" in error_summary(soup(again))
    hub_wide = await admin.post(
        "/staff/roles",
        data={**card_form(page, "home-newcomer", "/staff/roles"), "role": "marac_coordinator"},
    )
    assert hub_wide.status_code == 400

    removal = card_form(page, "home-newcomer", "/staff/roles/removal")
    removed = await admin.post("/staff/roles/removal", data=removal)
    assert removed.status_code == 303
    assert "You do not have a role" in visible_text(soup(await newcomer.get("/")))


async def test_practitioners_do_not_manage_roles(partners):  # noqa: F811
    refused = await partners.officer.get("/staff")
    assert refused.status_code == 403
    assert "You cannot do this" in visible_text(soup(refused))
