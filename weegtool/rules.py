"""An instrument's advice rules as one rule set, derived once: who decides what, in one place.

Every rule that fires names an advice category by its *rank*, its position in
``advice.categories``; the lowest rank fired wins (``categories[0]`` is the
strongest advice). :class:`RuleSet` holds the rules of one instrument in two
families:

- **field rules** read the candidate's own fields (:class:`CandidateFields`):
  preconditions and flags. No rating or weight moves them, so the
  counterfactual and the weight sensitivity compute them once;
- **score rules** read the scores: missing information, domain ceilings and
  the band of the total. They are vectorised over a :class:`Case`, arrays of
  any shape ``S`` (``(n,)`` candidates for :func:`weegtool.advise`, ``(m,)``
  alternative ratings for the counterfactual, ``(n, draws)`` for
  :func:`weegtool.research.weight_sensitivity`).

:meth:`RuleSet.categorise` gives the suitability rank from both, and each rule
also words its :class:`Reason` for one candidate; :func:`weegtool.advise`
builds its reasons from the same rules, so the reasons and the category never
disagree. The group composition (the second question, "does the candidate fit
this group now") is :mod:`weegtool.composition`'s and is not a rule here.

Adding a rule type (see the README's developer section):

1. its field in the criteria model (:mod:`weegtool.instrument`, with its
   cross-reference checks);
2. a rule class here with ``reads``, ``ranks`` and ``reasons`` (a :class:`FieldRule`
   or a :class:`ScoreRule`), built from the instrument by a function listed in
   :data:`RULE_TYPES`, and its :class:`Reason` subclass with its ``kind`` and numbers;
3. its sentence in the catalogue (:mod:`weegtool.i18n`, key ``reason.<kind>``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np

from .candidate import CandidateFields
from .errors import DecisionError
from .i18n import detail_label, detail_value, points, text

if TYPE_CHECKING:
    from .engine import Scores, Weights
    from .instrument import Instrument

__all__ = [
    "Reason",
    "PreconditionReason",
    "MissingReason",
    "FlagReason",
    "HardFlagReason",
    "SoftFlagReason",
    "InfoFlagReason",
    "OverriddenFlagReason",
    "CeilingReason",
    "BandReason",
    "CompositionReason",
    "Override",
    "Case",
    "FieldRule",
    "ScoreRule",
    "RuleSet",
    "RULE_TYPES",
    "override_problems",
    "check_overrides",
]

RANK = np.int16  # advice ranks: small, so (candidates x draws) arrays of ranks stay small


@dataclass(frozen=True, kw_only=True)
class Reason:
    """One rule that fired, with the numbers it fired on; each kind of rule its own subclass.

    ``kind`` names the kind (``precondition``, ``missing``, ``hard_flag``,
    ``overridden_flag``, ``soft_flag``, ``info_flag``, ``ceiling``, ``band``,
    ``composition``, or one a new rule type adds); ``rule`` the id of the rule;
    ``advice`` the category it leads to (None when it only asks for discussion);
    ``decisive`` whether it set the advice. The subclass's own fields are the
    numbers (:attr:`values`), and :meth:`words` chooses its sentence.
    """

    kind: ClassVar[str] = "reason"
    rule: str
    advice: str | None = None
    decisive: bool = False

    @property
    def values(self) -> dict[str, Any]:
        """The numbers the rule fired on, by name (as in the JSON output)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _BASE_FIELDS}

    def words(self, instrument: Instrument, lang: str = "nl") -> str:
        """The reason as one sentence in ``lang``: by default the catalogue's ``reason.<kind>``
        filled in with :attr:`values`."""
        return text(f"reason.{self.kind}", lang, **self.values)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (before NaN and dates are made plain): kind, rule, advice, values, decisive."""
        return {
            "kind": self.kind,
            "rule": self.rule,
            "advice": self.advice,
            "values": self.values,
            "decisive": self.decisive,
        }


_BASE_FIELDS = ("rule", "advice", "decisive")


@dataclass(frozen=True, kw_only=True)
class PreconditionReason(Reason):
    """A precondition not met (``known``), or not recorded; the age range for the age precondition."""

    kind: ClassVar[str] = "precondition"
    field: str
    value: Any = None
    known: bool = True
    age_range: tuple[int, int] | None = None

    @property
    def values(self) -> dict[str, Any]:
        if not self.known:
            return {"field": self.field, "value": None, "known": False}
        bounds = {"age_range": list(self.age_range)} if self.age_range is not None else {}
        return {"field": self.field, "value": self.value, **bounds}

    def words(self, instrument: Instrument, lang: str = "nl") -> str:
        pre = instrument.precondition(self.rule)
        if not self.known:
            return text("reason.precondition.unknown", lang, title=pre.text(lang), field=pre.field)
        if self.age_range is not None:
            low, high = self.age_range
            return text("reason.precondition.age", lang, value=self.value, low=low, high=high)
        return text("reason.precondition", lang, title=pre.text(lang))


@dataclass(frozen=True, kw_only=True)
class MissingReason(Reason):
    """Too much information missing for a total: the count per domain against what is allowed."""

    kind: ClassVar[str] = "missing"
    missing: Mapping[str, int]
    max_missing: Mapping[str, int]
    domains_not_assessable: tuple[str, ...]
    missing_fraction: float
    max_missing_fraction: float

    def words(self, instrument: Instrument, lang: str = "nl") -> str:
        domains = [instrument.domain(d).title(lang) for d in self.domains_not_assessable]
        return text(
            "reason.missing",
            lang,
            missing=sum(self.missing.values()),
            items=len(instrument.items),
            allowed=self.max_missing_fraction,
            domains=", ".join(domains) or text("none", lang),
        )


@dataclass(frozen=True, kw_only=True)
class FlagReason(Reason):
    """A flag of the candidate; the subclass says which severity (or that it is overridden)."""

    def words(self, instrument: Instrument, lang: str = "nl") -> str:
        flag = instrument.flag(self.rule)
        return text(f"reason.{self.kind}", lang, title=flag.text(lang), meaning=flag.meaning(lang))


@dataclass(frozen=True, kw_only=True)
class HardFlagReason(FlagReason):
    kind: ClassVar[str] = "hard_flag"


@dataclass(frozen=True, kw_only=True)
class SoftFlagReason(FlagReason):
    kind: ClassVar[str] = "soft_flag"


@dataclass(frozen=True, kw_only=True)
class InfoFlagReason(FlagReason):
    kind: ClassVar[str] = "info_flag"


@dataclass(frozen=True, kw_only=True)
class OverriddenFlagReason(FlagReason):
    """A hard flag the committee overrode, with its justification, signatories and items."""

    kind: ClassVar[str] = "overridden_flag"
    justification: str
    signatories: tuple[str, ...]
    items: tuple[str, ...]

    def words(self, instrument: Instrument, lang: str = "nl") -> str:
        flag = instrument.flag(self.rule)
        return text(
            "reason.overridden_flag",
            lang,
            title=flag.text(lang),
            meaning=flag.meaning(lang),
            justification=self.justification,
            signatories=", ".join(self.signatories),
        )


FLAG_REASONS: Mapping[str, type[FlagReason]] = {
    "hard": HardFlagReason,
    "soft": SoftFlagReason,
    "info": InfoFlagReason,
}


@dataclass(frozen=True, kw_only=True)
class CeilingReason(Reason):
    """A domain score at or above its ceiling."""

    kind: ClassVar[str] = "ceiling"
    domain: str
    score: float
    at: float

    def words(self, instrument: Instrument, lang: str = "nl") -> str:
        title = instrument.domain(self.domain).title(lang)
        return text("reason.ceiling", lang, title=title, score=self.score, at=self.at)


@dataclass(frozen=True, kw_only=True)
class BandReason(Reason):
    """The band the total falls in, with the margin to its nearest boundary."""

    kind: ClassVar[str] = "band"
    total: float
    lower: float
    upper: float
    margin: float | None
    nearest_band: str | None
    prorated: bool

    @property
    def values(self) -> dict[str, Any]:
        return {"total": self.total, "from": self.lower, "to": self.upper, "margin": self.margin,
                "nearest_band": self.nearest_band, "prorated": self.prorated}  # fmt: skip

    def words(self, instrument: Instrument, lang: str = "nl") -> str:
        sentence = text(
            "reason.band",
            lang,
            total=self.total,
            band=instrument.band_title(self.rule, lang),
            low=self.lower,
            high=self.upper,
            margin=points(self.margin, lang),
            nearest=instrument.band_title(self.nearest_band, lang),
        )
        return sentence + (text("reason.band.prorated", lang) if self.prorated else "")


@dataclass(frozen=True, kw_only=True)
class CompositionReason(Reason):
    """A composition rule the candidate's joining a house would break, with who and the numbers."""

    kind: ClassVar[str] = "composition"
    house: str
    severity: str
    type: str
    details: Mapping[str, Any]

    @property
    def values(self) -> dict[str, Any]:
        return {"house": self.house, "severity": self.severity, "type": self.type, **self.details}

    def words(self, instrument: Instrument, lang: str = "nl") -> str:
        rule = instrument.composition_rule(self.rule)
        details = "; ".join(
            f"{detail_label(k, lang)}: {detail_value(k, x, instrument, lang)}"
            for k, x in self.details.items()
        )
        return text(
            "reason.composition", lang, house=self.house, title=rule.text(lang), details=details
        )


