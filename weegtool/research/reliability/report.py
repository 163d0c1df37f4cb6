"""The reliability report of an instrument: :func:`reliability_report`.

Scores every rater of a ratings table separately with weegtool's own reader and
engine and reports, per domain and for the total, ICC(2,1); per item, for the
band and for the advice, kappa beside Gwet's AC1/AC2 (chance-robust), and exact
agreement; with a sentence where kappa and AC disagree because of skewed prevalence.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...errors import UndefinedWarning
from ...instrument import Instrument
from ...io import read_ratings, read_table
from ...ratings import Ratings
from ._common import Estimate, _at_least, _check_alpha, _complete_rows
from .agreement import koo_li_band, landis_koch_band, percent_agreement
from .gstudy import g_study, raters_needed
from .gwet import gwet_ac
from .icc import _icc_table
from .kappa import Weights, _agreement_weights, _contingency, _kappa, light_kappa

REPORT_COLUMNS = ("what", "measure", "value", "ci_low", "ci_high", "label", "n")
LIGHT_BOOTSTRAP = 1000  # resamples of the candidates for the interval of a mean pairwise kappa
PARADOX_GAP = 0.2  # AC above kappa by at least this much ...
PARADOX_SHARE = 0.7  # ... with at least this share of the ratings in one category
D_STUDY_TARGET = 0.8  # the dependability (Phi) the D-study row asks the raters for


@dataclass(frozen=True)
class _Panel:
    """Every rater's own scores, aligned: candidates in rows, raters in the last axis (NaN/None where not rated)."""

    raters: tuple[str, ...]
    items: np.ndarray  # (n, items, raters)
    domains: np.ndarray  # (n, domains, raters)
    total: np.ndarray  # (n, raters), NaN where not assessable
    band: np.ndarray  # (n, raters), band index, NaN where not assessable
    advice: np.ndarray  # (n, raters), advice category, None where not rated


