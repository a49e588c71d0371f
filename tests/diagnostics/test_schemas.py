"""The published schemas are generated from the models and committed; they must not drift,
and they must be usable by editors: every manifest field has a title and a description."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import DATA, EXAMPLES, REPO, run_cli
from jsonschema import Draft202012Validator

from checker.cli import SCHEMA_NAMES, schema_model
from checker.diagnostics.generation import schema_text

SCHEMA_DIR = REPO / "schemas"


@pytest.mark.parametrize("name", sorted(SCHEMA_NAMES))
def test_committed_schema_matches_the_models(name: str) -> None:
    committed = (SCHEMA_DIR / f"{name}.schema.json").read_text()
    assert committed == schema_text(schema_model(name)), (
        f"schemas/{name}.schema.json is stale: run `checker schema {name} > "
        f"schemas/{name}.schema.json`"
    )


def test_schema_command_prints_the_committed_schema() -> None:
    run = run_cli(["schema", "manifest"])
    assert run.exit_code == 0
    assert run.stdout == (SCHEMA_DIR / "manifest.schema.json").read_text()


def _properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = [(f"root.{k}", v) for k, v in schema.get("properties", {}).items()]
    for name, definition in schema.get("$defs", {}).items():
        found += [(f"{name}.{k}", v) for k, v in definition.get("properties", {}).items()]
    return found


def test_every_manifest_field_has_title_and_description() -> None:
    schema = json.loads((SCHEMA_DIR / "manifest.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    missing = [
        name
        for name, prop in _properties(schema)
        if "title" not in prop or "description" not in prop
    ]
    assert missing == []


@pytest.mark.parametrize(
    "path",
    [
        EXAMPLES / "release-gate.yaml",
        *sorted(
            p
            for p in (DATA / "manifests" / "valid").glob("*.yaml")
            if not p.name.endswith(".vars.yaml")
        ),
    ],
    ids=lambda p: p.name,
)
def test_valid_manifests_pass_the_published_schema(path: Path) -> None:
    schema = json.loads((SCHEMA_DIR / "manifest.schema.json").read_text())
    errors = list(Draft202012Validator(schema).iter_errors(yaml.safe_load(path.read_text())))
    assert errors == []


def test_examples_point_editors_at_the_schema() -> None:
    first = (EXAMPLES / "release-gate.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/manifest.schema.json"


def test_example_world_is_valid() -> None:
    run = run_cli(["validate", str(EXAMPLES / "release-gate.yaml")])
    assert run.exit_code == 0
    schema = json.loads((SCHEMA_DIR / "world.schema.json").read_text())
    world = yaml.safe_load((EXAMPLES / "world.yaml").read_text())
    assert list(Draft202012Validator(schema).iter_errors(world)) == []
