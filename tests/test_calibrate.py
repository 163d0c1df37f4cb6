"""Calibrated criteria files: new numbers, the same texts, provenance, validated, never overwritten."""

from __future__ import annotations

import datetime as _dt
import hashlib

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from weegtool.cli import cli
from weegtool.errors import CriteriaError
from weegtool.instrument import load_instrument
from weegtool.research.calibrate import data_sha256, write_calibrated

from .conftest import EXAMPLE

DAY = _dt.date(2027, 3, 1)
EXAMPLE_INSTRUMENT = load_instrument(EXAMPLE)


def calibrate(path, instrument=EXAMPLE_INSTRUMENT, **changes):
    arguments = {
        "version": "1.1.0",
        "method": "logistic regression on outcomes",
        "date": DAY,
    } | changes
    return write_calibrated(instrument, path, **arguments)


def test_round_trip_with_new_numbers_and_provenance(tmp_path):
    data = pd.DataFrame({"candidate_id": ["K1", "K2"], "outcome": [1, 0]})
    new = calibrate(
        tmp_path / "new.yaml",
        item_weights={"er_recovery": 1.75},
        domain_weights={"protective_factors": 0.5},
        band_uppers=[30, 55.5, 80, 100],
        data=data,
    )
    old = EXAMPLE_INSTRUMENT
    assert (new.id, new.version, new.status) == (old.id, "1.1.0", "calibrated")
    assert new.item("er_recovery").weight == 1.75 and new.item("er_outbursts").weight == 1.0
    assert new.domain("protective_factors").weight == 0.5
    assert [(b.lower, b.upper) for b in new.spec.advice.bands] == [
        (0, 30),
        (30, 55.5),
        (55.5, 80),
        (80, 100),
    ]
    provenance = new.spec.provenance
    assert (provenance.method, provenance.date, provenance.previous_sha256) == (
        "logistic regression on outcomes",
        DAY,
        old.sha256,
    )
    assert (provenance.previous_version, provenance.data_sha256, provenance.data_rows) == (
        "1.0.0",
        data_sha256(data),
        2,
    )
    assert provenance.model_extra == {}
    assert (
        provenance.note.en == f"Calibrated from version 1.0.0 (sha256 {old.sha256[:12]}); "
        f"method: logistic regression on outcomes."
    )
    assert new.sha256 != old.sha256


def test_weights_and_cut_offs_as_series(tmp_path):
    new = calibrate(
        tmp_path / "new.yaml",
        item_weights=pd.Series({"er_recovery": 2.5}),
        band_uppers=pd.Series({"middle": 50.0}),
    )
    assert new.item("er_recovery").weight == 2.5
    assert [(b.lower, b.upper) for b in new.spec.advice.bands][1:3] == [(25, 50), (50, 80)]


def test_everything_else_is_kept_in_order(tmp_path):
    new = calibrate(tmp_path / "new.yaml", item_weights={"pf_network": 3})
    expected = EXAMPLE_INSTRUMENT.spec.model_dump(mode="json", by_alias=True)
    got = new.spec.model_dump(mode="json", by_alias=True)
    expected["items"][2]["weight"] = 3.0
    for name in ("version", "status", "provenance"):
        expected[name] = got[name]
    assert got == expected  # same texts, anchors, rules, settings, and the same order of everything


