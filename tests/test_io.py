"""Every reader of weegtool.io on random mutations of the example files: read, or refused in words.

Issue 11: a reader answers any file with a result or a WeegtoolError, never a traceback. The
mutations cut, duplicate, swap and replace bytes of the project's own example files, and
throw in what field files contain (tabs, Windows-1252 bytes, a BOM, anchors and aliases).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import weegtool
from weegtool.errors import WeegtoolError
from weegtool.instrument import load_instrument
from weegtool.io import load_decisions, load_houses

from .conftest import EXAMPLE, ROOT

INSTRUMENT = load_instrument(EXAMPLE)
TWENTE = load_instrument(ROOT / "criteria" / "twente-specialistisch-wonen.yaml")
DECISIONS = (
    b'- candidate_id: "C1"\n  category: fits\n  follows_advice: ja\n  decided_on: 23-11-2026\n'
    b"  signatories:\n    - {name: A, role: chair, registration: SKJ1, behavioural_scientist: true}\n"
)
SOURCES = {
    "criteria.yaml": (EXAMPLE.read_bytes(), load_instrument),
    "houses.yaml": ((ROOT / "examples" / "houses.yaml").read_bytes(),
                    lambda path: load_houses(path, TWENTE)),
    "decisions.yaml": (DECISIONS, lambda path: load_decisions(path, INSTRUMENT)),
    "ratings.csv": ((ROOT / "tests" / "data" / "committee.csv").read_bytes(),
                    lambda path: weegtool.read_ratings(path, TWENTE)),
}  # fmt: skip
FIELD_BYTES = [
    b"\t",
    b"\xeb",
    b"\xef\xbb\xbf",
    b"&a ",
    b"*a",
    b": ",
    b"\n- ",
    b";",
    b",",
    b'"',
    b"0,5",
]


@st.composite
def mutated(draw, content: bytes) -> bytes:
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(content)))
        kind = draw(st.sampled_from(["cut", "insert", "duplicate", "delete"]))
        if kind == "cut":
            content = content[:at]
        elif kind == "insert":
            piece = draw(st.one_of(st.sampled_from(FIELD_BYTES), st.binary(max_size=8)))
            content = content[:at] + piece + content[at:]
        elif kind == "duplicate":
            end = min(len(content), at + draw(st.integers(1, 80)))
            content = content[:end] + content[at:end] + content[end:]
        else:
            content = content[:at] + content[at + draw(st.integers(1, 40)) :]
    return content


@pytest.mark.parametrize("name", list(SOURCES))
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_mutated_file_is_read_or_refused_in_words(tmp_path, name, data):
    content, load = SOURCES[name]
    path = Path(tmp_path) / name
    path.write_bytes(data.draw(mutated(content)))
    try:
        load(path)
    except WeegtoolError as exc:
        assert str(exc).strip()