@dataclass(frozen=True)
class Override:
    """The committee's override of a hard flag: a justification citing items, and two signatures."""

    flag: str
    justification: str
    signatories: tuple[str, ...]
    items: tuple[str, ...] = ()


def override_problems(
    override: Override, hard_flags: Iterable[str], item_ids: Iterable[str] | None = None
) -> list[str]:
    """What an override of a hard flag lacks: ``not_hard``, ``justification``, ``items``,
    ``unknown_items`` (with ``item_ids``, the instrument's), ``signatures`` (empty when valid).

    The one rule, used by :func:`weegtool.advise`, :func:`weegtool.check_decision`
    and the store: only a hard flag is overridden, with a written justification
    that cites the items it rests on, signed by at least two different people.
    """
    problems = []
    if override.flag not in set(hard_flags):
        problems.append("not_hard")
    if not isinstance(override.justification, str) or not override.justification.strip():
        problems.append("justification")
    if not _names(override.items):
        problems.append("items")
    elif item_ids is not None and not set(_names(override.items)) <= set(item_ids):
        problems.append("unknown_items")
    if len(set(_names(override.signatories))) < 2:
        problems.append("signatures")
    return problems


def _names(given: Any) -> list[str]:
    """The non-blank names in a list or tuple of them (a single string is not a list of names)."""
    if not isinstance(given, (list, tuple)):
        return []
    return [n.strip() for n in given if isinstance(n, str) and n.strip()]


