"""score|explain|report --previous: the change since the previous assessment, on the command line."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from weegtool.cli import cli

from .conftest import ROOT, TWENTE

COMMITTEE = ROOT / "tests" / "data" / "committee.csv"
SOURCE = {"data": "committee.csv", "coefficient": "ICC(2,1)", "candidates": 60, "raters": 3}


@pytest.fixture
def files(tmp_path):
    """The committee example as the previous assessment (2026-05-04) and a review (2026-11-02).

    In the review C3 rates 2 levels lower on emotion regulation and coping and 1 higher on
    protective factors; C5 is not reassessed and C6 is new. The Twente instrument gets a
    measurement: SD 22 and r .82 for emotion regulation (SEM 22 * sqrt(.18) = 9.334, SDC95
    1.96 * sqrt(2) * 9.334 = 25.87), the total SD 15, r .88 (SEM 5.196, SDC95 14.40).
    """
    old = pd.read_csv(COMMITTEE, dtype=str, keep_default_na=False).assign(date="2026-05-04")
    new = old.assign(date="2026-11-02")
    c3 = new["candidate_id"] == "C3"
    for column in [c for c in new.columns if "." not in c and c[:3] in ("er_", "cp_", "pf_")]:
        step = 1 if column.startswith("pf_") else -2
        new.loc[c3, column] = (new.loc[c3, column].astype(int) + step).clip(0, 4).astype(str)
    new = pd.concat(
        [
            new[new["candidate_id"] != "C5"],
            old[old["candidate_id"] == "C1"].assign(candidate_id="C6"),
        ]
    )
    old.to_csv(tmp_path / "old.csv", index=False)
    new.to_csv(tmp_path / "new.csv", index=False)
    data = yaml.safe_load(TWENTE.read_text(encoding="utf-8"))
    for domain in data["domains"]:
        domain["measurement"] = {"sd": 22, "reliability": 0.82, "source": SOURCE}
    data["total_measurement"] = {"sd": 15, "reliability": 0.88, "source": SOURCE}
    (tmp_path / "measured.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return tmp_path


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_score_json_has_the_change_per_candidate(files):
    out = files / "scores.json"
    result = run(
        "score", files / "new.csv", "--previous", files / "old.csv",
        "-i", files / "measured.yaml", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "4 candidates compared with their previous assessment" in result.stdout
    assert "1 candidates have no previous assessment there: C6" in result.stdout
    assert "1 candidates were assessed there but not now: C5" in result.stdout
    records = {r["candidate_id"]: r for r in json.loads(out.read_text("utf-8"))}
    assert records["C6"]["change"] is None
    change = records["C3"]["change"]
    assert change["previous"]["assessed_on"] == "2026-05-04"
    assert change["previous"]["advice"] == "fits_with_conditions"
    assert (change["previous"]["total"], records["C3"]["total"]) == (70.0, 45.0)
    total = change["total"]
    assert total["delta"] == -25.0
    # -25 / (sqrt(2) * 15 * sqrt(.12)) = -25 / 7.3485 = -3.4021
    assert total["rci"] == pytest.approx(-3.4021, abs=1e-4)
    assert (total["sdc"], total["reliable"]) == (pytest.approx(14.403, abs=1e-3), "improved")
    er = change["domains"]["emotion_regulation"]
    assert (er["previous"], er["current"], er["delta"], er["reliable"]) == (75, 25, -50, "improved")
    assert er["sdc"] == pytest.approx(25.872, abs=1e-3)
    pf = change["domains"]["protective_factors"]
    # protective factors rose 25 points (an improvement in direction), within SDC 25.87
    assert (pf["delta"], pf["reliable"]) == (25.0, "no_reliable_change")
    assert change["category_changed"] is True
    assert change["items"][0] == {
        "item": "cp_aggressive_coping",
        "previous_rating": 3.0,
        "rating": 1.0,
        "delta": pytest.approx(-3.3333),
    }
    assert records["C1"]["change"]["total"]["reliable"] == "no_reliable_change"


def test_score_csv_has_change_columns(files):
    out = files / "scores.csv"
    result = run(
        "score", files / "new.csv", "--previous", files / "old.csv",
        "-i", files / "measured.yaml", "--format", "csv", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, index_col="candidate_id", sep=";", decimal=",", encoding="utf-8-sig")
    assert table.loc["C3", "change.total.delta"] == -25
    assert table.loc["C3", "change.emotion_regulation.reliable"] == "improved"
    assert table.loc["C3", "change.previous_advice"] == "fits_with_conditions"
    assert pd.isna(table.loc["C6", "change.total.delta"])


def test_without_reliability_the_change_has_no_verdict_and_says_why(files):
    out = files / "scores.json"
    result = run("score", files / "new.csv", "--previous", files / "old.csv", "--out", out)
    assert result.exit_code == 0, result.output
    c3 = {r["candidate_id"]: r for r in json.loads(out.read_text("utf-8"))}["C3"]["change"]
    assert (c3["total"]["delta"], c3["total"]["rci"], c3["total"]["reliable"]) == (
        -25.0,
        None,
        "unknown",
    )
    assert c3["total"]["why"] == "no_reliability"
    result = run("explain", files / "new.csv", "--previous", files / "old.csv", "--candidate", "C3")
    assert "geeft voor Totaal, Emotieregulatie" in " ".join(result.stdout.split())


def test_explain_prints_the_change_in_words(files):
    result = run(
        "explain", files / "new.csv", "--previous", files / "old.csv",
        "-i", files / "measured.yaml", "--candidate", "C3", "--lang", "en",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    words = " ".join(result.stdout.split())
    assert "Change since the previous assessment" in words
    assert (
        "Emotion regulation: 50.0 points lower (75.0 to 25.0), more than the smallest detectable "
        "change of 25.9 points: a reliable improvement." in words
    )
    assert (
        "Protective factors: 25.0 points higher (50.0 to 75.0), within the measurement error"
        in words
    )
    result = run(
        "explain",
        files / "new.csv",
        "--previous",
        files / "old.csv",
        "--candidate",
        "C6",
        "--lang",
        "en",
    )
    assert "No previous assessment of this candidate was given" in " ".join(result.stdout.split())


@pytest.mark.parametrize(
    "lang, heading, sentence",
    [
        (
            "nl",
            "Verandering sinds de vorige beoordeling",
            "Totaal: 25,0 punten lager (70,0 naar 45,0)",
        ),
        ("en", "Change since the previous assessment", "Total: 25.0 points lower (70.0 to 45.0)"),
    ],
)
def test_report_has_the_change_section(files, lang, heading, sentence):
    out = files / "C3.html"
    result = run(
        "report", files / "new.csv", "--previous", files / "old.csv", "-i", files / "measured.yaml",
        "--candidate", "C3", "--keep-ids", "--lang", lang, "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = out.read_text("utf-8")
    assert f'<h2 id="h-since">{heading}</h2>' in page
    assert sentence in page
    assert "Jacobson &amp; Truax 1991" in page
    r, sd = ("0,88", "15,0") if lang == "nl" else ("0.88", "15.0")
    assert f"ICC(2,1) {r}, SD {sd}" in page
    assert page.index("h-since") < page.index("h-profile")


def test_report_of_a_candidate_without_previous_says_so(files):
    out = files / "C6.html"
    result = run(
        "report", files / "new.csv", "--previous", files / "old.csv",
        "--candidate", "C6", "--keep-ids", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Van deze kandidaat is geen vorige beoordeling gegeven" in out.read_text("utf-8")


def test_other_instrument_version_is_compared_through_shared_domains(files):
    data = yaml.safe_load(TWENTE.read_text(encoding="utf-8"))
    data["version"] = "0.0.9"  # an older version without the domain social resilience
    data["domains"] = [d for d in data["domains"] if d["id"] != "social_resilience"]
    data["items"] = [i for i in data["items"] if i["domain"] != "social_resilience"]
    (files / "old.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    old = pd.read_csv(files / "old.csv", dtype=str, keep_default_na=False)
    old.drop(columns=[c for c in old.columns if c.startswith("sr_")]).to_csv(
        files / "old.csv", index=False
    )
    out = files / "C3.html"
    result = run(
        "report", files / "new.csv", "--previous", files / "old.csv", "--previous-instrument",
        files / "old.yaml", "-i", files / "measured.yaml", "--candidate", "C3", "--keep-ids",
        "--lang", "en", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = " ".join(out.read_text("utf-8").split())
    assert "The previous assessment used another version of the instrument" in page
    assert "(twente-specialistisch-wonen 0.0.9)" in page
    assert "Total: not compared, as the totals of two versions" in page
    assert "Emotion regulation: 50.0 points lower" in page
    said = "Not compared (in only one of the two versions): Social resilience."
    section = page[page.index('id="h-since"') : page.index('id="h-profile"')]
    assert section.count(said) == 1
    assert "Social resilience" not in section.replace(said, "")  # no row, no sentence


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--previous-candidates", "{old}"], "error: --previous-candidates needs --previous."),
        (["--previous-instrument", "{twente}"], "error: --previous-instrument needs --previous."),
        (
            ["--previous", "{new}"],
            "is dated after the current one (2026-05-04); are the two files swapped?",
        ),
        (["--previous", "{bad}"], "row 2, column 'er_intensity': must be one of 0, 1, 2, 3, 4"),
        (
            ["--previous", "{old}", "--previous-instrument", "{example}"],
            "is not an item or a known field",
        ),
    ],
)
def test_refusals(files, extra, message):
    bad = pd.read_csv(files / "old.csv", dtype=str, keep_default_na=False)
    bad.loc[0, "er_intensity"] = "9"
    bad.to_csv(files / "bad.csv", index=False)
    names = {
        "old": files / "old.csv",
        "new": files / "new.csv",
        "bad": files / "bad.csv",
        "twente": TWENTE,
        "example": ROOT / "criteria" / "example-minimal.yaml",
    }
    current = files / ("old.csv" if "{new}" in extra else "new.csv")
    out = files / "scores.json"
    result = run("score", current, *[e.format(**names) for e in extra], "--out", out)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()
