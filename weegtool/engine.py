"""(Instrument, Ratings) -> :class:`Scores`, vectorised, with every contribution.

The arithmetic, for candidate *i* and item *j* of domain *d* (see the README):

- ``r = (rating - scale min) / (scale max - scale min)`` for a risk item and
  ``1 - that`` for a protective item: how far the rating points toward risk,
  in [0, 1]. It is linear in the rating: ``r = rating * slope + offset``;
- the risk-oriented domain score ``R = 100 * sum(w * r) / sum(w)`` over the
  items rated (prorated when some are missing, within ``max_missing``); a
  domain is reported in its own orientation: ``R`` for a risk domain,
  ``100 - R`` for a protective one (more protection, higher score);
- the total is ``sum(share_d * R_d)``, where the shares are the domain weights
  normalised over the domains counted (protective ones only when
  ``protective_lowers_total``);
- an item's contribution is its share of the total in points,
  ``100 * share_d * w * r / sum(w)``, so a candidate's contributions add up
  to the total.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from .instrument import Instrument
from .ratings import Ratings

__all__ = ["Scores", "score_ratings", "score_values", "Kernel", "Weights"]

DECIMALS = 9  # scores are rounded here so that a total on a band boundary lands in one band, always


@dataclass(frozen=True)
class Weights:
    """An instrument's numbers as arrays, aligned with its items and domains."""

    slope: np.ndarray  # (k,) r = rating * slope + offset: toward risk, in [0, 1]
    offset: np.ndarray  # (k,)
    item_weight: np.ndarray  # (k,)
    membership: np.ndarray  # (k, d) 0/1
    domain_of: np.ndarray  # (k,) domain index per item
    domain_share: (
        np.ndarray
    )  # (d,) weight of each domain in the total (0 when not in it), sums to 1
    risk_domain: np.ndarray  # (d,) bool
    max_missing: np.ndarray  # (d,)
    band_uppers: np.ndarray  # (b,)

    @classmethod
    def of(cls, instrument: Instrument) -> Weights:
        """The instrument's arrays, built once per instrument and kept with it."""
        return instrument.derived(cls._build)

    @classmethod
    def _build(cls, instrument: Instrument) -> Weights:
        spec, settings = instrument.spec, instrument.settings
        domain_index = {d.id: n for n, d in enumerate(spec.domains)}
        scales = [instrument.scale_of(item) for item in spec.items]
        low = np.array([s.min for s in scales], dtype=float)
        span = np.array([s.max - s.min for s in scales], dtype=float)
        protective = np.array([item.direction == "protective" for item in spec.items])
        domain_of = np.array([domain_index[item.domain] for item in spec.items])
        membership = np.zeros((len(spec.items), len(spec.domains)))
        membership[np.arange(len(spec.items)), domain_of] = 1.0
        risk = np.array([d.kind == "risk" for d in spec.domains])
        raw = np.array([d.weight for d in spec.domains]) * (risk | settings.protective_lowers_total)
        return cls(
            slope=np.where(protective, -1.0, 1.0) / span,
            offset=np.where(protective, 1.0 + low / span, -low / span),
            item_weight=np.array([item.weight for item in spec.items], dtype=float),
            membership=membership,
            domain_of=domain_of,
            domain_share=raw / raw.sum(),
            risk_domain=risk,
            max_missing=np.array([d.max_missing for d in spec.domains]),
            band_uppers=np.array([b.upper for b in spec.advice.bands], dtype=float),
        )

    def toward_risk(self, ratings: np.ndarray | float, j: int | slice = slice(None)) -> np.ndarray:
        """``r`` for ratings of item(s) ``j``."""
        return ratings * self.slope[j] + self.offset[j]

    def band_of(self, total: np.ndarray | float) -> np.ndarray:
        return np.searchsorted(self.band_uppers[:-1], total, side="right")


@dataclass(frozen=True)
class Kernel:
    """The engine's numbers for a bare (candidates x items) rating matrix; see :func:`score_values`.

    ``domain_risk`` is each domain score oriented toward risk (what the total
    averages); ``domain_scores`` the same in each domain's own orientation
    (``100 - domain_risk`` for a protective domain).
    """

    contributions: np.ndarray
    domain_risk: np.ndarray
    domain_scores: np.ndarray
    domain_missing: np.ndarray
    domain_assessable: np.ndarray
    rated_weight: np.ndarray
    total: np.ndarray
    assessable: np.ndarray
    prorated: np.ndarray
    band: np.ndarray


