"""The browser-test helpers themselves, on a tiny Flask app with a strict Content-Security-Policy.

The web app's own browser tests build on these: if they fail here, they would fail there too for a
reason that has nothing to do with the web app.
"""

from __future__ import annotations

import socket
import struct
import threading
import urllib.request
from pathlib import Path

import pytest
from flask import Flask, Response

from .browser import ARTIFACTS, axe_violations, format_violations, live_server, screenshot

CSP = "default-src 'self'; script-src 'self'"

SCRIPT = """
document.getElementById("status").textContent = "script ran";
document.getElementById("go").addEventListener("click", () => {
    document.getElementById("status").textContent = "clicked";
});
"""

# What the page's own CSP must stop: an inline script. The external /app.js is allowed.
INLINE = '<script>document.body.dataset.inline = "ran";</script>'

GOOD = (
    """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Goed</title></head>
<body><main>
  <h1>Aanmelding</h1>
  <p id="status">waiting</p>
  <form><label for="name">Naam</label> <input id="name" name="name" type="text"></form>
  <img src="/pixel.svg" alt="Logo" width="20" height="20">
  <button id="go" type="button">Go</button>
  <p><a id="export" href="/export.csv">Export</a></p>
</main>
"""
    + INLINE
    + """
<script src="/app.js"></script>
</body></html>
"""
)

# Two seeded faults that axe rates critical: an image without alternative text, a field without a label.
BAD = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Fout</title></head>
<body><main>
  <h1>Aanmelding</h1>
  <form><input id="nameless" name="name" type="text"></form>
  <img id="mute" src="/pixel.svg" width="20" height="20">
</main></body></html>
"""

PIXEL = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><rect width="20" height="20"/></svg>'


def make_app() -> Flask:
    app = Flask(__name__)

    @app.after_request
    def strict_csp(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        return response

    @app.get("/")
    def good() -> str:
        return GOOD

    @app.get("/bad")
    def bad() -> str:
        return BAD

    @app.get("/app.js")
    def script() -> Response:
        return Response(SCRIPT, mimetype="text/javascript")

    @app.get("/pixel.svg")
    def pixel() -> Response:
        return Response(PIXEL, mimetype="image/svg+xml")

    @app.get("/export.csv")
    def export() -> Response:
        return Response(
            "kandidaat;advies\nK001;plaatsen\n",
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=advies.csv"},
        )

    return app


@pytest.fixture(scope="module")
def url():
    with live_server(make_app()) as base:
        yield base


# --- the server, no browser needed ----------------------------------------------------------------------------


def test_live_server_serves_and_then_frees_its_port():
    with live_server(make_app()) as base:
        port = int(base.rsplit(":", 1)[1])
        with urllib.request.urlopen(base + "/app.js") as response:
            assert response.headers["Content-Security-Policy"] == CSP
            assert b"script ran" in response.read()
    assert not any(thread.name == f"live_server:{port}" for thread in threading.enumerate())
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    with socket.socket() as free:  # nothing holds the port any more
        free.bind(("127.0.0.1", port))


def test_format_violations_names_rule_and_elements():
    text = format_violations(
        [
            {
                "id": "image-alt",
                "impact": "critical",
                "help": "Images must have alternative text",
                "help_url": "https://example.org/image-alt",
                "targets": ["#mute"],
            }
        ]
    )
    assert text == (
        "1 accessibility violation(s):\n"
        "- image-alt (critical): Images must have alternative text <https://example.org/image-alt>\n"
        "    #mute"
    )
    assert format_violations([]) == "no accessibility violations"


# --- the browser ----------------------------------------------------------------------------------------------


def test_page_runs_its_own_script_under_csp_and_reacts_to_a_click(page, url):
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(url + "/")
    assert page.text_content("#status") == "script ran"
    # The policy is really in force: the inline script was refused.
    assert page.evaluate("document.body.dataset.inline") is None
    assert any("Content Security Policy" in message for message in messages), messages
    page.click("#go")
    assert page.text_content("#status") == "clicked"


def test_screenshot_writes_a_full_page_png(page, url):
    page.set_viewport_size({"width": 400, "height": 100})
    page.goto(url + "/")
    path = screenshot(page, "browser infra/good page")
    assert path == ARTIFACTS / "browser-infra-good-page.png"
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == 400
    assert height > 100  # the whole page, not only the 100-pixel viewport


def test_download_is_accepted(page, url):
    page.goto(url + "/")
    with page.expect_download() as download:
        page.click("#export")
    assert download.value.suggested_filename == "advies.csv"
    assert (
        Path(download.value.path()).read_text(encoding="utf-8")
        == "kandidaat;advies\nK001;plaatsen\n"
    )


def test_axe_finds_the_seeded_violations_under_csp(page, url):
    page.goto(url + "/bad")
    violations = axe_violations(page)
    found = {violation["id"]: violation for violation in violations}
    assert set(found) == {"image-alt", "label"}, format_violations(violations)
    assert found["image-alt"]["impact"] == "critical"
    assert found["image-alt"]["targets"] == ["#mute"]
    assert found["label"]["targets"] == ["#nameless"]
    # Asking only for minor faults leaves these critical ones out.
    assert axe_violations(page, impacts=("minor",)) == []


def test_axe_finds_nothing_on_a_good_page_and_leaves_its_csp_alone(page, url):
    page.goto(url + "/")
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    # Injecting axe did not open the page to inline scripts.
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "document.body.dataset.late = 'ran'";
        document.body.append(script);
    }""")
    assert page.evaluate("document.body.dataset.late") is None
