"""House files (YAML or CSV) -> :class:`~weegtool.composition.House` records, checked against an instrument.

A YAML file holds ``houses: [...]`` (or one house): each house's ``id``,
``capacity``, the professionals on duty (``staff_on_duty``), an optional
``age_range`` and its current ``residents``, pseudonymised (``id``, ``age``,
``flags``, ``main_problem``). A CSV has one row per resident, with the columns
``house``, ``capacity``, ``staff_on_duty``, ``age_min``, ``age_max``,
``resident_id``, ``age``, ``flags`` and ``main_problem`` (a house without
residents: one row with ``resident_id`` blank).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from ..candidate import whole_number
from ..composition import House, Resident
from ..errors import HouseError, RatingsError
from ..instrument import Instrument
from .yamlfile import LineOf, at_line, dotted, read_records

__all__ = ["load_houses", "parse_houses"]


Whole = Annotated[int, BeforeValidator(whole_number)]  # 16 and 16,0 alike, as in every file


class _ResidentSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1)
    age: Whole | None = Field(default=None, ge=0, le=120)
    flags: tuple[str, ...] = ()
    main_problem: str | None = None


class _HouseSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1)
    capacity: Whole = Field(ge=1)
    staff_on_duty: Whole | None = Field(default=None, ge=0)
    age_range: tuple[Whole, Whole] | None = None
    residents: tuple[_ResidentSpec, ...] = ()


def load_houses(path: str | Path, instrument: Instrument) -> tuple[House, ...]:
    """Houses from a YAML file (``houses: [...]`` or one house) or a CSV (one row per resident).

    Raises
    ------
    HouseError
        With every problem: unknown fields, bad numbers, flags or domains the
        instrument does not know, a house over its capacity.
    """
    path = Path(path)
    if not path.exists():
        raise HouseError(f"{path}: no such house file.")
    line_of: LineOf | None = None
    if path.suffix.lower() in TABLE_SUFFIXES:
        records = _csv_records(path)
    else:
        records, line_of = read_records(path, "houses", HouseError, "house")
    if not records:
        raise HouseError(f"{path}: holds no house.")
    houses = parse_houses(records, instrument, source=str(path), line_of=line_of)
    repeated = [f"house {h.id!r}: resident {i!r} is listed more than once."
                for h in houses for i in h.repeated_residents]  # fmt: skip
    if repeated:  # (the store words the same rule for the web app's form)
        raise HouseError.collect(str(path), repeated)
    return houses


def parse_houses(
    records: Sequence[Any],
    instrument: Instrument,
    source: str = "houses",
    line_of: LineOf | None = None,
) -> tuple[House, ...]:
    """Validate house records (mappings as in a YAML house file); ``line_of(n, loc)`` gives the
    line of a field, for the messages (see :func:`weegtool.io.yamlfile.read_records`)."""
    problems: list[str] = []
    houses = []
    for n, record in enumerate(records):
        try:
            spec = _HouseSpec.model_validate(record)
        except ValidationError as exc:
            problems += [
                f"{at_line(line_of(n, e['loc']) if line_of else None)}houses[{n}]{dotted(e['loc'])}: "
                f"{e['msg'].lower()}; got {e.get('input')!r}."
                for e in exc.errors()
            ]
            continue
        line = at_line(line_of(n, ()) if line_of else None)
        problems += [line + p for p in _house_problems(n, spec, instrument)]
        houses.append(_house(spec))
    ids = [h.id for h in houses]
    problems += [
        f"house id {i!r} is used more than once."
        for i in sorted({i for i in ids if ids.count(i) > 1})
    ]
    if problems:
        raise HouseError.collect(source, problems)
    return tuple(houses)


def _house(spec: _HouseSpec) -> House:
    residents = tuple(
        Resident(r.id, r.age, tuple(sorted(set(r.flags))), r.main_problem) for r in spec.residents
    )
    return House(spec.id, spec.capacity, spec.staff_on_duty, spec.age_range, residents)


def _house_problems(n: int, spec: _HouseSpec, instrument: Instrument) -> list[str]:
    flags, domains = {f.id for f in instrument.flags}, set(instrument.domain_ids)
    where = f"houses[{n}] ({spec.id})"
    problems = []
    if len(spec.residents) > spec.capacity:
        problems.append(
            f"{where}: {len(spec.residents)} residents exceed its capacity {spec.capacity}."
        )
    for m, resident in enumerate(spec.residents):
        for flag in resident.flags:
            if flag not in flags:
                problems.append(
                    f"{where}.residents[{m}].flags: {flag!r} is not a flag of the instrument; "
                    f"flags are {', '.join(sorted(flags))}."
                )
        if resident.main_problem is not None and resident.main_problem not in domains:
            problems.append(
                f"{where}.residents[{m}].main_problem must be a domain of the instrument "
                f"({', '.join(instrument.domain_ids)}); got {resident.main_problem!r}."
            )
    if spec.age_range is not None and spec.age_range[0] > spec.age_range[1]:
        problems.append(f"{where}.age_range must be [lowest, highest]; got {list(spec.age_range)}.")
    return problems


TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")  # read as tables; any other as YAML
HOUSE_COLUMNS = ("house", "capacity", "staff_on_duty", "age_min", "age_max")
RESIDENT_COLUMNS = ("resident_id", "age", "flags", "main_problem")


def _csv_records(path: Path) -> list[dict[str, Any]]:
    """One row per resident (a house without residents: one row with resident_id blank), read by
    the one table reader (encodings, separators, workbooks, Excel's empty columns and rows).

    Rows of one house that give its capacity, staff or age range differently are refused with
    both rows: which one to believe is the committee's call, not the reader's.
    """
    from .tables import read_table

    try:
        frame, name = read_table(path, "houses")
    except RatingsError as exc:
        raise HouseError(str(exc), exc.problems) from None
    unknown = [c for c in frame.columns if c not in HOUSE_COLUMNS + RESIDENT_COLUMNS]
    problems = [f"column {c!r} is not a house or resident field; the fields are "
                f"{', '.join(HOUSE_COLUMNS + RESIDENT_COLUMNS)}." for c in unknown]  # fmt: skip
    rows: list[dict[str, str]] = frame.to_dict("records")  # type: ignore[assignment]
    houses: dict[str, dict[str, Any]] = {}
    first_row: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        code = str(row.get("house", "")).strip()
        house = _csv_house(row)
        problems += [f"row {number}: {p}" for p in _csv_row_problems(row)]
        if code not in houses:
            houses[code], first_row[code] = house, number
        problems += [
            f"house {code!r}: rows {first_row[code]} and {number} give {field} as "
            f"{_said(houses[code].get(field))} and {_said(house.get(field))}; give it the same in "
            "every row."
            for field in ("capacity", "staff_on_duty", "age_range")
            if _same(houses[code].get(field)) != _same(house.get(field))
        ]
        if str(row.get("resident_id") or "").strip():
            houses[code]["residents"].append(_csv_resident(row))
    if problems:
        raise HouseError.collect(name, problems)
    return list(houses.values())


def _csv_row_problems(row: dict[str, str]) -> list[str]:
    """A row that says half of something: resident fields without a resident id, one age bound."""
    filled = {k for k, v in row.items() if str(v or "").strip()}
    problems = []
    if "resident_id" not in filled and filled & {"age", "flags", "main_problem"}:
        problems.append("resident_id is blank, but the row gives "
                        f"{', '.join(sorted(filled & {'age', 'flags', 'main_problem'}))}; give the "
                        "resident's id, or leave the resident's fields blank for a house "
                        "without residents.")  # fmt: skip
    if len(filled & {"age_min", "age_max"}) == 1:
        problems.append("give both age_min and age_max, or neither.")
    return problems


def _same(value: Any) -> Any:
    """A house field as compared between rows: 4 and 4,0 alike."""
    if isinstance(value, tuple):
        return tuple(whole_number(v) for v in value)
    return whole_number(value) if value is not None else None


def _said(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, tuple):
        return "-".join(map(str, value))
    return str(value)


def _csv_house(row: dict[str, str]) -> dict[str, Any]:
    low, high = (row.get("age_min") or "").strip(), (row.get("age_max") or "").strip()
    house: dict[str, Any] = {
        "id": (row.get("house") or "").strip(),
        "capacity": (row.get("capacity") or "").strip(),
        "residents": [],
    }
    if (row.get("staff_on_duty") or "").strip():
        house["staff_on_duty"] = row["staff_on_duty"].strip()
    if low and high:
        house["age_range"] = (low, high)
    return house


def _csv_resident(row: dict[str, str]) -> dict[str, Any]:
    flags = [f.strip() for f in (row.get("flags") or "").replace(",", ";").split(";") if f.strip()]
    resident: dict[str, Any] = {"id": row["resident_id"].strip(), "flags": flags}
    if (row.get("age") or "").strip():
        resident["age"] = row["age"].strip()
    if (row.get("main_problem") or "").strip():
        resident["main_problem"] = row["main_problem"].strip()
    return resident
