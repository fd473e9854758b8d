"""The sharehub command, run as a newcomer would run it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from sharehub import __version__
from sharehub.cli import main
from sharehub.config import load_settings
from sharehub.demo import DEMO_AGENCIES, MACHINE_CLIENT_ID, dev_client_secret


def clean_environment() -> dict[str, str]:
    """The caller's environment without any sharehub settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SHAREHUB_")}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_version(capsys):
    assert main(["version"]) == 0
    assert capsys.readouterr().out.strip() == __version__


def test_configuration_errors_exit_2_naming_the_variable(monkeypatch, capsys):
    monkeypatch.setenv("SHAREHUB_PORT", "not-a-port")
    assert main(["db", "upgrade"]) == 2
    assert "SHAREHUB_PORT" in capsys.readouterr().err


def test_db_upgrade_prints_progress_and_is_repeatable(fresh_database_url, monkeypatch, capsys):
    monkeypatch.setenv("SHAREHUB_DATABASE_URL", fresh_database_url)
    assert main(["db", "upgrade"]) == 0
    first = capsys.readouterr().out
    assert "at 0001" in first and "schema is current" in first
    assert main(["db", "upgrade"]) == 0
    assert "at 0001" not in capsys.readouterr().out


def test_serve_refuses_a_schema_that_is_behind(fresh_database_url, monkeypatch, capsys):
    monkeypatch.setenv("SHAREHUB_DATABASE_URL", fresh_database_url)
    assert main(["serve"]) == 1
    assert "sharehub db upgrade" in capsys.readouterr().err


def test_demo_refuses_production(monkeypatch, capsys):
    monkeypatch.setenv("SHAREHUB_ENV", "production")
    monkeypatch.setenv("SHAREHUB_SECRET_KEY", "p" * 40)
    monkeypatch.setenv("SHAREHUB_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert main(["demo"]) == 2
    assert "production" in capsys.readouterr().err


def session_token(response: httpx.Response) -> str:
    """The session cookie's value. The demo's cookie is Secure, which httpx will not
    send over plain http, so these tests carry it by hand as a browser on
    127.0.0.1 would."""
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-sharehub=") and "Secure" in cookie and "HttpOnly" in cookie
    return cookie.split(";")[0].split("=", 1)[1]


def sign_in_through_the_demo_provider(base: str, slug: str, sub: str) -> dict[str, str]:
    started = httpx.get(f"{base}/auth/login/{slug}")
    assert started.status_code == 302, started.text
    cookie = {"Cookie": f"__Host-sharehub={session_token(started)}"}
    # A scripted browser picks the member of staff with login_hint instead of a click.
    chosen = httpx.get(started.headers["location"] + f"&login_hint={sub}")
    assert chosen.status_code in (302, 303), chosen.text
    back = chosen.headers["location"]
    assert back.startswith(f"{base}/auth/callback/{slug}?")
    finished = httpx.get(back, headers=cookie)
    assert finished.status_code == 303, finished.text
    return {"Cookie": f"__Host-sharehub={session_token(finished)}"}


def exercise_demo_hub(workdir: Path) -> int:
    """Start `sharehub demo`, wait for /readyz, sign in as a fictional officer, stop it.

    Returns how many agencies the officer can see.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "sharehub", "demo", "--host", "127.0.0.1", "--port", str(port)],
        cwd=workdir,
        env=clean_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"demo exited early:\n{process.stdout.read()}")
            try:
                ready = httpx.get(f"{base}/readyz", timeout=2)
            except httpx.TransportError:
                time.sleep(0.2)
                continue
            assert ready.status_code == 200, ready.text
            providers = httpx.get(f"{base}/auth/providers").json()
            assert {p["slug"] for p in providers} == {f"{c.lower()}-dev" for c, *_ in DEMO_AGENCIES}

            officer = sign_in_through_the_demo_provider(base, "kpol-dev", "kpol-0004")
            me = httpx.get(f"{base}/me", headers=officer).json()
            assert me["agency_name"] == "Kestrelshire Constabulary"
            assert [r["role"] for r in me["roles"]] == ["practitioner"]

            # Another agency's member of staff cannot sign in through KPOL's registration.
            with pytest.raises(AssertionError):
                sign_in_through_the_demo_provider(base, "kpol-dev", "hdc-0001")

            token = httpx.post(
                f"{base}/dev-idp/token",
                data={"grant_type": "client_credentials", "scope": "agency:read"},
                auth=(
                    MACHINE_CLIENT_ID,
                    dev_client_secret(load_settings(environ={}), MACHINE_CLIENT_ID),
                ),
            ).json()["access_token"]
            machine = httpx.get(
                f"{base}/api/agencies/", headers={"Authorization": f"Bearer {token}"}
            )
            assert machine.status_code == 200, machine.text

            return httpx.get(f"{base}/api/agencies/", headers=officer).json()["total"]
        pytest.fail("demo hub did not become ready within 60 s")
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
        print(output)


def test_demo_starts_a_ready_hub_on_sqlite_and_is_idempotent(tmp_path):
    assert exercise_demo_hub(tmp_path) == len(DEMO_AGENCIES)
    assert (tmp_path / "sharehub.db").exists()
    assert exercise_demo_hub(tmp_path) == len(DEMO_AGENCIES)


def test_providers_import_adds_then_updates_from_a_file(
    tmp_path, fresh_database_url, monkeypatch, capsys
):
    import asyncio

    from factories import home_agency_payload
    from sharehub.agencies.service import create_agency
    from sharehub.db.engine import create_engine, create_session_factory

    monkeypatch.setenv("SHAREHUB_DATABASE_URL", fresh_database_url)
    assert main(["db", "upgrade"]) == 0

    async def seed() -> None:
        engine = create_engine(fresh_database_url)
        async with create_session_factory(engine)() as db, db.begin():
            await create_agency(db, home_agency_payload())
        await engine.dispose()

    asyncio.run(seed())
    config = tmp_path / "providers.toml"
    config.write_text(
        """
[[provider]]
slug = "home-staff"
display_name = "Home staff"
agency = "home"
issuer = "https://login.example.org/home"
client_id = "sharehub"
client_secret_env = "HOME_OIDC_SECRET"
role_mapping = { claim = "groups", roles = { "hub-admins" = "hub_administrator" } }
"""
    )
    monkeypatch.delenv("HOME_OIDC_SECRET", raising=False)
    assert main(["providers", "import", str(config)]) == 1
    assert "HOME_OIDC_SECRET is empty" in capsys.readouterr().err
    monkeypatch.setenv("HOME_OIDC_SECRET", "from-the-environment")
    capsys.readouterr()
    assert main(["providers", "import", str(config)]) == 0
    assert "added provider home-staff" in capsys.readouterr().out
    assert main(["providers", "import", str(config)]) == 0
    assert "updated provider home-staff" in capsys.readouterr().out

    config.write_text(config.read_text().replace('agency = "home"', 'agency = "NOPE"'))
    assert main(["providers", "import", str(config)]) == 1
    assert "no such agency NOPE" in capsys.readouterr().err
