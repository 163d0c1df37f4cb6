"""Compare two instrument versions on one cohort: whose advice changes, and why.

:func:`compare_versions` scores and advises the same ratings table under an
old and a new version, each through :func:`weegtool.score` and
:func:`weegtool.advise` (so every rule, flag and precondition counts, exactly
as for the committee), and lists for each candidate whose advice category
changes: the old and new category, total and band, the decisive reasons in
each, and the items whose contributions to the total moved most. A new
version never changes old results: the old one is scored from its own file.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ..advice import Advice, Advices, Reason, advise
from ..api import score
from ..composition import House
from ..engine import Scores
from ..errors import ResearchError
from ..i18n import check_lang, describe_reason
from ..instrument import Instrument
from ..ratings import Ratings

__all__ = ["VersionComparison", "compare_versions", "instrument_changes"]


@dataclass(frozen=True)
class VersionComparison:
    """The result of :func:`compare_versions`.

    Attributes
    ----------
    old, new : Instrument
        The two versions.
    candidates : DataFrame
        One row per candidate (index ``candidate_id``): ``old_category``,
        ``new_category``, ``changed``, ``old_total``, ``new_total``,
        ``total_change``, ``old_band``, ``new_band``.
    changes : DataFrame
        The candidates whose advice category changes, with the columns of
        ``candidates`` and ``old_reasons``, ``new_reasons`` (the decisive
        rules as ``kind:rule``), ``old_explanation``, ``new_explanation`` (the
        same in words) and ``top_items``: the items whose contribution moved
        most, with the change in points.
    crosstab : DataFrame
        Candidates per old category (rows) and new category (columns).
    contributions : DataFrame
        New minus old contribution (points of the total) per candidate and item;
        NaN where an item is not rated.
    instrument_changes : DataFrame
        What differs between the versions in the numbers that score: item and
        domain weights, band bounds and advice, ceilings (``part``, ``id``,
        ``field``, ``old``, ``new``).
    """

    old: Instrument
    new: Instrument
    candidates: pd.DataFrame
    changes: pd.DataFrame
    crosstab: pd.DataFrame
    contributions: pd.DataFrame
    instrument_changes: pd.DataFrame

    @property
    def n_changed(self) -> int:
        return int(self.candidates["changed"].sum())


def compare_versions(
    old_instrument: Instrument,
    new_instrument: Instrument,
    ratings_table: pd.DataFrame | str | Path,
    candidates: pd.DataFrame | str | Path | None = None,
    *,
    houses: House | Sequence[House] | None = None,
    on: _dt.date | None = None,
    aggregation: str | None = None,
    top: int = 3,
    lang: str = "nl",
) -> VersionComparison:
    """Score and advise one cohort under two versions and explain every change of advice.

    Parameters
    ----------
    old_instrument, new_instrument : Instrument
        The versions to compare; they must have the same item ids.
    ratings_table : DataFrame or path
        The raw ratings table (one row per candidate and rater), read once per version.
    candidates : DataFrame or path, optional
        Candidate fields, as for :func:`weegtool.score`.
    houses : House or sequence of House, optional
        Passed to :func:`weegtool.advise` for both versions.
    on : date, optional
        Assessment date for candidates without one; today by default, the same for both.
    aggregation : {"median", "mean", "min", "max"}, optional
        How raters are combined; each instrument's own setting by default.
    top : int
        How many items to name in ``top_items``.
    lang : {"nl", "en"}
        Language of the explanations.

    Returns
    -------
    VersionComparison

    Raises
    ------
    ValueError
        When the versions do not share their item ids, or ``ratings_table`` is
        already read (a :class:`~weegtool.ratings.Ratings` belongs to one version).
    """
    _check_comparable(old_instrument, new_instrument, ratings_table)
    check_lang(lang)
    on = on or _dt.date.today()
    old_scores, new_scores = (
        score(i, ratings_table, candidates, aggregation) for i in (old_instrument, new_instrument)
    )
    old_advice = advise(old_scores, houses=houses, on=on)
    new_advice = advise(new_scores, houses=houses, on=on)
    table = _candidate_table(old_advice, new_advice)
    contributions = _contribution_change(old_scores, new_scores)
    return VersionComparison(
        old=old_instrument,
        new=new_instrument,
        candidates=table,
        changes=_changes(
            table,
            (old_instrument, old_advice),
            (new_instrument, new_advice),
            contributions,
            top,
            lang,
        ),
        crosstab=_crosstab(table, old_instrument, new_instrument),
        contributions=contributions,
        instrument_changes=instrument_changes(old_instrument, new_instrument),
    )


def _check_comparable(old: Instrument, new: Instrument, ratings_table: Any) -> None:
    if isinstance(ratings_table, (Ratings, Scores)):
        raise ResearchError(
            "compare_versions needs the ratings table itself (a DataFrame or a file), not ratings "
            "already read for one version; pass the table both versions read."
        )
    missing_new = [i for i in old.item_ids if i not in set(new.item_ids)]
    missing_old = [i for i in new.item_ids if i not in set(old.item_ids)]
    if missing_new or missing_old:
        parts = [
            f"missing from {label} {version}: {', '.join(ids)}"
            for label, version, ids in (
                (new.id, new.version, missing_new),
                (old.id, old.version, missing_old),
            )
            if ids
        ]
        raise ResearchError(
            "The two instruments must have the same items to be compared; " + "; ".join(parts) + "."
        )


# --- tables -----------------------------------------------------------------------------------


def _candidate_table(old: Advices, new: Advices) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "old_category": [a.category for a in old],
            "new_category": [a.category for a in new],
            "old_total": [_nan(a.total) for a in old],
            "new_total": [_nan(a.total) for a in new],
            "old_band": [a.band for a in old],
            "new_band": [a.band for a in new],
        },
        index=pd.Index([a.candidate_id for a in old], name="candidate_id"),
    )
    frame.insert(2, "changed", frame["old_category"] != frame["new_category"])
    frame.insert(5, "total_change", frame["new_total"] - frame["old_total"])
    return frame


def _nan(value: float | None) -> float:
    return np.nan if value is None else value


def _contribution_change(old: Scores, new: Scores) -> pd.DataFrame:
    """New minus old contributions, items in the old version's order."""
    items = list(old.instrument.item_ids)
    new_contributions = new.contributions[:, [new.instrument.item_ids.index(i) for i in items]]
    return pd.DataFrame(
        new_contributions - old.contributions,
        columns=items,
        index=pd.Index(old.candidate_ids, name="candidate_id"),
    )


