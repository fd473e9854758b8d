"""The composition root: builds the Litestar application from settings."""

from __future__ import annotations

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig

from sharehub import __version__
from sharehub.agencies.controllers import AgencyController, list_agency_types
from sharehub.config import Settings, load_settings
from sharehub.db.engine import create_engine, create_session_factory
from sharehub.db.schema import check_schema_current
from sharehub.system.controllers import healthz, readyz
from sharehub.web.database import provide_db_session
from sharehub.web.headers import security_headers
from sharehub.web.problems import EXCEPTION_HANDLERS

ROUTE_HANDLERS = [healthz, readyz, AgencyController, list_agency_types]


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    engine = create_engine(settings.database_url, echo=settings.sql_echo)
    state = State(
        {
            "settings": settings,
            "engine": engine,
            "session_factory": create_session_factory(engine),
        }
    )

    async def refuse_stale_schema(app: Litestar) -> None:
        await check_schema_current(engine)

    async def close_database(app: Litestar) -> None:
        await engine.dispose()

    return Litestar(
        route_handlers=ROUTE_HANDLERS,
        state=state,
        dependencies={"db_session": Provide(provide_db_session)},
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        middleware=[security_headers],
        request_max_body_size=settings.max_request_body_bytes,
        on_startup=[refuse_stale_schema],
        on_shutdown=[close_database],
        openapi_config=OpenAPIConfig(
            title="sharehub",
            version=__version__,
            description="Multi-agency information-sharing hub for community safety partnerships.",
            path="/schema",
        ),
        debug=False,  # never send stack traces to clients, in any environment
    )


def app_from_environment() -> Litestar:
    """Factory for ASGI servers: ``uvicorn --factory sharehub.app:app_from_environment``."""
    return create_app(load_settings())
