"""The command line, through click's test runner and once as the installed console script.

``tests/data/committee.csv`` is the committee example: raters R1, R2, R3 rate
candidates C1..C5 on the default Twente instrument. C1 is clearly light, C2 in
the target band (with a suicide risk flag and one item the raters dispute), C3
high, C4 has no consent and C5 carries the hard flag ``needs_secured_setting``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import weegtool
from weegtool.cli import cli

from .conftest import EXAMPLE, TWENTE

DATA = Path(__file__).resolve().parent / "data"
ROOT_HOUSES = DATA.parent.parent / "examples" / "houses.yaml"
COMMITTEE = DATA / "committee.csv"
HOUSES = Path(__file__).resolve().parent.parent / "examples" / "houses.yaml"
ON = "2026-11-23"

EXPECTED = {  # candidate: (band, advice)
    "C1": ("lighter", "lighter_care"),
    "C2": ("target", "fits"),
    "C3": ("elevated", "fits_with_conditions"),
    "C4": ("target", "further_assessment"),
    "C5": ("target", "refer"),
}

BAD_CRITERIA = (
    EXAMPLE.read_text(encoding="utf-8")
    .replace("status: concept", "status: final")
    .replace("direction: risk                # risk | protective", "direction: upward")
    .replace("    max_missing: 0\n", "    max_missing: -1\n")
)


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def assert_user_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """The committee example scored once: the JSON records by candidate id, and the command's output."""
    out = tmp_path_factory.mktemp("score") / "scores.json"
    result = run("score", COMMITTEE, "--on", ON, "--format", "json", "--out", out)
    assert result.exit_code == 0, result.output
    return {r["candidate_id"]: r for r in json.loads(out.read_text(encoding="utf-8"))}, result, out


def bad_ratings(tmp_path: Path) -> Path:
    lines = COMMITTEE.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[8].split(",")  # spreadsheet row 9: C3, R2
    assert cells[:2] == ["C3", "R2"]
    cells[header.index("er_intensity")] = "7"
    lines[8] = ",".join(cells)
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- validate and describe ------------------------------------------------------------------


def test_validate_prints_id_version_and_sha256(twente):
    result = run("validate", TWENTE)
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.startswith(
        f"{TWENTE}: ok: twente-specialistisch-wonen {twente.version} (concept) "
        f"sha256 {twente.sha256} domains=5 items=25"
    )


def test_validate_bad_file_lists_every_problem(tmp_path):
    bad = tmp_path / "kapot.yaml"
    bad.write_text(BAD_CRITERIA, encoding="utf-8")
    result = run("validate", EXAMPLE, bad)
    assert_user_error(
        result,
        f"{bad}: 3 problems:",
        "status must be one of 'concept' or 'calibrated'; got 'final'.",
        "items[0] (er_outbursts).direction must be one of 'risk' or 'protective'; got 'upward'.",
        "domains[1] (protective_factors).max_missing must be >= 0; got -1.",
    )
    assert result.stdout.startswith(f"{EXAMPLE}: ok: example-minimal")


def test_describe_json(twente):
    result = run("describe", "--format", "json")
    assert result.exit_code == 0
    described = json.loads(result.stdout)
    assert (described["id"], described["version"], described["sha256"]) == (
        twente.id,
        twente.version,
        twente.sha256,
    )
    assert [i["id"] for i in described["items"]] == list(twente.item_ids)
    for item in described["items"]:
        assert {"id", "domain", "min", "max", "direction"} <= set(item)
        assert (item["min"], item["max"]) == (0, 4)
        assert item["domain"] in twente.domain_ids and item["direction"] in ("risk", "protective")
    assert {"id": "needs_secured_setting", "severity": "hard"}.items() <= described["flags"][
        0
    ].items()
    assert all(set(f) >= {"id", "severity"} for f in described["flags"])


def test_describe_in_english_and_dutch():
    dutch, english = run("describe"), run("describe", "--lang", "en")
    assert (
        "Emotieregulatie [emotion_regulation" in dutch.stdout
        and "Emotion regulation" not in dutch.stdout
    )
    assert (
        "Emotion regulation [emotion_regulation" in english.stdout
        and "Emotieregulatie" not in english.stdout
    )
    assert "Heftigheid van emotionele ontregeling" in dutch.stdout
    assert "Intensity of emotional dysregulation" in english.stdout


