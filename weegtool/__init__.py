"""weegtool: a transparent weighting instrument for admission to small-scale specialist youth housing.

The flow is one direction::

    criteria/*.yaml -> Instrument -> Ratings -> Scores -> Advice -> report / export

>>> import weegtool
>>> instrument = weegtool.load_instrument()            # the default Twente instrument
>>> scores = weegtool.score(instrument, "ratings.csv")  # doctest: +SKIP
>>> advice = weegtool.advise(scores)                    # doctest: +SKIP

Modules load on first use (numpy and pandas are heavy), so the command line starts fast.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import CriteriaError, HouseError, RatingsError, WeegtoolError

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "Instrument",
    "load_instrument",
    "default_instrument_path",
    "read_ratings",
    "Ratings",
    "score",
    "Scores",
    "advise",
    "Advice",
    "Override",
    "check_composition",
    "load_houses",
    "House",
    "Resident",
    "Profile",
    "WeegtoolError",
    "CriteriaError",
    "RatingsError",
    "HouseError",
    "DecisionError",
    "CandidateFields",
    "RuleSet",
    "Reason",
]

_LAZY = {
    "Instrument": "instrument",
    "load_instrument": "instrument",
    "default_instrument_path": "instrument",
    "read_ratings": "io",
    "Ratings": "ratings",
    "score": "api",
    "Scores": "engine",
    "advise": "advice",
    "Advice": "advice",
    "Override": "rules",
    "Reason": "rules",
    "RuleSet": "rules",
    "CandidateFields": "candidate",
    "DecisionError": "errors",
    "check_composition": "composition",
    "load_houses": "io",
    "House": "composition",
    "Resident": "composition",
    "Profile": "composition",
}

if TYPE_CHECKING:
    from .advice import Advice, advise
    from .api import score
    from .candidate import CandidateFields
    from .composition import House, Profile, Resident, check_composition
    from .engine import Scores
    from .errors import DecisionError
    from .instrument import Instrument, default_instrument_path, load_instrument
    from .io import load_houses, read_ratings
    from .ratings import Ratings
    from .rules import Override, Reason, RuleSet


def _lazy(
    package: str, table: Mapping[str, str], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``name`` from ``package.<table[name]>`` on first use, then keeps it."""

    def load(name: str) -> Any:
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = namespace[name] = getattr(import_module(f".{table[name]}", package), name)
        return value

    return load


__getattr__ = _lazy(__name__, _LAZY, globals())
