"""After the decision: placements in a house, their end, and the waiting list.

- A **placement** follows a decision to place (a suitable category, or 'fits,
  but not this group now' once the group allows it): the coordinator records
  the house and the start. From then on the young person is a resident of that
  house for every composition check (flags from the referral, main problem from
  the decision's advice), and counts against its capacity, until the placement
  ends with a date and a reason from :data:`weegtool.outcomes.END_REASONS`.
- The **waiting list**: a decision 'fits, but not this group now' puts the
  candidate on it from the day of the decision (a correction that keeps that
  category keeps the start; one that changes it ends the stay on its day); the
  coordinator or chair can put another candidate decided to place on it (not
  one decided 'refer', nor one placed on the newest decision already), or take
  one off, with a date. A placement ends the wait on its start; a candidate has
  at most one stay running.

Refusals are :class:`~weegtool.errors.InputError` with every problem, worded
in the store's language (Dutch for the web app).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .. import composition as core
from ..advice import conflict_reason, main_problem
from ..errors import InputError
from ..i18n import describe_reason
from ..instrument import Instrument
from ..outcomes import END_REASON_IDS
from . import audit
from .assessments import latest_assessment
from .instruments import instrument_by_sha256, load
from .locks import lock_candidate, lock_house
from .messages import language, say
from .models import Assessment, Candidate, House, Placement, User, WaitingEntry

__all__ = [
    "can_be_placed",
    "placing_categories",
    "place",
    "end_placement",
    "placements",
    "open_placements",
    "placed_residents",
    "WaitingRow",
    "waiting_list",
    "add_to_waiting_list",
    "remove_from_waiting_list",
    "HouseFit",
    "house_fits",
    "instrument_of",
    "carried_out",
]


def placing_categories(instrument: Instrument) -> tuple[str, ...]:
    """The decision categories that lead to a placement (as :func:`weegtool.decision.check_decision` counts them)."""
    spec = instrument.spec.advice
    return (*spec.suitable, spec.not_this_group)


def instrument_of(session: Session, assessment: Assessment) -> Instrument:
    """The instrument version ``assessment`` was made with."""
    return load(instrument_by_sha256(session, assessment.instrument_sha256))


def _today(on: _dt.date | None) -> _dt.date:
    return on or _dt.date.today()


# --- placements -----------------------------------------------------------------------------------------------------


def placements(session: Session) -> list[Placement]:
    """Every placement, ongoing and ended, the newest start first (candidate, house and decision loaded)."""
    query = (
        select(Placement)
        .options(
            selectinload(Placement.candidate),
            selectinload(Placement.house),
            selectinload(Placement.assessment),
        )
        .order_by(Placement.started_on.desc(), Placement.id.desc())
    )
    return list(session.scalars(query))


def open_placements(session: Session) -> list[Placement]:
    """The placements that have not ended (the houses' placed residents)."""
    return [p for p in placements(session) if p.ended_on is None]


def placed_residents(session: Session) -> dict[int, list[core.Resident]]:
    """Per house id, its placed residents as the composition rules see them, first placed first.

    Age and flags come from the referral, the main problem from the advice the
    placement was decided on (the risk domain scoring highest).
    """
    out: dict[int, list[core.Resident]] = {}
    for p in reversed(open_placements(session)):
        if p.house_id is None:
            continue
        domains = p.assessment.advice.get("domains") or {}
        problem = main_problem(instrument_of(session, p.assessment), domains)
        out.setdefault(p.house_id, []).append(
            core.Resident(p.candidate.pseudonym, p.candidate.age, tuple(p.candidate.flags), problem)
        )
    return out


def place(
    session: Session,
    candidate: Candidate,
    house_code: str,
    started_on: _dt.date,
    *,
    by: User,
    on: _dt.date | None = None,
) -> Placement:
    """Record that ``candidate`` lives in the house ``house_code`` from ``started_on``.

    Raises
    ------
    InputError
        When the newest decision is not one to place, the candidate lives in a
        house already, the start lies before the decision or after ``on``
        (today), the house is unknown, or joining it breaks a hard composition
        rule (capacity included): every problem at once.
    """
    from .houses import core_houses  # houses read the placements: imported when used

    # Two placements at once wait for each other here, then check against what the first one wrote:
    # the same candidate is never placed twice, a house never gets more residents than places.
    lock_candidate(session, candidate)
    lock_house(session, house_code)
    today = _today(on)
    decision = latest_assessment(session, candidate)
    problems = []
    if decision is None:
        raise InputError.collect(
            "placement", [say("placement.undecided", pseudonym=candidate.pseudonym)]
        )
    instrument = instrument_of(session, decision)
    problems += _decision_problems(session, candidate, decision, "placement")
    current = _open_placement(session, candidate)
    if started_on < decision.decided_on:
        problems.append(
            say(
                "date.before_decision",
                field="started_on",
                day=started_on,
                decided=decision.decided_on,
            )
        )
    if started_on > today:
        problems.append(say("date.future", field="started_on", day=started_on))
    house = next((h for h in core_houses(session) if h.id == house_code), None)
    if house is None:
        problems.append(say("placement.house", got=house_code[:60]))
    elif current is None:
        problems += _hard_conflicts(instrument, _profile(candidate, decision, instrument), house)
    if problems:
        raise InputError.collect("placement", problems)
    row = session.scalar(select(House).where(House.code == house_code))
    placement = Placement(
        candidate=candidate,
        house=row,
        assessment=decision,
        started_on=started_on,
        recorded_by=by.id,
    )
    session.add(placement)
    audit.record(session, by, "placement.start", placement)
    return placement


def carried_out(session: Session, decision: Assessment) -> bool:
    """Whether ``decision`` led to a placement already (a new placement then needs a new decision).

    A review's decision is carried out by the placement it reviewed (it continued or ended it).
    """
    from .reviews import is_review

    found = session.scalar(
        select(Placement.id).where(Placement.assessment_id == decision.id).limit(1)
    )
    return found is not None or is_review(session, decision)


def _profile(candidate: Candidate, decision: Assessment, instrument: Instrument) -> core.Profile:
    domains = decision.advice.get("domains") or {}
    return core.Profile(
        candidate.pseudonym,
        candidate.age,
        tuple(candidate.flags),
        main_problem(instrument, domains),
    )


def _hard_conflicts(instrument: Instrument, profile: core.Profile, house: core.House) -> list[str]:
    lang = language() if language() in ("nl", "en") else "en"
    return [
        say(
            "placement.conflict",
            house=house.id,
            reason=describe_reason(conflict_reason(c), instrument, lang),
        )
        for c in core.check_composition(instrument, profile, house)
        if c.hard
    ]


def _open_placement(session: Session, candidate: Candidate) -> Placement | None:
    return session.scalar(
        select(Placement).where(
            Placement.candidate_id == candidate.id, Placement.ended_on.is_(None)
        )
    )


def end_placement(
    session: Session,
    placement: Placement,
    ended_on: _dt.date,
    reason: str,
    *,
    by: User,
    on: _dt.date | None = None,
) -> Placement:
    """Record that the resident of ``placement`` left on ``ended_on`` for ``reason`` (an end reason's id).

    Raises
    ------
    InputError
        When the placement has ended already, the reason is not on the list, or
        the day lies before the start or after ``on`` (today).
    """
    problems = []
    if placement.ended_on is not None:
        problems.append(say("placement.ended", day=placement.ended_on))
    if reason not in END_REASON_IDS:
        problems.append(say("end_reason.choice", got=str(reason)[:60]))
    if ended_on < placement.started_on:
        problems.append(say("placement.end_before_start", day=ended_on, start=placement.started_on))
    if ended_on > _today(on):
        problems.append(say("date.future", field="ended_on", day=ended_on))
    if problems:
        raise InputError.collect("placement", problems)
    placement.ended_on, placement.end_reason = ended_on, reason
    session.flush()
    audit.record(session, by, "placement.end", placement)
    return placement


# --- the waiting list -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingRow:
    """A stay on the waiting list: from ``since`` until ``until`` (None: still waiting).

    ``decided`` is the category of the candidate's newest decision; ``by_decision``
    says whether the decision itself put the candidate on the list (no row of
    its own in the table yet).
    """

    candidate_id: int
    pseudonym: str
    municipality: str | None
    since: _dt.date
    until: _dt.date | None
    decided: str
    by_decision: bool

    def days(self, on: _dt.date) -> int:
        """Days on the list up to ``until`` or ``on``, whichever comes first."""
        stop = min(self.until, on) if self.until else on
        return max((stop - self.since).days, 0)


def waiting_list(session: Session, *, current: bool = True) -> list[WaitingRow]:
    """The waiting list, longest waiting first; ``current=False`` gives past stays too.

    A stay ends on its own ``until``, else on the start of the candidate's first
    placement since it began.
    """
    starts: dict[int, list[_dt.date]] = {}
    for candidate_id, day in session.execute(select(Placement.candidate_id, Placement.started_on)):
        starts.setdefault(candidate_id, []).append(day)
    stored: dict[int, list[WaitingEntry]] = {}
    for entry in session.scalars(
        select(WaitingEntry).order_by(WaitingEntry.since, WaitingEntry.id)
    ):
        stored.setdefault(entry.candidate_id, []).append(entry)
    rows = []
    for candidate, history in _decided(session):
        decision = history[-1]
        stays = [(e.since, e.until, False) for e in stored.get(candidate.id, [])]
        if not stays:
            stays = [(since, until, True) for since, until in _decided_stays(session, history)]
        for since, until, implicit in stays:
            placed = [d for d in starts.get(candidate.id, []) if d >= since]
            end = until if until is not None else (min(placed) if placed else None)
            rows.append(
                WaitingRow(
                    candidate.id, candidate.pseudonym, candidate.municipality, since, end,
                    decision.category, implicit,
                )
            )  # fmt: skip
    rows.sort(key=lambda r: (r.since, r.pseudonym))
    return [r for r in rows if r.until is None] if current else rows


def _decided(session: Session) -> list[tuple[Candidate, list[Assessment]]]:
    """Each decided candidate with every revision of their decision, oldest first."""
    history: dict[int, list[Assessment]] = {}
    for a in session.scalars(
        select(Assessment).order_by(Assessment.candidate_id, Assessment.revision)
    ):
        history.setdefault(a.candidate_id, []).append(a)
    candidates = session.scalars(select(Candidate).where(Candidate.id.in_(history))).all()
    return [(c, history[c.id]) for c in sorted(candidates, key=lambda c: c.pseudonym)]


def _decided_stays(
    session: Session, history: Sequence[Assessment]
) -> list[tuple[_dt.date, _dt.date | None]]:
    """The stays the decisions themselves make: (since, until) for each run of revisions saying 'fits, but
    not this group now'.

    A stay begins on the first decision of its run (a correction that keeps the category keeps the
    start) and ends on the day of the revision that changes the category away (None: still running).
    """
    stays: list[tuple[_dt.date, _dt.date | None]] = []
    since: _dt.date | None = None
    for a in history:
        waits = a.category == instrument_of(session, a).spec.advice.not_this_group
        if waits and since is None:
            since = a.decided_on
        elif not waits and since is not None:
            stays.append((since, max(a.decided_on, since)))
            since = None
    if since is not None:
        stays.append((since, None))
    return stays


def _decision_problems(
    session: Session, candidate: Candidate, decision: Assessment, kind: str
) -> list[str]:
    """Why ``decision`` cannot lead to a placement (``kind`` 'placement') or a wait ('waiting') now:
    not a decision to place, the young person lives in a house, or the decision was carried out.
    The one rule behind :func:`place`, :func:`add_to_waiting_list` and :func:`can_be_placed`."""
    problems = []
    instrument = instrument_of(session, decision)
    if decision.category not in placing_categories(instrument):
        title = instrument.category(decision.category).title(language())  # no id on a page
        problems.append(say(f"{kind}.decision", pseudonym=candidate.pseudonym, category=title))
    current = _open_placement(session, candidate)
    if current is not None:
        problems.append(
            say("placement.open", pseudonym=candidate.pseudonym, since=current.started_on)
        )
    elif carried_out(session, decision):
        problems.append(say(f"{kind}.used", pseudonym=candidate.pseudonym))
    return problems


def can_be_placed(session: Session, candidate: Candidate) -> bool:
    """Whether :func:`place` would take ``candidate`` in some house on some day: decided to place,
    living in no house, the decision not carried out yet (the list the placement form offers)."""
    decision = latest_assessment(session, candidate)
    return decision is not None and not _decision_problems(
        session, candidate, decision, "placement"
    )


def add_to_waiting_list(
    session: Session, candidate: Candidate, since: _dt.date, *, by: User, on: _dt.date | None = None
) -> WaitingEntry:
    """Put a decided candidate on the waiting list from ``since``.

    Raises
    ------
    InputError
        When the candidate has no decision, or one that is not to place (refer, not
        suitable), is on the list or in a house already, was placed on the newest
        decision before (a new wait needs a new decision), or ``since`` lies before
        the decision or after ``on`` (today).
    """
    lock_candidate(session, candidate)  # two clicks at once store one stay
    decision = latest_assessment(session, candidate)
    if decision is None:
        raise InputError.collect(
            "waiting list", [say("placement.undecided", pseudonym=candidate.pseudonym)]
        )
    problems = []
    if _close_placed_stays(session, candidate) or any(
        r.candidate_id == candidate.id for r in waiting_list(session)
    ):
        problems.append(say("waiting.already", pseudonym=candidate.pseudonym))
    problems += _decision_problems(session, candidate, decision, "waiting")
    if since < decision.decided_on:
        problems.append(
            say("date.before_decision", field="since", day=since, decided=decision.decided_on)
        )
    if since > _today(on):
        problems.append(say("date.future", field="since", day=since))
    if problems:
        raise InputError.collect("waiting list", problems)
    return _store_stay(session, candidate, since, None, by, "waiting.add")


def _close_placed_stays(session: Session, candidate: Candidate) -> bool:
    """Date the end of ``candidate``'s stored stays that a placement ended (on its start); whether one is still open.

    So a candidate has at most one stored stay without an end, the one that is running.
    """
    starts = sorted(
        session.scalars(select(Placement.started_on).where(Placement.candidate_id == candidate.id))
    )
    still_open = False
    for entry in session.scalars(
        select(WaitingEntry).where(
            WaitingEntry.candidate_id == candidate.id, WaitingEntry.until.is_(None)
        )
    ):
        placed = [day for day in starts if day >= entry.since]
        if placed:
            entry.until = placed[0]
        else:
            still_open = True
    return still_open


def remove_from_waiting_list(
    session: Session, candidate: Candidate, until: _dt.date, *, by: User, on: _dt.date | None = None
) -> WaitingEntry:
    """Take ``candidate`` off the waiting list on ``until`` without a placement (withdrawn, elsewhere, ...).

    Raises
    ------
    InputError
        When the candidate is not waiting, or ``until`` lies before the stay began or after ``on`` (today).
    """
    lock_candidate(session, candidate)  # two removals at once end one stay once
    stay = next((r for r in waiting_list(session) if r.candidate_id == candidate.id), None)
    if stay is None:
        raise InputError.collect(
            "waiting list", [say("waiting.not", pseudonym=candidate.pseudonym)]
        )
    problems = []
    if until < stay.since:
        problems.append(say("waiting.until_before", day=until, since=stay.since))
    if until > _today(on):
        problems.append(say("date.future", field="until", day=until))
    if problems:
        raise InputError.collect("waiting list", problems)
    if stay.by_decision:
        return _store_stay(session, candidate, stay.since, until, by, "waiting.remove")
    entry = session.scalars(
        select(WaitingEntry).where(
            WaitingEntry.candidate_id == candidate.id, WaitingEntry.until.is_(None)
        )
    ).one()
    entry.until = until
    session.flush()
    audit.record(session, by, "waiting.remove", entry)
    return entry


def _store_stay(
    session: Session,
    candidate: Candidate,
    since: _dt.date,
    until: _dt.date | None,
    by: User,
    action: str,
) -> WaitingEntry:
    entry = WaitingEntry(candidate_id=candidate.id, since=since, until=until, added_by=by.id)
    session.add(entry)
    audit.record(session, by, action, entry)
    return entry


# --- who fits where -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseFit:
    """A waiting candidate against one house: free places, the rules joining would break, and whether it fits."""

    pseudonym: str
    house: str
    free: int
    conflicts: tuple[tuple[bool, str], ...]  # (hard, described in ``lang``)

    @property
    def fits(self) -> bool:
        return self.free > 0 and not any(hard for hard, _ in self.conflicts)


def house_fits(session: Session, lang: str = "nl") -> dict[str, list[HouseFit]]:
    """The composition check run now for every waiting candidate against every house, by pseudonym.

    Runs on every call, so a resident who left or a house that changed shows at once.
    """
    from .houses import core_houses

    houses: Sequence[core.House] = core_houses(session)
    out: dict[str, list[HouseFit]] = {}
    for row in waiting_list(session):
        candidate = session.get(Candidate, row.candidate_id)
        decision = latest_assessment(session, candidate) if candidate else None
        if candidate is None or decision is None:
            continue
        instrument = instrument_of(session, decision)
        profile = _profile(candidate, decision, instrument)
        out[row.pseudonym] = [
            HouseFit(
                row.pseudonym,
                house.id,
                house.free_places,
                tuple(
                    (c.hard, describe_reason(conflict_reason(c), instrument, lang))
                    for c in core.check_composition(instrument, profile, house)
                ),
            )
            for house in houses
        ]
    return out
