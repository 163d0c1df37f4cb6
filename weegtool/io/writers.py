"""Advice and scores as JSON, CSV and XLSX files, written atomically (all or nothing)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..advice import Advice
from ..change import Comparison
from ..engine import Scores
from ..i18n import describe_change, describe_reason
from ..instrument import Instrument

__all__ = [
    "CSV_STYLES",
    "advice_records",
    "score_table",
    "write_json",
    "write_csv",
    "write_xlsx",
    "write_atomic",
]


def advice_records(
    advices: Sequence[Advice],
    instrument: Instrument,
    lang: str = "nl",
    comparison: Comparison | None = None,
) -> list[dict[str, Any]]:
    """One JSON-ready object per candidate, with each reason also in words.

    With a ``comparison`` (:func:`weegtool.change.compare`) each object also has ``change``: the
    change since the previous assessment, or null when the candidate had none.
    """
    records = [_record(advice, instrument, lang) for advice in advices]
    if comparison is not None:
        for record in records:
            change = comparison.get(record["candidate_id"])
            record["change"] = change.to_dict() if change is not None else None
    return records


def _record(advice: Advice, instrument: Instrument, lang: str) -> dict[str, Any]:
    data = advice.to_dict()
    for reason, raw in zip(data["reasons"], advice.reasons):
        reason["text"] = describe_reason(raw, instrument, lang)
    for change, counterfactual in zip(data["changes"], advice.changes):
        change["text"] = describe_change(counterfactual, instrument, lang)
    return {
        "candidate_id": data["candidate_id"],
        "advice": data["category"],
        "advice_title": instrument.category(advice.category).title(lang),
        "suitability": data["suitability"],
        "total": data["total"],
        "band": data["band"],
        "margin": data["margin"],
        "nearest_band": data["nearest_band"],
        "prorated": data["prorated"],
        "domains": data["domains"],
        "reasons": data["reasons"],
        "flags": data["flags"],
        "composition": {
            "house": data["house"],
            "group_fit": data["group_fit"],
            "conflicts": data["conflicts"],
            "free_places": data["houses_checked"],
        },
        "disagreements": data["disputed"],
        "critical": data["critical"],
        "changes": data["changes"],
        "contributions": data["contributions"],
        "ratings": data["ratings"],
        "preconditions": data["preconditions"],
        "direction": data["direction"],
        "assessed_on": data["assessed_on"],
        "review_date": data["review_date"],
        "instrument": data["instrument"],
    }


def write_atomic(path: str | Path, content: str | bytes) -> Path:
    """Write ``content`` to ``path`` through a temporary file, so a failure leaves no partial file."""
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".part"
        )
    except OSError as exc:
        raise OSError(exc.errno, f"could not write it ({exc.strerror or exc})", str(path)) from exc
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OSError(exc.errno, f"could not write it ({exc.strerror or exc})", str(path)) from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_json(
    advices: Sequence[Advice],
    instrument: Instrument,
    path: str | Path,
    lang: str = "nl",
    comparison: Comparison | None = None,
) -> Path:
    records = advice_records(advices, instrument, lang, comparison)
    return write_atomic(path, json.dumps(records, ensure_ascii=False, indent=2) + "\n")


def score_table(
    advices: Sequence[Advice],
    scores: Scores,
    shown: dict[str, str] | None = None,
    comparison: Comparison | None = None,
) -> Any:
    """One row per candidate: the advice, the numbers and the instrument identity; no free text.

    ``shown`` maps candidate ids to what the table shows (pseudonyms in an export). With a
    ``comparison`` the change since the previous assessment follows in ``change.*`` columns
    (empty for a candidate without one).
    """
    import pandas as pd

    frame = scores.to_frame(contributions=True)
    advice = pd.DataFrame(
        [
            {
                "candidate_id": a.candidate_id,
                "advice": a.category,
                "suitability": a.suitability,
                "group_fit": a.group_fit,
                "house": a.house,
                "margin": a.margin,
                "direction": a.direction,
                "flags": ";".join(f.id for f in a.flags),
                "disputed": ";".join(d.item for d in a.disputed),
                "review_date": a.review_date.isoformat(),
            }
            for a in advices
        ]
    ).set_index("candidate_id")
    out = advice.join(frame, how="left")
    if comparison is not None:
        out = out.join(_change_columns(comparison, out.index))
    instrument = scores.instrument
    out["instrument_id"], out["instrument_version"], out["instrument_sha256"] = (
        instrument.id,
        instrument.version,
        instrument.sha256,
    )
    if shown is not None:
        out.index = pd.Index([shown[c] for c in out.index], name="candidate_id")
    return out


CSV_STYLES = {
    # Dutch Excel opens a double-clicked file with its list separator (;) and decimal comma, and
    # reads it as UTF-8 only with a byte order mark
    "excel-nl": {"sep": ";", "decimal": ",", "bom": True},
    # the international form: what pandas, R and most other tools read by default
    "international": {"sep": ",", "decimal": ".", "bom": False},
}


def _change_columns(comparison: Comparison, index: Any) -> Any:
    import pandas as pd

    rows = {}
    for candidate_id in index:
        change = comparison.get(candidate_id)
        if change is None:
            continue
        row: dict[str, Any] = {
            "change.previous_assessed_on": change.to_dict()["previous"]["assessed_on"],
            "change.previous_advice": change.previous.advice,
            "change.category_changed": change.category_changed,
        }
        for name, score in [("total", change.total), *change.domains.items()]:
            row |= {
                f"change.{name}.delta": score.delta,
                f"change.{name}.rci": score.rci,
                f"change.{name}.reliable": score.reliable,
            }
        rows[candidate_id] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def write_csv(
    advices: Sequence[Advice],
    scores: Scores,
    path: str | Path,
    shown: dict[str, str] | None = None,
    comparison: Comparison | None = None,
    style: str = "excel-nl",
) -> Path:
    """The score table as CSV (with the change since the previous assessment when
    ``comparison`` is given): ``style`` "excel-nl" (``;``, decimal comma, UTF-8 with BOM: a
    double-click opens it in columns in Dutch Excel) or "international" (``,``, decimal point, no
    BOM). Numbers with four decimals.

    Raises
    ------
    ValueError
        For another ``style``.
    """
    if style not in CSV_STYLES:
        raise ValueError(
            f"The 'style' parameter must be one of {tuple(CSV_STYLES)}. Got {style!r} instead."
        )
    form = CSV_STYLES[style]
    table = score_table(advices, scores, shown, comparison).to_csv(
        float_format="%.4f", sep=str(form["sep"]), decimal=str(form["decimal"])
    )
    return write_atomic(path, ("\ufeff" if form["bom"] else "") + table)


def write_xlsx(
    advices: Sequence[Advice], scores: Scores, path: str | Path, shown: dict[str, str] | None = None
) -> Path:
    import io

    buffer = io.BytesIO()
    score_table(advices, scores, shown).to_excel(buffer, sheet_name="scores", float_format="%.4f")
    return write_atomic(path, buffer.getvalue())
