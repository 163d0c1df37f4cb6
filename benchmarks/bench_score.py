"""Throughput of ``weegtool.score`` against a bare numpy kernel and scikit-criteria.

For each size n (default 1e3, 1e5, 1e6) this builds, outside every timed
region, a seeded table of n synthetic candidates with one rater each and the
25 items of the default instrument rated uniformly 0..4 (int64), then times:

  w  ``weegtool.score(instrument, frame)``: the full public call, with the
     validation of every value, the id checks and the rater aggregation
     (the instrument is loaded once beforehand);
  a  a hand-written numpy kernel on the raw int matrix computing the same
     "full explanation": per-item normalised values with protective items
     flipped, per-item contributions (n x k), domain scores (n x d), total and
     band (``np.searchsorted`` on the band boundaries); no validation;
  b  scikit-criteria: ``mkdm`` (risk items maximised, protective minimised,
     each item weighted by its effective weight in the total) then
     ``MinMaxInverter`` and ``WeightedSumModel``, which yields the total and
     a ranking but no domain scores, contributions or bands.

Best of ``--repeats`` runs (``time.perf_counter``); a method whose first run
takes longer than ``--slow`` seconds is run once. These are measurements, not
tests: nothing here asserts on time. Results also go to
``benchmarks/results/score.json``.

    .venv/bin/python benchmarks/bench_score.py
    .venv/bin/python benchmarks/bench_score.py --sizes 1000 100000
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import importlib.metadata as metadata
import json
import os
import platform
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import weegtool

HERE = Path(__file__).resolve().parent
DEFAULT_SIZES = (1_000, 100_000, 1_000_000)


# --- data ------------------------------------------------------------------------


def make_frame(
    n: int, item_ids: tuple[str, ...], seed: int, int_ids: bool
) -> tuple[pd.DataFrame, np.ndarray]:
    """n candidates, one rater each, ratings uniform on 0..4 (int64); also the raw (n, k) matrix."""
    rng = np.random.default_rng(seed)
    matrix = rng.integers(0, 5, size=(n, len(item_ids)), dtype=np.int64)
    frame = pd.DataFrame(matrix, columns=list(item_ids))
    if int_ids:
        frame.insert(0, "rater_id", np.ones(n, dtype=np.int64))
        frame.insert(0, "candidate_id", np.arange(1, n + 1, dtype=np.int64))
    else:
        frame.insert(0, "rater_id", ["r1"] * n)
        frame.insert(0, "candidate_id", [f"c{i:07d}" for i in range(1, n + 1)])
    return frame, matrix


# --- (a) the numpy kernel ---------------------------------------------------------------


@dataclass(frozen=True)
class Kernel:
    """The instrument's numbers, folded so that the kernel is a few array passes."""

    scale: np.ndarray  # (k,) t = rating * scale + offset is x, or 1 - x for protective items
    offset: np.ndarray  # (k,)
    per_item: np.ndarray  # (k,) points in the total per unit of t
    to_domains: np.ndarray  # (k, d) risk-oriented domain score per unit of t
    risk_domain: np.ndarray  # (d,) bool
    domain_share: np.ndarray  # (d,)
    band_uppers: np.ndarray  # (b,)

    @classmethod
    def of(cls, instrument: weegtool.Instrument) -> Kernel:
        """Built from the criteria file's numbers directly, independent of weegtool's engine."""
        spec = instrument.spec
        domains = [d.id for d in spec.domains]
        protective = np.array([item.direction == "protective" for item in spec.items])
        low = np.array([instrument.scale_of(item).min for item in spec.items], dtype=float)
        span = np.array([instrument.scale_of(item).max for item in spec.items], dtype=float) - low
        weight = np.array([item.weight for item in spec.items], dtype=float)
        domain_of = np.array([domains.index(item.domain) for item in spec.items])
        membership = np.zeros((len(spec.items), len(domains)))
        membership[np.arange(len(spec.items)), domain_of] = 1.0
        risk = np.array([d.kind == "risk" for d in spec.domains])
        counted = risk | spec.settings.protective_lowers_total
        share = np.array([d.weight for d in spec.domains]) * counted
        share = share / share.sum()
        sign = np.where(protective, -1.0, 1.0)
        domain_total = weight @ membership
        return cls(
            scale=sign / span,
            offset=np.where(protective, 1.0, 0.0) - sign * low / span,
            per_item=100.0 * share[domain_of] * weight / domain_total[domain_of],
            to_domains=100.0 * membership * (weight / domain_total[domain_of])[:, None],
            risk_domain=risk,
            domain_share=share,
            band_uppers=np.array([b.upper for b in spec.advice.bands], dtype=float),
        )


