"""The committee's decision beside the advice: follow or deviate, with reasons and signatures.

Dutch guidance: a placement decision is never one person's; at least one
behavioural scientist (gedragswetenschapper, SKJ or BIG registered) takes
part; departing from the instrument is allowed with reasons that cite the
items it rests on ("pas toe of leg uit"), and so is going ahead despite a soft
contra-indication; overriding a hard contra-indication takes two signatures.
:func:`check_decision` says what is missing.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from .advice import Advice
from .errors import DecisionError
from .i18n import text
from .instrument import Instrument
from .rules import Override, override_problems

__all__ = [
    "Signatory",
    "Decision",
    "DecisionError",
    "check_decision",
    "decision_overrides",
]


@dataclass(frozen=True)
class Signatory:
    name: str
    role: str
    registration: str | None = None  # SKJ or BIG number
    behavioural_scientist: bool = False
    confirmed: bool = (
        False  # confirmed in the web app with their own password (else: sign on paper)
    )


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


def check_decision(
    decision: Decision, advice: Advice, instrument: Instrument, lang: str = "en"
) -> list[str]:
    """Every rule the decision breaks, in words in ``lang`` (empty when it is complete).

    The messages do not name the candidate: they are printed in the candidate's
    own report, under a pseudonym, and a caller that lists several says which.
    """
    problems = []
    categories = [c.id for c in instrument.spec.advice.categories]
    if decision.category not in categories:
        problems.append(
            text(
                "decision.category",
                lang,
                categories=", ".join(_category(c, instrument, lang) for c in categories),
                category=decision.category,
            )
        )
    if decision.follows_advice != (decision.category == advice.category):
        problems.append(
            text(
                "decision.follows",
                lang,
                said=text(
                    f"decision.said.{'follows' if decision.follows_advice else 'deviates'}", lang
                ),
                advice=_category(advice.category, instrument, lang),
                decision=_category(decision.category, instrument, lang),
            )
        )
    unknown = [i for i in decision.items if i not in instrument.item_ids]
    if unknown:
        problems.append(
            text(
                "decision.items",
                lang,
                items=", ".join(map(repr, unknown)),
                instrument=instrument.spec.title(lang),
            )
        )
    deviating = decision.category != advice.category
    argued = bool(decision.justification.strip() and decision.items)
    if deviating and not argued:
        problems.append(text("decision.deviation", lang))
    soft = [f.id for f in advice.flags if f.severity == "soft" and not f.overridden]
    if soft and not argued:
        problems.append(text("decision.soft", lang, flags=_flags(soft, instrument, lang)))
    members = {s.name.strip().casefold() for s in decision.signatories if s.name.strip()}
    if len(members) < 2:  # one person signing twice is one member
        problems.append(text("decision.members", lang, n=len(members)))
    if not any(s.behavioural_scientist and s.registration for s in decision.signatories):
        problems.append(text("decision.scientist", lang))
    spec = instrument.spec.advice
    active = [f.id for f in advice.flags if f.severity == "hard" and not f.overridden]
    placing = decision.category in (*spec.suitable, spec.not_this_group)
    if active and placing and not set(active) <= set(decision.overridden_flags):
        problems.append(text("decision.hard_flag", lang, flags=_flags(active, instrument, lang)))
    hard = {f.id for f in advice.flags if f.severity == "hard"}
    lacking: set[str] = set()
    for override in decision_overrides(decision):
        found = override_problems(override, hard)
        if "not_hard" in found:
            problems.append(
                text("decision.not_hard", lang, flag=_flags([override.flag], instrument, lang))
            )
        lacking |= set(found) - {"not_hard"}
    if lacking:
        problems.append(text("decision.override", lang))
    return problems


def _category(category: str, instrument: Instrument, lang: str) -> str:
    """A category by its title; an unknown one as given, in quotes."""
    known = {c.id for c in instrument.spec.advice.categories}
    return instrument.category(category).title(lang) if category in known else repr(category)


def _flags(flags: Sequence[str], instrument: Instrument, lang: str) -> str:
    known = {f.id for f in instrument.flags}
    return ", ".join(instrument.flag(f).text(lang) if f in known else repr(f) for f in flags)


def decision_overrides(decision: Decision) -> tuple[Override, ...]:
    """The decision's overrides of hard flags, as the advice takes them (signed by its signatories)."""
    signatories = tuple(s.name for s in decision.signatories)
    return tuple(
        Override(flag, decision.justification, signatories, decision.items)
        for flag in decision.overridden_flags
    )
