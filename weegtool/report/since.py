"""The report's section "change since the previous assessment": plain values for ``_since.html.j2``."""

from __future__ import annotations

from typing import Any

from .. import change_text
from ..change import Comparison
from ..i18n import text
from ..instrument import Instrument

__all__ = ["since_context"]


def since_context(
    comparison: Comparison | None, candidate_id: str, instrument: Instrument, lang: str
) -> dict[str, Any] | None:
    """None without a comparison (no section); else the section's numbers and sentences.

    A candidate without a previous assessment gets the section with one sentence saying so.
    """
    if comparison is None:
        return None
    change = comparison.get(candidate_id)
    if change is None:
        return {"missing": text("since.no_previous", lang)}
    return {
        "missing": None,
        "intro": change_text.describe_comparison(change, instrument, lang),
        "rows": change_text.score_rows(change, instrument, lang),
        "items": [change_text.describe_item_move(m, instrument, lang) for m in change.items],
        "no_items": change.same_version and not change.items,
        "meaning": change_text.meaning(lang),
        "sources": change_text.sources(change, instrument, lang),
    }
