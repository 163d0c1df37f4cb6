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
    page.on(
        "dialog", lambda dialog: dialog.accept()
    )  # the confirmations irreversible actions ask for
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
            chair.get_by_role("link", name="rapport (PDF)", exact=True).click()
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


# --- a meeting with a committee of three out of ten members (issue 12) ------------------------------------------


@pytest.fixture
def committee_site(sqlite_url, tmp_path, fast_hashing):
    """The committee example plus six more raters (ten members in all) and K-HARD: a hard contra-indication,
    its committee R1, R2 (behavioural scientist) and the chair R3; R2 submitted, R1 saved but did not."""
    from weegtool.store import (
        assign_committee,
        db,
        get_candidate,
        get_user,
        register_referral,
        save_ratings,
        set_password,
        submit_ratings,
    )

    from .store_factories import committee_ratings, make_user

    site = build_site(sqlite_url, tmp_path / "instance")
    engine = db.make_engine(sqlite_url)
    with db.transaction(db.session_factory(engine)) as session:
        for n in range(5, 11):
            set_password(make_user(session, f"R{n}"), PASSWORD)
        users = {name: get_user(session, name) for name in ("coordinator", "R1", "R2", "R3")}
        register_referral(
            session, "K-HARD", by=users["coordinator"], age=15, direction="long_term",
            consent=True, flags=["needs_secured_setting"],
        )  # fmt: skip
        candidate = get_candidate(session, "K-HARD")
        assign_committee(
            session, candidate, [users["R1"], users["R2"], users["R3"]], by=users["coordinator"],
            meeting_on=__import__("datetime").date(2026, 12, 3),
        )  # fmt: skip
        ratings = committee_ratings("C1")
        save_ratings(session, candidate, users["R2"], ratings["R2"])
        submit_ratings(session, candidate, users["R2"])
        save_ratings(session, candidate, users["R1"], ratings["R1"])  # saved, never submitted
    engine.dispose()
    with live_server(site.app) as url:
        yield url


def _record_decision(chair, category, *, override=False, reason=None):
    chair.locator("#category").select_option(category)
    chair.locator("#justification").fill(
        "Eenmalig incident; de groep kan het dragen (ic_risk_behaviour)."
    )
    chair.locator('input[name="items"][value="ic_risk_behaviour"]').check()
    if override:
        chair.locator('input[name="overridden"][value="needs_secured_setting"]').check()
    if reason is not None:
        chair.locator("#reason").fill(reason)
    signer = chair.locator(".signer", has_text="R2")
    signer.get_by_role("checkbox").check()
    signer.locator('input[type="password"]').fill(PASSWORD)
    chair.get_by_role("button", name=re.compile("vastleggen$")).click()


def _outcome_is_at_the_top_and_focused(page):
    assert page.evaluate("document.activeElement && document.activeElement.id") == "outcome"
    box = page.locator("#outcome").bounding_box()
    assert box is not None and -1 <= box["y"] < page.viewport_size["height"] / 2, box


