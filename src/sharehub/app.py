"""The composition root: builds the Litestar application from settings."""

from __future__ import annotations

import httpx
from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.static_files import create_static_files_router

from sharehub import __version__
from sharehub.access import pages as staff_pages
from sharehub.access.controllers import RoleAssignmentController
from sharehub.access.guards import authorise
from sharehub.access.policy import AccessPolicy
from sharehub.agencies.controllers import AgencyController, list_agency_types
from sharehub.audit.checkpoints import CheckpointSigner
from sharehub.audit.controllers import AuditReportController, LedgerController
from sharehub.audit.events import AuditSink, LogSink
from sharehub.audit.ledger import Ledger
from sharehub.config import Settings, load_settings
from sharehub.crypto import BlindIndex, FieldCipher
from sharehub.db.engine import create_engine, create_session_factory
from sharehub.db.schema import check_schema_current
from sharehub.disclosure import pages as check_pages
from sharehub.disclosure.context import provide_gate
from sharehub.disclosure.controllers import disclosure_check
from sharehub.files import EncryptedFiles
from sharehub.identity import controllers as identity
from sharehub.identity.authentication import authentication
from sharehub.identity.provider_client import ProviderClient
from sharehub.meetings import action_pages as meeting_action_pages
from sharehub.meetings import arrangement_pages as meeting_pages
from sharehub.meetings import minutes_pages as meeting_minutes_pages
from sharehub.meetings.controllers import MeetingActionController, MeetingController
from sharehub.privacy import pages as people_pages
from sharehub.privacy.controllers import OverrideReviewController, SubjectController
from sharehub.protocols import pages as protocol_pages
from sharehub.protocols.controllers import ProtocolController
from sharehub.protocols.gateways import DEFAULT_FILE as DEFAULT_GATEWAYS_FILE
from sharehub.protocols.gateways import load_gateway_rules
from sharehub.referrals.asb import attachment_pages, case_pages
from sharehub.referrals.asb import pages as asb_pages
from sharehub.referrals.asb.attachment_controllers import AsbAttachmentController
from sharehub.referrals.asb.case_controllers import AsbCaseController, EvidenceRequestController
from sharehub.referrals.asb.controllers import (
    AsbReportController,
    ResponsePolicyController,
    TriagePolicyController,
)
from sharehub.referrals.case_review import figure_pages, letter_pages
from sharehub.referrals.case_review import online_pages as case_review_online
from sharehub.referrals.case_review import pages as case_review_pages
from sharehub.referrals.case_review.controllers import (
    CaseReviewController,
    CaseReviewProcedureController,
)
from sharehub.referrals.mappa import pages as mappa_pages
from sharehub.referrals.mappa.controllers import MappaReferralController, mappa_arrangements
from sharehub.referrals.marac import pages as marac_pages
from sharehub.referrals.marac.controllers import MaracCriteriaController, MaracReferralController
from sharehub.retention.controllers import LegalHoldController
from sharehub.system.controllers import healthz, readyz
from sharehub.web.apidocs import OfflineSwagger, swagger_bundle
from sharehub.web.database import provide_db_session
from sharehub.web.encoding import TYPE_ENCODERS, GatedSchemaPlugin
from sharehub.web.headers import security_headers
from sharehub.web.origin import API_PATHS, request_origin_checks
from sharehub.web.problems import EXCEPTION_HANDLERS
from sharehub.web.templating import STATIC, language_per_request, template_config
from sharehub.web.uploads import attachment_body_limit
from sharehub.work import pages as home_pages

ROUTE_HANDLERS = [
    healthz,
    readyz,
    AgencyController,
    list_agency_types,
    RoleAssignmentController,
    disclosure_check,
    *identity.ROUTES,
    ProtocolController,
    SubjectController,
    OverrideReviewController,
    LedgerController,
    AuditReportController,
    LegalHoldController,
    AsbReportController,
    ResponsePolicyController,
    TriagePolicyController,
    AsbCaseController,
    EvidenceRequestController,
    AsbAttachmentController,
    CaseReviewController,
    CaseReviewProcedureController,
    MaracReferralController,
    MaracCriteriaController,
    MeetingController,
    MeetingActionController,
    MappaReferralController,
    mappa_arrangements,
]


# Pages for people, over the same services (each domain's pages.py).
PAGE_ROUTES = [
    *home_pages.ROUTES,
    *asb_pages.ROUTES,
    *case_pages.ROUTES,
    *attachment_pages.ROUTES,
    *marac_pages.ROUTES,
    *mappa_pages.ROUTES,
    *case_review_pages.ROUTES,
    *meeting_pages.ROUTES,
    *meeting_minutes_pages.ROUTES,
    *meeting_action_pages.ROUTES,
    *case_review_online.ROUTES,
    *letter_pages.ROUTES,
    *figure_pages.ROUTES,
    *people_pages.ROUTES,
    *staff_pages.ROUTES,
    *check_pages.ROUTES,
    *protocol_pages.ROUTES,
]


def provide_files(state: State) -> EncryptedFiles:
    return state.files  # type: ignore[no-any-return]


