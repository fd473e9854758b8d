"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import msgspec
from litestar import Response, get
from litestar.datastructures import State
from sqlalchemy import text

from sharehub.disclosure.gated import Code, Explanation
from sharehub.db.schema import describe_schema
from sharehub.web.problems import ProblemDetails, problem, problem_responses


class Health(msgspec.Struct):
    status: Code
    detail: Explanation | None = None


@get(
    "/healthz",
    operation_id="Healthz",
    opt={"public": True},
    tags=["Operations"],
    summary="The process is up",
)
async def healthz() -> Health:
    return Health(status="ok")


@get(
    "/readyz",
    operation_id="Readyz",
    opt={"public": True},
    tags=["Operations"],
    summary="The database is reachable and its schema current",
    responses=problem_responses(503),
)
async def readyz(state: State) -> Response[Health] | Response[ProblemDetails]:
    try:
        async with state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            current, explanation = await connection.run_sync(describe_schema)
    except Exception:  # any failure to reach the database means "not ready"
        return problem(503, "the database cannot be reached")
    if not current:
        return problem(503, explanation)
    return Response(Health(status="ready", detail=explanation))
