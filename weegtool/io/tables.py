"""Rating tables (CSV, XLSX or a DataFrame) -> :class:`~weegtool.ratings.Ratings`, every value checked.

The table's columns, the candidate fields and the row numbering (as a
spreadsheet shows them: the header is row 1) are described in
:mod:`weegtool.ratings`.

Every problem in a table is collected (up to
:data:`~weegtool.ratings.MAX_PROBLEMS`) before one
:class:`~weegtool.errors.RatingsError` is raised.
"""

from __future__ import annotations

import csv
import datetime as _dt
import difflib
import io  # the standard library's, not weegtool.io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..candidate import MISSING_MARKERS, critical_reason, field_parser
from ..errors import RatingsError
from ..instrument import Instrument
from ..ratings import (
    CANDIDATE_FIELDS,
    MAX_PROBLEMS,
    Evidence,
    Ratings,
    _aggregate,
)

__all__ = ["read_table", "read_ratings"]

ID_COLUMNS = ("candidate_id", "rater_id")


# --- reading tables -----------------------------------------------------------


SHEETS = {
    "ratings": ("beoordelingen", "ratings"),
    "candidates": ("kandidaten", "candidates"),
    "houses": ("huizen", "houses"),
}
"""The sheet a workbook is read from when ``--sheet`` is not given: the one with one of these
names (any case), else the only sheet whose first row holds the table's key column."""

KEY_COLUMNS = {"ratings": "candidate_id", "candidates": "candidate_id", "houses": "house"}
HEADER_SEARCH_ROWS = 20  # rows looked through for a header that is not on row 1


def read_table(
    source: str | Path | pd.DataFrame, what: str = "ratings", sheet: str | None = None
) -> tuple[pd.DataFrame, str]:
    """A table as text cells, with its name for messages (file, and sheet or encoding when they
    matter).

    Reads a DataFrame as it is; a CSV separated by ``,``, ``;`` or tabs, in UTF-8 (with or
    without BOM), UTF-16 (with its BOM) or else Windows-1252 (the name then says which); an XLSX workbook from ``sheet``, else the sheet named as in
    :data:`SHEETS`, else the only sheet whose first row holds the key column. Wholly empty
    columns and trailing rows (as Excel leaves them) are dropped.

    Raises
    ------
    RatingsError
        In one sentence a user can act on: no such file, an Excel lock file, a legacy ``.xls``
        or password-protected workbook, a corrupt one, a workbook named ``.csv`` or text named
        ``.xlsx``, formula cells without a stored value (naming them), no sheet or several that
        fit, a header that is not on row 1 (naming its row).
    """
    if isinstance(source, pd.DataFrame):
        return source.reset_index(drop=True), f"{what} table"
    path = Path(source)
    if path.name.startswith("~$"):
        raise RatingsError(f"{path}: is the lock file Excel keeps while the workbook is open, not "
                           f"the workbook; read {path.name[2:]} instead.")  # fmt: skip
    if not path.exists():
        raise RatingsError(f"{path}: no such {what} file.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RatingsError(f"{path}: cannot be read ({exc.strerror}).") from None
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RatingsError(f"{path}: is an old Excel workbook (.xls) or a password-protected one; "
                           "save it in Excel as .xlsx without a password, or as CSV.")  # fmt: skip
    workbook = data.startswith(b"PK\x03\x04")
    if path.suffix.lower() in {".xlsx", ".xlsm"} and not workbook:
        raise RatingsError(f"{path}: is named as an Excel workbook but is not one (a CSV renamed?); "
                           "give it the name it has, .csv, or save it in Excel as .xlsx.")  # fmt: skip
    if workbook:
        frame, source_name = _read_workbook(path, data, what, sheet)
    else:
        frame, source_name = _read_csv(path, data, what)
    return _tidy(frame, source_name, what), source_name


def _read_csv(path: Path, data: bytes, what: str) -> tuple[pd.DataFrame, str]:
    text, encoding = _decode(path, data)
    name = str(path) if encoding is None else f"{path} (read as {encoding})"
    first = text.splitlines()[0] if text else ""
    try:
        separator = csv.Sniffer().sniff(first, delimiters=",;\t").delimiter
        header = [c.strip() for c in next(csv.reader([first], delimiter=separator), [])]
    except csv.Error:
        separator, header = ",", []
    twice = sorted({c for c in header if c and header.count(c) > 1})
    if twice:
        raise RatingsError(f"{name}: column {twice[0]!r} appears more than once in the header (row "
                           "1); give each column once.")  # fmt: skip
    try:
        # blank lines are kept as rows, so that row numbers stay those a spreadsheet shows
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=separator,
                            skipinitialspace=True, skip_blank_lines=False)  # fmt: skip
    except (ValueError, pd.errors.ParserError) as exc:
        raise RatingsError(
            f"{name}: cannot be read as a {what} table ({_first_line(exc)})."
        ) from None
    return frame, name


UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _decode(path: Path, data: bytes) -> tuple[str, str | None]:
    """The text, and its encoding when it was not UTF-8 (None for UTF-8, with or without BOM).

    A fixed order, as Excel writes CSV and text: UTF-8, UTF-16 (with its byte-order mark, or
    recognised by its zero bytes: "Unicode text"), else Windows-1252 (the "CSV" of Dutch
    Windows). A file that is UTF-8 but for a few bytes is refused at its line, not read as
    Windows-1252 (which would garble every UTF-8 character in it). charset-normalizer was
    tried and refused a plain Windows-1252 file with "één" in it (see the README's Choices).
    """
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        bad = exc.start
    utf16 = _utf16(data)
    if utf16 is not None:
        return utf16, "UTF-16"
    if data.startswith(b"\xef\xbb\xbf") or UTF8_MULTIBYTE.search(data):
        line = data[:bad].count(b"\n") + 1
        raise RatingsError(f"{path}: is UTF-8 but for byte {bad + 1} on line {line} "
                           f"({data[bad:bad + 1]!r}), which is not; correct or retype that "
                           "character and save the file as 'CSV UTF-8'.")  # fmt: skip
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise RatingsError(f"{path}: is not text in UTF-8, Windows-1252 or UTF-16; save it from "
                           "Excel as 'CSV UTF-8'.") from None  # fmt: skip


def _utf16(data: bytes) -> str | None:
    """The text of UTF-16 data (with a byte-order mark, or ASCII-heavy without one), else None."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    elif len(data) >= 4 and len(data) % 2 == 0:
        odd, even = data[1::2].count(0), data[0::2].count(0)
        half = len(data) // 2
        encoding = "utf-16-le" if odd > 0.4 * half else ("utf-16-be" if even > 0.4 * half else "")
    else:
        encoding = ""
    if not encoding:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


MAX_CELLS = 5_000_000  # a sheet's rows x columns read at most: far above a committee's tables


def _read_workbook(
    path: Path, data: bytes, what: str, sheet: str | None
) -> tuple[pd.DataFrame, str]:
    from openpyxl import load_workbook

    computed = _computed_by_office(data)  # then formulas need no second reading
    try:
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = None if computed else load_workbook(io.BytesIO(data), read_only=True)
    except Exception as exc:  # a damaged file can fail anywhere in openpyxl's parsing
        if path.suffix.lower() == ".csv":
            raise RatingsError(f"{path}: is an Excel workbook named .csv; name it .xlsx.") from None
        raise RatingsError(f"{path}: is not a readable Excel workbook (damaged or incomplete: "
                           f"{_first_line(exc)}); save it again in Excel.") from None  # fmt: skip
    try:
        chosen = _choose_sheet(path, values, what, sheet)
        name = f"{path} (sheet {chosen!r})"
        rows = _sheet_rows(name, values[chosen])
        if formulas is not None:
            _refuse_formulas(name, rows, formulas[chosen])
    except RatingsError:
        raise
    except Exception as exc:  # damaged sheet parts surface only while reading them
        raise RatingsError(f"{path}: is not a readable Excel workbook (damaged or incomplete: "
                           f"{_first_line(exc)}); save it again in Excel.") from None  # fmt: skip
    finally:
        values.close()
        if formulas is not None:
            formulas.close()
    if not rows:
        raise RatingsError(f"{name}: is empty; there is nothing to read.")
    width = max(len(row) for row in rows)
    cells = [[_cell(v) for v in row] + [""] * (width - len(row)) for row in rows]
    header = [c if c else f"Unnamed: {n}" for n, c in enumerate(cells[0])]
    return pd.DataFrame(cells[1:], columns=header, dtype=object).astype(str), name


def _sheet_rows(name: str, worksheet: Any) -> list[list[Any]]:
    """The sheet's rows as stored, not padded to the size the file claims (a formatted empty cell
    far away would otherwise make millions of rows), trailing empty cells dropped."""
    worksheet.reset_dimensions()
    rows: list[list[Any]] = []
    cells = 0
    for row in worksheet.iter_rows(values_only=True):
        values = list(row)
        while values and (values[-1] is None or str(values[-1]).strip() == ""):
            values.pop()
        rows.append(values)
        cells += max(len(values), 1)
        if cells > MAX_CELLS:
            raise RatingsError(f"{name}: holds more than {MAX_CELLS:,} cells; a committee's table is "
                               "far smaller: is this the right sheet?")  # fmt: skip
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _computed_by_office(data: bytes) -> bool:
    """Whether Excel or LibreOffice saved the workbook: they store every formula's value, so an
    empty stored value is an empty result ("" from =ALS(...)), not a value never computed."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            app = archive.read("docProps/app.xml").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError):
        return False
    found = re.search(r"<Application>([^<]*)</Application>", app)
    application = found.group(1).strip() if found is not None else ""
    # others write "Microsoft Excel Compatible / ..." and compute nothing
    excel = application in ("Microsoft Excel", "Microsoft Macintosh Excel")
    return excel or application.startswith("LibreOffice")


