"""Shared pieces of the research methods: input checks and stratified bootstrap draws.

The bootstrap here resamples candidates *within* each outcome class
(stratified), so every resample holds both outcomes and keeps the observed
prevalence; pROC does the same by default for ROC statistics. Draws are made
in chunks, so that 1,000 resamples of 10,000 candidates never need more than
a few tens of megabytes at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ResearchError

__all__ = [
    "ResearchError",
    "binary_outcome",
    "numbers",
    "check_parameters",
    "chunk_sizes",
    "stratified_draws",
    "counts_of",
    "percentile_interval",
]

MAX_CELLS = 2_000_000  # draws per chunk: about 16 MB of int64
MAX_LISTED = 10


def _shown(values: Sequence[Any]) -> str:
    head = ", ".join(
        repr(v) if isinstance(v, str) else f"{v:g}" if isinstance(v, float) else str(v)
        for v in values[:MAX_LISTED]
    )
    return head + (f" and {len(values) - MAX_LISTED} more" if len(values) > MAX_LISTED else "")


def numbers(values: Any, name: str, problems: list[str]) -> np.ndarray:
    """``values`` as a 1-D float array; a problem (and an empty array) when they are not numbers."""
    try:
        if isinstance(values, (pd.Series, pd.Index)):
            array = values.to_numpy(dtype=float, na_value=np.nan)
        else:
            array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        problems.append(
            f"{name} must hold numbers; got {type(values).__name__} with values that are not."
        )
        return np.empty(0)
    if array.ndim != 1:
        problems.append(f"{name} must be one-dimensional; got shape {array.shape}.")
        return np.empty(0)
    return array


def binary_outcome(values: Any, problems: list[str], name: str = "outcome") -> np.ndarray:
    """``values`` as a 0/1 int array; every problem (missing, not binary, one class) added to ``problems``."""
    if np.ndim(values) != 1:  # None or a scalar would make an empty or one-row Series
        problems.append(
            f"{name} must be one-dimensional, a value per candidate; got {type(values).__name__}."
        )
        return np.empty(0, dtype=np.int64)
    series = pd.Series(values)
    missing = int(series.isna().sum())
    if missing:
        problems.append(
            f"{name} has {missing} missing value{'s' if missing != 1 else ''} of {len(series)}; "
            "record the outcome of every candidate or leave those candidates out; when only the "
            "placed have outcomes, say who was placed (placed=...)."
        )
    present = series[series.notna()]
    other = [v for v in pd.unique(present) if not (isinstance(v, (bool, np.bool_)) or v in (0, 1))]
    if other:
        problems.append(
            f"{name} must be binary (0/1 or False/True); got {_shown(sorted(other, key=str))}."
        )
        return np.empty(0, dtype=np.int64)
    outcome = present.astype(int).to_numpy()
    if not missing and len(outcome) and len(np.unique(outcome)) < 2:
        problems.append(
            f"{name} must hold both classes (0 and 1); got only {outcome[0]} "
            f"in all {len(outcome)} candidates."
        )
    return outcome if not missing else np.empty(0, dtype=np.int64)


def check_parameters(function: str, n_bootstrap: Any, level: Any, problems: list[str]) -> None:
    """The shared bootstrap parameters, in scikit-learn's message template."""
    if (
        isinstance(n_bootstrap, bool)
        or not isinstance(n_bootstrap, (int, np.integer))
        or n_bootstrap < 0
    ):
        problems.append(
            f"The 'n_bootstrap' parameter of {function} must be an int >= 0. Got {n_bootstrap!r} instead."
        )
    if isinstance(level, bool) or not isinstance(level, (float, int)) or not 0 < level < 1:
        problems.append(
            f"The 'level' parameter of {function} must be a float in (0, 1). Got {level!r} instead."
        )


def chunk_sizes(n_bootstrap: int, n: int) -> Iterator[int]:
    """Resamples per chunk, so that a chunk holds at most about ``MAX_CELLS`` draws."""
    step = max(1, MAX_CELLS // max(n, 1))
    for start in range(0, n_bootstrap, step):
        yield min(step, n_bootstrap - start)


def stratified_draws(
    rng: np.random.Generator, sizes: Sequence[int], chunk: int
) -> list[np.ndarray]:
    """For each stratum of ``sizes[k]`` candidates, ``chunk`` resamples of positions within it, shape (chunk, size)."""
    return [rng.integers(0, size, (chunk, size)) for size in sizes]


def counts_of(draws: np.ndarray, size: int) -> np.ndarray:
    """How often each of ``size`` positions was drawn, per resample: (chunk, size) ints."""
    chunk = draws.shape[0]
    offsets = np.arange(chunk)[:, None] * size
    return np.bincount((draws + offsets).ravel(), minlength=chunk * size).reshape(chunk, size)


def percentile_interval(samples: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """The percentile bootstrap interval over axis 0; NaN when there are no samples."""
    if len(samples) == 0:
        nan = np.full(samples.shape[1:], np.nan)
        return nan, nan.copy()
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(samples, [tail, 100 - tail], axis=0)
    return low, high
