"""Referrals: a candidate registered under a pseudonym, attached to the instrument version in force.

Two people editing the same referral: each change names the ``row_version``
it was made on, and a change made on an old version raises
:class:`~weegtool.errors.ConflictError` instead of overwriting the other's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..coordinator import REFERRER_TYPE_IDS, TWENTE_MUNICIPALITIES
from ..errors import ConflictError, InputError, ReadOnlyError, StoreError
from . import audit
from .instruments import instrument_in_force, load
from .lookup import one_by
from .messages import say
from .models import DIRECTIONS, Candidate, User
from .ratings import is_decided

__all__ = ["register_referral", "get_candidate", "update_referral", "EDITABLE", "PSEUDONYM"]

# A pseudonym is a code: it appears in addresses, file names and reports, so no spaces, slashes or markup.
PSEUDONYM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")

EDITABLE = ("age", "referrer", "direction", "consent", "flags", "municipality", "referrer_type")
# Words the web app's addresses use where a pseudonym could stand (/candidates/new): never a pseudonym.
RESERVED = frozenset({"new"})


def register_referral(
    session: Session,
    pseudonym: str,
    *,
    by: User,
    age: int | None = None,
    referrer: str = "",
    direction: str | None = None,
    consent: bool | None = None,
    flags: Iterable[str] = (),
    municipality: str | None = None,
    referrer_type: str | None = None,
    municipalities: Sequence[str] = TWENTE_MUNICIPALITIES,
) -> Candidate:
    """A new candidate attached to the instrument in force.

    ``municipality`` must be one of ``municipalities`` (the 14 Twente
    municipalities by default) and ``referrer_type`` one of
    :data:`weegtool.coordinator.REFERRER_TYPE_IDS`; either may be None (not known).

    Raises
    ------
    InputError
        With every problem: a pseudonym that is blank, not a code, a word the web app's
        addresses use ("new"), or already registered regardless of case ('k00001' beside
        'K00001' would be one file name in a ZIP unpacked on Windows or macOS); bad fields.
    """
    row = instrument_in_force(session)
    if row is None:
        raise StoreError(
            "No instrument is in force; run 'weegtool db init' or put one in force first."
        )
    pseudonym = pseudonym.strip()
    fields = {
        "age": age,
        "referrer": referrer,
        "direction": direction,
        "consent": consent,
        "flags": list(flags),
        "municipality": municipality,
        "referrer_type": referrer_type,
    }
    problems = _field_problems(fields, {f.id for f in load(row).flags}, municipalities)
    if not pseudonym:
        problems.insert(0, say("pseudonym.blank"))
    elif not PSEUDONYM.fullmatch(pseudonym):
        problems.insert(0, say("pseudonym.form", got=pseudonym[:60]))
    elif pseudonym.lower() in RESERVED:
        problems.insert(0, say("pseudonym.reserved", got=pseudonym))
    elif (taken := _registered_as(session, pseudonym)) is not None:
        problems.insert(0, say("pseudonym.taken", pseudonym=taken))
    if problems:
        raise InputError.collect("referral", problems)
    candidate = Candidate(
        pseudonym=pseudonym,
        instrument_sha256=row.sha256,
        registered_by=by.id,
        **_normalised(fields),
    )
    session.add(candidate)
    audit.record(session, by, "referral.register", candidate)
    return candidate


def _registered_as(session: Session, pseudonym: str) -> str | None:
    """The pseudonym already registered that is ``pseudonym`` regardless of case, if any."""
    query = select(Candidate.pseudonym).where(Candidate.pseudonym_key == pseudonym.lower())
    found: str | None = session.scalar(query)
    return found


def get_candidate(session: Session, pseudonym: str) -> Candidate:
    candidate: Candidate = one_by(session, Candidate.pseudonym, pseudonym, "candidate")
    return candidate


def update_referral(
    session: Session,
    candidate: Candidate,
    row_version: int,
    *,
    by: User,
    municipalities: Sequence[str] = TWENTE_MUNICIPALITIES,
    **changes: Any,
) -> Candidate:
    """Change fields of a referral read at ``row_version`` (a municipality from ``municipalities``).

    Raises
    ------
    ConflictError
        When someone else changed the referral since ``row_version`` (also when
        they do so while this change is being written).
    ReadOnlyError
        When the referral is decided and no correction is open (see
        :func:`weegtool.store.assessments.open_correction`).
    """
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InputError(
            f"Only {', '.join(EDITABLE)} of a referral can be changed; got {', '.join(unknown)}."
        )
    pseudonym = (
        candidate.pseudonym
    )  # a failed flush expires the object: keep the name for the message
    if candidate.row_version != row_version:
        raise _conflict(pseudonym)
    if not candidate.correction_open and is_decided(session, candidate):
        raise ReadOnlyError(say("referral.decided", pseudonym=pseudonym))
    problems = _field_problems(
        changes, {f.id for f in load(candidate.instrument).flags}, municipalities
    )
    if problems:
        raise InputError.collect("referral", problems)
    for name, value in _normalised(changes).items():
        setattr(candidate, name, value)
    try:
        session.flush()
    except StaleDataError:
        raise _conflict(pseudonym) from None
    audit.record(session, by, "referral.update", candidate)
    return candidate


def _conflict(pseudonym: str) -> ConflictError:
    return ConflictError(say("referral.conflict", pseudonym=pseudonym))


def _place_problems(fields: dict[str, Any], municipalities: Sequence[str]) -> list[str]:
    """The municipality and the referrer's kind of organisation (issue 14), each from its list."""
    problems = []
    municipality = fields.get("municipality")
    if municipality is not None and municipality not in municipalities:
        problems.append(say("municipality.choice", got=str(municipality)[:60]))
    kind = fields.get("referrer_type")
    if kind is not None and kind not in REFERRER_TYPE_IDS:
        problems.append(say("referrer_type.choice", got=str(kind)[:60]))
    return problems


def _normalised(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    if "flags" in out:
        out["flags"] = sorted(set(out["flags"] or ()))
    if "referrer" in out:
        out["referrer"] = (out["referrer"] or "").strip()
    return out


def _field_problems(
    fields: dict[str, Any], flag_ids: set[str], municipalities: Sequence[str]
) -> list[str]:
    problems = _place_problems(fields, municipalities)
    age = fields.get("age")
    if age is not None and (
        not isinstance(age, int) or isinstance(age, bool) or not 0 <= age <= 120
    ):
        problems.append(say("age.range", got=age))
    direction = fields.get("direction")
    if direction is not None and direction not in DIRECTIONS:
        problems.append(say("direction.choice", choices=", ".join(DIRECTIONS), got=direction))
    consent = fields.get("consent")
    if consent is not None and not isinstance(consent, bool):
        problems.append(say("consent.choice", got=consent))
    referrer = fields.get("referrer")
    if referrer is not None and len(referrer) > 200:
        problems.append(say("referrer.length", n=len(referrer)))
    unknown = sorted(set(fields.get("flags") or ()) - flag_ids)
    if unknown:
        problems.append(
            say("flags.choice", choices=", ".join(sorted(flag_ids)), got=", ".join(unknown))
        )
    return problems
