"""How much do the advices depend on the provisional weights? Dirichlet perturbations, vectorised.

The weights of the default instrument are a starting point, not a finding.
:func:`weight_sensitivity` asks how many advices would change if they were
somewhat different:

- **Draws.** Domain weights (``perturb="domains"``, the default), the item
  weights within each domain (``"items"``) or both are drawn from Dirichlet
  distributions centred on the current ones: the shares of the domains that
  count in the total from ``Dirichlet(concentration * current shares)``, and
  within each domain the shares of its items from
  ``Dirichlet(concentration * current item shares)``. Domains and items of
  weight 0 stay at 0, a domain or item that is alone keeps its share. The
  larger ``concentration``, the closer the draws stay to the current weights:
  a share ``p`` varies with standard deviation ``sqrt(p (1 - p) / (concentration + 1))``;
  ``math.inf`` means no perturbation at all.
- **Re-scoring.** The engine's scores are affine in the ratings and a ratio of
  weighted sums in the weights, so every candidate is re-scored under every
  draw with a few matrix products per domain (:class:`weegtool.engine.Weights`
  gives the arithmetic), in blocks of draws to bound memory. Bands and the
  suitability advice follow the instrument's rules: the band's advice, the
  domain ceilings and the rules the weights cannot move (preconditions and
  flags, hard flags counted as not overridden; no house composition). The
  category listed first in ``advice.categories`` wins, as in
  :func:`weegtool.advise`.
- **Which weights matter.** One weight at a time (all others fixed, the
  shares renormalised): the share of candidates whose band or advice changes
  when that weight alone is multiplied by ``1 + step`` or ``1 - step``, and
  its elasticity, the mean absolute change of the total (in points) per unit
  change of the weight's logarithm, computed exactly:
  ``share_d * (R_d - total)`` for a domain and
  ``share_d * w_j / sum(w) * (100 * r_j - R_d)`` for an item, where ``R_d`` is
  the risk-oriented domain score and ``r_j`` the item's rating toward risk in
  [0, 1]. One-at-a-time analysis ignores interactions; the draws show those.

Candidates without a total (too much missing information) have no band to
change and are left out; :attr:`WeightSensitivity.n_excluded` counts them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..api import score
from ..engine import DECIMALS, Scores, Weights
from ..errors import ResearchError
from ..instrument import Instrument
from ..ratings import Ratings
from ..rules import Case, RuleSet

__all__ = ["WeightSensitivity", "weight_sensitivity", "PERTURB"]

PERTURB = ("domains", "items", "both")
BLOCK_CELLS = 2_000_000  # candidates x draws evaluated at once: about 16 MB per array


@dataclass(frozen=True)
class WeightSensitivity:
    """The result of :func:`weight_sensitivity`.

    Attributes
    ----------
    candidates : DataFrame
        One row per assessable candidate (index ``candidate_id``): its current
        ``total``, ``band`` and ``advice`` (suitability); ``band_kept`` and
        ``advice_kept``, the share of draws that keep them (its robustness);
        ``total_sd``, ``total_min``, ``total_max`` over the draws; and
        ``other_band``, the band it moves to most often (missing when it never moves).
    draws : DataFrame
        One row per draw: the weights drawn, in the instrument's own units
        (``domain.<id>``, ``item.<id>``; the totals per domain are kept), and
        ``band_changed`` and ``advice_changed``, the share of candidates whose
        band or advice differs from the current one under that draw.
    weights : DataFrame
        One row per weight (index ``domain.<id>`` or ``item.<id>``), those that
        matter most first: ``kind``, ``weight``, ``share`` (of the total for a
        domain, of its domain for an item), ``perturbed`` (varied by the draws),
        ``elasticity``, ``band_change_up``, ``band_change_down``,
        ``advice_change_up``, ``advice_change_down`` and ``band_change``, the
        larger of the two band changes.
    n_excluded : int
        Candidates left out because they have no total.
    perturb, concentration, step, random_state
        The parameters of the run.
    """

    candidates: pd.DataFrame
    draws: pd.DataFrame
    weights: pd.DataFrame
    n_excluded: int
    perturb: str
    concentration: float
    step: float
    random_state: int | None

    @property
    def n_draws(self) -> int:
        return len(self.draws)

    @property
    def band_change_rate(self) -> float:
        """The expected share of candidates whose band changes under one draw."""
        return float(self.draws["band_changed"].mean())

    @property
    def advice_change_rate(self) -> float:
        """The expected share of candidates whose advice changes under one draw."""
        return float(self.draws["advice_changed"].mean())

    def summary(self) -> pd.Series:
        """The run in one column: its parameters, counts and change rates."""
        changed = self.draws["band_changed"]
        return pd.Series(
            {
                "perturb": self.perturb,
                "concentration": self.concentration,
                "n_draws": self.n_draws,
                "n_candidates": len(self.candidates),
                "n_excluded": self.n_excluded,
                "band_change_rate": self.band_change_rate,
                "band_change_p05": float(changed.quantile(0.05)),
                "band_change_p95": float(changed.quantile(0.95)),
                "advice_change_rate": self.advice_change_rate,
                "candidates_ever_changing_band": float((self.candidates["band_kept"] < 1).mean()),
                "most_influential_weight": self.weights.index[0] if len(self.weights) else None,
            },
            name="weight_sensitivity",
        )


def weight_sensitivity(
    instrument: Instrument,
    ratings: Ratings | pd.DataFrame | str | Path,
    n_draws: int = 1000,
    concentration: float = 100,
    random_state: int | None = 0,
    *,
    perturb: str = "domains",
    step: float = 0.2,
    candidates: pd.DataFrame | str | Path | None = None,
) -> WeightSensitivity:
    """Re-score every candidate under Dirichlet perturbations of the weights; see the module docstring.

    Parameters
    ----------
    instrument : Instrument
        The instrument whose weights are perturbed.
    ratings : Ratings, DataFrame or path
        The cohort, as for :func:`weegtool.score`.
    n_draws : int
        Number of weight draws.
    concentration : float
        Dirichlet concentration around the current shares; ``math.inf`` for none.
    random_state : int or None
        Seed of the draws: the same seed gives the same draws.
    perturb : {"domains", "items", "both"}
        Which weights the draws vary.
    step : float
        Relative change of one weight in the one-at-a-time analysis, in (0, 1).
    candidates : DataFrame or path, optional
        Candidate fields (consent, age, flags) when they are not in ``ratings``.

    Returns
    -------
    WeightSensitivity

    Raises
    ------
    ValueError
        For a bad parameter, or when no candidate has a total.
    """
    _check_parameters(n_draws, concentration, perturb, step)
    scores = score(instrument, ratings, candidates)
    base = _Base.of(scores)
    item_weights, shares = _draw(
        base, n_draws, concentration, perturb, np.random.default_rng(random_state)
    )
    per_candidate, per_draw = _run_draws(base, item_weights, shares)
    return WeightSensitivity(
        candidates=_candidate_frame(base, scores, per_candidate, n_draws),
        draws=_draw_frame(base, item_weights, shares, per_draw),
        weights=_importance(base, perturb, step),
        n_excluded=int(len(scores) - base.n),
        perturb=perturb,
        concentration=float(concentration),
        step=step,
        random_state=random_state,
    )


def _check_parameters(n_draws: Any, concentration: Any, perturb: Any, step: Any) -> None:
    template = "The {!r} parameter of weight_sensitivity must be {}. Got {!r} instead."
    if isinstance(n_draws, bool) or not isinstance(n_draws, (int, np.integer)) or n_draws < 1:
        raise ResearchError(template.format("n_draws", "an int >= 1", n_draws))
    if not _is_number(concentration) or not concentration > 0:
        raise ResearchError(
            template.format(
                "concentration", "a number > 0 (math.inf for no perturbation)", concentration
            )
        )
    if perturb not in PERTURB:
        raise ResearchError(template.format("perturb", f"one of {PERTURB}", perturb))
    if not _is_number(step) or not 0 < step < 1:
        raise ResearchError(template.format("step", "a number in (0, 1)", step))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


# --- the cohort as arrays ------------------------------------------------------------------


@dataclass(frozen=True)
class _Base:
    """The assessable candidates under the current weights, ready to be re-scored under many."""

    instrument: Instrument
    weights: Weights
    rules: RuleSet
    fixed: np.ndarray  # (n,) rank from the rules on the candidates' fields, which no weight moves
    rows: np.ndarray  # (n,) positions of the assessable candidates in the scores
    toward_risk: np.ndarray  # (n, k) r in [0, 1]; 0 where not rated
    present: np.ndarray  # (n, k) 1.0 where rated
    risk: np.ndarray  # (n, d) risk-oriented domain scores
    domain_ok: np.ndarray  # (n, d) the domain has a score (within max_missing); NaN stays NaN
    total: np.ndarray  # (n,)
    band: np.ndarray  # (n,)
    advice: np.ndarray  # (n,) rank of the suitability advice

    @classmethod
    def of(cls, scores: Scores) -> _Base:
        rows = np.flatnonzero(scores.assessable)
        if len(rows) == 0:
            raise ResearchError(
                f"weight_sensitivity needs at least one candidate with a total; none of the "
                f"{len(scores)} has one (too much missing information)."
            )
        w, rules = Weights.of(scores.instrument), RuleSet.of(scores.instrument)
        fixed = rules.fixed_ranks(scores.ratings.records)  # hard flags count as not overridden
        values = scores.ratings.values[rows]
        present = ~np.isnan(values)
        return cls(
            scores.instrument,
            w,
            rules,
            fixed[rows],
            rows,
            np.where(present, w.toward_risk(values), 0.0),
            present.astype(float),
            scores.domain_risk[rows],
            scores.domain_assessable[rows],
            scores.total[rows],
            scores.band[rows],
            rules.categorise(fixed, Case.of(scores))[rows],
        )

    @property
    def n(self) -> int:
        return len(self.rows)

    def domain_items(self, d: int) -> np.ndarray:
        return np.flatnonzero(self.weights.domain_of == d)


# --- draws ----------------------------------------------------------------------------------


def _draw(
    base: _Base, n_draws: int, concentration: float, perturb: str, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Item weights ``(t, k)`` and domain shares ``(t, d)``: domains first, then each domain's items."""
    w = base.weights
    shares = np.tile(w.domain_share, (n_draws, 1))
    item_weights = np.tile(w.item_weight, (n_draws, 1))
    if math.isinf(concentration):
        return item_weights, shares
    if perturb in ("domains", "both"):
        counted = np.flatnonzero(w.domain_share > 0)
        if len(counted) > 1:
            shares[:, counted] = rng.dirichlet(concentration * w.domain_share[counted], n_draws)
    if perturb in ("items", "both"):
        for d in range(len(w.domain_share)):
            items = base.domain_items(d)
            items = items[w.item_weight[items] > 0]
            if len(items) > 1:
                weight = w.item_weight[items]
                item_weights[:, items] = (
                    rng.dirichlet(concentration * weight / weight.sum(), n_draws) * weight.sum()
                )
    return item_weights, shares


