"""The async engine and the session factory for one configured database."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# How long an SQLite writer waits for another to finish before giving up.
SQLITE_BUSY_TIMEOUT_MS = 15_000


def create_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    """An engine that never puts SQL parameters (which may be personal data) in errors."""
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, echo=echo, hide_parameters=True)
        _make_sqlite_transactions_serial(engine)
        return engine
    return create_async_engine(database_url, echo=echo, hide_parameters=True, pool_pre_ping=True)


def _make_sqlite_transactions_serial(engine: AsyncEngine) -> None:
    """Every SQLite transaction takes the write lock when it begins.

    SQLite's default deferred transactions deadlock when two readers both try
    to write (one gets "database is locked" at once). Beginning IMMEDIATE makes
    the second wait its turn and then see the first one's commit, which is what
    an If-Match check needs to pick exactly one winner.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
