"""YAML files: a criteria file read with the line of every node, and the small record files.

:func:`read_mapping` parses the text of a criteria file and keeps, for each
key and list index, the line it stands on, so that a validation problem can
say where it is; keys given twice are reported, not silently overwritten.
:func:`yaml_records` reads the small YAML files committees write by hand
(decisions, houses) as a list of records.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from ..errors import WeegtoolError

__all__ = ["KeyPath", "read_mapping", "kind_of", "yaml_records"]

KeyPath = tuple[Any, ...]
"""Where a node stands in a document: the keys and list indices from its root."""


def read_mapping(text: str, fields: str) -> tuple[Any, dict[KeyPath, int], list[str]]:
    """The document in ``text``, the line of each of its nodes, and the problems found.

    The document must be a mapping (``fields`` names some of its keys for the
    message when it is not); when the text is not valid YAML, or not a mapping,
    the data is None.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        return None, {}, [f"{where}not valid YAML: {problem}."]
    finally:
        loader.dispose()
    if not isinstance(data, dict) or node is None:
        return (
            None,
            {},
            [f"the file must hold a mapping of fields ({fields}); got {kind_of(data)}."],
        )
    lines: dict[KeyPath, int] = {}
    problems: list[str] = []
    _index_lines(node, (), lines, problems, yaml.constructor.SafeConstructor())
    return data, lines, problems


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _index_lines(
    node: yaml.Node,
    path: KeyPath,
    lines: dict[KeyPath, int],
    problems: list[str],
    keys: yaml.constructor.SafeConstructor,
) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = (
                keys.construct_object(key_node, deep=True)
                if isinstance(key_node, yaml.ScalarNode)
                else None
            )
            if key in seen:
                problems.append(
                    f"line {key_node.start_mark.line + 1}: {_dotted(path + (key,))} is given twice."
                )
            seen.add(key)
            _index_lines(value_node, path + (key,), lines, problems, keys)
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            _index_lines(child, path + (i,), lines, problems, keys)


def _dotted(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the file"


def kind_of(value: Any) -> str:
    """What a YAML value is, in words: 'a list', 'a mapping', 'text', 'nothing', else its repr."""
    return {list: "a list", dict: "a mapping", str: "text", type(None): "nothing"}.get(
        type(value), repr(value)
    )


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