def _changes(
    table: pd.DataFrame,
    old: tuple[Instrument, Advices],
    new: tuple[Instrument, Advices],
    contributions: pd.DataFrame,
    top: int,
    lang: str,
) -> pd.DataFrame:
    changed = table[table["changed"]].copy()
    for prefix, (instrument, advices) in (("old", old), ("new", new)):
        by_id = {a.candidate_id: a for a in advices}
        changed[f"{prefix}_reasons"] = [_codes(by_id[c]) for c in changed.index]
        changed[f"{prefix}_explanation"] = [
            _explanation(by_id[c], instrument, lang) for c in changed.index
        ]
    changed["top_items"] = [_top_items(contributions.loc[c], top) for c in changed.index]
    return changed


def _decisive(advice: Advice) -> list[Reason]:
    return [r for r in advice.reasons if r.decisive]


def _codes(advice: Advice) -> str:
    return "; ".join(f"{r.kind}:{r.rule}" for r in _decisive(advice))


def _explanation(advice: Advice, instrument: Instrument, lang: str) -> str:
    return " ".join(describe_reason(r, instrument, lang) for r in _decisive(advice))


def _top_items(change: pd.Series, top: int) -> str:
    moved = change.dropna()
    moved = moved[moved.abs() > 1e-9]
    order = moved.abs().sort_values(ascending=False, kind="stable").index[:top]
    return "; ".join(f"{item} {moved[item]:+.2f}" for item in order)


def _crosstab(table: pd.DataFrame, old: Instrument, new: Instrument) -> pd.DataFrame:
    categories = list(
        dict.fromkeys(
            [c.id for c in old.spec.advice.categories] + [c.id for c in new.spec.advice.categories]
        )
    )
    counts = pd.crosstab(table["old_category"], table["new_category"])
    counts = counts.reindex(index=categories, columns=categories, fill_value=0).astype(int)
    counts.index.name, counts.columns.name = "old", "new"
    return counts


def instrument_changes(old: Instrument, new: Instrument) -> pd.DataFrame:
    """The numbers that score and differ between two versions: weights, bands, ceilings.

    Returns
    -------
    DataFrame
        One row per difference: ``part`` (item, domain, band, ceiling), ``id``,
        ``field``, ``old``, ``new``; None where the part is absent from a version.
    """
    rows: list[tuple[str, str, str, Any, Any]] = []
    parts = (
        ("item", old.items, new.items, ("weight", "domain", "direction", "scale")),
        ("domain", old.domains, new.domains, ("weight", "kind")),
        ("band", old.spec.advice.bands, new.spec.advice.bands, ("lower", "upper", "advice")),
        ("ceiling", _ceilings(old), _ceilings(new), ("at", "advice")),
    )
    for part, before, after, fields in parts:
        rows += _differences(part, {x.id: x for x in before}, {x.id: x for x in after}, fields)
    return pd.DataFrame(rows, columns=["part", "id", "field", "old", "new"])


class _Ceiling(NamedTuple):
    id: str
    at: float
    advice: str


def _ceilings(instrument: Instrument) -> list[_Ceiling]:
    """Ceilings named by their domain; a domain's second ceiling as ``domain#2``, and so on."""
    seen: dict[str, int] = {}
    out = []
    for c in instrument.spec.advice.ceilings:
        seen[c.domain] = seen.get(c.domain, 0) + 1
        out.append(
            _Ceiling(
                c.domain if seen[c.domain] == 1 else f"{c.domain}#{seen[c.domain]}", c.at, c.advice
            )
        )
    return out


def _differences(
    part: str, before: dict[str, Any], after: dict[str, Any], fields: tuple[str, ...]
) -> list[tuple[str, str, str, Any, Any]]:
    rows = []
    for key in list(before) + [k for k in after if k not in before]:
        for name in fields:
            old = getattr(before[key], name) if key in before else None
            new = getattr(after[key], name) if key in after else None
            if old != new:
                rows.append((part, key, _field_name(name), old, new))
    return rows


def _field_name(name: str) -> str:
    return {"lower": "from", "upper": "to"}.get(name, name)
