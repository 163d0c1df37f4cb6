"""Criteria file -> frozen, fully validated :class:`Instrument`.

The file format is documented in the README; ``criteria/example-minimal.yaml``
is the reference. Loading checks the structure (pydantic) and the cross
references (ids, bands, ceilings, composition rules), collects every problem
with its path and line, and raises one :class:`~weegtool.errors.CriteriaError`.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import hashlib
import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import CriteriaError, UnknownIdError
from .io.yamlfile import KeyPath, kind_of, read_mapping

__all__ = [
    "Instrument",
    "load_instrument",
    "parse_instrument",
    "default_instrument_path",
]

_T = TypeVar("_T")

Identifier = Field(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=64)
Sha256 = Field(default=None, pattern=r"^[0-9a-f]{64}$")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(_Spec):
    """A text in Dutch and English."""

    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def __call__(self, lang: str = "nl") -> str:
        return self.en if lang == "en" else self.nl


class Level(_Spec):
    value: int
    label: Text
    anchor: Text


class Scale(_Spec):
    id: str = Identifier
    levels: tuple[Level, ...] = Field(min_length=2)

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(level.value for level in self.levels)

    @property
    def min(self) -> int:
        return self.levels[0].value

    @property
    def max(self) -> int:
        return self.levels[-1].value


class MeasurementSource(_Spec):
    """Where a standard deviation and reliability coefficient come from."""

    data: str = Field(min_length=1)  # the data set: a file name or description, with its sha256
    coefficient: str = Field(min_length=1)  # e.g. "ICC(2,1)"
    candidates: int = Field(ge=2)
    raters: int = Field(ge=1)
    date: _dt.date | None = None


class Measurement(_Spec):
    """The spread and reliability of a score (0-100 points), from which its measurement error follows.

    ``sd`` is the standard deviation of the score between candidates, in points; ``reliability``
    a coefficient in [0, 1) such as ICC(2,1). :mod:`weegtool.change` turns them into the standard
    error of measurement, the smallest detectable change and the reliable change index.
    """

    sd: float = Field(gt=0, le=100)
    reliability: float = Field(ge=0, lt=1)
    source: MeasurementSource


class Domain(_Spec):
    id: str = Identifier
    kind: Literal["risk", "protective"]
    weight: float = Field(ge=0)
    max_missing: int = Field(ge=0)
    title: Text
    description: Text | None = None
    measurement: Measurement | None = None


class Item(_Spec):
    id: str = Identifier
    domain: str
    scale: str
    weight: float = Field(ge=0)
    direction: Literal["risk", "protective"]
    text: Text
    anchors: dict[int, Text]
    description: Text | None = None


class Category(_Spec):
    id: str = Identifier
    title: Text
    description: Text | None = None


class Band(_Spec):
    id: str = Identifier
    lower: float = Field(alias="from", ge=0, le=100)
    upper: float = Field(alias="to", ge=0, le=100)
    advice: str
    title: Text | None = None


class Ceiling(_Spec):
    domain: str
    at: float = Field(ge=0, le=100)
    advice: str


class AdviceSpec(_Spec):
    categories: tuple[Category, ...] = Field(min_length=1)
    suitable: tuple[str, ...]
    not_this_group: str
    not_assessable: str
    bands: tuple[Band, ...] = Field(min_length=1)
    ceilings: tuple[Ceiling, ...] = ()


class Precondition(_Spec):
    id: str = Identifier
    field: str = Identifier
    advice: str
    text: Text


class Flag(_Spec):
    id: str = Identifier
    severity: Literal["hard", "soft", "info"]
    advice: str | None = None
    text: Text
    meaning: Text


class CompositionRule(_Spec):
    id: str = Identifier
    type: Literal[
        "capacity", "staff_ratio", "max_count", "exclusive_pair", "age_range", "diversity"
    ]
    severity: Literal["hard", "soft"]
    text: Text
    flag: str | None = None
    flags: tuple[str, str] | None = None
    max: int | None = Field(default=None, ge=0)


class Settings(_Spec):
    age_range: tuple[int, int] = (8, 27)
    review_months: int = Field(default=6, ge=1, le=36)
    aggregation: Literal["median", "mean", "min", "max"] = "median"
    disagreement_levels: int = Field(default=2, ge=1)
    protective_lowers_total: bool = True
    max_missing_fraction: float = Field(default=0.10, ge=0, lt=1)
    max_residents: int = Field(default=4, ge=1)
    staff_ratio: float = Field(default=4, gt=0)


class Provenance(_Spec):
    model_config = ConfigDict(extra="allow", frozen=True)
    source: str = Field(min_length=1)
    authors: tuple[str, ...] = ()
    date: _dt.date | None = None
    method: str | None = None
    previous_sha256: str | None = Sha256
    previous_version: str | None = None
    data_sha256: str | None = Sha256
    data_rows: int | None = Field(default=None, ge=0)
    data_file: str | None = None
    note: Text | None = None


class InstrumentSpec(_Spec):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", min_length=1, max_length=80)
    version: str = Field(pattern=r"^\d+(\.\d+){0,2}([.-][0-9A-Za-z.-]+)?$")
    status: Literal["concept", "calibrated"]
    title: Text
    description: Text | None = None
    provenance: Provenance
    settings: Settings = Settings()
    scales: tuple[Scale, ...] = Field(min_length=1)
    domains: tuple[Domain, ...] = Field(min_length=1)
    items: tuple[Item, ...] = Field(min_length=1)
    advice: AdviceSpec
    preconditions: tuple[Precondition, ...] = ()
    flags: tuple[Flag, ...] = ()
    composition: tuple[CompositionRule, ...] = ()
    total_measurement: Measurement | None = None


# Fields added after instruments were in use: left out of the canonical content when absent, so
# that the sha256 of every file written before them stays what it was.
_OPTIONAL_LATER = ("measurement", "total_measurement")

_FIELD_NAMES: set[str] = {
    key
    for model in (
        Text,
        Level,
        Scale,
        Domain,
        Item,
        Category,
        Band,
        Ceiling,
        AdviceSpec,
        Precondition,
        Flag,
        CompositionRule,
        Settings,
        Provenance,
        MeasurementSource,
        Measurement,
        InstrumentSpec,
    )
    for field_name, info in model.model_fields.items()
    for key in (field_name, info.alias)
    if key
}


@dataclass(frozen=True)
class Instrument:
    """A validated, versioned and hashed weighting instrument.

    Build one with :func:`load_instrument`; the fields of the criteria file are
    under :attr:`spec`, the common ones are also attributes here.
    """

    spec: InstrumentSpec
    source: str = field(default="<instrument>", compare=False)

    def __repr__(self) -> str:
        return f"Instrument({self.label})"

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def version(self) -> str:
        return self.spec.version

    @property
    def status(self) -> str:
        return self.spec.status

    @property
    def settings(self) -> Settings:
        return self.spec.settings

    @property
    def items(self) -> tuple[Item, ...]:
        return self.spec.items

    @property
    def domains(self) -> tuple[Domain, ...]:
        return self.spec.domains

    @property
    def flags(self) -> tuple[Flag, ...]:
        return self.spec.flags

    @cached_property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.spec.items)

    @cached_property
    def domain_ids(self) -> tuple[str, ...]:
        return tuple(domain.id for domain in self.spec.domains)

    @cached_property
    def scales(self) -> dict[str, Scale]:
        return {scale.id: scale for scale in self.spec.scales}

    def scale_of(self, item: Item) -> Scale:
        return self.scales[item.scale]

    def item(self, item_id: str) -> Item:
        """The item with id ``item_id``; :class:`UnknownIdError` (a KeyError) naming close ids when absent."""
        return self._lookup("item", item_id, self._items_by_id)

    def domain(self, domain_id: str) -> Domain:
        return self._lookup("domain", domain_id, self._domains_by_id)

    def flag(self, flag_id: str) -> Flag:
        return self._lookup("flag", flag_id, self._flags_by_id)

    def band_title(self, band_id: str | None, lang: str = "nl") -> str:
        """A band's title in ``lang``; its id when the file gives no title, '-' for no band."""
        if not band_id:
            return "-"
        band = next((b for b in self.spec.advice.bands if b.id == band_id), None)
        return band.title(lang) if band is not None and band.title is not None else band_id

    def category(self, category_id: str) -> Category:
        return self._lookup("advice category", category_id, self._categories_by_id)

    def precondition(self, precondition_id: str) -> Precondition:
        return self._lookup("precondition", precondition_id, self._preconditions_by_id)

    def composition_rule(self, rule_id: str) -> CompositionRule:
        return self._lookup("composition rule", rule_id, self._composition_by_id)

    @cached_property
    def _preconditions_by_id(self) -> dict[str, Precondition]:
        return {p.id: p for p in self.spec.preconditions}

    @cached_property
    def _composition_by_id(self) -> dict[str, CompositionRule]:
        return {r.id: r for r in self.spec.composition}

    @cached_property
    def _items_by_id(self) -> dict[str, Item]:
        return {item.id: item for item in self.spec.items}

    @cached_property
    def _domains_by_id(self) -> dict[str, Domain]:
        return {domain.id: domain for domain in self.spec.domains}

    @cached_property
    def _flags_by_id(self) -> dict[str, Flag]:
        return {flag.id: flag for flag in self.spec.flags}

    @cached_property
    def _categories_by_id(self) -> dict[str, Category]:
        return {category.id: category for category in self.spec.advice.categories}

    def _lookup(self, what: str, key: str, found: Mapping[str, _T]) -> _T:
        try:
            return found[key]
        except (KeyError, TypeError):
            close = difflib.get_close_matches(str(key), list(found), n=1)
            hint = (
                f"; did you mean {close[0]!r}?"
                if close
                else f"; it has {', '.join(found) or 'none'}."
            )
            raise UnknownIdError(
                f"{what} {key!r} is not in instrument {self.id} {self.version}{hint}"
            ) from None

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_derived"}

    def derived(self, build: Callable[[Instrument], _T]) -> _T:
        """``build(self)``, made once per instrument and kept with it (arrays of weights, the rule set).

        The instrument is frozen, so what is derived from it never goes stale. ``build`` is the
        cache's key: pass a module-level function or a classmethod, not a new lambda each call.
        What is derived is not pickled with the instrument (it is made again on first use).
        """
        cache: dict[Any, Any] = self.__dict__.setdefault("_derived", {})
        if build not in cache:
            cache[build] = build(self)
        return cache[build]  # type: ignore[no-any-return]

    @cached_property
    def canonical(self) -> str:
        """The instrument's content as canonical JSON: what :attr:`sha256` hashes."""
        content = _without_absent_later_fields(self.spec.model_dump(mode="json", by_alias=True))
        return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @cached_property
    def sha256(self) -> str:
        """sha256 of the canonical content: layout, comments and key order do not count."""
        return hashlib.sha256(self.canonical.encode("utf-8")).hexdigest()

    def measurement(self, domain_id: str | None = None) -> Measurement | None:
        """The SD and reliability of a domain's score (of the total when ``domain_id`` is None);
        None when the criteria file gives none."""
        if domain_id is None:
            return self.spec.total_measurement
        return self.domain(domain_id).measurement

    @property
    def label(self) -> str:
        """``id version (status, sha256 prefix)``, for headers and logs."""
        return f"{self.id} {self.version} ({self.status}, sha256 {self.sha256[:12]})"

    def describe(self) -> dict[str, Any]:
        """A JSON-ready summary: identity, items with their ranges, flags."""
        return {
            "id": self.id,
            "version": self.version,
            "status": self.status,
            "sha256": self.sha256,
            "title": self.spec.title.model_dump(),
            "domains": [
                {"id": d.id, "kind": d.kind, "weight": d.weight, "max_missing": d.max_missing}
                for d in self.domains
            ],
            "items": [_describe_item(self, item) for item in self.items],
            "flags": [{"id": f.id, "severity": f.severity, "advice": f.advice} for f in self.flags],
            "bands": [
                {"id": b.id, "from": b.lower, "to": b.upper, "advice": b.advice}
                for b in self.spec.advice.bands
            ],
            "categories": [c.id for c in self.spec.advice.categories],
        }

    def summary(self) -> str:
        """One line: id, version, status, sha256, counts."""
        return (
            f"{self.id} {self.version} ({self.status}) sha256 {self.sha256} "
            f"domains={len(self.domains)} items={len(self.items)} flags={len(self.flags)}"
        )


