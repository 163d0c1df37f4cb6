"""The committee's decision beside the advice: follow or deviate, with reasons and signatures.

Dutch guidance: a placement decision is never one person's; at least one
behavioural scientist (gedragswetenschapper, SKJ or BIG registered) takes
part; departing from the instrument is allowed with reasons that cite the
items it rests on ("pas toe of leg uit"); overriding a hard contra-indication
takes two signatures. :func:`check_decision` says what is missing.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .advice import Advice, DecisionError
from .instrument import Instrument

__all__ = ["Signatory", "Decision", "DecisionError", "check_decision", "load_decisions"]


@dataclass(frozen=True)
class Signatory:
    name: str
    role: str
    registration: str | None = None          # SKJ or BIG number
    behavioural_scientist: bool = False


@dataclass(frozen=True)
class Decision:
    """What the committee decided for one candidate."""

    candidate_id: str
    category: str
    follows_advice: bool
    justification: str = ""
    items: tuple[str, ...] = ()
    dissent: str = ""
    signatories: tuple[Signatory, ...] = ()
    decided_on: _dt.date | None = None
    overridden_flags: tuple[str, ...] = field(default=())


def check_decision(decision: Decision, advice: Advice, instrument: Instrument) -> list[str]:
    """Every rule the decision breaks, in words (empty when it is complete)."""
    problems = []
    where = f"decision for candidate {decision.candidate_id!r}"
    categories = [c.id for c in instrument.spec.advice.categories]
    if decision.category not in categories:
        problems.append(f"{where}: category must be one of {categories}; got {decision.category!r}.")
    if decision.follows_advice != (decision.category == advice.category):
        problems.append(f"{where}: follows_advice is {decision.follows_advice} but the advice is "
                        f"{advice.category!r} and the decision {decision.category!r}.")
    unknown = [i for i in decision.items if i not in instrument.item_ids]
    if unknown:
        problems.append(f"{where}: items {unknown} are not items of {instrument.id}.")
    deviating = decision.category != advice.category
    if deviating and (not decision.justification.strip() or not decision.items):
        problems.append(f"{where}: a deviation from the advice needs a written justification citing the items "
                        "it rests on.")
    if len(decision.signatories) < 2:
        problems.append(f"{where}: needs at least two committee members; got {len(decision.signatories)}.")
    if not any(s.behavioural_scientist and s.registration for s in decision.signatories):
        problems.append(f"{where}: needs a registered behavioural scientist (SKJ or BIG) among the signatories.")
    hard = {f.id for f in advice.flags if f.severity == "hard"}
    for flag in decision.overridden_flags:
        if flag not in hard:
            problems.append(f"{where}: flag {flag!r} is not a hard flag of this candidate.")
    if decision.overridden_flags and (len(decision.signatories) < 2 or not decision.justification.strip()):
        problems.append(f"{where}: overriding a hard flag needs a justification and two signatures.")
    return problems


def load_decisions(path: str | Path) -> dict[str, Decision]:
    """Decisions from a YAML file: a list of mappings with the fields of :class:`Decision`."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except FileNotFoundError:
        raise DecisionError(f"{path}: no such decisions file.") from None
    except yaml.YAMLError as exc:
        raise DecisionError(f"{path}: not valid YAML ({str(exc).splitlines()[0]}).") from None
    if isinstance(data, dict):
        data = data.get("decisions", [data])
    decisions, problems = {}, []
    for n, record in enumerate(data if isinstance(data, list) else []):
        try:
            decision = _decision(record)
        except (TypeError, KeyError, ValueError) as exc:
            problems.append(f"decisions[{n}]: {exc}.")
            continue
        decisions[decision.candidate_id] = decision
    if problems:
        raise DecisionError.collect(str(path), problems)
    return decisions


def _decision(record: Any) -> Decision:
    if not isinstance(record, dict):
        raise ValueError("must be a mapping")
    fields = dict(record)
    fields["candidate_id"] = str(fields["candidate_id"])
    fields["signatories"] = tuple(Signatory(**s) for s in fields.get("signatories") or ())
    fields["items"] = tuple(fields.get("items") or ())
    fields["overridden_flags"] = tuple(fields.get("overridden_flags") or ())
    return Decision(**fields)
