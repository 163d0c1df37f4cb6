"""Scores + rules -> :class:`Advice` with its reasons.

The advice follows the instrument's rules: every rule that fires names an
advice category, and the category listed first in ``advice.categories`` wins
(preconditions, missing information, hard flags, domain ceilings, the band of
the total, soft flags). That answers *is the candidate suitable for this
housing form*. Whether the candidate fits the *current group* of a house is a
second question: a suitable candidate whose house has a hard composition
conflict gets ``advice.not_this_group`` (by default "fits, but not this group
now"). The advice is an advice: the committee decides, and may deviate with
reasons.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from .composition import Conflict, House, Profile, check_composition
from .engine import DECIMALS, Scores, Weights
from .errors import WeegtoolError
from .instrument import Instrument

__all__ = [
    "Advice",
    "Advices",
    "Reason",
    "Change",
    "Override",
    "FlagStatus",
    "DecisionError",
    "advise",
    "main_problem",
    "conflict_reason",
]


class DecisionError(WeegtoolError, ValueError):
    """A committee decision (an override) does not meet the rules."""


@dataclass(frozen=True)
class Reason:
    """One rule that fired, with the numbers it fired on.

    ``kind`` is one of ``precondition``, ``missing``, ``hard_flag``,
    ``overridden_flag``, ``soft_flag``, ``info_flag``, ``ceiling``, ``band``,
    ``composition``; ``rule`` the id of the rule; ``advice`` the category it
    leads to (None when it only asks for discussion); ``decisive`` whether it
    set the advice.
    """

    kind: str
    rule: str
    advice: str | None
    values: Mapping[str, Any] = field(default_factory=dict)
    decisive: bool = False


@dataclass(frozen=True)
class Change:
    """A single-item rating change that would change the advice (a counterfactual)."""

    item: str
    rating_from: float
    rating_to: float
    total_to: float
    advice_to: str

    @property
    def size(self) -> float:
        return abs(self.rating_to - self.rating_from)


@dataclass(frozen=True)
class Override:
    """The committee's override of a hard flag: a justification and at least two signatures."""

    flag: str
    justification: str
    signatories: tuple[str, ...]
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class FlagStatus:
    id: str
    severity: str
    overridden: bool = False
    justification: str | None = None


@dataclass(frozen=True)
class Critical:
    item: str
    rater_id: str
    reason: str


@dataclass(frozen=True)
class Disputed:
    item: str
    spread: float
    ratings: Mapping[str, float]