def reliability_report(
    instrument: Instrument,
    ratings_table: pd.DataFrame | str | Any,
    candidates: pd.DataFrame | str | Any | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Inter-rater reliability of ``instrument`` in a ratings table: scores, band, advice and items.

    Every rater is scored on their own (their rows alone, through
    :func:`weegtool.score` and :func:`weegtool.advise`), so each candidate has a
    total, domain scores, a band and an advice per rater.

    Parameters
    ----------
    instrument : Instrument
    ratings_table : DataFrame or path
        The long ratings table :func:`weegtool.read_ratings` reads
        (``candidate_id``, ``rater_id``, one column per item, candidate fields);
        at least 2 raters.
    candidates : DataFrame or path, optional
        Candidate fields in a separate table, as for :func:`weegtool.score`.
    alpha : float, default 0.05
        Intervals are ``1 - alpha`` intervals.

    Returns
    -------
    DataFrame
        Columns ``what, measure, value, ci_low, ci_high, label, n``; rows:

        - ``total`` and ``domain.<id>``: ICC(2,1) (two-way random effects,
          absolute agreement, single rater) with its interval and Koo & Li
          label, over the candidates every rater could score (a domain or total
          that is not assessable for one rater drops the candidate there);
        - ``total``, "D study: raters for Phi >= 0.80": the fewest raters whose
          mean total reaches a dependability of ``D_STUDY_TARGET`` (a p x r G
          study of the same totals, :func:`raters_needed`; NaN beyond 100);
        - ``band``: kappa with quadratic weights over the ordered bands, and
          exact agreement (with more than two raters named "unanimity (r
          raters)": every rater gave the same; the pairwise agreement is
          AC's ``pa``); candidates a rater could not score are left out;
        - ``advice``: unweighted kappa on the advice category, and exact
          agreement. The categories are not ordered (their listed order is
          precedence), so a weighted kappa would rest on an arbitrary order;
          the ordered part of the advice is the band. The rules on candidate
          fields (preconditions, flags) are the same for every rater and raise
          this agreement;
        - ``item.<id>``: kappa with quadratic weights over the item's scale
          levels, with its Landis & Koch label;
        - beside every kappa, Gwet's AC (AC1 for the advice, AC2 with
          quadratic weights for the band and the items) over all raters at
          once, with its interval (Gwet 2014; see :func:`gwet_ac`), on the
          whole scale (unused levels count in its chance agreement). No
          verbal label: Landis & Koch's bands were proposed for kappa.

        With two raters a kappa is Cohen's, with its interval. With more
        raters it is the mean of Cohen's kappa over every pair of raters (each
        pair on the candidates both rated; Light's kappa, :func:`light_kappa`),
        named so in ``measure``, with a 95% percentile bootstrap interval over
        the candidates (``LIGHT_BOOTSTRAP`` resamples, seed 0). ``n`` is the number of candidates used (for a mean pairwise
        kappa: rated by at least two raters). ``attrs["raters"]`` lists the raters.
        ``attrs["notes"]`` holds one sentence for every row pair where AC
        exceeds kappa by at least ``PARADOX_GAP`` while at least
        ``PARADOX_SHARE`` of the ratings fall in one category: the kappa
        paradox (Feinstein & Cicchetti 1990), kappa low although the raters agree.

    Raises
    ------
    RatingsError
        When the table does not validate against the instrument.
    ReliabilityError
        With fewer than 2 raters.
    """
    _check_alpha(alpha, "reliability_report")
    ratings = read_ratings(ratings_table, instrument, candidates)
    panel = _panel(instrument, ratings, candidates)
    with warnings.catch_warnings():  # an undefined row says so itself: NaN, labelled "undefined"
        warnings.simplefilter("ignore", UndefinedWarning)
        rows = _rows(instrument, panel, alpha)
    report = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    report.attrs["raters"] = panel.raters
    report.attrs["notes"] = _paradox_notes(instrument, panel, report)
    return report


def _rows(instrument: Instrument, panel: _Panel, alpha: float) -> list[tuple[Any, ...]]:
    rows = [_icc_row("total", panel.total, alpha), _d_study_row("total", panel.total)]
    rows += [
        _icc_row(f"domain.{d}", panel.domains[:, n, :], alpha)
        for n, d in enumerate(instrument.domain_ids)
    ]
    bands = list(range(len(instrument.spec.advice.bands)))
    rows += [
        _kappa_row("band", panel.band, "quadratic", bands, alpha),
        _ac_row("band", panel.band, "quadratic", bands, alpha),
        _agreement_row("band", panel.band, alpha),
    ]
    categories = [c.id for c in instrument.spec.advice.categories]
    rows += [
        _kappa_row("advice", panel.advice, None, categories, alpha),
        _ac_row("advice", panel.advice, None, categories, alpha),
        _agreement_row("advice", panel.advice, alpha),
    ]
    for j, item in enumerate(instrument.items):
        levels = list(instrument.scale_of(item).values)
        rows += [
            _kappa_row(f"item.{item.id}", panel.items[:, j, :], "quadratic", levels, alpha),
            _ac_row(f"item.{item.id}", panel.items[:, j, :], "quadratic", levels, alpha),
        ]
    return rows


def _d_study_row(what: str, matrix: np.ndarray) -> tuple[Any, ...]:
    """How many raters the mean needs for a dependability (Phi, ICC(A,k)) of at least ``D_STUDY_TARGET``."""
    measure = f"D study: raters for Phi >= {D_STUDY_TARGET:.2f}"
    complete = _complete_rows(matrix)
    if complete.sum() < 2:
        return (what, measure, math.nan, math.nan, math.nan, None, int(complete.sum()))
    needed = raters_needed(g_study(matrix[complete]), D_STUDY_TARGET)
    return (
        what,
        measure,
        math.nan if needed is None else float(needed),
        math.nan,
        math.nan,
        None,
        int(complete.sum()),
    )


def _ac_row(
    what: str, matrix: np.ndarray, weights: Weights, labels: list[Any], alpha: float
) -> tuple[Any, ...]:
    """Gwet's AC over all raters at once (raters in rows for :func:`gwet_ac`)."""
    name = "AC1" if weights is None else f"AC2, {weights} weights"
    rated = pd.DataFrame(matrix).notna().sum(axis=1)
    if (rated >= 1).sum() < 2 or not (rated >= 2).any():
        return (what, name, math.nan, math.nan, math.nan, None, 0)
    ac = gwet_ac(pd.DataFrame(matrix.T), weights, labels, alpha)
    return (what, ac.name, ac.value, ac.ci_low, ac.ci_high, None, ac.n)


def _paradox_notes(instrument: Instrument, panel: _Panel, report: pd.DataFrame) -> list[str]:
    """A sentence where AC is well above kappa and the ratings crowd into one category."""
    matrices = {"band": panel.band, "advice": panel.advice}
    matrices.update({f"item.{i}": panel.items[:, j, :] for j, i in enumerate(instrument.item_ids)})
    notes = []
    for what, matrix in matrices.items():
        rows = report[report["what"] == what]
        kappa = rows[rows["measure"].str.contains("kappa")]["value"]
        ac = rows[rows["measure"].str.startswith("AC")]
        if kappa.empty or ac.empty:
            continue
        k, a = float(kappa.iloc[0]), float(ac["value"].iloc[0])
        shares = pd.Series(matrix.ravel()).dropna().value_counts(normalize=True)
        if shares.empty or math.isnan(a) or not (math.isnan(k) or a - k >= PARADOX_GAP):
            continue
        if shares.iloc[0] < PARADOX_SHARE:
            continue
        top = shares.index[0]
        top = top.item() if isinstance(top, np.generic) else top
        top = int(top) if isinstance(top, float) and top.is_integer() else top
        shown_k = "undefined" if math.isnan(k) else f"{k:.2f}"
        notes.append(
            f"{what}: kappa {shown_k} but {ac['measure'].iloc[0]} {a:.2f}, with "
            f"{shares.iloc[0]:.0%} of the ratings at {top!r}. With so skewed a prevalence kappa's "
            "chance agreement is high, so kappa is low although the raters mostly agree (the kappa "
            "paradox; Feinstein & Cicchetti 1990); read AC (Gwet 2008) and the agreement "
            "beside it."
        )
    return notes