_OVERRIDE_WORDS = {
    "not_hard": "{where}: only hard flags ({hard}) are overridden.",
    "justification": "{where} needs a written justification.",
    "items": "{where} needs the items the justification rests on (a list of item ids).",
    "unknown_items": "{where}: {unknown} are not items of {instrument}.",
    "signatures": "{where} needs two signatures; got {n} (different people, as a list of names).",
}


def check_overrides(
    instrument: Instrument,
    overrides: Mapping[str, Sequence[Override]],
    candidates: Sequence[CandidateFields] | None = None,
) -> None:
    """Raise :class:`DecisionError` with every override (per candidate id) that breaks the rule.

    With ``candidates``, an override must also name one of them, a hard flag that
    candidate carries, and each flag once; its items must be the instrument's.
    """
    hard = sorted(f.id for f in instrument.flags if f.severity == "hard")
    carried = {c.id: set(c.flags) for c in candidates} if candidates is not None else None
    problems = []
    for candidate, given in overrides.items():
        listed = list(given) if isinstance(given, (list, tuple)) else [given]
        for o in listed:
            where = f"override of flag {getattr(o, 'flag', o)!r} for candidate {candidate!r}"
            if not isinstance(o, Override):
                problems.append(f"{where}: must be an Override; got {type(o).__name__}.")
                continue
            n = len(set(_names(o.signatories)))
            unknown = ", ".join(repr(i) for i in _names(o.items) if i not in instrument.item_ids)
            problems += [_OVERRIDE_WORDS[key].format(where=where, hard=", ".join(hard), n=n,
                                                     unknown=unknown, instrument=instrument.label)
                         for key in override_problems(o, hard, instrument.item_ids)]  # fmt: skip
            if carried is not None and candidate not in carried:
                problems.append(f"{where}: there is no candidate {candidate!r} in these ratings.")
            elif carried is not None and o.flag in hard and o.flag not in carried[candidate]:
                problems.append(f"{where}: the candidate does not carry this flag.")
        flags = [o.flag for o in listed if isinstance(o, Override)]
        problems += [f"flag {f!r} for candidate {candidate!r} is overridden more than once."
                     for f in sorted({f for f in flags if flags.count(f) > 1})]  # fmt: skip
    if problems:
        raise DecisionError.collect("overrides", problems)


