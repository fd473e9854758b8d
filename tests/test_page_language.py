"""Every string a person reads on a page goes through gettext, so a Welsh
catalogue can be added without touching a template; the page says its language."""

from __future__ import annotations

import gettext
import re

import pytest

from pages import soup
from sharehub import i18n
from sharehub.web import templating
from test_privacy import partners  # noqa: F401
from test_protocols import cast  # noqa: F401

MARKED = re.compile(r"⟦[^⟧]*⟧")


class Pseudo(gettext.NullTranslations):
    """Marks every translated message, so untranslated text stands out."""

    def gettext(self, message: str) -> str:
        return f"⟦{message}⟧"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"⟦{singular if n == 1 else plural}⟧"


@pytest.fixture
def pseudo(monkeypatch):
    monkeypatch.setattr(i18n, "translations_for", lambda language: Pseudo())


def untranslated(page, allowed: set[str]) -> list[str]:
    """Text in <main> not inside a marked message, less data the page shows."""
    main = page.select_one("main")
    for hidden in main.select("script, input, textarea, option"):
        hidden.decompose()
    leftover = []
    for text in main.stripped_strings:
        rest = MARKED.sub("", text).strip(" .,:;()–-")
        if rest and rest not in allowed and not re.fullmatch(r"[\d\s:/]+", rest):
            leftover.append(rest)
    return leftover


async def test_the_start_page_is_all_messages(anon_client, pseudo):
    page = soup(await anon_client.get("/"))
    agencies = {a.get_text(strip=True) for a in page.select("main .govuk-hint")}
    assert untranslated(page, agencies) == []
    assert page.html["lang"] == "en-GB"


async def test_a_form_and_its_errors_are_all_messages(partners, pseudo):  # noqa: F811
    officer = partners.officer
    page = soup(await officer.get("/asb-reports/new"))
    assert untranslated(page, {"OFFICIAL-SENSITIVE"}) == []
    token = {i["name"]: i["value"] for i in page.select("main form input[type=hidden]")}
    refused = soup(await officer.post("/asb-reports/new", data=token))
    # "Error" is the frontend's visually hidden prefix to each field's message.
    assert untranslated(refused, {"OFFICIAL-SENSITIVE", "Error"}) == []


async def test_the_page_language_follows_the_catalogues_the_hub_has(anon_client):
    # No Welsh catalogue ships yet: a Welsh browser gets English, said so.
    page = soup(await anon_client.get("/", headers={"accept-language": "cy-GB,cy;q=0.9"}))
    assert page.html["lang"] == "en-GB"
    assert templating.choose_language("cy-GB,cy;q=0.9") == "en-GB"
