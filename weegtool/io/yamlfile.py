"""YAML files: a criteria file read with the line of every node, and the small record files.

:func:`read_mapping` parses the text of a criteria file and keeps, for each
key and list index, the line it stands on, so that a validation problem can
say where it is; keys given twice are reported, not silently overwritten.
:func:`read_records` reads the small YAML files committees write by hand
(decisions, houses) as a list of records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from ..errors import WeegtoolError

__all__ = [
    "KeyPath",
    "MAX_VALUES",
    "read_yaml",
    "read_mapping",
    "kind_of",
    "read_records",
    "dotted",
    "at_line",
]

KeyPath = tuple[Any, ...]
"""Where a node stands in a document: the keys and list indices from its root."""


MAX_VALUES = 100_000
"""Values a document may hold once its aliases are expanded: far above any real criteria, house or
decision file, far below what an alias bomb (aliases of aliases of lists) expands to."""


def read_yaml(text: str) -> tuple[Any, dict[KeyPath, int], list[str]]:
    """The one YAML reader: the document in ``text``, the line of each of its nodes, the problems.

    Refused, each with its line, before anything grows with them: text that is not YAML (a tab
    where YAML wants spaces included), a key given twice in one mapping, an alias that refers to
    a value containing it, aliases that expand to more than :data:`MAX_VALUES` values, nesting
    deeper than the parser allows. Time and memory grow with the size of the text, not with what
    its aliases would expand to. On a problem the data is None.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        return None, {}, [_yaml_problem(exc, text)]
    finally:
        loader.dispose()
    if node is None:
        return None, {}, []
    problems = _alias_problems(node)
    if problems:
        return None, {}, problems
    lines: dict[KeyPath, int] = {}
    _index_lines(node, lines, problems, yaml.constructor.SafeConstructor())
    if problems:
        return None, lines, problems
    try:
        return yaml.constructor.SafeConstructor().construct_document(node), lines, []
    except yaml.YAMLError as exc:
        return None, lines, [_yaml_problem(exc)]
    except RecursionError:
        return None, lines, [f"line {node.start_mark.line + 1}: nested too deeply to read."]
    except (ValueError, TypeError, AttributeError, OverflowError):
        return None, lines, [_unreadable_value(node)]


def _unreadable_value(root: yaml.Node) -> str:
    """The first value YAML recognises by its form but cannot make (2026-02-30 as a date, !!int x)."""
    constructor = yaml.constructor.SafeConstructor()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            try:
                constructor.construct_object(node)
            except (ValueError, TypeError, AttributeError, OverflowError, yaml.YAMLError) as exc:
                return (f"line {node.start_mark.line + 1}: {node.value!r} cannot be read as "
                        f"{node.tag.rsplit(':', 1)[-1]} ({exc}); write it in quotes if it is text.")  # fmt: skip
        stack.extend(reversed(_children(node)))
    return f"line {root.start_mark.line + 1}: a value cannot be read."


def _yaml_problem(exc: yaml.YAMLError, text: str = "") -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}: " if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    at = text[mark.index : mark.index + 1] if mark is not None and mark.index < len(text) else ""
    if at == "\t" or "\\t" in str(problem) or "tab" in str(problem).lower():
        problem = f"{problem} (YAML indents with spaces, not tabs)"
    return f"{where}not valid YAML: {problem}."


