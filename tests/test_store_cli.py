"""``weegtool db init|upgrade`` and ``weegtool user add``, on an SQLite file."""

from __future__ import annotations

from click.testing import CliRunner

from weegtool.cli import cli
from weegtool.store import authenticate, db, get_user


def invoke(*args, stdin=None):
    return CliRunner().invoke(cli, list(args), input=stdin)


def test_db_init_then_user_add_prints_a_one_time_password_that_logs_in(tmp_path, fast_hashing):
    url = f"sqlite:///{tmp_path / 'instance' / 'w.sqlite3'}"
    assert "the default instrument is in force" in invoke("db", "init", "--url", url).output
    assert "an instrument was already in force" in invoke("db", "init", "--url", url).output
    assert invoke("db", "upgrade", "--url", url).exit_code == 0
    result = invoke(
        "user",
        "add",
        "Anne",
        "--role",
        "chair",
        "--behavioural-scientist",
        "--registration",
        "BIG-1",
        "--url",
        url,
    )
    assert result.exit_code == 0, result.output
    password = result.output.split("one-time password: ")[1].strip()
    with db.transaction(db.session_factory(db.make_engine(url))) as session:
        user = authenticate(session, "Anne", password)
        assert (user.role, user.registration, user.must_change_password) == ("chair", "BIG-1", True)


def test_user_add_takes_the_password_from_stdin_and_never_prints_it(tmp_path, fast_hashing):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    invoke("db", "init", "--url", url)
    result = invoke(
        "user",
        "add",
        "Bert",
        "--role",
        "rater",
        "--password-stdin",
        "--url",
        url,
        stdin="a long enough secret\n",
    )
    assert (
        result.exit_code == 0
        and "secret" not in result.output
        and "one-time password" not in result.output
    )
    with db.transaction(db.session_factory(db.make_engine(url))) as session:
        assert (
            authenticate(session, "Bert", "a long enough secret").id == get_user(session, "Bert").id
        )


def test_user_add_says_what_is_wrong_without_a_traceback(tmp_path, fast_hashing):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    invoke("db", "init", "--url", url)
    invoke("user", "add", "Bert", "--role", "rater", "--url", url)
    result = invoke(
        "user", "add", "Bert", "--role", "chair", "--behavioural-scientist", "--url", url
    )
    assert result.exit_code == 2
    assert (
        "a user named 'Bert' already exists" in result.output
        and "needs a 'registration'" in result.output
    )
    assert "Traceback" not in result.output


def test_user_add_on_a_database_never_initialised_says_so(tmp_path):
    result = invoke(
        "user", "add", "Bert", "--role", "rater", "--url", f"sqlite:///{tmp_path / 'none.sqlite3'}"
    )
    assert result.exit_code == 2 and "weegtool db init" in result.output
