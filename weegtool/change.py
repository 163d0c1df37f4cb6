"""Change between two assessments of the same candidates, judged against the measurement error.

A review (at least every six months) is a new assessment of the same young person; the question
is what changed, and whether the change is larger than the raters' noise. The measurement error
of a score follows from its spread between candidates and its reliability, both given per domain
and for the total in the criteria file (``measurement``; see :class:`weegtool.instrument.Measurement`):

- standard error of measurement ``SEM = SD * sqrt(1 - r)``;
- smallest detectable change (95%) ``SDC95 = 1.96 * sqrt(2) * SEM``;
- reliable change index ``RCI = (x2 - x1) / (sqrt(2) * SEM)`` (Jacobson & Truax 1991, with
  the standard error of the difference of Christensen & Mendoza 1986).

A change counts as reliable when ``|RCI| > 1.96``: measurement error alone gives so large a
difference in fewer than 5% of reassessments of an unchanged candidate.

**Direction.** In weegtool a higher total and a higher score on a risk domain mean heavier
problems (more need of care), so a *decrease* is an improvement there. A protective domain is
scored in its own orientation (higher: stronger protective factors), so an *increase* is an
improvement there.

Sources: Jacobson, N. S. & Truax, P. (1991). Clinical significance: a statistical approach to
defining meaningful change in psychotherapy research. *Journal of Consulting and Clinical
Psychology*, 59(1), 12-19. Christensen, L. & Mendoza, J. L. (1986). A method of assessing change
in a single subject: an alteration of the RC index. *Behavior Therapy*, 17, 305-308.

This module is core: it imports no web framework, database, click or jinja2.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .advice import Advice
from .errors import ChangeError
from .instrument import Instrument, Measurement

__all__ = [
    "CRITICAL_RCI",
    "Verdict",
    "standard_error_of_measurement",
    "smallest_detectable_change",
    "reliable_change_index",
    "change_verdict",
    "ScoreChange",
    "ItemMove",
    "PreviousAssessment",
    "CandidateChange",
    "Comparison",
    "compare",
]

CRITICAL_RCI = 1.96
"""The two-sided 95% criterion of Jacobson & Truax (1991): ``|RCI| > 1.96`` is a reliable change."""

Verdict = Literal["improved", "worsened", "no_reliable_change", "unknown"]
Unknown = Literal["no_reliability", "not_assessable", "other_version"]

ITEMS_SHOWN = 5


def _finite(value: Any, name: str, function: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ChangeError(
            f"The {name!r} parameter of {function} must be a finite number. Got {value!r} instead."
        )
    return float(value)


def standard_error_of_measurement(sd: float, reliability: float) -> float:
    """The standard error of measurement ``SEM = sd * sqrt(1 - reliability)``, in the units of ``sd``.

    Parameters
    ----------
    sd : float
        Standard deviation of the score between candidates, > 0 (weegtool: points on 0-100).
    reliability : float
        Reliability coefficient of the score in [0, 1), e.g. ICC(2,1) between raters.

    Raises
    ------
    ChangeError
        When ``sd`` is not a finite number > 0 or ``reliability`` not in [0, 1) (at 1 there is no
        measurement error to judge a change against).

    Source: Jacobson & Truax (1991), p. 14, ``S_E = s1 * sqrt(1 - r_xx)``.
    """
    sd = _finite(sd, "sd", "standard_error_of_measurement")
    reliability = _finite(reliability, "reliability", "standard_error_of_measurement")
    if sd <= 0:
        raise ChangeError(
            f"The 'sd' parameter of standard_error_of_measurement must be > 0. Got {sd!r} instead."
        )
    if not 0 <= reliability < 1:
        raise ChangeError(
            "The 'reliability' parameter of standard_error_of_measurement must be in [0, 1). "
            f"Got {reliability!r} instead."
        )
    return sd * math.sqrt(1 - reliability)


def smallest_detectable_change(sem: float) -> float:
    """The smallest detectable change at 95%: ``SDC95 = 1.96 * sqrt(2) * sem``, in the units of ``sem``.

    A difference between two assessments of at least this size is a reliable change
    (``|RCI| >= 1.96``); a smaller one lies within the measurement error.

    Raises
    ------
    ChangeError
        When ``sem`` is not a finite number > 0.
    """
    return CRITICAL_RCI * _difference_error(sem, "smallest_detectable_change")


def reliable_change_index(previous: float, current: float, sem: float) -> float:
    """The reliable change index ``RCI = (current - previous) / (sqrt(2) * sem)`` (Jacobson & Truax 1991).

    ``sqrt(2) * sem`` is the standard error of the difference between two scores with the same
    measurement error. The sign follows the score: in weegtool's total and risk domains a
    negative RCI is an improvement (fewer problems); see :func:`change_verdict`.

    Raises
    ------
    ChangeError
        When a score is not finite or ``sem`` is not a finite number > 0.
    """
    previous = _finite(previous, "previous", "reliable_change_index")
    current = _finite(current, "current", "reliable_change_index")
    return (current - previous) / _difference_error(sem, "reliable_change_index")


def _difference_error(sem: float, function: str) -> float:
    sem = _finite(sem, "sem", function)
    if sem <= 0:
        raise ChangeError(f"The 'sem' parameter of {function} must be > 0. Got {sem!r} instead.")
    return math.sqrt(2) * sem


def change_verdict(rci: float | None, higher_is_worse: bool = True) -> Verdict:
    """``improved``, ``worsened``, ``no_reliable_change`` (``|rci| <= 1.96``), or ``unknown`` (no rci).

    ``higher_is_worse`` is True for weegtool's total and risk domains (a decrease is an
    improvement) and False for a protective domain (an increase is an improvement).
    """
    if rci is None or not math.isfinite(rci):
        return "unknown"
    if abs(rci) <= CRITICAL_RCI:
        return "no_reliable_change"
    return "worsened" if (rci > 0) == higher_is_worse else "improved"


@dataclass(frozen=True)
class ScoreChange:
    """The change of one score (a domain or the total, 0-100 points) between two assessments.

    ``delta`` is current minus previous, in points; ``sem`` and ``sdc`` (the smallest detectable
    change at 95%) come from the criteria file's ``measurement``; ``rci`` is None and ``reliable``
    ``unknown`` when they are missing or a score is, and ``why`` then says which:
    ``no_reliability``, ``not_assessable`` or ``other_version`` (the total of two instrument
    versions is not the same measure).
    """

    previous: float | None
    current: float | None
    delta: float | None
    rci: float | None
    reliable: Verdict
    sem: float | None = None
    sdc: float | None = None
    why: Unknown | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "previous": self.previous,
            "current": self.current,
            "delta": self.delta,
            "rci": self.rci,
            "reliable": self.reliable,
            "sem": self.sem,
            "sdc": self.sdc,
            "why": self.why,
        }


def score_change(
    previous: float | None,
    current: float | None,
    measurement: Measurement | None,
    higher_is_worse: bool = True,
) -> ScoreChange:
    """One score's change, judged against ``measurement`` (None: shown without a verdict)."""
    sem = (
        standard_error_of_measurement(measurement.sd, measurement.reliability)
        if measurement is not None
        else None
    )
    sdc = smallest_detectable_change(sem) if sem is not None else None
    if previous is None or current is None:
        return ScoreChange(previous, current, None, None, "unknown", sem, sdc, "not_assessable")
    if sem is None:
        return ScoreChange(
            previous, current, current - previous, None, "unknown", None, None, "no_reliability"
        )
    rci = reliable_change_index(previous, current, sem)
    return ScoreChange(
        previous, current, current - previous, rci, change_verdict(rci, higher_is_worse), sem, sdc
    )


