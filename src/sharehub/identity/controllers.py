"""HTTP routes for sign-in, sign-out, /me and the identity administration API."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import Cookie, State
from litestar.params import FromPath, JSONBody, PathParameter, QueryParameter
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.disclosure.gated import Rendered
from sharehub.access.service import administers
from sharehub.agencies.models import Agency
from sharehub.audit.events import AuditEvent
from sharehub.crypto import DecryptionFailed
from sharehub.db.base import utcnow
from sharehub.errors import BadRequest, NotFound, UpstreamUnavailable
from sharehub.identity import pages, service, sessions
from sharehub.identity.authentication import session_cookie_name
from sharehub.identity.login import LoginFailed, LoginSettings, complete_login, start_login
from sharehub.identity.models import IdentityProvider, MachineClient, User, UserSession
from sharehub.identity.principal import Principal
from sharehub.identity.provider_client import ProviderUnavailable
from sharehub.identity.schemas import (
    MachineClientCreate,
    MachineClientView,
    MeView,
    ProviderCreate,
    ProviderUpdate,
    ProviderView,
    PublicProvider,
    RoleView,
    UserView,
)
from sharehub.identity.tokens import TokenRejected
from sharehub.web.params import IfMatch, Session
from sharehub.web.problems import problem_responses
from sharehub.web.versions import etag, expected_version

PUBLIC = {"public": True}
SIGNED_IN = {"signed_in": True}
Slug = Annotated[str, PathParameter(max_length=64, pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")]
CallbackParam = Annotated[str | None, QueryParameter(required=False, max_length=4096)]


def login_settings(state: State) -> LoginSettings:
    settings = state.settings
    return LoginSettings(
        public_url=settings.public_url,
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
    )


def session_cookie(state: State, token: str | None) -> Cookie:
    """The session cookie; ``None`` clears it. No max-age: it dies with the browser."""
    secure = state.settings.cookies_secure
    return Cookie(
        key=session_cookie_name(secure),
        value=token or "",
        path="/",
        httponly=True,
        secure=secure,
        samesite="lax",
        max_age=None if token else 0,
    )


def _cookie_token(request: Request, state: State) -> str | None:
    return request.cookies.get(session_cookie_name(state.settings.cookies_secure))


async def _ask_whom(db: AsyncSession, principal: Principal) -> str | None:
    if principal.roles or principal.kind != "user":
        return None
    agency = await db.get(Agency, principal.agency_id)
    contact = f" ({agency.ig_contact_name}, {agency.ig_contact_email})" if agency else ""
    return (
        "Ask your agency administrator, or your agency's information governance contact"
        f"{contact}, to grant you a role."
    )


@get("/", opt=PUBLIC, include_in_schema=False, media_type="text/html")
async def home(request: Request, db_session: Session) -> Rendered:
    principal: Principal | None = request.user
    if principal is None or principal.kind != "user":
        providers = await service.list_providers(db_session, active_only=True)
        return pages.sign_in_page(
            [
                (p.agency.name, p.display_name, f"/auth/login/{p.slug}")
                for p in providers
                if p.agency.active
            ]
        )
    user = await service.get_user(db_session, principal.id)
    return pages.signed_in_page(
        user.display_name,
        user.agency.name,
        sorted({held.role for held in principal.roles}),
        await _ask_whom(db_session, principal),
    )


@get("/auth/providers", opt=PUBLIC, tags=["Sign-in"], summary="Providers people can sign in with")
async def public_providers(db_session: Session) -> list[PublicProvider]:
    providers = await service.list_providers(db_session, active_only=True)
    return [
        PublicProvider(
            slug=p.slug,
            display_name=p.display_name,
            agency_name=p.agency.name,
            login_url=f"/auth/login/{p.slug}",
        )
        for p in providers
        if p.agency.active
    ]


@get(
    "/auth/login/{slug:str}",
    opt=PUBLIC,
    tags=["Sign-in"],
    summary="Start signing in with an agency's provider",
    responses=problem_responses(404, 502),
    status_code=302,
)
async def login(request: Request, state: State, db_session: Session, slug: Slug) -> Redirect:
    provider = await service.get_active_provider_by_slug(db_session, slug)
    try:
        metadata = await state.provider_client.metadata(provider.issuer)
    except ProviderUnavailable as down:
        raise UpstreamUnavailable(
            f"your agency's sign-in service is unavailable: {down.reason}"
        ) from None
    live = None
    token = _cookie_token(request, state)
    if token:
        settings = login_settings(state)
        live = await sessions.find_live_session(db_session, token, now=utcnow(), idle=settings.idle)
    url, new_token = await start_login(
        db_session,
        provider=provider,
        metadata=metadata,
        live_session=live,
        settings=login_settings(state),
        now=utcnow(),
    )
    cookies = [session_cookie(state, new_token)] if new_token else None
    return Redirect(url, status_code=302, cookies=cookies)


@get(
    "/auth/callback/{slug:str}",
    opt=PUBLIC,
    tags=["Sign-in"],
    summary="Where the provider sends the browser back",
    responses=problem_responses(400, 404, 502),
    status_code=303,
)
async def callback(
    request: Request,
    state: State,
    slug: Slug,
    code: CallbackParam = None,
    oauth_state: Annotated[
        str | None, QueryParameter(name="state", required=False, max_length=512)
    ] = None,
    iss: CallbackParam = None,
    error: Annotated[str | None, QueryParameter(required=False, max_length=200)] = None,
) -> Redirect:
    async with state.session_factory() as db:
        provider = await service.get_active_provider_by_slug(db, slug)
    try:
        token = await complete_login(
            state.session_factory,
            state.provider_client,
            provider=provider,
            params={"code": code, "state": oauth_state, "iss": iss, "error": error},
            cookie_token=_cookie_token(request, state),
            cipher=state.cipher,
            settings=login_settings(state),
            sink=state.audit_events,
            now=utcnow(),
        )
    except (LoginFailed, TokenRejected) as failed:
        raise BadRequest(f"sign-in failed: {failed.reason}") from None
    except ProviderUnavailable as down:
        raise UpstreamUnavailable(f"sign-in failed: {down.reason}") from None
    except DecryptionFailed:
        raise UpstreamUnavailable(
            "sign-in failed: the provider's client secret cannot be read"
        ) from None
    return Redirect("/", status_code=303, cookies=[session_cookie(state, token)])


@post("/auth/logout", opt=PUBLIC, tags=["Sign-in"], summary="Sign out", status_code=303)
async def logout(request: Request, state: State, db_session: Session) -> Redirect:
    token = _cookie_token(request, state)
    destination = "/auth/logged-out"
    record = None
    if token:
        record = await sessions.find_live_session(
            db_session, token, now=utcnow(), idle=login_settings(state).idle
        )
    if record is not None:
        await sessions.end_session(db_session, record, now=utcnow())
        destination = await _provider_logout_url(state, db_session, record) or destination
        if record.user_id is not None:
            user = await db_session.get(User, record.user_id)
            await state.audit_events.record(
                db=db_session,
                event=AuditEvent(
                    kind="logout",
                    at=utcnow(),
                    user_id=record.user_id,
                    agency_id=user.agency_id if user else None,
                    provider_id=record.provider_id,
                ),
            )
    return Redirect(destination, status_code=303, cookies=[session_cookie(state, None)])


async def _provider_logout_url(state: State, db: AsyncSession, record: UserSession) -> str | None:
    """RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0), where offered."""
    if record.provider_id is None:
        return None
    provider = await service.get_provider(db, record.provider_id)
    try:
        metadata = await state.provider_client.metadata(provider.issuer)
    except ProviderUnavailable:
        return None  # our session is over either way
    if metadata.end_session_endpoint is None:
        return None
    query = urlencode(
        {
            "client_id": provider.client_id,
            "post_logout_redirect_uri": f"{state.settings.public_url}/auth/logged-out",
        }
    )
    separator = "&" if "?" in metadata.end_session_endpoint else "?"
    return f"{metadata.end_session_endpoint}{separator}{query}"


@get("/auth/logged-out", opt=PUBLIC, include_in_schema=False, media_type="text/html")
async def logged_out() -> Rendered:
    return pages.signed_out_page()


@get("/me", opt=SIGNED_IN, tags=["Sign-in"], summary="Who you are, your agency and roles")
async def me(request: Request, db_session: Session) -> MeView:
    principal: Principal = request.user
    agency = await db_session.get(Agency, principal.agency_id)
    if principal.kind == "machine":
        machine = await db_session.get(MachineClient, principal.id)
        return MeView(
            kind="machine",
            id=principal.id,
            display_name=machine.name if machine else "",
            agency_id=principal.agency_id,
            agency_name=agency.name if agency else "",
            roles=[],
            scopes=sorted(principal.scopes),
        )
    user = await service.get_user(db_session, principal.id)
    record = await db_session.get(UserSession, principal.session_id)
    return MeView(
        kind="user",
        id=user.id,
        display_name=user.display_name,
        agency_id=user.agency_id,
        agency_name=user.agency.name,
        roles=[
            RoleView(a.role, a.agency_id, a.area, a.source)
            for a in await service.roles_of(db_session, user.id)
        ],
        scopes=[],
        ask=await _ask_whom(db_session, principal),
        session_expires_at=record.expires_at if record else None,
    )


def _provider_response(
    state: State, provider: IdentityProvider, status_code: int = 200, **headers: str
) -> Response[ProviderView]:
    view = service.provider_view(provider, state.settings.public_url)
    return Response(view, status_code=status_code, headers={"ETag": etag(view.version), **headers})


class ProviderController(Controller):
    path = "/api/identity-providers"
    tags = ["Identity administration"]
    opt = {"action": "identity-provider:manage"}

    @post(
        "/",
        summary="Register an agency's OpenID Provider",
        responses=problem_responses(400, 404, 409),
    )
    async def create(
        self, state: State, db_session: Session, data: JSONBody[ProviderCreate]
    ) -> Response[ProviderView]:
        provider = await service.create_provider(
            db_session, data, state.cipher, allow_loopback=state.settings.env != "production"
        )
        return _provider_response(state, provider, 201, Location=f"{self.path}/{provider.id}")

    @get("/", summary="List registered providers")
    async def list(self, state: State, db_session: Session) -> list[ProviderView]:
        return [
            service.provider_view(p, state.settings.public_url)
            for p in await service.list_providers(db_session)
        ]

    @get("/{provider_id:str}", summary="Read one provider", responses=problem_responses(400, 404))
    async def read(
        self, state: State, db_session: Session, provider_id: FromPath[uuid.UUID]
    ) -> Response[ProviderView]:
        return _provider_response(state, await service.get_provider(db_session, provider_id))

    @patch(
        "/{provider_id:str}",
        summary="Change a provider (If-Match)",
        responses=problem_responses(400, 404, 409, 412, 428),
    )
    async def update(
        self,
        state: State,
        db_session: Session,
        provider_id: FromPath[uuid.UUID],
        data: JSONBody[ProviderUpdate],
        if_match: IfMatch,
    ) -> Response[ProviderView]:
        provider = await service.update_provider(
            db_session,
            provider_id,
            data,
            expected_version(if_match),
            state.cipher,
            allow_loopback=state.settings.env != "production",
        )
        return _provider_response(state, provider)

    @post(
        "/{provider_id:str}/deactivate",
        summary="Stop accepting sign-ins from a provider (If-Match)",
        status_code=200,
        responses=problem_responses(400, 404, 409, 412, 428),
    )
    async def deactivate(
        self, state: State, db_session: Session, provider_id: FromPath[uuid.UUID], if_match: IfMatch
    ) -> Response[ProviderView]:
        provider = await service.set_provider_active(
            db_session, provider_id, expected_version(if_match), active=False
        )
        return _provider_response(state, provider)


class MachineClientController(Controller):
    path = "/api/machine-clients"
    tags = ["Identity administration"]
    opt = {"action": "machine-client:manage"}

    @post("/", summary="Register an agency system", responses=problem_responses(400, 404, 409))
    async def create(
        self, db_session: Session, data: JSONBody[MachineClientCreate]
    ) -> MachineClientView:
        return service.machine_client_view(await service.create_machine_client(db_session, data))

    @get("/", summary="List agency systems")
    async def list(self, db_session: Session) -> list[MachineClientView]:
        return [
            service.machine_client_view(c) for c in await service.list_machine_clients(db_session)
        ]

    @post(
        "/{client_id:str}/deactivate",
        summary="Stop accepting an agency system's tokens (If-Match)",
        status_code=200,
        responses=problem_responses(400, 404, 409, 412, 428),
    )
    async def deactivate(
        self, db_session: Session, client_id: FromPath[uuid.UUID], if_match: IfMatch
    ) -> MachineClientView:
        client = await service.set_machine_client_active(
            db_session, client_id, expected_version(if_match), active=False
        )
        return service.machine_client_view(client)


def _user_view(user: User) -> UserView:
    return UserView(
        id=user.id,
        display_name=user.display_name,
        agency_id=user.agency_id,
        active=user.active,
        last_login_at=user.last_login_at,
    )


class UserController(Controller):
    path = "/api/users"
    tags = ["Identity administration"]

    @get("/", opt={"action": "user:read"}, summary="List users")
    async def list(
        self,
        request: Request,
        db_session: Session,
        agency_id: Annotated[uuid.UUID | None, QueryParameter(required=False)] = None,
    ) -> list[UserView]:
        users = await service.list_users(db_session, agency_id)
        return [_user_view(u) for u in users if administers(request.user, u.agency_id)]

    @post(
        "/{user_id:str}/deactivate",
        opt={"action": "user:deactivate"},
        summary="Deactivate a user: their sessions end at once",
        status_code=200,
        responses=problem_responses(400, 404, 409),
    )
    async def deactivate(
        self, request: Request, state: State, db_session: Session, user_id: FromPath[uuid.UUID]
    ) -> UserView:
        user = await service.get_user(db_session, user_id)
        if not administers(request.user, user.agency_id):
            raise NotFound("user")  # another agency's people are not even named
        user = await service.deactivate_user(db_session, user_id, now=utcnow())
        await state.audit_events.record(
            db=db_session,
            event=AuditEvent(
                kind="user_deactivated",
                at=utcnow(),
                user_id=request.user.id,
                agency_id=user.agency_id,
                subject_user_id=user.id,
            ),
        )
        return _user_view(user)


ROUTES = [
    public_providers,
    login,
    callback,
    logout,
    me,
    ProviderController,
    MachineClientController,
    UserController,
]
