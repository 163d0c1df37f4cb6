"""Seeded synthetic cohorts: latent traits, item ratings, raters with their own bias and noise.

Nothing here is real data. The generative model is deliberately simple and
documented so that researchers can reason about what a method should recover:

- each candidate has a general severity ``g ~ N(0, 1)`` and per-domain
  deviations ``N(0, domain_sd)``; protective domains load negatively on ``g``;
- an item's true level is the latent value cut by equally spaced thresholds
  on the item's scale;
- each rater adds a personal bias ``N(0, rater_bias_sd)`` and per-rating noise
  ``N(0, rater_noise_sd)`` before the cut; a share ``missing_rate`` of ratings
  is left blank;
- candidate fields: age, consent, placement direction and flags, the flags more
  likely at high severity; ``outcome`` (1: placement continued) falls with
  severity and rises with protective factors; ``breakdown`` is its complement
  (1: placement broke down), the adverse event that the weight, threshold and
  classifier methods predict (they take 1 as the adverse class).

For fairness analyses the truth frame also holds ``sex`` ("F" or "M", each
with probability 0.5, independent of everything else) and ``age_band``
(``AGE_BANDS``, cut from the candidate's age). ``sex`` is drawn from a child
generator, ``np.random.default_rng([seed, 1])``, so the other columns are
exactly those of earlier versions for the same seed. By default neither sex
nor age band affects ratings or outcome: a fair null model. With
``rater_sex_bias`` every rater sees a female candidate that much heavier on
the latent scale, before the cut: risk items higher, protective items lower.
That is a measurement bias (the outcome still follows the true severity), so
a method can be checked to find a disparity that is there.

Selective labels. A plausible committee decides (``Cohort.decisions``): it
reads the engine's advice on the raters' ratings (:func:`weegtool.score`,
:func:`weegtool.advise`) and follows it, except in a share ``deviation_rate``
of candidates, where it goes one step heavier (a suitable advice to
``refer``, ``lighter_care`` to suitable) or lighter (the reverse), with equal
probability, citing the two items that most support the move. With
``committee_sex_bias`` the committee in addition turns that share of the
*female* candidates whose advice was suitable to ``refer``: a planted bias
that :func:`override_analysis` must find. A candidate is ``placed`` when the
decision is a suitable category (``instrument.spec.advice.suitable``). These
draws come from a child generator ``[seed, 2]``, so every other column is
unchanged. Only the placed have an outcome: by default (``outcomes="placed"``)
``outcome``, ``breakdown`` and the placement columns are NaN/empty for the
others, as in a real pilot; ``outcomes="all"`` keeps every candidate's
(counterfactual) outcome, for the sensitivity analyses that need to know what
selection hid. The placement columns are those of the researcher's export
from the database: ``placement_start``, ``placement_end``, ``end_reason``
(``END_REASONS``; one of ``UNPLANNED`` for a breakdown), ``planned_end`` (a
year after the start), ``days_placed`` and ``days_to_breakdown``; every
synthetic placement has ended (none is ongoing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ..instrument import Instrument
from ..outcomes import END_REASON_IDS, UNPLANNED
from ..outcomes import END_REASONS as _END_REASONS
from ..ratings import DIRECTIONS

__all__ = ["Cohort", "synthetic_cohort", "age_bands", "AGE_BANDS", "END_REASONS", "UNPLANNED"]

# The end reasons are the app's one fixed list (weegtool.outcomes), ids only here
END_REASONS = END_REASON_IDS
PLANNED_OR_OTHER = tuple(r.id for r in _END_REASONS if not r.breakdown)
FIRST_INTAKE = np.datetime64("2024-01-01")

AGE_BANDS = (
    "under 12",
    "12-17",
    "18+",
)  # child, adolescent (Jeugdwet), young adult (extended youth care)

FLAG_RATES = {  # base rate at average severity; rises with severity
    "suicide_risk": 0.12,
    "drug_misuse": 0.10,
    "addiction": 0.06,
    "danger_in_house": 0.05,
    "sexual_violence_victim": 0.08,
    "sexual_violence_perpetrator": 0.03,
    "needs_secured_setting": 0.02,
    "needs_clinical_admission": 0.02,
    "nursing_or_night_supervision": 0.01,
    "sign_language_only": 0.005,
}


@dataclass(frozen=True)
class Cohort:
    """A synthetic cohort: the ratings table (one row per candidate and rater), candidates, truth.

    ``candidates`` holds only fields weegtool reads (it can be passed to
    :func:`weegtool.score`); ``truth`` holds what a real intake does not see or
    score: ``severity``, ``outcome`` (1: placement continued), ``sex`` and
    ``age_band``, and the placement columns of the researcher's export.
    ``decisions`` is the committee's: ``candidate_id, advice, decision,
    follows_advice, direction`` ("", "heavier" or "lighter"), ``items`` (the
    items a deviation cites, ";"-separated) and ``placed``.
    """

    ratings: pd.DataFrame
    candidates: pd.DataFrame
    truth: pd.DataFrame
    decisions: pd.DataFrame = field(default_factory=pd.DataFrame)


def synthetic_cohort(
    instrument: Instrument,
    n_candidates: int = 30,
    n_raters: int = 3,
    seed: int = 0,
    missing_rate: float = 0.02,
    rater_bias_sd: float = 0.15,
    rater_noise_sd: float = 0.25,
    domain_sd: float = 0.6,
    rater_sex_bias: float = 0.0,
    severity_mean: float = 0.0,
    severity_sd: float = 1.0,
    outcomes: Literal["placed", "all"] = "placed",
    deviation_rate: float = 0.1,
    committee_sex_bias: float = 0.0,
) -> Cohort:
    """A seeded cohort for ``instrument``: same seed, same cohort.

    Parameters
    ----------
    instrument : Instrument
        The items, scales, flags and age range to generate for.
    n_candidates, n_raters : int
        Cohort size and raters per candidate (every rater rates every candidate).
    seed : int
        Same seed, same cohort; the columns added later (``sex``) come from a
        child generator and leave the others unchanged.
    missing_rate, rater_bias_sd, rater_noise_sd, domain_sd : float
        See the module docstring.
    rater_sex_bias : float
        Latent shift toward risk every rater adds for female candidates (0: no bias).
    severity_mean, severity_sd : float
        The general severity is ``N(severity_mean, severity_sd)``; a small
        ``severity_sd`` gives a homogeneous target group whose ratings crowd
        into few levels (skewed prevalence: the kappa paradox). The defaults
        give the same cohort as before these parameters existed.
    outcomes : {"placed", "all"}
        "placed" (default): outcomes only for the placed, NaN for the rest, as
        in reality; "all": every candidate's outcome (what selection hides).
    deviation_rate : float
        The share of candidates for whom the committee decides against the
        advice (see the module docstring).
    committee_sex_bias : float
        The extra share of female candidates with a suitable advice whom the
        committee refers to heavier care (0: no bias).
    """
    if n_candidates < 1 or n_raters < 1:
        raise ValueError(
            f"n_candidates and n_raters must be >= 1; got {n_candidates} and {n_raters}."
        )
    if outcomes not in ("placed", "all"):
        raise ValueError(f"outcomes must be 'placed' or 'all'; got {outcomes!r}.")
    for name, share in (
        ("deviation_rate", deviation_rate),
        ("committee_sex_bias", committee_sex_bias),
    ):
        if not 0 <= share <= 1:
            raise ValueError(f"{name} must be in [0, 1]; got {share!r}.")
    rng = np.random.default_rng(seed)
    sex = np.random.default_rng([seed, 1]).choice(np.array(["F", "M"], dtype=object), n_candidates)
    ids = np.array([f"K{n:05d}" for n in range(1, n_candidates + 1)], dtype=object)
    general = rng.normal(severity_mean, severity_sd, n_candidates)
    latent = _item_latents(instrument, general, rng, domain_sd)
    toward_risk = np.array([1.0 if item.direction == "risk" else -1.0 for item in instrument.items])
    seen = latent + rater_sex_bias * np.outer(sex == "F", toward_risk)
    ratings = _rated(
        instrument, seen, ids, n_raters, rng, rater_bias_sd, rater_noise_sd, missing_rate
    )
    candidates = _candidates(instrument, ids, general, rng)
    outcome = _outcome(general, latent, instrument, rng)
    truth = pd.DataFrame(
        {
            "candidate_id": ids,
            "severity": general,
            "outcome": outcome,
            "breakdown": 1 - outcome,
            "sex": sex,
            "age_band": age_bands(candidates["age"]),
        }
    )
    rng2 = np.random.default_rng([seed, 2])
    decisions = _committee(
        instrument, ratings, candidates, sex, rng2, deviation_rate, committee_sex_bias
    )
    placements = _placements(decisions["placed"].to_numpy(dtype=bool), outcome, rng2)
    truth = pd.concat([truth, placements], axis=1)
    if outcomes == "placed":
        truth[["outcome", "breakdown"]] = truth[["outcome", "breakdown"]].astype(float)
        truth.loc[~truth["placed"], ["outcome", "breakdown"]] = np.nan
    return Cohort(ratings, candidates, truth, decisions)


def _committee(
    instrument: Instrument,
    ratings: pd.DataFrame,
    candidates: pd.DataFrame,
    sex: np.ndarray,
    rng: np.random.Generator,
    deviation_rate: float,
    sex_bias: float,
) -> pd.DataFrame:
    """The committee's decisions: the engine's advice, followed or deviated from (module docstring)."""
    from ..advice import advise  # the engine, only here: the rest of the generator needs none of it
    from ..api import score

    scores = score(instrument, ratings, candidates)
    advice = np.array([a.category for a in advise(scores)], dtype=object)
    suitable = tuple(instrument.spec.advice.suitable)
    ids = instrument.spec.advice.categories
    refer = "refer" if any(c.id == "refer" for c in ids) else None
    lighter = "lighter_care" if any(c.id == "lighter_care" for c in ids) else None
    n = len(advice)
    fits = np.isin(advice, suitable)
    deviate = rng.random(n) < deviation_rate
    heavier = rng.random(n) < 0.5
    biased = (rng.random(n) < sex_bias) & (sex == "F") & fits
    decision = advice.copy()
    direction = np.full(n, "", dtype=object)
    for i in range(n):
        step = (
            "heavier"
            if biased[i]
            else ("heavier" if heavier[i] else "lighter")
            if deviate[i]
            else ""
        )
        to = _step(advice[i], step, suitable, refer, lighter)
        if to is not None and to != advice[i]:
            decision[i], direction[i] = to, step
    values = scores.ratings.values
    risk = np.array([item.direction == "risk" for item in instrument.items])
    items = [
        _cited(values[i], risk, instrument.item_ids, direction[i]) if direction[i] else ""
        for i in range(n)
    ]
    return pd.DataFrame(
        {
            "candidate_id": np.asarray(scores.candidate_ids, dtype=object),
            "advice": advice,
            "decision": decision,
            "follows_advice": decision == advice,
            "direction": direction,
            "items": items,
            "placed": np.isin(decision, suitable),
        }
    )


def _step(
    advice: str, step: str, suitable: tuple[str, ...], refer: str | None, lighter: str | None
) -> str | None:
    """The category one step heavier or lighter than ``advice`` (None: no such step)."""
    if not step or not suitable:
        return None
    if step == "heavier":
        return refer if advice in suitable else suitable[0] if advice == lighter else None
    return lighter if advice in suitable else suitable[0] if advice == refer else None


def _cited(values: np.ndarray, risk: np.ndarray, item_ids: tuple[str, ...], direction: str) -> str:
    """The two items that most support a move: highest risk ratings (heavier) or protective ones (lighter)."""
    pick = risk if direction == "heavier" else ~risk
    order = [j for j in np.argsort(-np.nan_to_num(values, nan=-1.0), kind="stable") if pick[j]]
    return ";".join(item_ids[j] for j in order[:2])


def _placements(placed: np.ndarray, outcome: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """The placement columns of the researcher's export, for the placed."""
    n = len(placed)
    start = FIRST_INTAKE + rng.integers(0, 365, n).astype("timedelta64[D]")
    planned = start + np.timedelta64(365, "D")
    broke = placed & (outcome == 0)
    days = np.where(broke, rng.integers(14, 331, n), 365)
    reason = np.where(
        broke,
        rng.choice(np.array(UNPLANNED, dtype=object), n, p=[0.5, 0.3, 0.2]),
        rng.choice(
            np.array(PLANNED_OR_OTHER, dtype=object),
            n,
            p=[0.45, 0.25, 0.25, 0.05],
        ),
    )
    never = np.datetime64("NaT")
    return pd.DataFrame(
        {
            "placed": placed,
            "placement_start": np.where(placed, start, never),
            "placement_end": np.where(placed, start + days.astype("timedelta64[D]"), never),
            "end_reason": np.where(placed, reason, ""),
            "planned_end": np.where(placed, planned, never),
            "days_placed": np.where(placed, days, np.nan),
            "days_to_breakdown": np.where(broke, days, np.nan),
        }
    )


