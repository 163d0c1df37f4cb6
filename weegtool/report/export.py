"""A cohort export: a report per candidate, an overview, and the scores as CSV and XLSX.

Everything is written into a temporary folder beside the target and moved into
place only when complete, so a failure half-way leaves nothing behind.
Candidate ids are pseudonymised with a keyed hash unless ids are kept on purpose.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..advice import Advice
from ..decision import Decision
from ..engine import Scores
from ..errors import WeegtoolError
from ..io import write_csv, write_xlsx
from ..pseudonym import pseudonyms
from .render import render_cohort_index, render_html, render_pdf

__all__ = ["ExportResult", "export_cohort", "render_pdfs"]

FORMATS = ("html", "pdf")


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    reports: int
    files: tuple[Path, ...]


def export_cohort(
    scores: Scores,
    advices: Sequence[Advice],
    out: str | Path,
    formats: Iterable[str] = ("html",),
    lang: str = "nl",
    key: bytes | None = None,
    keep_ids: bool = False,
    decisions: Mapping[str, Decision] | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    csv_style: str = "excel-nl",
) -> ExportResult:
    """Write the cohort's reports, ``index.html``, ``scores.csv`` and ``scores.xlsx`` into the new folder ``out``
    (``csv_style``: see :func:`weegtool.io.write_csv`; Dutch Excel by default)."""
    formats = tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise WeegtoolError(
            f"The 'formats' parameter must be a non-empty selection of {FORMATS}. Got {formats!r} instead."
        )
    target = Path(out)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise WeegtoolError(
            f"{target}: exists and is not an empty folder; export into a new folder so that "
            "nothing already there is overwritten."
        )
    shown = pseudonyms((a.candidate_id for a in advices), key, keep_ids)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".weegtool-export-", dir=target.parent))
    try:
        files = _write_all(
            scores,
            advices,
            staging,
            formats,
            lang,
            shown,
            decisions or {},
            workers,
            progress,
            csv_style,
        )
        if target.exists():
            target.rmdir()
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportResult(target, len(advices), tuple(target / f.relative_to(staging) for f in files))


def _write_all(
    scores: Scores,
    advices: Sequence[Advice],
    folder: Path,
    formats: tuple[str, ...],
    lang: str,
    shown: Mapping[str, str],
    decisions: Mapping[str, Decision],
    workers: int | None,
    progress: Callable[[int, int], None] | None,
    csv_style: str = "excel-nl",
) -> list[Path]:
    reports = folder / "reports"
    reports.mkdir()
    pages = [
        render_html(
            a,
            scores.instrument,
            scores.ratings,
            lang,
            decisions.get(a.candidate_id),
            shown[a.candidate_id],
        )
        for a in advices
    ]
    files: list[Path] = []
    if "html" in formats:
        for advice, page in zip(advices, pages):
            files.append(
                _write(reports / f"{shown[advice.candidate_id]}.html", page.encode("utf-8"))
            )
    if "pdf" in formats:
        for advice, pdf in zip(advices, render_pdfs(pages, workers, progress)):
            files.append(_write(reports / f"{shown[advice.candidate_id]}.pdf", pdf))
    extension = "html" if "html" in formats else "pdf"
    links = {a.candidate_id: f"reports/{shown[a.candidate_id]}.{extension}" for a in advices}
    index = render_cohort_index(advices, scores.instrument, lang, shown, links)
    files.append(_write(folder / "index.html", index.encode("utf-8")))
    files.append(write_csv(advices, scores, folder / "scores.csv", dict(shown), style=csv_style))
    files.append(write_xlsx(advices, scores, folder / "scores.xlsx", dict(shown)))
    return files


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def render_pdfs(
    pages: Sequence[str],
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[bytes]:
    """PDFs of rendered pages, in parallel on ``workers`` processes (all cores by default), in order."""
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(pages) < 2:
        out = []
        for n, page in enumerate(pages, start=1):
            out.append(render_pdf(page))
            if progress:
                progress(n, len(pages))
        return out
    with ProcessPoolExecutor(max_workers=min(workers, len(pages))) as pool:
        out = []
        for n, pdf in enumerate(pool.map(render_pdf, pages, chunksize=1), start=1):
            out.append(pdf)
            if progress:
                progress(n, len(pages))
        return out
