"""Persistence: engine and sessions, the declarative base, Alembic migrations."""
