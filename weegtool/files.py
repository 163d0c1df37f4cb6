"""The small YAML files committees write by hand (decisions, houses): read as a list of records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import WeegtoolError

__all__ = ["yaml_records"]


def yaml_records(path: str | Path, key: str, error: type[WeegtoolError], what: str) -> list[Any]:
    """The records of a YAML file that holds one record, a list of them, or ``key: [...]``.

    Raises ``error`` naming the file for a missing file, YAML that does not
    parse, or content of another shape; an empty file has no records.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: no such {what} file.") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise error(f"{path}: not valid YAML ({str(exc).splitlines()[0]}).") from None
    if isinstance(data, dict) and key in data:
        data = data[key]
    if isinstance(data, dict):
        data = [data]
    if data is None:
        data = []
    if not isinstance(data, list):
        raise error(f"{path}: must hold a {what} or a list '{key}'; got {type(data).__name__}.")
    return data
