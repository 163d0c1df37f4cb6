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


def _rate_everything(page, url, level, note, pseudonym="K-NEW"):
    """Rate every item at ``level`` (one domain screen after another), saving as the script does."""
    page.goto(url + f"/candidates/{pseudonym}")
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
        "/placements/",
        "/overview/",
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


def _decide(chair, url, pseudonym, category):
    """The chair records ``category`` for ``pseudonym``, argued (it may deviate) and co-signed by R2."""
    chair.goto(url + f"/candidates/{pseudonym}/meeting")
    chair.locator("#category").select_option(category)
    chair.locator("#justification").fill("Past bij de woonvorm; groep besproken (er_intensity).")
    chair.locator('input[name="items"][value="er_intensity"]').check()
    signer = chair.locator(".signer", has_text="R2")
    signer.get_by_role("checkbox").check()
    signer.locator('input[type="password"]').fill(PASSWORD)
    chair.get_by_role("button", name="Besluit vastleggen").click()
    chair.wait_for_url(url + f"/candidates/{pseudonym}")


def test_after_the_decision_a_placement_fills_the_house_and_a_departure_lets_a_waiting_candidate_in(
    server, chromium_browser
):
    url = server
    contexts = [chromium_browser.new_context(accept_downloads=True) for _ in range(2)]
    try:
        chair = _log_in(contexts[0], url, "R3")
        coordinator = _log_in(contexts[1], url, "coordinator")
        _decide(chair, url, "C2", "fits")  # C2 has suicide risk
        coordinator.goto(url + "/placements/")
        coordinator.locator("#place-candidate").select_option("C2")
        coordinator.locator("#place-house").select_option("huis-b")
        coordinator.get_by_role("button", name="Plaatsing vastleggen").click()
        expect(coordinator.locator(".message.success")).to_contain_text(
            "Plaatsing van C2 in huis-b is vastgelegd."
        )
        expect(coordinator.locator("#current")).to_contain_text("huis-b")

        # a second young person with suicide risk, decided 'fits, but not this group now'
        coordinator.goto(url + "/candidates/C3/edit")
        coordinator.locator('input[name="flags"][value="suicide_risk"]').check()
        coordinator.get_by_role("button", name="Opslaan").click()
        coordinator.wait_for_url(url + "/candidates/C3")
        _decide(chair, url, "C3", "fits_not_this_group")
        coordinator.goto(url + "/placements/")
        waiting = coordinator.locator("#waiting tr", has_text="C3")
        expect(waiting.locator(".fit-now")).to_have_text("nog geen huis")
        expect(waiting).to_contain_text("huis huis-b: Niet meerdere jongeren met een suïciderisico")
        coordinator.locator("#place-candidate").select_option("C3")
        coordinator.locator("#place-house").select_option("huis-b")
        coordinator.get_by_role("button", name="Plaatsing vastleggen").click()
        refusal = coordinator.locator("#err-house")
        expect(refusal).to_contain_text("Nu niet: Groepssamenstelling, huis huis-b: Niet meerdere")
        expect(refusal).to_contain_text(
            "suïciderisico bij elkaar. (signaal: Suïciderisico; bewoners: C2"
        )
        violations = axe_violations(coordinator)
        assert violations == [], format_violations(violations)
        screenshot(coordinator, "placement-refused")

        row = coordinator.locator("#current tr", has_text="C2")
        row.locator("select").select_option("breakdown")
        row.get_by_role("button", name="Vertrek vastleggen").click()
        expect(coordinator.locator(".message.success")).to_contain_text("Vertrek van C2")
        expect(coordinator.locator("#ended")).to_contain_text("Plaatsing afgebroken")
        waiting = coordinator.locator("#waiting tr", has_text="C3")
        expect(waiting.locator(".fit-now")).to_have_text("huis-b")
        screenshot(coordinator, "waiting-fits")

        chair.goto(url + "/placements/")  # the chair sees the same list
        expect(chair.locator("#waiting tr", has_text="C3").locator(".fit-now")).to_have_text(
            "huis-b"
        )
        chair.goto(url + "/overview/")
        expect(chair.locator("#overview")).to_contain_text("Geplaatst")
        expect(chair.locator("#fits-now")).to_have_text("C3: past nu in huis-b")
    finally:
        for context in contexts:
            context.close()


def test_a_review_is_rated_blind_decided_and_shown_on_the_timeline_with_the_change_section(
    server, chromium_browser
):
    url = server
    contexts = [chromium_browser.new_context() for _ in range(4)]
    try:
        chair = _log_in(contexts[0], url, "R3")
        coordinator = _log_in(contexts[1], url, "coordinator")
        _decide(chair, url, "C1", "fits")
        coordinator.goto(url + "/placements/")
        coordinator.locator("#place-candidate").select_option("C1")
        coordinator.locator("#place-house").select_option("huis-b")
        coordinator.get_by_role("button", name="Plaatsing vastleggen").click()
        expect(coordinator.locator(".message.success")).to_contain_text("Plaatsing van C1")

        coordinator.goto(url + "/candidates/C1")
        coordinator.get_by_role("button", name="Evaluatie starten").click()
        expect(coordinator.locator(".message.success")).to_contain_text(
            "De evaluatie van C1 is gestart"
        )
        expect(coordinator.locator("#review-open")).to_contain_text("Evaluatie gestart op")
        coordinator.goto(url + "/overview/")
        expect(coordinator.locator("#reviews-due")).to_contain_text("C1 (huis-b): evaluatie loopt")

        rater = _log_in(contexts[2], url, "R1")
        rater.goto(url + "/candidates/C1")
        expect(rater.locator("#timeline")).to_have_count(
            0
        )  # blind: no earlier scores before rating
        _rate_everything(rater, url, 1, "R1: evaluatie, rustiger", "C1")
        rater.get_by_role("button", name="Beoordeling indienen").click()
        rater.wait_for_url(re.compile(r".*/meeting$"))
        scientist = _log_in(contexts[3], url, "R2")
        _rate_everything(scientist, url, 1, "R2: evaluatie", "C1")
        scientist.get_by_role("button", name="Beoordeling indienen").click()
        scientist.wait_for_url(re.compile(r".*/meeting$"))
        chair.goto(url + "/candidates/C1/rate/review")
        chair.get_by_role("button", name="Beoordeling indienen").click()
        chair.wait_for_url(re.compile(r".*/meeting$"))
        expect(chair.locator("#h-decide")).to_have_text("Besluit over de evaluatie")
        assert "R1: evaluatie, rustiger" in chair.content()
        _decide(chair, url, "C1", "fits")  # the placement continues

        rows = chair.locator("#timeline-table tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("opname")
        expect(rows.nth(1)).to_contain_text("evaluatie")
        expect(chair.locator("figure.timeline-chart svg")).to_be_visible()
        violations = axe_violations(chair)
        assert violations == [], format_violations(violations)
        screenshot(chair, "timeline")

        chair.get_by_role("link", name="versie 2").click()
        expect(chair.get_by_text("Verandering sinds de vorige beoordeling")).to_be_visible()
        screenshot(chair, "review-report")
    finally:
        for context in contexts:
            context.close()
