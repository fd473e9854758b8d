"""The browser harness: the real hub in a process of its own, Debian's Chromium
driven by Playwright in a thread of its own, and the steps every journey shares
(sign in as a fictional member of staff, check a page with axe-core, keep a
screenshot).

Nothing here imports Playwright at module level, so that a machine without it
gets a clear skip (or, in CI, a clear failure) instead of an import error.

Why a thread of its own: Playwright's sync API runs an asyncio loop of its own
and leaves it marked as running in the thread that started it, for as long as
the browser lives. The rest of the suite runs on pytest-asyncio's session loop
in the main thread, and would then refuse to start ("Runner.run() cannot be
called from a running event loop"). So Playwright is started, used and stopped
only in one worker thread, and the browser tests' bodies run there too (see
``pytest_pyfunc_call`` in conftest.py).
"""

from __future__ import annotations

import asyncio
import importlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from sharehub.access.roles import Role
from sharehub.demo import DEMO_AGENCIES, DEMO_STAFF, DEV_PROVIDER_PATH, demo_staff
from sharehub.identity.devprovider import DevUser

if TYPE_CHECKING:
    from playwright.sync_api import Page

T = TypeVar("T")

REPOSITORY = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPOSITORY / "tests" / "artefacts" / "screenshots"

CHROMIUM = os.environ.get("SHAREHUB_CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every action and expectation gives up after this long (milliseconds).
TIMEOUT_MS = 15_000
HUB_START_SECONDS = 90

# axe-core's tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA (2.2 adds no
# level A rule of its own in axe-core, hence no "wcag22a").
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = ("serious", "critical")

# A browser test may reach the hub under any of the names of this machine, on
# any port; everything else is the network and is refused.
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def browser_required() -> bool:
    """In CI (CI=true) or when asked (SHAREHUB_REQUIRE_BROWSER=1) a missing
    browser fails the run instead of skipping it, so CI never skips silently."""
    return _truthy("CI") or _truthy("SHAREHUB_REQUIRE_BROWSER")


def missing_prerequisites() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return (
            f"Chromium is not installed at {CHROMIUM} "
            "(Debian/Ubuntu: `apt-get install chromium`; or set SHAREHUB_CHROMIUM to its path)"
        )
    for module, distribution in (
        ("playwright.sync_api", "playwright"),
        ("axe_playwright_python.sync_playwright", "axe-playwright-python"),
    ):
        try:
            importlib.import_module(module)
        except ImportError as exc:
            return f"{distribution} is not installed ({exc}); install `.[test]`"
    return None


class PlaywrightThread:
    """One worker thread that owns everything Playwright does."""

    def __init__(self) -> None:
        self._executor: ThreadPoolExecutor | None = None

    def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright")
        return self._executor.submit(function, *args, **kwargs).result()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None


PLAYWRIGHT = PlaywrightThread()


# --- the live hub ---------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveHub:
    """The real hub, served by ``sharehub demo`` in a process of its own."""

    url: str  # its public URL: http://127.0.0.1:<port>
    port: int
    database_url: str
    log_file: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def localhost_url(self) -> str:
        """The same hub under the other name people type."""
        return f"http://localhost:{self.port}"

    def log_tail(self, lines: int = 80) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)  # uvicorn shuts down gracefully
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def hub_environment(database_url: str, port: int) -> dict[str, str]:
    """What ``sharehub`` sees: none of the caller's SHAREHUB_* settings, the demo's."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("SHAREHUB_")}
    env.update(
        SHAREHUB_ENV="demo",
        SHAREHUB_DEV_PROVIDER="true",
        SHAREHUB_DATABASE_URL=database_url,
        SHAREHUB_HOST="127.0.0.1",
        SHAREHUB_PORT=str(port),
        SHAREHUB_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def start_live_hub(workdir: Path, database_url: str) -> LiveHub:
    """``sharehub db upgrade`` on an empty database, then ``sharehub demo``
    (which upgrades again, a no-op, loads the demo with ``load_demo`` and
    serves), then wait for /healthz."""
    port = free_port()
    env = hub_environment(database_url, port)
    hub = LiveHub(
        url=f"http://127.0.0.1:{port}",
        port=port,
        database_url=database_url,
        log_file=workdir / "hub.log",
    )
    command = [sys.executable, "-m", "sharehub"]
    upgraded = subprocess.run(
        [*command, "db", "upgrade"],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if upgraded.returncode != 0:
        raise RuntimeError(
            f"`sharehub db upgrade` failed ({upgraded.returncode}):\n"
            f"{upgraded.stdout}\n{upgraded.stderr}"
        )
    with hub.log_file.open("wb") as log:
        hub.process = subprocess.Popen(
            [*command, "demo"],
            env=env,
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    deadline = time.monotonic() + HUB_START_SECONDS
    while True:
        if hub.process.poll() is not None:
            raise RuntimeError(
                f"`sharehub demo` exited with {hub.process.returncode}:\n{hub.log_tail()}"
            )
        try:
            with urllib.request.urlopen(f"{hub.url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return hub
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            hub.stop()
            raise RuntimeError(
                f"the hub did not answer /healthz within {HUB_START_SECONDS}s:\n{hub.log_tail()}"
            )
        time.sleep(0.2)


def create_postgres_database(server_url: str) -> str:
    """A database of its own on the test server (the suite's own database is
    emptied by other tests while this hub is serving from it otherwise)."""
    from sqlalchemy import make_url

    base = make_url(server_url)
    name = f"sharehub_browser_{uuid.uuid4().hex[:12]}"
    asyncio.run(_postgres(server_url, f'CREATE DATABASE "{name}"'))
    return base.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(database_url: str) -> None:
    from sqlalchemy import make_url

    url = make_url(database_url)
    server = url.set(database="postgres").render_as_string(hide_password=False)
    asyncio.run(_postgres(server, f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))


async def _postgres(url: str, sql: str) -> None:
    from sqlalchemy import text

    from sharehub.config import normalise_database_url
    from sharehub.db.engine import create_engine

    engine = create_engine(normalise_database_url(url))
    try:
        async with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


# --- what the browser may fetch -------------------------------------------


@dataclass
class NetworkGuard:
    """Refuses every request that would leave this machine, and remembers the
    page errors a test must not leave behind (uncaught exceptions, resources
    the Content-Security-Policy blocked)."""

    refused: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def route(self, route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname in LOOPBACK_HOSTS:
            route.continue_()
        else:
            self.refused.append(url)
            route.abort("blockedbyclient")

    def page_error(self, error: Any) -> None:
        self.problems.append(f"uncaught error on the page: {error}")

    def console(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(f"blocked by the Content-Security-Policy: {message.text}")

    def complaints(self) -> list[str]:
        return [f"tried to fetch from the network: {url}" for url in self.refused] + self.problems


# --- the demo's people ------------------------------------------------------


def agency_name(agency: str) -> str:
    """A demo agency's name from its short code (or its name, unchanged)."""
    for code, name, *_ in DEMO_AGENCIES:
        if agency.upper() == code or agency == name:
            return name
    known = ", ".join(f"{code} ({name})" for code, name, *_ in DEMO_AGENCIES)
    raise LookupError(f"no demo agency {agency!r}; the demo has {known}")


