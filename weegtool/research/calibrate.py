"""Write a calibration as a new criteria file: new weights and cut-offs, with their provenance.

Calibration never feeds back through imports: :func:`write_calibrated` takes
an instrument and the numbers a researcher estimated, and writes a **new**
criteria YAML file (status ``calibrated``, a new version number), which goes
through the same validation as any other file before it is written. The
original is untouched; the new file points back to it.

The file keeps the original's fields, their order and every text; comments
are not carried over (they often say "provisional", which a calibrated file
no longer is). Its ``provenance`` says how it came about:

- ``method``: how the numbers were estimated, in the researcher's words;
- ``date``: the date of the calibration (today by default);
- ``previous_sha256`` and ``previous_version``: the version it replaces;
- ``data_sha256`` (and ``data_rows`` or ``data_file``): which data it was
  estimated on, as :func:`data_sha256` computes it;
- ``note``: in Dutch and English; by default a sentence saying all this.

Given ``reliability_data`` (a ratings table with at least two raters per candidate), it also
writes each domain's and the total's ``measurement``: the standard deviation of the scores between
candidates and ICC(2,1) between raters (:func:`~weegtool.research.reliability_report`), computed
with the new weights, with their source. :mod:`weegtool.change` judges reviews against them.

``source`` and ``authors`` are kept from the original.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..errors import CriteriaError, ResearchError
from ..instrument import Instrument, load_instrument, parse_instrument
from ..io import write_atomic

__all__ = ["write_calibrated", "data_sha256"]


def write_calibrated(
    instrument: Instrument,
    path: str | Path,
    *,
    version: str,
    item_weights: Mapping[str, float] | pd.Series | None = None,
    domain_weights: Mapping[str, float] | pd.Series | None = None,
    band_uppers: Sequence[float] | Mapping[str, float] | pd.Series | None = None,
    method: str,
    data: pd.DataFrame | str | Path | None = None,
    date: _dt.date | None = None,
    notes: Mapping[str, str] | None = None,
    overwrite: bool = False,
    reliability_data: pd.DataFrame | str | Path | None = None,
    reliability_candidates: pd.DataFrame | str | Path | None = None,
) -> Instrument:
    """Write ``instrument`` with calibrated numbers to a new criteria file at ``path``.

    Parameters
    ----------
    instrument : Instrument
        The version being calibrated.
    path : str or Path
        The new criteria file. An existing file with the very same content is
        read back, not rewritten (a version is written once; the same
        calibration run again gives that file); one with other content is
        refused unless ``overwrite``.
    version : str
        The new version number, such as ``"0.2.0"``; it must differ from the original's.
    item_weights, domain_weights : mapping or Series of id to weight, optional
        New weights; items and domains not named keep theirs.
    band_uppers : sequence of float, or mapping or Series of band id to float, optional
        The upper bound of every band, in order (the last is 100), as
        :class:`weegtool.engine.Weights` holds them; or of some bands by id.
        Each band then starts where the one before it ends.
    method : str
        How the numbers were estimated.
    data : DataFrame or path, optional
        The data they were estimated on; only its sha256 is recorded.
    date : date, optional
        Date of the calibration; today by default.
    notes : mapping with "nl" and "en", optional
        The provenance note; by default a sentence naming the previous version and method.
    overwrite : bool
        Replace an existing file at ``path``.
    reliability_data : DataFrame or path, optional
        A ratings table (as :func:`weegtool.read_ratings` reads it) with at least 2 raters per
        candidate. Each domain and the total then get a ``measurement``: ``sd``, the standard
        deviation (ddof 1) of the raters-combined scores, in points; ``reliability``, ICC(2,1)
        (two-way random, absolute agreement, single rater: conservative for a score that
        combines several raters); ``source`` with the data's name and sha256, the numbers of
        candidates and raters and the date. A score whose ICC is undefined, below 0 or 1 on these
        data, or whose SD is not above 0, gets none, with a :class:`ReliabilityWarning` saying why.
    reliability_candidates : DataFrame or path, optional
        Candidate fields of ``reliability_data`` in a table of their own.

    Returns
    -------
    Instrument
        The new file, loaded back with :func:`weegtool.load_instrument`.

    Raises
    ------
    FileExistsError
        When ``path`` exists with other content and ``overwrite`` is False.
    ValueError
        For an unknown id, a number that is not finite, the same version, or
        no method. :class:`~weegtool.errors.CriteriaError` (a ValueError) when
        the result is not a valid instrument, with every problem; nothing is written then.
    """
    path = Path(path)
    _check_identity(instrument, version, method, notes)
    content = instrument.spec.model_dump(
        mode="python", by_alias=True, exclude_unset=True, exclude_none=True
    )
    _set_weights(content["items"], item_weights, "item_weights")
    _set_weights(content["domains"], domain_weights, "domain_weights")
    _set_band_uppers(content["advice"]["bands"], band_uppers)
    day = date or _dt.date.today()
    content.update(
        version=version,
        status="calibrated",
        provenance=_provenance(instrument, method, day, data, notes),
    )
    text = _header(instrument, version, day) + _yaml(content)
    _validate(text, path)
    if reliability_data is not None:
        new = parse_instrument(text, source=str(path))
        _set_measurements(content, new, reliability_data, reliability_candidates, day)
        text = _header(instrument, version, day) + _yaml(content)
        _validate(text, path)
    if path.exists() and not overwrite:
        if path.read_bytes() == text.encode("utf-8"):
            return load_instrument(path)  # written once: the same calibration again is that file
        raise FileExistsError(
            f"{path} exists with other content; write_calibrated does not replace a criteria file "
            f"unless overwrite=True (a version that was used must not change)."
        )
    write_atomic(path, text)
    return load_instrument(path)


def data_sha256(data: pd.DataFrame | str | Path) -> str:
    """sha256 of a file's bytes, or of a DataFrame as CSV text.

    The CSV is ``data.to_csv(index=True, lineterminator="\\n")`` in UTF-8, so
    the same frame gives the same hash; to check a hash against a file, hash the file.
    """
    if isinstance(data, pd.DataFrame):
        return hashlib.sha256(
            data.to_csv(index=True, lineterminator="\n").encode("utf-8")
        ).hexdigest()
    return hashlib.sha256(Path(data).read_bytes()).hexdigest()


def _validate(text: str, path: Path) -> None:
    """The same validation as any criteria file; problems without line numbers, as the file is not written."""
    try:
        parse_instrument(text, source=str(path))
    except CriteriaError as exc:
        problems = [re.sub(r"^line \d+: ", "", problem) for problem in exc.problems]
        raise CriteriaError.collect(f"{path} (calibrated, not written)", problems) from None


# --- checks and changes ---------------------------------------------------------------------


def _check_identity(instrument: Instrument, version: Any, method: Any, notes: Any) -> None:
    template = "The {!r} parameter of write_calibrated must be {}. Got {!r} instead."
    if not isinstance(version, str) or version == instrument.version:
        raise ResearchError(
            template.format(
                "version",
                f"a new version number as text, not the instrument's own {instrument.version!r}",
                version,
            )
        )
    if not isinstance(method, str) or not method.strip():
        raise ResearchError(
            template.format("method", "a description of how the numbers were estimated", method)
        )
    if notes is not None and (
        not isinstance(notes, Mapping)
        or set(notes) != {"nl", "en"}
        or not all(isinstance(v, str) and v.strip() for v in notes.values())
    ):
        raise ResearchError(
            template.format("notes", "a note in Dutch and English, {'nl': ..., 'en': ...}", notes)
        )


def _set_weights(
    records: list[dict[str, Any]], weights: Mapping[str, float] | pd.Series | None, name: str
) -> None:
    if weights is None:
        return
    given = _as_dict(weights)
    by_id = {record["id"]: record for record in records}
    unknown = [key for key in given if key not in by_id]
    if unknown:
        raise ResearchError(
            f"{name} names unknown ids: {', '.join(map(str, unknown))}; "
            f"the ids are {', '.join(by_id)}."
        )
    for key, value in given.items():
        by_id[key]["weight"] = _finite(value, f"{name}[{key!r}]")


def _set_band_uppers(
    bands: list[dict[str, Any]], uppers: Sequence[float] | Mapping[str, float] | pd.Series | None
) -> None:
    if uppers is None:
        return
    for n, (band, value) in enumerate(zip(bands, _upper_values(bands, uppers))):
        band["to"] = _finite(value, f"band_uppers[{n}] ({band['id']})")
        if n + 1 < len(bands):
            bands[n + 1]["from"] = band["to"]


def _upper_values(
    bands: list[dict[str, Any]], uppers: Sequence[float] | Mapping[str, float] | pd.Series
) -> list[Any]:
    """Every band's new upper bound: all given in order, or some by band id."""
    if isinstance(uppers, (Mapping, pd.Series)):
        given, ids = _as_dict(uppers), [band["id"] for band in bands]
        unknown = [key for key in given if key not in ids]
        if unknown:
            raise ResearchError(
                f"band_uppers names unknown bands: {', '.join(map(str, unknown))}; "
                f"the bands are {', '.join(ids)}."
            )
        return [given.get(band["id"], band["to"]) for band in bands]
    values = list(uppers)
    if len(values) != len(bands):
        raise ResearchError(
            f"band_uppers must give the upper bound of each of the {len(bands)} bands, "
            f"the last being 100; got {len(values)}."
        )
    return values


