"""The researcher's export of the web app, read into the shape of a synthetic cohort.

The Onderzoek page of the web app offers three CSV files under keyed pseudonyms
(``weegtool/web/research.py``): the submitted ratings (a row per candidate and
rater, as :func:`weegtool.read_ratings` reads them), the decisions (a row per
decision and revision) and the outcomes (a row per candidate, the columns of
:data:`weegtool.outcomes.OUTCOME_COLUMNS`). :func:`read_export` reads a folder
holding them into a :class:`~weegtool.research.synthetic.Cohort`, so that a
notebook written for :func:`~weegtool.research.synthetic_cohort` runs on the
pilot's own data unchanged.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ResearchError
from ..outcomes import OUTCOME_COLUMNS
from .synthetic import Cohort

__all__ = ["EXPORT_FILES", "EXPORT_ENV", "read_export", "export_folder"]

# Each file of the export: the name the browser saves (the download's name) and the route's name.
EXPORT_FILES = {
    "ratings": ("beoordelingen-gepseudonimiseerd.csv", "ratings.csv"),
    "decisions": ("besluiten-gepseudonimiseerd.csv", "decisions.csv"),
    "outcomes": ("uitkomsten-gepseudonimiseerd.csv", "outcomes.csv"),
}
EXPORT_ENV = (
    "WEEGTOOL_EXPORT"  # the notebooks read the export in this folder; synthetic data without it
)
DAYS = ("days_placed", "days_to_breakdown")
DATES = ("placement_start", "placement_end")
DECISION_COLUMNS = ("candidate_id", "advice", "decision", "follows_advice", "direction", "placed")


def export_folder() -> Path | None:
    """The folder named by the environment variable ``WEEGTOOL_EXPORT``, or None when it is unset or empty."""
    value = os.environ.get(EXPORT_ENV, "").strip()
    return Path(value) if value else None


def _file(folder: Path, name: str) -> Path:
    for filename in EXPORT_FILES[name]:
        if (folder / filename).is_file():
            return folder / filename
    raise ResearchError(
        f"read_export: the folder {folder} has no {' or '.join(EXPORT_FILES[name])}; "
        "download the three CSV files of the Onderzoek page into one folder."
    )


def _read(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ResearchError(f"read_export: {path.name} lacks the column(s) {', '.join(missing)}.")
    return frame


def _truth(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The outcomes file typed as ``synthetic_cohort``'s truth: bool, float (NaN empty), dates."""
    truth = pd.DataFrame({"candidate_id": frame["candidate_id"]})
    flags = frame["placed"].str.strip().str.lower()
    bad = sorted(set(flags) - {"true", "false"})
    if bad:
        raise ResearchError(
            f"read_export: {path.name}, column placed: True or False expected; got {bad[0]!r}."
        )
    truth["placed"] = flags.eq("true").to_numpy()
    for column in DATES:
        truth[column] = pd.to_datetime(frame[column].replace("", None), format="%Y-%m-%d").astype(
            "datetime64[s]"
        )  # as synthetic_cohort's
    truth["end_reason"] = frame["end_reason"]
    truth["planned_end"] = frame["planned_end"].map({"True": 1.0, "False": 0.0, "": np.nan})
    for column in ("breakdown", "outcome", *DAYS):
        truth[column] = pd.to_numeric(frame[column].replace("", None), errors="raise").astype(float)
    unplaced = ~truth["placed"]
    if truth.loc[unplaced, "breakdown"].notna().any():
        raise ResearchError(
            f"read_export: {path.name} has an outcome for a candidate who was not placed."
        )
    return truth[["candidate_id", *OUTCOME_COLUMNS]]


def read_export(folder: str | Path) -> Cohort:
    """The researcher's export in ``folder`` as a :class:`Cohort` (the shape of ``synthetic_cohort``).

    Parameters
    ----------
    folder : str or Path
        A folder with the three CSV files of the web app's Onderzoek page, under the names the
        browser saves (``beoordelingen-gepseudonimiseerd.csv``, ``besluiten-gepseudonimiseerd.csv``,
        ``uitkomsten-gepseudonimiseerd.csv``) or the routes' names (``ratings.csv``,
        ``decisions.csv``, ``outcomes.csv``).

    Returns
    -------
    Cohort
        ``ratings``: the ratings file as read (text cells; :func:`weegtool.score` validates it).
        ``candidates``: ``candidate_id`` only (the export holds no flags or consent, so the advice
        rules that need them cannot be replayed; the totals and bands can).
        ``truth``: a row per candidate of the outcomes file, typed like ``synthetic_cohort``'s:
        ``placed`` bool, ``placement_start``/``placement_end`` datetime64 (NaT empty),
        ``end_reason`` text, ``planned_end``, ``days_placed``, ``breakdown``, ``outcome`` and
        ``days_to_breakdown`` float (NaN empty). As in the app, a placement that goes on counts as
        not broken down as of the day of the export; the unplaced have no outcome.
        ``decisions``: the latest revision of each candidate's decision: ``candidate_id, advice,
        decision, follows_advice`` (bool), ``direction`` (the placement direction of the referral)
        and ``placed`` (from the outcomes file).

    Raises
    ------
    ResearchError
        If a file is missing or lacks a column, a cell cannot be read, or the outcomes file and the
        ratings file name different candidates (the ratings' candidates must all have an outcome
        row, which the app writes for every candidate).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ResearchError(f"read_export: {folder} is not a folder.")
    paths = {name: _file(folder, name) for name in EXPORT_FILES}
    ratings = _read(paths["ratings"], ("candidate_id", "rater_id"))
    outcomes = _read(paths["outcomes"], ("candidate_id", *OUTCOME_COLUMNS))
    decided = _read(paths["decisions"], ("candidate", "revision", "advice", "decision"))
    try:
        truth = _truth(outcomes, paths["outcomes"])
    except ValueError as error:
        if isinstance(error, ResearchError):
            raise
        raise ResearchError(f"read_export: {paths['outcomes'].name}: {error}") from error
    unknown = sorted(set(ratings["candidate_id"]) - set(truth["candidate_id"]))
    if unknown:
        raise ResearchError(
            f"read_export: {len(unknown)} rated candidate(s) have no row in "
            f"{paths['outcomes'].name} (first: {unknown[0]}); were the files exported together, "
            "with the same pseudonym key?"
        )
    decided = (
        decided.assign(revision=pd.to_numeric(decided["revision"]))
        .sort_values(["candidate", "revision"])
        .drop_duplicates("candidate", keep="last")
        .rename(columns={"candidate": "candidate_id"})
    )
    decided["follows_advice"] = decided["follows_advice"].eq("True")
    placed = truth.set_index("candidate_id")["placed"]
    decided["placed"] = decided["candidate_id"].map(placed).fillna(False).astype(bool)
    decisions = decided[[c for c in DECISION_COLUMNS if c in decided.columns]].reset_index(
        drop=True
    )
    candidates = pd.DataFrame({"candidate_id": ratings["candidate_id"].drop_duplicates()})
    return Cohort(ratings, candidates.reset_index(drop=True), truth, decisions)
