"""What protects people's browsers: CSRF on forms, no cross-site writes to the
JSON API, a strict Content-Security-Policy with a fresh nonce, sign-in from
either loopback name, and every asset served by the hub itself."""

from __future__ import annotations

import re

import msgspec

from pages import soup, visible_text
from test_privacy import complainant, partners  # noqa: F401
from test_protocols import cast  # noqa: F401

async def test_cookie_authenticated_api_writes_from_another_site_are_refused(partners):  # noqa: F811
    officer = partners.officer
    text = msgspec.json.encode(complainant())
    # A form or text/plain post from another site, carrying the person's cookie.
    foreign = await officer.post(
        "/api/subjects/",
        content=text,
        headers={"content-type": "text/plain", "origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    assert foreign.headers["content-type"].startswith("application/problem+json")
    assert "another site" in foreign.json()["detail"]
    sideways = await officer.post(
        "/api/subjects/", json=complainant(), headers={"sec-fetch-site": "cross-site"}
    )
    assert sideways.status_code == 403
    plain = await officer.post("/api/subjects/", content=text, headers={"content-type": "text/plain"})
    assert plain.status_code == 403 and "JSON" in plain.json()["detail"]
    # The same request, same-origin JSON, is the API working as documented.
    same = await officer.post(
        "/api/subjects/",
        json=complainant(),
        headers={"origin": "http://127.0.0.1:8000", "sec-fetch-site": "same-origin"},
    )
    assert same.status_code == 201, same.text


async def test_pages_carry_a_strict_policy_with_a_fresh_nonce(anon_client):
    first = await anon_client.get("/")
    second = await anon_client.get("/")
    policy = first.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert nonce not in second.headers["content-security-policy"]
    page = soup(first)
    inline = [s for s in page.select("script") if not s.get("src")]
    assert inline and all(s.get("nonce") == nonce for s in inline)
    assert first.headers["cache-control"] == "no-store"
    assert first.headers["x-frame-options"] == "DENY"
    # Nothing on the page comes from anywhere but the hub.
    for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src")):
        for element in page.select(f"{tag}[{attribute}]"):
            assert element[attribute].startswith("/"), element
    assert page.html["lang"] == "en-GB"
    # No crown: sharehub is not a GOV.UK service.
    assert "GOV.UK" not in visible_text(page)
    assert "govuk-crest" not in first.text and "GDS Transport" not in first.text


async def test_the_assets_and_the_api_docs_are_served_by_the_hub(anon_client):
    css = await anon_client.get("/static/frontend/sharehub.min.css")
    assert css.status_code == 200 and "govuk-" in css.text and "GDS Transport" not in css.text
    script = await anon_client.get("/static/frontend/govuk-frontend.min.js")
    assert script.status_code == 200
    docs = await anon_client.get("/schema/swagger")
    assert docs.status_code == 200
    assert 'src="/static/swagger-ui/swagger-ui-bundle.js"' in docs.text
    assert "cdn" not in docs.text.lower() and "http" not in docs.text.split("<body>")[1]
    bundle = await anon_client.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and "SwaggerUIBundle" in bundle.text
    assert bundle.headers["content-encoding"] == "gzip"
    plain = await anon_client.get(
        "/static/swagger-ui/swagger-ui-bundle.js", headers={"accept-encoding": "identity"}
    )
    assert "content-encoding" not in plain.headers and "SwaggerUIBundle" in plain.text
    licences = await anon_client.get("/static/licences/govuk-frontend.txt")
    assert licences.status_code == 200 and "MIT" in licences.text


async def test_sign_in_opened_at_the_other_loopback_name_moves_to_the_public_address(anon_client):
    moved = await anon_client.get("/", headers={"host": "localhost:8000"})
    assert moved.status_code == 307
    assert moved.headers["location"] == "http://127.0.0.1:8000/"
    login = await anon_client.get("/auth/login/test-agency", headers={"host": "localhost:8000"})
    assert login.headers["location"] == "http://127.0.0.1:8000/auth/login/test-agency"


async def test_a_missing_page_is_a_page_and_an_api_miss_is_a_problem(anon_client):
    page = await anon_client.get("/no-such-page", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert "Page not found" in visible_text(soup(page))
    api = await anon_client.get("/api/no-such-thing", headers={"accept": "text/html"})
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/problem")


async def test_a_page_that_needs_sign_in_goes_to_the_start_page(anon_client):
    moved = await anon_client.get("/asb-reports")
    assert moved.status_code == 303 and moved.headers["location"] == "/"
