"""Generalizability theory: how many raters (and items) does the committee need?

A G study splits the variance of ratings into candidates (the universe-score
variance, what the instrument is for), raters, items and their interactions; a D
study says what the coefficient would be with ``n'`` raters and ``m'`` items
(Cronbach et al. 1972; Brennan 2001, *Generalizability Theory*, chapters 2-4;
Shavelson & Webb 1991).

- :func:`g_study`: random-effects ANOVA variance components (expected mean
  squares) for the crossed designs candidates x raters (``p x r``, the wide
  input of :func:`icc`) and candidates x raters x items (``p x r x i``, the
  long ratings table);
- :func:`d_study`: the relative (generalizability, ``E rho^2``) and absolute
  (dependability, ``Phi``) coefficients for any numbers of raters and items;
- :func:`raters_needed`: the fewest raters for a coefficient of at least X.

For ``p x r`` with the G study's own number of raters, the relative
coefficient is ICC(C,k) (ICC3k) and the absolute one ICC(A,k) (ICC2k) (McGraw &
Wong 1996); the tests check both identities.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._common import ReliabilityWarning, _at_least, _fail, _listwise, _numeric

Coefficient = Literal["relative", "absolute"]
COEFFICIENTS = ("relative", "absolute")

# sources of variance per design, in ANOVA order: (name, facets it contains)
SOURCES = {
    "p x r": (("p", "p"), ("r", "r"), ("pr,e", "pr")),
    "p x r x i": (
        ("p", "p"),
        ("r", "r"),
        ("i", "i"),
        ("pr", "pr"),
        ("pi", "pi"),
        ("ri", "ri"),
        ("pri,e", "pri"),
    ),
}


@dataclass(frozen=True)
class GStudy:
    """The variance components of a G study.

    ``components`` has one row per source (``p`` candidates, ``r`` raters,
    ``i`` items and their interactions; the last, confounded with error, is
    ``pr,e`` or ``pri,e``) with columns ``source, df, ss, ms, variance, share``:
    ``variance`` the ANOVA estimate (may be negative by sampling error),
    ``share`` its part of the total after negative estimates are set to 0
    (Brennan 2001, 3.4: the zeroed values are used in the D study).
    ``n_candidates, n_raters, n_items`` the sizes used (``n_items = 1`` for
    ``p x r``), ``n_dropped`` the candidates left out for a missing cell.
    """

    design: str
    components: pd.DataFrame
    n_candidates: int
    n_raters: int
    n_items: int
    n_dropped: int = 0

    def variance(self, source: str) -> float:
        """The variance component of ``source`` as used in a D study (negative estimates as 0)."""
        table = self.components.set_index("source")["variance"]
        if source not in table.index:
            raise _fail(
                f"The 'source' parameter of GStudy.variance must be one of {list(table.index)}. "
                f"Got {source!r} instead."
            )
        return max(float(table[source]), 0.0)


def g_study(
    data: pd.DataFrame | np.ndarray | Sequence[Sequence[float]],
    items: Sequence[str] | None = None,
    candidates: str = "candidate_id",
    raters: str = "rater_id",
) -> GStudy:
    """Variance components of a fully crossed random design: ``p x r`` or ``p x r x i``.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Without ``items``: wide, one row per candidate and one column per rater
        (as :func:`icc`), design ``p x r``. With ``items``: the long ratings
        table (one row per candidate and rater, a column per item, as
        :func:`weegtool.read_ratings` reads it), design ``p x r x i``.
    items : sequence of str, optional
        The item columns of a long table (at least 2).
    candidates, raters : str
        The id columns of a long table.

    Returns
    -------
    GStudy

    Raises
    ------
    ReliabilityError
        Ratings that are not numbers, a missing column, a candidate rated twice
        by one rater, fewer than 2 raters, items or complete candidates.

    Warns
    -----
    ReliabilityWarning
        When candidates with a missing cell were left out.

    Notes
    -----
    Missing cells: the expected-mean-square equations hold for a balanced
    design, so a candidate with any missing cell (a rating left blank, or a
    rater of the panel who did not rate the candidate) is left out as a whole
    (listwise deletion of candidates), with a warning saying how many. The
    variance components stay unbiased when cells are missing at random; the
    price is precision. (Brennan 2001, chapter 7, gives Henderson's method 1
    for unbalanced designs, which uses every cell; not implemented here.)
    """
    if items is None:
        values = _numeric(data, "data", "g_study")
        _at_least(values.shape[1], 2, "raters (columns)", "data", "g_study")
        complete, dropped = _listwise(values, "g_study", "data", "candidates", "rating")
        cube = values[complete][:, :, None]
        design = "p x r"
    else:
        cube, dropped = _cube(data, list(items), candidates, raters)
        design = "p x r x i"
    _at_least(cube.shape[0], 2, "complete candidates", "data", "g_study")
    components = _components(cube, SOURCES[design] if design == "p x r x i" else SOURCES["p x r"])
    n, r, k = cube.shape
    return GStudy(design, components, n, r, k, dropped)


def d_study(
    g: GStudy, raters: int | Sequence[int] | None = None, items: int | Sequence[int] | None = None
) -> pd.DataFrame:
    """Relative and absolute coefficients of a D study with ``raters`` raters and ``items`` items.

    Parameters
    ----------
    g : GStudy
    raters, items : int or sequence of int, optional
        The D study's numbers of raters and items (each >= 1); by default the
        G study's own. Every combination gets a row. ``items`` applies to
        ``p x r x i`` only.

    Returns
    -------
    DataFrame
        Columns ``raters, items, relative_error, absolute_error, relative,
        absolute``: ``relative_error = s2(pr)/n'r + s2(pi)/n'i + s2(pri,e)/(n'r n'i)``,
        ``absolute_error`` adds ``s2(r)/n'r + s2(i)/n'i + s2(ri)/(n'r n'i)``;
        ``relative = s2(p) / (s2(p) + relative_error)`` (E rho^2) and
        ``absolute = s2(p) / (s2(p) + absolute_error)`` (Phi), Brennan (2001),
        4.1. NaN where the candidate variance and the error are both 0.
    """
    n_raters = _sizes(raters, g.n_raters, "raters")
    n_items = _sizes(items, g.n_items, "items")
    if g.design == "p x r" and n_items != [1]:
        raise _fail(
            "The 'items' parameter of d_study applies to a p x r x i G study only. "
            f"Got items={items!r} for a {g.design} G study instead."
        )
    v = {s: g.variance(s) for s in g.components["source"]}
    rows = []
    for nr in n_raters:
        for ni in n_items:
            if g.design == "p x r":
                relative = v["pr,e"] / nr
                absolute = relative + v["r"] / nr
            else:
                relative = v["pr"] / nr + v["pi"] / ni + v["pri,e"] / (nr * ni)
                absolute = relative + v["r"] / nr + v["i"] / ni + v["ri"] / (nr * ni)
            rows.append(
                (nr, ni, relative, absolute, _ratio(v["p"], relative), _ratio(v["p"], absolute))
            )
    return pd.DataFrame(
        rows,
        columns=["raters", "items", "relative_error", "absolute_error", "relative", "absolute"],
    )


def raters_needed(
    g: GStudy,
    at_least: float,
    coefficient: Coefficient = "absolute",
    items: int | None = None,
    max_raters: int = 100,
) -> int | None:
    """The fewest raters whose mean reaches ``coefficient >= at_least``; None if ``max_raters`` do not.

    ``coefficient`` "absolute" (Phi, agreement on the level, the one for a
    fixed cut-off such as an advice band) or "relative" (E rho^2, the ranking
    of candidates). ``items`` as in :func:`d_study`.
    """
    if not isinstance(at_least, (int, float)) or not 0 < at_least < 1:
        raise _fail(
            "The 'at_least' parameter of raters_needed must be a number in (0, 1). "
            f"Got {at_least!r} instead."
        )
    if coefficient not in COEFFICIENTS:
        raise _fail(
            f"The 'coefficient' parameter of raters_needed must be one of {COEFFICIENTS}. "
            f"Got {coefficient!r} instead."
        )
    table = d_study(g, list(range(1, max_raters + 1)), items)
    reached = table[table[coefficient] >= at_least - 1e-12]
    return int(reached["raters"].iloc[0]) if len(reached) else None


# --- arithmetic ------------------------------------------------------------------------------


def _components(cube: np.ndarray, sources: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """Sums of squares of a balanced crossed cube (p, r, i) and the EMS solution for the variances."""
    sizes = dict(zip("pri", cube.shape))
    grand = cube.mean()
    means = {
        "p": cube.mean(axis=(1, 2)),
        "r": cube.mean(axis=(0, 2)),
        "i": cube.mean(axis=(0, 1)),
        "pr": cube.mean(axis=2),
        "pi": cube.mean(axis=1),
        "ri": cube.mean(axis=0),
    }
    total = cube.size
    ss = {
        "p": total * np.var(means["p"]),
        "r": total * np.var(means["r"]),
        "i": total * np.var(means["i"]),
    }
    for a, b in (("p", "r"), ("p", "i"), ("r", "i")):
        effect = means[a + b] - _expand(means[a], a, a + b) - _expand(means[b], b, a + b) + grand
        ss[a + b] = total / (sizes[a] * sizes[b]) * float((effect**2).sum())
    ss["pri"] = float(((cube - grand) ** 2).sum()) - sum(ss.values())
    df = {f: math.prod(sizes[c] - 1 for c in f) for f in ("p", "r", "i", "pr", "pi", "ri", "pri")}
    kept = [facets for _, facets in sources]
    if "pri" not in kept:  # p x r: the residual is pr (i has one level)
        ss = {f: ss[f] for f in ("p", "r", "pr")}
    ms = {f: ss[f] / df[f] if df[f] else math.nan for f in ss}
    variance = _ems(ms, sizes, kept)
    names = [name for name, _ in sources]
    table = pd.DataFrame(
        {
            "source": names,
            "df": [df[f] for f in kept],
            "ss": [float(ss[f]) for f in kept],
            "ms": [float(ms[f]) for f in kept],
            "variance": [variance[f] for f in kept],
        }
    )
    positive = table["variance"].clip(lower=0)
    table["share"] = positive / positive.sum() if positive.sum() > 0 else math.nan
    return table


def _expand(mean: np.ndarray, axis: str, pair: str) -> np.ndarray:
    return mean[:, None] if pair.index(axis) == 0 else mean[None, :]


def _ems(ms: dict[str, float], n: dict[str, int], kept: list[str]) -> dict[str, float]:
    """Solve the expected mean squares of a crossed random design, highest interaction first.

    ``E MS(f) = sum over sources g containing f of s2(g) * prod of n over the facets not in g``
    (Brennan 2001, 3.4; Cornfield & Tukey 1956).
    """
    variance: dict[str, float] = {}
    for f in sorted(kept, key=len, reverse=True):
        higher = [g for g in kept if g != f and set(f) <= set(g)]
        rest = ms[f] - sum(variance[g] * _product(n, kept[-1], g) for g in higher)
        variance[f] = rest / _product(n, kept[-1], f)
    return variance


def _product(n: dict[str, int], full: str, source: str) -> int:
    return math.prod(n[c] for c in full if c not in source)


def _ratio(universe: float, error: float) -> float:
    total = universe + error
    return universe / total if total > 0 else math.nan


def _sizes(value: int | Sequence[int] | None, default: int, name: str) -> list[int]:
    values = [default] if value is None else [value] if isinstance(value, int) else list(value)
    bad = [
        v for v in values if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1
    ]
    if bad or not values:
        raise _fail(
            f"The {name!r} parameter of d_study must be whole numbers >= 1. Got {value!r} instead."
        )
    return [int(v) for v in values]


def _cube(data: Any, items: list[str], candidates: str, raters: str) -> tuple[np.ndarray, int]:
    """The long ratings table as a candidates x raters x items cube of complete candidates."""
    if not isinstance(data, pd.DataFrame):
        raise _fail(
            "The 'data' parameter of g_study must be a DataFrame (the long ratings table) when "
            f"'items' is given. Got {type(data).__name__} instead."
        )
    _at_least(len(items), 2, "items", "items", "g_study")
    absent = [c for c in [candidates, raters, *items] if c not in data.columns]
    if absent:
        raise _fail(
            f"The long ratings table passed to g_study has no column {', '.join(map(repr, absent))}; "
            f"its columns are {list(map(str, data.columns))}."
        )
    twice = data.duplicated([candidates, raters], keep=False)
    if twice.any():
        row = data[twice].iloc[0]
        raise _fail(
            "The long ratings table passed to g_study must have one row per candidate and rater. "
            f"Got {int(twice.sum())} rows for repeated pairs, the first candidate "
            f"{row[candidates]!r} with rater {row[raters]!r}, instead."
        )
    values = _numeric(data[items].reset_index(drop=True), "data", "g_study")
    ids = data[candidates].astype(str).to_numpy()
    who = data[raters].astype(str).to_numpy()
    people, person_at = np.unique(ids, return_inverse=True)
    panel, rater_at = np.unique(who, return_inverse=True)
    _at_least(len(panel), 2, "raters", "data", "g_study")
    cube = np.full((len(people), len(panel), len(items)), np.nan)
    cube[person_at, rater_at, :] = values
    complete = ~np.isnan(cube).any(axis=(1, 2))
    dropped = int((~complete).sum())
    if dropped:
        warnings.warn(
            f"g_study: {dropped} of {len(people)} candidates have a missing cell (a blank rating or a "
            f"rater who did not rate them) and are left out (listwise deletion); "
            f"{int(complete.sum())} remain.",
            ReliabilityWarning,
            stacklevel=3,
        )
    return cube[complete], dropped