@dataclass(frozen=True)
class Case:
    """What the score rules look at, as arrays of one shape ``S``.

    ``domain(d)`` is domain ``d``'s score in its own orientation (NaN where it
    has none), ``total`` the total (NaN where not assessable), ``band`` the
    band index (-1 where not assessable), ``assessable`` whether a total exists.
    """

    domain: Callable[[int], np.ndarray]
    total: np.ndarray
    band: np.ndarray
    assessable: np.ndarray

    @classmethod
    def of(cls, scores: Scores) -> Case:
        """The case of every candidate of ``scores``: shape ``(n,)``."""
        return cls(
            lambda d: scores.domain_scores[:, d], scores.total, scores.band, scores.assessable
        )


class FieldRule(Protocol):
    """A rule on the candidate's own fields (``reads = "fields"``)."""

    reads: str

    def ranks(self, candidates: Sequence[CandidateFields], rules: RuleSet) -> np.ndarray:
        """``(n,)`` the rank each candidate's fields give (``rules.none`` where it does not fire)."""

    def reasons(self, candidate: CandidateFields, rules: RuleSet) -> list[Reason]:
        """The reasons it fires for one candidate."""


class ScoreRule(Protocol):
    """A rule on the scores (``reads = "scores"``)."""

    reads: str

    def ranks(self, case: Case, rules: RuleSet) -> np.ndarray:
        """Shape ``S``: the rank the scores give (``rules.none`` where it does not fire)."""

    def reasons(self, scores: Scores, i: int, rules: RuleSet) -> list[Reason]:
        """The reasons it fires for candidate ``i`` of ``scores``."""


# --- the rule types ------------------------------------------------------------------------


@dataclass(frozen=True)
class Preconditions:
    """Conditions every candidate must meet (consent, the age range): unmet, its advice; unknown, not assessable."""

    reads = "fields"

    def ranks(self, candidates: Sequence[CandidateFields], rules: RuleSet) -> np.ndarray:
        return _strongest_reasons(self, candidates, rules)

    def reasons(self, candidate: CandidateFields, rules: RuleSet) -> list[Reason]:
        out: list[Reason] = []
        for pre in rules.instrument.spec.preconditions:
            value = candidate.get(pre.field)
            met = rules.precondition_met(pre.field, value)
            if met is None:
                out.append(PreconditionReason(rule=pre.id, advice=rules.advice.not_assessable,
                                              field=pre.field, known=False))  # fmt: skip
            elif not met:
                bounds = tuple(rules.settings.age_range) if pre.field == "age" else None
                out.append(PreconditionReason(rule=pre.id, advice=pre.advice, field=pre.field,
                                              value=value, age_range=bounds))  # fmt: skip
        return out


@dataclass(frozen=True)
class Flags:
    """Contra-indications and markers: a hard flag's advice (the strongest when it names none) unless
    overridden; a soft or info flag's advice when it names one, else only discussion."""

    reads = "fields"
    overrides: Mapping[str, Mapping[str, Override]] = field(default_factory=dict)

    def ranks(self, candidates: Sequence[CandidateFields], rules: RuleSet) -> np.ndarray:
        return _strongest_reasons(self, candidates, rules)

    def reasons(self, candidate: CandidateFields, rules: RuleSet) -> list[Reason]:
        overridden = self.overrides.get(candidate.id, {})
        return [self.reason(rules, flag_id, overridden.get(flag_id)) for flag_id in candidate.flags]

    def reason(self, rules: RuleSet, flag_id: str, override: Override | None) -> Reason:
        flag = rules.instrument.flag(flag_id)
        if override is not None and flag.severity == "hard":
            return OverriddenFlagReason(
                rule=flag.id,
                justification=override.justification,
                signatories=tuple(override.signatories),
                items=tuple(override.items),
            )
        advice = flag.advice
        if flag.severity == "hard":
            advice = advice or rules.advice.categories[0].id
        return FLAG_REASONS[flag.severity](rule=flag.id, advice=advice)


