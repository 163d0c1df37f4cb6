"""Researchers' toolkit. For now: seeded synthetic cohorts (real data never ships)."""
from __future__ import annotations

from .synthetic import Cohort, synthetic_cohort

__all__ = ["Cohort", "synthetic_cohort"]
