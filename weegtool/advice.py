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
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from .candidate import CandidateFields
from .composition import Conflict, House, Profile, check_composition
from .engine import DECIMALS, Scores, Weights
from .errors import DecisionError, HouseError, UnknownIdError, WeegtoolError
from .instrument import Instrument
from .ratings import Ratings
from .rules import (
    Case,
    CompositionReason,
    OverriddenFlagReason,
    Override,
    Reason,
    RuleSet,
    check_overrides,
)

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
    "reported",
]


@dataclass(frozen=True)
class Change:
    """A single-item rating change that would change the advice (a counterfactual)."""

    item: str
    rating_from: float
    rating_to: float
    total_to: float | None  # None for a candidate without a total (too much missing information)
    advice_to: str

    @property
    def size(self) -> float:
        return abs(self.rating_to - self.rating_from)


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
    passed_over: tuple[Conflict, ...] = ()  # hard conflicts of the houses checked but not chosen
    fields: CandidateFields | None = field(default=None, repr=False, compare=False)
    source: Instrument | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO text, NaN as None (the candidate's record and the instrument
        object are left out: ``instrument`` names the version)."""
        plain = asdict(replace(self, fields=None, source=None, reasons=()))
        del plain["fields"], plain["source"]
        plain["reasons"] = [r.to_dict() for r in self.reasons]
        return _jsonable(plain)

    def check_ratings(self, ratings: Ratings) -> None:
        """Raise :class:`WeegtoolError` unless ``ratings`` hold the ratings this advice was made from."""
        row = ratings.values[ratings.position(self.candidate_id)]
        given = [self.ratings[item] for item in ratings.item_ids]
        if any(reported(value) != known for value, known in zip(row, given)):
            raise WeegtoolError(
                f"the ratings of {self.candidate_id!r} given are not the ones this advice was made "
                "from; render the report with the ratings that were scored."
            )

    def check_instrument(self, instrument: Instrument) -> None:
        """Raise :class:`WeegtoolError` unless this advice was made with ``instrument`` (same sha256)."""
        if instrument.sha256 != self.instrument["sha256"]:
            raise WeegtoolError(
                f"the advice on {self.candidate_id!r} was made with instrument {self.instrument['id']} "
                f"{self.instrument['version']} (sha256 {self.instrument['sha256'][:12]}), not with "
                f"{instrument.label}; render it with the instrument it came from."
            )


class Advices(tuple[Advice, ...]):
    """The advice of every candidate, in the order of the scores."""

    def get(self, candidate_id: str) -> Advice:
        for advice in self:
            if advice.candidate_id == candidate_id:
                return advice
        raise UnknownIdError(
            f"candidate {candidate_id!r} has no advice here; candidates are "
            f"{', '.join(a.candidate_id for a in self[:10])}{', ...' if len(self) > 10 else ''}."
        )

    def to_frame(self) -> Any:

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


def conflict_reason(conflict: Conflict, advice: str | None = None) -> CompositionReason:
    """The reason a composition conflict gives (``advice``: the category it leads to, if any)."""
    return CompositionReason(
        rule=conflict.rule,
        advice=advice,
        house=conflict.house,
        severity=conflict.severity,
        type=conflict.type,
        details=dict(conflict.details),
    )


# --- the advice ------------------------------------------------------------------------

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
    """One call of :func:`advise`: the rule set (with the overrides) and what it decided for everyone."""

    scores: Scores
    rules: RuleSet
    houses: dict[str, House]
    on: _dt.date
    candidates: tuple[CandidateFields, ...]
    fixed: np.ndarray  # (n,) rank from the field rules
    suitability: np.ndarray  # (n,) rank from all rules: the one decision

    @classmethod
    def of(
        cls,
        scores: Scores,
        houses: House | Sequence[House] | None,
        on: _dt.date | None,
        overrides: Mapping[str, Sequence[Override]],
    ) -> _Context:
        instrument = scores.instrument
        candidates = scores.ratings.records
        check_overrides(instrument, overrides, candidates)
        rules = (
            RuleSet.of(instrument).with_overrides(overrides)
            if overrides
            else RuleSet.of(instrument)
        )
        house_list = [houses] if isinstance(houses, House) else list(houses or [])
        fixed = rules.fixed_ranks(candidates)
        suitability = rules.categorise(fixed, Case.of(scores))
        return cls(scores, rules, {h.id: h for h in house_list}, on or _dt.date.today(),
                   candidates, fixed, suitability)  # fmt: skip

    @property
    def instrument(self) -> Instrument:
        return self.scores.instrument

    @property
    def weights(self) -> Weights:
        return self.rules.weights

    def advise(self, i: int) -> Advice:
        candidate = self.candidates[i]
        suitability = self.rules.categories[self.suitability[i]]
        fired = self.rules.field_reasons(candidate) + self.rules.score_reasons(self.scores, i)
        house, conflicts, room = self.composition(i, candidate)
        category = self.category_of(suitability, conflicts)
        reasons = self.order(
            fired + [conflict_reason(c, category if c.hard else None) for c in conflicts],
            suitability,
            category,
        )
        flags = self.flag_statuses(candidate, fired)
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
            self.changes(i, candidate, conflicts, category),
            self.passed_over(i, candidate, house, room),
        )

    def category_of(self, suitability: str, conflicts: Sequence[Conflict]) -> str:
        """The advice: the suitability, or "not this group now" for a suitable candidate whose house has
        a hard composition conflict."""
        spec = self.instrument.spec.advice
        if suitability in spec.suitable and any(c.hard for c in conflicts):
            return spec.not_this_group
        return suitability

    def flag_statuses(
        self, candidate: CandidateFields, fired: list[Reason]
    ) -> tuple[FlagStatus, ...]:
        overridden = {r.rule: r for r in fired if isinstance(r, OverriddenFlagReason)}
        return tuple(
            FlagStatus(
                flag_id,
                self.instrument.flag(flag_id).severity,
                flag_id in overridden,
                overridden[flag_id].justification if flag_id in overridden else None,
            )
            for flag_id in candidate.flags
        )

    def composition(
        self, i: int, candidate: CandidateFields, domain_scores: np.ndarray | None = None
    ) -> tuple[str | None, tuple[Conflict, ...], dict[str, int]]:
        """The house checked (the one named, else the first without hard conflicts) and its conflicts.

        With several houses and none named, every house is checked; when all of
        them conflict, the conflicts of all are returned and no house is chosen.
        """
        named = candidate.house
        if named is not None and named not in self.houses:
            raise HouseError(
                f"candidate {candidate.id!r}: house {named!r} is not in the house file; "
                f"houses are {', '.join(sorted(self.houses)) or 'none'}."
            )
        names = [named] if named is not None else list(self.houses)
        profile = self.profile(i, candidate, domain_scores)
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

    def profile(
        self, i: int, candidate: CandidateFields, domain_scores: np.ndarray | None = None
    ) -> Profile:
        scores = self.scores.domain_scores[i] if domain_scores is None else domain_scores
        domains = dict(zip(self.instrument.domain_ids, scores))
        return Profile(
            candidate.id, candidate.age, candidate.flags, main_problem(self.instrument, domains)
        )

    def passed_over(
        self, i: int, candidate: CandidateFields, chosen: str | None, room: Mapping[str, int]
    ) -> tuple[Conflict, ...]:
        """The hard conflicts of every house checked but not chosen: why each was passed over
        (empty when no house was chosen: then all conflicts are the advice's own)."""
        if chosen is None:
            return ()
        profile = self.profile(i, candidate)
        return tuple(
            c
            for name in room
            if name != chosen
            for c in check_composition(self.instrument, profile, self.houses[name])
            if c.hard
        )

    def order(self, reasons: list[Reason], suitability: str, category: str) -> tuple[Reason, ...]:
        def key(reason: Reason) -> tuple[int, int]:
            position = (
                KIND_ORDER.index(reason.kind) if reason.kind in KIND_ORDER else len(KIND_ORDER)
            )
            return (0 if reason.decisive else 1, position)

        marked = [
            replace(
                r,
                decisive=r.advice is not None
                and r.advice in (suitability, category)
                and (r.kind == "composition") == (category != suitability),
            )
            for r in reasons
        ]
        return tuple(sorted(marked, key=key))

    # the counterfactual

    def changes(
        self, i: int, candidate: CandidateFields, conflicts: tuple[Conflict, ...], now: str
    ) -> tuple[Change, ...]:
        """The smallest single-item rating changes that would change the advice.

        Every other level of every rated item is tried at once: the change moves
        one domain score and the total by known amounts (the engine is affine in
        each rating), and the rule set categorises the changed scores as it does
        any others; the group composition then turns a suitable advice into "not
        this group now" as in :meth:`category_of` (rechecked with the changed main
        problem where a hard composition rule depends on it). A candidate without a
        total keeps none (its missing items stay missing), but a changed rating can
        still move a domain past its ceiling.
        """
        s, w = self.scores, self.weights
        item, level = self.alternatives
        current = s.ratings.values[i, item]
        # an item in a domain with no rated weight moves nothing (its weight is 0)
        keep = ~np.isnan(current) & (level != current) & (s.rated_weight[i, w.domain_of[item]] > 0)
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
        assessable = np.full(len(item), bool(s.assessable[i]))
        total = np.round(s.total[i] + w.domain_share[d] * delta, DECIMALS)
        band = np.where(assessable, w.band_of(np.nan_to_num(total)), -1)
        case = Case(lambda k: domains[:, k], total, band, assessable)
        ranks = self.rules.categorise(self.fixed[i], case)
        after = self.categories_after(i, ranks, domains, candidate, conflicts)
        changed = np.flatnonzero(after != now)
        if not changed.size:
            return ()
        size = np.abs(level - current)[changed]
        return tuple(
            Change(
                self.instrument.item_ids[item[n]],
                float(current[n]),
                float(level[n]),
                round(float(total[n]), 2) if assessable[n] else None,
                str(after[n]),
            )
            for n in changed[size == size.min()]
        )

    def categories_after(
        self,
        i: int,
        ranks: np.ndarray,
        domains: np.ndarray,
        candidate: CandidateFields,
        conflicts: tuple[Conflict, ...],
    ) -> np.ndarray:
        """The advice for each alternative's suitability ``ranks``; the composition held as it is unless
        a hard rule reads the main problem, which the alternative's ``domains`` may change."""
        suitability = self.category_ids[ranks]
        if not self.houses:
            return suitability
        if not self.main_problem_matters:  # the group is as it is: one answer per suitability
            after = {x: self.category_of(x, conflicts) for x in set(suitability)}
            return np.array([after[x] for x in suitability], dtype=object)
        out = suitability.copy()
        suitable = set(self.instrument.spec.advice.suitable)
        for n in np.flatnonzero([x in suitable for x in suitability]):
            _, found, _ = self.composition(i, candidate, domains[n])
            out[n] = self.category_of(str(suitability[n]), found)
        return out

    @cached_property
    def category_ids(self) -> np.ndarray:
        return np.array(self.rules.categories, dtype=object)

    @cached_property
    def main_problem_matters(self) -> bool:
        """Whether a hard composition rule reads the main problem, which a rating change can move."""
        return any(
            r.severity == "hard" and r.type == "diversity" for r in self.instrument.spec.composition
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

    # the record

    def record(
        self,
        i: int,
        candidate: CandidateFields,
        category: str,
        suitability: str,
        house: str | None,
        conflicts: tuple[Conflict, ...],
        room: dict[str, int],
        reasons: tuple[Reason, ...],
        flags: tuple[FlagStatus, ...],
        changes: tuple[Change, ...],
        passed_over: tuple[Conflict, ...] = (),
    ) -> Advice:
        s, instrument = self.scores, self.instrument
        assessed = candidate.date or self.on
        total = float(s.total[i]) if s.assessable[i] else None
        margin, nearest = (
            self.rules.margin(total, int(s.band[i])) if total is not None else (None, None)
        )
        return Advice(
            candidate_id=candidate.id,
            category=category,
            suitability=suitability,
            group_fit=_group_fit(room, conflicts),
            house=house,
            houses_checked=room,
            passed_over=passed_over,
            total=None if total is None else round(total, 2),
            band=instrument.spec.advice.bands[s.band[i]].id if total is not None else None,
            margin=margin,
            nearest_band=nearest,
            prorated=bool(s.prorated[i]),
            domains={
                d: reported(s.domain_scores[i, n]) for n, d in enumerate(instrument.domain_ids)
            },
            contributions={
                t: reported(s.contributions[i, n]) for n, t in enumerate(instrument.item_ids)
            },
            ratings={
                t: reported(s.ratings.values[i, n]) for n, t in enumerate(instrument.item_ids)
            },
            reasons=reasons,
            flags=flags,
            conflicts=conflicts,
            changes=changes,
            critical=self.critical(candidate.id),
            disputed=self.disputed(i, candidate.id),
            preconditions={
                p.id: self.rules.precondition_met(p.field, candidate.get(p.field))
                for p in instrument.spec.preconditions
            },
            direction=candidate.direction,
            assessed_on=assessed,
            review_date=add_months(assessed, instrument.settings.review_months),
            instrument={
                "id": instrument.id,
                "version": instrument.version,
                "status": instrument.status,
                "sha256": instrument.sha256,
            },
            fields=candidate,
            source=instrument,
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


def add_months(day: _dt.date, months: int) -> _dt.date:
    """``day`` plus ``months`` calendar months, clipped to the month's last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return _dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reported(value: float) -> float | None:
    """A score as an advice reports it: rounded to 4 decimals, None for NaN (not known)."""
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
