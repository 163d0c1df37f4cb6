"""Shared fixtures: factories for instruments and ratings, seeded."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings

import weegtool
from weegtool.instrument import Instrument, parse_instrument

from .factories import ratings_frame

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=60,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=60)
# `make test` (and so CI) runs the "ci" profile: derandomised, the same examples every run, so a
# submission never fails by luck; plain `pytest` explores new examples ("dev").
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))

ROOT = Path(__file__).resolve().parent.parent
CRITERIA = ROOT / "criteria"
EXAMPLE = CRITERIA / "example-minimal.yaml"
TWENTE = CRITERIA / "twente-specialistisch-wonen.yaml"


def example_data() -> dict[str, Any]:
    """The example instrument as plain data, to change in a test."""
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def make_instrument():
    """``make_instrument(**changes)``: the example instrument with top-level fields replaced."""

    def make(data: dict[str, Any] | None = None, **changes: Any) -> Instrument:
        content = data if data is not None else example_data()
        content.update(changes)
        return parse_instrument(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), source="test.yaml")

    return make


@pytest.fixture(scope="session")
def twente() -> Instrument:
    return weegtool.load_instrument(TWENTE)


@pytest.fixture
def make_ratings():
    """``make_ratings(instrument, n_candidates=5, n_raters=3, seed=0, missing=0.0)``."""
    return ratings_frame