def _as_dict(values: Mapping[str, float] | pd.Series) -> dict[Any, Any]:
    return values.to_dict() if isinstance(values, pd.Series) else dict(values)


def _finite(value: Any, where: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or not math.isfinite(value)
    ):
        raise ResearchError(f"{where} must be a finite number; got {value!r}.")
    return float(value)


def _set_measurements(
    content: dict[str, Any], instrument: Instrument, data: Any, candidates: Any, day: _dt.date
) -> None:
    """Each domain's and the total's SD and ICC(2,1) on ``data``, scored with the new numbers."""
    import warnings

    from ..api import score
    from ..errors import ReliabilityWarning
    from ..io import read_ratings
    from .reliability import reliability_report

    report = reliability_report(instrument, data, candidates)
    iccs = report[report["measure"] == "ICC(2,1)"]  # the total and domain rows
    rows: dict[Any, dict[Any, Any]] = iccs.set_index("what").to_dict("index")
    scores = score(instrument, read_ratings(data, instrument, candidates))
    name = "data frame" if isinstance(data, pd.DataFrame) else Path(data).name
    label = f"{name} (sha256 {data_sha256(data)[:12]})"
    raters = len(report.attrs["raters"])
    spreads = {"total": scores.total, **dict(zip(instrument.domain_ids, scores.domain_scores.T))}
    for key, values in spreads.items():
        row = rows[key if key == "total" else f"domain.{key}"]
        sd = float(np.nanstd(values, ddof=1)) if np.isfinite(values).sum() > 1 else math.nan
        problem = _unusable(float(row["value"]), sd)
        if problem:
            warnings.warn(f"{key}: {problem}; no measurement written.", ReliabilityWarning, 3)
            continue
        measurement = {
            "sd": round(sd, 4),
            "reliability": round(float(row["value"]), 4),
            "source": {
                "data": label,
                "coefficient": str(row["measure"]),
                "candidates": int(row["n"]),
                "raters": raters,
                "date": day,
            },
        }
        if key == "total":
            content["total_measurement"] = measurement
        else:
            next(d for d in content["domains"] if d["id"] == key)["measurement"] = measurement


