"""Alembic environment: runs on the connection handed over by sharehub.db.schema."""

from __future__ import annotations

from alembic import context

from sharehub.db.models import metadata

config = context.config
connection = config.attributes.get("connection")
progress = config.attributes.get("progress")

if connection is None:
    raise RuntimeError("run migrations through `sharehub db upgrade`, not the alembic command")


def report(ctx, step, heads, run_args) -> None:  # type: ignore[no-untyped-def]
    if progress is not None:
        for revision in step.destination_revisions:
            progress(f"  at {revision.revision}: {revision.doc}")


context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    on_version_apply=report,
)
with context.begin_transaction():
    context.run_migrations()
