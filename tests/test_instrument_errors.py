"""Bad criteria files: a catalogue of small mutations of the example instrument, each with its message.

Every message says where (file, line, path), what must hold and what was found
(house style, "Errors"). Cases that change the data go through the
``make_instrument`` fixture; cases about the YAML text itself (syntax, line
numbers, duplicate keys, quoting) edit the text of ``criteria/example-minimal.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import yaml

import weegtool
from weegtool.errors import CriteriaError, WeegtoolError
from weegtool.instrument import parse_instrument

from .conftest import EXAMPLE, TWENTE, example_data

CATEGORIES = "['fits', 'fits_not_this_group', 'fits_with_conditions', 'further_assessment', 'lighter_care', 'refer']"


def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the first line of ``text`` containing ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} is not in the text")


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once in the example file"
    return text.replace(old, new)


@dataclass(frozen=True)
class DataCase:
    """A change to the example instrument's data."""

    change: Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class TextCase:
    """A change to the example file's text; ``{line}`` in a fragment is the line holding ``marker``."""

    change: Callable[[str], str]
    marker: str | None = None


def delete(key: str) -> DataCase:
    return DataCase(lambda d: d.pop(key))


def setting(path: tuple[Any, ...], value: Any) -> DataCase:
    def change(data: dict[str, Any]) -> None:
        node = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return DataCase(change)


def rename_item_weight(data: dict[str, Any]) -> None:
    data["items"][0]["wieght"] = data["items"][0].pop("weight")


def drop_anchor(data: dict[str, Any]) -> None:
    del data["items"][0]["anchors"][2]


def drop_rule_flag(data: dict[str, Any]) -> None:
    del data["composition"][1]["flag"]


def not_a_mapping(_text: str) -> str:
    return "- id: example-minimal\n- version: '1.0.0'\n"


