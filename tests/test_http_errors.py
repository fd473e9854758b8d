"""Every error is problem details; every response carries the security headers."""

from __future__ import annotations

from litestar import get
from litestar.testing import AsyncTestClient

from helpers import assert_problem


async def test_unknown_route_is_a_problem(client):
    assert_problem(await client.get("/api/nothing-here"), 404)


async def test_wrong_method_keeps_the_allow_header(client):
    response = await client.delete("/api/agencies/")
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"] and "POST" in response.headers["allow"]


async def test_security_headers_on_success_and_error(client):
    for response in (await client.get("/healthz"), await client.get("/api/nothing-here")):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_unexpected_error_is_a_500_problem_without_internals(app, caplog):
    person = " ".join(["Jane", "Example"])  # built at run time, so only a value can leak it

    @get("/api/explode", opt={"public": True})
    async def explode() -> None:
        raise RuntimeError(f"secret internal detail about {person}")

    app.register(explode)
    async with AsyncTestClient(app=app) as client:
        response = await client.get("/api/explode")
    body = assert_problem(response, 500)
    assert "secret internal detail" not in response.text
    assert body["incident"]
    logged = caplog.text
    assert body["incident"] in logged and "Jane Example" not in logged


async def test_openapi_document_lists_every_route_and_its_problems(client):
    document = (await client.get("/schema/openapi.json")).json()
    paths = document["paths"]
    assert {"/healthz", "/readyz", "/api/agencies", "/api/agencies/{agency_id}"} <= set(paths)
    update = paths["/api/agencies/{agency_id}"]["patch"]
    assert {"400", "404", "409", "412", "428"} <= set(update["responses"])
