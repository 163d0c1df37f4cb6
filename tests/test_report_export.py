"""Cohort exports: pseudonymised everywhere, all or nothing, and the CLI around them."""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

import weegtool
from weegtool.cli import cli
from weegtool.decision import Decision, Signatory
from weegtool.errors import WeegtoolError
from weegtool.pseudonym import KEY_VARIABLE, pseudonym
from weegtool.report import export as export_module
from weegtool.report.export import export_cohort

from .conftest import ROOT

COMMITTEE = ROOT / "tests" / "data" / "committee.csv"
HOUSES = ROOT / "examples" / "houses.yaml"
KEY = b"a-test-key-that-is-long-enough"
ON = _dt.date(2026, 11, 23)
# Candidate ids as a real referral list could have them: recognisable, so any leak is found.
REAL_IDS = {
    "C1": "JZ-2026-0001-deVries",
    "C2": "JZ-2026-0002-Yilmaz",
    "C3": "JZ-2026-0003-Bakker",
    "C4": "JZ-2026-0004-Jansen",
    "C5": "JZ-2026-0005-ElAmrani",
}


@pytest.fixture(scope="module")
def named(tmp_path_factory) -> Path:
    table = pd.read_csv(COMMITTEE, dtype=str, keep_default_na=False)
    table["candidate_id"] = table["candidate_id"].map(REAL_IDS)
    path = tmp_path_factory.mktemp("ratings") / "ratings.csv"
    table.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def scored(named):
    instrument = weegtool.load_instrument()
    scores = weegtool.score(instrument, named)
    return scores, weegtool.advise(scores, houses=weegtool.load_houses(HOUSES, instrument), on=ON)


def _all_text(folder: Path) -> str:
    """Everything a reader of the export could see: names, text, PDF text, the XLSX's XML."""
    parts = []
    for path in sorted(folder.rglob("*")):
        parts.append(str(path.relative_to(folder)))
        if path.suffix in {".html", ".csv"}:
            parts.append(path.read_text(encoding="utf-8"))
        elif path.suffix == ".pdf":
            reader = PdfReader(path)
            parts.extend(page.extract_text() for page in reader.pages)
            parts.append(str(reader.metadata))
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                parts.extend(
                    archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                )
    return re.sub(r"[\s\x00]+", "", "\n".join(parts))


def test_export_writes_every_part_pseudonymised(scored, tmp_path):
    scores, advices = scored
    out = tmp_path / "export"
    # Incomplete decisions (one signatory, a deviation without reasons): their problems are printed too.
    other = next(
        c.id for c in scores.instrument.spec.advice.categories if c.id != advices[1].category
    )
    decisions = {
        REAL_IDS["C1"]: Decision(
            REAL_IDS["C1"], advices[0].category, True, signatories=(Signatory("A", "chair"),)
        ),
        REAL_IDS["C2"]: Decision(REAL_IDS["C2"], other, False),
    }
    result = export_cohort(
        scores, advices, out, ("html", "pdf"), "nl", KEY, decisions=decisions, workers=2
    )
    names = sorted(p.name for p in out.rglob("*") if p.is_file())
    expected = {pseudonym(real, KEY) for real in REAL_IDS.values()}
    assert {n.rsplit(".", 1)[0] for n in names if n.startswith("P-")} == expected
    assert {"index.html", "scores.csv", "scores.xlsx"} <= set(names)
    assert (
        len([n for n in names if n.endswith(".pdf")])
        == len([n for n in names if n.endswith(".html")]) - 1
        == 5
    )
    assert result.reports == 5 and all(f.exists() for f in result.files)
    everything = _all_text(out)
    for real in REAL_IDS.values():
        assert real not in everything
        assert real.split("-")[-1] not in everything
    for shown in expected:
        assert shown in everything


def test_scores_tables_carry_no_free_text(scored, tmp_path):
    scores, advices = scored
    export_cohort(scores, advices, tmp_path / "x", ("html",), "nl", KEY)
    csv = pd.read_csv(tmp_path / "x" / "scores.csv", sep=";", decimal=",", encoding="utf-8-sig")
    xlsx = pd.read_excel(tmp_path / "x" / "scores.xlsx")
    assert list(csv.columns) == list(xlsx.columns)
    assert len(csv) == 5 and csv["candidate_id"].str.fullmatch(r"P-[0-9A-F]{12}").all()
    notes = {
        n
        for n in pd.read_csv(COMMITTEE, dtype=str, keep_default_na=False).filter(like=".").stack()
        if n
    }
    flat = (tmp_path / "x" / "scores.csv").read_text(encoding="utf-8") + xlsx.to_csv()
    assert notes and not [n for n in notes if n[:20] in flat]