def staff_member(agency: str, *roles: Role | str) -> DevUser:
    """The first fictional member of an agency's staff holding every role
    given; with no roles, the one who holds none (the newcomer)."""
    wanted = {Role(role) for role in roles}
    name = agency_name(agency)
    code = next(code for code, agency_full, *_ in DEMO_AGENCIES if agency_full == name)
    for (staff_code, held), user in zip(DEMO_STAFF, demo_staff(), strict=True):
        if staff_code != code:
            continue
        if (wanted and wanted <= set(held)) or (not wanted and not held):
            return user
    raise LookupError(f"no demo staff at {code} with roles {sorted(r.value for r in wanted)}")


# --- journeys' shared steps -------------------------------------------------


class SignInFailed(AssertionError):
    pass


def _describe(page: Page) -> str:
    try:
        body = page.locator("body").inner_text(timeout=2_000)
    except Exception:  # noqa: BLE001 (only for the message)
        body = "(no body)"
    return f"at {page.url}:\n{body[:1500]}"


def sign_in_as(
    page: Page,
    hub: LiveHub | str,
    agency: str,
    person: str,
    *,
    on_provider_page: Callable[[Page], object] | None = None,
) -> None:
    """Sign in as ``person`` of ``agency`` (its name or short code) the way a
    person does: the hub's start page, the link naming the agency, the
    development provider's button for that member of staff. Returns once the
    browser is back on the hub. ``on_provider_page`` is called on the
    provider's page (to check it with axe, say)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    start = (hub if isinstance(hub, str) else hub.url).rstrip("/") + "/"
    name = agency_name(agency)
    page.goto(start)
    # Matches "Fernvale Housing Association: Development sign-in (fictional
    # staff)" as much as "Sign in with Fernvale Housing Association".
    link = page.get_by_role("link", name=re.compile(rf"(^|\W){re.escape(name)}($|\W)"))
    if link.count() != 1:
        raise SignInFailed(
            f"expected one link naming {name!r} on the start page, found {link.count()} "
            + _describe(page)
        )
    link.click()
    choice = page.get_by_role("button", name=f"Sign in as {person}", exact=True)
    try:
        choice.wait_for()
    except PlaywrightTimeout:
        raise SignInFailed(
            f"no button to sign in as {person!r} after following {name!r} " + _describe(page)
        ) from None
    if on_provider_page is not None:
        on_provider_page(page)
    choice.click()

    def back_on_hub(url: str) -> bool:
        path = urlsplit(url).path
        return not path.startswith(DEV_PROVIDER_PATH)

    page.wait_for_url(back_on_hub)
    page.wait_for_load_state()
    if urlsplit(page.url).path.startswith("/auth/"):
        raise SignInFailed(f"signing in as {person!r} of {name!r} failed " + _describe(page))


def sign_out(page: Page) -> None:
    """Press "Sign out" (a button in a form today, perhaps a link in the header)."""
    control = page.get_by_role("button", name="Sign out").or_(
        page.get_by_role("link", name="Sign out")
    )
    control.first.click()
    page.wait_for_url(lambda url: not urlsplit(url).path.startswith(DEV_PROVIDER_PATH))
    page.wait_for_load_state()


def check_accessibility(page: Page) -> list[dict[str, Any]]:
    """Run axe-core (bundled in axe-playwright-python, injected from disk) on
    the page as it stands, for WCAG 2.0/2.1/2.2 A and AA. Fails the test
    listing every serious or critical violation; returns all violations."""
    from axe_playwright_python.sync_playwright import Axe

    fetched: list[str] = []

    own = "{0.scheme}://{0.netloc}/".format(urlsplit(page.url))

    def note(request: Any) -> None:
        # The page's own late loads (a favicon) are the page's business; axe-core
        # itself must fetch nothing from anywhere.
        if not request.url.startswith(own):
            fetched.append(request.url)

    page.on("request", note)
    try:
        results = Axe().run(
            page,
            options={
                "runOnly": {"type": "tag", "values": AXE_TAGS},
                "resultTypes": ["violations"],
            },
        )
    finally:
        page.remove_listener("request", note)
    assert not fetched, f"axe-core fetched {fetched} while checking {page.url}"
    violations: list[dict[str, Any]] = results.response["violations"]
    failing = [v for v in violations if v.get("impact") in FAILING_IMPACTS]
    if failing:
        lines = [
            f"axe-core: {len(failing)} serious or critical WCAG 2.2 AA violation(s) on {page.url}"
        ]
        for violation in failing:
            lines.append(
                f"- {violation['id']} ({violation['impact']}): {violation['help']}"
                f" [{violation.get('helpUrl', '')}]"
            )
            for node in violation["nodes"]:
                target = " ".join(map(str, node["target"]))
                lines.append(f"    {target}: {node.get('html', '')[:160]}")
        raise AssertionError("\n".join(lines))
    return violations


def keep_screenshot(page: Page, name: str) -> Path:
    """A full-page PNG at tests/artefacts/screenshots/<name>.png."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name):
        raise ValueError(f"screenshot name {name!r}: use lower-case letters, digits, - . _")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def expect(target: Any, message: str | None = None) -> Any:
    """Playwright's ``expect``, imported only when a test runs."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target, message)
