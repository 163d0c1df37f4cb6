"""The demo job: a seeded synthetic cohort scored with the default instrument."""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .advice import Advices, advise
from .api import score
from .engine import Scores
from .instrument import Instrument, load_instrument
from .io import load_houses, write_atomic, write_csv, write_json
from .research.synthetic import synthetic_cohort

__all__ = ["DemoResult", "run_demo", "EXAMPLE_HOUSES"]

EXAMPLE_HOUSES = (
    Path(__file__).parent / "examples" / "houses.yaml"
)  # a link to the top-level examples/


@dataclass(frozen=True)
class DemoResult:
    instrument: Instrument
    scores: Scores
    advices: Advices
    files: tuple[Path, ...]

    def counts(self) -> Counter[str]:
        return Counter(a.category for a in self.advices)


def run_demo(
    out: str | Path,
    n_candidates: int = 30,
    n_raters: int = 3,
    seed: int = 20261123,
    on: _dt.date | None = None,
    lang: str = "nl",
) -> DemoResult:
    """Generate, score and advise a synthetic cohort; write its tables and results to ``out``."""
    out = Path(out)
    instrument = load_instrument()
    cohort = synthetic_cohort(instrument, n_candidates, n_raters, seed=seed)
    scores = score(instrument, cohort.ratings, cohort.candidates)
    houses = load_houses(EXAMPLE_HOUSES, instrument)
    advices = advise(scores, houses=houses[0], on=on)
    from .report import render_html  # jinja2 only when the demo runs

    first = advices[0]
    files = (
        write_atomic(out / "ratings.csv", cohort.ratings.to_csv(index=False)),
        write_atomic(out / "candidates.csv", cohort.candidates.to_csv(index=False)),
        write_json(advices, instrument, out / "scores.json", lang),
        write_csv(advices, scores, out / "scores.csv"),
        write_atomic(
            out / f"report-{first.candidate_id}.html",
            render_html(first, instrument, scores.ratings, lang),
        ),  # synthetic ids: nothing to hide
    )
    return DemoResult(instrument, scores, advices, files)
