"""The domain profile as inline SVG: one bar per domain and the total, band boundaries drawn in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from ..formatting import number

__all__ = ["Bar", "profile_svg"]

WIDTH, LABEL, ROW, TOP = 640, 190, 26, 30
FILL = {"risk": "#b5523b", "protective": "#3b7d4f", "total": "#223344"}
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # 0-100, None when not assessable
    kind: str  # risk | protective | total
    ceiling: float | None = None


def profile_svg(
    bars: Sequence[Bar],
    boundaries: Sequence[tuple[float, str]],
    title: str,
    description: str,
    not_assessable: str,
    lang: str = "nl",
) -> str:
    """An accessible SVG (role img, title and desc) of the bars on a 0-100 axis, its numbers
    written for ``lang``."""
    scale = (WIDTH - LABEL - 20) / 100.0
    height = TOP + ROW * len(bars) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title chart-desc" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" class="profile">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(description)}</desc>',
    ]
    for at, _name in boundaries:
        x = LABEL + at * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{height - 20}" stroke="#555555" '
            f'stroke-dasharray="3 2"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{TOP - 10}" font-size="8" text-anchor="middle" fill="#333333" {FONT}>'
            f"{escape(number(at, lang))}</text>"
        )
    for n, bar in enumerate(bars):
        y = TOP + n * ROW
        parts.append(
            f'<text x="{LABEL - 8}" y="{y + 15}" font-size="10" text-anchor="end" {FONT}>'
            f"{escape(bar.label)}</text>"
        )
        parts.append(
            f'<rect x="{LABEL}" y="{y + 3}" width="{100 * scale:.1f}" height="16" fill="#eef0f2"/>'
        )
        if bar.value is None:
            parts.append(
                f'<text x="{LABEL + 6}" y="{y + 15}" font-size="10" {FONT}>{escape(not_assessable)}</text>'
            )
            continue
        parts.append(
            f'<rect x="{LABEL}" y="{y + 3}" width="{bar.value * scale:.1f}" height="16" '
            f"fill={quoteattr(FILL.get(bar.kind, '#555555'))}/>"
        )
        parts.append(
            f'<text x="{LABEL + bar.value * scale + 4:.1f}" y="{y + 15}" font-size="10" {FONT}>'
            f"{escape(number(bar.value, lang, 1))}</text>"
        )
        if bar.ceiling is not None:
            x = LABEL + bar.ceiling * scale
            parts.append(
                f'<line x1="{x:.1f}" y1="{y + 1}" x2="{x:.1f}" y2="{y + 21}" stroke="#842029" '
                f'stroke-width="2"/>'
            )
    for tick in range(0, 101, 20):
        parts.append(
            f'<text x="{LABEL + tick * scale:.1f}" y="{height - 8}" font-size="8" text-anchor="middle" '
            f"{FONT}>{tick}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)