def _panel(instrument: Instrument, ratings: Ratings, candidates: Any) -> _Panel:
    from ...advice import advise  # the advice is needed here only; keeps the module's import light
    from ...api import score

    frame = ratings.raters if ratings.raters is not None else pd.DataFrame(columns=["rater_id"])
    raters = tuple(str(r) for r in pd.unique(frame["rater_id"]))
    _at_least(len(raters), 2, "raters", "ratings_table", "reliability_report")
    info = read_table(candidates, "candidates")[0] if candidates is not None else None
    row = {str(c): i for i, c in enumerate(ratings.candidate_ids)}
    n, r = len(row), len(raters)
    items = np.full((n, len(instrument.items), r), np.nan)
    domains = np.full((n, len(instrument.domains), r), np.nan)
    total, band = np.full((n, r), np.nan), np.full((n, r), np.nan)
    advice = np.full((n, r), None, dtype=object)
    for k, rater in enumerate(raters):
        own = frame[frame["rater_id"] == rater]
        scores = score(instrument, own, candidates=_own_candidates(info, own))
        at = np.array([row[str(c)] for c in scores.candidate_ids])
        items[at, :, k] = scores.ratings.values
        domains[at, :, k] = scores.domain_scores
        total[at, k] = scores.total
        band[at, k] = np.where(scores.band >= 0, scores.band, np.nan)
        advice[at, k] = [a.category for a in advise(scores)]
    return _Panel(raters, items, domains, total, band, advice)


def _own_candidates(info: pd.DataFrame | None, own: pd.DataFrame) -> pd.DataFrame | None:
    """The candidates table cut to one rater's candidates (a table may not list candidates without ratings)."""
    if info is None:
        return None
    ids = info["candidate_id"].astype("string").str.strip()
    return info[ids.isin(set(own["candidate_id"])).to_numpy(dtype=bool)]


def _icc_row(what: str, matrix: np.ndarray, alpha: float) -> tuple[Any, ...]:
    complete = _complete_rows(matrix)
    if complete.sum() < 2:
        return (
            what,
            "ICC(2,1)",
            math.nan,
            math.nan,
            math.nan,
            koo_li_band(math.nan),
            int(complete.sum()),
        )
    icc2 = _icc_table(matrix[complete], alpha).iloc[1]
    return (
        what,
        "ICC(2,1)",
        float(icc2["icc"]),
        float(icc2["ci_low"]),
        float(icc2["ci_high"]),
        koo_li_band(float(icc2["icc"])),
        int(complete.sum()),
    )


def _kappa_row(
    what: str, matrix: np.ndarray, weights: Weights, labels: list[Any], alpha: float
) -> tuple[Any, ...]:
    name = "kappa" + (f", {weights} weights" if weights else "")
    rated = pd.DataFrame(matrix).notna().to_numpy()
    kappas = [
        _pair_kappa(matrix[:, i], matrix[:, j], weights, labels, alpha)
        for i, j in itertools.combinations(range(matrix.shape[1]), 2)
    ]
    n = int((rated.sum(axis=1) >= 2).sum())
    if len(kappas) == 1:
        k = kappas[0]
        return (what, name, k.value, k.ci_low, k.ci_high, landis_koch_band(k.value), k.n)
    mean = light_kappa(matrix.T, weights, labels, alpha, n_bootstrap=LIGHT_BOOTSTRAP)
    return (
        what,
        f"mean pairwise {name} ({matrix.shape[1]} raters)",
        mean.value,
        mean.ci_low,
        mean.ci_high,
        landis_koch_band(mean.value),
        n,
    )


def _pair_kappa(
    a: np.ndarray, b: np.ndarray, weights: Weights, labels: list[Any], alpha: float
) -> Estimate:
    both = pd.notna(a) & pd.notna(b)
    if both.sum() < 2:
        return Estimate(math.nan, n=int(both.sum()))
    return _kappa(
        _contingency(a[both], b[both], labels), _agreement_weights(len(labels), weights), alpha
    )


def _agreement_row(what: str, matrix: np.ndarray, alpha: float) -> tuple[Any, ...]:
    frame = pd.DataFrame(matrix)
    counted = (frame.notna().sum(axis=1) >= 2).to_numpy()
    if not counted.any():
        measure = (
            "exact agreement" if frame.shape[1] == 2 else f"unanimity ({frame.shape[1]} raters)"
        )
        return (what, measure, math.nan, math.nan, math.nan, None, 0)
    share = percent_agreement(frame[counted], alpha)
    measure = "exact agreement" if frame.shape[1] == 2 else f"unanimity ({frame.shape[1]} raters)"
    return (what, measure, share.value, share.ci_low, share.ci_high, None, share.n)
