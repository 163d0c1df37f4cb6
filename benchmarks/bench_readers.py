"""The readers of weegtool.io on files of about 1 MB, against the plain library call in the same run.

Issue 11 asks that any file under 1 MB be accepted or refused within 1 s and 200 MB. Timed
(best of ``--repeats``, ``time.perf_counter``) and measured (peak of Python allocations,
``tracemalloc``, one untimed call):

  yaml        read_yaml on a 1 MB list of house-like records   vs  yaml.load with CSafeLoader
  bomb        read_yaml on nine levels of nested aliases        (refused; yaml.load would expand
                                                                  to 3.5e9 values: not run)
  deep        read_yaml on 1 MB of one long, flat mapping       vs  yaml.load with CSafeLoader
  csv         read_table on a 1 MB ratings CSV (Windows-1252)   vs  pandas.read_csv, told the encoding
  ratings     read_ratings on the same file (validation too)    vs  pandas.read_csv

These are measurements, not tests: nothing here asserts on time. Results also go to
``benchmarks/results/readers.json``.

    .venv/bin/python benchmarks/bench_readers.py
"""

from __future__ import annotations

import argparse
import io
import json
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

import weegtool
from weegtool.io.tables import read_table
from weegtool.io.yamlfile import read_yaml

HERE = Path(__file__).resolve().parent
SIZE = 1_000_000


def yaml_records() -> str:
    record = (
        "  - {id: huis-%d, capacity: 4, residents: [{id: B-%d, age: 16, flags: [suicide_risk]}]}\n"
    )
    lines, n = ["houses:\n"], 0
    while sum(map(len, lines)) < SIZE:
        lines.append(record % (n, n))
        n += 1
    return "".join(lines)


def alias_bomb(levels: int = 9) -> str:
    text = 'a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n'
    for n in range(1, levels + 1):
        text += f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]\n"
    return text


def flat_mapping() -> str:
    lines, n = [], 0
    while sum(map(len, lines)) < SIZE:
        lines.append(f"key_{n}: value {n}\n")
        n += 1
    return "".join(lines)


def ratings_csv(instrument: weegtool.Instrument) -> bytes:
    header = ["candidate_id", "rater_id", *instrument.item_ids, f"{instrument.item_ids[0]}.note"]
    rows, n = [";".join(header)], 0
    while sum(map(len, rows)) < SIZE:
        rows.append(";".join([f"K{n:05d}", "R1", *["2"] * len(instrument.item_ids), "één keer"]))
        n += 1
    return ("\r\n".join(rows) + "\r\n").encode("cp1252")


def best(run: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def peak(run: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "readers.json")
    args = parser.parse_args()
    instrument = weegtool.load_instrument()
    path = HERE / "results" / "readers-ratings.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ratings_csv(instrument))
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    records, bomb, flat = yaml_records(), alias_bomb(), flat_mapping()

    def plain_csv() -> Any:
        return pd.read_csv(io.BytesIO(path.read_bytes()), sep=";", dtype=str, encoding="cp1252")

    cases: list[tuple[str, int, Callable[[], Any], Callable[[], Any] | None]] = [
        ("yaml", len(records), lambda: read_yaml(records), lambda: yaml.load(records, loader)),
        ("bomb", len(bomb), lambda: read_yaml(bomb), None),
        ("deep", len(flat), lambda: read_yaml(flat), lambda: yaml.load(flat, loader)),
        ("csv", path.stat().st_size, lambda: read_table(path), plain_csv),
        (
            "ratings",
            path.stat().st_size,
            lambda: weegtool.read_ratings(path, instrument),
            plain_csv,
        ),
    ]
    rows = []
    print(
        f"{'case':8} {'bytes':>9} {'weegtool s':>11} {'peak MB':>8} {'baseline s':>11} {'ratio':>6}"
    )
    for name, size, ours, baseline in cases:
        seconds, memory = best(ours, args.repeats), peak(ours)
        base = best(baseline, args.repeats) if baseline is not None else None
        ratio = seconds / base if base else None
        rows.append({"case": name, "bytes": size, "seconds": seconds, "peak_bytes": memory,
                     "baseline_seconds": base, "ratio": ratio})  # fmt: skip
        shown_base = f"{base:11.3f}" if base is not None else f"{'-':>11}"
        shown_ratio = f"{ratio:6.1f}" if ratio is not None else f"{'-':>6}"
        print(f"{name:8} {size:9,} {seconds:11.3f} {memory / 1e6:8.1f} {shown_base} {shown_ratio}")
    args.out.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    path.unlink()
    print(f"(written to {args.out})")


if __name__ == "__main__":
    main()