@dataclass(frozen=True)
class MissingInformation:
    """Too much missing information for a total: not assessable ("further assessment needed")."""

    reads = "scores"

    def ranks(self, case: Case, rules: RuleSet) -> np.ndarray:
        return np.where(case.assessable, rules.none, rules.rank[rules.advice.not_assessable])

    def reasons(self, scores: Scores, i: int, rules: RuleSet) -> list[Reason]:
        if scores.assessable[i]:
            return []
        ids, w = rules.instrument.domain_ids, rules.weights
        missing = {ids[d]: int(scores.domain_missing[i, d]) for d in range(len(ids))}
        not_assessable = tuple(
            ids[d]
            for d in range(len(ids))
            if not scores.domain_assessable[i, d] and w.domain_share[d] > 0
        )
        reason = MissingReason(
            rule="missing_data",
            advice=rules.advice.not_assessable,
            missing=missing,
            max_missing={ids[d]: int(w.max_missing[d]) for d in range(len(ids))},
            domains_not_assessable=not_assessable,
            missing_fraction=round(sum(missing.values()) / len(rules.instrument.item_ids), 4),
            max_missing_fraction=rules.settings.max_missing_fraction,
        )
        return [reason]


@dataclass(frozen=True)
class Ceilings:
    """A domain score at or above its ceiling leads to the ceiling's advice, whatever the total."""

    reads = "scores"
    ceilings: tuple[tuple[int, float, str], ...]  # (domain index, at, advice)

    def ranks(self, case: Case, rules: RuleSet) -> np.ndarray:
        out = np.full(np.shape(case.total), rules.none, dtype=RANK)
        for d, at, advice in self.ceilings:
            hit = case.domain(d) >= at  # NaN (no score) compares False, without a warning
            out = np.where(hit, np.minimum(out, RANK(rules.rank[advice])), out)
        return out

    def reasons(self, scores: Scores, i: int, rules: RuleSet) -> list[Reason]:
        out: list[Reason] = []
        for d, at, advice in self.ceilings:
            value = scores.domain_scores[i, d]
            if not math.isnan(value) and value >= at:
                domain = rules.instrument.domain_ids[d]
                score = round(float(value), 2)
                out.append(
                    CeilingReason(rule=domain, advice=advice, domain=domain, score=score, at=at)
                )
        return out


@dataclass(frozen=True)
class Bands:
    """The band the total falls in gives its advice."""

    reads = "scores"

    def ranks(self, case: Case, rules: RuleSet) -> np.ndarray:
        return np.where(case.band >= 0, rules.band_rank[np.maximum(case.band, 0)], rules.none)

    def reasons(self, scores: Scores, i: int, rules: RuleSet) -> list[Reason]:
        if not scores.assessable[i]:
            return []
        band = rules.advice.bands[scores.band[i]]
        margin, nearest = rules.margin(float(scores.total[i]), int(scores.band[i]))
        reason = BandReason(
            rule=band.id,
            advice=band.advice,
            total=round(float(scores.total[i]), 2),
            lower=band.lower,
            upper=band.upper,
            margin=margin,
            nearest_band=nearest,
            prorated=bool(scores.prorated[i]),
        )
        return [reason]


def _strongest_reasons(
    rule: FieldRule, candidates: Sequence[CandidateFields], rules: RuleSet
) -> np.ndarray:
    """A field rule's ranks from its own reasons: per candidate the strongest advice they name."""
    out = np.full(len(candidates), rules.none, dtype=RANK)
    for n, candidate in enumerate(candidates):
        fired = [rules.rank[r.advice] for r in rule.reasons(candidate, rules) if r.advice]
        out[n] = min(fired, default=rules.none)
    return out


def _field_rules(instrument: Instrument) -> Iterable[FieldRule]:
    return (Preconditions(), Flags())


def _score_rules(instrument: Instrument) -> Iterable[ScoreRule]:
    index = {d: n for n, d in enumerate(instrument.domain_ids)}
    ceilings = tuple((index[c.domain], c.at, c.advice) for c in instrument.spec.advice.ceilings)
    return (MissingInformation(), Ceilings(ceilings), Bands())


