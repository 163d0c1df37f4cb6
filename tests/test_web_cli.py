"""``weegtool db init --admin --demo`` (what ``make run`` does first) and ``weegtool serve``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from weegtool.cli import cli
from weegtool.store import authenticate, db
from weegtool.store.models import Candidate, User


def invoke(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env)


def _count(url, model):
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(model))
    finally:
        engine.dispose()


def test_init_with_admin_and_demo_prints_one_time_passwords_once_and_is_safe_to_repeat(
    tmp_path, fast_hashing
):
    url = f"sqlite:///{tmp_path / 'instance' / 'w.sqlite3'}"
    first = invoke(
        "db",
        "init",
        "--url",
        url,
        "--admin",
        "admin",
        "--demo",
        env={"WEEGTOOL_ADMIN_PASSWORD": ""},
    )
    assert first.exit_code == 0, first.output
    password = first.output.split("one-time password of 'admin': ")[1].split()[0]
    assert "demo committee member 'demo-voorzitter', one-time password: " in first.output
    with db.transaction(db.session_factory(db.make_engine(url))) as session:
        admin = authenticate(session, "admin", password)
        assert admin is not None and admin.role == "admin" and admin.must_change_password
    candidates = _count(url, Candidate)
    assert candidates == 30  # the demo cohort (weegtool.store.demo.load_demo)
    again = invoke("db", "init", "--url", url, "--admin", "admin", "--demo")
    assert again.exit_code == 0
    assert "one-time password" not in again.output and "no demo cohort loaded" in again.output
    assert (_count(url, Candidate), _count(url, User)) == (30, 5)
    assert oct((tmp_path / "instance").stat().st_mode & 0o777) == "0o700"


def test_the_admin_password_can_come_from_the_environment_and_is_never_printed(
    tmp_path, fast_hashing
):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    result = invoke(
        "db",
        "init",
        "--url",
        url,
        "--admin",
        "beheer",
        env={"WEEGTOOL_ADMIN_PASSWORD": "a long given secret"},
    )
    assert (
        result.exit_code == 0
        and "a long given secret" not in result.output
        and "one-time" not in result.output
    )
    with db.transaction(db.session_factory(db.make_engine(url))) as session:
        assert authenticate(session, "beheer", "a long given secret").must_change_password


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_answers_on_loopback_only_by_default(tmp_path):
    instance = tmp_path / "instance"
    env = {**os.environ, "WEEGTOOL_INSTANCE_PATH": str(instance)}
    env.pop("WEEGTOOL_DATABASE_URL", None)
    assert invoke("db", "init", env={"WEEGTOOL_INSTANCE_PATH": str(instance)}).exit_code == 0
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "weegtool", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline, page = time.monotonic() + 30, None
        while time.monotonic() < deadline and page is None:
            try:
                page = (
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2)
                    .read()
                    .decode()
                )
            except OSError:
                time.sleep(0.2)
        assert page is not None and "Inloggen" in page
        listening = Path("/proc/net/tcp").read_text()
        assert f":{port:04X} " in listening
        assert f"00000000:{port:04X} " not in listening  # not on every address
        assert oct((instance / "secret_key").stat().st_mode & 0o777) == "0o600"
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert f"http://127.0.0.1:{port}/" in output