def numpy_scores(matrix: np.ndarray, kern: Kernel) -> dict[str, np.ndarray]:
    """Contributions (n, k), domain scores (n, d, own orientation), total (n,) and band (n,)."""
    toward_risk = matrix * kern.scale + kern.offset  # normalised, protective flipped
    contributions = toward_risk * kern.per_item
    domain_risk = toward_risk @ kern.to_domains  # risk-oriented, 0-100
    domain_scores = np.round(np.where(kern.risk_domain, domain_risk, 100.0 - domain_risk), 9)
    total = np.round(domain_risk @ kern.domain_share, 9)
    band = np.searchsorted(kern.band_uppers[:-1], total, side="right")
    return {
        "contributions": contributions,
        "domain_scores": domain_scores,
        "total": total,
        "band": band,
    }


# --- (b) scikit-criteria --------------------------------------------------------------


def skcriteria_setup(instrument: weegtool.Instrument) -> Callable[[np.ndarray], np.ndarray]:
    """A function matrix -> WeightedSumModel scores; imports and pipeline built here, once."""
    import skcriteria as skc
    from skcriteria.agg.simple import WeightedSumModel
    from skcriteria.pipelines import mkpipe
    from skcriteria.preprocessing.invert_objectives import MinMaxInverter

    kern = Kernel.of(instrument)
    objectives = ["min" if item.direction == "protective" else "max" for item in instrument.items]
    criteria = list(instrument.item_ids)
    pipe = mkpipe(MinMaxInverter(), WeightedSumModel())

    def run(matrix: np.ndarray) -> np.ndarray:
        dm = skc.mkdm(matrix, objectives, weights=kern.per_item, criteria=criteria)
        return pipe.evaluate(dm).e_.score

    return run


# --- timing -------------------------------------------------------------------------


@dataclass
class Timing:
    times: list[float]
    skipped: str | None = None

    @property
    def best(self) -> float | None:
        return min(self.times) if self.times else None

    def as_json(self, n: int) -> dict[str, Any]:
        best = self.best
        return {
            "best_s": best,
            "times_s": self.times,
            "repeats": len(self.times),
            "rows_per_s": n / best if best else None,
            "skipped": self.skipped,
        }


def best_of(
    function: Callable[[], Any], repeats: int, slow: float, limit: float | None = None
) -> tuple[Timing, Any]:
    times: list[float] = []
    result: Any = None
    for _ in range(repeats):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
        if limit is not None and times[-1] > limit:
            return Timing(
                times, f"one run took {times[-1]:.1f} s > {limit:g} s; not repeated"
            ), result
        if times[0] > slow:
            break
    return Timing(times), result


def peak_memory(function: Callable[[], Any]) -> float:
    """Peak traced allocation of one call in MB (tracemalloc; numpy and pandas buffers are traced)."""
    gc.collect()
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


# --- report ----------------------------------------------------------------------------


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in (
        "weegtool",
        "numpy",
        "pandas",
        "scikit-criteria",
        "scikit-learn",
        "scipy",
        "pydantic",
    ):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def machine() -> dict[str, Any]:
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": affinity,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
    }


def _fmt_s(t: float | None) -> str:
    return f"{t:10.4f}" if t is not None else f"{'-':>10}"


def _fmt_rate(n: int, t: float | None) -> str:
    return f"{n / t:12,.0f}" if t else f"{'-':>12}"


def _fmt_ratio(x: float | None) -> str:
    return f"{x:8.1f}" if x is not None else f"{'-':>8}"


