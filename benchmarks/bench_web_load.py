"""Web load: 20 raters saving ratings at once (save-and-rescore), against a static file of the same server.

A fresh site (SQLite in a temporary folder; with ``--backend postgresql`` a
throwaway PostgreSQL server started as the tests start one; or an empty
database given with ``--url``): the default instrument in force, ``--raters`` raters with their
own passwords already chosen, ``--candidates`` candidates. The app is served
by waitress (``--threads``, 8 as ``weegtool serve``) in a separate process, so
the load generator does not share the server's GIL. Every simulated rater is
a thread of this process with its own keep-alive HTTP connection and cookies
(http.client: no extra dependency). They are spread over the candidates, so
several raters save for the same candidate at the same moment.

Phases, in this order, all against the same server:

  static     the baseline: the same number of clients, not logged in, GET
             ``/static/style.css`` for ``--baseline-seconds`` (Flask, no
             database work);
  login      each rater: GET /login, POST /login (argon2), GET / (new session,
             new CSRF token), then one untimed warm-up save;
  static+session  the same static file, logged in, for ``--baseline-seconds``:
             what every request of a logged-in user costs before its view
             (session cookie, the user loaded, SQLite's write lock);
  save       each rater, for ``--seconds``, one save after the other (as
             ``static/rate.js``: one at a time) of one item with a random level
             0-4 or 'not known' and a note carrying a sequence number, POST
             ``/api/candidates/<pseudonym>/ratings`` with ``X-CSRF-Token``;
             the answer is the rater's own domain and total scores recomputed.
             ``--think`` pauses between saves (default 0: a closed loop, far
             more than a meeting of people clicking).

Then the database is read: for every (candidate, rater, item) sent, the stored
value and note must be the last ones that rater sent; anything else is a lost
rating. The issue's goals (p95 of save-and-rescore under 100 ms on SQLite, no
errors, no lost ratings) are printed as met or not, with the ratio of the save
p95 to the static p95 (the machine is shared and noisy: read the ratio).

``--profile sections`` times the steps of each save inside the server (wrappers
in the server process only, no file changed: session, user load, SQLite lock
wait and hold, save_ratings, commit, score_candidate and its parts, JSON);
``--profile cprofile`` adds a cProfile of every server thread (wall time per
thread: the lock waits show up as ``sqlite3.Cursor.execute``). Both slow the
server down (cProfile a lot): use them on a shorter run.

The server's own log (tracebacks of failed requests) goes beside the JSON, as
``web_load_server.log`` (``--profile cprofile``: also ``web_load.prof``); its exceptions are counted in the output. Nothing
here asserts on time. Results also go to ``benchmarks/results/web_load.json``.

    .venv/bin/python benchmarks/bench_web_load.py                      # about 75 s
    .venv/bin/python benchmarks/bench_web_load.py --seconds 10 --profile sections
    .venv/bin/python benchmarks/bench_web_load.py --think 1          # each rater saves about once a second
    .venv/bin/python benchmarks/bench_web_load.py --backend postgresql
"""

from __future__ import annotations

import argparse
import datetime as _dt
import http.client
import json
import multiprocessing
import os
import platform
import random
import re
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from functools import partial
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np

HERE = Path(__file__).resolve().parent
PASSWORD = "benchmark password not secret"
TOKEN = re.compile(rb'name="csrf-token" content="([^"]+)"')
LEVELS: tuple[int | None, ...] = (0, 1, 2, 3, 4, None)
P95_GOAL_MS = 100.0


# --------------------------------------------------------------------------------------------- the site


def build_site(
    url: str, n_raters: int, n_candidates: int
) -> tuple[list[str], list[str], list[str]]:
    """Migrate ``url``, put the default instrument in force, add raters and candidates; (raters, candidates, items)."""
    from weegtool.instrument import default_instrument_path
    from weegtool.store import add_user, db, load_instrument, register_referral, set_password
    from weegtool.store.instruments import add_instrument

    db.upgrade(url)
    engine = db.make_engine(url)
    raters = [f"rater{i:02d}" for i in range(1, n_raters + 1)]
    candidates = [f"K-{i:04d}" for i in range(1, n_candidates + 1)]
    try:
        with db.transaction(db.session_factory(engine)) as session:
            row = add_instrument(
                session, default_instrument_path().read_text(encoding="utf-8"), in_force=True
            )
            items = list(load_instrument(row).item_ids)
            coordinator = add_user(session, "coordinator", "coordinator", PASSWORD)
            set_password(coordinator, PASSWORD)
            for name in raters:
                set_password(add_user(session, name, "rater", PASSWORD), PASSWORD)
            for pseudonym in candidates:
                register_referral(session, pseudonym, by=coordinator, age=15)
    finally:
        engine.dispose()
    return raters, candidates, items


