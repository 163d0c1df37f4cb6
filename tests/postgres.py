"""A throwaway PostgreSQL server for the database tests, from Debian's postgresql package.

Why not pytest-postgresql: it runs initdb and pg_ctl as the current user, and
PostgreSQL refuses to run as root, which is who runs the tests here and in CI.
This helper does the same few steps itself and, when it runs as root, runs
them as the unprivileged ``postgres`` user (created by the Debian package; else
``nobody``) with ``runuser``. The server lives in a fresh folder under /tmp
(not pytest's tmp_path: that folder is root's alone), listens on 127.0.0.1 on a
free port, trusts local connections (nothing but the tests can reach it in
the few seconds it lives) and skips fsync, since its data is thrown away.

When the binaries are missing the tests are skipped with the reason, except
under CI (``CI`` set), where they fail: a green CI must have tested PostgreSQL.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "weegtool"


class Unavailable(RuntimeError):
    """No PostgreSQL server can be started on this machine (the reason says why)."""


@dataclass
class Server:
    folder: Path
    port: int
    bindir: Path
    run_as: tuple[str, ...]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}"

    def stop(self) -> None:
        subprocess.run(
            [
                *self.run_as,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.folder / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def find_bindir() -> Path:
    """The newest installed server's bin folder (Debian: /usr/lib/postgresql/<major>/bin)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise Unavailable(
        "PostgreSQL's initdb was not found; install Debian's 'postgresql' package (make test does)."
    )


def _unprivileged_user() -> tuple[str, ...]:
    if os.geteuid() != 0:
        return ()
    if shutil.which("runuser") is None:
        raise Unavailable(
            "running as root and 'runuser' is missing, so PostgreSQL cannot be started as "
            "another user (it refuses to run as root)."
        )
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return ("runuser", "-u", name, "--")
    raise Unavailable(
        "running as root and there is no 'postgres' or 'nobody' user to run PostgreSQL as."
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start() -> Server:
    """Initialise and start a server; raises :class:`Unavailable` or ``RuntimeError`` with the server's log."""
    bindir, run_as = find_bindir(), _unprivileged_user()
    folder = Path(tempfile.mkdtemp(prefix="weegtool-pg-"))
    if run_as:
        account = pwd.getpwnam(run_as[2])
        os.chown(folder, account.pw_uid, account.pw_gid)
    server = Server(folder, _free_port(), bindir, run_as)
    try:
        _run(
            server,
            "initdb",
            "-D",
            str(folder / "data"),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        )
        options = (
            f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        _run(
            server,
            "pg_ctl",
            "-D",
            str(folder / "data"),
            "-l",
            str(folder / "server.log"),
            "-w",
            "-t",
            "30",
            "-o",
            options,
            "start",
        )
    except RuntimeError:
        server.stop()
        raise
    return server


def _run(server: Server, program: str, *args: str) -> None:
    done = subprocess.run(
        [*server.run_as, str(server.bindir / program), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        log = server.folder / "server.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(
            f"{program} failed ({done.returncode}):\n{done.stdout}{done.stderr}{tail}"
        )