def _without_absent_later_fields(content: dict[str, Any]) -> dict[str, Any]:
    for record in [content, *content.get("domains", ())]:
        for key in _OPTIONAL_LATER:
            if key in record and record[key] is None:
                del record[key]
    return content


def _describe_item(instrument: Instrument, item: Item) -> dict[str, Any]:
    scale = instrument.scale_of(item)
    return {
        "id": item.id,
        "domain": item.domain,
        "min": scale.min,
        "max": scale.max,
        "direction": item.direction,
        "weight": item.weight,
        "text": item.text.model_dump(),
    }


def default_instrument_path() -> Path:
    """The default Twente instrument shipped in ``criteria/``."""
    # weegtool/criteria links to the top-level criteria/ folder, so an installed wheel carries the file too.
    return Path(__file__).parent / "criteria" / "twente-specialistisch-wonen.yaml"


def load_instrument(path: str | Path | None = None) -> Instrument:
    """Read, validate and hash a criteria file (the default instrument when ``path`` is None).

    Raises
    ------
    CriteriaError
        With every problem in the file, each with its path and line.
    """
    path = Path(path) if path is not None else default_instrument_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CriteriaError(f"{path}: no such criteria file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CriteriaError(f"{path}: cannot be read as UTF-8 text ({exc}).") from None
    return parse_instrument(text, source=str(path))


def parse_instrument(text: str, source: str = "<instrument>") -> Instrument:
    """Validate the YAML ``text`` of a criteria file; see :func:`load_instrument`."""
    data, lines, problems = read_mapping(text, fields="id, version, ...")
    if data is not None:
        structure = _structure_problems(data, lines)
        reported = {path for path, _ in structure}
        problems += [message for _, message in structure]
        problems += [
            _at(lines, path) + message
            for path, message in _reference_problems(data)
            if path not in reported
        ]
    if problems:
        raise CriteriaError.collect(source, problems)
    return Instrument(spec=InstrumentSpec.model_validate(data), source=source)


# --- structure: pydantic errors in the house style ---------------------------


def _at(lines: Mapping[KeyPath, int], path: KeyPath) -> str:
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return f"line {lines[path[:end]]}: "
    return ""


def _structure_problems(data: Any, lines: Mapping[KeyPath, int]) -> list[tuple[KeyPath, str]]:
    try:
        InstrumentSpec.model_validate(data)
    except ValidationError as exc:
        return [
            (tuple(err["loc"]), _at(lines, tuple(err["loc"])) + _explain(err, data))
            for err in exc.errors()
            if not _is_echo(err)
        ]
    return []


def _explain(err: Mapping[str, Any], data: Any) -> str:
    loc = tuple(err["loc"])
    where = _named(loc, data)
    kind, ctx, got = err["type"], err.get("ctx", {}), err.get("input")
    templates = {
        "missing": f"{where} is required",
        "extra_forbidden": f"{where} is not a known field{_unknown_field_hint(loc, data)}",
        "literal_error": f"{where} must be one of {ctx.get('expected', '')}; got {got!r}",
        "greater_than_equal": f"{where} must be >= {_num(ctx.get('ge'))}; got {got!r}",
        "greater_than": f"{where} must be > {_num(ctx.get('gt'))}; got {got!r}",
        "less_than_equal": f"{where} must be <= {_num(ctx.get('le'))}; got {got!r}",
        "less_than": f"{where} must be < {_num(ctx.get('lt'))}; got {got!r}",
        "string_pattern_mismatch": f"{where} must be {_pattern_words(loc)}; got {got!r}",
        "string_type": f"{where} must be text (put quotes around it); got {got!r}",
        "string_too_short": f"{where} must not be empty",
        "too_short": f"{where} must have at least {ctx.get('min_length')} entries; got {_count(got)}",
        "bool_parsing": f"{where} must be true or false; got {got!r}",
        "bool_type": f"{where} must be true or false; got {got!r}",
        "int_parsing": f"{where} must be a whole number; got {got!r}",
        "int_type": f"{where} must be a whole number; got {got!r}",
        "int_from_float": f"{where} must be a whole number; got {got!r}",
        "float_parsing": f"{where} must be a number; got {got!r}",
        "float_type": f"{where} must be a number; got {got!r}",
        "model_type": f"{where} must be a mapping of fields; got {kind_of(got)}",
        "dict_type": f"{where} must be a mapping; got {kind_of(got)}",
        "tuple_type": f"{where} must be a list; got {kind_of(got)}",
        "date_from_datetime_parsing": f"{where} must be a date (YYYY-MM-DD); got {got!r}",
        "date_parsing": f"{where} must be a date (YYYY-MM-DD); got {got!r}",
        "date_type": f"{where} must be a date (YYYY-MM-DD); got {got!r}",
    }
    message = templates.get(kind, f"{where}: {err['msg']}; got {got!r}")
    return message if message.endswith("?") else message + "."


def _unknown_field_hint(loc: KeyPath, data: Any) -> str:
    """A quoting hint for a text split at a comma, else the nearest known field name."""
    parent: Any = data
    for part in loc[:-1]:
        parent = parent[part] if isinstance(parent, (dict, list)) else None
    if isinstance(parent, dict) and {"nl", "en"} & set(parent):
        return (
            ": a text with a comma splits there unless it is in quotes; "
            'write it as nl: "text, with comma"'
        )
    close = difflib.get_close_matches(str(loc[-1]), sorted(_FIELD_NAMES), n=1, cutoff=0.7)
    return f"; did you mean {close[0]!r}?" if close else " (check the spelling)"


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def _is_echo(err: Mapping[str, Any]) -> bool:
    """pydantic repeats a failing entry as 'too short' for its list; the entry's own error says it."""
    min_length = err.get("ctx", {}).get("min_length")
    return (
        err["type"] == "too_short"
        and min_length is not None
        and _count(err.get("input")) >= min_length
    )


def _pattern_words(loc: KeyPath) -> str:
    if loc and loc[-1] == "version":
        return "a version number such as '1.0.0' (in quotes)"
    if loc and "sha256" in str(loc[-1]):
        return "a sha256 of 64 lowercase hexadecimal characters"
    return "an identifier of lowercase letters, digits and '_' starting with a letter"


def _named(loc: KeyPath, data: Any) -> str:
    """``items[3].weight`` with the item's id when it has one: ``items[3] (er_anger).weight``."""
    out, node = "", data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                out += f" ({node['id']})"
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "the file"


def _count(value: Any) -> int:
    return len(value) if hasattr(value, "__len__") else 0


# --- cross references -------------------------------------------------------
#
# These run on the raw YAML data, tolerant of what the structure check already
# reported, so that one pass over a file names every problem in it.

Problem = tuple[KeyPath, str]


def _reference_problems(data: Mapping[str, Any]) -> list[Problem]:
    raw = _Raw(data)
    checks = (
        _unique_ids,
        _item_references,
        _domain_sizes,
        _advice_references,
        _band_coverage,
        _composition_fields,
        _settings_consistency,
        _calibrated_provenance,
    )
    return [problem for check in checks for problem in check(raw)]


def _calibrated_provenance(raw: _Raw) -> Iterator[Problem]:
    """A calibrated instrument says how, when, and which version it replaces."""
    if raw.data.get("status") != "calibrated":
        return
    provenance = raw.section("provenance")
    for key in ("method", "date", "previous_sha256"):
        if provenance.get(key) is None or not str(provenance[key]).strip():
            yield (
                ("provenance", key),
                f"provenance.{key} is required when status is 'calibrated'; "
                "say how the weights and cut-offs were estimated, when, and from which version.",
            )


class _Raw:
    """Tolerant access to the raw criteria data: lists of mappings, ids, numbers."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data

    def records(self, *path: str) -> list[tuple[int, dict[str, Any]]]:
        node: Any = self.data
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        return (
            [(i, r) for i, r in enumerate(node) if isinstance(r, dict)]
            if isinstance(node, list)
            else []
        )

    def ids(self, *path: str) -> list[str]:
        return [r["id"] for _, r in self.records(*path) if isinstance(r.get("id"), str)]

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name)
        return value if isinstance(value, dict) else {}


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _where(name: str, i: int, record: Mapping[str, Any]) -> str:
    return f"{name}[{i}]" + (f" ({record['id']})" if isinstance(record.get("id"), str) else "")


def _duplicates(ids: Iterable[str]) -> Iterator[str]:
    return (key for key, count in Counter(ids).items() if count > 1)


def _unique_ids(raw: _Raw) -> Iterator[Problem]:
    for name in (
        "scales",
        "domains",
        "items",
        "flags",
        "preconditions",
        "composition",
        "advice.categories",
        "advice.bands",
    ):
        path = tuple(name.split("."))
        records = raw.records(*path)
        ids = [r.get("id") for _, r in records]
        for dup in _duplicates(i for i in ids if isinstance(i, str)):
            index = records[ids.index(dup)][0]
            yield (
                path + (index, "id"),
                f"{name} id {dup!r} is used more than once; ids must be unique.",
            )
    for i, scale in raw.records("scales"):
        found = [
            level.get("value") for level in scale.get("levels") or [] if isinstance(level, dict)
        ]
        values = [v for v in found if isinstance(v, int)]
        if len(values) == len(found) and values != sorted(set(values)):
            yield (
                ("scales", i, "levels"),
                f"{_where('scales', i, scale)}.levels must have distinct values in increasing order; got {values}.",
            )


def _scale_values(raw: _Raw) -> dict[str, list[Any]]:
    return {
        scale["id"]: [
            level.get("value") for level in scale.get("levels") or [] if isinstance(level, dict)
        ]
        for _, scale in raw.records("scales")
        if isinstance(scale.get("id"), str)
    }


def _item_references(raw: _Raw) -> Iterator[Problem]:
    domains, scales = raw.ids("domains"), _scale_values(raw)
    for i, item in raw.records("items"):
        where = _where("items", i, item)
        if isinstance(item.get("domain"), str) and item["domain"] not in domains:
            yield (
                ("items", i, "domain"),
                f"{where}.domain must be one of {sorted(domains)}; got {item['domain']!r}.",
            )
        if isinstance(item.get("scale"), str) and item["scale"] not in scales:
            yield (
                ("items", i, "scale"),
                f"{where}.scale must be one of {sorted(scales)}; got {item['scale']!r}.",
            )
        levels = scales.get(item.get("scale"))  # type: ignore[arg-type]
        anchors = item.get("anchors")
        if (
            levels
            and isinstance(anchors, dict)
            and sorted(map(str, anchors)) != sorted(map(str, levels))
        ):
            yield (
                ("items", i, "anchors"),
                f"{where}.anchors must describe every level of scale "
                f"{item['scale']!r} {levels}; got {sorted(anchors, key=str)}.",
            )


def _domain_sizes(raw: _Raw) -> Iterator[Problem]:
    items = [item for _, item in raw.records("items")]
    for d, domain in raw.records("domains"):
        members = [item for item in items if item.get("domain") == domain.get("id")]
        where, max_missing = _where("domains", d, domain), domain.get("max_missing")
        weights = [_number(item.get("weight")) for item in members]
        if not members:
            yield (("domains", d), f"{where} has no items; every domain needs at least one.")
        elif isinstance(max_missing, int) and max_missing >= len(members):
            yield (
                ("domains", d, "max_missing"),
                f"{where}.max_missing must be < its {len(members)} items; got {max_missing}.",
            )
        elif all(w is not None and w >= 0 for w in weights) and sum(w or 0.0 for w in weights) <= 0:
            yield (("domains", d), f"{where} must have at least one item with weight > 0.")
    kinds = [
        (domain.get("kind"), _number(domain.get("weight"))) for _, domain in raw.records("domains")
    ]
    if kinds and not any(kind == "risk" and (weight or 0) > 0 for kind, weight in kinds):
        yield (("domains",), "domains must include at least one risk domain with weight > 0.")


def _advice_references(raw: _Raw) -> Iterator[Problem]:
    categories, domains = sorted(raw.ids("advice", "categories")), raw.ids("domains")
    advice = raw.section("advice")

    def check(path: KeyPath, where: str, value: Any) -> Iterator[Problem]:
        if categories and isinstance(value, str) and value not in categories:
            yield (
                path,
                f"{where} must be one of the advice categories {categories}; got {value!r}.",
            )

    for name in ("not_this_group", "not_assessable"):
        yield from check(("advice", name), f"advice.{name}", advice.get(name))
    for i, value in enumerate(advice.get("suitable") or []):
        yield from check(("advice", "suitable", i), f"advice.suitable[{i}]", value)
    for name, label in (("bands", "advice.bands"), ("ceilings", "advice.ceilings")):
        for i, record in raw.records("advice", name):
            yield from check(
                ("advice", name, i, "advice"),
                f"{_where(label, i, record)}.advice",
                record.get("advice"),
            )
    for i, ceiling in raw.records("advice", "ceilings"):
        if isinstance(ceiling.get("domain"), str) and ceiling["domain"] not in domains:
            yield (
                ("advice", "ceilings", i, "domain"),
                f"advice.ceilings[{i}].domain must be one of {sorted(domains)}; got {ceiling['domain']!r}.",
            )
    for name in ("preconditions", "flags"):
        for i, record in raw.records(name):
            yield from check(
                (name, i, "advice"), f"{_where(name, i, record)}.advice", record.get("advice")
            )


def _band_coverage(raw: _Raw) -> Iterator[Problem]:
    records = raw.records("advice", "bands")
    if not records or any(
        _number(b.get("from")) is None or _number(b.get("to")) is None for _, b in records
    ):
        return
    bands = [(i, b.get("id"), float(b["from"]), float(b["to"])) for i, b in records]
    for i, name, low, high in bands:
        if low >= high:
            yield (
                ("advice", "bands", i),
                f"advice.bands[{i}] ({name}) must have from < to; got from {low:g} to {high:g}.",
            )
    if bands[0][2] != 0:
        yield (
            ("advice", "bands", 0, "from"),
            f"advice.bands must start at 0; the first starts at {bands[0][2]:g}.",
        )
    if bands[-1][3] != 100:
        yield (
            ("advice", "bands", bands[-1][0], "to"),
            f"advice.bands must end at 100; the last ends at {bands[-1][3]:g}.",
        )
    for (_, left, _, left_high), (i, right, right_low, _) in itertools.pairwise(bands):
        if left_high != right_low:
            yield (
                ("advice", "bands", i, "from"),
                f"advice.bands[{i}] ({right}) must start where band {left!r} ends ({left_high:g}); "
                f"got {right_low:g}. Bands must be in increasing order, without gaps or overlaps.",
            )


_RULE_FIELDS = {"max_count": ("flag", "max"), "exclusive_pair": ("flags",), "diversity": ("max",)}


def _composition_fields(raw: _Raw) -> Iterator[Problem]:
    flags = sorted(raw.ids("flags"))
    for i, rule in raw.records("composition"):
        where = _where("composition", i, rule)
        for name in _RULE_FIELDS.get(rule.get("type"), ()):  # type: ignore[arg-type]
            if rule.get(name) is None:
                yield (
                    ("composition", i),
                    f"{where}.{name} is required for a rule of type {rule['type']!r}.",
                )
        listed = rule.get("flags")
        named = [rule.get("flag")] + (listed if isinstance(listed, list) else [])
        for flag_id in (f for f in named if isinstance(f, str)):
            if flag_id not in flags:
                yield (
                    ("composition", i),
                    f"{where} names flag {flag_id!r}, which is not in flags {flags}.",
                )


def _settings_consistency(raw: _Raw) -> Iterator[Problem]:
    ages = raw.section("settings").get("age_range")
    if (
        isinstance(ages, list)
        and len(ages) == 2
        and all(isinstance(a, int) for a in ages)
        and ages[0] > ages[1]
    ):
        yield (
            ("settings", "age_range"),
            f"settings.age_range must be [lowest, highest]; got {ages}.",
        )