def throwaway_postgresql(cleanup: ExitStack) -> str:
    """A PostgreSQL server started as the tests start one (stopped and removed at the end); its empty database."""
    sys.path.insert(0, str(HERE.parent))
    from tests import postgres  # type: ignore[import-not-found]

    server = postgres.start()
    cleanup.callback(server.stop)
    import psycopg

    with psycopg.connect(
        server.url.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True
    ) as connection:
        connection.execute("CREATE DATABASE weegtool_load")
    return server.url + "/weegtool_load"


def stored_ratings(url: str) -> dict[tuple[str, str, str], tuple[int | None, str]]:
    """Every stored rating: (pseudonym, rater, item) -> (value, note)."""
    from sqlalchemy import select

    from weegtool.store import db
    from weegtool.store.models import Candidate, Rating, User

    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            query = (
                select(Candidate.pseudonym, User.name, Rating.item, Rating.value, Rating.note)
                .join(Candidate, Candidate.id == Rating.candidate_id)
                .join(User, User.id == Rating.rater_id)
            )
            return {(p, r, i): (v, n) for p, r, i, v, n in connection.execute(query)}
    finally:
        engine.dispose()


# --------------------------------------------------------------------------------------------- the server


class Probes:
    """Wall time per labelled step, summed over every thread of the server process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.spent: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self.order: list[str] = []

    def add(self, label: str, seconds: float) -> None:
        with self.lock:
            self.spent[label] += seconds
            self.calls[label] += 1

    def label(self, label: str) -> str:
        if label not in self.order:
            self.order.append(label)
        return label

    def timed(self, function: Callable[..., Any], label: str) -> Callable[..., Any]:
        label = self.label(label)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.add(label, time.perf_counter() - start)

        wrapper.__name__ = getattr(function, "__name__", label)
        return wrapper

    def patch(self, module: Any, name: str, label: str) -> None:
        original = getattr(module, name, None)
        if original is not None:
            setattr(module, name, self.timed(original, label))

    def reset(self) -> None:
        with self.lock:
            self.spent.clear()
            self.calls.clear()

    def report(self) -> list[dict[str, Any]]:
        return [
            {"label": label, "calls": self.calls[label], "seconds": self.spent[label]}
            for label in self.order
            if self.calls[label]
        ]


def _install_probes(probes: Probes) -> None:
    """Wrap weegtool's steps of a save with timers (this process only). Before ``create_app``."""
    import weegtool.store.db as store_db
    import weegtool.store.ratings as store_ratings
    import weegtool.web.db as web_db
    from weegtool.store import audit
    from weegtool.web import rating

    original_begin = store_db._sqlite_begin_immediate
    wait = probes.label("  sqlite: wait for the write lock (BEGIN IMMEDIATE)")
    probes.label("  sqlite: write lock held, begin to commit")
    probes.label("  sqlite: write lock held, begin to rollback (session.close)")

    def begin(connection: Any) -> None:
        start = time.perf_counter()
        original_begin(connection)
        now = time.perf_counter()
        probes.add(wait, now - start)
        connection.info["bench_locked_at"] = now

    store_db._sqlite_begin_immediate = begin  # make_engine registers it when the app is created
    probes.label("view rating.save_api (all of it)")
    probes.patch(rating, "candidate_or_404", "  candidate_or_404")
    probes.patch(rating, "save_ratings", "  save_ratings")
    probes.patch(store_ratings, "_check_values", "    _check_values")
    probes.patch(store_ratings, "_lock_rater", "    _lock_rater (SELECT .. FOR UPDATE)")
    probes.patch(store_ratings, "is_submitted", "    is_submitted")
    probes.patch(store_ratings, "_upsert", "    _upsert (INSERT .. ON CONFLICT)")
    probes.patch(audit, "record", "    audit.record (flush + entry)")
    probes.patch(web_db, "commit", "  db.commit")
    probes.patch(rating, "own_scores", "  own_scores")
    probes.patch(rating, "score_candidate", "    score_candidate")
    probes.patch(
        store_ratings, "ratings_frame", "      ratings_frame (its query waits for the lock)"
    )
    probes.patch(store_ratings, "load", "      load instrument (cached parse)")
    probes.patch(store_ratings, "score", "      score (core)")
    probes.patch(store_ratings, "advise", "      advise")
    probes.patch(rating, "jsonify", "  jsonify")