def test_a_meeting_with_a_committee_of_three_holds_its_decision(committee_site, chromium_browser):
    url = committee_site
    contexts = [chromium_browser.new_context() for _ in range(4)]
    try:
        chair = _log_in(contexts[0], url, "R3")
        chair.goto(url + "/candidates/K-HARD/rate/review")
        assert "Niet passend" not in chair.content()
        assert "harde contra-indicatie" in chair.locator(".candidate-facts").inner_text()
        chair.get_by_role(
            "button", name="Beoordeling indienen"
        ).click()  # takes part without rating
        chair.wait_for_url(re.compile(r".*/meeting$"))
        text = chair.content()
        assert (
            "Commissie: R1, R2, R3 · 2 van 3 ingediend." in text
            and "Nog niet ingediend: R1." in text
        )
        assert (
            chair.locator(".signer").count() == 1
        )  # only R2 took part besides the chair: not ten fields

        _record_decision(chair, "fits")  # placing despite the hard flag, as an ordinary deviation
        expect(chair.locator("#outcome")).to_contain_text("Het besluit is niet vastgelegd.")
        expect(chair.locator("#outcome")).to_contain_text(
            "Heeft een beveiligde setting nodig"
        )  # the flag by its title, not its id
        _outcome_is_at_the_top_and_focused(chair)
        violations = axe_violations(chair)
        assert violations == [], format_violations(violations)
        screenshot(chair, "meeting-refused")

        _record_decision(
            chair, "fits", override=True
        )  # the override: justification, items, two signatures
        chair.wait_for_url(url + "/candidates/K-HARD")
        assert "vastgelegd (versie 1)" in chair.content()
        chair.goto(
            url + "/candidates/K-HARD/meeting"
        )  # the live view scores with the stored override
        assert "wijkt af van het vastgelegde besluit" not in chair.content()
        assert chair.locator('input[name="overridden"]').is_checked()  # a correction starts from it

        late = _log_in(contexts[1], url, "R1")
        late.goto(url + "/candidates/K-HARD/rate/review")
        assert "indienen kan niet meer" in late.content()
        assert late.get_by_role("button", name="Beoordeling indienen").count() == 0
        response = late.request.post(
            url + "/candidates/K-HARD/rate/submit",
            form={"csrf_token": late.locator('meta[name="csrf-token"]').get_attribute("content")},
        )
        assert response.status == 409 and "beoordelen kan niet meer" in response.text()

        first = contexts[2].new_page()
        first.on("dialog", lambda dialog: dialog.accept())
        first.goto(url + "/login")
        first.get_by_label("Naam").fill("R3")
        first.get_by_label("Wachtwoord").fill(PASSWORD)
        first.get_by_role("button", name="Inloggen").click()
        first.goto(url + "/candidates/K-HARD/meeting")
        second = contexts[0].new_page()  # the same chair's second tab, opened on revision 1 too
        second.on("dialog", lambda dialog: dialog.accept())
        second.goto(url + "/candidates/K-HARD/meeting")
        _record_decision(first, "fits", override=True, reason="Datum van het incident verbeterd.")
        first.wait_for_url(url + "/candidates/K-HARD")
        _record_decision(
            second, "fits_with_conditions", override=True, reason="Voorwaarden toegevoegd."
        )
        expect(second.locator("#outcome")).to_contain_text(
            "Conflict: uw besluit is niet vastgelegd."
        )
        expect(second.locator("#outcome")).to_contain_text("Wat de ander vastlegde: versie 2")
        expect(second.locator("#outcome")).to_contain_text("Datum van het incident verbeterd.")
        _outcome_is_at_the_top_and_focused(second)
        violations = axe_violations(second)
        assert violations == [], format_violations(violations)
        screenshot(second, "meeting-conflict")

        coordinator = _log_in(contexts[3], url, "coordinator")
        coordinator.goto(url + "/meetings/2026-12-03")
        expect(coordinator.locator("tbody tr")).to_have_count(1)
        expect(coordinator.locator("tbody tr")).to_contain_text("versie 2")
        violations = axe_violations(coordinator)
        assert violations == [], format_violations(violations)
    finally:
        for context in contexts:
            context.close()


def test_the_rating_form_fits_a_phone_390_px_wide_and_shows_who_is_rated(server, chromium_browser):
    url = server
    context = chromium_browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = _log_in(context, url, "R1")
        page.goto(url + "/candidates/K-NEW/rate/emotion_regulation")
        facts = page.locator(".candidate-facts").inner_text()
        assert "16" in facts and "Langdurig thuis" in facts and "geen" in facts
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        screenshot(page, "rating-form-390px")
        assert widths[0] <= widths[1] == 390, widths
        violations = axe_violations(page)
        assert violations == [], format_violations(violations)
    finally:
        context.close()


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
        expect(waiting).to_contain_text(
            "in huis-b: niet voldaan aan de regel “Niet meerdere jongeren met een suïciderisico"
        )
        coordinator.locator("#place-candidate").select_option("C3")
        coordinator.locator("#place-house").select_option("huis-b")
        coordinator.get_by_role("button", name="Plaatsing vastleggen").click()
        refusal = coordinator.locator("#err-house")
        expect(refusal).to_contain_text(
            "Nu niet: Groepssamenstelling in huis-b: niet voldaan aan de regel “Niet meerdere"
        )
        expect(refusal).to_contain_text(
            "suïciderisico bij elkaar.” (signaal: Suïciderisico; bewoners: C2"
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
