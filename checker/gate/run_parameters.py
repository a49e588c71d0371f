"""What one pipeline is started with through RunPipeline: a branch, tag or commit, variables,
chosen stages, a description — resolved from a check's ``start:`` block."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

from checker.gate.types import Frozen, same_text

RefKind = Literal["branch", "tag", "commit"]


class RunParameters(Frozen):
    """A check's ``start:`` as checker sends it (names, not yet the pipeline's IDs)."""

    ref_kind: RefKind | None = None
    ref: str | None = None
    repository: str | None = None
    variables: tuple[tuple[str, str], ...] = ()
    stages: tuple[str, ...] = ()
    description: str | None = None

    def describe(self, shown: Callable[[str], str] = str) -> str:
        """``at tag v1.4.2, VERSION=1.4.2, stages Build, Sign``; ``shown`` masks secrets."""
        parts = []
        if self.ref is not None:
            source = f" of {self.repository}" if self.repository else ""
            parts.append(f"at {self.ref_kind} {self.ref}{source}")
        elif self.repository:
            parts.append(f"source {self.repository}")
        parts += [f"{name}={shown(value)}" for name, value in self.variables]
        if self.stages:
            parts.append("stages " + ", ".join(self.stages))
        if self.description:
            parts.append(f'description "{shown(self.description)}"')
        return ", ".join(parts) or "with its defaults"


class SourceFacts(Frozen):
    """One code source of a pipeline, as ShowPipelineDetail describes it."""

    alias: str | None = None
    git_type: str | None = None
    git_url: str | None = None
    codehub_id: str | None = None
    default_branch: str | None = None
    endpoint_id: str | None = None


class VariableFacts(Frozen):
    name: str
    runtime: bool = False
    """Whether it may be set when a run starts (``is_runtime``)."""
    secret: bool = False


class ListedPipeline(Frozen):
    """One pipeline of a project, as ListPipelines lists it."""

    pipeline_id: str
    name: str
    banned: bool = False


Listings = Mapping[tuple[str, str], tuple[ListedPipeline, ...]]
"""Every pipeline of each ``(endpoint, project)`` whose checks name pipelines by name."""


class PipelineFacts(Frozen):
    """What RunPipeline needs to know of a pipeline beyond the manifest (ShowPipelineDetail)."""

    pipeline_id: str
    name: str | None = None
    banned: bool = False
    sources: tuple[SourceFacts, ...] = ()
    variables: tuple[VariableFacts, ...] = ()
    stages: tuple[tuple[str, str], ...] = ()
    """(name, ID) of each stage of its definition, in order."""


def run_body(
    parameters: RunParameters, facts: PipelineFacts
) -> tuple[dict[str, object], list[str]]:
    """The RunPipeline body, or what the manifest asks that the pipeline does not have."""
    problems: list[str] = []
    body: dict[str, object] = {}
    if parameters.ref is not None or parameters.repository is not None:
        source, problem = _source(parameters, facts)
        if problem:
            problems.append(problem)
        elif source is not None:
            body["sources"] = [source]
    allowed = {v.name: v for v in facts.variables}
    variables = []
    for name, value in parameters.variables:
        known = allowed.get(name)
        if known is None or not known.runtime:
            settable = sorted(v.name for v in facts.variables if v.runtime)
            why = (
                "has no variable" if known is None else "does not let be set at start the variable"
            )
            problems.append(
                f"the pipeline {why} '{name}' (settable at start: {', '.join(settable) or 'none'})"
            )
        variables.append({"name": name, "value": value})
    if variables:
        body["variables"] = variables
    if parameters.stages:
        ids = _stage_ids(parameters.stages, facts, problems)
        if ids:
            body["choose_stages"] = ids
    if parameters.description:
        body["description"] = parameters.description
    return body, problems


def _source(
    parameters: RunParameters, facts: PipelineFacts
) -> tuple[dict[str, object] | None, str | None]:
    aliases = [s.alias or "(no alias)" for s in facts.sources]
    if parameters.repository is not None:
        chosen = [s for s in facts.sources if s.alias == parameters.repository]
        if not chosen:
            return (
                None,
                f"the pipeline has no source '{parameters.repository}' "
                f"(its sources: {', '.join(aliases) or 'none'})",
            )
    elif len(facts.sources) > 1:
        return (
            None,
            f"the pipeline has {len(facts.sources)} sources ({', '.join(aliases)}): "
            "say which with start.repository",
        )
    else:
        chosen = list(facts.sources)
    if not chosen:
        return None, "the pipeline has no code source to run a branch, tag or commit of"
    source = chosen[0]
    build: dict[str, object] = {"event_type": "Manual"}
    if parameters.ref_kind == "tag":
        build.update(build_type="tag", tag=parameters.ref)
    elif parameters.ref_kind == "branch":
        build.update(build_type="branch", target_branch=parameters.ref)
    elif parameters.ref_kind == "commit":
        build.update(
            build_type="branch", target_branch=source.default_branch, commit_id=parameters.ref
        )
    params = {key: value for key, value in source.model_dump().items() if value is not None}
    if parameters.ref_kind is not None:
        params["build_params"] = {k: v for k, v in build.items() if v is not None}
    return {"type": "code", "params": params}, None


def _stage_ids(names: tuple[str, ...], facts: PipelineFacts, problems: list[str]) -> list[str]:
    ids = []
    for name in names:
        found = [stage_id for stage, stage_id in facts.stages if same_text(stage, name)]
        if len(found) != 1:
            known = ", ".join(f'"{stage}"' for stage, _ in facts.stages) or "none could be read"
            why = "no stage" if not found else f"{len(found)} stages"
            problems.append(f'the pipeline has {why} named "{name}" (its stages: {known})')
            continue
        ids.append(found[0])
    return ids
