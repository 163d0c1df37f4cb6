"""Reviews of placed residents on the web: opening one, the timeline on the candidate page, reviews due.

The review is rated on the ordinary rating page and decided on the ordinary
meeting page (which call :func:`weegtool.store.reviews.decide_review` when a
review is open); this blueprint adds the button that opens it and the
template globals the candidate page, the start page and the coordinator's
overview include (``_timeline.html``, ``_reviews_due.html``).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from flask import Blueprint, flash, redirect, url_for
from markupsafe import Markup

from ..errors import InputError, NotAllowedError
from ..formatting import day, number
from ..i18n import text
from ..instrument import Instrument
from ..report.timeline_chart import Series, timeline_svg
from ..store import load_instrument
from ..store.models import Candidate
from ..store.placements import _open_placement
from ..store.reviews import (
    OPENERS,
    TimelineRow,
    current_review,
    reviews_due,
    start_review,
    timeline,
)
from ..store.reviews import ends_placement as _ends
from . import db
from .auth import roles_required, signed_in
from .candidates import candidate_or_404
from .language import language, say

__all__ = ["bp", "chart"]

bp = Blueprint("reviews", __name__)


@bp.post("/candidates/<pseudonym>/review")
@roles_required(*OPENERS)
def open_review(pseudonym: str) -> Any:
    """Open a review of a placed resident today; refusals come back on the candidate page (400)."""
    from .candidates import show

    candidate = candidate_or_404(pseudonym)
    try:
        start_review(db.session(), candidate, by=signed_in())
    except (InputError, NotAllowedError) as error:
        db.session().rollback()
        problems = getattr(error, "problems", None) or [str(error)]
        for problem in problems:
            flash(say("web.timeline.not_started", problem=problem), "error")
        return show(pseudonym), 400
    db.commit()
    flash(
        say("web.timeline.started", pseudonym=pseudonym),
        "success",
    )
    return redirect(url_for("candidates.show", pseudonym=pseudonym))


def chart(rows: list[TimelineRow], instrument: Instrument, lang: str = "nl") -> Markup | None:
    """The domain scores and the total over time as inline SVG; None for fewer than one row."""
    if not rows:
        return None
    series = [
        Series(
            domain.title(lang),
            domain.kind,
            [(r.decided_on, r.domains.get(domain.id)) for r in rows],
            _sdc(instrument, domain.id),
        )
        for domain in instrument.domains
    ]
    series.append(
        Series(
            text("web.counts.total", lang),
            "total",
            [(r.decided_on, r.total) for r in rows],
            _sdc(instrument, None),
        )
    )
    title = text("web.timeline.chart", lang)
    description = "; ".join(
        f"{s.label}: " + ", ".join(f"{day(d, lang)} {number(v, lang, 1)}" for d, v in s.points)
        for s in series
    )
    # The SVG is built from escaped text only (see report.timeline_chart).
    return Markup(timeline_svg(series, title, description, lang))


def _sdc(instrument: Instrument, domain_id: str | None) -> float | None:
    from ..change import smallest_detectable_change, standard_error_of_measurement

    measurement = instrument.measurement(domain_id)
    if measurement is None:
        return None
    return smallest_detectable_change(
        standard_error_of_measurement(measurement.sd, measurement.reliability)
    )


@bp.app_template_global("review_timeline")
def review_timeline(candidate: Candidate) -> dict[str, Any]:
    """What ``_timeline.html`` shows for ``candidate``: the rows, the chart, the open review, the button."""
    session = db.session()
    instrument = load_instrument(candidate.instrument)
    rows = timeline(session, candidate)
    user = signed_in()
    review = current_review(session, candidate)
    placed = _open_placement(session, candidate) is not None
    has_band = instrument.measurement(None) is not None or any(
        d.measurement is not None for d in instrument.domains
    )
    return {
        "rows": rows,
        "chart": chart(rows, instrument, language()) if len(rows) >= 1 else None,
        "review": review,
        "has_band": has_band,
        "may_open": user.role in OPENERS and placed and review is None and bool(rows),
        "purpose": lambda p: text(f"report.purpose.{p}", language()),
    }


@bp.app_template_global("review_ends_placement")
def review_ends_placement(candidate: Candidate, category: str) -> bool:
    return _ends(db.session(), category, candidate)


@bp.app_template_global("open_review_of")
def open_review_of(candidate: Candidate) -> Any:
    return current_review(db.session(), candidate)


@bp.app_template_global("reviews_due_now")
def reviews_due_now() -> list[Any]:
    """The residents whose review is due (passed or within four weeks) or open, for the overview pages."""
    return reviews_due(db.session(), on=_dt.date.today())


@bp.app_template_global("end_reasons_all")
def end_reasons_all() -> tuple[Any, ...]:
    from ..outcomes import END_REASONS

    return END_REASONS
