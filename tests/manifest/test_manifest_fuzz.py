"""Never a traceback: mutated manifests and raw junk always end in exit 0 or 2 with located
messages."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import DATA, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BASES = [
    yaml.safe_load((DATA / "manifests" / "valid" / name).read_text())
    for name in ("release-gate.yaml", "full-language.yaml", "anchors.yaml")
]
LOCATED = re.compile(r"^\S.*:\d+:\d+: (error|warning): .+$")

_junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.just("${var.NOPE}"),
    st.just("${env.HUAWEICLOUD_SDK_SK}"),
    st.just("$${"),
    st.just("12345678901234567890123456789012"),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    data = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = [p for p in _paths(data) if p]
        if not paths or not isinstance(data, dict):
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        key = path[-1]
        action = draw(st.sampled_from(["drop", "retype", "rename", "duplicate", "junk"]))
        if action == "drop":
            del parent[key]
        elif action == "retype":
            parent[key] = draw(_junk)
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = parent.pop(key)
        elif action == "duplicate" and isinstance(parent, dict):
            parent[f"{key}_copy"] = copy.deepcopy(parent[key])
        elif action == "junk" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(_junk)
    return data


def _assert_clean(path: Path) -> None:
    run = run_cli(["validate", str(path)])
    assert run.exception is None, repr(run.exception)
    assert run.exit_code in (0, 2), run.output
    assert "Traceback" not in run.output
    problem_lines = [
        line for line in run.stderr.splitlines() if line and not line.startswith("    hint:")
    ]
    assert all(LOCATED.match(line) for line in problem_lines), problem_lines
    if run.exit_code == 2:
        assert any(": error: " in line for line in problem_lines)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=mutated())
def test_mutated_manifests_never_crash(data: Any, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    _assert_clean(path)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=200))
def test_arbitrary_text_never_crashes(text: str, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    _assert_clean(path)


@pytest.mark.parametrize(
    "text",
    [
        "a: &a [*a]",  # recursive alias
        "!!python/object:os.system {}",
        "a: !!binary 'zz'",
        "---\nversion: 1\n---\nversion: 1\n",
        "[" * 2000,
        "a: &x [1]\nb: &y [*x, *x, *x, *x, *x, *x, *x, *x, *x]\n"
        + "".join(
            f"c{i}: &z{i} [*{'y' if i == 0 else f'z{i - 1}'}, *{'y' if i == 0 else f'z{i - 1}'}, "
            f"*{'y' if i == 0 else f'z{i - 1}'}, *{'y' if i == 0 else f'z{i - 1}'}]\n"
            for i in range(12)
        ),
        "\ufeffversion: 1\nchecks: 3\n",
        "version: 1\nchecks:\n  ? [a, b]\n  : x\n",
    ],
)
def test_hostile_yaml(text: str, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    _assert_clean(path)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    _assert_clean(path)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=mutated())
def test_the_one_pass_happy_path_accepts_only_what_the_schema_accepts(
    data: Any, tmp_path: Path
) -> None:
    """A valid manifest skips the schema (one validation pass); that is safe only if nothing
    the schema refuses gets through the model."""
    from checker.diagnostics.located_yaml import load_located
    from checker.diagnostics.schema import validate_document
    from checker.manifest.load import LoadOptions, load_checks
    from checker.manifest.models import MANIFEST_PATTERNS, Manifest

    path = tmp_path / "m.yaml"
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    path.write_text(text)
    result = load_checks([path], LoadOptions(allow_unset=True))
    if result.ok:
        document, _ = load_located(text, str(path))
        schema = validate_document(document, Manifest, MANIFEST_PATTERNS)
        assert [p for p in schema if p.is_error] == []
