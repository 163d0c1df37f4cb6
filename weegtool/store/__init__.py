"""The database: models and the functions that read and write them (no web framework here).

>>> from weegtool.store import db, make_engine, session_factory, transaction
>>> db.init("sqlite:///instance/weegtool.sqlite3")           # doctest: +SKIP
>>> sessions = session_factory(make_engine("sqlite:///instance/weegtool.sqlite3"))  # doctest: +SKIP
>>> with transaction(sessions) as session:                    # doctest: +SKIP
...     candidate = register_referral(session, "K-0001", by=coordinator, age=15)

Each function takes an open session and leaves committing to the caller, so
one request is one transaction.
"""

from __future__ import annotations

from . import db
from .assessments import (
    DecisionConflict,
    DecisionInput,
    attach_pdf,
    basis_changes,
    confirm_signer,
    correct,
    finalise,
    latest_assessment,
    open_correction,
    revisions,
    stored_overrides,
)
from .audit import entries as audit_entries
from .audit import latest_entries as latest_audit_entries
from .committee import (
    AgendaRow,
    agenda,
    assign_committee,
    committee_of,
    is_seated,
    outside_candidate_ids,
    progress,
    seated_ids,
)
from .db import database_url, init, make_engine, session_factory, transaction, upgrade
from .demo import load_demo
from .houses import (
    ShownResident,
    core_houses,
    delete_house,
    get_house,
    house_residents,
    houses,
    save_house,
)
from .instruments import add_instrument, instrument_in_force, list_instruments, put_in_force
from .instruments import load as load_instrument
from .notes import add_note, notes
from .overview import (
    CandidateRow,
    coordinator_history,
    latest_assessments,
    overview,
    row_counts,
    submissions,
)
from .placements import (
    HouseFit,
    WaitingRow,
    add_to_waiting_list,
    end_placement,
    house_fits,
    open_placements,
    place,
    placements,
    placing_categories,
    remove_from_waiting_list,
    waiting_list,
)
from .ratings import (
    CandidateScore,
    ItemRating,
    LiveScores,
    candidate_fields,
    candidate_ratings,
    is_decided,
    is_submitted,
    live_scores,
    own_ratings,
    rated_candidate_ids,
    ratings_frame,
    save_ratings,
    score_candidate,
    submit_ratings,
    submitted_candidate_ids,
    visible_ratings,
)
from .referrals import get_candidate, register_referral, update_referral
from .research import (
    DecisionRow,
    decision_rows,
    outcome_rows,
    outcome_table,
    submitted_ratings_wide,
)
from .users import (
    LOCK_MINUTES,
    MAX_FAILED_LOGINS,
    add_user,
    authenticate,
    change_password,
    committee_members,
    end_sessions,
    get_user,
    hash_password,
    one_time_password,
    reset_password,
    set_active,
    set_password,
    user_names,
    users,
    verify_password,
)

# Note: the functions users, notes and houses hide the modules of the same name as attributes of this package;
# reach a module itself with importlib.import_module("weegtool.store.users").
__all__ = [
    "stored_overrides",
    "is_decided",
    "DecisionConflict",
    "attach_pdf",
    "basis_changes",
    "open_correction",
    "AgendaRow",
    "agenda",
    "progress",
    "assign_committee",
    "committee_of",
    "is_seated",
    "outside_candidate_ids",
    "seated_ids",
    "db",
    "database_url",
    "init",
    "make_engine",
    "session_factory",
    "transaction",
    "upgrade",
    "add_user",
    "authenticate",
    "get_user",
    "hash_password",
    "one_time_password",
    "set_password",
    "verify_password",
    "change_password",
    "reset_password",
    "set_active",
    "users",
    "user_names",
    "committee_members",
    "end_sessions",
    "MAX_FAILED_LOGINS",
    "LOCK_MINUTES",
    "add_instrument",
    "instrument_in_force",
    "list_instruments",
    "load_instrument",
    "put_in_force",
    "register_referral",
    "get_candidate",
    "update_referral",
    "ItemRating",
    "save_ratings",
    "submit_ratings",
    "is_submitted",
    "own_ratings",
    "rated_candidate_ids",
    "submitted_candidate_ids",
    "visible_ratings",
    "ratings_frame",
    "candidate_ratings",
    "candidate_fields",
    "live_scores",
    "LiveScores",
    "score_candidate",
    "CandidateScore",
    "add_note",
    "notes",
    "DecisionInput",
    "finalise",
    "correct",
    "latest_assessment",
    "revisions",
    "confirm_signer",
    "CandidateRow",
    "overview",
    "submissions",
    "latest_assessments",
    "row_counts",
    "DecisionRow",
    "decision_rows",
    "submitted_ratings_wide",
    "save_house",
    "delete_house",
    "houses",
    "get_house",
    "core_houses",
    "audit_entries",
    "latest_audit_entries",
    "load_demo",
    # after the decision (issue 14)
    "ShownResident",
    "house_residents",
    "coordinator_history",
    "HouseFit",
    "WaitingRow",
    "add_to_waiting_list",
    "end_placement",
    "house_fits",
    "open_placements",
    "place",
    "placements",
    "placing_categories",
    "remove_from_waiting_list",
    "waiting_list",
    "outcome_rows",
    "outcome_table",
]