def read_mapping(text: str, fields: str) -> tuple[Any, dict[KeyPath, int], list[str]]:
    """:func:`read_yaml` for a document that must be a mapping (``fields`` names some of its keys
    for the message when it is not); when it is not, or has problems, the data is None."""
    data, lines, problems = read_yaml(text)
    if problems:
        return None, lines, problems
    if not isinstance(data, dict):
        return (
            None,
            {},
            [f"the file must hold a mapping of fields ({fields}); got {kind_of(data)}."],
        )
    return data, lines, []


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _alias_problems(root: yaml.Node) -> list[str]:
    """A recursive alias, or aliases that add more than :data:`MAX_VALUES` values to the document
    (an alias is the same node object met again); each node's expanded size is counted once, so
    the work grows with the text, not with what it would expand to."""
    sizes: dict[int, int] = {}
    order: list[yaml.Node] = []
    open_ids: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            open_ids.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(c)] for c in _children(node))
            order.append(node)
            continue
        if id(node) in sizes:
            continue
        open_ids.add(id(node))
        stack.append((node, True))
        for child in _children(node):
            if id(child) in open_ids:
                return [f"line {child.start_mark.line + 1}: an alias refers to a value that "
                        "contains it (a recursive anchor); write the value out."]  # fmt: skip
            stack.append((child, False))
    written = len(sizes)
    if sizes[id(root)] - written <= MAX_VALUES:
        return []
    first = next(n for n in order if sizes[id(n)] > MAX_VALUES + written)
    return [f"line {first.start_mark.line + 1}: its aliases expand to more than {MAX_VALUES:,} "
            "values; write the values out instead of nesting aliases."]  # fmt: skip


def _index_lines(
    root: yaml.Node,
    lines: dict[KeyPath, int],
    problems: list[str],
    keys: yaml.constructor.SafeConstructor,
) -> None:
    """The line of each key and list index, and every key given twice in one mapping (an aliased
    value is walked once, where it is first written)."""
    seen_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, KeyPath, int]] = [(root, (), root.start_mark.line + 1)]
    while stack:
        node, path, written = stack.pop()
        if id(node) in seen_nodes:
            lines[path] = written  # an alias: the line where it is used
            continue
        lines[path] = node.start_mark.line + 1
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, value_node in node.value:
                key = _key(keys, key_node)
                if key in seen:
                    problems.append(f"line {key_node.start_mark.line + 1}: "
                                    f"{_dotted(path + (key,))} is given twice.")  # fmt: skip
                seen.add(key)
                stack.append((value_node, path + (key,), key_node.start_mark.line + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(
                (child, path + (i,), child.start_mark.line + 1)
                for i, child in enumerate(node.value)
            )
    problems.sort(key=lambda p: int(p.split(":")[0].removeprefix("line ")))


def _key(keys: yaml.constructor.SafeConstructor, node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        return None
    try:
        return keys.construct_object(node, deep=True)
    except yaml.YAMLError:
        return node.value


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


LineOf = Callable[[int, Sequence[Any]], "int | None"]


def read_records(
    path: str | Path, key: str, error: type[WeegtoolError], what: str
) -> tuple[list[Any], LineOf]:
    """The records of a YAML file that holds one record, a list of them, or ``key: [...]``, and
    ``line_of(n, loc)``: the line of field ``loc`` (keys and indices) of record ``n``, or of the
    nearest enclosing node that has one.

    Read by :func:`read_yaml`, so a key given twice, a tab, a recursive alias or an alias bomb is
    refused with its line. Raises ``error`` naming the file for a missing file, text that is not
    UTF-8, YAML problems, or content of another shape; an empty file has no records.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{path}: no such {what} file.") from None
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text (byte {exc.start + 1}); save it as UTF-8.") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror}).") from None
    data, lines, problems = read_yaml(text)
    if problems:
        raise error.collect(str(path), problems)
    root: KeyPath | None = ()
    if isinstance(data, dict) and key in data:
        data, root = data[key], (key,)
    if isinstance(data, dict):
        data, root = [data], None
    if data is None:
        data = []
    if not isinstance(data, list):
        raise error(f"{path}: must hold a {what} or a list '{key}'; got {type(data).__name__}.")

    def line_of(n: int, loc: Sequence[Any] = ()) -> int | None:
        where = (*root, n, *loc) if root is not None else tuple(loc)
        while where and where not in lines:
            where = where[:-1]
        return lines.get(where)

    return data, line_of


def dotted(loc: Iterable[Any]) -> str:
    """A field's place as ``.residents[0].age`` (keys after a dot, indices in brackets)."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)


def at_line(line: int | None) -> str:
    """``"line 12: "`` before a problem, or nothing when the line is not known (a CSV row has its own)."""
    return f"line {line}: " if line is not None else ""