def _instrument_app(app: Any, probes: Probes) -> Any:
    """Timers around the request as a whole, the hooks, the cookie session and the engine's transactions."""
    from sqlalchemy import event

    engine = app.extensions["weegtool.engine"]

    def ended(connection: Any, how: str) -> None:
        locked_at = connection.info.pop("bench_locked_at", None)
        if locked_at is not None:
            probes.add(
                f"  sqlite: write lock held, begin to {how}", time.perf_counter() - locked_at
            )

    event.listen(engine, "commit", lambda connection: ended(connection, "commit"))
    event.listen(
        engine, "rollback", lambda connection: ended(connection, "rollback (session.close)")
    )
    hooks = app.before_request_funcs.setdefault(None, [])
    waits = {"_load_user": " (its query waits for the lock)"}
    hooks[:] = [
        probes.timed(f, f"before_request {f.__name__}{waits.get(f.__name__, '')}") for f in hooks
    ]
    teardowns = app.teardown_appcontext_funcs
    teardowns[:] = [
        probes.timed(f, f"teardown {f.__name__} (session.close: rollback)") for f in teardowns
    ]
    interface = app.session_interface
    interface.open_session = probes.timed(interface.open_session, "cookie session: open")
    interface.save_session = probes.timed(interface.save_session, "cookie session: save")
    view = "rating.save_api"
    app.view_functions[view] = probes.timed(
        app.view_functions[view], "view rating.save_api (all of it)"
    )
    app.wsgi_app = probes.timed(app.wsgi_app, "wsgi: the whole request in Flask")
    first = (
        "wsgi",
        "cookie session: open",
        "before_request",
        "view",
        " ",
        "teardown",
        "cookie session: save",
    )
    sqlite = [label for label in probes.order if label.startswith("  sqlite")]
    rest = [label for label in probes.order if label not in sqlite]
    probes.order[:] = (
        sorted(rest, key=lambda label: next(i for i, p in enumerate(first) if label.startswith(p)))
        + sqlite
    )
    return app


class ThreadProfiles:
    """A cProfile per server thread, switched on only while that thread runs a request."""

    def __init__(self, app: Any) -> None:
        import cProfile

        self.local = threading.local()
        self.all: list[Any] = []
        self.lock = threading.Lock()
        self.app = app
        self.make = cProfile.Profile
        self.on = True

    def __call__(self, environ: Any, start_response: Any) -> Any:
        if not self.on:
            return self.app(environ, start_response)
        profile = getattr(self.local, "profile", None)
        if profile is None:
            profile = self.local.profile = self.make()
            with self.lock:
                self.all.append(profile)
        profile.enable()
        try:
            return list(self.app(environ, start_response))
        finally:
            profile.disable()

    def reset(self) -> None:
        with self.lock:
            for profile in self.all:
                profile.clear()

    def report(self, out: Path, top: int) -> str:
        import io
        import pstats

        self.on = False
        with self.lock:
            for profile in self.all:
                profile.create_stats()
            profiles = [p for p in self.all if p.stats]
        if not profiles:
            return "(no requests profiled)"
        text = io.StringIO()
        stats = pstats.Stats(profiles[0], stream=text)
        for profile in profiles[1:]:
            stats.add(profile)
        out.parent.mkdir(parents=True, exist_ok=True)
        stats.dump_stats(str(out))
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
        return text.getvalue()