@dataclass(frozen=True)
class Advice:
    """The advice for one candidate, with everything needed to trace it by hand."""

    candidate_id: str
    category: str
    suitability: str
    group_fit: str
    house: str | None
    houses_checked: Mapping[str, int]
    total: float | None
    band: str | None
    margin: float | None
    nearest_band: str | None
    prorated: bool
    domains: Mapping[str, float | None]
    contributions: Mapping[str, float | None]
    ratings: Mapping[str, float | None]
    reasons: tuple[Reason, ...]
    flags: tuple[FlagStatus, ...]
    conflicts: tuple[Conflict, ...]
    changes: tuple[Change, ...]
    critical: tuple[Critical, ...]
    disputed: tuple[Disputed, ...]
    preconditions: Mapping[str, bool | None]
    direction: str | None
    assessed_on: _dt.date
    review_date: _dt.date
    instrument: Mapping[str, str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO text, NaN as None."""
        return _jsonable(asdict(self))


class Advices(tuple[Advice, ...]):
    """The advice of every candidate, in the order of the scores."""

    def get(self, candidate_id: str) -> Advice:
        for advice in self:
            if advice.candidate_id == candidate_id:
                return advice
        raise KeyError(candidate_id)

    def to_frame(self) -> Any:
        import pandas as pd

        rows = [
            {
                "candidate_id": a.candidate_id,
                "advice": a.category,
                "suitability": a.suitability,
                "group_fit": a.group_fit,
                "total": a.total,
                "band": a.band,
                "margin": a.margin,
                "direction": a.direction,
                "review_date": a.review_date,
                "hard_flags": ";".join(
                    f.id for f in a.flags if f.severity == "hard" and not f.overridden
                ),
                "disputed": ";".join(d.item for d in a.disputed),
            }
            for a in self
        ]
        return pd.DataFrame(rows).set_index("candidate_id")


def advise(
    scores: Scores,
    houses: House | Sequence[House] | None = None,
    on: _dt.date | None = None,
    overrides: Mapping[str, Sequence[Override]] | None = None,
) -> Advices:
    """The advice for every candidate in ``scores``.

    Parameters
    ----------
    scores : Scores
        From :func:`weegtool.score`.
    houses : House or sequence of House, optional
        A candidate is checked against the house named in its ``house`` field,
        or against the only house given.
    on : date, optional
        Date of the assessment when the candidate has no ``date`` field; today by default.
    overrides : mapping of candidate id to Override, optional
        Hard flags the committee overrides, each with a justification and two signatures.
    """
    context = _Context.of(scores, houses, on, overrides or {})
    return Advices(context.advise(i) for i in range(len(scores)))


def main_problem(instrument: Instrument, domains: Mapping[str, float | None]) -> str | None:
    """A candidate's main problem for the composition rules: the risk domain scoring highest (the first of
    equals), None when no risk domain has a score."""
    best: tuple[float, str] | None = None
    for domain in instrument.domains:
        value = domains.get(domain.id)
        if (
            domain.kind == "risk"
            and value is not None
            and not math.isnan(value)
            and (best is None or value > best[0])
        ):
            best = (float(value), domain.id)
    return best[1] if best else None


def conflict_reason(conflict: Conflict, advice: str | None = None) -> Reason:
    """The reason a composition conflict gives (``advice``: the category it leads to, if any)."""
    return Reason(
        "composition",
        conflict.rule,
        advice,
        {
            "house": conflict.house,
            "severity": conflict.severity,
            "type": conflict.type,
            **conflict.details,
        },
    )


# --- the rules ------------------------------------------------------------------------

KIND_ORDER = (
    "precondition",
    "missing",
    "hard_flag",
    "ceiling",
    "band",
    "soft_flag",
    "composition",
    "overridden_flag",
    "info_flag",
)


@dataclass
class _Context:
    scores: Scores
    weights: Weights
    houses: dict[str, House]
    on: _dt.date
    overrides: Mapping[str, Sequence[Override]]
    rank: dict[str, int]
    fields: dict[str, list[Any]]

    @classmethod
    def of(
        cls,
        scores: Scores,
        houses: House | Sequence[House] | None,
        on: _dt.date | None,
        overrides: Mapping[str, Sequence[Override]],
    ) -> _Context:
        instrument = scores.instrument
        house_list = [houses] if isinstance(houses, House) else list(houses or [])
        _check_overrides(instrument, overrides, scores)
        rank = {c.id: n for n, c in enumerate(instrument.spec.advice.categories)}
        frame = scores.ratings.candidates
        fields = {str(name): frame[name].tolist() for name in frame.columns}
        return cls(
            scores,
            Weights.of(instrument),
            {h.id: h for h in house_list},
            on or _dt.date.today(),
            overrides,
            rank,
            fields,
        )

    @property
    def instrument(self) -> Instrument:
        return self.scores.instrument

    def field(self, i: int, name: str) -> Any:
        column = self.fields.get(name)
        if column is None:
            return None
        value = column[i]
        return (
            None
            if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
            else value
        )

    def advise(self, i: int) -> Advice:
        candidate = str(self.scores.candidate_ids[i])
        flags, flag_reasons = self.flag_reasons(i, candidate)
        fixed = self.precondition_reasons(i) + self.missing_reasons(i) + flag_reasons
        rated = self.ceiling_reasons(i, self.scores.domain_scores[i]) + self.band_reasons(i)
        suitability = self.winner(fixed + rated)
        house, conflicts, room = self.composition(i, candidate)
        category = suitability
        advice_spec = self.instrument.spec.advice
        if suitability in advice_spec.suitable and any(c.hard for c in conflicts):
            category = advice_spec.not_this_group
        reasons = self.order(
            fixed + rated + self.conflict_reasons(conflicts, category), suitability, category
        )
        return self.record(
            i,
            candidate,
            category,
            suitability,
            house,
            conflicts,
            room,
            reasons,
            flags,
            self.changes(i, fixed, suitability),
        )

    # each rule family returns the reasons it fires

    def precondition_reasons(self, i: int) -> list[Reason]:
        out = []
        for pre in self.instrument.spec.preconditions:
            value = self.field(i, pre.field)
            met = self.precondition_met(pre.field, value)
            if met is None:
                out.append(
                    Reason(
                        "precondition",
                        pre.id,
                        self.instrument.spec.advice.not_assessable,
                        {"field": pre.field, "value": None, "known": False},
                    )
                )
            elif not met:
                out.append(
                    Reason(
                        "precondition",
                        pre.id,
                        pre.advice,
                        {"field": pre.field, "value": value, **self.precondition_bounds(pre.field)},
                    )
                )
        return out

    def precondition_met(self, name: str, value: Any) -> bool | None:
        if value is None:
            return None
        if name == "age":
            low, high = self.instrument.settings.age_range
            return bool(low <= int(value) <= high)
        return bool(value)

    def precondition_bounds(self, name: str) -> dict[str, Any]:
        return {"age_range": list(self.instrument.settings.age_range)} if name == "age" else {}

    def missing_reasons(self, i: int) -> list[Reason]:
        s = self.scores
        if s.assessable[i]:
            return []
        ids = self.instrument.domain_ids
        missing = {ids[d]: int(s.domain_missing[i, d]) for d in range(len(ids))}
        limits = {ids[d]: int(self.weights.max_missing[d]) for d in range(len(ids))}
        not_ok = [
            ids[d]
            for d in range(len(ids))
            if not s.domain_assessable[i, d] and self.weights.domain_share[d] > 0
        ]
        return [
            Reason(
                "missing",
                "missing_data",
                self.instrument.spec.advice.not_assessable,
                {
                    "missing": missing,
                    "max_missing": limits,
                    "domains_not_assessable": not_ok,
                    "missing_fraction": round(
                        sum(missing.values()) / len(self.instrument.item_ids), 4
                    ),
                    "max_missing_fraction": self.instrument.settings.max_missing_fraction,
                },
            )
        ]

    def flag_reasons(self, i: int, candidate: str) -> tuple[tuple[FlagStatus, ...], list[Reason]]:
        overridden = {o.flag: o for o in self.overrides.get(candidate, ())}
        statuses, reasons = [], []
        for flag_id in self.field(i, "flags") or ():
            flag = self.instrument.flag(flag_id)
            override = overridden.get(flag_id) if flag.severity == "hard" else None
            statuses.append(
                FlagStatus(
                    flag.id,
                    flag.severity,
                    override is not None,
                    override.justification if override else None,
                )
            )
            reasons.append(self.flag_reason(flag.id, flag.severity, flag.advice, override))
        return tuple(statuses), reasons

    def flag_reason(
        self, flag_id: str, severity: str, advice: str | None, override: Override | None
    ) -> Reason:
        if override is not None:
            return Reason(
                "overridden_flag",
                flag_id,
                None,
                {
                    "justification": override.justification,
                    "signatories": list(override.signatories),
                    "items": list(override.items),
                },
            )
        if severity == "hard":
            return Reason(
                "hard_flag", flag_id, advice or self.instrument.spec.advice.categories[0].id
            )
        return Reason(f"{severity}_flag", flag_id, advice)

    def ceiling_reasons(self, i: int, domain_scores: np.ndarray) -> list[Reason]:
        out = []
        for ceiling in self.instrument.spec.advice.ceilings:
            value = domain_scores[self.instrument.domain_ids.index(ceiling.domain)]
            if not math.isnan(value) and value >= ceiling.at:
                out.append(
                    Reason(
                        "ceiling",
                        ceiling.domain,
                        ceiling.advice,
                        {
                            "domain": ceiling.domain,
                            "score": round(float(value), 2),
                            "at": ceiling.at,
                        },
                    )
                )
        return out

    def band_reasons(self, i: int) -> list[Reason]:
        if not self.scores.assessable[i]:
            return []
        band = self.instrument.spec.advice.bands[self.scores.band[i]]
        margin, nearest = self.margin(i)
        return [
            Reason(
                "band",
                band.id,
                band.advice,
                {
                    "total": round(float(self.scores.total[i]), 2),
                    "from": band.lower,
                    "to": band.upper,
                    "margin": margin,
                    "nearest_band": nearest,
                    "prorated": bool(self.scores.prorated[i]),
                },
            )
        ]

    def margin(self, i: int) -> tuple[float | None, str | None]:
        """Points to the nearest band boundary, and the band on its other side."""
        bands, b, total = (
            self.instrument.spec.advice.bands,
            self.scores.band[i],
            self.scores.total[i],
        )
        options = []
        if b > 0:
            options.append((total - bands[b].lower, bands[b - 1].id))
        if b < len(bands) - 1:
            options.append((bands[b].upper - total, bands[b + 1].id))
        if not options:
            return None, None
        margin, nearest = min(options, key=lambda pair: pair[0])
        return round(float(margin), 2), nearest

    def composition(
        self, i: int, candidate: str
    ) -> tuple[str | None, tuple[Conflict, ...], dict[str, int]]:
        """The house checked (the one named, else the first without hard conflicts) and its conflicts.

        With several houses and none named, every house is checked; when all of
        them conflict, the conflicts of all are returned and no house is chosen.
        """
        named = self.field(i, "house")
        if named is not None and named not in self.houses:
            raise WeegtoolError(
                f"candidate {candidate!r}: house {named!r} is not in the house file; "
                f"houses are {', '.join(sorted(self.houses)) or 'none'}."
            )
        names = [named] if named is not None else list(self.houses)
        profile = Profile(
            candidate,
            self.field(i, "age"),
            tuple(self.field(i, "flags") or ()),
            self.main_problem(i),
        )
        checked = {
            name: check_composition(self.instrument, profile, self.houses[name]) for name in names
        }
        room = {name: self.houses[name].free_places for name in names}
        fitting = [name for name, found in checked.items() if not any(c.hard for c in found)]
        if fitting:
            return fitting[0], checked[fitting[0]], room
        return (
            (names[0] if len(names) == 1 else None),
            tuple(c for found in checked.values() for c in found),
            room,
        )

    def main_problem(self, i: int) -> str | None:
        return main_problem(
            self.instrument, dict(zip(self.instrument.domain_ids, self.scores.domain_scores[i]))
        )

    def conflict_reasons(self, conflicts: Iterable[Conflict], category: str) -> list[Reason]:
        return [conflict_reason(c, category if c.hard else None) for c in conflicts]

    def winner(self, reasons: Iterable[Reason]) -> str:
        return min((r.advice for r in reasons if r.advice is not None), key=self.rank.__getitem__)

    def order(self, reasons: list[Reason], suitability: str, category: str) -> tuple[Reason, ...]:
        def key(reason: Reason) -> tuple[int, int]:
            return (0 if reason.decisive else 1, KIND_ORDER.index(reason.kind))

        marked = [
            Reason(
                r.kind,
                r.rule,
                r.advice,
                r.values,
                r.advice is not None
                and r.advice in (suitability, category)
                and (r.kind == "composition") == (category != suitability),
            )
            for r in reasons
        ]
        return tuple(sorted(marked, key=key))

    # the counterfactual

    def changes(self, i: int, fixed: list[Reason], suitability: str) -> tuple[Change, ...]:
        """The smallest single-item rating changes that would change the suitability advice.

        Every other level of every rated item is tried at once: the change moves
        one domain score and the total by known amounts (the engine is affine in
        each rating), which gives the new band and ceilings, hence the new advice.
        """
        s, w = self.scores, self.weights
        if not s.assessable[i]:
            return ()
        item, level = self.alternatives
        current = s.ratings.values[i, item]
        keep = ~np.isnan(current) & (level != current)
        item, level, current = item[keep], level[keep], current[keep]
        d = w.domain_of[item]
        delta = (
            100.0 * w.item_weight[item] * (level - current) * w.slope[item] / s.rated_weight[i, d]
        )
        domains = np.repeat(s.domain_scores[i][None, :], len(item), axis=0)
        rows = np.arange(len(item))
        domains[rows, d] = np.round(
            domains[rows, d] + np.where(w.risk_domain[d], delta, -delta), DECIMALS
        )
        total = np.round(s.total[i] + w.domain_share[d] * delta, DECIMALS)
        advice = self.band_rank[w.band_of(total)]
        fixed_rank = min(
            (self.rank[r.advice] for r in fixed if r.advice is not None), default=len(self.rank)
        )
        advice = np.minimum(advice, fixed_rank)
        for ceiling in self.instrument.spec.advice.ceilings:
            hit = domains[:, self.instrument.domain_ids.index(ceiling.domain)] >= ceiling.at
            advice = np.where(hit, np.minimum(advice, self.rank[ceiling.advice]), advice)
        changed = np.flatnonzero(advice != self.rank[suitability])
        if not changed.size:
            return ()
        size = np.abs(level - current)[changed]
        categories = [c.id for c in self.instrument.spec.advice.categories]
        return tuple(
            Change(
                self.instrument.item_ids[item[n]],
                float(current[n]),
                float(level[n]),
                round(float(total[n]), 2),
                categories[advice[n]],
            )
            for n in changed[size == size.min()]
        )

    @cached_property
    def alternatives(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (item index, level) of the instrument, item by item, levels in scale order."""
        pairs = [
            (j, float(v))
            for j, item in enumerate(self.instrument.items)
            for v in self.instrument.scale_of(item).values
        ]
        return np.array([j for j, _ in pairs], dtype=np.int64), np.array([v for _, v in pairs])

    @cached_property
    def band_rank(self) -> np.ndarray:
        """The rank (position in ``advice.categories``) of each band's advice."""
        return np.array([self.rank[b.advice] for b in self.instrument.spec.advice.bands])

    # the record

    def record(
        self,
        i: int,
        candidate: str,
        category: str,
        suitability: str,
        house: str | None,
        conflicts: tuple[Conflict, ...],
        room: dict[str, int],
        reasons: tuple[Reason, ...],
        flags: tuple[FlagStatus, ...],
        changes: tuple[Change, ...],
    ) -> Advice:
        s, instrument = self.scores, self.instrument
        assessed = self.field(i, "date") or self.on
        total = float(s.total[i]) if s.assessable[i] else None
        margin, nearest = self.margin(i) if total is not None else (None, None)
        return Advice(
            candidate_id=candidate,
            category=category,
            suitability=suitability,
            group_fit=_group_fit(room, conflicts),
            house=house,
            houses_checked=room,
            total=None if total is None else round(total, 2),
            band=instrument.spec.advice.bands[s.band[i]].id if total is not None else None,
            margin=margin,
            nearest_band=nearest,
            prorated=bool(s.prorated[i]),
            domains={
                d: _number(s.domain_scores[i, n]) for n, d in enumerate(instrument.domain_ids)
            },
            contributions={
                t: _number(s.contributions[i, n]) for n, t in enumerate(instrument.item_ids)
            },
            ratings={t: _number(s.ratings.values[i, n]) for n, t in enumerate(instrument.item_ids)},
            reasons=reasons,
            flags=flags,
            conflicts=conflicts,
            changes=changes,
            critical=self.critical(candidate),
            disputed=self.disputed(i, candidate),
            preconditions={
                p.id: self.precondition_met(p.field, self.field(i, p.field))
                for p in instrument.spec.preconditions
            },
            direction=self.field(i, "direction"),
            assessed_on=assessed,
            review_date=add_months(assessed, instrument.settings.review_months),
            instrument={
                "id": instrument.id,
                "version": instrument.version,
                "status": instrument.status,
                "sha256": instrument.sha256,
            },
        )

    def critical(self, candidate: str) -> tuple[Critical, ...]:
        return tuple(
            Critical(item, e.rater_id, e.text)
            for item in self.instrument.item_ids
            for e in self.scores.ratings.critical.get((candidate, item), ())
        )

    def disputed(self, i: int, candidate: str) -> tuple[Disputed, ...]:
        ratings = self.scores.ratings
        out = []
        for j in np.flatnonzero(ratings.disputed[i]):
            item = ratings.item_ids[j]
            out.append(
                Disputed(item, float(ratings.spread[i, j]), ratings.by_rater(candidate, item))
            )
        return tuple(out)


def _group_fit(room: Mapping[str, int], conflicts: Sequence[Conflict]) -> str:
    """``not_checked`` without houses, ``conflicts`` with a hard conflict, ``fits`` otherwise."""
    if not room:
        return "not_checked"
    return "conflicts" if any(c.hard for c in conflicts) else "fits"


def _check_overrides(
    instrument: Instrument, overrides: Mapping[str, Sequence[Override]], scores: Scores
) -> None:
    problems = []
    hard = {f.id for f in instrument.flags if f.severity == "hard"}
    for candidate, items in overrides.items():
        for o in items:
            where = f"override of flag {o.flag!r} for candidate {candidate!r}"
            if o.flag not in hard:
                problems.append(
                    f"{where}: only hard flags ({', '.join(sorted(hard))}) are overridden."
                )
            if not o.justification.strip():
                problems.append(f"{where} needs a written justification.")
            if len({s.strip() for s in o.signatories if s.strip()}) < 2:
                problems.append(f"{where} needs two signatures; got {len(o.signatories)}.")
    if problems:
        raise DecisionError.collect("overrides", problems)


def add_months(day: _dt.date, months: int) -> _dt.date:
    """``day`` plus ``months`` calendar months, clipped to the month's last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return _dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _number(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 4)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value
