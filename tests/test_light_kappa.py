"""Light's kappa (the mean pairwise Cohen's kappa of many raters) and its bootstrap interval over units."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from weegtool.research.reliability import (
    ReliabilityError,
    cohen_kappa,
    light_kappa,
    reliability_report,
)
from weegtool.research.reliability._common import UndefinedWarning

from .test_reliability import FLEISS_1971

DIAGNOSES = np.array(FLEISS_1971).T  # raters in rows, the 30 patients in columns


def _mean_pairs(matrix, weights=None, labels=None):
    kappas = []
    for i, j in itertools.combinations(range(len(matrix)), 2):
        both = ~(np.isnan(matrix[i]) | np.isnan(matrix[j]))
        kappas.append(
            cohen_kappa_score(matrix[i][both], matrix[j][both], weights=weights, labels=labels)
        )
    return float(np.mean(kappas))


def test_light_kappa_of_the_diagnoses_data():
    # R irr::kappam.light(diagnoses) (Gamer et al., the irr package's example): Kappa = 0.459 for
    # 30 patients and 6 raters; the mean of the 15 pairwise Cohen's kappas (Light 1971).
    estimate = light_kappa(DIAGNOSES)
    assert round(estimate.value, 3) == 0.459
    assert estimate.value == pytest.approx(_mean_pairs(DIAGNOSES.astype(float)), abs=1e-12)
    assert estimate.n == 30
    assert estimate.ci_low < estimate.value < estimate.ci_high and estimate.se > 0


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_with_two_raters_it_is_cohens_kappa(weights):
    value = light_kappa(DIAGNOSES[:2], weights, labels=[1, 2, 3, 4, 5]).value
    assert value == pytest.approx(
        cohen_kappa(DIAGNOSES[0], DIAGNOSES[1], weights, [1, 2, 3, 4, 5]).value
    )


def test_each_pair_uses_the_units_both_rated():
    rng = np.random.default_rng(3)
    matrix = rng.integers(0, 4, size=(4, 40)).astype(float)
    matrix[rng.random(matrix.shape) < 0.15] = np.nan
    value = light_kappa(matrix, "quadratic", labels=[0, 1, 2, 3], n_bootstrap=0).value
    assert value == pytest.approx(_mean_pairs(matrix, "quadratic", [0, 1, 2, 3]), abs=1e-12)


def test_the_interval_is_the_percentile_interval_of_resampled_units():
    """The vectorised kernel against a plain loop over the same resamples (sklearn per pair)."""
    rng = np.random.default_rng(5)
    matrix = rng.integers(1, 4, size=(3, 25)).astype(float)
    matrix[0, :10] = matrix[1, :10]  # some agreement
    estimate = light_kappa(matrix, labels=[1, 2, 3], n_bootstrap=200, random_state=9)
    picks = np.random.default_rng(9).integers(0, 25, size=(200, 25))
    values = [_mean_pairs(matrix[:, pick], labels=[1, 2, 3]) for pick in picks]
    low, high = np.percentile(values, [2.5, 97.5])
    assert (estimate.ci_low, estimate.ci_high) == pytest.approx((low, high), abs=1e-12)
    assert estimate.se == pytest.approx(np.std(values, ddof=1), abs=1e-12)
    again = light_kappa(matrix, labels=[1, 2, 3], n_bootstrap=200, random_state=9)
    assert again == estimate
    none = light_kappa(matrix, labels=[1, 2, 3], n_bootstrap=0)
    assert none.value == estimate.value and np.isnan(none.ci_low) and np.isnan(none.se)


def test_the_interval_covers_the_truth_about_as_often_as_it_says():
    """Raters who copy the truth with probability 0.6 (else a random level of 3): kappa of a pair is
    0.6**2 = 0.36 in the population. 200 samples of 60 units: the 90% interval covers it in about
    90% of them (a binomial 95% band around 180 is 172-188)."""
    rng = np.random.default_rng(11)
    covered = 0
    for _ in range(200):
        truth = rng.integers(0, 3, size=60)
        copy = rng.random((3, 60)) < 0.6
        matrix = np.where(copy, truth, rng.integers(0, 3, size=(3, 60))).astype(float)
        estimate = light_kappa(matrix, labels=[0, 1, 2], alpha=0.10, n_bootstrap=300)
        covered += estimate.ci_low <= 0.36 <= estimate.ci_high
    assert 165 <= covered <= 195, covered


def test_no_defined_pair_is_undefined_not_an_error():
    with pytest.warns(UndefinedWarning, match="Light's kappa is undefined"):
        estimate = light_kappa([[1, 1, 1], [1, 1, 1], [1, 1, 1]])
    assert np.isnan(estimate.value) and estimate.n == 3


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: light_kappa([[1, 2, 3]]),
            "The 'data' parameter of light_kappa must have at least 2 raters (rows). Got 1 instead.",
        ),
        (
            lambda: light_kappa([[1, np.nan, 3], [np.nan, 2, 3]]),
            "The 'data' parameter of light_kappa must have at least 2 units (columns) rated by at "
            "least 2 raters. Got 1 instead.",
        ),
        (
            lambda: light_kappa(DIAGNOSES, labels=[1, 2, 3]),
            "The 'data' parameter of light_kappa must only hold categories in 'labels' [1, 2, 3]. "
            "Got 4 instead.",
        ),
        (
            lambda: light_kappa(DIAGNOSES, n_bootstrap=-1),
            "The 'n_bootstrap' parameter of light_kappa must be an int >= 0. Got -1 instead.",
        ),
        (
            lambda: light_kappa(DIAGNOSES, weights="cubic"),
            "The 'weights' parameter of light_kappa must be one of (None, 'linear', 'quadratic'). "
            "Got 'cubic' instead.",
        ),
        (
            lambda: light_kappa(DIAGNOSES, alpha=1),
            "The 'alpha' parameter of light_kappa must be a number in (0, 1). Got 1 instead.",
        ),
    ],
)
def test_refusals(call, message):
    with pytest.raises(ReliabilityError) as caught:
        call()
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


def test_the_report_gives_a_mean_pairwise_kappa_its_interval(twente):
    from weegtool.research import synthetic_cohort

    cohort = synthetic_cohort(twente, n_candidates=40, n_raters=3, seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = reliability_report(twente, cohort.ratings, cohort.candidates)
    band = report.set_index(["what", "measure"]).loc[
        ("band", "mean pairwise kappa, quadratic weights (3 raters)")
    ]
    assert band["ci_low"] <= band["value"] <= band["ci_high"]