def _choose_sheet(path: Path, workbook: Any, what: str, sheet: str | None) -> str:
    """``sheet`` when given; else among the visible worksheets (not hidden ones, not charts)."""
    tables = [ws.title for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
    if sheet is not None:
        if sheet not in tables:
            listed = ", ".join(repr(n) for n in tables) or "none"
            raise RatingsError(f"{path}: has no sheet {sheet!r} with a table; its sheets are "
                               f"{listed}.")  # fmt: skip
        return sheet
    names = [n for n in tables if workbook[n].sheet_state == "visible"]
    listed = ", ".join(repr(n) for n in names)
    if not names:
        raise RatingsError(f"{path}: has no visible sheet with a table.")
    wanted = [n for n in names if n.strip().lower() in SHEETS.get(what, ())]
    if len(wanted) == 1:
        return wanted[0]
    key = KEY_COLUMNS.get(what, "candidate_id")
    fitting = [n for n in names if key in _first_row(workbook[n])]
    if len(fitting) == 1 or len(names) == 1:
        return fitting[0] if fitting else names[0]
    said = " or ".join(repr(n) for n in SHEETS.get(what, ()))
    how = "several have" if fitting else "none has"
    raise RatingsError(f"{path}: cannot tell which sheet holds the {what}: {how} {key!r} in its "
                       f"first row (sheets {listed}); name it {said}, or choose it with "
                       "--sheet.")  # fmt: skip


def _first_row(worksheet: Any) -> list[str]:
    for row in worksheet.iter_rows(values_only=True, max_row=1):
        return [_cell(v) for v in row]
    return []


def _refuse_formulas(name: str, rows: list[list[Any]], formulas: Any) -> None:
    """Formula cells whose value the saving program did not store read as blank: refused (only for
    workbooks not saved by Excel or LibreOffice, which store every value)."""
    from openpyxl.utils import get_column_letter

    formulas.reset_dimensions()
    empty = []
    cells = 0
    for r, row in enumerate(formulas.iter_rows(values_only=True)):
        cells += max(len(row), 1)
        if cells > MAX_CELLS:
            break
        for c, value in enumerate(row):
            if isinstance(value, str) and value.startswith("="):
                stored = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
                if stored is None:
                    empty.append(f"{get_column_letter(c + 1)}{r + 1}")
    if empty:
        shown = ", ".join(empty[:10]) + (f" and {len(empty) - 10} more" if len(empty) > 10 else "")
        raise RatingsError(f"{name}: cells {shown} hold formulas without a stored value (the "
                           "program that saved it does not compute them); open and save the "
                           "file in Excel, or type the values.")  # fmt: skip


def _cell(value: Any) -> str:
    """A workbook cell as the text a CSV would hold (whole numbers without '.0', dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def _blank_cells(frame: pd.DataFrame) -> np.ndarray:
    """``(rows, columns)`` True where a cell is empty or only spaces."""
    if frame.empty:
        return np.ones(frame.shape, dtype=bool)
    text = frame.astype("string").fillna("")
    columns = range(text.shape[1])
    return np.column_stack(
        [(text.iloc[:, j].str.strip() == "").to_numpy(dtype=bool) for j in columns]
    )


def _tidy(frame: pd.DataFrame, name: str, what: str) -> pd.DataFrame:
    """Column names stripped; wholly empty unnamed columns and trailing empty rows dropped (as Excel
    leaves them); a header that is not on row 1 pointed at."""
    frame.columns = [str(c).strip() for c in frame.columns]
    unnamed = [c for c in frame.columns if c == "" or c.startswith("Unnamed: ")]
    empty = [
        j
        for j, c in enumerate(frame.columns)
        if c in unnamed and _blank_cells(frame.iloc[:, [j]]).all()
    ]
    frame = frame.iloc[:, [j for j in range(frame.shape[1]) if j not in set(empty)]]
    end = len(frame)
    while end > 0:  # from the bottom, a block at a time: a big table costs little
        start = max(0, end - 256)
        filled = np.flatnonzero(~_blank_cells(frame.iloc[start:end]).all(axis=1))
        if filled.size:
            end = start + int(filled[-1]) + 1
            break
        end = start
    frame = frame.iloc[:end]
    key = KEY_COLUMNS.get(what, "candidate_id")
    if key not in frame.columns:
        for position, row in enumerate(frame.head(HEADER_SEARCH_ROWS).itertuples(index=False)):
            if key in [str(v).strip() for v in row]:
                raise RatingsError(f"{name}: the header (with {key!r}) is on row {position + 2}, "
                                   "not on row 1; delete the rows above it.")  # fmt: skip
    return frame


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# --- validation ---------------------------------------------------------------


class _Problems:
    """Collects problems up to a limit, so a huge bad table still answers quickly."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []
        self.more = 0

    def add(self, message: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(message)
        else:
            self.more += 1

    def raise_if_any(self) -> None:
        if self.items:
            raise RatingsError.collect(self.source, self.items, len(self.items) + self.more)


def read_ratings(
    ratings: str | Path | pd.DataFrame,
    instrument: Instrument,
    candidates: str | Path | pd.DataFrame | None = None,
    aggregation: str | None = None,
    sheet: str | None = None,
) -> Ratings:
    """Read, validate and aggregate a ratings table (and optional candidates table).

    ``sheet`` chooses the ratings' sheet in a workbook (see :func:`read_table` for the rule
    without it).

    Raises
    ------
    RatingsError
        With every bad value: its row (as a spreadsheet numbers it), column and value.
    """
    frame, source = read_table(ratings, "ratings", sheet)
    problems = _Problems(source)
    _check_columns(frame, instrument, problems, with_ratings=True)
    problems.raise_if_any()
    if frame.empty:
        raise RatingsError(f"{source}: has column names but no rows; there is nothing to score.")
    candidates_ids, raters_ids = _Ids.of(frame["candidate_id"]), _Ids.of(frame["rater_id"])
    frame = frame.assign(candidate_id=candidates_ids.texts, rater_id=raters_ids.texts)
    values = _item_values(frame, instrument, problems)
    _check_ids(candidates_ids, raters_ids, problems)
    if candidates is not None:
        cand_frame, cand_source = read_table(candidates, "candidates")
        cand_problems = _Problems(cand_source)
        _check_columns(cand_frame, instrument, cand_problems, with_ratings=False)
        cand_problems.raise_if_any()
        info = _candidate_table(cand_frame, instrument, cand_problems)
        cand_problems.raise_if_any()
        _check_same_candidates(frame, candidates_ids, info, problems, cand_source)
    else:
        info = _candidate_fields(frame, candidates_ids, instrument, problems)
    notes = _evidence(frame, instrument, ".note", problems)
    critical = _evidence(frame, instrument, ".critical", problems)
    problems.raise_if_any()
    return _aggregate(
        instrument,
        frame,
        candidates_ids.codes,
        candidates_ids.labels,
        values,
        info,
        notes,
        critical,
        aggregation,
    )


def _known_columns(instrument: Instrument, with_ratings: bool) -> set[str]:
    fields = set(CANDIDATE_FIELDS) | {p.field for p in instrument.spec.preconditions}
    if not with_ratings:
        return fields | {"candidate_id"}
    suffixed = {
        f"{item}{suffix}" for item in instrument.item_ids for suffix in (".note", ".critical")
    }
    return fields | set(ID_COLUMNS) | set(instrument.item_ids) | suffixed


def _check_columns(
    frame: pd.DataFrame, instrument: Instrument, problems: _Problems, with_ratings: bool
) -> None:
    known = _known_columns(instrument, with_ratings)
    columns = [str(c) for c in frame.columns]
    for column in columns:
        if column not in known:
            hint = difflib.get_close_matches(column, sorted(known), n=1, cutoff=0.75)
            advice = (
                f"; did you mean {hint[0]!r}?"
                if hint
                else f" of instrument {instrument.id} {instrument.version}."
            )
            problems.add(f"column {column!r} is not an item or a known field{advice}")
    for dup in sorted({c for c in columns if columns.count(c) > 1}):
        problems.add(f"column {dup!r} appears more than once.")
    ids = list(ID_COLUMNS) if with_ratings else ["candidate_id"]
    for column in ids:
        if column not in columns:
            problems.add(f"column {column!r} is missing.")
    for column in instrument.item_ids if with_ratings else ():
        if column not in columns:
            problems.add(
                f"column {column!r} is missing (an item nobody rated still needs its column, left blank)."
            )


def _shown(value: Any) -> str:
    """A cell as the user typed it: numpy scalars as plain numbers, text quoted."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return repr(value)


def _row(position: int | np.integer) -> int:
    return int(position) + 2


def _item_values(frame: pd.DataFrame, instrument: Instrument, problems: _Problems) -> np.ndarray:
    """The item columns as floats (NaN = not known), every value checked against its scale."""
    columns = frame[list(instrument.item_ids)]
    out, marked = _numbers_block(columns)
    integral = all(isinstance(t, np.dtype) and t.kind in "iu" for t in columns.dtypes)
    for scale_id, scale in instrument.scales.items():
        js = [j for j, item in enumerate(instrument.items) if item.scale == scale_id]
        block = out if len(js) == out.shape[1] else out[:, js]
        bad = _off_scale(block, scale.values, integral)
        if marked is not None:
            bad |= np.isnan(block) & marked[:, js]
        labels = {t.strip().lower(): level.value for level in scale.levels
                  for t in (level.label.nl, level.label.en)}  # fmt: skip
        for position, k in zip(*np.nonzero(bad)):
            item = instrument.item_ids[js[k]]
            raw = columns[item].iloc[position]
            label = labels.get(str(raw).strip().lower())
            hint = ""
            if label is not None:  # a level's label: the number is asked, and shown
                mapping = ", ".join(f"{level.label.nl} = {level.value}" for level in scale.levels)
                hint = f" (write the level's number: {mapping})"
            problems.add(
                f"row {_row(position)}, column {item!r}: must be one of "
                f"{', '.join(str(v) for v in scale.values)} "
                f"or blank when not known; got {_shown(raw)}{hint}."
            )
    return out


def _numbers_block(columns: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
    """The columns as one float matrix, and where text that is no number and no missing marker stood."""
    dtypes = list(columns.dtypes)
    if all(isinstance(t, np.dtype) and t.kind in "iuf" for t in dtypes):
        return columns.to_numpy(dtype=float), None
    if all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in dtypes):
        return columns.to_numpy(dtype=float, na_value=np.nan), None
    if columns.empty:
        return np.empty(columns.shape), None
    out = np.column_stack([_as_numbers(columns[c]) for c in columns.columns])
    marked = np.column_stack([~_is_missing_marker(columns[c]) for c in columns.columns])
    return out, marked


def _off_scale(numbers: np.ndarray, levels: Sequence[int], integral: bool = False) -> np.ndarray:
    """Known values that are not a level of the scale (``integral``: the numbers are whole already)."""
    low, high = levels[0], levels[-1]
    with np.errstate(invalid="ignore"):
        if list(levels) == list(range(low, high + 1)):
            if integral and (numbers.size == 0 or (numbers.min() >= low and numbers.max() <= high)):
                return np.zeros(numbers.shape, dtype=bool)
            outside = (numbers < low) | (numbers > high)
            return (
                outside
                if integral
                else outside | (np.rint(numbers) != numbers) & ~np.isnan(numbers)
            )
        return ~np.isnan(numbers) & ~np.isin(numbers, np.asarray(levels, dtype=float))


def _as_numbers(column: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        return column.to_numpy(dtype=float, na_value=np.nan)
    text = column.astype("string").str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _is_missing_marker(column: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(column.dtype):
        return column.isna().to_numpy()
    text = column.astype("string").str.strip().str.lower()
    return (text.isna() | text.isin(MISSING_MARKERS)).to_numpy(dtype=bool)


@dataclass(frozen=True)
class _Ids:
    """An id column cleaned once: surrounding spaces stripped, blanks found, each id coded.

    Only the distinct values are stripped, so a million rows cost little more
    than a hash of each.
    """

    texts: pd.Series  # per row, the stripped id ("" when blank)
    codes: np.ndarray  # per row, index into ``labels``; -1 when blank
    labels: np.ndarray  # the distinct ids in order of first appearance

    @classmethod
    def of(cls, column: pd.Series) -> _Ids:
        raw_codes, uniques = pd.factorize(column, use_na_sentinel=True)
        names = np.asarray(uniques, dtype=object)
        typed = pd.api.types.is_string_dtype(uniques.dtype) and uniques.dtype != object
        if not typed and not all(isinstance(t, str) for t in names):
            names = np.asarray([str(t) for t in names], dtype=object)
        if not any(
            t is not t.strip() for t in names
        ):  # str.strip returns the same object when unchanged
            codes, labels = raw_codes, names
        else:
            clean_codes, found = pd.factorize(np.asarray([t.strip() for t in names], dtype=object))
            codes = np.where(raw_codes >= 0, np.append(clean_codes, -1)[raw_codes], -1)
            labels = np.asarray(found, dtype=object)
        blank = np.flatnonzero(labels == "")
        if blank.size:
            codes = np.where(codes == blank[0], -1, codes)
            codes = codes - (codes > blank[0])
            labels = np.delete(labels, blank[0])
        if codes is raw_codes and typed and (codes >= 0).all():
            return cls(column, codes, labels)  # already clean: no copy
        return cls(
            pd.Series(np.append(labels, "")[codes], index=column.index, dtype=object), codes, labels
        )

    @property
    def unique(self) -> bool:
        return len(self.labels) == len(self.codes)


def _check_ids(candidates: _Ids, raters: _Ids, problems: _Problems) -> None:
    for name, ids in (("candidate_id", candidates), ("rater_id", raters)):
        for position in np.flatnonzero(ids.codes < 0)[:MAX_PROBLEMS]:
            problems.add(f"row {_row(position)}, column {name!r}: must not be blank.")
    if candidates.unique:
        return
    pairs = pd.Series(candidates.codes.astype(np.int64) * (len(raters.labels) + 1) + raters.codes)
    first_row = (
        pd.Series(np.arange(len(pairs))).groupby(pairs.to_numpy()).transform("first").to_numpy()
    )
    for position in np.flatnonzero(pairs.duplicated().to_numpy())[:MAX_PROBLEMS]:
        cand, rater = candidates.texts.iloc[position], raters.texts.iloc[position]
        if cand and rater:
            problems.add(
                f"row {_row(position)}: rater {rater!r} rated candidate {cand!r} already in row "
                f"{_row(first_row[position])}."
            )


# --- candidate fields -----------------------------------------------------------


def _candidate_fields(
    frame: pd.DataFrame, ids: _Ids, instrument: Instrument, problems: _Problems
) -> pd.DataFrame:
    """Candidate fields from the ratings table: one value per candidate, the same in all its rows."""
    parsed = _parse_fields(frame, instrument, problems)
    if parsed.columns.empty:
        return pd.DataFrame(index=pd.Index(ids.labels, name="candidate_id"))
    for name in parsed.columns:
        _check_agreement(ids, frame[name], parsed[name], name, problems)
    parsed.insert(0, "candidate_id", ids.texts)
    return parsed.groupby("candidate_id", sort=False).first()


def _candidate_table(
    frame: pd.DataFrame, instrument: Instrument, problems: _Problems
) -> pd.DataFrame:
    ids = _Ids.of(frame["candidate_id"]).texts
    for position in np.flatnonzero((ids == "").to_numpy(dtype=bool)):
        problems.add(f"row {_row(position)}, column 'candidate_id': must not be blank.")
    for position in np.flatnonzero((ids.duplicated() & (ids != "")).to_numpy(dtype=bool)):
        problems.add(
            f"row {_row(position)}, column 'candidate_id': {ids.iloc[position]!r} appears more than once; "
            "a candidates table has one row per candidate."
        )
    parsed = _parse_fields(frame, instrument, problems)
    parsed.insert(0, "candidate_id", ids)
    return parsed.set_index("candidate_id")


def _check_same_candidates(
    frame: pd.DataFrame, ids: _Ids, info: pd.DataFrame, problems: _Problems, cand_source: str
) -> None:
    rated = set(ids.labels)
    listed = set(info.index)
    for cand in sorted(rated - listed)[:MAX_PROBLEMS]:
        problems.add(f"candidate {cand!r} has ratings but is not in {cand_source}.")
    for cand in sorted(listed - rated)[:MAX_PROBLEMS]:
        problems.add(f"candidate {cand!r} is in {cand_source} but has no ratings.")
    overlap = [c for c in CANDIDATE_FIELDS if c in frame.columns]
    for name in overlap:
        problems.add(
            f"column {name!r} is both in the ratings table and in {cand_source}; give it in one place."
        )


def _check_agreement(
    ids: _Ids, raw: pd.Series, values: pd.Series, name: str, problems: _Problems
) -> None:
    if ids.unique:
        return
    as_text = values.map(lambda v: repr(v) if v is not None and v == v else None)
    counts = as_text.groupby(ids.codes, sort=False).nunique()
    for code in counts.index[counts > 1][:MAX_PROBLEMS]:
        cand = ids.labels[code]
        rows = np.flatnonzero(ids.codes == code)
        shown = ", ".join(
            f"row {_row(p)}: {_shown(raw.iloc[p])}" for p in rows if as_text.iloc[p] is not None
        )
        problems.add(
            f"candidate {cand!r}: column {name!r} must be the same in all its rows; got {shown}."
        )


def _parse_fields(frame: pd.DataFrame, instrument: Instrument, problems: _Problems) -> pd.DataFrame:
    boolean_fields = {p.field for p in instrument.spec.preconditions if p.field != "age"} | {
        "consent"
    }
    flag_ids = {f.id for f in instrument.flags}
    out: dict[str, list[Any]] = {}
    for name in frame.columns:
        if name in ID_COLUMNS or name in instrument.item_ids or "." in name:
            continue
        if name == "candidate_id":
            continue
        parse = field_parser(name, boolean_fields)
        column = frame[name]
        parsed: list[Any] = []
        for position, raw in enumerate(column.tolist()):
            try:
                parsed.append(parse(raw, flag_ids))
            except ValueError as exc:
                problems.add(f"row {_row(position)}, column {name!r}: {exc}; got {_shown(raw)}.")
                parsed.append(None)
        out[name] = parsed
    return pd.DataFrame(out, index=frame.index, dtype=object)


# --- evidence ---------------------------------------------------------------------


def _evidence(
    frame: pd.DataFrame, instrument: Instrument, suffix: str, problems: _Problems
) -> dict[tuple[str, str], tuple[Evidence, ...]]:
    found: dict[tuple[str, str], list[Evidence]] = {}
    for item in instrument.item_ids:
        name = item + suffix
        if name not in frame.columns:
            continue
        for position, cand, rater, text in _texts(frame, name):
            if suffix == ".critical":
                try:
                    text = critical_reason(text)
                except ValueError as exc:
                    problems.add(f"row {_row(position)}, column {name!r}: {exc}")
                    continue
                if not text:
                    continue
            found.setdefault((cand, item), []).append(Evidence(rater, text))
    return {key: tuple(sorted(value, key=lambda e: e.rater_id)) for key, value in found.items()}


def _texts(frame: pd.DataFrame, name: str) -> Iterator[tuple[int, str, str, str]]:
    column = frame[name].astype("string").str.strip()
    filled = np.flatnonzero((column.notna() & (column != "")).to_numpy(dtype=bool))
    cands, raters = frame["candidate_id"], frame["rater_id"]
    for position in filled:
        yield int(position), cands.iloc[position], raters.iloc[position], column.iloc[position]
