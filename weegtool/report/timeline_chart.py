"""Scores over time as inline SVG: one small panel per domain and the total, with the smallest
detectable change drawn as a band (the same hand-written, accessible SVG as :mod:`.chart`)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from .. import formatting
from ..i18n import text
from .chart import FILL, FONT

__all__ = ["Series", "timeline_svg"]

WIDTH, LABEL, PANEL, GAP, TOP, RIGHT = 640, 170, 54, 14, 22, 36
BAND = "#d9e4f0"


@dataclass(frozen=True)
class Series:
    """One score over time: ``points`` (date, 0-100 points or None when not assessable), first first.

    ``sdc`` is the smallest detectable change (95%) in points, None without a reliability in the
    criteria file; the band is drawn at ± ``sdc`` around the score before the last one.
    """

    label: str
    kind: str  # risk | protective | total
    points: Sequence[tuple[_dt.date, float | None]]
    sdc: float | None


def timeline_svg(series: Sequence[Series], title: str, description: str, lang: str = "nl") -> str:
    """An SVG (role img, title and desc) of every series, 0-100 each, one column per assessment in order.

    Raises
    ------
    ValueError
        When ``series`` is empty, a series has no points, or the series differ in their dates.
    """
    if not series or any(not s.points for s in series):
        raise ValueError("timeline_svg needs at least one series, each with at least one point.")
    days = [day for day, _ in series[0].points]
    if any([day for day, _ in s.points] != days for s in series):
        raise ValueError("timeline_svg needs every series on the same dates.")
    inner = WIDTH - LABEL - RIGHT
    step = inner / len(days)

    def x_at(n: int) -> float:
        # one column per assessment, in order: two on one day stay apart (a review decided the day it opened)
        return LABEL + step * (n + 0.5)

    height = TOP + len(series) * (PANEL + GAP) + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="timeline-title timeline-desc" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" class="timeline">',
        f'<title id="timeline-title">{escape(title)}</title>',
        f'<desc id="timeline-desc">{escape(description)}</desc>',
    ]
    for n, s in enumerate(series):
        top = TOP + n * (PANEL + GAP)

        def y_of(value: float, top: int = top) -> float:
            return top + PANEL * (1 - value / 100.0)

        parts.append(
            f'<rect x="{LABEL}" y="{top}" width="{inner}" height="{PANEL}" fill="#f6f7f8" '
            f'stroke="#c8ccd0" stroke-width="0.5"/>'
        )
        parts.append(
            f'<text x="{LABEL - 8}" y="{top + PANEL / 2 + 4:.1f}" font-size="10" text-anchor="end" {FONT}>'
            f"{escape(s.label)}</text>"
        )
        for tick in (0, 50, 100):
            parts.append(
                f'<text x="{LABEL + inner + 4}" y="{y_of(tick) + 3:.1f}" font-size="7" fill="#555555" {FONT}>'
                f"{tick}</text>"
            )
        known = [(n, day, value) for n, (day, value) in enumerate(s.points) if value is not None]
        if s.sdc is not None and len(known) >= 2:
            base = known[-2][2]
            low, high = max(base - s.sdc, 0.0), min(base + s.sdc, 100.0)
            start = x_at(known[-2][0])
            parts.append(
                f'<rect class="sdc-band" x="{start:.1f}" y="{y_of(high):.1f}" '
                f'width="{max(LABEL + inner - start, 2):.1f}" height="{y_of(low) - y_of(high):.1f}" '
                f'fill="{BAND}"><title>{escape(text("chart.sdc_band", lang, sdc=formatting.number(s.sdc, lang, 1)))}</title></rect>'
            )
        colour = quoteattr(FILL.get(s.kind, "#555555"))
        if len(known) >= 2:
            path = " ".join(f"{x_at(n):.1f},{y_of(value):.1f}" for n, _day, value in known)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke={colour} stroke-width="1.5"/>'
            )
        for n, day, value in known:
            parts.append(
                f'<circle cx="{x_at(n):.1f}" cy="{y_of(value):.1f}" r="3" fill={colour}>'
                f"<title>{escape(f'{formatting.day(day, lang)}: {formatting.number(value, lang, 1)}')}</title></circle>"
            )
            parts.append(
                f'<text x="{x_at(n) + 5:.1f}" y="{y_of(value) - 3:.1f}" font-size="8" {FONT}>{formatting.number(value, lang, 0)}</text>'
            )
    axis = TOP + len(series) * (PANEL + GAP) + 4
    for n, day in enumerate(days):
        parts.append(
            f'<text x="{x_at(n):.1f}" y="{axis + 6}" font-size="8" text-anchor="middle" {FONT}>'
            f"{escape(formatting.day(day, lang))}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)