def _unusable(icc: float, sd: float) -> str | None:
    if not math.isfinite(icc):
        return "ICC(2,1) is undefined on these data"
    if not 0 <= round(icc, 4) < 1:
        return f"ICC(2,1) is {icc:.2f} on these data (a reliability must be in [0, 1))"
    if not math.isfinite(sd) or round(sd, 4) <= 0:
        return "the scores do not vary between candidates (SD 0)"
    return None


def _provenance(
    instrument: Instrument, method: str, day: _dt.date, data: Any, notes: Mapping[str, str] | None
) -> dict[str, Any]:
    old = instrument.spec.provenance
    record: dict[str, Any] = {"source": old.source}
    if old.authors:
        record["authors"] = list(old.authors)
    record |= {
        "date": day,
        "method": method.strip(),
        "previous_sha256": instrument.sha256,
        "previous_version": instrument.version,
    }
    if data is not None:
        record["data_sha256"] = data_sha256(data)
        record |= (
            {"data_rows": len(data)}
            if isinstance(data, pd.DataFrame)
            else {"data_file": Path(data).name}
        )
    record["note"] = dict(notes) if notes is not None else _default_note(instrument, method.strip())
    return record


def _default_note(instrument: Instrument, method: str) -> dict[str, str]:
    old = f"{instrument.version} (sha256 {instrument.sha256[:12]})"
    return {
        "nl": f"Gekalibreerd uit versie {old}; methode: {method}.",
        "en": f"Calibrated from version {old}; method: {method}.",
    }


def _header(instrument: Instrument, version: str, day: _dt.date) -> str:
    return (
        f"# {instrument.spec.title.en}: {instrument.id} {version}, calibrated on {day.isoformat()}.\n"
        f"# Written by weegtool.research.calibrate.write_calibrated from version {instrument.version}\n"
        f"# (sha256 {instrument.sha256}); the provenance says how and on which data.\n"
    )


class _Dumper(yaml.SafeDumper):
    """Block style with list items indented under their key, as the shipped criteria files are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True  # the same date in several places is written out each time, not as &id001


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    """Short lists of plain values on one line: ``age_range: [8, 27]``."""
    short = len(data) <= 6 and all(
        isinstance(x, (int, float, str)) and len(str(x)) <= 30 for x in data
    )
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=short)


_Dumper.add_representer(list, _represent_list)


def _yaml(content: dict[str, Any]) -> str:
    """Human-readable YAML: the original's key order, UTF-8 text, a blank line before each section."""
    text = yaml.dump(
        _plain(content), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100
    )
    return "".join(
        ("\n" + line if line[:1].isalpha() and line.rstrip().endswith(":") else line)
        for line in text.splitlines(keepends=True)
    )


def _plain(value: Any) -> Any:
    """YAML-ready: lists for tuples, Python numbers for numpy ones, whole floats as ints (1, not 1.0)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
