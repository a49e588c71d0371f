"""YAML (and JSON) loading that keeps where every key and value came from.

PyYAML keeps the last of two equal keys and loses positions once a document is built into
Python objects. This module composes the node graph itself, so that every later problem
can be reported at ``FILE:LINE:COL``, and so that a duplicate key is an error.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from checker.diagnostics.located import LocatedDocument, Scalar, merge_positions, packed
from checker.diagnostics.plain_yaml import build_plain
from checker.diagnostics.problem import KeyPath, Location, Position, Problem, format_path

# Aliases may expand exponentially ("billion laughs") and merge keys quadratically: a manifest
# never needs this many. Plain documents are not limited by these, however large.
MAX_ALIAS_EXPANSIONS = 10_000
MAX_MERGED_KEYS = 100_000
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
# What PyYAML's scalar constructors raise besides YAMLError on values they cannot build:
# 2024-02-30, 5,000-digit integers, !!int abc, !!bool maybe, !!timestamp x.
_SCALAR_ERRORS = (
    yaml.YAMLError,
    ValueError,
    TypeError,
    ArithmeticError,
    LookupError,
    AttributeError,
)


class YamlSyntaxError(Exception):
    """The text is not a single well-formed YAML document; carries one located problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _position(node: Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.constructor = yaml.SafeLoader("")
        self.values: dict[KeyPath, int] = {}
        self.keys: dict[KeyPath, int] = {}
        self.scalars: dict[KeyPath, Scalar] = {}
        self.problems: list[Problem] = []
        self.built: set[int] = set()
        self.expansions = 0
        self.merged = 0
        self.flattened: dict[int, list[tuple[Node, Node]]] = {}

    def build(self, node: Node, path: KeyPath) -> Any:
        if id(node) in self.built:  # an alias: the same node built again
            self.expansions += 1
            if self.expansions > MAX_ALIAS_EXPANSIONS:
                raise YamlSyntaxError(
                    self._problem(
                        node,
                        path,
                        f"more than {MAX_ALIAS_EXPANSIONS:,} alias expansions (a YAML bomb?)",
                    )
                )
        self.built.add(id(node))
        self.values[path] = packed(node.start_mark)
        expected_tag = (
            _MAP_TAG
            if isinstance(node, MappingNode)
            else _SEQ_TAG
            if isinstance(node, SequenceNode)
            else None
        )
        if expected_tag is not None and node.tag != expected_tag:
            raise YamlSyntaxError(self._problem(node, path, f"unsupported YAML tag '{node.tag}'"))
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        if node.tag == _STR_TAG:
            if "$" in node.value:
                self.scalars[path] = Scalar(node.value, node.style)
            return node.value  # what PyYAML's constructor would return, without the call
        self.scalars[path] = Scalar(node.value, node.style)
        try:
            return self.constructor.construct_object(node, deep=True)
        except _SCALAR_ERRORS as error:
            message = _first_line(error) if isinstance(error, yaml.YAMLError) else str(error)
            raise YamlSyntaxError(
                self._problem(node, path, f"cannot read value {node.value!r}: {message}")
            ) from None

    def _mapping(self, node: MappingNode, path: KeyPath) -> dict[str, Any]:
        seen: dict[Any, Node] = {}
        duplicates: set[int] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag != _MERGE_TAG:
                key = key_node.value
                if key in seen:
                    duplicates.add(id(key_node))
                    first = _position(seen[key])
                    self.problems.append(
                        self._problem(
                            key_node,
                            (*path, key),
                            f"duplicate key '{key}' in {format_path(path) or 'the document'}"
                            f" (first defined at line {first.line}, column {first.column})",
                            hint="YAML keeps only one of them; remove or rename the other",
                        )
                    )
                else:
                    seen[key] = key_node
        result: dict[str, Any] = {}
        for key_node, value_node in self._pairs(node, path):
            if id(key_node) in duplicates:
                continue  # the first definition stands; the duplicate is reported above
            if not isinstance(key_node, ScalarNode):
                raise YamlSyntaxError(
                    self._problem(key_node, path, "a mapping key must be a plain value")
                )
            key = key_node.value
            child = (*path, key)
            self.keys[child] = packed(key_node.start_mark)
            result[key] = self.build(value_node, child)
        return result

    def _pairs(self, node: MappingNode, path: KeyPath) -> list[tuple[Node, Node]]:
        """The mapping's pairs with ``<<`` merges spliced in, as YAML 1.1 defines them: merged
        pairs first (the first merged mapping winning), then the mapping's own. Each node is
        flattened once, and merged pairs are counted, so a merge-key bomb stops early."""
        cached = self.flattened.get(id(node))
        if cached is not None:
            return cached
        self.flattened[id(node)] = []  # a mapping that merges itself merges nothing
        merged: list[tuple[Node, Node]] = []
        own: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if not (isinstance(key_node, ScalarNode) and key_node.tag == _MERGE_TAG):
                own.append((key_node, value_node))
                continue
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            if not all(isinstance(source, MappingNode) for source in sources):
                raise YamlSyntaxError(
                    self._problem(value_node, path, "'<<' takes a mapping or a list of mappings")
                )
            for source in reversed(sources):
                merged.extend(self._pairs(source, path))
        self.merged += len(merged)
        if self.merged > MAX_MERGED_KEYS:
            raise YamlSyntaxError(
                self._problem(
                    node, path, f"more than {MAX_MERGED_KEYS:,} merged keys (a YAML bomb?)"
                )
            )
        pairs = merged + own
        self.flattened[id(node)] = pairs
        return pairs

    def _problem(self, node: Node, path: KeyPath, message: str, hint: str | None = None) -> Problem:
        return Problem.at(Location.of(self.file, _position(node)), message, path=path, hint=hint)


def _first_line(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    text = f"{context}: {problem}" if context else str(problem)
    return " ".join(text.split())


def _too_deep(file: str) -> Problem:
    return Problem.at(Location(file, 1, 1), "invalid YAML: nesting too deep")


def _compose(text: str) -> Node | None:
    """Compose with libyaml when present (about ten times faster); on an error, compose again
    with the pure-Python parser, whose messages are the same on every platform."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def load_located(text: str, file: str) -> tuple[LocatedDocument, list[Problem]]:
    """Parse one YAML document, returning its data, positions and non-fatal problems.

    Keys are always strings (the scalar's source text), so ``1: x`` yields the key ``"1"``.
    Raises :class:`YamlSyntaxError` when the text cannot be parsed at all.
    """
    plain = build_plain(text, file)
    if plain is not None:
        return plain, []
    return load_composed(text, file)


def load_composed(text: str, file: str) -> tuple[LocatedDocument, list[Problem]]:
    """The composer path: every YAML feature, and every problem reported where it is."""
    try:
        root = _compose(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlSyntaxError(
            Problem.at(Location(file, line, column), f"invalid YAML: {_first_line(error)}")
        ) from None
    except yaml.YAMLError as error:
        raise YamlSyntaxError(
            Problem.at(Location(file, 1, 1), f"invalid YAML: {_first_line(error)}")
        ) from None
    except RecursionError:
        raise YamlSyntaxError(_too_deep(file)) from None
    if root is None:
        return LocatedDocument(file, None), []
    builder = _Builder(file)
    try:
        data = builder.build(root, ())
    except RecursionError:
        raise YamlSyntaxError(_too_deep(file)) from None
    positions = merge_positions(builder.values, builder.keys)
    document = LocatedDocument(file, data, positions, builder.scalars)
    return document, builder.problems
