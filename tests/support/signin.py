"""Driving the real sign-in flow in tests: hub → provider → hub, over HTTP."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

CLIENT_ID = "sharehub-test"
CLIENT_SECRET = "test-client-secret-0123456789"
# A second agency's registration with the same provider.
OTHER_CLIENT_ID = "sharehub-test-other"
OTHER_CLIENT_SECRET = "other-client-secret-0123456789"
OTHER_PROVIDER_SLUG = "other-agency"
# A third agency's, for meetings of three or more.
THIRD_CLIENT_ID = "sharehub-test-third"
THIRD_CLIENT_SECRET = "third-client-secret-0123456789"
THIRD_PROVIDER_SLUG = "third-agency"
MACHINE_CLIENT_ID = "agency-case-system"
MACHINE_CLIENT_SECRET = "machine-secret-0123456789"
PROVIDER_SLUG = "test-agency"
ROLE_CLAIM = "sharehub_roles"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TestProvider:
    """The scriptable provider process (tests/support/oidc_provider.py)."""

    __test__ = False  # not a test class

    def __init__(self) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        script = Path(__file__).with_name("oidc_provider.py")
        self.process = subprocess.Popen([sys.executable, str(script), str(self.port)])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.issuer}/jwks", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("test provider did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def scenario(self, **changes: Any) -> None:
        """Reset the provider, then apply ``changes`` (see oidc_provider.DEFAULT_SCENARIO)."""
        clients = {
            CLIENT_ID: {"secret": CLIENT_SECRET},
            OTHER_CLIENT_ID: {"secret": OTHER_CLIENT_SECRET},
            THIRD_CLIENT_ID: {"secret": THIRD_CLIENT_SECRET},
            MACHINE_CLIENT_ID: {"secret": MACHINE_CLIENT_SECRET},
        }
        httpx.post(
            f"{self.issuer}/control", json={"clients": clients, **changes}
        ).raise_for_status()

    def machine_token(self, *, audience: str, scope: str) -> str:
        response = httpx.post(
            f"{self.issuer}/token",
            data={"grant_type": "client_credentials", "audience": audience, "scope": scope},
            auth=(MACHINE_CLIENT_ID, MACHINE_CLIENT_SECRET),
        )
        response.raise_for_status()
        return response.json()["access_token"]


def user_claims(sub: str, roles: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "sub": sub,
        "name": f"Officer {sub}",
        "email": f"{sub}@agency.example.org",
        ROLE_CLAIM: roles,
        **extra,
    }


def provider_hop(location: str) -> str:
    """The browser's visit to the provider: returns where it sends the browser back."""
    reply = httpx.get(location, follow_redirects=False)
    assert reply.status_code == 302, reply.text
    return reply.headers["location"]


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


async def start_login(client, slug: str = PROVIDER_SLUG) -> str:
    """Ask the hub to start a login; returns the provider URL it redirects to."""
    started = await client.get(f"/auth/login/{slug}")
    assert started.status_code == 302, started.text
    return started.headers["location"]


async def sign_in(
    client,
    provider: TestProvider,
    *,
    sub: str,
    roles: list[str],
    slug: str = PROVIDER_SLUG,
    **claims: Any,
):
    provider.scenario(user=user_claims(sub, roles), **claims)
    back = provider_hop(await start_login(client, slug))
    finished = await client.get(local_path(back))
    assert finished.status_code == 303, finished.text
    return finished


def sign_in_sync(client, provider: TestProvider, *, sub: str, roles: list[str]) -> None:
    provider.scenario(user=user_claims(sub, roles))
    started = client.get(f"/auth/login/{PROVIDER_SLUG}")
    assert started.status_code == 302, started.text
    finished = client.get(local_path(provider_hop(started.headers["location"])))
    assert finished.status_code == 303, finished.text