CASES = [
    pytest.param(
        TextCase(
            lambda t: replace_once(t, "  review_months: 6", "  review_months: 6\n   bad: indent"),
            marker="bad: indent",
        ),
        ["line {line}: not valid YAML: mapping values are not allowed in this context."],
        id="yaml-syntax-error",
    ),
    pytest.param(
        TextCase(not_a_mapping),
        ["the file must hold a mapping of fields (id, version, ...); got a list."],
        id="file-not-a-mapping",
    ),
    pytest.param(delete("id"), ["line 1: id is required."], id="missing-id"),
    pytest.param(delete("version"), ["line 1: version is required."], id="missing-version"),
    pytest.param(delete("items"), ["line 1: items is required."], id="missing-items"),
    pytest.param(
        DataCase(rename_item_weight),
        [
            "items[0] (er_outbursts).wieght is not a known field",
            "items[0] (er_outbursts).weight is required.",
        ],
        id="unknown-field-typo",
    ),
    pytest.param(
        setting(("items", 1, "weight"), -1),
        ["items[1] (er_recovery).weight must be >= 0; got -1."],
        id="item-weight-negative",
    ),
    pytest.param(
        setting(("domains", 0, "weight"), -2),
        ["domains[0] (emotion_regulation).weight must be >= 0; got -2."],
        id="domain-weight-negative",
    ),
    pytest.param(
        setting(("items", 0, "direction"), "up"),
        ["items[0] (er_outbursts).direction must be one of 'risk' or 'protective'; got 'up'."],
        id="direction-not-risk-or-protective",
    ),
    pytest.param(
        setting(("status",), "final"),
        ["status must be one of 'concept' or 'calibrated'; got 'final'."],
        id="status-unknown",
    ),
    pytest.param(
        TextCase(
            lambda t: replace_once(t, "version: 1.0.0", "version: 1.0"), marker="version: 1.0"
        ),
        ["line {line}: version must be text (put quotes around it); got 1.0."],
        id="version-bare-number",
    ),
    pytest.param(
        TextCase(lambda t: replace_once(t, "version: 1.0.0", "version: 2"), marker="version: 2"),
        ["line {line}: version must be text (put quotes around it); got 2."],
        id="version-bare-integer",
    ),
    pytest.param(
        setting(("items", 0, "domain"), "emotions"),
        [
            "items[0] (er_outbursts).domain must be one of ['emotion_regulation', 'protective_factors']; "
            "got 'emotions'."
        ],
        id="item-unknown-domain",
    ),
    pytest.param(
        setting(("items", 0, "scale"), "sev"),
        ["items[0] (er_outbursts).scale must be one of ['severity']; got 'sev'."],
        id="item-unknown-scale",
    ),
    pytest.param(
        DataCase(drop_anchor),
        [
            "items[0] (er_outbursts).anchors must describe every level of scale 'severity' [0, 1, 2]; "
            "got [0, 1]."
        ],
        id="anchors-missing-a-level",
    ),
    pytest.param(
        setting(("items", 1, "id"), "er_outbursts"),
        ["items id 'er_outbursts' is used more than once; ids must be unique."],
        id="duplicate-item-id",
    ),
    pytest.param(
        TextCase(
            lambda t: replace_once(t, "\nstatus: concept", "\nstatus: concept\nstatus: calibrated"),
            marker="status: calibrated",
        ),
        ["line {line}: status is given twice."],
        id="duplicate-yaml-key",
    ),
    pytest.param(
        setting(("items", 2, "domain"), "emotion_regulation"),
        ["domains[1] (protective_factors) has no items; every domain needs at least one."],
        id="domain-without-items",
    ),
    pytest.param(
        setting(("domains", 0, "max_missing"), 2),
        ["domains[0] (emotion_regulation).max_missing must be < its 2 items; got 2."],
        id="max-missing-not-below-item-count",
    ),
    pytest.param(
        setting(("advice", "bands", 1, "from"), 30),
        [
            "advice.bands[1] (middle) must start where band 'light' ends (25); got 30.",
            "without gaps or overlaps",
        ],
        id="bands-with-a-gap",
    ),
    pytest.param(
        setting(("advice", "bands", 0, "from"), 5),
        ["advice.bands must start at 0; the first starts at 5."],
        id="bands-not-from-0",
    ),
    pytest.param(
        setting(("advice", "bands", 3, "to"), 95),
        ["advice.bands must end at 100; the last ends at 95."],
        id="bands-not-to-100",
    ),
    pytest.param(
        setting(("advice", "bands", 1, "advice"), "accept"),
        [
            f"advice.bands[1] (middle).advice must be one of the advice categories {CATEGORIES}; got 'accept'."
        ],
        id="band-advice-unknown-category",
    ),
    pytest.param(
        setting(("advice", "ceilings", 0, "domain"), "coping"),
        [
            "advice.ceilings[0].domain must be one of ['emotion_regulation', 'protective_factors']; "
            "got 'coping'."
        ],
        id="ceiling-unknown-domain",
    ),
    pytest.param(
        DataCase(drop_rule_flag),
        ["composition[1] (one_suicide_risk).flag is required for a rule of type 'max_count'."],
        id="max-count-rule-without-flag",
    ),
    pytest.param(
        setting(("composition", 1, "flag"), "self_harm"),
        [
            "composition[1] (one_suicide_risk) names flag 'self_harm', which is not in flags "
            "['addiction', 'needs_secured_setting', 'suicide_risk']."
        ],
        id="composition-unknown-flag",
    ),
    pytest.param(
        setting(("settings", "age_range"), [27, 8]),
        ["settings.age_range must be [lowest, highest]; got [27, 8]."],
        id="age-range-reversed",
    ),
    pytest.param(
        setting(("title",), {"nl": "Voorbeeldinstrument"}),
        ["title.en is required."],
        id="text-without-en",
    ),
    pytest.param(
        TextCase(
            lambda t: replace_once(
                t,
                'anchor: {nl: "Licht, zelden.", en: "Mild, rare."}',
                'anchor: {nl: Licht, zelden., en: "Mild, rare."}',
            ),
            marker="nl: Licht, zelden.",
        ),
        ["line {line}: scales[0] (severity).levels[1].anchor.zelden."],
        id="unquoted-comma-in-flow-mapping",
    ),
]


def build(case: DataCase | TextCase, make_instrument: Callable[..., Any]) -> tuple[Any, str]:
    """Parse the mutated example; returns the result and the text (for line numbers)."""
    if isinstance(case, DataCase):
        data = example_data()
        case.change(data)
        return make_instrument(data), ""
    text = case.change(example_text())
    return parse_instrument(text, source="test.yaml"), text


@pytest.mark.parametrize("case, fragments", CASES)
def test_bad_criteria_file_is_reported(case, fragments, make_instrument):
    with pytest.raises(CriteriaError) as caught:
        build(case, make_instrument)
    error = caught.value
    assert isinstance(error, ValueError) and isinstance(error, WeegtoolError)
    message = str(error)
    assert message.startswith("test.yaml: ")
    text = case.change(example_text()) if isinstance(case, TextCase) else ""
    line = line_of(text, case.marker) if isinstance(case, TextCase) and case.marker else None
    for fragment in fragments:
        expected = fragment.format(line=line)
        assert expected in message
        assert any(expected in problem for problem in error.problems)


def test_example_file_itself_is_valid(make_instrument):
    """The catalogue's mutations start from a valid file, so each error comes from its mutation."""
    assert make_instrument().id == "example-minimal"
    assert parse_instrument(example_text(), source="test.yaml").version == "1.0.0"


def test_unquoted_comma_tells_to_quote_the_text():
    """`{nl: Licht, zelden., en: ...}` splits the Dutch text at the comma; the fix is quotes, not spelling."""
    text = replace_once(
        example_text(),
        'anchor: {nl: "Licht, zelden.", en: "Mild, rare."}',
        'anchor: {nl: Licht, zelden., en: "Mild, rare."}',
    )
    with pytest.raises(CriteriaError) as caught:
        parse_instrument(text, source="test.yaml")
    message = str(caught.value)
    assert "zelden." in message
    assert "quote" in message.lower()


