"""The manifest as frozen pydantic models: the single source of truth for its JSON Schema.

These models describe what a user writes. What the rest of the tool works on (one fully
resolved check, with its endpoint, project and run) lives in :mod:`checker.gate.checks`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field, StringConstraints, WithJsonSchema, model_validator

from checker.gate.types import ID_PATTERN, Frozen, Id, Severity, bad_id_message
from checker.manifest.expect_models import DURATION_PATTERN, ExpectBlock, Wait, bad_duration
from checker.manifest.start_models import StartBlock

# Editors validate the committed manifest before variables are substituted, so the published
# schema also accepts a value that contains a ${...} reference; the models stay strict.
ID_OR_REFERENCE_PATTERN = r"^(?:[A-Za-z0-9]{32}|.*\$\{[^}]*\}.*)$"
CHECK_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
VARIABLE_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"


def _id_json_schema(what: str) -> WithJsonSchema:
    return WithJsonSchema(
        {
            "type": "string",
            "pattern": ID_OR_REFERENCE_PATTERN,
            "description": f"{what}: exactly 32 letters or digits (quote it if it is all "
            "digits), or a ${var.NAME} / ${env.NAME} reference.",
        }
    )


ProjectId = Annotated[Id, _id_json_schema("Project ID")]
PipelineId = Annotated[Id, _id_json_schema("Pipeline ID")]
RunId = Annotated[Id, _id_json_schema("Pipeline run ID")]

MANIFEST_PATTERNS = {
    ID_PATTERN: bad_id_message,
    ID_OR_REFERENCE_PATTERN: bad_id_message,
    DURATION_PATTERN: bad_duration,
}
"""How schema and model errors explain a value that is not an ID or a duration."""


class Provider(Frozen):
    """Where the CodeArts Pipeline API lives and which project the checks belong to."""

    model_config = ConfigDict(title="Provider")

    region: str | None = Field(
        default=None,
        title="Region",
        description="Huawei Cloud region id, e.g. cn-north-4; resolved to the CodeArts "
        "Pipeline endpoint of that region.",
    )
    endpoint: str | None = Field(
        default=None,
        title="Endpoint",
        description="Explicit https endpoint instead of region. Must be a CodeArts Pipeline "
        "host (cloudpipeline-ext., pipeline-external., pipeline. or devcloud., a region, then "
        "myhuaweicloud.com, myhuaweicloud.eu or huaweicloud.com) unless allowed by "
        "CHECKER_ALLOWED_HOSTS.",
    )
    project_id: ProjectId | None = Field(
        default=None,
        title="CodeArts project ID",
        description="Default CodeArts project for every check (the ID in the CodeArts "
        "console URL; the {project_id} of every API path).",
    )
    iam_project_id: ProjectId | None = Field(
        default=None,
        title="IAM project ID",
        description="The IAM project of the region, sent as X-Project-Id with AK/SK "
        "signing; not the CodeArts project. Default: HUAWEICLOUD_SDK_PROJECT_ID, the "
        "credentials file's project_id, else looked up from IAM for the region.",
    )


class Defaults(Frozen):
    """Values every check takes unless it sets them itself."""

    model_config = ConfigDict(title="Defaults")

    expect: ExpectBlock | None = Field(
        default=None,
        title="Default expectation",
        description="Merged into each check's expect key by key (and within run); a check "
        "sets a key to null to drop its default.",
    )
    severity: Severity | None = Field(
        default=None,
        title="Default severity",
        description="error (blocks the gate) or warning (reported only).",
    )
    project_id: ProjectId | None = Field(
        default=None, title="Default project ID", description="Project for checks without one."
    )


class Variable(Frozen):
    """A declared input of the manifest, referenced as ${var.NAME}."""

    model_config = ConfigDict(title="Variable")

    description: str | None = Field(
        default=None, title="Description", description="What the variable is for."
    )
    default: str | None = Field(
        default=None,
        title="Default value",
        description="Used when no CHECKER_VAR_NAME, --var-file or --var gives a value.",
    )
    secret: bool = Field(
        default=False,
        title="Secret",
        description="Its value is masked in plans and redacted from every output and report.",
    )


class Check(Frozen):
    """One expectation about one pipeline run."""

    model_config = ConfigDict(
        title="Check",
        # Editors and the schema say one is needed; the model says "not both" too.
        json_schema_extra={"anyOf": [{"required": ["pipeline_id"]}, {"required": ["pipeline"]}]},
    )

    description: str | None = Field(
        default=None, title="Description", description="Shown in reports next to the check."
    )
    pipeline_id: PipelineId | None = Field(
        default=None,
        title="Pipeline ID",
        description="The pipeline to check (or name it with pipeline).",
    )
    pipeline: Annotated[str, StringConstraints(min_length=1, max_length=256)] | None = Field(
        default=None,
        title="Pipeline name",
        description="The pipeline to check, by its exact name instead of pipeline_id: "
        "plan, start and check find its ID with ListPipelines (one paged query per project).",
    )
    pipeline_run_id: RunId | None = Field(
        default=None,
        title="Pipeline run ID",
        description="The run to check. Omit it to take the run from a --runs file (the saved "
        "answer of the batch start API).",
    )
    project_id: ProjectId | None = Field(
        default=None, title="Project ID", description="Overrides the provider's project."
    )
    expect: ExpectBlock | None = Field(
        default=None,
        title="Expectation",
        description="What the run must show, merged key by key over defaults.expect (null "
        "drops a default); without either, status START_SUCCESS.",
    )
    severity: Severity | None = Field(
        default=None,
        title="Severity",
        description="error (default) blocks the gate; warning is reported but never changes "
        "the exit code.",
    )
    start: StartBlock | None = Field(
        default=None,
        title="Start parameters",
        description="How checker start starts this pipeline: branch, tag or commit, variables, "
        "stages (RunPipeline). Without it, the batch start API starts it with its defaults.",
    )

    @model_validator(mode="after")
    def _one_pipeline(self) -> Check:
        if (self.pipeline_id is None) == (self.pipeline is None):
            raise ValueError("a check names its pipeline with exactly one of pipeline_id, pipeline")
        return self


class Manifest(Frozen):
    """A checker manifest: which CodeArts pipeline runs must end how."""

    model_config = ConfigDict(
        title="checker manifest",
        json_schema_extra={"$id": "https://checker.invalid/schemas/manifest.schema.json"},
    )
    published_names: ClassVar[Mapping[str, str]] = {
        "ExpectBlock": "Expectation",
        "RunBlock": "RunExpectation",
    }
    """The written models' names in the published schema, which predates their renaming
    (the resolved ones are :class:`checker.gate.checks.Expectation` and friends)."""

    version: Literal[1] = Field(title="Manifest version", description="Always 1.")
    provider: Provider | None = Field(
        default=None,
        title="Provider",
        description="Region or endpoint, and project.",
    )
    variables: dict[str, Variable] | None = Field(
        default=None,
        title="Variables",
        description="Declared variables, referenced as ${var.NAME} in any string value.",
        json_schema_extra={"propertyNames": {"pattern": VARIABLE_NAME_PATTERN}},
    )
    defaults: Defaults | None = Field(
        default=None,
        title="Defaults",
        description="Values for checks that do not set them.",
    )
    wait: Wait | None = Field(
        default=None,
        title="Waiting",
        description="Timeout, poll interval and terminal statuses for checker check --wait.",
    )
    checks: dict[str, Check] = Field(
        title="Checks",
        description="The checks, by name. Names are unique: letters, digits, '.', '_' and '-'.",
        min_length=1,
        json_schema_extra={"propertyNames": {"pattern": CHECK_NAME_PATTERN}},
    )

    @model_validator(mode="after")
    def _names(self) -> Manifest:
        for name in self.checks:
            if not re.fullmatch(CHECK_NAME_PATTERN, name):
                raise ValueError(f"invalid check name {name!r}")
        for name in self.variables or {}:
            if not re.fullmatch(VARIABLE_NAME_PATTERN, name):
                raise ValueError(f"invalid variable name {name!r}")
        return self
