"""Cohort counts: per group and decision, through the one suppression rule."""

from __future__ import annotations

import pandas as pd
import pytest

from weegtool.store import register_referral, transaction
from weegtool.store.aggregates import cohort_counts, safe_cohort_counts

from .store_factories import make_user


@pytest.fixture
def cohort(sessions):
    with transaction(sessions) as session:
        coordinator = make_user(session, "coordinator", "coordinator")
        for n in range(7):
            register_referral(session, f"A{n}", by=coordinator, age=14, municipality="Almelo")
        for n in range(2):
            register_referral(session, f"H{n}", by=coordinator, age=19, municipality="Hengelo")
    return sessions


def test_counts_per_group_and_decision(cohort):
    with transaction(cohort) as session:
        assert cohort_counts(session, "municipality").to_dict() == {
            "open": {"Almelo": 7, "Hengelo": 2}
        }
        assert cohort_counts(session, "age").to_dict() == {"open": {"12-15": 7, "18+": 2}}
        with pytest.raises(
            ValueError, match="'by' must be one of municipality, direction, age; got 'name'"
        ):
            cohort_counts(session, "name")


def test_a_group_of_two_is_hidden_with_its_complement_and_a_total_that_would_show_it(cohort):
    with transaction(cohort) as session:
        table = safe_cohort_counts(session, "municipality", threshold=5)
    # Hengelo's 2 is small; Almelo's 7 is hidden too, or the column total (9 referrals) would give it away;
    # and a one-column row's total is its cell, so both totals go as well
    assert table.rows() == [
        {"group": "Almelo", "cells": [None], "total": None},
        {"group": "Hengelo", "cells": [None], "total": None},
    ]
    assert table.n_hidden == 2
    assert [r["suppressed"] for r in table.records()] == [True, True]


def test_an_empty_cohort_gives_an_empty_table(sessions):
    with transaction(sessions) as session:
        table = safe_cohort_counts(session, "direction")
    assert table.rows() == [] and isinstance(table.suppressed.counts, pd.DataFrame)
