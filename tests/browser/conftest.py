"""Fixtures for the browser tests.

- ``live_hub`` (session): the real hub started by ``sharehub db upgrade`` and
  ``sharehub demo`` on a free port of 127.0.0.1, on a fresh SQLite database (or
  a database of its own on the PostgreSQL server of SHAREHUB_TEST_DATABASE_URL),
  with the development provider's fictional staff. Real HTTP, real OpenID
  Connect.
- ``browser`` (session): Debian's Chromium (never a downloaded build), headless.
- ``page``: a new browser context per test (en-GB, Europe/London) that refuses
  every request leaving this machine and fails the test on an uncaught page
  error or a resource blocked by the Content-Security-Policy.

Every browser test is a plain sync test; its body runs in the Playwright
thread (harness.py says why). Without Chromium or Playwright the tests are
skipped, saying how to get them; with CI=true or SHAREHUB_REQUIRE_BROWSER=1
they fail instead.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from browser.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PLAYWRIGHT,
    TIMEOUT_MS,
    LiveHub,
    NetworkGuard,
    browser_required,
    create_postgres_database,
    drop_postgres_database,
    missing_prerequisites,
    start_live_hub,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@pytest.fixture(scope="session", autouse=True)
def _browser_prerequisites() -> None:
    reason = missing_prerequisites()
    if reason is None:
        return
    if browser_required():
        pytest.fail(
            f"browser tests cannot run: {reason} (required here: CI or SHAREHUB_REQUIRE_BROWSER)",
            pytrace=False,
        )
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run each browser test's body in the Playwright thread."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    PLAYWRIGHT.run(pyfuncitem.obj, **arguments)
    return True


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failed browser test shows the end of the hub's log."""
    report = yield
    hub = getattr(item, "funcargs", {}).get("live_hub")
    if report.failed and isinstance(hub, LiveHub):
        report.sections.append(("live hub log (last lines)", hub.log_tail(40)))
    return report


def pytest_unconfigure(config: pytest.Config) -> None:
    PLAYWRIGHT.close()


@pytest.fixture(scope="session")
def live_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    workdir = tmp_path_factory.mktemp("live-hub")
    server = os.environ.get("SHAREHUB_TEST_DATABASE_URL")
    database_url = (
        create_postgres_database(server) if server else f"sqlite:///{workdir / 'sharehub.db'}"
    )
    try:
        hub = start_live_hub(workdir, database_url)
        try:
            yield hub
        finally:
            hub.stop()
    finally:
        if server:
            drop_postgres_database(database_url)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    def launch() -> tuple[Any, Browser]:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        try:
            return playwright, playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
        except BaseException:
            playwright.stop()
            raise

    playwright, chromium = PLAYWRIGHT.run(launch)
    yield chromium

    def close() -> None:
        try:
            chromium.close()
        finally:
            playwright.stop()

    PLAYWRIGHT.run(close)


def _page(browser: Browser, javascript: bool) -> Iterator[Page]:
    guard = NetworkGuard()

    def open_page() -> tuple[Any, Page]:
        context = browser.new_context(
            locale="en-GB", timezone_id="Europe/London", java_script_enabled=javascript
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", guard.route)
        new_page = context.new_page()
        new_page.on("pageerror", guard.page_error)
        new_page.on("console", guard.console)
        return context, new_page

    context, new_page = PLAYWRIGHT.run(open_page)
    try:
        yield new_page
    finally:
        PLAYWRIGHT.run(context.close)
    complaints = guard.complaints()
    assert not complaints, "the browser saw:\n" + "\n".join(complaints)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from _page(browser, javascript=True)


@pytest.fixture
def page_without_javascript(browser: Browser) -> Iterator[Page]:
    """A browser with JavaScript off: every journey must still work."""
    yield from _page(browser, javascript=False)
