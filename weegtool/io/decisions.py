"""Decision files (YAML) -> :class:`~weegtool.decision.Decision` records, every record checked.

A file holds a list (or ``decisions: [...]``) of mappings with the fields of
:class:`~weegtool.decision.Decision`; signatories are mappings with the fields
of :class:`~weegtool.decision.Signatory`, dates are written YYYY-MM-DD.
"""

from __future__ import annotations

import datetime as _dt
import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from ..candidate import a_date, yes_no
from ..decision import Decision, Signatory
from ..errors import DecisionError
from ..instrument import Instrument
from .yamlfile import at_line, dotted, read_records

__all__ = ["load_decisions"]


class _SignatorySpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    role: str = Field(min_length=1)
    registration: str | None = None
    behavioural_scientist: Annotated[bool, BeforeValidator(yes_no)] = False


class _DecisionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    candidate_id: str = Field(min_length=1)
    category: str
    follows_advice: Annotated[bool, BeforeValidator(yes_no)]
    justification: str = ""
    items: list[str] = []
    dissent: str = ""
    signatories: list[_SignatorySpec] = []
    decided_on: Annotated[_dt.date | None, BeforeValidator(a_date)] = None
    overridden_flags: list[str] = []


def load_decisions(
    path: str | Path, instrument: Instrument | None = None, candidates: Iterable[str] | None = None
) -> dict[str, Decision]:
    """Decisions from a YAML file: a list (or ``decisions:`` list) of mappings with the fields of :class:`Decision`.

    Every record is checked (known fields, types, dates as YYYY-MM-DD; with
    ``instrument``, categories, items and flags that exist; with ``candidates``,
    ids that are in the cohort; one decision per candidate) and every problem is
    reported at once.

    Raises
    ------
    DecisionError
        With every problem, each naming the record (``decisions[n]``) and field.
    """
    path = Path(path)
    data, line_of = read_records(path, "decisions", DecisionError, "decision")
    known = set(candidates) if candidates is not None else None
    decisions: dict[str, Decision] = {}
    problems: list[str] = []
    for n, record in enumerate(data):
        where = f"{at_line(line_of(n, ()))}decisions[{n}]"
        if isinstance(record, dict) and isinstance(record.get("candidate_id"), int):
            problems.append(
                f"{where}.candidate_id: write ids in quotes ({record['candidate_id']!r} was read as a "
                "number, which loses leading zeros)."
            )
            continue
        try:
            spec = _DecisionSpec.model_validate(record)
        except ValidationError as exc:
            problems += [
                _said(f"{at_line(line_of(n, e['loc']))}decisions[{n}]", e) for e in exc.errors()
            ]
            continue
        problems += [f"{where}: {p}" for p in _references(spec, instrument, known)]
        if spec.candidate_id in decisions:
            problems.append(
                f"{where}: a second decision for the same candidate; give one per candidate."
            )
        decisions[spec.candidate_id] = Decision(
            candidate_id=spec.candidate_id,
            category=spec.category,
            follows_advice=spec.follows_advice,
            justification=spec.justification,
            items=tuple(spec.items),
            dissent=spec.dissent,
            signatories=tuple(Signatory(**s.model_dump()) for s in spec.signatories),
            decided_on=spec.decided_on,
            overridden_flags=tuple(spec.overridden_flags),
        )
    if problems:
        raise DecisionError.collect(str(path), problems)
    return decisions


FIELDS = tuple(_DecisionSpec.model_fields)
SIGNATORY_FIELDS = tuple(_SignatorySpec.model_fields)


def _said(where: str, error: Mapping[str, Any]) -> str:
    """A pydantic error in words: the record and field, what must hold, what was found."""
    loc = dotted(error["loc"]).lstrip(".")
    kind = error["type"]
    if kind == "model_type":
        return f"{where}: must be a mapping of fields ({', '.join(FIELDS)}); got {type(error['input']).__name__}."
    if kind == "missing":
        return f"{where}.{loc}: is required."
    if kind == "extra_forbidden":
        name = str(error["loc"][-1])
        inner = error["loc"][0] == "signatories" and len(error["loc"]) > 2
        known = SIGNATORY_FIELDS if inner else FIELDS
        place = f"{where}{dotted(error['loc'][:-1])}" if inner else where
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else f" Known fields: {', '.join(known)}."
        return f"{place}: unknown field '{name}'.{hint}"
    if kind.startswith("date"):
        return f"{where}.{loc}: must be a date as YYYY-MM-DD or DD-MM-YYYY; got {error['input']!r}."
    return f"{where}.{loc}: {error['msg'].lower()}; got {error['input']!r}."


def _references(
    spec: _DecisionSpec, instrument: Instrument | None, known: set[str] | None
) -> list[str]:
    out = []
    if known is not None and spec.candidate_id not in known:
        out.append(f"candidate_id {spec.candidate_id!r} is not a candidate of these ratings.")
    if instrument is not None:
        categories = [c.id for c in instrument.spec.advice.categories]
        if spec.category not in categories:
            close = difflib.get_close_matches(spec.category, categories, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            out.append(f"category must be one of {categories}; got {spec.category!r}.{hint}")
        unknown = [i for i in spec.items if i not in instrument.item_ids]
        if unknown:
            out.append(f"items {unknown} are not items of {instrument.id}.")
        flags = {f.id for f in instrument.flags}
        unknown = [f for f in spec.overridden_flags if f not in flags]
        if unknown:
            out.append(f"overridden_flags {unknown} are not flags of {instrument.id}.")
    return out