def server_main(
    url: str, instance: str, threads: int, profile: str, prof_out: str, server_log: str, conn: Any
) -> None:
    """The server process: the app on waitress, on a free port; answers 'reset', 'stats' and 'stop' on ``conn``."""
    import logging

    import waitress

    logging.getLogger("waitress.queue").setLevel(
        logging.ERROR
    )  # "Task queue depth is N": expected here
    Path(server_log).parent.mkdir(parents=True, exist_ok=True)
    with open(server_log, "w", encoding="utf-8") as log:  # the server's tracebacks go here
        os.dup2(log.fileno(), 2)
    probes = Probes()
    if profile in ("sections", "cprofile"):
        _install_probes(probes)
    from weegtool.web import create_app

    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": instance,
            "SESSION_COOKIE_SECURE": False,
            "REPORT_PDF": False,
        }
    )
    if profile in ("sections", "cprofile"):
        _instrument_app(app, probes)
    wsgi: Any = app
    profiles = None
    if profile == "cprofile":
        wsgi = profiles = ThreadProfiles(app)
    server = waitress.create_server(
        wsgi, host="127.0.0.1", port=0, threads=threads, ident="weegtool"
    )
    conn.send(server.effective_port)

    def control() -> None:
        while True:
            command = conn.recv()
            if command == "reset":
                probes.reset()
                if profiles is not None:
                    profiles.reset()
                conn.send("ok")
            elif command == "stats":
                text = profiles.report(Path(prof_out), 30) if profiles is not None else ""
                conn.send({"sections": probes.report(), "cprofile": text})
            else:
                conn.send("bye")
                os._exit(0)

    threading.Thread(target=control, daemon=True).start()
    server.run()


class Server:
    def __init__(
        self, url: str, instance: Path, threads: int, profile: str, prof_out: Path, log: Path
    ) -> None:
        self.log = log
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=server_main,
            daemon=True,
            args=(url, str(instance), threads, profile, str(prof_out), str(log), child),
        )
        self.process.start()
        if not self.conn.poll(120):
            raise RuntimeError("the server process did not start within 120 s")
        self.port: int = self.conn.recv()

    def ask(self, command: str) -> Any:
        self.conn.send(command)
        return self.conn.recv()

    def stop(self) -> None:
        with suppress(EOFError, OSError):
            self.ask("stop")
        self.process.join(10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)


# --------------------------------------------------------------------------------------------- the clients


@dataclass
class Record:
    kind: str
    start: float
    seconds: float
    status: int | str  # HTTP status, or the exception's class name


