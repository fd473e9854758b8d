"""Alembic, driven from code: upgrade the schema and tell whether it is current.

The migration scripts ship inside the package (``db/migrations``), so an
installed hub can upgrade its own database with ``sharehub db upgrade``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

# Alembic announces every context it opens; our own progress lines say what matters.
logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
UPGRADE_COMMAND = "sharehub db upgrade"


class SchemaBehind(RuntimeError):
    """The database schema is older than the code: the hub must not serve on it."""


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def code_heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def database_heads(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def describe_schema(connection: Connection) -> tuple[bool, str]:
    """(current?, explanation) for the schema behind ``connection``."""
    have, want = database_heads(connection), code_heads()
    if have == want:
        return True, "schema is current"
    at = ", ".join(sorted(have)) or "empty"
    return False, (
        f"database schema is behind (at {at}; this version of sharehub needs "
        f"{', '.join(sorted(want))}): run `{UPGRADE_COMMAND}`"
    )


async def check_schema_current(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        current, explanation = await connection.run_sync(describe_schema)
    if not current:
        raise SchemaBehind(explanation)


def _pragma(connection: Connection, sql: str) -> None:
    """On the driver's connection itself, outside any transaction (where
    SQLite ignores ``foreign_keys``)."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


async def _migrate(engine: AsyncEngine, step: Callable[[Connection], None]) -> None:
    """Run migrations in one transaction. On SQLite, foreign keys are off
    while they run: changing a table there means copying it to a new one and
    dropping the old, and with foreign keys on, dropping the old would delete
    every row that refers to it (ON DELETE CASCADE) or fail. They are checked
    before the commit instead, so a migration can never leave a dangling row."""
    if engine.dialect.name != "sqlite":
        async with engine.begin() as connection:
            await connection.run_sync(step)
        return

    def run(connection: Connection) -> None:
        _pragma(connection, "PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                step(connection)
                dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if dangling:
                    tables = sorted({row[0] for row in dangling})
                    raise RuntimeError(
                        f"the migration would leave rows referring to nothing in {tables}"
                    )
        finally:
            _pragma(connection, "PRAGMA foreign_keys=ON")

    async with engine.connect() as connection:
        await connection.run_sync(run)


async def upgrade(
    engine: AsyncEngine, revision: str = "heads", progress: Callable[[str], None] | None = None
) -> None:
    def run(connection: Connection) -> None:
        config = alembic_config(connection)
        config.attributes["progress"] = progress
        command.upgrade(config, revision)

    await _migrate(engine, run)


async def new_revision(engine: AsyncEngine, message: str) -> str:
    """Write a migration for what the models have and the database lacks."""
    written: list[str] = []

    def run(connection: Connection) -> None:
        scripts = command.revision(alembic_config(connection), message=message, autogenerate=True)
        for script in scripts if isinstance(scripts, list) else [scripts]:
            if script is not None:
                written.append(script.path)

    async with engine.begin() as connection:
        await connection.run_sync(run)
    return ", ".join(written)


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    def run(connection: Connection) -> None:
        command.downgrade(alembic_config(connection), revision)

    await _migrate(engine, run)
