"""Access control: every route declares its action, the Casbin policy decides,
object checks hide other agencies' records, and revocation is immediate."""

from __future__ import annotations

import shutil
import uuid

import pytest
from litestar.testing import AsyncTestClient

from helpers import assert_problem
from sharehub.access.policy import AccessPolicy, PolicyError, default_policies_dir
from sharehub.access.roles import HUB_WIDE_ROLES, Role
from sharehub.app import create_app
from sharehub.audit.events import MemorySink
from sharehub.config import Settings
from support.signin import (
    OTHER_CLIENT_ID,
    OTHER_CLIENT_SECRET,
    OTHER_PROVIDER_SLUG,
    ROLE_CLAIM,
    sign_in,
)

POLICY = AccessPolicy()
# Routes anyone may call, on purpose. Anything else must be signed in.
PUBLIC_ROUTES = {
    "/healthz",
    "/readyz",
    "/",
    "/auth/providers",
    "/auth/login/{slug:str}",
    "/auth/callback/{slug:str}",
    "/auth/logout",
    "/auth/logged-out",
    "/help/accessibility",
    # The online application for an ASB case review: anyone may apply, as
    # councils' forms let them; limited per address and per area.
    "/apply-for-a-case-review",
    "/apply-for-a-case-review/{area:str}",
    "/apply-for-a-case-review/{area:str}/received",
    # GOV.UK Frontend, MOJ Frontend and Swagger UI: files, no data.
    "/static/{file_path:path}",
    "/static/swagger-ui/swagger-ui-bundle.js",
}


def declared_routes(app) -> list[tuple[str, str, dict]]:
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            methods = getattr(handler, "http_methods", {"ASGI"})
            for method in methods - {"OPTIONS"}:
                found.append((route.path, method, handler.opt))
    return found


def test_every_route_declares_what_it_needs(settings):
    app = create_app(Settings(env="demo", database_url=settings.database_url))
    used_actions = set()
    for path, method, opt in declared_routes(app):
        if path.startswith("/schema"):
            assert opt.get("signed_in"), f"{method} {path}: API document must need sign-in"
            continue
        if opt.get("public"):
            assert path in PUBLIC_ROUTES, f"{method} {path} is public but not meant to be"
            continue
        if opt.get("signed_in"):
            assert path == "/me", f"{method} {path}: only /me is for anyone signed in"
            continue
        action = opt.get("action")
        assert action, f"{method} {path} declares no action"
        assert action in POLICY.actions, f"{method} {path}: {action} is in no policy line"
        used_actions.add(action)
    assert used_actions == POLICY.actions, "policy lines for actions no route takes"


def test_api_document_is_open_only_in_development(settings):
    from litestar.testing import TestClient

    with TestClient(create_app(Settings(env="demo", database_url=settings.database_url))) as demo:
        assert_problem(demo.get("/schema/openapi.json"), 401)
    with TestClient(create_app(settings)) as development:
        assert development.get("/schema/openapi.json").status_code == 200


# One request per action: allowed answers anything but 401/403.
MISSING = "00000000-0000-0000-0000-000000000000"


