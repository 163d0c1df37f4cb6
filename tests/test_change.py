"""Change between two assessments: measurement error, reliable change index, verdicts, comparison.

Formulas: Jacobson, N. S. & Truax, P. (1991). Clinical significance: a statistical approach to
defining meaningful change in psychotherapy research. J Consult Clin Psychol 59(1), 12-19
(SEM = SD * sqrt(1 - r); RC = (x2 - x1) / S_diff with S_diff = sqrt(2 * SEM^2); |RC| > 1.96).
"""

from __future__ import annotations

import datetime as _dt
import math

import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import weegtool
from weegtool.change import (
    change_verdict,
    compare,
    reliable_change_index,
    smallest_detectable_change,
    standard_error_of_measurement,
)
from weegtool.change_text import describe_comparison
from weegtool.errors import ChangeError, CriteriaError
from weegtool.instrument import parse_instrument

from .conftest import example_data


def _measurement(sd, reliability, coefficient="ICC(2,1)"):
    return {
        "sd": sd,
        "reliability": reliability,
        "source": {
            "data": "calibration.csv",
            "coefficient": coefficient,
            "candidates": 40,
            "raters": 3,
        },
    }


def _measured_data():
    data = example_data()
    data["domains"][0]["measurement"] = _measurement(20, 0.84)
    data["domains"][1]["measurement"] = _measurement(25, 0.36)
    data["total_measurement"] = _measurement(16, 0.75)
    return data


@pytest.fixture(scope="module")
def measured_instrument():
    return parse_instrument(yaml.safe_dump(_measured_data(), sort_keys=False), source="test.yaml")


@pytest.fixture
def measured(make_instrument):
    """The example instrument with a stated SD and reliability for both domains and the total.

    emotion_regulation: SD 20, r .84 -> SEM 20 * 0.4 = 8; protective_factors: SD 25, r .36 ->
    SEM 25 * 0.8 = 20; total: SD 16, r .75 -> SEM 16 * 0.5 = 8.
    """
    return make_instrument(_measured_data())


def _advices(instrument, rows, day):
    frame = pd.DataFrame(
        [
            {"candidate_id": c, "rater_id": "R1", "age": 15, "consent": "ja", "date": day}
            | dict(zip(("er_outbursts", "er_recovery", "pf_network"), ratings))
            for c, ratings in rows.items()
        ]
    )
    return weegtool.advise(weegtool.score(instrument, frame))


# --- the formulas, against published examples ------------------------------------------------


def test_textbook_example_piers_harris():
    """Wodrich (open textbook, Appendix E "How to calculate reliable change indexes"): the
    Piers-Harris-2 total has SEM 3.07 (Piers & Herzberg 2002); S_diff = sqrt(2 * 3.07^2) = 4.34,
    the 95% criterion 1.96 * 4.34 = 8.51, and a change from 24 to 35 (11 points) is reliable.
    Higher Piers-Harris scores mean a better self-concept, so the rise is an improvement."""
    sem = 3.07
    assert math.sqrt(2) * sem == pytest.approx(4.3416, abs=1e-4)
    assert smallest_detectable_change(sem) == pytest.approx(8.51, abs=0.005)
    rci = reliable_change_index(24, 35, sem)
    assert rci == pytest.approx(11 / 4.3416, abs=1e-4)  # 2.5336
    assert change_verdict(rci, higher_is_worse=False) == "improved"
    assert change_verdict(rci, higher_is_worse=True) == "worsened"


