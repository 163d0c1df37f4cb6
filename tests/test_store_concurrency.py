"""Writes at the same moment lose nothing, on both databases.

Two raters, each with the form open in two tabs, save disjoint halves of the
items at once (a barrier lines the threads up), round after round with new
values; afterwards every item holds the last value its rater saved. Wrong
passwords tried at one account at once are each counted toward its lock.
"""

from __future__ import annotations

import threading

from sqlalchemy import select

import weegtool
from weegtool.store import (
    authenticate,
    get_candidate,
    models,
    register_referral,
    save_ratings,
    transaction,
)

from .conftest import TWENTE
from .store_factories import make_user

ROUNDS = 6


def run_together(work, jobs):
    """Run ``work(barrier, *job)`` for each job in a thread of its own; the exceptions the threads raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(*job):
        try:
            work(barrier, *job)
        except (
            BaseException
        ) as exc:  # reported by the caller: a thread's exception is otherwise lost
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_saves_of_the_same_candidate_lose_nothing(sessions):
    instrument = weegtool.load_instrument(TWENTE)
    with transaction(sessions) as session:
        raters = [make_user(session, "R1"), make_user(session, "R2")]
        register_referral(
            session, "K1", by=make_user(session, "coordinator", "coordinator"), age=15
        )
    items = list(instrument.item_ids)
    halves = [items[::2], items[1::2]]
    jobs = [(rater, half) for rater in raters for half in halves]

    def value(rater, item, round_):
        levels = instrument.scale_of(instrument.item(item)).values
        return levels[(rater.id + items.index(item) + round_) % len(levels)]

    def save(barrier, rater, half):
        for round_ in range(ROUNDS):
            barrier.wait(timeout=30)
            with transaction(sessions) as session:
                save_ratings(
                    session,
                    get_candidate(session, "K1"),
                    rater,
                    {item: value(rater, item, round_) for item in half},
                )

    assert run_together(save, jobs) == []
    with transaction(sessions) as session:
        stored = {(r.rater_id, r.item): r.value for r in session.scalars(select(models.Rating))}
    assert stored == {
        (rater.id, item): value(rater, item, ROUNDS - 1) for rater in raters for item in items
    }


def test_parallel_wrong_passwords_are_each_counted(sessions):
    """Guesses fired at one account at the same moment cannot slip past the lock by overwriting each other's count."""
    with transaction(sessions) as session:
        make_user(session, "R1")
    guesses = 4

    def guess(barrier, n):
        barrier.wait(timeout=30)
        with transaction(sessions) as session:
            assert authenticate(session, "R1", f"wrong guess number {n}") is None

    assert run_together(guess, [(n,) for n in range(guesses)]) == []
    with transaction(sessions) as session:
        assert (
            session.scalar(select(models.User.failed_logins).where(models.User.name == "R1"))
            == guesses
        )