def action_requests(home: str) -> dict[str, tuple[str, str, dict]]:
    stale = {"headers": {"If-Match": '"999"'}}
    return {
        "agency:read": ("GET", "/api/agencies/", {}),
        "agency:create": ("POST", "/api/agencies/", {"json": {}}),
        "agency:update": ("PATCH", f"/api/agencies/{home}", {"json": {}, **stale}),
        "agency:deactivate": ("POST", f"/api/agencies/{home}/deactivate", stale),
        "identity-provider:manage": ("GET", "/api/identity-providers/", {}),
        "machine-client:manage": ("GET", "/api/machine-clients/", {}),
        "user:read": ("GET", "/api/users/", {}),
        "user:deactivate": ("POST", f"/api/users/{MISSING}/deactivate", {}),
        "role:read": ("GET", "/api/role-assignments/", {}),
        "disclosure:check": ("POST", "/api/disclosure-checks", {"json": {}}),
        "role:grant": ("POST", "/api/role-assignments/", {"json": {}}),
        "role:revoke": ("DELETE", f"/api/role-assignments/{MISSING}", {}),
        "protocol:read": ("GET", "/api/protocols/", {}),
        "protocol:draft": ("POST", "/api/protocols/", {"json": {}}),
        "protocol:sign": ("POST", f"/api/protocols/{MISSING}/sign", {"json": {}, **stale}),
        "protocol:suspend": ("POST", f"/api/protocols/{MISSING}/suspend", {"json": {}, **stale}),
        "protocol:terminate": (
            "POST",
            f"/api/protocols/{MISSING}/terminate",
            {"json": {}, **stale},
        ),
        "protocol:export": ("GET", f"/api/protocols/{MISSING}/export.json", {}),
        "subject:create": ("POST", "/api/subjects/", {"json": {}}),
        "subject:read": ("GET", f"/api/subjects/{MISSING}", {}),
        "subject:update": ("PATCH", f"/api/subjects/{MISSING}", {"json": {}, **stale}),
        "consent:record": ("POST", f"/api/subjects/{MISSING}/consents", {"json": {}}),
        "consent:read": ("GET", f"/api/subjects/{MISSING}/consents", {}),
        "consent:withdraw": (
            "POST",
            f"/api/subjects/{MISSING}/consents/{MISSING}/withdrawal",
            {"json": {}},
        ),
        "sharing-decision:record": (
            "POST",
            f"/api/subjects/{MISSING}/sharing-decisions",
            {"json": {}},
        ),
        "identity:override": (
            "POST",
            f"/api/subjects/{MISSING}/safeguarding-overrides",
            {"json": {}},
        ),
        "override:review": ("GET", "/api/safeguarding-overrides/", {}),
        "audit:read": ("GET", "/api/audit/entries/999999/proof", {}),
        "audit:checkpoint": ("POST", "/api/audit/checkpoints", {}),
        "audit:subject-access": ("GET", f"/api/audit/subject-access/{MISSING}", {}),
        "retention:hold": ("GET", "/api/legal-holds/", {}),
        "asb-report:create": ("POST", "/api/asb-reports/", {"json": {}}),
        "asb-report:read": ("GET", "/api/asb-reports/", {}),
        "response-policy:manage": (
            "PUT",
            f"/api/agencies/{home}/response-policy/",
            {"json": {}},
        ),
        "asb-report:update": (
            "POST",
            f"/api/asb-reports/{MISSING}/assessment",
            {"json": {"harm_level": "low"}, **stale},
        ),
        "marac-referral:create": ("POST", "/api/marac-referrals/", {"json": {}}),
        "marac-referral:read": ("GET", "/api/marac-referrals/", {}),
        "marac-referral:update": (
            "POST",
            f"/api/marac-referrals/{MISSING}/resubmission",
            {"json": {"note": "Added the police incident dates."}, **stale},
        ),
        "marac-referral:coordinate": (
            "POST",
            f"/api/marac-referrals/{MISSING}/hearing",
            {"json": {"heard_on": "2026-01-05"}, **stale},
        ),
        "marac-criteria:manage": ("PUT", "/api/marac-criteria/Nowhere/", {"json": {}}),
        "meeting:arrange": ("POST", "/api/meetings/", {"json": {}}),
        "meeting:read": ("GET", "/api/meetings/", {}),
        "meeting:prepare": (
            "POST",
            f"/api/meetings/{MISSING}/apologies",
            {"json": {"apologies": True}},
        ),
        "meeting:minute": ("PUT", f"/api/meetings/{MISSING}/minutes", {"json": {}}),
        "meeting:attend": (
            "POST",
            f"/api/meetings/{MISSING}/attendees",
            {"json": {"user_id": MISSING}},
        ),
        "meeting:approve": ("POST", f"/api/meetings/{MISSING}/minutes/approval", stale),
        "meeting:share-minutes": ("GET", f"/api/meetings/{MISSING}/minutes/onward-sharing", {}),
        "meeting-action:read": ("GET", "/api/meeting-actions/", {}),
        "meeting-action:update": (
            "POST",
            f"/api/meeting-actions/{MISSING}/progress",
            {"json": {"status": "done", "note": "Completed."}, **stale},
        ),
        "mappa-referral:create": ("POST", "/api/mappa-referrals/", {"json": {}}),
        "mappa-referral:read": ("GET", "/api/mappa-referrals/", {}),
        "mappa-referral:update": (
            "POST",
            f"/api/mappa-referrals/{MISSING}/resubmission",
            {"json": {}, **stale},
        ),
        "mappa-referral:decide": ("POST", f"/api/mappa-referrals/{MISSING}/acceptance", stale),
        "case-review:create": ("POST", "/api/case-reviews/", {"json": {}}),
        "case-review:read": ("GET", "/api/case-reviews/", {}),
        "case-review:manage": (
            "POST",
            f"/api/case-reviews/{MISSING}/acknowledgement",
            {"json": {}, **stale},
        ),
        "case-review:respond": (
            "POST",
            f"/api/case-reviews/{MISSING}/information-requests/{MISSING}/response",
            {"json": {"response": "Nothing held."}, **stale},
        ),
        "case-review:figures": ("GET", "/api/case-reviews/figures", {}),
        "case-review-procedure:manage": (
            "PUT",
            "/api/case-review-procedures/Nowhere",
            {"json": {}},
        ),
    }


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
async def test_role_action_matrix_from_the_policy(anon_client, oidc_provider, partnership, role):
    requests = action_requests(str(partnership.agency_id))
    assert set(requests) == POLICY.actions, "add a request for each new action"
    await sign_in(anon_client, oidc_provider, sub=f"matrix-{role.value}", roles=[role.value])
    for action, (method, path, kwargs) in sorted(requests.items()):
        response = await anon_client.request(method, path, **kwargs)
        if role.value in POLICY.roles_allowed(action):
            assert response.status_code not in (401, 403), f"{role} {action}: {response.text}"
        else:
            body = assert_problem(response, 403)
            assert action in body["detail"], body