def three_field_errors(data: dict[str, Any]) -> None:
    data["status"] = "final"
    data["items"][1]["weight"] = -1
    data["items"][0]["direction"] = "up"


def field_and_reference_errors(data: dict[str, Any]) -> None:
    data["status"] = "final"  # a field value
    data["advice"]["ceilings"][0]["domain"] = "coping"  # a cross reference
    data["advice"]["bands"][1]["advice"] = "accept"  # another cross reference


@pytest.mark.parametrize(
    "change, expected",
    [
        pytest.param(
            three_field_errors,
            [
                "status must be one of",
                "items[1] (er_recovery).weight must be >= 0",
                "items[0] (er_outbursts).direction must be one of",
            ],
            id="three-field-errors",
        ),
        pytest.param(
            field_and_reference_errors,
            [
                "status must be one of",
                "advice.ceilings[0].domain must be one of",
                "advice.bands[1] (middle).advice must be one of",
            ],
            id="field-and-reference-errors",
        ),
    ],
)
def test_every_problem_is_reported_in_one_error(change, expected, make_instrument):
    data = example_data()
    change(data)
    with pytest.raises(CriteriaError) as caught:
        make_instrument(data)
    problems = caught.value.problems
    assert len(problems) == 3, problems
    for fragment in expected:
        assert sum(fragment in p for p in problems) == 1, (fragment, problems)
    assert str(caught.value).startswith("test.yaml: 3 problems:")


def test_field_error_gives_the_line_of_the_field():
    text = example_text()
    start = line_of(text, "- id: er_recovery")
    lines = text.splitlines()
    weight_line = next(
        n for n in range(start, len(lines) + 1) if lines[n - 1].strip() == "weight: 1"
    )
    lines[weight_line - 1] = lines[weight_line - 1].replace("weight: 1", "weight: -1")
    with pytest.raises(CriteriaError) as caught:
        parse_instrument("\n".join(lines) + "\n", source="test.yaml")
    assert caught.value.problems == (
        f"line {weight_line}: items[1] (er_recovery).weight must be >= 0; got -1.",
    )


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "geen-criteria.yaml"
    with pytest.raises(CriteriaError) as caught:
        weegtool.load_instrument(path)
    assert str(caught.value) == f"{path}: no such criteria file."
    assert isinstance(caught.value, ValueError)


def test_sha256_ignores_comments_key_order_and_layout_but_not_weights():
    original = parse_instrument(example_text(), source="a.yaml")
    data = example_data()
    reordered = dict(reversed(list(data.items())))
    reordered["items"] = [dict(reversed(list(item.items()))) for item in data["items"]]
    relaid = yaml.safe_dump(
        reordered, allow_unicode=True, sort_keys=False, default_flow_style=True, width=60
    )
    assert "#" not in relaid and relaid != example_text()
    same = parse_instrument(relaid, source="b.yaml")
    assert same.sha256 == original.sha256
    assert len(original.sha256) == 64

    data["items"][0]["weight"] = 2
    changed = parse_instrument(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), source="c.yaml"
    )
    assert changed.sha256 != original.sha256


@pytest.mark.parametrize("path", [EXAMPLE, TWENTE], ids=["example-minimal", "twente"])
def test_shipped_criteria_files_validate(path):
    instrument = weegtool.load_instrument(path)
    assert instrument.id == path.stem
    assert len(instrument.sha256) == 64


def test_twente_instrument_is_complete(twente):
    assert twente.domain_ids == (
        "emotion_regulation",
        "coping",
        "impulse_control",
        "social_resilience",
        "protective_factors",
    )
    for domain in twente.domain_ids:
        assert sum(item.domain == domain for item in twente.items) >= 4, domain
    for item in twente.items:
        assert twente.scale_of(item).values == (0, 1, 2, 3, 4), item.id
        assert sorted(item.anchors) == [0, 1, 2, 3, 4], item.id
        for level, anchor in item.anchors.items():
            assert anchor.nl.strip() and anchor.en.strip(), (item.id, level)
            assert anchor.nl != anchor.en, (item.id, level)


def test_a_calibrated_instrument_says_how_when_and_from_what(make_instrument):
    data = example_data()
    data["status"] = "calibrated"
    data["provenance"] = {"source": "pilot", "method": " "}
    with pytest.raises(CriteriaError) as caught:
        make_instrument(data)
    said = [p for p in caught.value.problems if "is required when status is 'calibrated'" in p]
    assert [p.split(" is required")[0].split()[-1] for p in said] == [
        "provenance.method",
        "provenance.date",
        "provenance.previous_sha256",
    ]