class Client:
    """One browser: a keep-alive connection, its cookies, the page's CSRF token."""

    def __init__(self, port: int, records: list[Record]) -> None:
        self.port = port
        self.records = records
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.connection: http.client.HTTPConnection | None = None

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes] | None:
        """Send one request and read the whole answer; None (and an error recorded) if it raised."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except Exception as error:
            self.records.append(
                Record(kind, start, time.perf_counter() - start, type(error).__name__)
            )
            self.close()
            return None
        self.records.append(Record(kind, start, time.perf_counter() - start, response.status))
        for header in response.headers.get_all("Set-Cookie") or ():
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.will_close:
            self.close()
        found = TOKEN.search(data)
        if found:
            self.token = found.group(1).decode()
        return response.status, data

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@dataclass
class Rater:
    name: str
    pseudonym: str
    client: Client
    rng: random.Random
    sent: dict[tuple[str, str, str], tuple[int | None, str, bool]] = field(default_factory=dict)
    seq: int = 0
    bad_bodies: Counter[str] = field(default_factory=Counter)

    def login(self) -> bool:
        self.client.request("login page", "GET", "/login")
        form = urlencode(
            {"name": self.name, "password": PASSWORD, "csrf_token": self.client.token}
        ).encode()
        answer = self.client.request(
            "login", "POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if answer is None or answer[0] != 302:
            return False
        answer = self.client.request("home", "GET", "/")  # a new session: a new CSRF token
        return answer is not None and answer[0] == 200

    def save(self, items: list[str], kind: str = "save") -> None:
        item = self.rng.choice(items)
        value = self.rng.choice(LEVELS)
        self.seq += 1
        note = f"{self.name} save {self.seq}"
        body = json.dumps(
            {"ratings": [{"item": item, "value": value, "note": note, "critical": ""}]}
        ).encode()
        key = (self.pseudonym, self.name, item)
        self.sent[key] = (value, note, False)
        answer = self.client.request(
            kind,
            "POST",
            f"/api/candidates/{self.pseudonym}/ratings",
            body,
            {"Content-Type": "application/json", "X-CSRF-Token": self.client.token},
        )
        if answer is None or answer[0] != 200:
            return
        try:
            reply = json.loads(answer[1])
            good = (
                reply["saved"] == 1
                and isinstance(reply["scores"], dict)
                and "total" in reply["scores"]
            )
        except (ValueError, KeyError, TypeError):
            good = False
        if good:
            self.sent[key] = (value, note, True)
        else:
            self.bad_bodies["200 with an unexpected body"] += 1


def run_phase(workers: list[Callable[[], Any]], seconds: float) -> float:
    """Start every worker at once; each loops until the deadline. Returns the wall time."""
    barrier = threading.Barrier(len(workers) + 1)
    deadline = [0.0]
    failures: list[str] = []

    def loop(work: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            while time.perf_counter() < deadline[0]:
                work()
        except Exception:
            failures.append(traceback.format_exc())

    threads = [threading.Thread(target=loop, args=(w,), daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    deadline[0] = start + seconds
    barrier.wait()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError("a client thread failed:\n" + failures[0])
    return time.perf_counter() - start


def summarise(records: list[Record], kind: str, wall: float, ok: int = 200) -> dict[str, Any]:
    mine = [r for r in records if r.kind == kind]
    ms = np.array([r.seconds for r in mine]) * 1000.0
    errors = Counter(str(r.status) for r in mine if r.status != ok)
    out: dict[str, Any] = {
        "requests": len(mine),
        "wall_s": wall,
        "per_s": len(mine) / wall if wall else 0.0,
        "errors": sum(errors.values()),
        "errors_by_kind": dict(errors),
    }
    if len(ms):
        out.update(
            mean_ms=float(ms.mean()),
            median_ms=float(np.percentile(ms, 50)),
            p95_ms=float(np.percentile(ms, 95)),
            p99_ms=float(np.percentile(ms, 99)),
            max_ms=float(ms.max()),
        )
    return out


# --------------------------------------------------------------------------------------------- the run


def lost_ratings(
    raters: list[Rater], stored: dict[tuple[str, str, str], tuple[int | None, str]]
) -> dict[str, Any]:
    """Compare what each rater sent last with what the database holds."""
    checked = lost = lost_after_error = 0
    examples: list[str] = []
    for rater in raters:
        for key, (value, note, acknowledged) in rater.sent.items():
            checked += 1
            if stored.get(key) == (value, note):
                continue
            lost += 1
            lost_after_error += not acknowledged
            if len(examples) < 5:
                examples.append(
                    f"{key}: sent {(value, note)}, stored {stored.get(key)}"
                    f"{'' if acknowledged else ' (the last save of it failed)'}"
                )
    return {
        "checked": checked,
        "lost": lost,
        "lost_after_failed_save": lost_after_error,
        "examples": examples,
    }


def server_errors(log: Path) -> dict[str, int]:
    """The failed requests in the server's log, counted by the last exception of each traceback."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    found: Counter[str] = Counter()
    # Flask logs each failed request as "[2026-11-23 13:36:39,479] ERROR in app: ..." and its traceback
    for block in re.split(r"^(?=\[\d{4}-\d\d-\d\d )", text, flags=re.MULTILINE):
        last = [
            line
            for line in block.splitlines()
            if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Timeout)\b.*:", line)
        ]
        if last:
            found[last[-1]] += 1
    return dict(found)


def print_table(phases: dict[str, dict[str, Any]]) -> None:
    headers = ["phase", "requests", "req/s", "median ms", "p95 ms", "p99 ms", "max ms", "errors"]
    rows = [
        [
            name,
            f"{s['requests']:,}",
            f"{s['per_s']:.1f}",
            f"{s.get('median_ms', float('nan')):.1f}",
            f"{s.get('p95_ms', float('nan')):.1f}",
            f"{s.get('p99_ms', float('nan')):.1f}",
            f"{s.get('max_ms', float('nan')):.1f}",
            str(s["errors"]) + (f" {s['errors_by_kind']}" if s["errors"] else ""),
        ]
        for name, s in phases.items()
    ]
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        print("  ".join(headers))
        for row in rows:
            print("  ".join(row))
        return
    table = Table(*headers, title="Web load (client-side latency)")
    for column in table.columns[1:7]:
        column.justify = "right"
    for row in rows:
        table.add_row(*row)
    Console(width=max(Console().width, 110)).print(table)


