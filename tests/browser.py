"""Browser tests: Debian's Chromium driven by Playwright, pages checked with axe-core.

Playwright's Python package brings its own driver but no browser here: it
launches Debian's ``chromium`` (``apt-get install chromium``, done by ``make``)
through ``executable_path``, so ``playwright install`` is never needed. axe-core
comes from ``node_modules`` (``npm ci``, also done by ``make``).

A conftest imports the fixtures ``chromium_browser`` (one browser for each
test module) and ``page`` (a fresh context and page per test). Without chromium or
Playwright they skip the test with the reason, except under
``WEEGTOOL_REQUIRE_BROWSER=1`` (set by ``make test``) or ``CI``, where they
fail: a green run must have used the browser.

A page under test is served by ``live_server(app)``, which runs any WSGI app on
127.0.0.1 for the length of a ``with`` block::

    def test_home(page):
        with live_server(create_app(...)) as url:
            page.goto(url + "/")
            assert axe_violations(page) == [], format_violations(axe_violations(page))
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("WEEGTOOL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"

# This machine's network is closed: without these flags Chromium keeps trying to reach Google's hosts
# (updates, sync, field trials) and logs every refusal. Running as root needs --no-sandbox; a small
# /dev/shm in containers crashes tabs unless Chromium keeps its shared memory in /tmp.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def browser_required() -> bool:
    """Whether a missing browser fails the tests instead of skipping them (``make test`` and CI)."""
    return bool(os.environ.get("WEEGTOOL_REQUIRE_BROWSER") or os.environ.get("CI"))


def unavailable(reason: str) -> NoReturn:
    """Skip the test for ``reason``, or fail it where the browser tests must run."""
    if browser_required():
        pytest.fail(f"make test and CI must run the browser tests: {reason}", pytrace=False)
    pytest.skip(reason)


# --- serving the app under test -------------------------------------------------------------------------------


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Serve the WSGI ``app`` on 127.0.0.1 at a free port; yields the base URL (no trailing slash).

    Requests are handled in threads, so the app can serve a page's scripts and images while it
    still answers the page. On leaving the block the server stops and its port is closed.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"live_server:{server.port}",
        daemon=True,
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- the browser ----------------------------------------------------------------------------------------------


def launch(playwright: Any, **options: Any) -> Any:
    """Debian's Chromium, headless, started by ``playwright`` (a started ``sync_playwright()``)."""
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(
            f"no Chromium at {CHROMIUM} (apt-get install chromium, or set WEEGTOOL_CHROMIUM)"
        )
    return playwright.chromium.launch(
        executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True, **options
    )


# Per module, not per session: while Playwright's sync API is started, it leaves its asyncio loop marked
# as running in this thread between calls, so that asyncio.run() (and asgiref's async_to_sync, which
# Flask's async views use) raise "cannot be called from a running event loop" in every later test.
# Stopping it with the module confines that to the browser tests, for about a second per module.
@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Any]:
    """One headless Chromium for the tests of a module (starting Playwright and Chromium takes ~1 s)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser) -> Iterator[Any]:
    """A fresh page in a context of its own (no cookies or storage from other tests); downloads accepted.

    An action or wait gives up after 10 s instead of Playwright's 30 s: the pages are local and small.
    """
    context = chromium_browser.new_context(accept_downloads=True)
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


# --- accessibility --------------------------------------------------------------------------------------------


@functools.cache
def _axe_source() -> str:
    if not AXE.is_file():
        unavailable(f"axe-core is not installed: no {AXE.relative_to(ROOT)} (run npm ci)")
    # The trailing expression makes the script's value plain data, never a function Playwright would call.
    return AXE.read_text(encoding="utf-8") + "\n;true"


_RUN_AXE = """async ([impacts, options]) => {
    const results = await axe.run(document, options);
    return results.violations
        .filter(violation => impacts.includes(violation.impact))
        .map(violation => ({
            id: violation.id,
            impact: violation.impact,
            help: violation.help,
            help_url: violation.helpUrl,
            targets: violation.nodes.map(node => node.target.flat(Infinity).join(" >>> ")),
        }));
}"""


def axe_violations(
    page: Any,
    impacts: Sequence[str] = ("serious", "critical"),
    options: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The axe-core violations of ``impacts`` on the page as it is now.

    Each is ``{"id", "impact", "help", "help_url", "targets"}``, ``targets`` being the CSS selectors
    of the offending elements. ``options`` go to ``axe.run`` (``{"rules": {"color-contrast":
    {"enabled": False}}}``, say). axe is injected by evaluating its source through the DevTools
    protocol, which the page's Content-Security-Policy does not govern: the page keeps its real CSP
    (a context with ``bypass_csp=True`` would hide the app's own CSP mistakes from the tests).
    """
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    violations: list[dict[str, Any]] = page.evaluate(_RUN_AXE, [list(impacts), options or {}])
    return violations


def format_violations(violations: Sequence[dict[str, Any]]) -> str:
    """The violations one to a line with their elements, for an assertion message."""
    if not violations:
        return "no accessibility violations"
    lines = [f"{len(violations)} accessibility violation(s):"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['help_url']}>"
        )
        lines.extend(f"    {target}" for target in violation["targets"])
    return "\n".join(lines)


# --- artifacts ------------------------------------------------------------------------------------------------


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page PNG of ``page`` as test-artifacts/<name>.png (kept for a person to look at)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9._-]+', '-', name).removesuffix('.png')}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