def create_app(
    settings: Settings | None = None, *, audit_events: AuditSink | None = None
) -> Litestar:
    settings = settings or load_settings()
    engine = create_engine(settings.database_url, echo=settings.sql_echo)
    session_factory = create_session_factory(engine)
    signer = CheckpointSigner(settings.ledger_key, settings.public_url or "")
    state = State(
        {
            "settings": settings,
            "engine": engine,
            "session_factory": session_factory,
            "cipher": FieldCipher(settings.field_keys),
            "blind_index": BlindIndex(settings.index_key),
            # Every event into the tamper-evident ledger, then on to the log
            # (or to the sink a test passes in).
            "audit_events": Ledger(
                session_factory,
                signer,
                checkpoint_every=settings.ledger_checkpoint_every,
                forward=audit_events or LogSink(),
            ),
            "ledger_signer": signer,
            # Attachments, encrypted with the identity keys, outside the database.
            "files": EncryptedFiles(settings.attachments_path, FieldCipher(settings.field_keys)),
            # Loaded and self-tested now: a policy that might fail open stops startup.
            "access_policy": AccessPolicy(settings.policies_dir),
            # The law as the hub reads it: validated now, so a bad file stops startup.
            "gateway_rules": load_gateway_rules(settings.gateways_file or DEFAULT_GATEWAYS_FILE),
        }
    )

    async def refuse_stale_schema(app: Litestar) -> None:
        await check_schema_current(engine)

    async def open_provider_client(app: Litestar) -> None:
        http = httpx.AsyncClient(
            timeout=settings.oidc_http_timeout_seconds, follow_redirects=False, trust_env=False
        )
        app.state.provider_client = ProviderClient(
            http, allow_loopback_http=settings.env != "production"
        )

    async def close_connections(app: Litestar) -> None:
        if "provider_client" in app.state:
            await app.state.provider_client.http.aclose()
        await engine.dispose()

    # Uploads may be larger than any other request (web/uploads.py).
    for upload in (
        AsbAttachmentController.attach_to_report,
        AsbAttachmentController.attach_to_case,
        *attachment_pages.UPLOADS,
    ):
        upload.request_max_body_size = attachment_body_limit(settings.attachment_max_bytes)
    # The public online application form takes a small body only.
    for form in case_review_online.BODY_LIMITED:
        form.request_max_body_size = settings.online_application_max_body_bytes

    route_handlers: list[object] = [
        *ROUTE_HANDLERS,
        *PAGE_ROUTES,
        swagger_bundle,
        # GOV.UK Frontend, MOJ Frontend and Swagger UI, vendored: nothing from a CDN.
        create_static_files_router(
            path="/static",
            directories=[STATIC],
            opt={"public": True},
            include_in_schema=False,
            cache_control=CacheControlHeader(max_age=3600, private=True),
        ),
    ]
    if settings.dev_provider:
        route_handlers.append(mount_dev_provider(settings))

    return Litestar(
        route_handlers=route_handlers,
        state=state,
        dependencies={
            "db_session": Provide(provide_db_session),
            "gate": Provide(provide_gate),
            "files": Provide(provide_files, sync_to_thread=False),
        },
        # The gate's types are the only way personal text reaches a response.
        type_encoders=TYPE_ENCODERS,
        plugins=[GatedSchemaPlugin()],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        middleware=[
            security_headers,
            request_origin_checks(settings.public_url or ""),
            language_per_request,
            authentication,
        ],
        template_config=template_config(),
        # Every form on a page carries a token bound to a cookie of its own. The
        # JSON API is refused cross-site writes instead (web/origin.py), and the
        # development provider has its own forms.
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="__Host-sharehub-csrf" if settings.cookies_secure else "sharehub_csrf",
            cookie_secure=settings.cookies_secure,
            cookie_httponly=True,
            cookie_samesite="strict",
            exclude=[*(f"^{path}" for path in API_PATHS), "^/dev-idp", "^/static/"],
        ),
        guards=[authorise],
        request_max_body_size=settings.max_request_body_bytes,
        on_startup=[refuse_stale_schema, open_provider_client],
        on_shutdown=[close_connections],
        openapi_config=OpenAPIConfig(
            # The API document is open in development only; elsewhere sign in first.
            openapi_router=Router(
                path="/schema",
                route_handlers=[],
                opt={"public": True} if settings.env == "development" else {"signed_in": True},
            ),
            title="sharehub",
            version=__version__,
            description="Multi-agency information-sharing hub for community safety partnerships.",
            path="/schema",
            render_plugins=[OfflineSwagger(path=["/", "/swagger"])],
        ),
        debug=False,  # never send stack traces to clients, in any environment
    )


def mount_dev_provider(settings: Settings) -> object:
    """The development OpenID Provider at /dev-idp (never in production: settings refuse it)."""
    from litestar.handlers import asgi

    from sharehub.demo import DEV_PROVIDER_PATH, dev_provider_config
    from sharehub.identity.devprovider import create_provider_app

    provider_app = create_provider_app(dev_provider_config(settings))
    # The provider authenticates its own clients (Basic auth, its own bearer
    # tokens), so the hub's authentication stays out of its way.
    return asgi(
        DEV_PROVIDER_PATH,
        is_mount=True,
        copy_scope=True,
        opt={"public": True, "own_authentication": True},
    )(provider_app)


def app_from_environment() -> Litestar:
    """Factory for ASGI servers: ``uvicorn --factory sharehub.app:app_from_environment``."""
    return create_app(load_settings())
