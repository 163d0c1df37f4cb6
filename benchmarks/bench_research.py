"""The researchers' workload: a 5-fold cross-validated weight fit and 1,000 bootstrap resamples for thresholds.

On ``--n`` synthetic candidates (10,000 by default, three raters each, seeded),
outside every timed region the cohort is generated, read and scored. Timed:

  cv         ``cross_val_score`` (5 folds, ROC AUC) of ``CalibratedInstrumentClassifier``
             (non-negative item weights fitted to the outcome "placement broke down")
             against the same cross-validation of scikit-learn's unconstrained
             ``LogisticRegression`` on the same features: the baseline;
  bootstrap  ``youden_cutoff`` with 1,000 stratified bootstrap resamples against a plain
             loop that computes Youden's J with ``sklearn.metrics.roc_curve`` for each of
             ``--loop-resamples`` resamples, scaled to 1,000: the baseline;
  weights    ``fit_weights`` with 1,000 bootstrap refits (intervals for every item weight),
             reported on its own: the issue's goal concerns the first two.

Goal of the issue: cross-validated fit plus 1,000 threshold resamples on 10,000 cases
under 20 s on two cores. Nothing here asserts on time; results also go to
``benchmarks/results/research.json``.

    .venv/bin/python benchmarks/bench_research.py
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_curve
from sklearn.model_selection import StratifiedKFold, cross_val_score

import weegtool
from weegtool.research import (
    CalibratedInstrumentClassifier,
    fit_weights,
    risk_features,
    synthetic_cohort,
    youden_cutoff,
)

HERE = Path(__file__).resolve().parent


def clock(function: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def loop_youden(total: np.ndarray, outcome: np.ndarray, resamples: int, seed: int) -> float:
    """The baseline: resample, roc_curve, argmax J, one resample at a time."""
    rng = np.random.default_rng(seed)
    best = []
    for _ in range(resamples):
        pick = rng.integers(0, len(total), len(total))
        fpr, tpr, cuts = roc_curve(outcome[pick], total[pick])
        best.append(cuts[np.argmax(tpr - fpr)])
    return float(np.median(best))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument(
        "--loop-resamples", type=int, default=200, help="resamples of the plain loop (scaled)"
    )
    parser.add_argument("--out", type=Path, default=HERE / "results" / "research.json")
    args = parser.parse_args(argv)

    instrument = weegtool.load_instrument()
    cohort = synthetic_cohort(instrument, n_candidates=args.n, n_raters=3, seed=11, outcomes="all")
    scores = weegtool.score(instrument, cohort.ratings, cohort.candidates)
    keep = scores.assessable
    X = scores.ratings.to_frame()[keep]
    breakdown = 1 - cohort.truth["outcome"].to_numpy()[keep]
    total = scores.total[keep]
    features = risk_features(scores).to_numpy()[keep]
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    print(
        f"{args.n:,} candidates ({keep.sum():,} assessable), 3 raters each; {os.cpu_count()} cores"
    )

    cv_s, auc = clock(
        lambda: cross_val_score(
            CalibratedInstrumentClassifier(instrument),
            X.fillna(X.median()),
            breakdown,
            cv=folds,
            scoring="roc_auc",
        )
    )
    base_cv_s, base_auc = clock(
        lambda: cross_val_score(
            LogisticRegression(max_iter=1000), features, breakdown, cv=folds, scoring="roc_auc"
        )
    )
    boot_s, cut = clock(
        lambda: youden_cutoff(total, breakdown, n_bootstrap=args.bootstrap, random_state=0)
    )
    loop_s, _ = clock(lambda: loop_youden(total, breakdown, args.loop_resamples, 0))
    loop_scaled = loop_s * args.bootstrap / args.loop_resamples
    weights_s, _fitted = clock(
        lambda: fit_weights(features, breakdown, n_bootstrap=args.bootstrap, random_state=0)
    )

    goal = cv_s + boot_s
    print(f"5-fold CV, non-negative weights   {cv_s:7.2f} s  AUC {auc.mean():.3f}")
    print(
        f"  baseline LogisticRegression     {base_cv_s:7.2f} s  AUC {base_auc.mean():.3f}  "
        f"ratio {cv_s / base_cv_s:.1f}"
    )
    print(f"Youden cut-off, {args.bootstrap} resamples  {boot_s:7.2f} s  cut {cut.cutoff:.1f}")
    print(
        f"  baseline loop (scaled from {args.loop_resamples}) {loop_scaled:7.2f} s  "
        f"ratio {boot_s / loop_scaled:.2f}"
    )
    print(f"fit_weights, {args.bootstrap} bootstrap refits  {weights_s:7.2f} s")
    print(f"the issue's workload (CV + threshold bootstrap): {goal:.2f} s (goal < 20 s)")
    result = {
        "n": args.n,
        "assessable": int(keep.sum()),
        "cv_s": cv_s,
        "cv_auc": float(auc.mean()),
        "baseline_cv_s": base_cv_s,
        "baseline_auc": float(base_auc.mean()),
        "bootstrap_s": boot_s,
        "baseline_loop_scaled_s": loop_scaled,
        "fit_weights_bootstrap_s": weights_s,
        "workload_s": goal,
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cores": os.cpu_count(),
            "weegtool": weegtool.__version__,
            "date": _dt.date.today().isoformat(),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