# --- score ---------------------------------------------------------------------------------------


def test_score_json_has_one_record_per_candidate(scored, twente):
    records, result, out = scored
    assert list(records) == ["C1", "C2", "C3", "C4", "C5"]
    assert result.stdout.startswith(f"{out}: 5 candidates scored with {twente.label}")
    for record in records.values():
        assert {
            "candidate_id",
            "total",
            "domains",
            "band",
            "advice",
            "reasons",
            "flags",
            "composition",
            "disagreements",
            "contributions",
            "instrument",
        } <= set(record)
        assert {k: record["instrument"][k] for k in ("id", "version", "sha256")} == {
            "id": twente.id,
            "version": twente.version,
            "sha256": twente.sha256,
        }
        assert set(record["domains"]) == set(twente.domain_ids)
        assert set(record["contributions"]) == set(twente.item_ids)


def test_committee_example_spans_the_advice(scored):
    records, _, _ = scored
    assert {c: (r["band"], r["advice"]) for c, r in records.items()} == EXPECTED
    assert (
        records["C1"]["total"] < 20
        and 20 <= records["C2"]["total"] < 55 <= records["C3"]["total"] < 75
    )
    assert [r["kind"] for r in records["C4"]["reasons"] if r["decisive"]] == ["precondition"]
    assert [(f["id"], f["severity"]) for f in records["C5"]["flags"]] == [
        ("needs_secured_setting", "hard")
    ]
    assert [(d["item"], d["spread"]) for d in records["C2"]["disagreements"]] == [
        ("er_self_harm", 2.0)
    ]
    assert records["C3"]["critical"] == [
        {
            "item": "er_self_harm",
            "rater_id": "R2",
            "reason": "Snijdt zich bij spanning; laatste keer twee weken geleden.",
        }
    ]
    assert records["C1"]["review_date"] == "2027-05-23"


def test_contributions_add_up_to_the_total(scored):
    records, _, _ = scored
    for record in records.values():
        assert sum(record["contributions"].values()) == pytest.approx(record["total"], abs=0.01)


def test_score_csv(scored, tmp_path, twente):
    records, _, _ = scored
    out = tmp_path / "scores.csv"
    result = run("score", COMMITTEE, "--on", ON, "--format", "csv", "--out", out)
    assert result.exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith("\ufeff".encode()) and raw.decode("utf-8-sig").startswith("candidate_id;")
    table = pd.read_csv(out, index_col="candidate_id", sep=";", decimal=",", encoding="utf-8-sig")
    assert list(table.index) == list(records)
    assert table["advice"].to_dict() == {c: advice for c, (_, advice) in EXPECTED.items()}
    for candidate, record in records.items():
        assert table.loc[candidate, "total"] == pytest.approx(record["total"], abs=0.01)
    assert set(table["instrument_sha256"]) == {twente.sha256}
    assert table.loc["C2", "disputed"] == "er_self_harm"


def test_score_bad_ratings_writes_no_file(tmp_path):
    bad = bad_ratings(tmp_path)
    out = tmp_path / "scores.json"
    result = run("score", bad, "--out", out)
    assert_user_error(
        result,
        f"{bad}: 1 problem:",
        "row 9, column 'er_intensity': must be one of 0, 1, 2, 3, 4 or blank when not known; got '7'.",
    )
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.csv"]


def test_score_bad_ratings_leaves_an_existing_file_unchanged(tmp_path):
    bad = bad_ratings(tmp_path)
    out = tmp_path / "scores.json"
    out.write_text("[]\n", encoding="utf-8")
    result = run("score", bad, "--out", out, "--format", "json")
    assert_user_error(result, "row 9, column 'er_intensity'")
    assert out.read_text(encoding="utf-8") == "[]\n"


def test_score_in_english(tmp_path):
    out = {lang: tmp_path / f"{lang}.json" for lang in ("nl", "en")}
    for lang, path in out.items():
        assert run("score", COMMITTEE, "--on", ON, "--lang", lang, "--out", path).exit_code == 0
    titles = {
        lang: json.loads(path.read_text(encoding="utf-8"))[0]["advice_title"]
        for lang, path in out.items()
    }
    assert titles == {"nl": "Lichtere vorm overwegen", "en": "Consider lighter care"}


