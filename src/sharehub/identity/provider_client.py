"""Talking to OpenID Providers over HTTP: discovery, JWKS and the code exchange.

Discovery documents and key sets are cached per issuer. Keys are refreshed
when a token names an unknown key id, but at most once a minute per provider,
so a stream of forged tokens cannot make us hammer the provider. Anything
unexpected from a provider fails closed with ``ProviderUnavailable``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus, urlsplit

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

MAX_RESPONSE_BYTES = 512 * 1024
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered something we cannot trust."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CodeExchangeRefused(Exception):
    """The provider answered the code exchange with an OAuth error."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None
    # RFC 9207: the provider promises an `iss` parameter on its redirects.
    iss_parameter_supported: bool


def acceptable_url(url: object, *, allow_loopback_http: bool) -> bool:
    """https, or plain http to this machine only where the caller allows it."""
    if not isinstance(url, str) or len(url) > 2000:
        return False
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return allow_loopback_http and parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS


def parse_metadata(document: Any, issuer: str, *, allow_loopback_http: bool) -> ProviderMetadata:
    if not isinstance(document, dict):
        raise ProviderUnavailable("discovery document is not a JSON object")
    if document.get("issuer") != issuer:
        # OpenID Connect Discovery 1.0 section 4.3: a mismatch means a mix-up or an impostor.
        raise ProviderUnavailable("discovery document names a different issuer")
    endpoints = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not acceptable_url(document.get(name), allow_loopback_http=allow_loopback_http):
            raise ProviderUnavailable(f"discovery document has no usable {name}")
        endpoints[name] = document[name]
    end_session = document.get("end_session_endpoint")
    if not acceptable_url(end_session, allow_loopback_http=allow_loopback_http):
        end_session = None
    return ProviderMetadata(
        issuer=issuer,
        end_session_endpoint=end_session,
        iss_parameter_supported=document.get("authorization_response_iss_parameter_supported")
        is True,
        **endpoints,
    )


def parse_key_set(document: Any) -> KeySet:
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ProviderUnavailable("JWKS is not a key set")
    # Only public signing keys: a symmetric ("oct") key in a JWKS would let
    # anyone who reads it sign tokens.
    usable = [
        key
        for key in document["keys"]
        if isinstance(key, dict)
        and key.get("kty") in {"RSA", "EC", "OKP"}
        and key.get("use", "sig") == "sig"
        and not any(private in key for private in ("d", "p", "q"))
    ]
    try:
        return KeySet.import_key_set({"keys": usable})
    except (JoseError, ValueError, TypeError):
        raise ProviderUnavailable("JWKS holds malformed keys") from None


@dataclass
class _Cached:
    metadata: ProviderMetadata | None = None
    metadata_at: float = 0.0
    keys: KeySet | None = None
    keys_at: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class ProviderClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        allow_loopback_http: bool,
        metadata_ttl: float = 3600.0,
        keys_ttl: float = 3600.0,
        min_key_refresh_interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.http = http
        self.allow_loopback_http = allow_loopback_http
        self.metadata_ttl = metadata_ttl
        self.keys_ttl = keys_ttl
        self.min_key_refresh_interval = min_key_refresh_interval
        self.clock = clock
        self._cache: dict[str, _Cached] = {}

    def _entry(self, issuer: str) -> _Cached:
        return self._cache.setdefault(issuer, _Cached())

    async def _get_json(self, url: str, what: str) -> Any:
        try:
            async with self.http.stream(
                "GET", url, headers={"Accept": "application/json"}
            ) as reply:
                body = await self._read_bounded(reply, what)
        except httpx.HTTPError:
            raise ProviderUnavailable(f"{what} could not be fetched") from None
        if reply.status_code != 200:
            raise ProviderUnavailable(f"{what} answered HTTP {reply.status_code}")
        return self._json(body, what)

    @staticmethod
    async def _read_bounded(reply: httpx.Response, what: str) -> bytes:
        chunks, size = [], 0
        async for chunk in reply.aiter_bytes():
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise ProviderUnavailable(f"{what} is too large")
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _json(body: bytes, what: str) -> Any:
        try:
            return json.loads(body)
        except ValueError:
            raise ProviderUnavailable(f"{what} is not JSON") from None

    async def metadata(self, issuer: str) -> ProviderMetadata:
        entry = self._entry(issuer)
        async with entry.lock:
            fresh = entry.metadata and self.clock() - entry.metadata_at < self.metadata_ttl
            if not fresh:
                url = issuer.rstrip("/") + "/.well-known/openid-configuration"
                if not acceptable_url(url, allow_loopback_http=self.allow_loopback_http):
                    raise ProviderUnavailable("issuer is not an https URL")
                document = await self._get_json(url, "discovery document")
                entry.metadata = parse_metadata(
                    document, issuer, allow_loopback_http=self.allow_loopback_http
                )
                entry.metadata_at = self.clock()
            assert entry.metadata is not None
            return entry.metadata

    async def keys(self, issuer: str, *, refresh: bool = False) -> KeySet:
        """The provider's signing keys; ``refresh`` asks again, at most once a minute."""
        metadata = await self.metadata(issuer)
        entry = self._entry(issuer)
        async with entry.lock:
            age = self.clock() - entry.keys_at
            stale = entry.keys is None or age >= self.keys_ttl
            may_refresh = refresh and age >= self.min_key_refresh_interval
            if stale or may_refresh:
                entry.keys = parse_key_set(await self._get_json(metadata.jwks_uri, "JWKS"))
                entry.keys_at = self.clock()
            assert entry.keys is not None
            return entry.keys

    async def exchange_code(
        self,
        metadata: ProviderMetadata,
        *,
        client_id: str,
        client_secret: str | None,
        auth_method: str,
        code: str,
        redirect_uri: str,
        code_verifier: str,
    ) -> dict[str, Any]:
        """RFC 6749 section 4.1.3 with PKCE (RFC 7636); returns the token response."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        auth = None
        if auth_method == "client_secret_post":
            form.update(client_id=client_id, client_secret=client_secret or "")
        elif auth_method == "client_secret_basic":
            auth = httpx.BasicAuth(_form_encode(client_id), _form_encode(client_secret or ""))
        else:  # "none": a public client
            form["client_id"] = client_id
        try:
            async with self.http.stream(
                "POST",
                metadata.token_endpoint,
                data=form,
                auth=auth,
                headers={"Accept": "application/json"},
            ) as reply:
                body = await self._read_bounded(reply, "token response")
        except httpx.HTTPError:
            raise ProviderUnavailable("token endpoint could not be reached") from None
        document = self._json(body, "token response")
        if reply.status_code != 200:
            error = document.get("error") if isinstance(document, dict) else None
            if isinstance(error, str) and error.isascii() and len(error) < 64:
                raise CodeExchangeRefused(error)
            raise ProviderUnavailable(f"token endpoint answered HTTP {reply.status_code}")
        if not isinstance(document, dict) or not isinstance(document.get("id_token"), str):
            raise ProviderUnavailable("token response has no id_token")
        return document


def _form_encode(value: str) -> str:
    """RFC 6749 section 2.3.1: client credentials are form-encoded before Basic auth."""
    return quote_plus(value)
