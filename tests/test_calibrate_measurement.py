"""write_calibrated(reliability_data=...): each domain's and the total's SD and ICC(2,1) in the new file."""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pytest

import weegtool
from weegtool.change import compare, smallest_detectable_change, standard_error_of_measurement
from weegtool.errors import ReliabilityError, ReliabilityWarning
from weegtool.research import reliability_report, synthetic_cohort, write_calibrated

DAY = _dt.date(2027, 3, 1)


@pytest.fixture(scope="module")
def cohort(twente):
    return synthetic_cohort(twente, n_candidates=40, n_raters=3, seed=11)


def calibrate(twente, path, cohort, ratings=None, **changes):
    return write_calibrated(
        twente,
        path,
        version="0.2.0",
        method="reliability from a synthetic cohort",
        date=DAY,
        reliability_data=cohort.ratings if ratings is None else ratings,
        reliability_candidates=cohort.candidates,
        **changes,
    )


def test_measurement_is_the_reliability_report_and_the_spread_of_the_scores(
    twente, tmp_path, cohort
):
    new = calibrate(twente, tmp_path / "new.yaml", cohort, domain_weights={"coping": 2})
    # computed with the new weights: the report and the scores of the file just written
    report = reliability_report(new, cohort.ratings, cohort.candidates)
    report = report[report["measure"] == "ICC(2,1)"].set_index("what")  # the D-study rows aside
    scores = weegtool.score(new, cohort.ratings, candidates=cohort.candidates)
    total = new.measurement()
    assert total.reliability == pytest.approx(report.loc["total", "value"], abs=1e-4)
    assert total.sd == pytest.approx(np.nanstd(scores.total, ddof=1), abs=1e-4)
    assert (total.source.coefficient, total.source.raters, total.source.date) == (
        "ICC(2,1)",
        3,
        DAY,
    )
    assert total.source.candidates == report.loc["total", "n"]
    assert total.source.data.startswith("data frame (sha256 ")
    for j, domain in enumerate(new.domain_ids):
        measured = new.measurement(domain)
        assert measured.reliability == pytest.approx(
            report.loc[f"domain.{domain}", "value"], abs=1e-4
        )
        assert measured.sd == pytest.approx(np.nanstd(scores.domain_scores[:, j], ddof=1), abs=1e-4)
    text = (tmp_path / "new.yaml").read_text("utf-8")
    assert "&id" not in text and "measurement:" in text and "total_measurement:" in text
    assert weegtool.load_instrument(tmp_path / "new.yaml").sha256 == new.sha256


def test_a_score_without_variation_gets_no_measurement_and_a_warning(twente, tmp_path, cohort):
    flat = cohort.ratings.copy()
    for item in (i.id for i in twente.items if i.domain == "protective_factors"):
        flat[item] = 2
    with pytest.warns(
        ReliabilityWarning,
        match="protective_factors: ICC.2,1. is undefined on these data; no measurement written",
    ):
        new = calibrate(twente, tmp_path / "new.yaml", cohort, ratings=flat)
    assert new.measurement("protective_factors") is None
    assert new.measurement("coping") is not None


def test_one_rater_is_refused_and_nothing_written(twente, tmp_path, cohort):
    one = cohort.ratings[cohort.ratings["rater_id"] == cohort.ratings["rater_id"].iloc[0]]
    with pytest.raises(ReliabilityError, match="at least 2"):
        calibrate(twente, tmp_path / "new.yaml", cohort, ratings=one)
    assert not (tmp_path / "new.yaml").exists()


def test_reviews_are_judged_against_the_calibrated_measurement(twente, tmp_path, cohort):
    new = calibrate(twente, tmp_path / "new.yaml", cohort)
    ratings = cohort.ratings
    before = weegtool.advise(
        weegtool.score(new, ratings, candidates=cohort.candidates.assign(date="2026-05-01"))
    )
    later = ratings.copy()
    items = [i.id for i in new.items if i.domain == "emotion_regulation"]
    later[items] = 0  # every emotion-regulation item at its lowest: a large fall
    now = weegtool.advise(
        weegtool.score(new, later, candidates=cohort.candidates.assign(date="2026-11-01"))
    )
    comparison = compare(now, before, new)
    measured = new.measurement("emotion_regulation")
    sdc = smallest_detectable_change(
        standard_error_of_measurement(measured.sd, measured.reliability)
    )
    for change in comparison.changes.values():
        er = change.domains["emotion_regulation"]
        assert er.sdc == pytest.approx(sdc)
        if er.delta is not None and er.delta < -sdc:
            assert er.reliable == "improved"
        elif er.delta is not None:
            assert er.reliable == "no_reliable_change"
    assert any(
        c.domains["emotion_regulation"].reliable == "improved" for c in comparison.changes.values()
    )
