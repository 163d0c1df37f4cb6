"""Two writers at the same moment, each past its checks before the other writes (SQLite and PostgreSQL).

Each test holds one writer just after its checks (a patched step waits up to
:data:`HOLD` seconds for the other writer), so without a lock both checks pass
against the same old state. With the store's row locks (:mod:`weegtool.store.locks`)
the second writer waits for the first instead, the hold runs out, and the second
then checks against what the first wrote: it is refused, in the store's words,
or comes after it. SQLite lets one writer in at a time anyway; the tests run there
too, so both databases are held to the same outcome.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select

from weegtool.errors import InputError, NotFoundError, ReadOnlyError
from weegtool.store import (
    audit,
    get_candidate,
    place,
    save_ratings,
    transaction,
)
from weegtool.store import ratings as ratings_module
from weegtool.store.models import AuditEntry, Placement
from weegtool.store.ratings import ItemRating

from .store_factories import PASSWORD, make_user
from .test_store_placements import ON, decide, pilot, residents  # noqa: F401 (pilot: a fixture)
from .web_site import build_site

HOLD = 2.0  # seconds a held writer waits for the other before it goes on alone


class Meeting:
    """Up to ``n`` threads wait here for each other, each at most :data:`HOLD` seconds."""

    def __init__(self, n: int) -> None:
        self.n, self.arrived, self.lock, self.all_here = n, 0, threading.Lock(), threading.Event()

    def wait(self) -> None:
        with self.lock:
            self.arrived += 1
            if self.arrived >= self.n:
                self.all_here.set()
        self.all_here.wait(HOLD)


def in_threads(*jobs: Any) -> list[Any]:
    """Run each job in a thread of its own; what each returned, or the exception it raised."""
    out: list[Any] = [None] * len(jobs)

    def run(i: int, job: Any) -> None:
        try:
            out[i] = job()
        except Exception as exc:  # the outcome under test
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return out


def _held_audit(monkeypatch, meeting: Meeting) -> None:
    """``audit.record`` (the last step of every write, after its checks) first waits at ``meeting``."""
    real = audit.record

    def held(*args: Any, **kwargs: Any) -> Any:
        meeting.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(audit, "record", held)


def _placing(sessions, users, pseudonym: str, house: str):
    def job() -> str:
        with transaction(sessions) as session:
            place(
                session,
                get_candidate(session, pseudonym),
                house,
                ON,
                by=users["coordinator"],
                on=ON,
            )
        return "placed"

    return job


def test_two_placements_at_once_never_overfill_a_house(sessions, pilot, monkeypatch):  # noqa: F811
    decide(sessions, pilot, "C1", "fits")
    decide(sessions, pilot, "C3", "fits")
    assert len(residents(sessions)["huis-b"]) == 3  # capacity 4: one free place
    _held_audit(monkeypatch, Meeting(2))
    outcomes = in_threads(
        _placing(sessions, pilot, "C1", "huis-b"), _placing(sessions, pilot, "C3", "huis-b")
    )
    placed = [o for o in outcomes if o == "placed"]
    refused = [o for o in outcomes if isinstance(o, InputError)]
    assert (len(placed), len(refused)) == (1, 1), outcomes
    assert "'house': not now:" in str(refused[0])
    assert len(residents(sessions)["huis-b"]) == 4


def test_the_same_candidate_placed_twice_at_once_is_placed_once(sessions, pilot, monkeypatch):  # noqa: F811
    decide(sessions, pilot, "C1", "fits")
    _held_audit(monkeypatch, Meeting(2))
    outcomes = in_threads(
        _placing(sessions, pilot, "C1", "huis-b"), _placing(sessions, pilot, "C1", "huis-a")
    )
    refused = [o for o in outcomes if isinstance(o, InputError)]
    assert outcomes.count("placed") == 1 and len(refused) == 1, outcomes
    assert "'C1' lives in a house since" in str(refused[0])
    with transaction(sessions) as session:
        assert len(session.scalars(select(Placement)).all()) == 1


def test_a_save_checked_before_the_decision_is_not_written_after_it(sessions, pilot, monkeypatch):  # noqa: F811
    """The save's 'decided?' check and its write are one step against the decision: the audit
    chain shows the save before the decision, or the save is refused."""
    with transaction(sessions) as session:
        late = make_user(session, "R9")
    real = ratings_module._upsert
    checked, decided = threading.Event(), threading.Event()

    def held(*args: Any, **kwargs: Any) -> Any:
        checked.set()
        decided.wait(HOLD)
        return real(*args, **kwargs)

    monkeypatch.setattr(ratings_module, "_upsert", held)

    def save() -> str:
        with transaction(sessions) as session:
            save_ratings(
                session, get_candidate(session, "C2"), late, [ItemRating("er_intensity", 4)]
            )
        return "saved"

    def decision() -> str:
        checked.wait(HOLD)
        decide(sessions, pilot, "C2", "fits")
        decided.set()
        return "decided"

    outcomes = in_threads(save, decision)
    assert outcomes[1] == "decided", outcomes
    with transaction(sessions) as session:
        order = [
            e.action
            for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
            if e.action in ("ratings.save", "assessment.finalise")
        ]
    if isinstance(outcomes[0], ReadOnlyError):
        assert order[-1:] == ["assessment.finalise"]
    else:
        assert outcomes[0] == "saved", outcomes
        assert order[-2:] == ["ratings.save", "assessment.finalise"]


@pytest.fixture
def any_site(database_url, tmp_path, fast_hashing):
    return build_site(database_url, tmp_path / "instance")


def test_an_erasure_while_a_rater_saves_waits_instead_of_deadlocking(
    any_site, monkeypatch, backend
):
    """The erasure checks two passwords (writing to the audit chain) and then deletes the file a rater
    is saving at that moment: one waits for the other; neither fails with a deadlock (HTTP 500)."""
    rater = any_site.client("R4")
    rater.get("/candidates/C4")
    coordinator = any_site.client("coordinator")
    real = audit.record
    started = threading.Event()

    def slow(*args: Any, **kwargs: Any) -> Any:
        started.set()
        threading.Event().wait(0.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(audit, "record", slow)
    form = {
        "erase_pseudonym": "C4",
        "reason": "schriftelijk verzoek",
        "confirm": "yes",
        "coordinator": PASSWORD,
        "admin": "beheer",
        "admin_password": PASSWORD,
    }

    def erase() -> int:
        return coordinator.post("/exports/erase", form).status_code

    def save() -> Any:
        started.wait(10)
        body = {"ratings": [{"item": "er_intensity", "value": 3}]}
        response = rater.post_json("/api/candidates/C4/ratings", body)
        return response.status_code, response.get_json()

    erased, saved = in_threads(erase, save)
    assert erased == 302, erased
    assert not isinstance(saved, Exception), saved
    # waited, then found the file gone (PostgreSQL), or came first and was then erased with it
    assert saved[0] in (200, 404), saved
    if (
        saved[0] == 404
    ):  # found gone at the lock (PostgreSQL) or at the look-up (SQLite: after the erasure)
        assert saved[1]["error"] in (
            "Niet gevonden",
            "Het dossier van deze jongere is intussen gewist; er is niets opgeslagen.",
        )
    from weegtool.store import db

    engine = db.make_engine(any_site.url)
    try:
        with transaction(db.session_factory(engine)) as session, pytest.raises(NotFoundError):
            get_candidate(session, "C4")
    finally:
        engine.dispose()


def test_no_save_begins_while_an_erasure_purges_the_sqlite_file(
    sqlite_url, tmp_path, fast_hashing, monkeypatch
):
    """The purge after an erasure (VACUUM, emptying the write-ahead log) keeps the writers' turn: a
    save that began during it failed now and then with 'database is locked' (HTTP 500)."""
    from weegtool.web import exports

    site = build_site(sqlite_url, tmp_path / "instance")
    rater = site.client("R4")
    rater.get("/candidates/K-NEW")
    coordinator = site.client("coordinator")
    real = exports.purge
    purging, saved = threading.Event(), threading.Event()
    seen: list[bool] = []

    def watched(engine: Any) -> None:
        purging.set()
        saved.wait(HOLD)  # a save that may begin now has done so by the end of the hold
        seen.append(saved.is_set())
        real(engine)

    monkeypatch.setattr(exports, "purge", watched)
    form = {
        "erase_pseudonym": "C4",
        "reason": "schriftelijk verzoek",
        "confirm": "yes",
        "coordinator": PASSWORD,
        "admin": "beheer",
        "admin_password": PASSWORD,
    }

    def erase() -> int:
        return coordinator.post("/exports/erase", form).status_code

    def save() -> int:
        purging.wait(10)
        body = {"ratings": [{"item": "er_intensity", "value": 3}]}
        status = rater.post_json("/api/candidates/K-NEW/ratings", body).status_code
        saved.set()
        return status

    assert in_threads(erase, save) == [302, 200]
    assert seen == [False]  # the save waited for the purge to end
