"""Report speed: HTML reports per second against a bare jinja2 table, seconds per PDF against a one-page PDF.

Three measurements, each against a baseline in the same run (these machines are
shared and noisy: read the ratios):

  html    weegtool's full advice report (``render_html``, as an export calls it)
          for ``--n`` synthetic candidates, against a bare jinja2 template that
          renders the same item table (25 rows: item, text, rating, anchor,
          raters, spread, weight, contribution) from values
          prepared beforehand, with autoescape on;
  pdf     ``render_pdf`` of a full report (best of ``--pdf-repeats``, pages counted),
          against WeasyPrint rendering a one-page A4 document with a 25-row table;
  export  a ``--export-n``-candidate PDF export (``export_cohort``, pdf only) with
          one worker process and with all cores (``os.cpu_count()``).

Nothing here asserts on time. Results also go to ``benchmarks/results/report.json``.

    .venv/bin/python benchmarks/bench_report.py
    .venv/bin/python benchmarks/bench_report.py --n 200 --export-n 20   # quicker
"""

from __future__ import annotations

import argparse
import datetime as _dt
import io
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from pypdf import PdfReader

import weegtool
from weegtool.report import render_html, render_pdf
from weegtool.report.export import export_cohort
from weegtool.research import synthetic_cohort

HERE = Path(__file__).resolve().parent
ON = _dt.date(2026, 11, 23)
KEY = b"benchmark-key-not-secret-0123456789"

BARE = jinja2.Environment(autoescape=True).from_string("""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>{{ id }}</title></head><body>
<h1>{{ id }}</h1><table><thead><tr><th>Item</th><th>Score</th><th>Anker</th><th>Beoordelaars</th>
<th>Spreiding</th><th>Gewicht</th><th>Bijdrage</th></tr></thead><tbody>
{% for r in rows %}<tr><td>{{ r.text }} ({{ r.id }})</td><td>{{ r.rating }}</td><td>{{ r.anchor }}</td>
<td>{{ r.raters }}</td><td>{{ r.spread }}</td><td>{{ r.weight }}</td><td>{{ r.contribution }}</td></tr>
{% endfor %}</tbody></table></body></html>""")

ONE_PAGE = """<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 16mm } body { font-family: "DejaVu Sans"; font-size: 9pt }
table { border-collapse: collapse; width: 100% } td { border: 0.5pt solid #999; padding: 2pt }
</style></head><body><h1>Eén pagina</h1><table>ROWS</table></body></html>"""