# --- re-scoring -----------------------------------------------------------------------------


def _evaluate(
    base: _Base, item_weights: np.ndarray, shares: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Totals, bands and advice ranks ``(n, t)`` for ``t`` weightings at once (the rule set decides)."""
    w = base.weights
    risks = [_domain_risk(base, d, item_weights) for d in range(len(w.domain_share))]
    total = np.zeros((base.n, len(shares)))
    for d, risk in enumerate(risks):
        if w.domain_share[d] > 0:
            total += risk * shares[:, d]  # counted domains are rated for every assessable candidate
    np.round(total, DECIMALS, out=total)
    band = w.band_of(total)
    case = Case(
        lambda d: risks[d] if w.risk_domain[d] else 100.0 - risks[d],
        total,
        band,
        np.broadcast_to(True, total.shape),
    )
    return total, band, base.rules.categorise(base.fixed[:, None], case)


def _domain_risk(base: _Base, d: int, item_weights: np.ndarray) -> np.ndarray:
    """Risk-oriented score ``(n, t)`` of domain ``d``: the prorated weighted mean of its items."""
    items = base.domain_items(d)
    weights = item_weights[:, items]
    if (weights == base.weights.item_weight[items]).all():
        return base.risk[:, d : d + 1]
    risk = base.toward_risk[:, items] @ (100.0 * weights.T)
    with np.errstate(invalid="ignore", divide="ignore"):
        np.divide(risk, base.present[:, items] @ weights.T, out=risk)
    risk[~base.domain_ok[:, d]] = np.nan  # a domain without a score gets none under other weights
    return np.round(risk, DECIMALS, out=risk)


@dataclass
class _Tally:
    """Running per-candidate sums over blocks of draws."""

    band_kept: np.ndarray
    advice_kept: np.ndarray
    shift: np.ndarray
    shift2: np.ndarray
    low: np.ndarray
    high: np.ndarray
    band_counts: np.ndarray

    @classmethod
    def empty(cls, base: _Base) -> _Tally:
        n, b = base.n, len(base.weights.band_uppers)
        return cls(
            np.zeros(n),
            np.zeros(n),
            np.zeros(n),
            np.zeros(n),
            np.full(n, np.inf),
            np.full(n, -np.inf),
            np.zeros((n, b)),
        )

    def add(self, base: _Base, total: np.ndarray, band: np.ndarray, advice: np.ndarray) -> None:
        shift = total - base.total[:, None]
        self.band_kept += (band == base.band[:, None]).sum(axis=1)
        self.advice_kept += (advice == base.advice[:, None]).sum(axis=1)
        self.shift += shift.sum(axis=1)
        self.shift2 += (shift**2).sum(axis=1)
        self.low = np.minimum(self.low, total.min(axis=1))
        self.high = np.maximum(self.high, total.max(axis=1))
        for b in range(self.band_counts.shape[1]):
            self.band_counts[:, b] += (band == b).sum(axis=1)


def _run_draws(
    base: _Base, item_weights: np.ndarray, shares: np.ndarray
) -> tuple[_Tally, dict[str, np.ndarray]]:
    tally = _Tally.empty(base)
    band_changed, advice_changed = [], []
    block = max(1, BLOCK_CELLS // base.n)
    for start in range(0, len(shares), block):
        part = slice(start, start + block)
        total, band, advice = _evaluate(base, item_weights[part], shares[part])
        tally.add(base, total, band, advice)
        band_changed.append((band != base.band[:, None]).mean(axis=0))
        advice_changed.append((advice != base.advice[:, None]).mean(axis=0))
    return tally, {
        "band_changed": np.concatenate(band_changed),
        "advice_changed": np.concatenate(advice_changed),
    }


# --- the tables -------------------------------------------------------------------------------


def _candidate_frame(base: _Base, scores: Scores, tally: _Tally, n_draws: int) -> pd.DataFrame:
    spec = base.instrument.spec.advice
    band_ids = np.array([b.id for b in spec.bands], dtype=object)
    categories = np.array([c.id for c in spec.categories], dtype=object)
    mean = tally.shift / n_draws
    others = np.where(np.arange(len(band_ids)) == base.band[:, None], 0, tally.band_counts)
    other = np.where(others.max(axis=1) > 0, band_ids[others.argmax(axis=1)], None)
    return pd.DataFrame(
        {
            "total": base.total,
            "band": band_ids[base.band],
            "advice": categories[base.advice],
            "band_kept": tally.band_kept / n_draws,
            "advice_kept": tally.advice_kept / n_draws,
            "total_sd": np.sqrt(np.maximum(tally.shift2 / n_draws - mean**2, 0.0)),
            "total_min": tally.low,
            "total_max": tally.high,
            "other_band": other,
        },
        index=pd.Index(scores.candidate_ids[base.rows], name="candidate_id"),
    )


def _draw_frame(
    base: _Base, item_weights: np.ndarray, shares: np.ndarray, per_draw: dict[str, np.ndarray]
) -> pd.DataFrame:
    instrument, w = base.instrument, base.weights
    counted = w.domain_share > 0
    domain_total = sum(d.weight for d, c in zip(instrument.domains, counted) if c)
    columns = {
        f"domain.{d}": shares[:, n] * domain_total
        for n, d in enumerate(instrument.domain_ids)
        if counted[n]
    }
    columns |= {f"item.{i}": item_weights[:, n] for n, i in enumerate(instrument.item_ids)}
    return pd.DataFrame(columns | per_draw, index=pd.RangeIndex(len(shares), name="draw"))


def _importance(base: _Base, perturb: str, step: float) -> pd.DataFrame:
    """One weight at a time: exact elasticities and band/advice changes at ``1 + step`` and ``1 - step``."""
    weights = _domain_weights(base, step) + _item_weights(base, step)
    item_weights = np.array([row for w in weights for row in w.item_weights])
    shares = np.array([row for w in weights for row in w.shares])
    _, band, advice = _evaluate(base, item_weights, shares)
    band_change = (band != base.band[:, None]).mean(axis=0)
    advice_change = (advice != base.advice[:, None]).mean(axis=0)
    varied = {"domains": ("domain",), "items": ("item",), "both": ("domain", "item")}[perturb]
    frame = pd.DataFrame(
        {
            "kind": [w.kind for w in weights],
            "weight": [w.weight for w in weights],
            "share": [w.share for w in weights],
            "perturbed": [w.kind in varied for w in weights],
            "elasticity": [w.elasticity for w in weights],
            "band_change_up": band_change[0::2],
            "band_change_down": band_change[1::2],
            "advice_change_up": advice_change[0::2],
            "advice_change_down": advice_change[1::2],
        },
        index=pd.Index([w.name for w in weights], name="weight"),
    )
    frame["band_change"] = frame[["band_change_up", "band_change_down"]].max(axis=1)
    return frame.sort_values(["band_change", "elasticity"], ascending=False, kind="stable")


@dataclass(frozen=True)
class _OneWeight:
    """One weight for the one-at-a-time analysis, with its two weightings (times 1 + step, 1 - step)."""

    name: str
    kind: str
    weight: float
    share: float
    elasticity: float
    item_weights: tuple[np.ndarray, np.ndarray]
    shares: tuple[np.ndarray, np.ndarray]


def _domain_weights(base: _Base, step: float) -> list[_OneWeight]:
    """Domains that count in the total; elasticity ``share_d * (R_d - total)``."""
    w, out = base.weights, []
    for d in np.flatnonzero(w.domain_share > 0):
        scaled = [
            w.domain_share * np.where(np.arange(len(w.domain_share)) == d, factor, 1.0)
            for factor in (1 + step, 1 - step)
        ]
        out.append(
            _OneWeight(
                f"domain.{base.instrument.domain_ids[d]}",
                "domain",
                base.instrument.domains[d].weight,
                float(w.domain_share[d]),
                float(np.abs(w.domain_share[d] * (base.risk[:, d] - base.total)).mean()),
                (w.item_weight, w.item_weight),
                (scaled[0] / scaled[0].sum(), scaled[1] / scaled[1].sum()),
            )
        )
    return out


def _item_weights(base: _Base, step: float) -> list[_OneWeight]:
    """Items of weight > 0; elasticity ``share_d * w_j / sum(w rated) * (100 r_j - R_d)`` where rated."""
    w, out = base.weights, []
    for j in np.flatnonzero(w.item_weight > 0):
        d, items = w.domain_of[j], base.domain_items(w.domain_of[j])
        rated = base.present[:, items] @ w.item_weight[items]
        counts = (base.present[:, j] > 0) & (rated > 0)
        slope = np.zeros(base.n)
        slope[counts] = (
            w.item_weight[j]
            / rated[counts]
            * (100.0 * base.toward_risk[counts, j] - base.risk[counts, d])
        )
        scaled = [
            w.item_weight * np.where(np.arange(len(w.item_weight)) == j, factor, 1.0)
            for factor in (1 + step, 1 - step)
        ]
        out.append(
            _OneWeight(
                f"item.{base.instrument.item_ids[j]}",
                "item",
                float(w.item_weight[j]),
                float(w.item_weight[j] / w.item_weight[items].sum()),
                float(np.abs(w.domain_share[d] * slope).mean()),
                (scaled[0], scaled[1]),
                (w.domain_share, w.domain_share),
            )
        )
    return out
