"""Factories shared by the tests (importable, unlike conftest)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from weegtool.instrument import Instrument


def ratings_frame(
    instrument: Instrument,
    n_candidates: int = 5,
    n_raters: int = 3,
    seed: int = 0,
    missing: float = 0.0,
) -> pd.DataFrame:
    """Random valid ratings: one row per candidate and rater."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_candidates):
        for r in range(n_raters):
            row: dict[str, Any] = {"candidate_id": f"C{c + 1}", "rater_id": f"R{r + 1}"}
            for item in instrument.items:
                values = instrument.scale_of(item).values
                row[item.id] = None if rng.random() < missing else int(rng.choice(values))
            rows.append(row)
    return pd.DataFrame(rows)