def test_sem_by_hand():
    # SD 20, r .84: 20 * sqrt(.16) = 8; SD 25, r .36: 25 * .8 = 20; r = 0: the SD itself.
    assert standard_error_of_measurement(20, 0.84) == pytest.approx(8.0)
    assert standard_error_of_measurement(25, 0.36) == pytest.approx(20.0)
    assert standard_error_of_measurement(12.5, 0) == 12.5
    # SDC95 of SEM 8: 1.96 * 1.41421 * 8 = 22.175
    assert smallest_detectable_change(8.0) == pytest.approx(22.1749, abs=1e-4)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: standard_error_of_measurement(0, 0.8),
            "'sd' parameter of standard_error_of_measurement must be > 0. Got 0.0",
        ),
        (lambda: standard_error_of_measurement(-3, 0.8), "must be > 0. Got -3.0"),
        (
            lambda: standard_error_of_measurement(10, 1),
            "'reliability' parameter of standard_error_of_measurement must be in [0, 1). Got 1.0",
        ),
        (lambda: standard_error_of_measurement(10, -0.2), "must be in [0, 1). Got -0.2"),
        (
            lambda: standard_error_of_measurement(float("nan"), 0.5),
            "'sd' parameter of standard_error_of_measurement must be a finite number. Got nan",
        ),
        (lambda: standard_error_of_measurement("10", 0.5), "must be a finite number. Got '10'"),
        (
            lambda: smallest_detectable_change(0),
            "'sem' parameter of smallest_detectable_change must be > 0. Got 0.0",
        ),
        (
            lambda: reliable_change_index(1, 2, -1),
            "'sem' parameter of reliable_change_index must be > 0",
        ),
        (
            lambda: reliable_change_index(None, 2, 1),
            "'previous' parameter of reliable_change_index must be a finite number. Got None",
        ),
        (lambda: reliable_change_index(1, float("inf"), 1), "'current' parameter"),
    ],
)
def test_refusals(call, message):
    with pytest.raises(ChangeError) as caught:
        call()
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


@given(
    x1=st.floats(0, 100),
    x2=st.floats(0, 100),
    sem=st.floats(0.01, 50),
)
def test_rci_is_reliable_exactly_beyond_the_smallest_detectable_change(x1, x2, sem):
    rci = reliable_change_index(x1, x2, sem)
    assert reliable_change_index(x2, x1, sem) == pytest.approx(-rci)
    beyond = abs(x2 - x1) > smallest_detectable_change(sem) * (1 + 1e-9)
    within = abs(x2 - x1) < smallest_detectable_change(sem) * (1 - 1e-9)
    verdict = change_verdict(rci)
    if beyond:
        assert verdict == ("worsened" if x2 > x1 else "improved")
    if within:
        assert verdict == "no_reliable_change"


def test_verdict_direction_and_unknown():
    assert change_verdict(-2.0) == "improved"  # total and risk domains: lower is better
    assert change_verdict(2.0) == "worsened"
    assert change_verdict(-2.0, higher_is_worse=False) == "worsened"  # protective domains
    assert change_verdict(1.96) == "no_reliable_change"  # the criterion is |RCI| > 1.96
    assert change_verdict(None) == "unknown"
    assert change_verdict(float("nan")) == "unknown"


# --- the worked example: two assessments of candidates, by hand --------------------------------


def test_worked_example_two_assessments(measured):
    """By hand (example instrument; items er_outbursts, er_recovery, pf_network on 0-2):

    K1 before (2, 1, 0): D_er = 100 * (1 + .5) / 2 = 75, D_pf = 0, total (2*75 + 100)/3 = 83.33.
    K1 now    (2, 0, 1): D_er = 100 * (1 + 0) / 2 = 50, D_pf = 50, total (2*50 + 50)/3 = 50.
      er:    -25.00 / (1.41421 * 8)  = -2.2097 -> improved (|RCI| > 1.96; SDC 22.17)
      pf:    +50.00 / (1.41421 * 20) = +1.7678 -> no reliable change (SDC 55.44), though a rise
      total: -33.33 / (1.41421 * 8)  = -2.9460 -> improved; the advice went from refer to fits.
    (The advice reports scores to 2 decimals, and the change is computed from what it reports.)
    K2 before (0, 0, 2): D_er 0, D_pf 100, total 0.  now (1, 1, 2): D_er 50, D_pf 100, total 33.33.
      er: +50 / 11.3137 = +4.4194 -> worsened; pf: 0 -> no reliable change; total +2.9460 -> worsened.
    """
    before = _advices(measured, {"K1": (2, 1, 0), "K2": (0, 0, 2)}, "2026-05-01")
    now = _advices(measured, {"K1": (2, 0, 1), "K2": (1, 1, 2)}, "2026-11-01")
    comparison = compare(now, before, measured)
    k1 = comparison.get("K1")
    er, pf, total = k1.domains["emotion_regulation"], k1.domains["protective_factors"], k1.total
    assert (er.previous, er.current, er.delta) == pytest.approx((75, 50, -25))
    assert er.sem == pytest.approx(8) and er.sdc == pytest.approx(22.1749, abs=1e-4)
    assert er.rci == pytest.approx(-2.2097, abs=1e-4) and er.reliable == "improved"
    assert pf.delta == pytest.approx(50) and pf.sdc == pytest.approx(55.4372, abs=1e-4)
    assert pf.rci == pytest.approx(1.7678, abs=1e-4) and pf.reliable == "no_reliable_change"
    assert total.delta == pytest.approx(-33.33)
    assert total.rci == pytest.approx(-2.9460, abs=1e-4) and total.reliable == "improved"
    assert (k1.previous.advice, k1.category_changed) == ("refer", True)
    assert k1.previous.assessed_on == _dt.date(2026, 5, 1)
    # contributions (reported to 4 decimals): er_recovery 16.6667 -> 0; pf_network 33.3333 -> 16.6667
    assert [(m.item, m.previous_rating, m.rating) for m in k1.items] == [
        ("er_recovery", 1, 0),
        ("pf_network", 0, 1),
    ]
    assert [m.delta for m in k1.items] == pytest.approx([-16.6667, -16.6666], abs=1e-4)
    k2 = comparison.get("K2")
    assert k2.domains["emotion_regulation"].rci == pytest.approx(4.4194, abs=1e-4)
    assert k2.domains["emotion_regulation"].reliable == "worsened"
    assert k2.domains["protective_factors"].reliable == "no_reliable_change"
    assert (k2.total.rci, k2.total.reliable) == (pytest.approx(2.9460, abs=1e-4), "worsened")