def timed(function: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Best of ``repeats`` wall-clock runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def bare_rows(
    advice: weegtool.Advice, instrument: weegtool.Instrument, ratings: weegtool.Ratings
) -> list[dict[str, str]]:
    rows = []
    for item in instrument.items:
        rating = advice.ratings[item.id]
        given = list(ratings.by_rater(advice.candidate_id, item.id).items())
        rows.append(
            {
                "id": item.id,
                "text": item.text("nl"),
                "rating": "-" if rating is None else f"{rating:g}",
                "anchor": item.anchors[int(rating)]("nl")
                if rating is not None and float(rating).is_integer()
                else "-",
                "raters": " · ".join(f"{r}: {v:g}" for r, v in given),
                "spread": f"{max(v for _, v in given) - min(v for _, v in given):g}"
                if given
                else "-",
                "weight": f"{item.weight:g}",
                "contribution": f"{advice.contributions.get(item.id) or 0:.2f}",
            }
        )
    return rows


def bench_html(n: int, repeats: int) -> dict[str, Any]:
    instrument = weegtool.load_instrument()
    cohort = synthetic_cohort(instrument, n_candidates=n, n_raters=3, seed=1)
    scores = weegtool.score(instrument, cohort.ratings, cohort.candidates)
    advices = weegtool.advise(scores, on=ON)
    prepared = [bare_rows(a, instrument, scores.ratings) for a in advices]

    def full() -> list[str]:
        return [render_html(a, instrument, scores.ratings, "nl") for a in advices]

    def bare() -> list[str]:
        return [BARE.render(id=a.candidate_id, rows=rows) for a, rows in zip(advices, prepared)]

    full_s, pages = timed(full, repeats)
    bare_s, bare_pages = timed(bare, repeats)
    return {
        "n": n,
        "full_s": full_s,
        "full_per_s": n / full_s,
        "bare_s": bare_s,
        "bare_per_s": n / bare_s,
        "ratio": full_s / bare_s,
        "full_kb": sum(map(len, pages)) / n / 1024,
        "bare_kb": sum(map(len, bare_pages)) / n / 1024,
    }


def bench_pdf(repeats: int) -> dict[str, Any]:
    instrument = weegtool.load_instrument()
    cohort = synthetic_cohort(instrument, n_candidates=5, n_raters=3, seed=1)
    scores = weegtool.score(instrument, cohort.ratings, cohort.candidates)
    advice = weegtool.advise(scores, on=ON)[0]
    page = render_html(advice, instrument, scores.ratings, "nl")
    rows = "".join(
        f"<tr><td>{item.id}</td><td>{item.text('nl')}</td><td>2</td><td>1</td></tr>"
        for item in instrument.items
    )
    one = ONE_PAGE.replace("ROWS", rows)
    render_pdf(one)  # warm up fonts and imports once for both
    full_s, pdf = timed(lambda: render_pdf(page), repeats)
    one_s, one_pdf = timed(lambda: render_pdf(one), repeats)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return {
        "full_s": full_s,
        "pages": pages,
        "per_page_s": full_s / pages,
        "one_page_s": one_s,
        "one_page_pages": len(PdfReader(io.BytesIO(one_pdf)).pages),
        "ratio": full_s / one_s,
    }


def bench_export(n: int) -> dict[str, Any]:
    instrument = weegtool.load_instrument()
    cohort = synthetic_cohort(instrument, n_candidates=n, n_raters=3, seed=2)
    scores = weegtool.score(instrument, cohort.ratings, cohort.candidates)
    advices = weegtool.advise(scores, on=ON)
    cores = os.cpu_count() or 1
    out: dict[str, Any] = {"n": n, "cores": cores}
    with tempfile.TemporaryDirectory() as folder:
        for label, workers in (("one", 1), ("all", cores)):
            start = time.perf_counter()
            export_cohort(
                scores, advices, Path(folder) / label, ("pdf",), "nl", KEY, workers=workers
            )
            out[f"{label}_s"] = time.perf_counter() - start
    out["speedup"] = out["one_s"] / out["all_s"]
    out["all_per_report_s"] = out["all_s"] / n
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="candidates for the HTML comparison")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pdf-repeats", type=int, default=5)
    parser.add_argument(
        "--export-n", type=int, default=100, help="candidates in the PDF export (0: skip)"
    )
    parser.add_argument("--out", type=Path, default=HERE / "results" / "report.json")
    args = parser.parse_args(argv)

    html = bench_html(args.n, args.repeats)
    print(f"HTML, {html['n']} candidates (best of {args.repeats}):")
    print(
        f"  weegtool report  {html['full_s']:8.3f} s  {html['full_per_s']:8.0f} /s  {html['full_kb']:.0f} KB each"
    )
    print(
        f"  bare jinja2      {html['bare_s']:8.3f} s  {html['bare_per_s']:8.0f} /s  {html['bare_kb']:.0f} KB each"
    )
    print(f"  ratio weegtool/bare {html['ratio']:.1f}")
    pdf = bench_pdf(args.pdf_repeats)
    print(f"PDF (best of {args.pdf_repeats}):")
    print(
        f"  full report      {pdf['full_s']:8.3f} s  {pdf['pages']} pages, {pdf['per_page_s']:.3f} s per page"
    )
    print(f"  one-page table   {pdf['one_page_s']:8.3f} s  ratio full/one-page {pdf['ratio']:.1f}")
    result: dict[str, Any] = {"html": html, "pdf": pdf}
    if args.export_n:
        export = bench_export(args.export_n)
        result["export"] = export
        print(f"PDF export of {export['n']} candidates:")
        print(f"  1 worker         {export['one_s']:8.1f} s")
        print(
            f"  {export['cores']} workers        {export['all_s']:8.1f} s  speed-up {export['speedup']:.2f}x, "
            f"{export['all_per_report_s']:.2f} s per report"
        )
    result["machine"] = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cores": os.cpu_count(),
        "weegtool": weegtool.__version__,
        "date": _dt.date.today().isoformat(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
