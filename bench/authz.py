"""How much does deciding access cost?

Prints, measured in one run on this machine:
  1. Casbin decisions per second straight from the enforcer (no cache), with
     the real policy and 1,000 role assignments;
  2. decisions per second through AccessPolicy.allowed with its cache warm;
  3. requests per second to one handler served three ways, in-process over
     ASGI: public with no credentials (the bare baseline), signed in but with
     no action check, and signed in with the Casbin action check; each as a
     ratio of the baseline.

Run: python bench/authz.py [--requests N]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
from litestar import get

from sharehub.access.models import RoleAssignment
from sharehub.access.policy import AccessPolicy
from sharehub.access.roles import Role
from sharehub.access.service import bump_access_version
from sharehub.agencies.schemas import AgencyCreate, InformationGovernanceContact
from sharehub.agencies.service import create_agency
from sharehub.agencies.types import AgencyType
from sharehub.app import create_app
from sharehub.config import Settings
from sharehub.db.base import utcnow
from sharehub.db.engine import create_engine, create_session_factory
from sharehub.db.schema import upgrade
from sharehub.identity import sessions
from sharehub.identity.authentication import session_cookie_name
from sharehub.identity.models import IdentityProvider, User


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def bench_decisions(iterations: int) -> tuple[float, float]:
    policy = AccessPolicy()
    agencies = [str(uuid.uuid4()) for _ in range(20)]
    roles = [role.value for role in Role]
    users = [uuid.uuid4() for _ in range(1000)]
    assignments = [(str(u), random.choice(roles), random.choice(agencies)) for u in users]
    policy.load_assignments(1, assignments)
    actions = sorted(policy.actions)
    asks = [
        (str(random.choice(users)), random.choice(agencies), *random.choice(actions).split(":", 1))
        for _ in range(iterations)
    ]
    start = time.perf_counter()
    for ask in asks:
        policy.enforcer.enforce(f"user:{ask[0]}", ask[1], ask[2], ask[3])
    uncached = rate(len(asks), time.perf_counter() - start)

    warm = [(uuid.UUID(a[0]), a[1], f"{a[2]}:{a[3]}") for a in asks[:200]]
    for user, domain, action in warm:
        policy.allowed(user, domain, action)
    rounds = max(1, iterations * 50 // len(warm))
    start = time.perf_counter()
    for _ in range(rounds):
        for user, domain, action in warm:
            policy.allowed(user, domain, action)
    cached = rate(rounds * len(warm), time.perf_counter() - start)
    return uncached, cached


async def bench_requests(requests: int, database_url: str | None) -> dict[str, float]:
    workdir = Path(tempfile.mkdtemp(prefix="sharehub-bench-"))
    settings = Settings(database_url=database_url or f"sqlite+aiosqlite:///{workdir / 'bench.db'}")
    engine = create_engine(settings.database_url)
    if database_url:  # an empty PostgreSQL database of its own, please
        from sqlalchemy import text

        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await upgrade(engine)
    async with create_session_factory(engine)() as db, db.begin():
        agency = await create_agency(
            db,
            AgencyCreate(
                name="Benchmark Borough Council",
                short_code="BENCH",
                agency_type=AgencyType.UNITARY_COUNCIL,
                information_governance_contact=InformationGovernanceContact(
                    name="Bench Contact", email="ig@bench.example.org"
                ),
            ),
        )
        provider = IdentityProvider(
            slug="bench", display_name="Bench", agency_id=agency.id,
            issuer="https://login.example.org", client_id="bench",
            token_endpoint_auth_method="none", scopes=["openid"], signing_algorithms=["RS256"],
            allowed_email_domains=[], accepts_machine_tokens=False, active=True,
        )
        db.add(provider)
        await db.flush()
        user = User(
            issuer=provider.issuer, subject="bench-user", agency_id=agency.id,
            provider_id=provider.id, display_name="Bench User", active=True,
        )
        db.add(user)
        await db.flush()
        db.add(RoleAssignment(user_id=user.id, role="practitioner", agency_id=agency.id, source="grant"))
        await bump_access_version(db)
        _, token = await sessions.start_session(
            db, now=utcnow(), lifetime=timedelta(hours=9), user=user, provider_id=provider.id
        )
    await engine.dispose()

    async def answer() -> dict[str, str]:
        return {"status": "ok"}

    app = create_app(settings)
    app.register(get("/bench/bare", opt={"public": True}, name="bare")(answer))
    app.register(get("/bench/signed-in", opt={"signed_in": True}, name="signed_in")(answer))
    app.register(get("/bench/authorised", opt={"action": "agency:read"}, name="authorised")(answer))

    cookie = {session_cookie_name(settings.cookies_secure): token}
    results = {}
    async with app.lifespan():  # type: ignore[attr-defined]
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, path, cookies in [
                ("bare", "/bench/bare", None),
                ("signed_in", "/bench/signed-in", cookie),
                ("authorised", "/bench/authorised", cookie),
            ]:
                client.cookies.clear()
                for key, value in (cookies or {}).items():
                    client.cookies.set(key, value)
                for _ in range(50):  # warm up
                    assert (await client.get(path)).status_code == 200
                start = time.perf_counter()
                for _ in range(requests):
                    response = await client.get(path)
                assert response.status_code == 200, response.text
                results[name] = rate(requests, time.perf_counter() - start)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument(
        "--database-url",
        help="PostgreSQL to measure on (its public schema is dropped!); default a fresh SQLite file",
    )
    args = parser.parse_args()

    uncached, cached = bench_decisions(args.decisions)
    print(f"casbin decisions/s, uncached:         {uncached:12,.0f}")
    print(f"casbin decisions/s, cached:           {cached:12,.0f}  ({cached / uncached:,.0f}x)")
    results = asyncio.run(bench_requests(args.requests, args.database_url))
    bare = results["bare"]
    for name, label in [("bare", "public, no credentials (baseline)"),
                        ("signed_in", "signed in, no action check"),
                        ("authorised", "signed in + Casbin action check")]:
        print(f"requests/s, {label:36} {results[name]:8,.0f}  ratio {results[name] / bare:.2f}")


if __name__ == "__main__":
    main()