def test_without_reliability_change_is_shown_without_a_verdict(make_instrument):
    instrument = make_instrument()
    before = _advices(instrument, {"K1": (2, 1, 0)}, "2026-05-01")
    now = _advices(instrument, {"K1": (2, 0, 1)}, "2026-11-01")
    change = compare(now, before, instrument).get("K1")
    assert (change.total.delta, change.total.rci) == (pytest.approx(-33.33), None)
    assert (change.total.reliable, change.total.why) == ("unknown", "no_reliability")
    assert change.to_dict()["domains"]["emotion_regulation"]["reliable"] == "unknown"


def test_missing_candidates_are_named_not_dropped(measured):
    before = _advices(measured, {"K1": (2, 1, 0), "K9": (1, 1, 1)}, "2026-05-01")
    now = _advices(measured, {"K1": (2, 0, 1), "K2": (0, 0, 0)}, "2026-11-01")
    comparison = compare(now, before, measured)
    assert (comparison.without_previous, comparison.not_reassessed) == (("K2",), ("K9",))
    assert comparison.get("K2") is None and set(comparison.changes) == {"K1"}


def test_not_assessable_score_has_no_delta(measured):
    before = _advices(measured, {"K1": (2, 1, 0)}, "2026-05-01")
    now = _advices(measured, {"K1": (None, None, 1)}, "2026-11-01")
    change = compare(now, before, measured).get("K1")
    assert change.domains["emotion_regulation"].current is None
    assert (change.total.delta, change.total.reliable, change.total.why) == (
        None,
        "unknown",
        "not_assessable",
    )


def test_previous_dated_after_current_is_refused(measured):
    before = _advices(measured, {"K1": (2, 1, 0)}, "2026-12-01")
    now = _advices(measured, {"K1": (2, 0, 1)}, "2026-11-01")
    with pytest.raises(ChangeError) as caught:
        compare(now, before, measured)
    assert (
        "K1: the previous assessment (2026-12-01) is dated after the current one (2026-11-01)"
        in str(caught.value)
    )


def test_advice_of_another_instrument_is_refused(measured, make_instrument):
    other = make_instrument()
    before = _advices(other, {"K1": (2, 1, 0)}, "2026-05-01")
    now = _advices(measured, {"K1": (2, 0, 1)}, "2026-11-01")
    with pytest.raises(ChangeError, match="give the instrument each assessment was scored with"):
        compare(now, before, measured)


def test_other_version_is_compared_through_shared_domains_only(measured, make_instrument):
    data = example_data()
    data["version"] = "0.9.0"
    data["domains"][1]["id"] = "old_protection"
    data["items"][2]["domain"] = "old_protection"
    old = make_instrument(data)
    before = _advices(old, {"K1": (2, 1, 0)}, "2026-05-01")
    now = _advices(measured, {"K1": (2, 0, 1)}, "2026-11-01")
    change = compare(now, before, measured, old).get("K1")
    assert not change.same_version
    assert list(change.domains) == ["emotion_regulation"]
    assert change.domains["emotion_regulation"].reliable == "improved"
    assert change.not_compared == ("protective_factors", "old_protection")
    assert (change.total.delta, change.total.why) == (None, "other_version")
    assert change.items == ()


