"""The coordinator's overview per municipality and period: on screen, as XLSX and as a PDF report.

Counts below the suppression threshold (app setting ``DISCLOSURE_THRESHOLD``,
5 by default, the one every aggregate of the app uses) are hidden with the cells that would give them away, by the
project's one rule (:func:`weegtool.disclosure.suppress_counts`, through
:func:`weegtool.coordinator.coordinator_overview`). The municipalities are the
app setting ``MUNICIPALITIES`` (the 14 Twente municipalities by default).
"""

from __future__ import annotations

import datetime as _dt
import io
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request
from werkzeug.wrappers import Response

from ..coordinator import (
    UNKNOWN_MUNICIPALITY,
    CoordinatorOverview,
    Line,
    Period,
    coordinator_overview,
    parse_period,
)
from ..disclosure import DEFAULT_THRESHOLD
from ..formatting import number
from ..report import render_pdf
from ..store import coordinator_history, house_fits, instrument_in_force, load_instrument
from ..store.models import Placement
from . import db
from .auth import roles_required
from .language import language, say
from .views import download

__all__ = ["bp", "municipalities", "HIDDEN"]

bp = Blueprint("coordinator", __name__, url_prefix="/overview")
HIDDEN = "*"  # a hidden cell, on screen, in the XLSX and in the PDF alike


def municipalities() -> tuple[str, ...]:
    """The app's list of municipalities (setting ``MUNICIPALITIES``)."""
    return tuple(current_app.config["MUNICIPALITIES"])


def threshold() -> int:
    value = current_app.config.get("DISCLOSURE_THRESHOLD", DEFAULT_THRESHOLD)
    return int(value)


def _period() -> Period:
    text = request.args.get("period", "").strip()
    if not text:  # this year so far: the period with the most that may be shown
        text = str(_dt.date.today().year)
    try:
        return parse_period(text, language())
    except ValueError as error:
        said = str(error).removeprefix("'period': ")
        abort(400, description=said[:1].upper() + said[1:])


def _choices(today: _dt.date) -> list[Period]:
    """Recent periods to choose from: this year and last, their quarters and months, newest first."""
    keys = []
    for year in (today.year, today.year - 1):
        keys.append(str(year))
        keys += [
            f"{year}-K{q}"
            for q in range(4, 0, -1)
            if (year, 3 * q - 2) <= (today.year, today.month)
        ]
        keys += [
            f"{year}-{m:02d}" for m in range(12, 0, -1) if (year, m) <= (today.year, today.month)
        ]
    return [parse_period(k) for k in keys]


def _overview(period: Period) -> CoordinatorOverview:
    """The overview in the request's language (labels, advice titles)."""
    session = db.session()
    row = instrument_in_force(session)
    lang = language()
    titles = (
        [(c.id, c.title(lang)) for c in load_instrument(row).spec.advice.categories] if row else []
    )
    return coordinator_overview(
        coordinator_history(session), period, municipalities(), titles, threshold(), lang=lang
    )


def cell(line: Line, value: float | None, hidden: bool, lang: str = "nl") -> str:
    """A value as shown: HIDDEN where suppressed, '–' for a median of nothing, days with one
    decimal in ``lang`` (nl ``12,5``, en ``12.5``)."""
    if hidden:
        return HIDDEN
    if value is None:
        return "–"
    if line.kind == "median":
        return number(value, lang, 1)
    return str(int(value))


@bp.app_template_global("overview_cell")
def _overview_cell(line: Line, value: float | None, hidden: bool) -> str:
    return cell(line, value, hidden, language())


@bp.app_template_global("municipality_title")
def municipality_title(name: str) -> str:
    """A column's heading: the municipality's name, the unknown column in the reader's words."""
    return say("web.counts.unknown") if name == UNKNOWN_MUNICIPALITY else name


@bp.get("/")
@roles_required("coordinator", "chair")
def overview() -> Any:
    period = _period()
    fits = {
        pseudonym: [f.house for f in houses if f.fits]
        for pseudonym, houses in house_fits(db.session()).items()
    }
    return render_template(
        "coordinator.html",
        overview=_overview(period),
        fits=fits,
        choices=_choices(_dt.date.today()),
        hidden=HIDDEN,
    )


@bp.get("/overview.xlsx")
@roles_required("coordinator")
def overview_xlsx() -> Response:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    period = _period()
    result = _overview(period)
    db.record_reading("export.overview", Placement)
    book = Workbook()
    sheet = book.active
    sheet.title = say("web.coordinator.sheet")
    sheet.append([say("web.coordinator.sheet_title", period=period.titled(language()))])
    sheet["A1"].font = Font(bold=True)
    sheet.append([_legend(result)])
    sheet.append([])
    sheet.append(
        [
            say("web.coordinator.part"),
            say("web.coordinator.line"),
            *map(municipality_title, result.municipalities),
            say("web.counts.total"),
        ]
    )
    for line in result.lines:
        sheet.append(
            [
                line.block,
                line.label,
                *(_sheet_value(line, v, h) for v, h in zip(line.cells, line.hidden)),
                _sheet_value(line, line.total, line.total_hidden),
            ]
        )
    for row in sheet.iter_rows():
        for item in row:
            if item.data_type == "f":  # a name or title beginning with '=' is text, never a formula
                item.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return download(
        out.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"overzicht-{period.key}.xlsx",
    )


def _sheet_value(line: Line, value: float | None, hidden: bool) -> Any:
    """A number stays a number in the sheet; hidden and empty cells are text."""
    if hidden or value is None:
        return cell(line, value, hidden, language())
    return float(value) if line.kind == "median" else int(value)


def _legend(result: CoordinatorOverview) -> str:
    """What a hidden cell means and the day of the overview, in the request's language."""
    return say(
        "web.coordinator.legend",
        hidden=HIDDEN,
        below=result.threshold - 1,
        threshold=result.threshold,
        on=result.on,
    )


@bp.get("/overview.pdf")
@roles_required("coordinator")
def overview_pdf() -> Response:
    period = _period()
    result = _overview(period)
    db.record_reading("export.overview", Placement)
    html = render_template("coordinator_report.html", overview=result, legend=_legend(result))
    return download(render_pdf(html), "application/pdf", f"overzicht-{period.key}.pdf")
