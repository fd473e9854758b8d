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


def _placeholder(declared: str) -> object:
    declared = declared.upper()
    if "INT" in declared or "BOOL" in declared:
        return 0
    if "JSON" in declared:
        return "[]"
    return "x"


def _insert_any(sqlite, table: str, values: dict[str, object]) -> None:
    """A row with the given values and a placeholder in every other required column."""
    columns = sqlite.execute(f"PRAGMA table_info({table})").fetchall()
    row = dict(values)
    for _, name, declared, notnull, default, _ in columns:
        if notnull and default is None and name not in row:
            row[name] = _placeholder(declared)
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    sqlite.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(row.values()))


async def test_an_upgrade_on_sqlite_keeps_the_rows_that_refer_to_a_rebuilt_table(
    fresh_database_url,
):
    """SQLite changes a table by copying and dropping it: with foreign keys on,
    the drop would delete every row pointing at it. 0018 rebuilds asb_reports."""
    if not fresh_database_url.startswith("sqlite"):
        pytest.skip("SQLite only")
    import sqlite3

    engine = create_engine(fresh_database_url)
    try:
        await upgrade(engine, "0017")
        path = fresh_database_url.split("///", 1)[1]
        with sqlite3.connect(path) as sqlite:
            sqlite.execute("PRAGMA foreign_keys=OFF")
            _insert_any(sqlite, "agencies", {"id": "a" * 32})
            _insert_any(sqlite, "asb_reports", {"id": "r" * 32, "agency_id": "a" * 32})
            _insert_any(sqlite, "asb_report_events", {"id": "e" * 32, "report_id": "r" * 32})
        await upgrade(engine)
        with sqlite3.connect(path) as sqlite:
            kept = sqlite.execute("SELECT count(*) FROM asb_report_events").fetchone()[0]
        assert kept == 1
        await check_schema_current(engine)
    finally:
        await engine.dispose()