def print_table(rows: list[dict[str, Any]]) -> None:
    head = (
        f"{'n':>9} | {'w s':>10} {'w rows/s':>12} | {'a s':>10} {'a rows/s':>12} | "
        f"{'b s':>10} {'b rows/s':>12} | {'w/a':>8} {'b/w':>8}"
    )
    print(head)
    print("-" * len(head))
    for row in rows:
        n = row["n"]
        w, a, b = (row[m]["best_s"] for m in ("weegtool", "numpy", "skcriteria"))
        print(
            f"{n:>9,} | {_fmt_s(w)} {_fmt_rate(n, w)} | {_fmt_s(a)} {_fmt_rate(n, a)} | "
            f"{_fmt_s(b)} {_fmt_rate(n, b)} | {_fmt_ratio(row['w_over_a'])} {_fmt_ratio(row['b_over_w'])}"
        )
    print(
        "w = weegtool.score (validated public call), a = numpy kernel (no validation), "
        "b = scikit-criteria WeightedSumModel"
    )
    print("w/a = times slower than numpy; b/w = times faster than scikit-criteria (< 1: slower)")
    for row in rows:
        reps = {m: row[m]["repeats"] for m in ("weegtool", "numpy", "skcriteria")}
        notes = [
            f"{m}: {row[m]['skipped']}"
            for m in ("weegtool", "numpy", "skcriteria")
            if row[m]["skipped"]
        ]
        print(f"  n={row['n']:,}: repetitions {reps}" + ("; " + "; ".join(notes) if notes else ""))


