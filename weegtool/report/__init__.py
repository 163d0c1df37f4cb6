"""Admission advice reports (HTML and PDF, nl and en), the family's version, and cohort exports.

One jinja2 template source serves HTML and PDF (WeasyPrint). Free text is data,
never markup: autoescape everywhere and strict undefined variables.
"""

from __future__ import annotations

from .context import report_context
from .family import render_family_html
from .render import render_cohort_index, render_html, render_pdf

__all__ = [
    "report_context",
    "render_html",
    "render_pdf",
    "render_cohort_index",
    "render_family_html",
]
