"""Cross-checks against independent implementations on random data: pingouin and krippendorff.

Each parametrised case draws a fresh table; weegtool must agree within 1e-9 (or the documented
difference). irrCAC (Gwet's AC1/AC2, Brennan-Prediger) cannot be installed beside weegtool (it
pins pandas < 3 and scipy == 1.12): tests/test_agreement_chance.py holds its values on its own
example data sets instead.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from weegtool.research import cronbach_alpha, d_study, g_study, icc, krippendorff_alpha

pingouin = pytest.importorskip("pingouin")  # in the test extra; a plain install may lack it
krippendorff = pytest.importorskip("krippendorff")

SEEDS = range(8)
# pingouin 0.6 names the forms as McGraw & Wong: absolute agreement (A) and consistency (C)
PINGOUIN = {
    "ICC1": "ICC(1,1)",
    "ICC2": "ICC(A,1)",
    "ICC3": "ICC(C,1)",
    "ICC1k": "ICC(1,k)",
    "ICC2k": "ICC(A,k)",
    "ICC3k": "ICC(C,k)",
}


def pingouin_icc(values: np.ndarray) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pingouin's own deprecation warnings under pandas 3
        return pingouin.intraclass_corr(long(values), "target", "rater", "y").set_index("Type")


def table(seed: int, missing: float = 0.0) -> np.ndarray:
    """Targets x raters: a target effect, a rater effect and noise, on a 0-4 scale."""
    rng = np.random.default_rng(seed)
    n, k = rng.integers(6, 40), rng.integers(2, 6)
    values = rng.normal(0, 1, (n, 1)) + rng.normal(0, 0.4, (1, k)) + rng.normal(0, 0.7, (n, k))
    values = np.clip(np.round(values + 2), 0, 4)
    values[rng.random(values.shape) < missing] = np.nan
    return values


def long(values: np.ndarray) -> pd.DataFrame:
    n, k = values.shape
    return pd.DataFrame(
        {
            "target": np.repeat(np.arange(n), k),
            "rater": np.tile(np.arange(k), n),
            "y": values.ravel(),
        }
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_icc_equals_pingouin(seed):
    values = table(seed)
    theirs = pingouin_icc(values)
    ours = icc(values).set_index("type")
    for form, name in PINGOUIN.items():
        assert ours.loc[form, "icc"] == pytest.approx(theirs.loc[name, "ICC"], abs=1e-9)
        assert ours.loc[form, "F"] == pytest.approx(theirs.loc[name, "F"], rel=1e-9)
        assert ours.loc[form, "pval"] == pytest.approx(
            theirs.loc[name, "pval"], rel=1e-6, abs=1e-12
        )
        # pingouin rounds its interval to two decimals
        low, high = theirs.loc[name, "CI95"]
        assert ours.loc[form, "ci_low"] == pytest.approx(low, abs=0.005 + 1e-9)
        assert ours.loc[form, "ci_high"] == pytest.approx(high, abs=0.005 + 1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_d_study_coefficients_equal_pingouins_average_measure_iccs(seed):
    values = table(seed)
    theirs = pingouin_icc(values)["ICC"]
    g = g_study(values)
    if (g.components["variance"] < 0).any():
        pytest.skip("a negative variance estimate is set to 0 in the D study (documented)")
    d = d_study(g).iloc[0]
    assert d["relative"] == pytest.approx(theirs["ICC(C,k)"], abs=1e-9)
    assert d["absolute"] == pytest.approx(theirs["ICC(A,k)"], abs=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_cronbach_alpha_equals_pingouin(seed):
    values = table(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs, (low, high) = pingouin.cronbach_alpha(pd.DataFrame(values))
    ours = cronbach_alpha(values)
    assert ours.alpha == pytest.approx(theirs, abs=1e-9)
    assert (ours.ci_low, ours.ci_high) == pytest.approx(
        (low, high), abs=0.0005 + 1e-9
    )  # 3 decimals


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
@pytest.mark.parametrize("seed", SEEDS)
def test_krippendorff_alpha_equals_krippendorff(seed, level):
    data = table(seed, missing=0.15).T  # raters in rows, units in columns
    if (np.sum(~np.isnan(data), axis=0) >= 2).sum() < 2:
        pytest.skip("fewer than two pairable units")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = krippendorff_alpha(data, level).value
        theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert ours == pytest.approx(theirs, abs=1e-9, nan_ok=True)
