"""(Instrument, Ratings) -> :class:`Scores`, vectorised, with every contribution.

The arithmetic, for candidate *i* and item *j* of domain *d* (see the README):

- ``x = (rating - scale min) / (scale max - scale min)``, in [0, 1];
- in the domain's own orientation ``s = x`` when the item's direction is the
  domain's kind, else ``1 - x``; the domain score is
  ``100 * sum(w * s) / sum(w)`` over the items rated (prorated when some are
  missing, within the domain's ``max_missing``);
- the total is the weighted mean of risk domain scores and, when
  ``protective_lowers_total``, of ``100 - score`` of protective domains;
- an item's contribution is its share of the total in points, so the
  contributions of a candidate add up to the total.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from .instrument import Instrument
from .ratings import Ratings

__all__ = ["Scores", "score_ratings", "Weights"]

DECIMALS = 9  # scores are rounded here so that a total on a band boundary lands in one band, always


@dataclass(frozen=True)
class Weights:
    """An instrument's numbers as arrays, aligned with its items and domains."""

    low: np.ndarray            # (k,) scale minimum per item
    span: np.ndarray           # (k,) scale max - min per item
    item_weight: np.ndarray    # (k,)
    flip_domain: np.ndarray    # (k,) bool: item runs against its domain's kind
    flip_total: np.ndarray     # (k,) bool: item lowers the total as it rises
    membership: np.ndarray     # (k, d) 0/1
    domain_of: np.ndarray      # (k,) domain index per item
    domain_share: np.ndarray   # (d,) weight of each domain in the total (0 when not in it), sums to 1
    risk_domain: np.ndarray    # (d,) bool
    max_missing: np.ndarray    # (d,)
    band_uppers: np.ndarray    # (b,)

    @classmethod
    def of(cls, instrument: Instrument) -> "Weights":
        spec, settings = instrument.spec, instrument.settings
        domain_index = {d.id: n for n, d in enumerate(spec.domains)}
        kinds = {d.id: d.kind for d in spec.domains}
        scales = [instrument.scale_of(item) for item in spec.items]
        domain_of = np.array([domain_index[item.domain] for item in spec.items])
        membership = np.zeros((len(spec.items), len(spec.domains)))
        membership[np.arange(len(spec.items)), domain_of] = 1.0
        risk = np.array([d.kind == "risk" for d in spec.domains])
        counted = risk | settings.protective_lowers_total
        raw = np.array([d.weight for d in spec.domains]) * counted
        return cls(
            low=np.array([s.min for s in scales], dtype=float),
            span=np.array([s.max - s.min for s in scales], dtype=float),
            item_weight=np.array([item.weight for item in spec.items], dtype=float),
            flip_domain=np.array([item.direction != kinds[item.domain] for item in spec.items]),
            flip_total=np.array([item.direction == "protective" for item in spec.items]),
            membership=membership,
            domain_of=domain_of,
            domain_share=raw / raw.sum(),
            risk_domain=risk,
            max_missing=np.array([d.max_missing for d in spec.domains]),
            band_uppers=np.array([b.upper for b in spec.advice.bands], dtype=float),
        )