RULE_TYPES: list[Callable[[Instrument], Iterable[FieldRule | ScoreRule]]] = [
    _field_rules,
    _score_rules,
]
"""The functions that build an instrument's rules, in order; a new rule type adds its own."""


# --- the rule set ------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSet:
    """The advice rules of one instrument; :meth:`of` builds it once per instrument."""

    instrument: Instrument
    field_rules: tuple[FieldRule, ...]
    score_rules: tuple[ScoreRule, ...]
    rank: Mapping[str, int]
    band_rank: np.ndarray  # (b,) rank of each band's advice

    @classmethod
    def of(cls, instrument: Instrument) -> RuleSet:
        """The instrument's rule set, derived on first use and kept with the instrument."""
        return instrument.derived(cls._build)

    @classmethod
    def _build(cls, instrument: Instrument) -> RuleSet:
        rules = [rule for build in RULE_TYPES for rule in build(instrument)]
        rank = {c.id: n for n, c in enumerate(instrument.spec.advice.categories)}
        return cls(
            instrument,
            tuple(r for r in rules if r.reads == "fields"),  # type: ignore[misc]
            tuple(r for r in rules if r.reads == "scores"),  # type: ignore[misc]
            rank,
            np.array([rank[b.advice] for b in instrument.spec.advice.bands], dtype=RANK),
        )

    @property
    def advice(self) -> Any:
        return self.instrument.spec.advice

    @property
    def settings(self) -> Any:
        return self.instrument.settings

    @property
    def weights(self) -> Weights:
        from .engine import Weights

        return Weights.of(self.instrument)

    @property
    def none(self) -> int:
        """The rank that means "no rule fired": one past the last category."""
        return len(self.rank)

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(self.rank)

    def with_overrides(self, overrides: Mapping[str, Sequence[Override]]) -> RuleSet:
        """The same rules with the committee's overrides of hard flags (per candidate id) applied."""
        flags = Flags({c: {o.flag: o for o in given} for c, given in overrides.items()})
        swapped = tuple(flags if isinstance(r, Flags) else r for r in self.field_rules)
        return RuleSet(self.instrument, swapped, self.score_rules, self.rank, self.band_rank)

    def fixed_ranks(self, candidates: Sequence[CandidateFields]) -> np.ndarray:
        """``(n,)`` per candidate the strongest rank its fields give (``none`` where no field rule fires)."""
        out = np.full(len(candidates), self.none, dtype=RANK)
        for rule in self.field_rules:
            out = np.minimum(out, rule.ranks(candidates, self))
        return out

    def score_ranks(self, case: Case) -> np.ndarray:
        """Shape ``S``: the strongest rank the score rules give."""
        out = np.full(np.shape(case.total), self.none, dtype=RANK)
        for rule in self.score_rules:
            out = np.minimum(out, rule.ranks(case, self))
        return out

    def categorise(self, fixed: np.ndarray, case: Case) -> np.ndarray:
        """The suitability rank: field rules (``fixed``, broadcast against ``S``) and score rules together."""
        return np.minimum(fixed, self.score_ranks(case))

    def field_reasons(self, candidate: CandidateFields) -> list[Reason]:
        return [r for rule in self.field_rules for r in rule.reasons(candidate, self)]

    def score_reasons(self, scores: Scores, i: int) -> list[Reason]:
        return [r for rule in self.score_rules for r in rule.reasons(scores, i, self)]

    def precondition_met(self, name: str, value: Any) -> bool | None:
        """Whether a precondition field's value meets it: age within the range, any other field true."""
        if value is None:
            return None
        if name == "age":
            low, high = self.settings.age_range
            return bool(low <= int(value) <= high)
        return bool(value)

    def margin(self, total: float, band: int) -> tuple[float | None, str | None]:
        """Points from ``total`` to the nearest boundary of its ``band``, and the band on the other side."""
        bands = self.advice.bands
        options = []
        if band > 0:
            options.append((total - bands[band].lower, bands[band - 1].id))
        if band < len(bands) - 1:
            options.append((bands[band].upper - total, bands[band + 1].id))
        if not options:
            return None, None
        margin, nearest = min(options, key=lambda pair: pair[0])
        return round(float(margin), 2), nearest