@dataclass(frozen=True)
class Scores(Kernel):
    """Scores of every candidate, with the arithmetic behind them.

    Arrays are aligned: rows with ``ratings.candidate_ids``, item columns with
    ``instrument.item_ids``, domain columns with ``instrument.domain_ids``.
    ``total`` is NaN and ``band`` -1 where the candidate is not assessable;
    ``rated_weight`` is the item weight actually rated per domain (the
    denominator of its prorated score).
    """

    instrument: Instrument
    ratings: Ratings

    def __len__(self) -> int:
        return len(self.total)

    @property
    def candidate_ids(self) -> np.ndarray:
        return self.ratings.candidate_ids

    def band_ids(self) -> np.ndarray:
        names = np.array([b.id for b in self.instrument.spec.advice.bands] + [""], dtype=object)
        return names[self.band]

    def to_frame(self, contributions: bool = False) -> pd.DataFrame:
        """One row per candidate: total, band, domain scores, missing and disputed counts."""
        index = pd.Index(self.candidate_ids, name="candidate_id")
        frame = pd.DataFrame(
            {
                "total": self.total,
                "band": pd.Series([b or None for b in self.band_ids()], index=index, dtype=object),
                "assessable": self.assessable,
                "prorated": self.prorated,
                "missing_items": self.domain_missing.sum(axis=1),
                "disputed_items": self.ratings.disputed.sum(axis=1),
            },
            index=index,
        )
        domains = pd.DataFrame(
            self.domain_scores,
            index=index,
            columns=[f"domain.{d}" for d in self.instrument.domain_ids],
        )
        parts = [frame, domains]
        if contributions:
            parts.append(
                pd.DataFrame(
                    self.contributions,
                    index=index,
                    columns=[f"contribution.{i}" for i in self.instrument.item_ids],
                )
            )
        return pd.concat(parts, axis=1)


def score_values(values: np.ndarray, w: Weights, max_missing_fraction: float = 1.0) -> Kernel:
    """Score a float matrix of (aggregated) ratings, NaN where not known; no validation.

    The numeric kernel behind :func:`score_ratings` and the research estimators:
    ``values`` has one column per item in the order of ``w``, every value within
    its item's scale.
    """
    present = ~np.isnan(values)
    complete = bool(present.all())
    if complete:
        risk, rated_weight, contributions = _complete(values, w)
        missing = np.zeros(risk.shape, dtype=np.int64)
    else:
        risk, rated_weight, contributions, missing = _with_missing(values, present, w)
    domain_ok = (missing <= w.max_missing) & (rated_weight > 0)
    risk = np.where(domain_ok, np.round(risk, DECIMALS), np.nan)
    total = np.round(np.nan_to_num(risk) @ w.domain_share, DECIMALS)
    domain_scores = np.where(w.risk_domain, risk, 100.0 - risk)
    counted = w.domain_share > 0
    assessable = np.asarray(domain_ok[:, counted].all(axis=1), dtype=bool)
    prorated = np.zeros(len(total), dtype=bool)
    if not complete:
        assessable &= missing.sum(axis=1) / values.shape[1] <= max_missing_fraction
        prorated = assessable & (missing[:, counted] > 0).any(axis=1)
    total = np.where(assessable, total, np.nan)
    band = np.where(assessable, w.band_of(np.nan_to_num(total)), -1)
    return Kernel(
        contributions,
        risk,
        domain_scores,
        missing,
        domain_ok,
        rated_weight,
        total,
        assessable,
        prorated,
        band,
    )


def score_ratings(instrument: Instrument, ratings: Ratings) -> Scores:
    """Score aggregated ``ratings`` with ``instrument``; see the module docstring for the arithmetic."""
    k = score_values(
        ratings.values, Weights.of(instrument), instrument.settings.max_missing_fraction
    )
    return Scores(
        **{f.name: getattr(k, f.name) for f in fields(Kernel)},
        instrument=instrument,
        ratings=ratings,
    )


def _complete(values: np.ndarray, w: Weights) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every item rated: risk-oriented domain scores and contributions are affine in the ratings."""
    domain_weight = w.item_weight @ w.membership
    per_item = 100.0 * w.item_weight / domain_weight[w.domain_of]
    risk = (
        values @ (w.membership * (per_item * w.slope)[:, None])
        + (per_item * w.offset) @ w.membership
    )
    share = w.domain_share[w.domain_of]
    contributions = values * (share * per_item * w.slope)
    contributions += share * per_item * w.offset
    return risk, np.broadcast_to(domain_weight, risk.shape), contributions


def _with_missing(
    values: np.ndarray, present: np.ndarray, w: Weights
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Prorated over the items rated: each domain's weights renormalised per candidate."""
    r = np.where(present, w.toward_risk(values), 0.0)
    weighted_present = present * w.item_weight
    domain_weight = weighted_present @ w.membership
    missing = np.rint((~present).astype(float) @ w.membership).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        risk = 100.0 * ((r * w.item_weight) @ w.membership) / domain_weight
        per_weight = (
            100.0
            * w.domain_share[w.domain_of]
            * w.item_weight
            / np.take(domain_weight, w.domain_of, axis=1)
        )
        contributions = np.where(present, r * per_weight, np.nan)
    return risk, domain_weight, contributions, missing