@dataclass(frozen=True)
class ItemMove:
    """An item whose contribution to the total moved: ``delta`` in points (current minus previous)."""

    item: str
    previous_rating: float
    rating: float
    delta: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "previous_rating": self.previous_rating,
            "rating": self.rating,
            "delta": self.delta,
        }


@dataclass(frozen=True)
class PreviousAssessment:
    """What the previous assessment found: ``assessed_on`` is None when its table gave no date."""

    assessed_on: _dt.date | None
    advice: str
    total: float | None
    domains: Mapping[str, float | None]
    instrument: Mapping[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "assessed_on": self.assessed_on.isoformat() if self.assessed_on else None,
            "advice": self.advice,
            "total": self.total,
            "domains": dict(self.domains),
            "instrument": dict(self.instrument),
        }


@dataclass(frozen=True)
class CandidateChange:
    """A candidate's change since the previous assessment.

    ``domains`` holds the domains both instrument versions share (all of them for one version);
    ``not_compared`` the domains of either version the other lacks. ``advice`` is the current
    advice category, ``category_changed`` whether it differs from the previous one. ``items``
    are the items whose contribution to the total moved most, largest first (at most 5; only
    within one instrument version).
    """

    candidate_id: str
    previous: PreviousAssessment
    same_version: bool
    total: ScoreChange
    domains: Mapping[str, ScoreChange]
    not_compared: tuple[str, ...]
    advice: str
    category_changed: bool
    items: tuple[ItemMove, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the ``change`` of ``weegtool score --previous``."""
        return {
            "previous": self.previous.to_dict(),
            "same_instrument": self.same_version,
            "total": self.total.to_dict(),
            "domains": {d: c.to_dict() for d, c in self.domains.items()},
            "not_compared": list(self.not_compared),
            "category_changed": self.category_changed,
            "items": [move.to_dict() for move in self.items],
        }


@dataclass(frozen=True)
class Comparison:
    """Every candidate's change; candidates in only one of the two assessments are named, not dropped.

    ``without_previous``: assessed now, not before. ``not_reassessed``: assessed before, not now.
    """

    changes: Mapping[str, CandidateChange]
    without_previous: tuple[str, ...]
    not_reassessed: tuple[str, ...]

    def get(self, candidate_id: str) -> CandidateChange | None:
        return self.changes.get(candidate_id)


def compare(
    current: Sequence[Advice],
    previous: Sequence[Advice],
    instrument: Instrument,
    previous_instrument: Instrument | None = None,
    source: str = "the previous assessment",
) -> Comparison:
    """The change of every candidate in ``current`` since its advice in ``previous``.

    Parameters
    ----------
    current, previous : sequences of Advice
        The advice of the new assessment (made with ``instrument``) and of the previous one
        (made with ``previous_instrument``, by default the same), matched by candidate id.
    instrument : Instrument
        The current version; its ``measurement`` values judge every change.
    previous_instrument : Instrument, optional
        The version of the previous assessment. When it differs (another sha256), only the
        domains both versions share are compared; the total and the items are not.
    source : str
        How errors name the previous assessment (its file).

    Raises
    ------
    ChangeError
        When an advice was made with another instrument than the one given, or a previous
        assessment is dated after the current one (every such candidate named).
    """
    previous_instrument = previous_instrument or instrument
    for advices, used in ((current, instrument), (previous, previous_instrument)):
        for advice in advices:
            if advice.instrument["sha256"] != used.sha256:
                raise ChangeError(
                    f"the advice on {advice.candidate_id!r} was made with instrument "
                    f"{advice.instrument['id']} {advice.instrument['version']}, not with "
                    f"{used.label}; give the instrument each assessment was scored with."
                )
    before = {advice.candidate_id: advice for advice in previous}
    _check_order(current, before, source)
    changes = {
        advice.candidate_id: _candidate_change(
            advice, before[advice.candidate_id], instrument, previous_instrument
        )
        for advice in current
        if advice.candidate_id in before
    }
    now = {advice.candidate_id for advice in current}
    return Comparison(
        changes,
        tuple(a.candidate_id for a in current if a.candidate_id not in before),
        tuple(a.candidate_id for a in previous if a.candidate_id not in now),
    )


def _recorded_date(advice: Advice) -> _dt.date | None:
    """The date the assessment table gave; None when it gave none (the advice then used today's)."""
    return advice.fields.date if advice.fields is not None else advice.assessed_on


def _check_order(current: Sequence[Advice], before: Mapping[str, Advice], source: str) -> None:
    problems = []
    for advice in current:
        old = before.get(advice.candidate_id)
        old_date = _recorded_date(old) if old is not None else None
        if old_date is not None and old_date > advice.assessed_on:
            problems.append(
                f"{advice.candidate_id}: the previous assessment ({old_date.isoformat()}) is dated "
                f"after the current one ({advice.assessed_on.isoformat()}); are the two files "
                "swapped?"
            )
    if problems:
        raise ChangeError.collect(source, problems)


def _candidate_change(
    now: Advice, old: Advice, instrument: Instrument, previous_instrument: Instrument
) -> CandidateChange:
    same = instrument.sha256 == previous_instrument.sha256
    shared = [d for d in instrument.domain_ids if d in previous_instrument.domain_ids]
    total = (
        score_change(old.total, now.total, instrument.measurement())
        if same
        else ScoreChange(old.total, now.total, None, None, "unknown", why="other_version")
    )
    return CandidateChange(
        candidate_id=now.candidate_id,
        previous=PreviousAssessment(
            _recorded_date(old), old.category, old.total, dict(old.domains), dict(old.instrument)
        ),
        same_version=same,
        total=total,
        domains={
            d: score_change(
                old.domains.get(d),
                now.domains.get(d),
                instrument.measurement(d),
                higher_is_worse=instrument.domain(d).kind == "risk",
            )
            for d in shared
        },
        not_compared=tuple(
            d for d in (*instrument.domain_ids, *previous_instrument.domain_ids) if d not in shared
        ),
        advice=now.category,
        category_changed=now.category != old.category,
        items=_moved_items(now, old) if same else (),
    )


def _moved_items(now: Advice, old: Advice) -> tuple[ItemMove, ...]:
    moves = [
        ItemMove(
            item,
            float(old.ratings[item]),  # type: ignore[arg-type]
            float(now.ratings[item]),  # type: ignore[arg-type]
            float(points - old.contributions[item]),  # type: ignore[operator]
        )
        for item, points in now.contributions.items()
        if points is not None
        and old.contributions.get(item) is not None
        and now.ratings.get(item) is not None
        and old.ratings.get(item) is not None
        and round(points - old.contributions[item], 9) != 0  # type: ignore[operator]
    ]
    moves.sort(key=lambda move: -abs(move.delta))
    return tuple(moves[:ITEMS_SHOWN])
