"""The one YAML reader (weegtool.io.yamlfile): criteria, house and decision files alike.

Examples from issue 11 (all synthetic): a key given twice, a tab, a recursive alias and an
alias bomb, each refused with its line and before anything grows with it.
"""

from __future__ import annotations

import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weegtool.errors import CriteriaError, DecisionError, HouseError
from weegtool.instrument import load_instrument, parse_instrument
from weegtool.io import load_decisions, load_houses
from weegtool.io.yamlfile import MAX_VALUES, read_yaml

from .conftest import EXAMPLE

INSTRUMENT = load_instrument(EXAMPLE)


def alias_bomb(levels: int) -> str:
    """Each level a list of nine aliases of the one before: 9**levels values once expanded."""
    text = 'a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n'
    for n in range(1, levels + 1):
        text += f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]\n"
    return text


BAD = [
    ("houses:\n  - id: huis-a\n    capacity: 4\n    capacity: 1\n",
     "line 4: houses[0].capacity is given twice."),
    ("houses:\n  - id: huis-a\n\tcapacity: 4\n",
     "line 3: not valid YAML: found a tab character that violates indentation (YAML indents with "
     "spaces, not tabs)."),
    ("authors: &a [weegtool, *a]\n",
     "line 1: an alias refers to a value that contains it (a recursive anchor); write the value out."),
    (alias_bomb(9),
     f"line 6: its aliases expand to more than {MAX_VALUES:,} values; write the values out instead "
     "of nesting aliases."),
]  # fmt: skip


@pytest.mark.parametrize("text, message", BAD)
def test_the_reader_refuses_with_the_line(text, message):
    data, _, problems = read_yaml(text)
    assert (data, problems) == (None, [message])


@pytest.mark.parametrize(
    "load, error, name",
    [
        (lambda path: load_houses(path, INSTRUMENT), HouseError, "houses.yaml"),
        (lambda path: load_decisions(path, INSTRUMENT), DecisionError, "decisions.yaml"),
        (load_instrument, CriteriaError, "criteria.yaml"),
    ],
)
@pytest.mark.parametrize("text, message", BAD)
def test_every_yaml_file_is_read_by_the_one_reader(tmp_path, load, error, name, text, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(error) as caught:
        load(path)
    assert caught.value.problems == (message,)


def test_an_alias_bomb_is_refused_before_it_grows():
    # nine levels would be 9**10 (3.5 billion) values; refused from the composed nodes alone
    tracemalloc.start()
    try:
        _, _, problems = read_yaml(alias_bomb(9))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problems and peak < 20_000_000


def test_aliases_within_the_budget_are_read_as_yaml_reads_them():
    data, lines, problems = read_yaml("a: &x {n: 1}\nb: *x\nc: [*x, *x]\n")
    assert problems == [] and data == {"a": {"n": 1}, "b": {"n": 1}, "c": [{"n": 1}, {"n": 1}]}
    assert lines[("b",)] == 2


def test_a_criteria_file_with_a_key_twice_names_both_the_line_and_the_field():
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "status: concept", "status: concept\nstatus: calibrated", 1
    )
    with pytest.raises(CriteriaError) as caught:
        parse_instrument(text, source="twice.yaml")
    assert caught.value.problems == ("line 5: status is given twice.",)


@settings(max_examples=200)
@given(text=st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#\t\n ,.?%@`01")), max_size=80))
def test_any_text_is_read_or_refused_in_words(text):
    data, _, problems = read_yaml(text)
    assert all(isinstance(p, str) and p for p in problems)
    assert data is None or not problems


def test_a_house_file_names_the_line_and_the_field_as_a_path(tmp_path):
    # issue 11: house errors said 'houses[0].residents.0.age' without a line
    path = tmp_path / "houses.yaml"
    path.write_text(
        "houses:\n  - id: huis-a\n    capacity: 4\n    residents:\n      - id: B-1\n"
        "        age: oud\n",
        encoding="utf-8",
    )
    with pytest.raises(HouseError) as caught:
        load_houses(path, INSTRUMENT)
    assert caught.value.problems == (
        "line 6: houses[0].residents[0].age: input should be a valid integer, unable to parse "
        "string as an integer; got 'oud'.",
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("decided_on: 2026-02-30\n",
         "line 1: '2026-02-30' cannot be read as timestamp (day is out of range for month); write it "
         "in quotes if it is text."),
        ("a: !!int abc\n",
         "line 1: 'abc' cannot be read as int (invalid literal for int() with base 10: 'abc'); write "
         "it in quotes if it is text."),
        ("a:\n\tb: 1\n",
         "line 2: not valid YAML: found character that cannot start any token (YAML indents with "
         "spaces, not tabs)."),
    ],
)  # fmt: skip
def test_a_value_yaml_cannot_make_is_refused_with_its_line(text, message):
    # found by review: an impossible date crashed every YAML reader with a ValueError
    assert read_yaml(text) == (None, read_yaml(text)[1], [message])


def test_a_large_file_without_aliases_is_no_alias_bomb():
    text = "values:\n" + "".join(f"  - {n}\n" for n in range(MAX_VALUES + 50_000))
    data, _, problems = read_yaml(text)
    assert problems == [] and len(data["values"]) == MAX_VALUES + 50_000
