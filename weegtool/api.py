"""The one validated public call over the numeric kernel: ``score``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .engine import Scores, score_ratings
from .instrument import Instrument, load_instrument
from .io import read_ratings
from .ratings import Ratings

__all__ = ["score"]


def score(
    instrument: Instrument | str | Path | None,
    ratings: Ratings | pd.DataFrame | str | Path,
    candidates: pd.DataFrame | str | Path | None = None,
    aggregation: str | None = None,
) -> Scores:
    """Validate ``ratings`` against ``instrument``, aggregate the raters and score every candidate.

    Parameters
    ----------
    instrument : Instrument, path or None
        A loaded instrument, a criteria file, or None for the default Twente instrument.
    ratings : Ratings, DataFrame or path (CSV or XLSX)
        One row per candidate and rater; see :mod:`weegtool.ratings`.
    candidates : DataFrame or path, optional
        Candidate fields (age, consent, direction, flags, ...) one row per candidate.
    aggregation : {"median", "mean", "min", "max"}, optional
        How raters are combined; the instrument's setting by default.

    Returns
    -------
    Scores
        Per candidate: contributions, domain scores, total and band; ``.to_frame()`` for a table.
    """
    if not isinstance(instrument, Instrument):
        instrument = load_instrument(instrument)
    if isinstance(ratings, Ratings):
        ratings.check_instrument(instrument)
    else:
        ratings = read_ratings(ratings, instrument, candidates, aggregation)
    return score_ratings(instrument, ratings)