@pytest.fixture
async def other_agency(client, oidc_provider):
    """A second agency with its own registration on the same provider."""
    agency = await client.post(
        "/api/agencies/",
        json={
            "name": "Otherton Borough Council",
            "short_code": "OBC",
            "agency_type": "unitary_council",
            "areas": ["Otherton"],
            "information_governance_contact": {"name": "Ig Contact", "email": "ig@obc.example.org"},
        },
    )
    assert agency.status_code == 201, agency.text
    provider = await client.post(
        "/api/identity-providers/",
        json={
            "slug": OTHER_PROVIDER_SLUG,
            "display_name": "Otherton sign-in",
            "agency_id": agency.json()["id"],
            "issuer": oidc_provider.issuer,
            "client_id": OTHER_CLIENT_ID,
            "client_secret": OTHER_CLIENT_SECRET,
            "role_mapping": {"claim": ROLE_CLAIM, "roles": {r.value: r.value for r in Role}},
        },
    )
    assert provider.status_code == 201, provider.text
    return agency.json()


async def signed_in_elsewhere(settings, oidc_provider, **kwargs) -> tuple[AsyncTestClient, str]:
    browser = AsyncTestClient(app=create_app(settings))
    await browser.__aenter__()
    browser.follow_redirects = False
    await sign_in(browser, oidc_provider, **kwargs)
    return browser, (await browser.get("/me")).json()["id"]


async def test_other_agencies_people_are_404_not_403(
    client, anon_client, oidc_provider, settings, other_agency
):
    # An officer of the home agency, and the other agency's administrator.
    officer, officer_id = await signed_in_elsewhere(
        settings, oidc_provider, sub="home-officer", roles=["practitioner"]
    )
    try:
        # Read as the hub administrator first; `client` then signs in as the other admin.
        assignments = (
            await client.get("/api/role-assignments/", params={"user_id": officer_id})
        ).json()
        assert assignments
        await sign_in(
            anon_client,
            oidc_provider,
            sub="other-admin",
            roles=["agency_administrator"],
            slug=OTHER_PROVIDER_SLUG,
        )
        listed = (await anon_client.get("/api/users/")).json()
        assert officer_id not in {u["id"] for u in listed}
        assert_problem(await anon_client.post(f"/api/users/{officer_id}/deactivate"), 404)
        grant = {"user_id": officer_id, "role": "observer"}
        assert_problem(await anon_client.post("/api/role-assignments/", json=grant), 404)
        revoke = f"/api/role-assignments/{assignments[0]['id']}"
        assert_problem(await anon_client.delete(revoke), 404)
        visible = (await anon_client.get("/api/role-assignments/")).json()
        assert officer_id not in {a["user_id"] for a in visible}
        assert (await officer.get("/me")).status_code == 200  # nothing was changed
    finally:
        await officer.__aexit__(None, None, None)


async def test_agency_administrator_grants_only_within_their_agency(
    anon_client, oidc_provider, settings, events_app_settings=None
):
    officer, officer_id = await signed_in_elsewhere(
        settings, oidc_provider, sub="new-starter", roles=[]
    )
    try:
        await sign_in(anon_client, oidc_provider, sub="home-admin", roles=["agency_administrator"])
        granted = await anon_client.post(
            "/api/role-assignments/", json={"user_id": officer_id, "role": "practitioner"}
        )
        assert granted.status_code == 201, granted.text
        assert granted.json()["source"] == "grant"
        assert (await officer.get("/api/agencies/")).status_code == 200

        hub_wide = {"user_id": officer_id, "role": "marac_coordinator"}
        refused = await anon_client.post("/api/role-assignments/", json=hub_wide)
        assert "hub-wide" in assert_problem(refused, 409)["detail"]
        again = await anon_client.post(
            "/api/role-assignments/", json={"user_id": officer_id, "role": "practitioner"}
        )
        assert_problem(again, 409)
    finally:
        await officer.__aexit__(None, None, None)


