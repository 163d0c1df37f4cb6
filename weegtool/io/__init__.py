"""Every file format at the boundary, so that the core takes and returns values.

- :mod:`~weegtool.io.yamlfile`: YAML. A criteria file read with the line of
  every key (:func:`read_mapping`, for :func:`weegtool.load_instrument`'s
  messages), and the small record files committees write by hand
  (:func:`yaml_records`).
- :mod:`~weegtool.io.tables`: rating and candidate tables (CSV, XLSX or a
  DataFrame) read (:func:`read_table`) and checked into
  :class:`~weegtool.ratings.Ratings` (:func:`read_ratings`).
- :mod:`~weegtool.io.houses`: house files (YAML or CSV) into
  :class:`~weegtool.composition.House` records (:func:`load_houses`,
  :func:`parse_houses` for records already read).
- :mod:`~weegtool.io.decisions`: the committee's decision files (YAML) into
  :class:`~weegtool.decision.Decision` records (:func:`load_decisions`).

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
    "yaml_records",
    "read_table",
    "read_ratings",
    "load_houses",
    "parse_houses",
    "load_decisions",
]

_LAZY = {
    "read_mapping": "yamlfile",
    "yaml_records": "yamlfile",
    "read_table": "tables",
    "read_ratings": "tables",
    "load_houses": "houses",
    "parse_houses": "houses",
    "load_decisions": "decisions",
}

if TYPE_CHECKING:
    from .decisions import load_decisions
    from .houses import load_houses, parse_houses
    from .tables import read_ratings, read_table
    from .yamlfile import read_mapping, yaml_records


__getattr__ = _lazy(__name__, _LAZY, globals())
