"""How long a backup, its verification and a restore take: the demo database and a larger one.

Databases (built outside the timed region):

- **demo**: ``weegtool db init --demo`` (12 candidates, 3 raters, 600 ratings).
- **large**: ``--candidates`` candidates (default 2000) at the newest schema, each rated on all 25 items
  by 3 raters (150 000 ratings with a short note each), each submitted, one note per candidate, a finalised
  assessment for every second candidate with a ``--report-kb`` KiB report (default 40, about what a
  rendered report weighs) and an audit entry per save, submit, note and finalisation, chained as
  :func:`weegtool.store.audit.record` chains them. Rows are inserted with SQLAlchemy Core (building through
  the store would take minutes and measure the store, not the backup).

Timed (best of ``--repeats``, default 3): ``backup`` (SQLite online backup API + manifest), ``backup``
encrypted (Fernet), ``verify`` (integrity_check, every foreign key, the audit chain) and ``restore`` into a
fresh SQLite file (checked against the manifest before and after). With ``--postgresql`` (needs Debian's
postgresql package, as the tests do) the large database is also restored into a throwaway PostgreSQL
server (rows copied) and backed up there with ``pg_dump``.

    .venv/bin/python benchmarks/bench_backup.py [--candidates 2000] [--postgresql]
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import insert

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _best(run: Callable[[int], Any], repeats: int) -> float:
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        run(i)
        times.append(time.perf_counter() - start)
    return min(times)


def build_large(url: str, n: int, report_kb: int) -> None:
    from weegtool import load_instrument
    from weegtool.instrument import default_instrument_path
    from weegtool.store import db
    from weegtool.store.audit import entry_hash, head
    from weegtool.store.models import (
        Assessment,
        AuditEntry,
        Candidate,
        Instrument,
        Note,
        Rating,
        RatingSubmission,
        User,
        utcnow,
    )

    db.init(url)
    instrument = load_instrument(default_instrument_path())
    engine = db.make_engine(url)
    now = utcnow()
    audit: list[dict[str, Any]] = []
    with db.session_factory(engine)() as session:
        before = (head(session) or (0, ""))[1]  # db.init logged the instrument already

    def log(user: int | None, action: str, kind: str, object_id: int) -> None:
        nonlocal before
        at = now + _dt.timedelta(microseconds=len(audit))
        digest = entry_hash(before, at, user, action, kind, object_id)
        audit.append(
            {
                "at": at,
                "user_id": user,
                "action": action,
                "object_type": kind,
                "object_id": object_id,
                "prev_hash": before,
                "hash": digest,
            }
        )
        before = digest

    with engine.begin() as c:
        sha = c.execute(Instrument.__table__.select()).first().sha256  # type: ignore[union-attr]
        users = [
            {"id": i, "name": f"R{i}", "role": "rater", "password_hash": "x", "created_at": now}
            for i in (1, 2, 3)
        ]
        users.append(
            {"id": 4, "name": "chair", "role": "chair", "password_hash": "x", "created_at": now}
        )
        c.execute(insert(User), users)
        report = "<p>" + "x" * (report_kb * 1024) + "</p>"
        for start in range(1, n + 1, 500):
            ids = range(start, min(start + 500, n + 1))
            c.execute(
                insert(Candidate),
                [
                    {
                        "id": i,
                        "pseudonym": f"K-{i:05d}",
                        "age": 8 + i % 20,
                        "referrer": f"gemeente {i % 14}",
                        "direction": "long_term",
                        "flags": [],
                        "instrument_sha256": sha,
                        "registered_at": now,
                    }
                    for i in ids
                ],
            )
            ratings, submissions, notes, assessments = [], [], [], []
            for i in ids:
                for rater in (1, 2, 3):
                    ratings += [
                        {
                            "candidate_id": i,
                            "rater_id": rater,
                            "item": item,
                            "value": (i + rater + k) % 4,
                            "note": "toelichting bij de score",
                            "critical": "",
                            "saved_at": now,
                        }
                        for k, item in enumerate(instrument.item_ids)
                    ]
                    log(rater, "ratings.save", "candidates", i)
                    submissions.append({"candidate_id": i, "rater_id": rater, "submitted_at": now})
                    log(rater, "ratings.submit", "candidates", i)
                notes.append(
                    {"candidate_id": i, "author_id": 1, "text": "besproken", "created_at": now}
                )
                log(1, "note.add", "notes", i)
                if i % 2 == 0:
                    assessments.append(
                        {
                            "candidate_id": i,
                            "revision": 1,
                            "instrument_sha256": sha,
                            "advice": {"category": "fits"},
                            "category": "fits",
                            "follows_advice": True,
                            "decided_on": now.date(),
                            "report_html": report,
                            "finalised_by": 4,
                            "finalised_at": now,
                        }
                    )
                    log(4, "assessment.finalise", "assessments", len(assessments))
            c.execute(insert(Rating), ratings)
            c.execute(insert(RatingSubmission), submissions)
            c.execute(insert(Note), notes)
            if assessments:
                c.execute(insert(Assessment), assessments)
        c.execute(insert(AuditEntry), audit)
    engine.dispose()


def measure(name: str, url: str, work: Path, repeats: int) -> dict[str, Any]:
    from weegtool.store.backup import backup, new_key, restore
    from weegtool.store.verify import verify

    path = Path(url.removeprefix("sqlite:///"))
    keys = work / f"{name}-keys"
    keys.mkdir()
    new_key(keys / "key")
    out = work / f"{name}-backups"
    out.mkdir()
    result: dict[str, Any] = {"database_bytes": path.stat().st_size}
    result["backup_s"] = _best(lambda i: backup(url, out / f"plain{i}"), repeats)
    result["backup_encrypted_s"] = _best(
        lambda i: backup(url, out / f"enc{i}", key_file=keys / "key"), repeats
    )
    result["verify_s"] = _best(lambda i: verify(url), repeats)
    result["restore_sqlite_s"] = _best(
        lambda i: restore(out / "plain0", f"sqlite:///{work / f'{name}-restored{i}.sqlite3'}"),
        repeats,
    )
    manifest = json.loads((out / "plain0.manifest.json").read_text())
    result["rows"] = sum(manifest["row_counts"].values())
    result["backup_bytes"] = manifest["size"]
    return result


def measure_postgresql(url: str, work: Path, repeats: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from tests import postgres  # the tests' throwaway server
    from weegtool.store.backup import backup, restore

    server = postgres.start()
    try:
        import sqlalchemy as sa

        admin = sa.create_engine(f"{server.url}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            for i in range(repeats + 1):
                c.exec_driver_sql(f"CREATE DATABASE bench{i}")
        admin.dispose()
        restored = f"{server.url}/bench{repeats}"
        start = time.perf_counter()
        restore(work / "large-backups" / "plain0", restored)
        copy_s = time.perf_counter() - start
        dump_s = _best(lambda i: backup(restored, work / f"pg{i}"), repeats)
        restore_s = _best(lambda i: restore(work / "pg0", f"{server.url}/bench{i}"), repeats)
        return {
            "restore_sqlite_backup_into_postgresql_s": copy_s,
            "backup_pg_dump_s": dump_s,
            "restore_pg_restore_s": restore_s,
            "pg_dump_bytes": (work / "pg0").stat().st_size,
        }
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--report-kb", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--postgresql", action="store_true")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "backup.json")
    args = parser.parse_args(argv)
    from weegtool.store.setup import set_up

    work = Path(tempfile.mkdtemp(prefix="weegtool-bench-backup-"))
    try:
        demo = f"sqlite:///{work / 'demo.sqlite3'}"
        set_up(demo, demo=True)
        large = f"sqlite:///{work / 'large.sqlite3'}"
        start = time.perf_counter()
        build_large(large, args.candidates, args.report_kb)
        results: dict[str, Any] = {"build_large_s": time.perf_counter() - start}
        results["demo"] = measure("demo", demo, work, args.repeats)
        results["large"] = measure("large", large, work, args.repeats)
        if args.postgresql:
            results["large_postgresql"] = measure_postgresql(large, work, args.repeats)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["candidates"] = args.candidates
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
