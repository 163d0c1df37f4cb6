"""Every file format at the boundary, so that the core takes and returns values.

- :mod:`~weegtool.io.yamlfile`: YAML. A criteria file read with the line of
  every key (:func:`read_mapping`, for :func:`weegtool.load_instrument`'s
  messages), and the small record files committees write by hand
  (:func:`read_records`).
- :mod:`~weegtool.io.tables`: rating and candidate tables (CSV, XLSX or a
  DataFrame) read (:func:`read_table`) and checked into
  :class:`~weegtool.ratings.Ratings` (:func:`read_ratings`).
- :mod:`~weegtool.io.houses`: house files (YAML or CSV) into
  :class:`~weegtool.composition.House` records (:func:`load_houses`,
  :func:`parse_houses` for records already read).
- :mod:`~weegtool.io.decisions`: the committee's decision files (YAML) into
  :class:`~weegtool.decision.Decision` records (:func:`load_decisions`).
- :mod:`~weegtool.io.writers`: advice and scores written as JSON, CSV and XLSX
  (:func:`write_json`, :func:`write_csv`, :func:`write_xlsx`, from
  :func:`advice_records` and :func:`score_table`), and any file written all or
  nothing (:func:`write_atomic`).

Modules load on first use: :mod:`weegtool.instrument` reads its YAML through
this package while the table, house and decision readers import the
instrument back, so nothing here is imported before it is asked for (which
also keeps pandas out of a bare ``import weegtool.instrument``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _lazy

__all__ = [
    "read_mapping",
    "read_records",
    "read_table",
    "read_ratings",
    "load_houses",
    "parse_houses",
    "load_decisions",
    "write_atomic",
    "write_json",
    "write_csv",
    "write_xlsx",
    "score_table",
    "advice_records",
]

_LAZY = {
    "read_mapping": "yamlfile",
    "read_records": "yamlfile",
    "read_table": "tables",
    "read_ratings": "tables",
    "load_houses": "houses",
    "parse_houses": "houses",
    "load_decisions": "decisions",
    "write_atomic": "writers",
    "write_json": "writers",
    "write_csv": "writers",
    "write_xlsx": "writers",
    "score_table": "writers",
    "advice_records": "writers",
}

if TYPE_CHECKING:
    from .decisions import load_decisions
    from .houses import load_houses, parse_houses
    from .tables import read_ratings, read_table
    from .writers import (
        advice_records,
        score_table,
        write_atomic,
        write_csv,
        write_json,
        write_xlsx,
    )
    from .yamlfile import read_mapping, read_records


__getattr__ = _lazy(__name__, _LAZY, globals())
