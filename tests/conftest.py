"""Test fixtures: a real database (SQLite by default, PostgreSQL when
SHAREHUB_TEST_DATABASE_URL is set) upgraded by the real migrations, and the real
app served in-process over HTTP."""

from __future__ import annotations

import asyncio
import time
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import make_url, text

from factories import home_agency_payload
from sharehub.access.roles import Role
from sharehub.agencies.service import create_agency
from sharehub.app import create_app
from sharehub.audit.models import LedgerState
from sharehub.db.base import utcnow
from sharehub.privacy.models import SubjectIndexState
from sharehub.config import Settings, normalise_database_url
from sharehub.crypto import FieldCipher
from sharehub.db.engine import create_engine, create_session_factory
from sharehub.db.models import metadata
from sharehub.db.schema import upgrade
from sharehub.identity.schemas import ProviderCreate, RoleMapping
from sharehub.identity.service import create_provider
from support.signin import (
    CLIENT_ID,
    CLIENT_SECRET,
    PROVIDER_SLUG,
    ROLE_CLAIM,
    TestProvider,
    sign_in,
)

TEST_DATABASE_URL = os.environ.get("SHAREHUB_TEST_DATABASE_URL")
# The ledger's state row as the migration seeds it: the empty tree.
EMPTY_LEDGER = {
    "id": 1,
    "size": 0,
    "root_hash": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "last_leaf_hash": None,
    "frontier": [],
    "checkpointed_size": 0,
}


def on_postgres() -> bool:
    return TEST_DATABASE_URL is not None


async def reset_database(url: str) -> None:
    """An empty database: every table (ours and Alembic's) gone."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
            else:
                await connection.run_sync(metadata.drop_all)
                await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        await engine.dispose()


async def migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The suite's database, emptied and migrated once per run."""
    if TEST_DATABASE_URL:
        url = normalise_database_url(TEST_DATABASE_URL)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'sharehub.db'}"
    asyncio.run(reset_database(url))
    asyncio.run(migrate(url))
    yield url


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    """A database of its own for tests that change the schema itself."""
    if TEST_DATABASE_URL:
        # A database of its own on the same server keeps the shared one intact.
        base = make_url(normalise_database_url(TEST_DATABASE_URL))
        name = f"sharehub_fresh_{uuid.uuid4().hex[:12]}"

        async def run(sql: str) -> None:
            engine = create_engine(base.render_as_string(hide_password=False))
            autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
            async with autocommit.connect() as connection:
                await connection.execute(text(sql))
            await engine.dispose()

        asyncio.run(run(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        env="development", database_url=database_url, attachments_dir=str(tmp_path / "files")
    )


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


async def empty_tables(database_url: str) -> None:
    """Delete every row. Uses an engine of its own: the test client serves the
    app from another thread and event loop, whose connections are not ours."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                # The ledger refuses deletes (a trigger); tests start afresh as
                # a superuser may, with triggers off for this transaction.
                await connection.execute(text("SET LOCAL session_replication_role = replica"))
            for table in reversed(metadata.sorted_tables):
                await connection.execute(table.delete())
            await connection.execute(LedgerState.__table__.insert().values(**EMPTY_LEDGER))
            # A generation never used before: what a text was found to name in
            # an earlier test must not be remembered in this one.
            await connection.execute(
                SubjectIndexState.__table__.insert().values(
                    id=1, generation=time.time_ns(), updated_at=utcnow()
                )
            )
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[TestProvider]:
    """A real OpenID Provider in its own process on 127.0.0.1."""
    provider = TestProvider()
    yield provider
    provider.stop()


class Partnership:
    """What every signed-in test starts from: one agency and its provider."""

    agency_id: uuid.UUID
    provider_id: uuid.UUID


async def seed_partnership(settings: Settings, issuer: str) -> Partnership:
    engine = create_engine(settings.database_url)
    seeded = Partnership()
    try:
        async with create_session_factory(engine)() as db, db.begin():
            agency = await create_agency(db, home_agency_payload())
            provider = await create_provider(
                db,
                ProviderCreate(
                    slug=PROVIDER_SLUG,
                    display_name="Test agency sign-in",
                    agency_id=agency.id,
                    issuer=issuer,
                    client_id=CLIENT_ID,
                    client_secret=CLIENT_SECRET,
                    role_mapping=RoleMapping(claim=ROLE_CLAIM, roles={r.value: r for r in Role}),
                    accepts_machine_tokens=True,
                ),
                FieldCipher(settings.field_keys),
                allow_loopback=True,
            )
            seeded.agency_id, seeded.provider_id = agency.id, provider.id
    finally:
        await engine.dispose()
    return seeded


@pytest.fixture
async def partnership(
    settings: Settings, oidc_provider: TestProvider, database_url: str
) -> AsyncIterator[Partnership]:
    try:
        yield await seed_partnership(settings, oidc_provider.issuer)
    finally:
        await empty_tables(database_url)


@pytest.fixture
async def anon_client(
    app: Litestar, partnership: Partnership
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A browser that has not signed in (the partnership exists)."""
    async with AsyncTestClient(app=app) as test_client:
        test_client.follow_redirects = False  # a redirect to the provider leaves the hub
        yield test_client


@pytest.fixture
async def client(
    anon_client: AsyncTestClient[Litestar], oidc_provider: TestProvider
) -> AsyncTestClient[Litestar]:
    """A hub administrator, signed in through the real OpenID Connect flow."""
    await sign_in(anon_client, oidc_provider, sub="hub-admin-1", roles=["hub_administrator"])
    return anon_client