# --- houses ----------------------------------------------------------------------------------------


def test_suicide_risk_candidate_does_not_fit_a_house_with_one(tmp_path):
    house = tmp_path / "huis-a.yaml"
    house.write_text(
        "id: huis-a\ncapacity: 4\nstaff_on_duty: 1\nage_range: [12, 23]\nresidents:\n"
        "  - {id: B-101, age: 16, flags: [suicide_risk], main_problem: emotion_regulation}\n",
        encoding="utf-8",
    )
    out = tmp_path / "scores.json"
    assert run("score", COMMITTEE, "--on", ON, "--house", house, "--out", out).exit_code == 0
    c2 = {r["candidate_id"]: r for r in json.loads(out.read_text(encoding="utf-8"))}["C2"]
    assert (c2["suitability"], c2["advice"]) == ("fits", "fits_not_this_group")
    assert c2["composition"]["house"] == "huis-a" and c2["composition"]["group_fit"] == "conflicts"
    assert [(c["rule"], c["details"]["residents"]) for c in c2["composition"]["conflicts"]] == [
        ("one_suicide_risk", ["B-101"])
    ]


def test_with_both_example_houses_the_candidate_goes_to_the_other_house(tmp_path):
    out = tmp_path / "scores.json"
    assert run("score", COMMITTEE, "--on", ON, "--house", HOUSES, "--out", out).exit_code == 0
    c2 = {r["candidate_id"]: r for r in json.loads(out.read_text(encoding="utf-8"))}["C2"]
    assert (c2["advice"], c2["composition"]["house"]) == ("fits", "huis-b")


def test_bad_house_file_is_a_user_error(tmp_path):
    house = tmp_path / "huis.yaml"
    house.write_text(
        "id: huis-x\ncapacity: 1\nresidents:\n  - {id: B-1}\n  - {id: B-2}\n", encoding="utf-8"
    )
    out = tmp_path / "scores.json"
    result = run("score", COMMITTEE, "--house", house, "--out", out)
    assert_user_error(result, "houses[0] (huis-x): 2 residents exceed its capacity 1.")
    assert not out.exists()


# --- explain -----------------------------------------------------------------------------------------


def test_explain_one_candidate(scored, twente):
    records, _, _ = scored
    result = run("explain", COMMITTEE, "--on", ON, "--candidate", "C1")
    assert result.exit_code == 0
    assert "Kandidaat C1" in result.stdout and "C2" not in result.stdout
    assert f"Totaal: {records['C1']['total']:.1f}".replace(".", ",") in result.stdout
    assert twente.sha256 in result.stdout
    for item in twente.items:  # by its wording (its start: the table wraps), never its id
        assert item.text("nl")[:18] in result.stdout and item.id not in result.stdout, item.id


def test_explain_in_english():
    result = run("explain", COMMITTEE, "--on", ON, "--candidate", "C3", "--lang", "en")
    assert result.exit_code == 0
    assert "Candidate C3" in result.stdout and "Total: 70.0" in result.stdout
    assert "Kandidaat" not in result.stdout and "Totaal" not in result.stdout
    assert "Snijdt zich bij spanning" in result.stdout  # the critical reason, as the rater wrote it


def test_explain_unknown_candidate():
    result = run("explain", COMMITTEE, "--candidate", "NOPE")
    assert_user_error(
        result, "candidate 'NOPE' is not in the ratings; candidates are C1, C2, C3, C4, C5."
    )
    assert result.stdout == ""


# --- demo -------------------------------------------------------------------------------------------


def test_demo_writes_its_files_and_a_summary(tmp_path):
    out = tmp_path / "demo"
    result = run("demo", "--candidates", "12", "--out", out)
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "candidates.csv",
        "ratings.csv",
        "report-K00001.html",
        "scores.csv",
        "scores.json",
    ]
    assert "K00001" in (out / "report-K00001.html").read_text(encoding="utf-8")
    assert "12 synthetic candidates, 3 raters each" in result.stdout
    for name in ("scores.json", "scores.csv", "ratings.csv", "candidates.csv"):
        assert f"wrote {out / name}" in result.stdout
    scores = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    assert len(scores) == 12 and len({s["candidate_id"] for s in scores}) == 12
    assert len(pd.read_csv(out / "ratings.csv")) == 36
    assert len(pd.read_csv(out / "candidates.csv")) == 12
    counted = sum(
        int(line.split()[0])
        for line in result.stdout.splitlines()
        if line.strip() and line.split()[0].isdigit() and line.startswith("  ")
    )
    assert counted == 12