def test_same_key_same_pseudonyms_other_key_others(scored, tmp_path):
    scores, advices = scored
    a = export_cohort(scores, advices, tmp_path / "a", ("html",), "nl", KEY)
    b = export_cohort(scores, advices, tmp_path / "b", ("html",), "nl", KEY)
    c = export_cohort(scores, advices, tmp_path / "c", ("html",), "nl", KEY[::-1])
    ids = [
        pd.read_csv(r.folder / "scores.csv", sep=";", encoding="utf-8-sig")["candidate_id"].tolist()
        for r in (a, b, c)
    ]
    assert ids[0] == ids[1] and not set(ids[0]) & set(ids[2])


def test_export_refuses_without_a_key_and_writes_nothing(scored, tmp_path):
    scores, advices = scored
    with pytest.raises(WeegtoolError, match=KEY_VARIABLE):
        export_cohort(scores, advices, tmp_path / "out", ("html",), "nl", None)
    assert list(tmp_path.iterdir()) == []


def test_keep_ids_is_explicit(scored, tmp_path):
    scores, advices = scored
    export_cohort(scores, advices, tmp_path / "out", ("html",), "nl", None, keep_ids=True)
    assert REAL_IDS["C1"] in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_a_failure_half_way_leaves_nothing_behind(scored, tmp_path, monkeypatch):
    scores, advices = scored
    calls = []

    def fail_on_third(html: str) -> bytes:
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full")
        return b"%PDF-1.7 stub"

    monkeypatch.setattr(export_module, "render_pdf", fail_on_third)
    with pytest.raises(OSError, match="disk full"):
        export_cohort(scores, advices, tmp_path / "out", ("html", "pdf"), "nl", KEY, workers=1)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_with_files_is_never_touched(scored, tmp_path):
    scores, advices = scored
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.csv").write_text("kept")
    with pytest.raises(WeegtoolError, match="not an empty folder"):
        export_cohort(scores, advices, out, ("html",), "nl", KEY)
    assert [p.name for p in out.iterdir()] == ["earlier.csv"]
    assert (out / "earlier.csv").read_text() == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_an_empty_folder_is_filled(scored, tmp_path):
    scores, advices = scored
    (tmp_path / "out").mkdir()
    export_cohort(scores, advices, tmp_path / "out", ("html",), "en", KEY)
    assert (tmp_path / "out" / "index.html").exists()


def test_unknown_format_is_named(scored, tmp_path):
    scores, advices = scored
    with pytest.raises(
        WeegtoolError, match=r"The 'formats' parameter must be .* Got \('docx',\) instead."
    ):
        export_cohort(scores, advices, tmp_path / "out", ("docx",), "nl", KEY)


def test_progress_is_reported_for_every_pdf(scored, tmp_path):
    scores, advices = scored
    seen: list[tuple[int, int]] = []
    export_cohort(
        scores,
        advices[:2],
        tmp_path / "out",
        ("pdf",),
        "nl",
        KEY,
        workers=1,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(1, 2), (2, 2)]


def test_parallel_pdfs_match_serial_ones():
    pages = [f"<html><body><p>pagina {n}</p></body></html>" for n in range(3)]
    serial = export_module.render_pdfs(pages, workers=1)
    parallel = export_module.render_pdfs(pages, workers=2)
    texts = [
        [PdfReader(io.BytesIO(pdf)).pages[0].extract_text() for pdf in run]
        for run in (serial, parallel)
    ]
    assert texts[0] == texts[1] == [f"pagina {n}" for n in range(3)]


# --- CLI ------------------------------------------------------------------------------------------


def _run(*args: str, key: str | None = KEY.decode()) -> object:
    env = {KEY_VARIABLE: key} if key else {KEY_VARIABLE: ""}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_cli_report_pdf(named, tmp_path):
    out = tmp_path / "r.pdf"
    result = _run(
        "report",
        str(named),
        "--candidate",
        REAL_IDS["C2"],
        "--format",
        "pdf",
        "--lang",
        "en",
        "--on",
        "2026-11-23",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Admission advice" in text and REAL_IDS["C2"] not in text
    assert pseudonym(REAL_IDS["C2"], KEY) in result.output and REAL_IDS["C2"] not in result.output


def test_cli_report_unknown_candidate(named, tmp_path):
    result = _run("report", str(named), "--candidate", "nobody", "--out", str(tmp_path / "r.html"))
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and "nobody" in result.output
    assert not (tmp_path / "r.html").exists()


def test_cli_export_without_key_says_how(named, tmp_path):
    result = _run("export", str(named), "--out", str(tmp_path / "out"), key=None)
    assert result.exit_code == 2
    assert (
        f"error: exports pseudonymise candidate ids with a key: set {KEY_VARIABLE}" in result.output
    )
    assert not (tmp_path / "out").exists()


def test_cli_export_with_short_key_refused(named, tmp_path):
    result = _run("export", str(named), "--out", str(tmp_path / "out"), key="short")
    assert result.exit_code == 2 and "at least 16 characters" in result.output


def test_cli_export(named, tmp_path):
    result = _run("export", str(named), "--house", str(HOUSES), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "5 reports" in result.output
    assert not any(real in result.output for real in REAL_IDS.values())
    assert (tmp_path / "out" / "scores.xlsx").exists()
