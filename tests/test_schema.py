"""Migrations: the only way the schema changes, and the app will not serve on an old one."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from litestar.testing import AsyncTestClient

from sharehub.app import create_app
from sharehub.config import Settings
from sharehub.db.engine import create_engine
from sharehub.db.models import metadata
from sharehub.db.schema import SchemaBehind, check_schema_current, downgrade, upgrade


async def test_models_and_migrations_agree(database_url):
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
            )
    finally:
        await engine.dispose()
    assert differences == [], "a model changed without a migration: run `sharehub db revision`"


async def test_upgrade_downgrade_upgrade_round_trip(fresh_database_url):
    engine = create_engine(fresh_database_url)
    try:
        with pytest.raises(SchemaBehind, match="sharehub db upgrade"):
            await check_schema_current(engine)
        await upgrade(engine)
        await check_schema_current(engine)
        await downgrade(engine, "base")
        with pytest.raises(SchemaBehind):
            await check_schema_current(engine)
        await upgrade(engine)
        await check_schema_current(engine)
    finally:
        await engine.dispose()


async def test_app_refuses_to_serve_on_a_schema_that_is_behind(fresh_database_url):
    app = create_app(Settings(database_url=fresh_database_url))
    with pytest.raises(BaseException) as refused:
        async with AsyncTestClient(app=app):
            pass
    error = refused.value
    reasons = error.exceptions if isinstance(error, BaseExceptionGroup) else (error,)
    assert any(
        isinstance(reason, SchemaBehind) and "run `sharehub db upgrade`" in str(reason)
        for reason in reasons
    ), reasons
