"""Group composition rules, one by one, and house files."""

from __future__ import annotations

import re

import pytest

import weegtool
from weegtool import load_houses
from weegtool.composition import House, Profile, Resident, check_composition
from weegtool.errors import HouseError

from .conftest import ROOT


def rules(conflicts):
    return sorted(c.rule for c in conflicts)


@pytest.mark.parametrize(
    "house, profile, expected",
    [
        (
            House("h", 4, residents=tuple(Resident(f"B{i}") for i in range(4))),
            Profile("K", 15),
            ["capacity"],
        ),
        (
            House("h", 6, residents=tuple(Resident(f"B{i}") for i in range(4))),
            Profile("K", 15),
            ["capacity"],
        ),  # max 4
        (House("h", 4, residents=(Resident("B1"),)), Profile("K", 15), []),
        (
            House("h", 4, staff_on_duty=1, residents=tuple(Resident(f"B{i}") for i in range(3))),
            Profile("K", 15),
            [],
        ),
        (House("h", 6, staff_on_duty=0, residents=()), Profile("K", 15), ["staff_ratio"]),
        (
            House("h", 4, residents=(Resident("B1", flags=("suicide_risk",)),)),
            Profile("K", 15, ("suicide_risk",)),
            ["one_suicide_risk"],
        ),
        (
            House("h", 4, residents=(Resident("B1", flags=("drug_misuse",)),)),
            Profile("K", 15, ("drug_misuse",)),
            ["drug_misuse"],
        ),
        (House("h", 4), Profile("K", 15, ("needs_secured_setting",)), ["no_secured_setting"]),
        (
            House("h", 4, residents=(Resident("B1", flags=("sexual_violence_victim",)),)),
            Profile("K", 15, ("sexual_violence_perpetrator",)),
            ["victims_and_perpetrators"],
        ),
        (
            House("h", 4, residents=(Resident("B1", flags=("sexual_violence_perpetrator",)),)),
            Profile("K", 15, ("sexual_violence_victim",)),
            ["victims_and_perpetrators"],
        ),
        (House("h", 4, age_range=(16, 23)), Profile("K", 14), ["house_age_range"]),
        (
            House(
                "h",
                4,
                residents=(
                    Resident("B1", main_problem="coping"),
                    Resident("B2", main_problem="coping"),
                ),
            ),
            Profile("K", 15, main_problem="coping"),
            ["diversity"],
        ),
    ],
)
def test_each_rule(twente, house, profile, expected):
    assert rules(check_composition(twente, profile, house)) == expected


def test_conflict_explains_who_and_why(twente):
    house = House("huis-a", 4, residents=(Resident("B1", flags=("suicide_risk",)),))
    (conflict,) = check_composition(twente, Profile("K", 15, ("suicide_risk",)), house)
    assert conflict.hard and conflict.house == "huis-a"
    assert conflict.details == {"flag": "suicide_risk", "residents": ["B1"], "max": 1}


def test_house_csv_and_yaml_agree(twente, tmp_path):
    csv = tmp_path / "houses.csv"
    csv.write_text(
        "house;capacity;staff_on_duty;age_min;age_max;resident_id;age;flags;main_problem\n"
        "huis-a;4;1;12;23;B-101;16;suicide_risk;emotion_regulation\n"
        "huis-a;4;1;12;23;B-102;19;drug_misuse,sexual_violence_victim;social_resilience\n"
        "huis-c;3;;;;;;;\n",
        encoding="utf-8",
    )
    from_csv = weegtool.load_houses(csv, twente)
    from_yaml = weegtool.load_houses(ROOT / "examples" / "houses.yaml", twente)
    assert from_csv[0] == from_yaml[0]
    assert from_csv[1] == House("huis-c", 3)


@pytest.mark.parametrize(
    "content, said",
    [
        ("", "holds no house."),
        ("houses: 3\n", "must hold a house or a list 'houses'; got int."),
        ("houses: [\n", "not valid YAML"),
    ],
)
def test_a_house_file_of_the_wrong_shape_is_named(tmp_path, twente, content, said):
    path = tmp_path / "houses.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(HouseError, match=re.escape(said)):
        load_houses(path, twente)