@dataclass(frozen=True)
class Scores:
    """Scores of every candidate, with the arithmetic behind them.

    Arrays are aligned: rows with ``ratings.candidate_ids``, item columns with
    ``instrument.item_ids``, domain columns with ``instrument.domain_ids``.
    ``total`` is NaN and ``band`` -1 where the candidate is not assessable;
    ``rated_weight`` is the item weight actually rated per domain (the
    denominator of its prorated score).
    """

    instrument: Instrument
    ratings: Ratings
    contributions: np.ndarray
    domain_scores: np.ndarray
    domain_missing: np.ndarray
    domain_assessable: np.ndarray
    rated_weight: np.ndarray
    total: np.ndarray
    assessable: np.ndarray
    prorated: np.ndarray
    band: np.ndarray

    def __len__(self) -> int:
        return len(self.total)

    @property
    def candidate_ids(self) -> np.ndarray:
        return self.ratings.candidate_ids

    @cached_property
    def row_of(self) -> dict[str, int]:
        return {str(c): n for n, c in enumerate(self.candidate_ids)}

    def band_ids(self) -> np.ndarray:
        names = np.array([b.id for b in self.instrument.spec.advice.bands] + [""], dtype=object)
        return names[self.band]

    def to_frame(self, contributions: bool = False) -> pd.DataFrame:
        """One row per candidate: total, band, domain scores, missing and disputed counts."""
        index = pd.Index(self.candidate_ids, name="candidate_id")
        frame = pd.DataFrame({
            "total": self.total,
            "band": pd.Series([b or None for b in self.band_ids()], index=index, dtype=object),
            "assessable": self.assessable,
            "prorated": self.prorated,
            "missing_items": self.domain_missing.sum(axis=1),
            "disputed_items": self.ratings.disputed.sum(axis=1),
        }, index=index)
        domains = pd.DataFrame(self.domain_scores, index=index,
                               columns=[f"domain.{d}" for d in self.instrument.domain_ids])
        parts = [frame, domains]
        if contributions:
            parts.append(pd.DataFrame(self.contributions, index=index,
                                      columns=[f"contribution.{i}" for i in self.instrument.item_ids]))
        return pd.concat(parts, axis=1)


def score_ratings(instrument: Instrument, ratings: Ratings) -> Scores:
    """Score aggregated ``ratings`` with ``instrument``; see the module docstring for the arithmetic."""
    weights = Weights.of(instrument)
    values = ratings.values
    present = ~np.isnan(values)
    x = np.where(present, (values - weights.low) / weights.span, 0.0)
    domain_scores, domain_weight, missing = _domains(x, present, weights)
    domain_ok = (missing <= weights.max_missing) & (domain_weight > 0)
    domain_scores = np.where(domain_ok, domain_scores, np.nan)
    total, contributions = _total(x, present, domain_scores, domain_weight, weights)
    counted = weights.domain_share > 0
    fraction = missing.sum(axis=1) / values.shape[1]
    assessable = domain_ok[:, counted].all(axis=1) & (fraction <= instrument.settings.max_missing_fraction)
    total = np.where(assessable, total, np.nan)
    prorated = assessable & (missing[:, counted] > 0).any(axis=1)
    band = np.where(assessable, np.searchsorted(weights.band_uppers[:-1], np.nan_to_num(total), side="right"), -1)
    return Scores(instrument, ratings, contributions, domain_scores, missing, domain_ok, domain_weight,
                  total, assessable, prorated, band)


def _domains(x: np.ndarray, present: np.ndarray, w: Weights) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Domain scores (0-100, own orientation), the weight rated per domain, items missing per domain."""
    oriented = np.where(w.flip_domain, 1.0 - x, x) * present
    weighted_present = present * w.item_weight
    domain_weight = weighted_present @ w.membership
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = 100.0 * ((oriented * w.item_weight) @ w.membership) / domain_weight
    missing = (~present).astype(np.int64) @ w.membership.astype(np.int64)
    return np.round(scores, DECIMALS), domain_weight, missing


def _total(x: np.ndarray, present: np.ndarray, domain_scores: np.ndarray, domain_weight: np.ndarray,
           w: Weights) -> tuple[np.ndarray, np.ndarray]:
    """The total (0-100, risk orientation) and each item's contribution to it in points."""
    risk_oriented = np.where(w.risk_domain, domain_scores, 100.0 - domain_scores)
    total = np.round(np.nan_to_num(risk_oriented) @ w.domain_share, DECIMALS)
    toward_risk = np.where(w.flip_total, 1.0 - x, x)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_weight = 100.0 * w.domain_share[w.domain_of] * w.item_weight / domain_weight[:, w.domain_of]
        contributions = np.where(present, toward_risk * per_weight, np.nan)
    return total, contributions
