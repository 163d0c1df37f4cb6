"""The committee's workflow in a real browser (Debian's Chromium via Playwright), with accessibility scans.

Two raters score the same referral blind, the chair deviates from the advice
with a justification and a co-signature, and the report downloads as a PDF.
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re

import pytest

expect = pytest.importorskip("playwright.sync_api").expect

from .browser import axe_violations, format_violations, live_server, screenshot  # noqa: E402
from .store_factories import PASSWORD  # noqa: E402
from .web_site import build_site  # noqa: E402


@pytest.fixture
def server(sqlite_url, tmp_path, fast_hashing):
    site = build_site(sqlite_url, tmp_path / "instance")
    with live_server(site.app) as url:
        yield url


def _log_in(context, url, name):
    page = context.new_page()
    page.goto(url + "/login")
    page.get_by_label("Naam").fill(name)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(url + "/")
    return page


def _rate_everything(page, url, level, note):
    """Rate every item at ``level`` (one domain screen after another), saving as the script does."""
    page.goto(url + "/candidates/K-NEW")
    page.get_by_role("link", name="Beoordelen").click()
    while True:
        for item in page.locator("fieldset.item").all():
            item.locator(f'input[type="radio"][value="{level}"]').check()
        page.locator("fieldset.item textarea").first.fill(note)
        page.locator("fieldset.item textarea").first.dispatch_event("change")
        expect(page.locator("#save-status")).to_have_text("Opgeslagen.")
        forward = page.get_by_role("button", name="Opslaan en volgend domein")
        if forward.count() == 0:
            page.get_by_role("button", name="Opslaan en controleren").click()
            break
        forward.click()
    page.wait_for_url(re.compile(r".*/rate/review$"))


def test_two_raters_score_blind_and_the_chair_deviates_with_a_justification(
    server, chromium_browser
):
    url = server
    contexts = [chromium_browser.new_context(accept_downloads=True) for _ in range(3)]
    try:
        first = _log_in(contexts[0], url, "R1")
        first.goto(url + "/candidates/K-NEW/rate/emotion_regulation")
        first.locator('input[name="value-er_intensity"][value="3"]').check()
        expect(first.locator("#score-rated")).to_have_text("1 van 25")  # live
        for item in first.locator("fieldset.item").all():
            item.locator('input[type="radio"][value="4"]').check()
        expect(first.locator("#score-emotion_regulation")).to_have_text("100,0")
        violations = axe_violations(first)
        assert violations == [], format_violations(violations)
        screenshot(first, "rating-form")
        _rate_everything(first, url, 3, "R1: onrust op school")

        second = _log_in(contexts[1], url, "R2")
        second.goto(url + "/candidates/K-NEW/meeting")
        assert "pas nadat u uw eigen beoordeling" in second.content()
        assert "R1: onrust op school" not in second.content()  # blind
        _rate_everything(second, url, 1, "R2: rustig in de groep")
        assert "R1: onrust op school" not in second.content()
        second.get_by_role("button", name="Beoordeling indienen").click()
        second.wait_for_url(re.compile(r".*/meeting$"))
        first.get_by_role("button", name="Beoordeling indienen").click()
        first.wait_for_url(re.compile(r".*/meeting$"))

        chair = _log_in(contexts[2], url, "R3")
        chair.goto(url + "/candidates/K-NEW/rate/review")
        chair.get_by_role("button", name="Beoordeling indienen").click()  # the chair does not rate
        chair.wait_for_url(re.compile(r".*/meeting$"))
        assert (
            "R1: onrust op school" in chair.content()
            and "R2: rustig in de groep" in chair.content()
        )
        violations = axe_violations(chair)
        assert violations == [], format_violations(violations)
        screenshot(chair, "chair-view")

        advised = chair.locator("#category").input_value()
        other = next(
            value
            for value in chair.locator("#category option").evaluate_all(
                "options => options.map(o => o.value)"
            )
            if value != advised
        )
        chair.locator("#category").select_option(other)
        chair.get_by_role("button", name="Besluit vastleggen").click()
        assert "Het besluit is niet vastgelegd" in chair.content()  # no justification yet
        chair.locator("#category").select_option(other)
        chair.locator("#justification").fill(
            "Het netwerk draagt meer dan de scores laten zien (pf_network)."
        )
        chair.locator('input[name="items"][value="pf_network"]').check()
        signer = chair.locator(".signer", has_text="R2")
        signer.get_by_role("checkbox").check()
        signer.locator('input[type="password"]').fill(PASSWORD)
        chair.get_by_role("button", name="Besluit vastleggen").click()
        chair.wait_for_url(url + "/candidates/K-NEW")
        assert "wijkt af van het advies" in chair.content()
        screenshot(chair, "decided")

        with chair.expect_download() as download:
            chair.get_by_role("link", name="rapport (PDF)").click()
        path = download.value.path()
        assert download.value.suggested_filename == "advies-K-NEW-versie-1.pdf"
        assert path.read_bytes()[:5] == b"%PDF-"
    finally:
        for context in contexts:
            context.close()


def test_every_role_s_pages_pass_an_accessibility_scan(server, page):
    url = server
    for path, _name in (("/login", "login"),):
        page.goto(url + path)
        violations = axe_violations(page)
        assert violations == [], f"{path}:\n{format_violations(violations)}"
    page.get_by_label("Naam").fill("coordinator")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    for path in (
        "/",
        "/candidates/new",
        "/candidates/C5",
        "/houses/",
        "/houses/huis-a/edit",
        "/exports/",
    ):
        page.goto(url + path)
        violations = axe_violations(page)
        assert violations == [], f"{path}:\n{format_violations(violations)}"
    for name, paths in (
        ("beheer", ("/admin/users", "/admin/instruments", "/admin/audit")),
        ("onderzoeker", ("/research/",)),
    ):
        page.get_by_role("button", name="Uitloggen").click()
        page.get_by_label("Naam").fill(name)
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        for path in paths:
            page.goto(url + path)
            violations = axe_violations(page)
            assert violations == [], f"{path}:\n{format_violations(violations)}"