def test_demo_in_english(tmp_path):
    result = run("demo", "--candidates", "12", "--out", tmp_path / "demo", "--lang", "en")
    assert result.exit_code == 0
    assert "Candidate" in result.stdout and "Kandidaat" not in result.stdout
    scores = json.loads((tmp_path / "demo" / "scores.json").read_text(encoding="utf-8"))
    titles = {s["advice_title"] for s in scores}
    english = {
        weegtool.load_instrument().category(c).title("en") for c in {s["advice"] for s in scores}
    }
    assert titles == english


# --- the installed console script --------------------------------------------------------------------


def console_script() -> Path:
    script = Path(sys.executable).parent / "weegtool"
    assert script.exists(), f"{script} is not installed; run pip install -e . in the virtualenv"
    return script


def test_console_script_reports_a_bad_file_without_traceback(tmp_path):
    bad = tmp_path / "kapot.yaml"
    bad.write_text(BAD_CRITERIA, encoding="utf-8")
    done = subprocess.run(
        [str(console_script()), "validate", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {bad}: 3 problems:")
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_console_script_validates_a_good_file(twente):
    done = subprocess.run(
        [str(console_script()), "validate", str(TWENTE)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stderr == ""
    assert f"sha256 {twente.sha256}" in done.stdout


def test_an_output_that_cannot_be_written_names_the_output(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = CliRunner().invoke(
        cli, ["score", str(COMMITTEE), "--format", "json", "--out", str(blocker / "x.json")]
    )
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {blocker / 'x.json'}: could not write it (")
    assert ".part" not in result.output


def test_score_csv_in_the_international_form(scored, tmp_path):
    records, _, _ = scored
    out = tmp_path / "scores.csv"
    result = run(
        "score",
        COMMITTEE,
        "--on",
        ON,
        "--format",
        "csv",
        "--csv-style",
        "international",
        "--out",
        out,
    )
    assert result.exit_code == 0
    raw = out.read_text(encoding="utf-8")
    assert raw.startswith("candidate_id,") and ";" not in raw.splitlines()[0]
    table = pd.read_csv(out, index_col="candidate_id")
    for candidate, record in records.items():
        assert table.loc[candidate, "total"] == pytest.approx(record["total"], abs=0.01)


def test_score_csv_excel_nl_writes_decimal_commas(tmp_path):
    out = tmp_path / "scores.csv"
    assert run("score", COMMITTEE, "--on", ON, "--format", "csv", "--out", out).exit_code == 0
    header, first = out.read_text(encoding="utf-8-sig").splitlines()[:2]
    total = first.split(";")[header.split(";").index("total")]
    assert re.fullmatch(r"\d+,\d{4}", total), total


def test_a_decision_that_breaks_rules_is_said_in_words_and_exits_1(tmp_path):
    decisions = tmp_path / "decisions.yaml"
    decisions.write_text(
        "decisions:\n  - {candidate_id: C3, category: refer, follows_advice: true}\n",
        encoding="utf-8",
    )
    out = tmp_path / "c3.html"
    result = run(
        "report", COMMITTEE, "--on", ON, "--candidate", "C3", "--keep-ids", "--lang", "en",
        "--decisions", decisions, "--out", out,
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert out.exists()  # the report is written: it shows the problems too
    assert result.stderr.startswith(
        "The decision on C3 breaks 4 rules (the report names them too):"
    )
    assert "it is marked as following the advice, but the advice is 'Fits" in result.stderr
    assert "follows_advice" not in result.stderr and "Traceback" not in result.stderr


def test_report_for_the_family(tmp_path):
    out = tmp_path / "family.html"
    result = run(
        "report", COMMITTEE, "--on", ON, "--candidate", "C2", "--house", ROOT_HOUSES,
        "--audience", "family", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "Advies over wonen in een klein huis" in page and "Beoordelaars" not in page
