"""Positions survive parsing; duplicate keys and unparsable text become located problems."""

from __future__ import annotations

import pytest

from checker.diagnostics.located_yaml import YamlSyntaxError, load_located
from checker.diagnostics.problem import Position


def test_positions_of_keys_and_values() -> None:
    document, problems = load_located("a:\n  b: [1, 'x']\n  c: {d: e}\n", "f.yaml")
    assert problems == []
    assert document.data == {"a": {"b": [1, "x"], "c": {"d": "e"}}}
    assert document.key_position(("a", "b")) == Position(2, 3)
    assert document.position(("a", "b")) == Position(2, 6)
    assert document.position(("a", "b", 1)) == Position(2, 10)
    assert document.position(("a", "c", "d")) == Position(3, 10)
    assert document.position(("a", "missing", "deeper")) == Position(2, 3)


def test_duplicate_keys_are_problems_and_the_first_stands() -> None:
    document, problems = load_located("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert document.data == {"a": 1, "b": 2}
    assert [(p.line, p.column, p.message) for p in problems] == [
        (3, 1, "duplicate key 'a' in the document (first defined at line 1, column 1)")
    ]


def test_keys_are_kept_as_written() -> None:
    document, _ = load_located("1: a\ntrue: b\n0x10: c\n", "f.yaml")
    assert list(document.data) == ["1", "true", "0x10"]


def test_scalar_source_text_is_kept_for_messages() -> None:
    document, _ = load_located("id: 00123\n", "f.yaml")
    assert document.data == {"id": 83}  # YAML 1.1 octal: why unquoted IDs are refused
    assert document.source_text(("id",)) == "00123"


def test_merge_keys_are_allowed_to_override() -> None:
    document, problems = load_located("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n", "f.yaml")
    assert problems == []
    assert document.data["c"] == {"x": 1, "y": 3}


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("a: [1, 2\n", 2, 1), ("a: b\n c: d\n", 2, 3), ("a: 'x\n", 2, 1), ("- a\nb: c\n", 2, 1)],
)
def test_syntax_errors_are_located(text: str, line: int, column: int) -> None:
    with pytest.raises(YamlSyntaxError) as raised:
        load_located(text, "f.yaml")
    problem = raised.value.problem
    assert (problem.file, problem.line, problem.column) == ("f.yaml", line, column)
    assert problem.message.startswith("invalid YAML: ")


def test_unsafe_tags_are_refused() -> None:
    with pytest.raises(YamlSyntaxError, match="unsupported YAML tag"):
        load_located("a: !!python/object/apply:os.system ['true']\n", "f.yaml")
    with pytest.raises(YamlSyntaxError, match="could not determine a constructor"):
        load_located("a: !!python/name:os.system\n", "f.yaml")
