"""Test fixtures: a real database (SQLite by default, PostgreSQL when
SHAREHUB_TEST_DATABASE_URL is set) upgraded by the real migrations, and the real
app served in-process over HTTP."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import make_url, text

from sharehub.app import create_app
from sharehub.config import Settings, normalise_database_url
from sharehub.db.engine import create_engine
from sharehub.db.models import metadata
from sharehub.db.schema import upgrade

TEST_DATABASE_URL = os.environ.get("SHAREHUB_TEST_DATABASE_URL")


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
def settings(database_url: str) -> Settings:
    return Settings(env="development", database_url=database_url)


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


async def empty_tables(database_url: str) -> None:
    """Delete every row. Uses an engine of its own: the test client serves the
    app from another thread and event loop, whose connections are not ours."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                await connection.execute(table.delete())
    finally:
        await engine.dispose()


@pytest.fixture
async def client(app: Litestar, database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    try:
        async with AsyncTestClient(app=app) as test_client:
            yield test_client
    finally:
        await empty_tables(database_url)