def test_the_file_passes_weegtool_validate(tmp_path, twente):
    path = tmp_path / "twente-0.2.0.yaml"
    new = calibrate(path, instrument=twente, version="0.2.0", domain_weights={"coping": 1.5})
    result = CliRunner().invoke(cli, ["validate", str(path)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout.strip() == f"{path}: ok: {new.summary()}"
    assert "twente-specialistisch-wonen 0.2.0 (calibrated) sha256" in result.stdout


def test_the_file_is_readable(tmp_path):
    path = tmp_path / "new.yaml"
    calibrate(
        path, notes={"nl": "Eerste kalibratie, één cohort.", "en": "First calibration, one cohort."}
    )
    text = path.read_text(encoding="utf-8")
    assert text.startswith(
        "# Example instrument: example-minimal 1.1.0, calibrated on 2027-03-01.\n"
    )
    assert "age_range: [8, 27]\n" in text and "    weight: 1\n" in text and "Suïciderisico" in text
    assert "nl: Eerste kalibratie, één cohort.\n" in text
    assert (
        text.index("\nscales:")
        < text.index("\ndomains:")
        < text.index("\nitems:")
        < text.index("\nadvice:")
    )


def test_an_existing_file_is_not_replaced(tmp_path):
    path = tmp_path / "new.yaml"
    path.write_text("keep me", encoding="utf-8")
    with pytest.raises(FileExistsError) as caught:
        calibrate(path)
    assert str(caught.value) == (
        f"{path} exists with other content; write_calibrated does not replace a criteria file "
        f"unless overwrite=True (a version that was used must not change)."
    )
    assert path.read_text(encoding="utf-8") == "keep me"
    assert calibrate(path, overwrite=True).version == "1.1.0"


def test_the_same_calibration_again_reads_the_file_written_once(tmp_path):
    path = tmp_path / "new.yaml"
    first = calibrate(path)
    written = path.stat().st_mtime_ns
    again = calibrate(path)  # same numbers, same date: the same text
    assert again.sha256 == first.sha256 and path.stat().st_mtime_ns == written
    with pytest.raises(FileExistsError, match="exists with other content"):
        calibrate(path, method="another method, other numbers")
    assert load_instrument(path).sha256 == first.sha256


def test_an_invalid_result_writes_nothing(tmp_path):
    path = tmp_path / "new.yaml"
    with pytest.raises(CriteriaError) as caught:
        calibrate(path, item_weights={"er_outbursts": -1.0}, band_uppers={"middle": 20})
    assert caught.value.problems == (
        "items[0] (er_outbursts).weight must be >= 0; got -1.",
        "advice.bands[1] (middle) must have from < to; got from 25 to 20.",
    )
    assert str(caught.value).startswith(f"{path} (calibrated, not written): 2 problems:")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"version": "1.0.0"},
            "The 'version' parameter of write_calibrated must be a new version number as text, "
            "not the instrument's own '1.0.0'. Got '1.0.0' instead.",
        ),
        (
            {"method": " "},
            "The 'method' parameter of write_calibrated must be a description of how the numbers were "
            "estimated. Got ' ' instead.",
        ),
        (
            {"notes": "calibrated"},
            "The 'notes' parameter of write_calibrated must be a note in Dutch and English, "
            "{'nl': ..., 'en': ...}. Got 'calibrated' instead.",
        ),
        (
            {"item_weights": {"er_outburst": 2, "pf": 1}},
            "item_weights names unknown ids: er_outburst, pf; the ids are "
            "er_outbursts, er_recovery, pf_network.",
        ),
        (
            {"domain_weights": {"coping": 2}},
            "domain_weights names unknown ids: coping; the ids are "
            "emotion_regulation, protective_factors.",
        ),
        (
            {"item_weights": {"pf_network": float("inf")}},
            "item_weights['pf_network'] must be a finite number; got inf.",
        ),
        (
            {"band_uppers": [50, 100]},
            "band_uppers must give the upper bound of each of the 4 bands, the last being "
            "100; got 2.",
        ),
        (
            {"band_uppers": {"top": 90}},
            "band_uppers names unknown bands: top; the bands are light, middle, high, very_high.",
        ),
        (
            {"band_uppers": [25, None, 80, 100]},
            "band_uppers[1] (middle) must be a finite number; got None.",
        ),
    ],
)
def test_bad_parameters(tmp_path, changes, message):
    with pytest.raises(ValueError) as caught:
        calibrate(tmp_path / "new.yaml", **changes)
    assert str(caught.value) == message
    assert not (tmp_path / "new.yaml").exists()


def test_data_hashes(tmp_path):
    frame = pd.DataFrame({"a": [1.5, 2.0], "b": ["x", "é"]})
    assert data_sha256(frame) == data_sha256(frame.copy())
    assert data_sha256(frame) != data_sha256(frame.assign(a=[1.5, 2.5]))
    assert (
        data_sha256(frame)
        == hashlib.sha256(frame.to_csv(lineterminator="\n").encode("utf-8")).hexdigest()
    )
    path = tmp_path / "outcomes.csv"
    path.write_bytes(b"candidate_id,outcome\nK1,1\n")
    new = calibrate(tmp_path / "new.yaml", data=path)
    assert new.spec.provenance.data_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert new.spec.provenance.data_file == "outcomes.csv"


@settings(max_examples=10, deadline=None)
@given(
    weights=st.lists(st.floats(0.001, 1000), min_size=3, max_size=3),
    cuts=st.lists(st.floats(0.5, 99.5), min_size=3, max_size=3, unique=True).map(sorted),
)
def test_any_weights_and_cut_offs_round_trip_exactly(tmp_path_factory, weights, cuts):
    uppers = cuts + [100.0]
    path = tmp_path_factory.mktemp("calibrated") / "new.yaml"
    new = calibrate(
        path, item_weights=dict(zip(EXAMPLE_INSTRUMENT.item_ids, weights)), band_uppers=uppers
    )
    assert [item.weight for item in new.items] == weights
    assert [band.upper for band in new.spec.advice.bands] == uppers
