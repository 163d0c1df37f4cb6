"""Factories for the store tests: users with one call, the committee example's ratings as ItemRatings."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from weegtool.store import ItemRating, add_user
from weegtool.store.models import User

COMMITTEE = Path(__file__).resolve().parent / "data" / "committee.csv"
PASSWORD = "correct horse battery staple"


def make_user(session: Session, name: str, role: str = "rater", scientist: bool = False) -> User:
    return add_user(
        session,
        name,
        role,
        PASSWORD,
        behavioural_scientist=scientist,
        registration="SKJ-100200" if scientist else None,
    )


def committee_ratings(candidate: str) -> dict[str, list[ItemRating]]:
    """Each rater's ratings (with notes and critical reasons) of ``candidate`` in the committee example."""
    frame = pd.read_csv(COMMITTEE, dtype=str, keep_default_na=False)
    items = [
        c
        for c in frame.columns
        if "_" in c and "." not in c and c not in ("candidate_id", "rater_id")
    ]
    out = {}
    for _, row in frame[frame.candidate_id == candidate].iterrows():
        out[row.rater_id] = [
            ItemRating(
                item,
                int(row[item]) if row[item] != "" else None,
                note=row.get(f"{item}.note", ""),
                critical=row.get(f"{item}.critical", ""),
            )
            for item in items
        ]
    return out
