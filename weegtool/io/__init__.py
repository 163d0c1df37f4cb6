"""Every file format at the boundary, so that the core takes and returns values.

- :mod:`~weegtool.io.yamlfile`: YAML. A criteria file read with the line of
  every key (:func:`read_mapping`, for :func:`weegtool.load_instrument`'s
  messages), and the small record files committees write by hand
  (:func:`yaml_records`).

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
]

_LAZY = {
    "read_mapping": "yamlfile",
    "yaml_records": "yamlfile",
}

if TYPE_CHECKING:
    from .yamlfile import read_mapping, yaml_records


__getattr__ = _lazy(__name__, _LAZY, globals())