# --- the criteria file ------------------------------------------------------------------------


def test_measurement_read_from_the_criteria_file(measured):
    er = measured.measurement("emotion_regulation")
    assert (er.sd, er.reliability, er.source.coefficient, er.source.candidates) == (
        20,
        0.84,
        "ICC(2,1)",
        40,
    )
    assert measured.measurement().sd == 16


def test_instruments_without_measurement_keep_their_sha256(make_instrument, measured):
    # the field came later: a file without it hashes as before (the canonical content omits it)
    plain = make_instrument()
    assert '"measurement"' not in plain.canonical and "total_measurement" not in plain.canonical
    assert plain.sha256 != measured.sha256


@pytest.mark.parametrize(
    "where, value, message",
    [
        (
            "domain",
            _measurement(-1, 0.8),
            "domains[0] (emotion_regulation).measurement.sd must be > 0; got -1.",
        ),
        (
            "domain",
            _measurement(10, 1.0),
            "domains[0] (emotion_regulation).measurement.reliability must be < 1; got 1.0.",
        ),
        ("domain", _measurement(10, -0.1), "measurement.reliability must be >= 0; got -0.1."),
        (
            "domain",
            {"sd": 10, "reliability": 0.8},
            "domains[0] (emotion_regulation).measurement.source is required.",
        ),
        (
            "domain",
            {"sd": 10, "reliabilty": 0.8, "source": _measurement(1, 0)["source"]},
            "did you mean 'reliability'?",
        ),
        (
            "total",
            _measurement(10, 0.8)
            | {"source": {"data": "x", "coefficient": "ICC(2,1)", "candidates": 1, "raters": 2}},
            "total_measurement.source.candidates must be >= 2; got 1.",
        ),
        (
            "total",
            {"sd": "veel", "reliability": 0.8, "source": _measurement(1, 0)["source"]},
            "total_measurement.sd must be a number; got 'veel'.",
        ),
    ],
)
def test_bad_measurement_refused_with_its_line(make_instrument, where, value, message):
    data = example_data()
    if where == "domain":
        data["domains"][0]["measurement"] = value
    else:
        data["total_measurement"] = value
    with pytest.raises(CriteriaError) as caught:
        make_instrument(data)
    problem = next(p for p in caught.value.problems if message in p)
    assert problem.startswith("line ")


_LEVELS = st.one_of(st.none(), st.integers(0, 2))


@given(before=st.tuples(_LEVELS, _LEVELS, _LEVELS), now=st.tuples(_LEVELS, _LEVELS, _LEVELS))
def test_every_verdict_follows_delta_direction_and_the_smallest_detectable_change(
    measured_instrument, before, now
):
    old = _advices(measured_instrument, {"K1": before}, "2026-05-01")
    new = _advices(measured_instrument, {"K1": now}, "2026-11-01")
    change = compare(new, old, measured_instrument).get("K1")
    scores = [(None, change.total, True)] + [
        (d, c, measured_instrument.domain(d).kind == "risk") for d, c in change.domains.items()
    ]
    for domain_id, score, higher_is_worse in scores:
        previous = old[0].total if domain_id is None else old[0].domains[domain_id]
        current = new[0].total if domain_id is None else new[0].domains[domain_id]
        assert (score.previous, score.current) == (previous, current)
        if previous is None or current is None:
            assert (score.delta, score.reliable, score.why) == (None, "unknown", "not_assessable")
            continue
        assert score.delta == pytest.approx(current - previous)
        better = -score.delta if higher_is_worse else score.delta
        if better > score.sdc + 1e-9:
            assert score.reliable == "improved"
        elif -better > score.sdc + 1e-9:
            assert score.reliable == "worsened"
        elif abs(score.delta) < score.sdc - 1e-9:
            assert score.reliable == "no_reliable_change"


def test_previous_without_a_date_is_compared_and_said_to_be_undated(measured):
    before = _advices(measured, {"K1": (2, 1, 0)}, None)
    now = _advices(measured, {"K1": (2, 0, 1)}, "2026-11-01")
    change = compare(now, before, measured).get("K1")
    assert change.previous.assessed_on is None
    assert change.to_dict()["previous"]["assessed_on"] is None
    assert describe_comparison(change, measured, "nl")[0].startswith(
        "Vergeleken met de beoordeling van een niet vastgelegde datum (example-minimal 1.0.0)."
    )
