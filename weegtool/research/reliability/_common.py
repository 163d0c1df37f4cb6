"""What the reliability families share: the error and warning, the estimate, the input checks.

:class:`ReliabilityError` (refused data) and :class:`ReliabilityWarning` (data
left out), :class:`Estimate` (a coefficient with its standard error and
interval), and the helpers that read a table into numbers, refuse bad data and
delete listwise.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...errors import ReliabilityError, ReliabilityWarning, UndefinedWarning

MAX_SHOWN = 20  # bad cells listed in an error's .problems


@dataclass(frozen=True)
class Estimate:
    """A coefficient with its standard error and confidence interval (NaN where not available).

    ``n`` is the number of cases (targets, subjects or units) the value rests on.
    ``float(estimate)`` gives the value.
    """

    value: float
    se: float = math.nan
    ci_low: float = math.nan
    ci_high: float = math.nan
    n: int = 0

    def __float__(self) -> float:
        return self.value


# --- input checks ---------------------------------------------------------------------


def _fail(message: str, problems: Sequence[str] = ()) -> ReliabilityError:
    return ReliabilityError(message, problems)


def _frame(data: Any, parameter: str, function: str) -> pd.DataFrame:
    """``data`` as a 2-D DataFrame (arrays get positional labels)."""
    if isinstance(data, pd.DataFrame):
        return data
    array = np.asarray(data, dtype=object) if not isinstance(data, np.ndarray) else data
    if array.ndim != 2:
        raise _fail(
            f"The {parameter!r} parameter of {function} must be a 2-D table. "
            f"Got an array with {array.ndim} dimension{'s' if array.ndim != 1 else ''} instead."
        )
    return pd.DataFrame(array)


def _numeric(data: Any, parameter: str, function: str) -> np.ndarray:
    """A 2-D float array from a DataFrame or array; NaN where missing; every other value a finite number."""
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf" and data.ndim == 2:
        values = data.astype(float)
        frame = None
    else:
        frame = _frame(data, parameter, function)
        values = (
            np.column_stack([_to_float(frame.iloc[:, j]) for j in range(frame.shape[1])])
            if frame.shape[1]
            else np.empty((len(frame), 0))
        )
    rows, cols = np.nonzero(np.isinf(values))
    if len(rows):
        where = [
            _cell(values, frame, i, j)
            for i, j in zip(rows[:MAX_SHOWN], cols[:MAX_SHOWN], strict=True)
        ]
        more = f" (and {len(rows) - 1} more)" if len(rows) > 1 else ""
        raise _fail(
            f"The {parameter!r} parameter of {function} must hold finite numbers (NaN where missing). "
            f"Got {where[0]}{more} instead.",
            [f"{function}: {parameter}: {w}" for w in where],
        )
    return values


def _to_float(column: pd.Series) -> np.ndarray:
    numbers = pd.to_numeric(column, errors="coerce")
    unparsed = column.notna().to_numpy() & numbers.isna().to_numpy()
    out = np.array(numbers.to_numpy(dtype=float, na_value=np.nan))  # a writable copy
    out[unparsed] = np.inf  # marked; reported with the original value
    return out


def _cell(values: np.ndarray, frame: pd.DataFrame | None, i: int, j: int) -> str:
    """A bad cell as the user gave it: the DataFrame's labels, or an array's positions (from 0)."""
    if frame is None:
        return f"{_shown(values[i, j])} at row {i}, column {j}"
    return f"{_shown(frame.iat[i, j])} at row {_shown(frame.index[i])}, column {_shown(frame.columns[j])}"


def _shown(value: Any) -> str:
    return repr(value.item() if isinstance(value, np.generic) else value)


def _check_alpha(alpha: float, function: str) -> None:
    if not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise _fail(
            f"The 'alpha' parameter of {function} must be a number in (0, 1). Got {alpha!r} instead."
        )


def _at_least(
    count: int, minimum: int, what: str, parameter: str, function: str, note: str = ""
) -> None:
    if count < minimum:
        raise _fail(
            f"The {parameter!r} parameter of {function} must have at least {minimum} {what}. "
            f"Got {count} instead{note}."
        )


def _complete_rows(values: np.ndarray) -> np.ndarray:
    return ~np.isnan(values).any(axis=1)


def _listwise(
    values: np.ndarray, function: str, parameter: str, rows: str, cell: str
) -> tuple[np.ndarray, int]:
    """Rows without a missing value, and how many were dropped; refuses fewer than two, warns about drops."""
    complete = _complete_rows(values)
    kept, dropped = int(complete.sum()), int((~complete).sum())
    note = f" ({dropped} of {len(values)} {rows} left out for a missing {cell})" if dropped else ""
    _at_least(kept, 2, f"{rows} without a missing {cell}", parameter, function, note)
    if dropped:
        warnings.warn(
            f"{function}: {dropped} of {len(values)} {rows} have a missing {cell} and are left out "
            f"(listwise deletion); {kept} remain.",
            ReliabilityWarning,
            stacklevel=3,
        )
    return complete, dropped


def _undefined(what: str, why: str, stacklevel: int = 3) -> float:
    """NaN for a coefficient the data leave undefined, with an :class:`UndefinedWarning` saying why.

    The one way every coefficient of the toolkit answers data without the variation it needs
    (rather than raising, so that a table of many items keeps its other rows).
    """
    warnings.warn(f"{what} is undefined (NaN): {why}.", UndefinedWarning, stacklevel=stacklevel)
    return math.nan


# --- arithmetic ----------------------------------------------------------------------------


def _div(a: float, b: float) -> float:
    return (
        float(np.divide(a, b)) if b != 0 else (math.nan if a == 0 else math.copysign(math.inf, a))
    )