# --- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=list(DEFAULT_SIZES),
        help="numbers of candidates (default: 1000 100000 1000000)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs (default 3)")
    parser.add_argument(
        "--slow",
        type=float,
        default=10.0,
        help="a method whose first run takes longer than this many seconds runs once (default 10)",
    )
    parser.add_argument(
        "--skc-limit",
        type=float,
        default=120.0,
        help="skip scikit-criteria at a size when it takes (or is extrapolated to take) longer "
        "than this many seconds (default 120)",
    )
    parser.add_argument("--no-skcriteria", action="store_true", help="leave scikit-criteria out")
    parser.add_argument(
        "--int-ids",
        action="store_true",
        help="int64 candidate_id and rater_id columns (default: text ids such as 'c0000001')",
    )
    parser.add_argument(
        "--memory",
        action="store_true",
        help="also measure the peak allocation of one call of each method (tracemalloc, untimed)",
    )
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "score.json")
    args = parser.parse_args(argv)

    info = machine()
    libs = versions()
    print(f"weegtool score benchmark, {_dt.datetime.now().isoformat(timespec='seconds')}")
    print(f"cpu_count={info['cpu_count']} usable={info['cpus_usable']}  {info['platform']}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in libs.items()))

    instrument = weegtool.load_instrument()
    score = weegtool.score
    kern = Kernel.of(instrument)
    skc_run = None if args.no_skcriteria else skcriteria_setup(instrument)
    print(
        f"instrument: {instrument.label}, {len(instrument.item_ids)} items, {len(instrument.domain_ids)} domains"
    )
    print(f"ids: {'int64' if args.int_ids else 'text'}; repeats {args.repeats}; seed {args.seed}\n")

    # warm up every path (lazy imports, first-call caches) on a small frame
    small, small_matrix = make_frame(50, instrument.item_ids, args.seed, args.int_ids)
    score(instrument, small)
    numpy_scores(small_matrix, kern)
    if skc_run is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            skc_run(small_matrix)

    rows: list[dict[str, Any]] = []
    checks: dict[str, Any] = {}
    previous_skc: tuple[int, float] | None = None
    for n in args.sizes:
        frame, matrix = make_frame(n, instrument.item_ids, args.seed, args.int_ids)
        print(
            f"n={n:,}: frame {frame.memory_usage(deep=True).sum() / 1e6:,.0f} MB built; timing ...",
            flush=True,
        )

        t_w, scores = best_of(lambda: score(instrument, frame), args.repeats, args.slow)
        t_a, base = best_of(lambda: numpy_scores(matrix, kern), args.repeats, args.slow)

        skc_scores = None
        if skc_run is None:
            t_b = Timing([], "not run (--no-skcriteria)")
        elif previous_skc is not None and previous_skc[1] * n / previous_skc[0] > args.skc_limit:
            guess = previous_skc[1] * n / previous_skc[0]
            t_b = Timing([], f"skipped: extrapolated {guess:.0f} s > {args.skc_limit:g} s")
        else:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    t_b, skc_scores = best_of(
                        lambda: skc_run(matrix), args.repeats, args.slow, args.skc_limit
                    )
                previous_skc = (n, t_b.best or 0.0)
            except MemoryError:
                t_b = Timing([], "skipped: MemoryError")

        row: dict[str, Any] = {
            "n": n,
            "weegtool": t_w.as_json(n),
            "numpy": t_a.as_json(n),
            "skcriteria": t_b.as_json(n),
            "w_over_a": t_w.best / t_a.best if t_w.best and t_a.best else None,
            "b_over_w": t_b.best / t_w.best if t_b.best and t_w.best else None,
        }

        # correctness, outside every timed region
        diff_total = float(np.max(np.abs(scores.total - base["total"])))
        same_band = bool(np.array_equal(scores.band, base["band"]))
        diff_contrib = float(np.max(np.abs(scores.contributions - base["contributions"])))
        diff_domain = float(np.max(np.abs(scores.domain_scores - base["domain_scores"])))
        check = {
            "max_abs_total_diff": diff_total,
            "totals_within_1e-9": diff_total <= 1e-9,
            "bands_equal": same_band,
            "max_abs_contribution_diff": diff_contrib,
            "max_abs_domain_score_diff": diff_domain,
        }
        if skc_scores is not None:
            check["max_abs_skcriteria_total_diff"] = float(
                np.max(np.abs(np.asarray(skc_scores) - scores.total))
            )
        row["check"] = check
        checks[str(n)] = check
        if n == 1_000 or len(args.sizes) == 1:
            print(
                f"  check n={n:,}: max |weegtool total - numpy total| = {diff_total:.3g} "
                f"({'OK, within 1e-9' if diff_total <= 1e-9 else 'MISMATCH, above 1e-9'}); bands equal: {same_band}; "
                f"max contribution diff {diff_contrib:.3g}; max domain score diff {diff_domain:.3g}"
                + (
                    f"; max |scikit-criteria score - total| = {check['max_abs_skcriteria_total_diff']:.3g}"
                    if "max_abs_skcriteria_total_diff" in check
                    else ""
                )
            )

        if args.memory:
            mem = {
                "weegtool": peak_memory(lambda: score(instrument, frame)),
                "numpy": peak_memory(lambda: numpy_scores(matrix, kern)),
            }
            if skc_run is not None and t_b.times and not t_b.skipped:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    mem["skcriteria"] = peak_memory(lambda: skc_run(matrix))
            row["peak_mb"] = mem
            print("  peak allocation (MB): " + ", ".join(f"{k} {v:,.0f}" for k, v in mem.items()))

        rows.append(row)
        del frame, matrix, scores, base, skc_scores
        gc.collect()

    print()
    print_table(rows)
    if "1000" not in checks:
        print("(the 1e3 correctness check runs only when 1000 is among --sizes)")
    else:
        c = checks["1000"]
        print(
            f"check n=1,000: weegtool totals == numpy totals within 1e-9: {c['totals_within_1e-9']} "
            f"(max diff {c['max_abs_total_diff']:.3g}); bands equal: {c['bands_equal']}"
        )

    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "score",
        "date": _dt.datetime.now().isoformat(timespec="seconds"),
        "machine": info,
        "versions": libs,
        "instrument": instrument.label,
        "settings": {
            "sizes": args.sizes,
            "repeats": args.repeats,
            "slow_s": args.slow,
            "skc_limit_s": args.skc_limit,
            "seed": args.seed,
            "ids": "int64" if args.int_ids else "text",
            "raters_per_candidate": 1,
        },
        "results": rows,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
