"""Rating tables -> :class:`Ratings` checked against an :class:`Instrument`.

A ratings table has one row per candidate and rater: ``candidate_id``,
``rater_id``, one column per item id, and optionally ``<item_id>.note``
(the rater's evidence) and ``<item_id>.critical`` (the reason the rater marks
the item critical). Candidate fields (``age``, ``consent``, ``direction``,
``flags``, ``date`` and any precondition field of the instrument) go in the
same table, where they must agree across a candidate's rows, or in a separate
candidates table with one row per candidate.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first
candidate row is row 2.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from .candidate import DIRECTIONS, CandidateFields, critical_reason, known, parse_fields
from .errors import RatingsError
from .instrument import Instrument

__all__ = [
    "Ratings",
    "DIRECTIONS",
    "CANDIDATE_FIELDS",
]

CANDIDATE_FIELDS = (
    "age",
    "consent",
    "direction",
    "flags",
    "date",
    "house",
    "purpose",
    "sources",
    "source_doubts",
)
MAX_PROBLEMS = 200


@dataclass(frozen=True)
class Evidence:
    """A rater's free text about one item: an evidence note or the reason it is critical."""

    rater_id: str
    text: str


@dataclass(frozen=True)
class RaterRatings:
    """One rater's ratings of one candidate, as typed values.

    ``levels`` maps item id to the level given (None: not known; an item left
    out is not rated); ``notes`` and ``critical`` map item id to the rater's
    evidence note and to the reason the item is critical.
    """

    rater_id: str
    levels: Mapping[str, float | None]
    notes: Mapping[str, str] = field(default_factory=dict)
    critical: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Ratings:
    """Aggregated ratings of candidates, aligned with an instrument's items.

    ``values[i, j]`` is the aggregated rating of candidate ``candidate_ids[i]``
    on item ``item_ids[j]`` (NaN where no rater rated it); ``raters`` is the
    table as read (ids cleaned), ``rater_values`` its item ratings as numbers
    and ``rater_candidate`` each row's position in ``candidate_ids``, row for row; ``spread`` is the
    highest minus the lowest rater's rating, ``disputed`` marks spreads at or
    above the instrument's ``disagreement_levels``.
    """

    instrument_sha256: str
    item_ids: tuple[str, ...]
    candidate_ids: np.ndarray
    values: np.ndarray
    n_raters: np.ndarray
    spread: np.ndarray
    disputed: np.ndarray
    candidates: pd.DataFrame
    raters: pd.DataFrame | None = None
    rater_values: np.ndarray | None = None
    rater_candidate: np.ndarray | None = None
    notes: Mapping[tuple[str, str], tuple[Evidence, ...]] = field(default_factory=dict)
    critical: Mapping[tuple[str, str], tuple[Evidence, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.candidate_ids)

    @classmethod
    def from_raters(
        cls,
        instrument: Instrument,
        candidates: Sequence[tuple[CandidateFields, Sequence[RaterRatings]]],
        aggregation: str | None = None,
    ) -> Ratings:
        """Ratings from typed values: per candidate its fields and each rater's ratings; no table is parsed.

        The store, the web app and the research code come in here; the table
        readers end in the same aggregation.

        Raises
        ------
        RatingsError
            With every problem: an unknown item or flag, a level off its scale, a
            blank or repeated id.
        """
        return _from_raters(instrument, candidates, aggregation)

    @cached_property
    def records(self) -> tuple[CandidateFields, ...]:
        """Each candidate's fields as a typed record, aligned with ``candidate_ids``; made on first use."""
        frame = self.candidates
        columns = {str(name): frame[name].tolist() for name in frame.columns}
        return tuple(
            CandidateFields.of(str(cid), {name: values[n] for name, values in columns.items()})
            for n, cid in enumerate(self.candidate_ids)
        )

    def check_instrument(self, instrument: Instrument) -> None:
        """Raise :class:`RatingsError` unless these ratings were read for ``instrument`` (same sha256)."""
        if self.instrument_sha256 != instrument.sha256:
            raise RatingsError(
                "The ratings were read for another instrument version "
                f"(sha256 {self.instrument_sha256[:12]}); read them again for {instrument.label}."
            )

    def position(self, candidate_id: str) -> int:
        """The row of ``candidate_id`` in ``values`` (:class:`RatingsError` when it has no ratings here)."""
        position = self._positions.get(candidate_id)
        if position is None:
            raise RatingsError(f"candidate {candidate_id!r} is not in these ratings.")
        return position

    def record(self, candidate_id: str) -> CandidateFields:
        """The fields of one candidate by id (:class:`RatingsError` when it has no ratings here)."""
        return self.records[self.position(candidate_id)]

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {str(cid): n for n, cid in enumerate(self.candidate_ids)}

    @cached_property
    def rater_rows(self) -> Mapping[str, np.ndarray]:
        """Each candidate's row positions in ``raters``, grouped once on first use."""
        codes = self.rater_candidate
        if codes is None or not len(codes):
            return {}
        order = np.argsort(codes, kind="stable")
        starts = np.searchsorted(codes[order], np.arange(len(self.candidate_ids) + 1))
        return {
            str(name): order[starts[n] : starts[n + 1]] for n, name in enumerate(self.candidate_ids)
        }

    @cached_property
    def _rater_ids(self) -> np.ndarray:
        return np.array(
            [] if self.raters is None else self.raters["rater_id"].astype(str).to_numpy(),
            dtype=object,
        )

    def rater_count(self, candidate: str) -> int:
        """How many rows (raters) the ratings table has for ``candidate``."""
        return len(self.rater_rows.get(candidate, ()))

    def by_rater(self, candidate: str, item: str) -> dict[str, float]:
        """Each rater's rating of ``item`` for ``candidate``, by rater id (R2 before R10); unrated ones left out."""
        rows = self.rater_rows.get(candidate)
        if rows is None or self.rater_values is None:
            return {}
        j = self.item_ids.index(item)
        pairs = zip(self._rater_ids[rows], self.rater_values[rows, j].tolist())
        return dict(
            sorted(((r, v) for r, v in pairs if v == v), key=lambda pair: _natural(pair[0]))
        )

    def to_frame(self) -> pd.DataFrame:
        """Aggregated ratings, one row per candidate, one column per item."""
        return pd.DataFrame(
            self.values,
            index=pd.Index(self.candidate_ids, name="candidate_id"),
            columns=list(self.item_ids),
        )


def _natural(text: str) -> list[Any]:
    """A sort key that puts R2 before R10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


# --- typed values ------------------------------------------------------------------


def _from_raters(
    instrument: Instrument,
    candidates: Sequence[tuple[CandidateFields, Sequence[RaterRatings]]],
    aggregation: str | None,
) -> Ratings:
    given = [(fields, list(raters)) for fields, raters in list(candidates)]
    problems: list[str] = []
    typed = [_typed_candidate(instrument, fields, raters, problems) for fields, raters in given]
    problems += _repeated("candidate", [fields.id for fields, _ in typed], "")
    if not typed:
        problems.append("there are no candidates; there is nothing to score.")
    if problems:
        raise RatingsError.collect("ratings", problems[:MAX_PROBLEMS], len(problems))
    rows = [(n, rater) for n, (_, raters) in enumerate(typed) for rater in raters]
    values = np.array([list(rater.levels.values()) for _, rater in rows], dtype=float)
    notes: dict[tuple[str, str], list[Evidence]] = {}
    critical: dict[tuple[str, str], list[Evidence]] = {}
    for n, rater in rows:
        for texts, found in ((rater.notes, notes), (rater.critical, critical)):
            for item, said in texts.items():
                if said:
                    found.setdefault((typed[n][0].id, item), []).append(
                        Evidence(rater.rater_id, said)
                    )
    records = tuple(fields for fields, _ in typed)
    labels = np.array([r.id for r in records], dtype=object)
    frame = pd.DataFrame(
        {"candidate_id": [labels[n] for n, _ in rows], "rater_id": [r.rater_id for _, r in rows]}
    )
    info = pd.DataFrame([r.as_row() for r in records], index=pd.Index(labels, name="candidate_id"))
    return _aggregate(
        instrument,
        frame,
        np.array([n for n, _ in rows], dtype=np.int64),
        labels,
        values,
        info.astype(object).where(info.notna(), None),
        {key: tuple(sorted(found, key=lambda e: e.rater_id)) for key, found in notes.items()},
        {key: tuple(sorted(found, key=lambda e: e.rater_id)) for key, found in critical.items()},
        aggregation,
        records,
    )


def _typed_candidate(
    instrument: Instrument,
    fields: CandidateFields,
    raters: list[RaterRatings],
    problems: list[str],
) -> tuple[CandidateFields, list[RaterRatings]]:
    """One candidate's typed values read in the table's vocabulary (ids stripped, "nee" is False,
    levels as floats in item order, NaN not known); what is wrong goes to ``problems``."""
    cid = fields.id.strip() if isinstance(fields.id, str) else ""
    where = f"candidate {fields.id!r}"
    if not cid:
        problems.append(f"{where}: the candidate id must be text, not blank.")
    parsed, found = parse_fields(fields, instrument)
    problems += [f"{where}: {p}" for p in found]
    if not raters:
        problems.append(
            f"{where}: has no raters; give each candidate at least one rater's ratings."
        )
    clean = [
        _typed_rater(instrument, f"{where}, rater {r.rater_id!r}", r, problems) for r in raters
    ]
    problems += _repeated("rater", [r.rater_id for r in clean], f"{where}: ")
    return dataclasses.replace(parsed, id=cid), clean


def _typed_rater(
    instrument: Instrument, where: str, rater: RaterRatings, problems: list[str]
) -> RaterRatings:
    rid = rater.rater_id.strip() if isinstance(rater.rater_id, str) else ""
    if not rid:
        problems.append(f"{where}: the rater id must be text, not blank.")
    for item in {*rater.levels, *rater.notes, *rater.critical}:
        if item not in instrument.item_ids:
            close = difflib.get_close_matches(str(item), instrument.item_ids, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" of {instrument.label}."
            problems.append(f"{where}: {item!r} is not an item{hint}")
    levels = {
        item.id: _typed_level(instrument, where, item.id, rater.levels.get(item.id), problems)
        for item in instrument.items
    }
    notes = {i: _typed_text(where, i, t, problems) for i, t in rater.notes.items()}
    critical = {}
    for item, said in rater.critical.items():
        try:
            critical[item] = critical_reason(_typed_text(where, item, said, problems))
        except ValueError as exc:
            problems.append(f"{where}, item {item!r}: {exc}")
    return RaterRatings(rid, levels, notes, critical)


def _typed_level(
    instrument: Instrument, where: str, item: str, level: Any, problems: list[str]
) -> float:
    if known(level) is None:
        return np.nan
    allowed = instrument.scale_of(instrument.item(item)).values
    ok = isinstance(level, (int, float, np.integer, np.floating)) and not isinstance(
        level, (bool, np.bool_)
    )
    if not ok or level not in allowed:
        problems.append(f"{where}, item {item!r}: must be one of "
                        f"{', '.join(map(str, allowed))} or not known; got {level!r}.")  # fmt: skip
        return np.nan
    return float(level)


def _typed_text(where: str, item: str, text: Any, problems: list[str]) -> str:
    if known(text) is None:
        return ""
    if not isinstance(text, str):
        problems.append(f"{where}, item {item!r}: a note or reason must be text; got {text!r}.")
        return ""
    return text.strip()


def _repeated(what: str, ids: list[str], where: str) -> list[str]:
    counts = Counter(ids)
    return [
        f"{where}{what} {i!r} is given more than once." for i in sorted(counts) if counts[i] > 1
    ]


# --- aggregation --------------------------------------------------------------------

AGGREGATORS = ("median", "mean", "min", "max")


def _aggregate(
    instrument: Instrument,
    frame: pd.DataFrame,
    codes: np.ndarray,
    labels: np.ndarray,
    values: np.ndarray,
    info: pd.DataFrame,
    notes: Mapping[tuple[str, str], tuple[Evidence, ...]],
    critical: Mapping[tuple[str, str], tuple[Evidence, ...]],
    aggregation: str | None = None,
    records: tuple[CandidateFields, ...] | None = None,
) -> Ratings:
    """Combine the raters of each candidate: the instrument's aggregation (median by default).

    The one way every :class:`Ratings` is made, from a table (:func:`read_ratings`)
    or from typed values (:meth:`Ratings.from_raters`). ``values`` holds one row
    per rater row of ``frame`` (its ``candidate_id`` and ``rater_id`` columns),
    ``codes`` each row's candidate as a position in ``labels``; candidates keep
    the order in which they first appear. ``records``, when the caller has them
    typed already, are kept as they are.
    """
    how = aggregation or instrument.settings.aggregation
    if how not in AGGREGATORS:
        raise RatingsError(
            f"The 'aggregation' parameter must be one of {AGGREGATORS}. Got {how!r} instead."
        )
    if len(labels) == len(codes) and bool((codes == np.arange(len(codes))).all()):
        aggregated = values  # one row per candidate, in order: nothing to combine
        n_raters = (~np.isnan(values)).view(np.uint8)
        spread = values * 0.0  # one rater: no spread, NaN where not rated
        disputed = np.zeros(values.shape, dtype=bool)
    else:
        grouped = pd.DataFrame(values).groupby(codes, sort=True)
        aggregated = getattr(grouped, how)().to_numpy(dtype=float)
        n_raters = grouped.count().to_numpy(dtype=np.int64)
        spread = (grouped.max() - grouped.min()).to_numpy(dtype=float)
        disputed = np.nan_to_num(spread, nan=0.0) >= instrument.settings.disagreement_levels
    same_order = len(info.index) == len(labels) and bool((info.index.to_numpy() == labels).all())
    ratings = Ratings(
        instrument_sha256=instrument.sha256,
        item_ids=instrument.item_ids,
        candidate_ids=labels,
        values=aggregated,
        n_raters=n_raters,
        spread=spread,
        disputed=disputed,
        candidates=info if same_order else info.reindex(labels),
        raters=frame,
        rater_values=values,
        rater_candidate=codes,
        notes=dict(notes),
        critical=dict(critical),
    )
    if records is not None:
        ratings.__dict__["records"] = records  # the cached_property, known from the start
    return ratings
