"""How a check's pipeline is started, as a manifest writes it: ``start:`` (RunPipeline's
parameters, reviewed in the pull request like everything else)."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints, field_validator, model_validator

from checker.gate.types import Frozen

START_VARIABLE_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$"
# A git ref as git itself allows it, roughly: no spaces, control or glob characters (".." is
# refused by a validator: the schema's regex dialect has no look-ahead).
REF_PATTERN = r"^[^\s~^:?*\[\\\x00-\x1f\x7f]{1,255}$"
COMMIT_PATTERN = r"^[0-9a-fA-F]{7,64}$"

Ref = Annotated[str, StringConstraints(pattern=REF_PATTERN)]


class StartBlock(Frozen):
    """What ``checker start`` starts this check's pipeline with (RunPipeline); without it, the
    pipeline starts with its defaults through the batch start API."""

    model_config = ConfigDict(title="Start parameters")

    branch: Ref | None = Field(
        default=None, title="Branch", description="Run the code of this branch."
    )
    tag: Ref | None = Field(default=None, title="Tag", description="Run the code at this tag.")
    commit: Annotated[str, StringConstraints(pattern=COMMIT_PATTERN)] | None = Field(
        default=None,
        title="Commit",
        description="Run this commit (7 to 64 hex digits) of the default branch.",
    )
    repository: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = Field(
        default=None,
        title="Repository",
        description="The alias of the source to run, when the pipeline has several.",
    )
    variables: (
        dict[
            Annotated[str, StringConstraints(pattern=START_VARIABLE_PATTERN)],
            Annotated[str, StringConstraints(max_length=8192)],
        ]
        | None
    ) = Field(
        default=None,
        title="Variables",
        description="Pipeline parameters to set for this run (each must be settable at run "
        "time in the pipeline); values up to 8,192 characters.",
    )
    stages: (
        Annotated[list[Annotated[str, StringConstraints(min_length=1)]], Field(min_length=1)] | None
    ) = Field(
        default=None,
        title="Stages",
        description="Run only these stages, by name as the pipeline shows them.",
    )
    description: Annotated[str, StringConstraints(max_length=1024)] | None = Field(
        default=None,
        title="Run description",
        description="Shown with the run in CodeArts (up to 1,024 characters).",
    )

    @field_validator("branch", "tag")
    @classmethod
    def _no_dot_dot(cls, value: str | None) -> str | None:
        if value is not None and ".." in value:
            raise ValueError("a git ref cannot contain '..'")
        return value

    @model_validator(mode="after")
    def _one_ref(self) -> StartBlock:
        given = [name for name in ("branch", "tag", "commit") if getattr(self, name) is not None]
        if len(given) > 1:
            raise ValueError(
                f"start takes at most one of branch, tag, commit (not {', '.join(given)})"
            )
        return self
