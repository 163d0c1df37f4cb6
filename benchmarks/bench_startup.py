"""Start-up time of the command line against the bare interpreter.

Times, in one run and with the interpreter of the virtualenv (best of
``--runs``, default 10, each a fresh subprocess, the commands interleaved so
that drift hits them alike):

  python -c pass                                   the floor: the interpreter alone
  python -c "import numpy, pandas, sklearn"        the heavy stack (numpy+pandas without scikit-learn)
  weegtool --help                                  should stay near the floor (lazy imports)
  weegtool validate criteria/twente-specialistisch-wonen.yaml

and prints each time with its ratio to the bare interpreter. Then, from
``python -X importtime``, the ten modules with the largest cumulative import
time for ``import weegtool.cli`` (what ``--help`` loads) and for
``import weegtool.instrument`` (what ``validate`` adds).
Measurements, not tests. Results also go to ``benchmarks/results/startup.json``.

    .venv/bin/python benchmarks/bench_startup.py
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CRITERIA = ROOT / "criteria" / "twente-specialistisch-wonen.yaml"


def _venv_bin() -> Path:
    candidate = ROOT / ".venv" / "bin"
    return candidate if (candidate / "python").exists() else Path(sys.executable).parent


def commands(bin_dir: Path) -> list[tuple[str, list[str]]]:
    python = str(bin_dir / "python")
    heavy = "numpy, pandas, sklearn" if _installed(python, "sklearn") else "numpy, pandas"
    weegtool = str(bin_dir / "weegtool")
    return [
        ("python -c pass", [python, "-c", "pass"]),
        (f"python -c 'import {heavy}'", [python, "-c", f"import {heavy}"]),
        ("weegtool --help", [weegtool, "--help"]),
        (f"weegtool validate {CRITERIA.relative_to(ROOT)}", [weegtool, "validate", str(CRITERIA)]),
    ]


def _installed(python: str, module: str) -> bool:
    probe = f"import importlib.util, sys; sys.exit(importlib.util.find_spec({module!r}) is None)"
    return subprocess.run([python, "-c", probe], cwd=ROOT).returncode == 0


def run_once(argv: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(
            f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode(errors='replace')}"
        )
    return elapsed


def time_commands(cmds: list[tuple[str, list[str]]], runs: int) -> dict[str, list[float]]:
    for _, argv in cmds:  # warm the file cache and the .pyc files
        run_once(argv)
    times: dict[str, list[float]] = {label: [] for label, _ in cmds}
    for _ in range(runs):
        for label, argv in cmds:
            times[label].append(run_once(argv))
    return times


def importtime(python: str, statement: str, tries: int = 3) -> list[tuple[str, int, int]]:
    """(module, self us, cumulative us) of the quickest of ``tries`` runs of ``python -X importtime -c``."""
    best: list[tuple[str, int, int]] | None = None
    best_total = None
    for _ in range(tries):
        done = subprocess.run(
            [python, "-X", "importtime", "-c", statement],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        rows = []
        for line in done.stderr.splitlines():
            if not line.startswith("import time:") or "[us]" in line:
                continue
            self_us, cumulative_us, name = line[len("import time:") :].split("|", 2)
            rows.append((name.rstrip(), int(self_us), int(cumulative_us)))
        total = sum(r[1] for r in rows)
        if best_total is None or total < best_total:
            best, best_total = rows, total
    return best or []


def print_importtime(
    statement: str, rows: list[tuple[str, int, int]], top: int = 10
) -> list[dict[str, Any]]:
    total_self = sum(r[1] for r in rows)
    print(
        f"\npython -X importtime -c '{statement}': {len(rows)} modules, {total_self / 1e6:.3f} s of imports "
        f"(sum of self times); top {top} by cumulative time"
    )
    print(f"{'cumulative s':>12} {'self s':>8}  module")
    ranked = sorted(rows, key=lambda r: r[2], reverse=True)[:top]
    for name, self_us, cum_us in ranked:
        print(f"{cum_us / 1e6:12.4f} {self_us / 1e6:8.4f}  {name}")
    return [
        {
            "module": n.strip(),
            "indent": len(n) - len(n.lstrip()),
            "self_s": s / 1e6,
            "cumulative_s": c / 1e6,
        }
        for n, s, c in ranked
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs", type=int, default=10, help="best of this many runs per command (default 10)"
    )
    parser.add_argument(
        "--top", type=int, default=10, help="modules listed from -X importtime (default 10)"
    )
    parser.add_argument("--out", type=Path, default=HERE / "results" / "startup.json")
    args = parser.parse_args(argv)

    bin_dir = _venv_bin()
    python = str(bin_dir / "python")
    versions = subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"weegtool start-up benchmark, {_dt.datetime.now().isoformat(timespec='seconds')}")
    print(f"cpu_count={os.cpu_count()}  {platform.platform()}  python {versions} ({python})")
    print(f"best of {args.runs} runs per command, each a fresh subprocess\n")

    cmds = commands(bin_dir)
    times = time_commands(cmds, args.runs)
    floor = min(times[cmds[0][0]])
    width = max(len(label) for label, _ in cmds)
    print(f"{'command':<{width}}  {'best s':>8}  {'median s':>8}  {'x python':>8}")
    results = []
    for label, _ in cmds:
        best = min(times[label])
        median = sorted(times[label])[len(times[label]) // 2]
        print(f"{label:<{width}}  {best:8.4f}  {median:8.4f}  {best / floor:8.2f}")
        results.append(
            {
                "command": label,
                "best_s": best,
                "median_s": median,
                "times_s": times[label],
                "ratio_to_python": best / floor,
            }
        )

    imports = {}
    for statement in ("import weegtool.cli", "import weegtool.instrument"):
        imports[statement] = print_importtime(statement, importtime(python, statement), args.top)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "benchmark": "startup",
                "date": _dt.datetime.now().isoformat(timespec="seconds"),
                "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform()},
                "python": versions,
                "runs": args.runs,
                "results": results,
                "importtime_top": imports,
                "sklearn_installed": importlib.util.find_spec("sklearn") is not None,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