def age_bands(age: pd.Series | np.ndarray) -> np.ndarray:
    """``AGE_BANDS`` for ages in whole years: under 12, 12-17, 18 and over."""
    return np.array(AGE_BANDS, dtype=object)[
        np.searchsorted([12, 18], np.asarray(age), side="right")
    ]


def _item_latents(
    instrument: Instrument, general: np.ndarray, rng: np.random.Generator, domain_sd: float
) -> np.ndarray:
    n = len(general)
    domain_dev = rng.normal(0.0, domain_sd, (n, len(instrument.domains)))
    columns = []
    for item in instrument.items:
        d = instrument.domain_ids.index(item.domain)
        sign = 1.0 if item.direction == "risk" else -1.0
        columns.append(sign * (general + domain_dev[:, d]) + rng.normal(0.0, 0.5, n))
    return np.column_stack(columns)


def _cut(instrument: Instrument, latent: np.ndarray) -> np.ndarray:
    """Latent values (about N(0, 1.3)) to the item's scale levels by equal-probability cuts."""
    out = np.empty_like(latent)
    for j, item in enumerate(instrument.items):
        levels = np.asarray(instrument.scale_of(item).values, dtype=float)
        cuts = np.linspace(-1.6, 1.6, len(levels) - 1)
        out[:, j] = levels[np.searchsorted(cuts, latent[:, j])]
    return out


