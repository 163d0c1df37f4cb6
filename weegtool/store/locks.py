"""Row locks that make a check and the write it guards one step on PostgreSQL, always taken in one order.

SQLite lets one writing transaction in at a time (every one begins IMMEDIATE: see :mod:`.db`), so
nothing here is needed there, and the functions do nothing. On PostgreSQL two transactions may both
check ("is the house full?", "is the candidate decided?") before either writes; the one that locks
the rows its check reads first makes the other wait and then check again against what it wrote.

The order, everywhere, so that two transactions never each wait for the other (a deadlock):

1. the **candidate** row (:func:`lock_candidate`): saving, submitting, deciding, co-signing,
   placing, the waiting list and erasure all begin with it;
2. **users** (a rater saving, a co-signer's or eraser's password check: ``users.authenticate``)
   and **houses** (:func:`lock_house`);
3. the **audit chain** (the advisory lock :func:`weegtool.store.audit.record` takes), always last.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFoundError
from .messages import say
from .models import Candidate, House

__all__ = ["lock_candidate", "lock_candidate_named", "lock_house"]


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def lock_candidate(session: Session, candidate: Candidate | int) -> None:
    """Lock the candidate's row (``SELECT ... FOR UPDATE``) until the transaction ends; PostgreSQL only.

    Taken again in the same transaction it costs one query and waits for nothing.

    Raises
    ------
    NotFoundError
        When the row is gone: erased while this transaction waited for it.
    """
    if _postgres(session):
        cid = candidate if isinstance(candidate, int) else candidate.id
        found = session.scalar(select(Candidate.id).where(Candidate.id == cid).with_for_update())
        if found is None:
            raise NotFoundError(say("candidate.gone"))


def lock_house(session: Session, code: str) -> None:
    """Lock the house ``code``'s row until the transaction ends (after the candidate's); PostgreSQL only."""
    if _postgres(session):
        session.execute(select(House.id).where(House.code == code).with_for_update())


def lock_candidate_named(session: Session, pseudonym: str) -> None:
    """:func:`lock_candidate` for the candidate ``pseudonym`` (none: nothing to lock); PostgreSQL only.

    For a transaction that checks passwords (and so writes to the audit chain) before it knows the row.
    """
    if _postgres(session):
        session.execute(
            select(Candidate.id).where(Candidate.pseudonym == pseudonym).with_for_update()
        )