async def test_hub_administrator_grants_area_coordinators(client, oidc_provider, settings):
    officer, officer_id = await signed_in_elsewhere(
        settings, oidc_provider, sub="coordinator", roles=[]
    )
    try:
        granted = await client.post(
            "/api/role-assignments/",
            json={"user_id": officer_id, "role": "marac_coordinator", "area": "Harrowmere"},
        )
        assert granted.status_code == 201, granted.text
        assert granted.json()["agency_id"] is None and granted.json()["area"] == "Harrowmere"
        me = (await officer.get("/me")).json()
        assert [(r["role"], r["area"]) for r in me["roles"]] == [
            ("marac_coordinator", "Harrowmere")
        ]
        assert_problem(
            await client.post(
                "/api/role-assignments/",
                json={"user_id": officer_id, "role": "practitioner", "area": "Harrowmere"},
            ),
            400,
            "area",
        )
    finally:
        await officer.__aexit__(None, None, None)


async def test_revoking_in_one_worker_denies_the_next_request_in_another(
    client, oidc_provider, settings
):
    """Two app instances stand for two worker processes sharing the database."""
    officer, officer_id = await signed_in_elsewhere(
        settings, oidc_provider, sub="revoked-officer", roles=[]
    )
    try:
        granted = await client.post(
            "/api/role-assignments/", json={"user_id": officer_id, "role": "practitioner"}
        )
        assert (await officer.get("/api/agencies/")).status_code == 200  # decision now cached
        assert (await officer.get("/api/agencies/")).status_code == 200
        revoked = await client.delete(f"/api/role-assignments/{granted.json()['id']}")
        assert revoked.status_code == 204
        assert_problem(await officer.get("/api/agencies/"), 403)
    finally:
        await officer.__aexit__(None, None, None)


async def test_grants_revokes_and_denials_are_recorded(anon_client, oidc_provider, settings):
    sink = MemorySink()
    app = create_app(settings, audit_events=sink)
    async with AsyncTestClient(app=app) as admin:
        admin.follow_redirects = False
        await sign_in(admin, oidc_provider, sub="recorder", roles=["hub_administrator"])
        me = (await admin.get("/me")).json()
        granted = await admin.post(
            "/api/role-assignments/", json={"user_id": me["id"], "role": "observer"}
        )
        await admin.delete(f"/api/role-assignments/{granted.json()['id']}")
    await sign_in(anon_client, oidc_provider, sub="nosy", roles=["observer"])
    kinds = [e.kind for e in sink.events]
    assert kinds == ["login_succeeded", "role_granted", "role_revoked"]
    grant = sink.events[1]
    assert grant.role == "observer" and grant.subject_user_id == uuid.UUID(me["id"])


def test_a_bad_policy_line_or_matcher_stops_the_hub_starting(tmp_path, settings):
    def policies(model_change=None, extra_line=None):
        directory = tmp_path / uuid.uuid4().hex
        shutil.copytree(default_policies_dir(), directory)
        if model_change:
            model = directory / "model.conf"
            model.write_text(model.read_text().replace(*model_change))
        if extra_line:
            with (directory / "policy.csv").open("a") as policy:
                policy.write(extra_line + "\n")
        return directory

    broken = {
        "extra field": policies(extra_line="p, practitioner, agency, read, allow"),
        "injected separator": policies(
            extra_line="p, practitioner, agency, read\r\np, observer, role, grant, x"
        ),
        "unknown role": policies(extra_line="p, emperor, agency, create"),
        "quoted field": policies(extra_line='p, "practitioner, agency", role, grant'),
        "matcher cut short": policies(model_change=("&& r.act == p.act", "&& r.act ==")),
        "matcher that allows everything": policies(
            model_change=("m = r.obj == p.obj", "m = true || r.obj == p.obj")
        ),
        "domains ignored": policies(
            model_change=('(g(r.sub, p.sub, r.dom) || g(r.sub, p.sub, "hub"))', "true")
        ),
    }
    for name, directory in broken.items():
        with pytest.raises(PolicyError):
            AccessPolicy(directory)
        with pytest.raises(PolicyError):
            create_app(Settings(database_url=settings.database_url, policies_dir=directory))
        print("refused:", name)


def test_cache_is_dropped_when_assignments_change():
    policy = AccessPolicy()
    user = uuid.uuid4()
    policy.load_assignments(1, [(str(user), "practitioner", "agency-a")])
    assert policy.allowed(user, "agency-a", "agency:read")
    assert not policy.allowed(user, "agency-b", "agency:read")
    policy.load_assignments(2, [])
    assert not policy.allowed(user, "agency-a", "agency:read")
    policy.load_assignments(3, [(str(user), "marac_coordinator", "hub")])
    assert policy.allowed(user, "agency-b", "agency:read")
    assert not policy.allowed(user, "agency-b", "not-an:action")
    assert Role.MARAC_COORDINATOR in HUB_WIDE_ROLES
