"""A person's data as one ZIP (AVG art. 15): only for a coordinator or admin, logged, from the CLI too."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from weegtool.cli import cli
from weegtool.errors import NotAllowedError, NotFoundError
from weegtool.store import add_note, audit_entries, register_referral, transaction
from weegtool.store.person import person_export

from .store_factories import make_user


@pytest.fixture
def people(sessions):
    with transaction(sessions) as session:
        users = {
            "coordinator": make_user(session, "coordinator", "coordinator"),
            "R1": make_user(session, "R1"),
        }
        candidate = register_referral(session, "K1", by=users["coordinator"], age=15)
        register_referral(session, "K2", by=users["coordinator"], age=16)
        add_note(session, candidate, "Besproken met de jeugdige.", by=users["R1"])
    return users


def test_the_zip_holds_the_referral_the_notes_and_the_access_log_and_is_logged(people, sessions):
    with transaction(sessions) as session:
        data = person_export(session, "K1", by=session.merge(people["coordinator"]))
        last = audit_entries(session)[-1]
    assert (last.action, last.object_type, last.user_id) == (
        "export.person",
        "candidates",
        people["coordinator"].id,
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    kept = json.loads(archive.read("gegevens.json"))
    assert (
        kept["referral"]["pseudonym"] == "K1" and kept["referral"]["registered_by"] == "coordinator"
    )
    assert kept["notes"] == [
        {
            "author": "R1",
            "text": "Besproken met de jeugdige.",
            "created_at": kept["notes"][0]["created_at"],
        }
    ]
    log = archive.read("toegangslog.csv").decode().splitlines()
    assert log[0] == "at,user,role,action,object,id"
    assert [line.split(",")[3] for line in log[1:]] == ["referral.register", "note.add"]
    assert b"K2" not in archive.read("gegevens.json")


@pytest.mark.parametrize("role", ["rater", "chair", "researcher"])
def test_only_a_coordinator_or_admin_exports(people, sessions, role):
    with transaction(sessions) as session:
        someone = make_user(session, f"u-{role}", role)
        with pytest.raises(
            NotAllowedError,
            match=f"Only a coordinator or admin exports a person's data; this user is {role}",
        ):
            person_export(session, "K1", by=someone)
        with pytest.raises(NotFoundError, match="no candidate 'K9'"):
            person_export(session, "K9", by=session.merge(people["coordinator"]))


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_cli_writes_the_zip_and_refuses_to_overwrite(people, database_url, tmp_path):
    out = tmp_path / "K1.zip"
    args = [
        "person",
        "export",
        "K1",
        "--by",
        "coordinator",
        "--out",
        str(out),
        "--url",
        database_url,
    ]
    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 0 and zipfile.is_zipfile(out)
    assert (
        out.stat().st_mode & 0o077 == 0
    )  # owner-only, as backups are (it was 0644: break-it probe)
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 2 and "exists already" in again.output
    missing = tmp_path / "missing"
    nowhere = CliRunner().invoke(cli, [*args[:6], str(missing / "a.zip"), "--url", database_url])
    # it said a temporary file's name ('.a.zip.26660.partial: No such file'); found in review
    assert nowhere.exit_code == 2 and f"{missing}: no such folder." in nowhere.output
    wrong = CliRunner().invoke(
        cli, [*args[:4], "R1", "--out", str(tmp_path / "x.zip"), "--url", database_url]
    )
    assert wrong.exit_code == 2 and "this user is rater" in wrong.output


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_zip_holds_the_placements_the_waiting_list_and_the_referrals_municipality(sessions):
    """The new-user trial found K00009's ZIP without municipality, placements, end reason or waiting
    list, and a decisions CSV of ids and True/False that a young person cannot read."""
    from weegtool.store import load_demo
    from weegtool.store.models import Candidate, Placement, User

    with transaction(sessions) as session:
        load_demo(session)
        ended = session.scalars(
            select(Placement).where(Placement.end_reason == "breakdown").limit(1)
        ).one()
        pseudonym = session.get(Candidate, ended.candidate_id).pseudonym
        municipality = session.get(Candidate, ended.candidate_id).municipality
        coordinator = session.scalars(select(User).where(User.role == "coordinator")).first()
        data = person_export(session, pseudonym, by=coordinator)
    archive = zipfile.ZipFile(io.BytesIO(data))
    kept = json.loads(archive.read("gegevens.json"))
    assert municipality and kept["referral"]["municipality"] == municipality
    breakdown = [p for p in kept["placements"] if p["end_reason"] == "breakdown"]
    assert breakdown and breakdown[0]["end_reason_title"] == "Plaatsing afgebroken"
    assert "Plaatsing afgebroken" in archive.read("plaatsingen.csv").decode()
    decisions = archive.read("beslissingen.csv").decode().splitlines()
    assert decisions[0] == "versie,datum,besluit,volgt het advies,onderbouwing,afwijkende mening"
    assert all(",True," not in row and ",False," not in row for row in decisions)
    actions = [row.split(",")[3] for row in archive.read("toegangslog.csv").decode().splitlines()]
    assert "placement.start" in actions and "placement.end" in actions
