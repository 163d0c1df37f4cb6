"""Where one ``weegtool.score`` call spends its time.

Same synthetic table as ``bench_score.py`` (one rater per candidate, uniform
0..4, text ids unless ``--int-ids``). Three views:

  phases       (default) wall time of weegtool's own internal steps, measured by
               wrapping them with a timer in this process only: almost no
               overhead, best of ``--repeats`` calls;
  --cprofile   cProfile, top ``--top`` by cumulative and by own time. Beware: it
               adds a fixed cost to every Python call, so per-element work
               (pandas ``.str`` methods call a lambda per value) looks several
               times larger than it is;
  --pyinstrument  a pyinstrument call tree (if pyinstrument is installed).

No weegtool file is changed; the wrappers live only in this process.

    .venv/bin/python benchmarks/profile_score.py --n 1000000 --cprofile
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib
import pstats
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_score import make_frame

import weegtool

# (module, function) pairs timed in the phases view; missing ones are skipped, so the
# script keeps working while weegtool's internals change.
PHASES = [
    ("weegtool.api", "read_ratings"),
    ("weegtool.api", "score_ratings"),
    ("weegtool.io.tables", "read_table"),
    ("weegtool.io.tables", "_check_columns"),
    ("weegtool.io.tables", "_item_values"),
    ("weegtool.io.tables", "_check_ids"),
    ("weegtool.io.tables", "_candidate_fields"),
    ("weegtool.ratings", "_first_known"),
    ("weegtool.io.tables", "_evidence"),
    ("weegtool.ratings", "aggregate_raters"),
    ("weegtool.ratings", "_id_strings"),
    ("weegtool.engine", "_domains"),
    ("weegtool.engine", "_total"),
]


@contextmanager
def timed_phases(spent: defaultdict[str, float], calls: Counter[str]) -> Iterator[None]:
    saved: list[tuple[Any, str, Callable[..., Any]]] = []
    for module_name, name in PHASES:
        module = importlib.import_module(module_name)
        original = getattr(module, name, None)
        if original is None:
            continue
        label = f"{module_name}.{name}"

        def wrapper(
            *args: Any, _f: Callable[..., Any] = original, _label: str = label, **kwargs: Any
        ) -> Any:
            start = time.perf_counter()
            try:
                return _f(*args, **kwargs)
            finally:
                spent[_label] += time.perf_counter() - start
                calls[_label] += 1

        setattr(module, name, wrapper)
        saved.append((module, name, original))
    try:
        yield
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


def phases(instrument: Any, frame: Any, repeats: int) -> None:
    runs = []
    for _ in range(repeats):
        spent: defaultdict[str, float] = defaultdict(float)
        calls: Counter[str] = Counter()
        with timed_phases(spent, calls):
            gc.collect()
            start = time.perf_counter()
            weegtool.score(instrument, frame)
            runs.append((time.perf_counter() - start, dict(spent), dict(calls)))
    total, spent, calls = min(runs, key=lambda run: run[0])
    print(
        f"phases of the quickest of {repeats} calls ({', '.join(f'{r[0]:.3f}' for r in runs)} s): "
        f"{total:.3f} s; times are inclusive (a phase contains the ones it calls)"
    )
    print(f"{'seconds':>8} {'share':>6}  {'calls':>5}  phase")
    for label, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"{seconds:8.3f} {100 * seconds / total:5.1f}%  {calls[label]:5d}  {label}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--int-ids", action="store_true")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--cprofile", action="store_true", help="also print cProfile statistics")
    parser.add_argument(
        "--pyinstrument", action="store_true", help="also print a pyinstrument call tree"
    )
    args = parser.parse_args(argv)

    instrument = weegtool.load_instrument()
    small, _ = make_frame(50, instrument.item_ids, args.seed, args.int_ids)
    weegtool.score(instrument, small)
    frame, _ = make_frame(args.n, instrument.item_ids, args.seed, args.int_ids)
    print(f"weegtool.score profile, n={args.n:,}, {'int64' if args.int_ids else 'text'} ids\n")

    phases(instrument, frame, args.repeats)

    if args.cprofile:
        profiler = cProfile.Profile()
        profiler.enable()
        weegtool.score(instrument, frame)
        profiler.disable()
        stats = pstats.Stats(profiler)
        print()
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)

    if args.pyinstrument:
        from pyinstrument import Profiler

        tree = Profiler(interval=0.001)
        tree.start()
        weegtool.score(instrument, frame)
        tree.stop()
        print(tree.output_text(unicode=False, color=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