def print_sections(sections: list[dict[str, Any]], requests: int) -> None:
    if not sections or not requests:
        return
    whole = next((s["seconds"] for s in sections if s["label"].startswith("wsgi")), None)
    print(
        f"\nInside the server, per save (sum over its threads / {requests:,} saves; nested steps are indented):"
    )
    print(f"  {'step':<58} {'calls/save':>10} {'ms/save':>8} {'% of wsgi':>9}")
    for s in sections:
        share = f"{100 * s['seconds'] / whole:8.0f}%" if whole else ""
        print(
            f"  {s['label']:<58} {s['calls'] / requests:10.2f} {1000 * s['seconds'] / requests:8.2f} {share}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=30.0, help="duration of the save-and-rescore load"
    )
    parser.add_argument(
        "--baseline-seconds", type=float, default=10.0, help="duration of each static-file phase"
    )
    parser.add_argument("--raters", type=int, default=20, help="simulated raters (client threads)")
    parser.add_argument(
        "--candidates", type=int, default=5, help="candidates the raters are spread over"
    )
    parser.add_argument(
        "--threads", type=int, default=8, help="waitress threads (weegtool serve: 8)"
    )
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds each rater pauses between saves"
    )
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="without --url: a temporary SQLite file, or a throwaway PostgreSQL server started "
        "as the tests start it (tests/postgres.py, Debian's postgresql package; fsync off)",
    )
    parser.add_argument(
        "--url",
        help="an EMPTY database to use instead (e.g. postgresql+psycopg://user@host/db); "
        "it is not dropped afterwards",
    )
    parser.add_argument(
        "--profile",
        choices=("none", "sections", "cprofile"),
        default="none",
        help="time the steps of a save in the server (cprofile: also a cProfile of it)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "web_load.json")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="weegtool-load-") as folder, ExitStack() as cleanup:
        url = args.url or (
            throwaway_postgresql(cleanup)
            if args.backend == "postgresql"
            else f"sqlite:///{Path(folder) / 'weegtool.sqlite3'}"
        )
        backend = url.split(":", 1)[0].split("+", 1)[0]
        start = time.perf_counter()
        names, pseudonyms, items = build_site(url, args.raters, args.candidates)
        print(
            f"Site on {backend}: {len(names)} raters, {len(pseudonyms)} candidates, {len(items)} items "
            f"({time.perf_counter() - start:.1f} s to build)"
        )
        server = Server(
            url,
            Path(folder) / "instance",
            args.threads,
            args.profile,
            args.out.with_suffix(".prof"),
            args.out.with_name(args.out.stem + "_server.log"),
        )
        try:
            result = run(args, server, url, names, pseudonyms, items)
        finally:
            server.stop()
    result["config"] = {
        "backend": backend,
        "raters": args.raters,
        "candidates": args.candidates,
        "waitress_threads": args.threads,
        "seconds": args.seconds,
        "baseline_seconds": args.baseline_seconds,
        "think_s": args.think,
        "profile": args.profile,
        "seed": args.seed,
    }
    result["machine"] = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cores": os.cpu_count(),
        "weegtool": __import__("weegtool").__version__,
        "date": _dt.date.today().isoformat(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\n(written to {args.out})")
    return 0


def run(
    args: argparse.Namespace,
    server: Server,
    url: str,
    names: list[str],
    pseudonyms: list[str],
    items: list[str],
) -> dict[str, Any]:
    records: list[Record] = []  # list.append is atomic under the GIL: one list for every thread
    phases: dict[str, dict[str, Any]] = {}
    print(
        f"Server: waitress, {args.threads} threads, port {server.port}, pid {server.process.pid}"
        + (f", profile {args.profile}" if args.profile != "none" else "")
    )

    anonymous = [Client(server.port, records) for _ in names]
    for client in anonymous:  # warm-up: connections open, the static file read once
        client.request("warm-up", "GET", "/static/style.css")
    wall = run_phase(
        [partial(c.request, "static", "GET", "/static/style.css") for c in anonymous],
        args.baseline_seconds,
    )
    phases["static (baseline)"] = summarise(records, "static", wall)
    for client in anonymous:
        client.close()

    raters = [
        Rater(
            name,
            pseudonyms[i % len(pseudonyms)],
            Client(server.port, records),
            random.Random(args.seed * 1000 + i),
        )
        for i, name in enumerate(names)
    ]
    start = time.perf_counter()
    failed: list[str] = []

    def login(rater: Rater) -> None:
        if not rater.login():
            failed.append(rater.name)

    threads = [threading.Thread(target=login, args=(r,)) for r in raters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    login_wall = time.perf_counter() - start
    phases["login (POST /login)"] = summarise(records, "login", login_wall, ok=302)
    if failed:
        raise RuntimeError(
            f"log-in failed for {failed}; statuses: "
            f"{Counter(str(r.status) for r in records if r.kind in ('login', 'home'))}"
        )
    for rater in raters:
        rater.save(items, "warm-up")

    wall = run_phase(
        [partial(r.client.request, "static+session", "GET", "/static/style.css") for r in raters],
        args.baseline_seconds,
    )
    phases["static, logged in"] = summarise(records, "static+session", wall)

    if args.profile != "none":
        server.ask("reset")

    def save(rater: Rater) -> None:
        rater.save(items)
        if args.think:
            time.sleep(args.think)

    wall = run_phase([partial(save, r) for r in raters], args.seconds)
    save_label = "save-and-rescore"
    phases[save_label] = summarise(records, "save", wall)
    inside: dict[str, Any] = (
        server.ask("stats") if args.profile != "none" else {"sections": [], "cprofile": ""}
    )
    for rater in raters:
        rater.client.close()

    bad = sum((r.bad_bodies for r in raters), Counter())
    if bad:
        phases[save_label]["errors"] += sum(bad.values())
        phases[save_label]["errors_by_kind"].update(bad)
    lost = lost_ratings(raters, stored_ratings(url))

    print()
    print_table(phases)
    saves, static = phases[save_label], phases["static (baseline)"]
    ratio = saves["p95_ms"] / static["p95_ms"]
    print(
        f"p95 save-and-rescore / p95 static file: {ratio:.1f} "
        f"(median {saves['median_ms'] / static['median_ms']:.1f}); "
        f"throughput {saves['per_s']:.1f} saves/s against {static['per_s']:.0f} static files/s"
    )
    print(
        f"Ratings checked in the database: {lost['checked']:,} (candidate, rater, item), "
        f"lost: {lost['lost']}"
        + (f" ({lost['lost_after_failed_save']} after a failed save)" if lost["lost"] else "")
    )
    for example in lost["examples"]:
        print(f"  {example}")
    goals = {
        "p95_under_100_ms": saves["p95_ms"] < P95_GOAL_MS,
        "no_errors": saves["errors"] == 0,
        "no_lost_ratings": lost["lost"] == 0,
    }
    logged = server_errors(server.log)
    if logged:
        print(
            f"The server logged: {', '.join(f'{n} x {m}' for m, n in logged.items())} (tracebacks in {server.log})"
        )
    print("Goals of the issue:")
    print(
        f"  p95 under {P95_GOAL_MS:.0f} ms on {url.split(':', 1)[0]}: "
        f"{'met' if goals['p95_under_100_ms'] else 'NOT met'} ({saves['p95_ms']:.1f} ms)"
    )
    print(f"  no errors: {'met' if goals['no_errors'] else 'NOT met'} ({saves['errors']})")
    print(f"  no lost ratings: {'met' if goals['no_lost_ratings'] else 'NOT met'} ({lost['lost']})")
    if args.profile != "none":
        print("\n(the server was instrumented: its latencies above are inflated)")
        print_sections(inside["sections"], saves["requests"])
        if inside["cprofile"]:
            print(f"\ncProfile of the server threads (also in {args.out.with_suffix('.prof')}):")
            print(inside["cprofile"])
    return {
        "phases": phases,
        "ratio_p95_save_over_static": ratio,
        "lost": lost,
        "goals": goals,
        "server_errors": logged,
        "server_sections": inside["sections"],
    }


if __name__ == "__main__":
    raise SystemExit(main())