def _rated(
    instrument: Instrument,
    latent: np.ndarray,
    ids: np.ndarray,
    n_raters: int,
    rng: np.random.Generator,
    bias_sd: float,
    noise_sd: float,
    missing_rate: float,
) -> pd.DataFrame:
    frames = []
    biases = rng.normal(0.0, bias_sd, n_raters)
    for r in range(n_raters):
        observed = latent + biases[r] + rng.normal(0.0, noise_sd, latent.shape)
        values = _cut(instrument, observed)
        values[rng.random(values.shape) < missing_rate] = np.nan
        frame = pd.DataFrame(values, columns=list(instrument.item_ids))
        frame.insert(0, "rater_id", f"B{r + 1}")
        frame.insert(0, "candidate_id", ids)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True).sort_values(
        ["candidate_id", "rater_id"], kind="stable"
    )
    return table.reset_index(drop=True).astype({item: "Int64" for item in instrument.item_ids})


def _candidates(
    instrument: Instrument, ids: np.ndarray, general: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    low, high = instrument.settings.age_range
    n = len(ids)
    age = np.clip(np.round(rng.normal((low + high) / 2 - 3, 3.5, n)), low - 1, high + 1).astype(int)
    known = {f.id for f in instrument.flags}
    flags = []
    for g in general:
        odds = {f: rate * np.exp(0.9 * g) for f, rate in FLAG_RATES.items() if f in known}
        flags.append(";".join(sorted(f for f, p in odds.items() if rng.random() < min(p, 0.9))))
    return pd.DataFrame(
        {
            "candidate_id": ids,
            "age": age,
            "consent": np.where(rng.random(n) < 0.95, "ja", "nee"),
            "direction": rng.choice(
                np.array(DIRECTIONS, dtype=object), n, p=[0.35, 0.25, 0.25, 0.15]
            ),
            "flags": flags,
        }
    )


def _outcome(
    general: np.ndarray, latent: np.ndarray, instrument: Instrument, rng: np.random.Generator
) -> np.ndarray:
    protective = np.array([item.direction == "protective" for item in instrument.items])
    support = latent[:, protective].mean(axis=1) if protective.any() else 0.0
    logit = 1.0 - 1.2 * general + 0.6 * support
    return (rng.random(len(general)) < 1.0 / (1.0 + np.exp(-logit))).astype(int)
