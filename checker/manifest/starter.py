"""The starter manifest ``checker init`` writes: a project's pipelines as checks, named by
name with their IDs in comments, ready for ``start`` and ``check --runs``. Pure text."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from checker.diagnostics.wording import counted
from checker.gate.run_parameters import ListedPipeline

MAX_NAME = 60
"""Check names made from pipeline names are cut to this many characters."""


@dataclass(frozen=True)
class StarterProject:
    """Where the pipelines were listed: what the manifest's provider says."""

    project_id: str
    region: str | None
    schema: str
    """What the ``$schema`` line points at (a path next to the manifest, or a URL)."""


def check_name(pipeline: ListedPipeline, taken: set[str]) -> str:
    """A check name from the pipeline's name (letters, digits, ``.``, ``_``, ``-``), unique
    among ``taken``; a name with none of those becomes ``pipeline-<ID start>``."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", pipeline.name.lower()).strip("-._")[:MAX_NAME]
    base = slug.strip("-._") or f"pipeline-{pipeline.pipeline_id[:8]}"
    name, number = base, 2
    while name in taken:
        name, number = f"{base}-{number}", number + 1
    taken.add(name)
    return name


def _provider(project: StarterProject) -> list[str]:
    lines = ["provider:"]
    if project.region:
        lines.append(f"  region: {project.region}")
    else:
        lines.append(
            "  # region: cn-north-4                 # or give --endpoint / CHECKER_ENDPOINT"
        )
    lines.append(f"  project_id: {project.project_id}")
    return lines


def _checks(pipelines: Sequence[ListedPipeline]) -> list[str]:
    lines = ["checks:"]
    taken: set[str] = set()
    for pipeline in pipelines:
        note = "; banned: it cannot start" if pipeline.banned else ""
        lines.append(
            f"  {check_name(pipeline, taken)}:  # pipeline ID {pipeline.pipeline_id}{note}"
        )
        lines.append(f"    pipeline: {json.dumps(pipeline.name, ensure_ascii=False)}")
    return lines


def starter_manifest(
    project: StarterProject, pipelines: Sequence[ListedPipeline], listed: int, when: str
) -> str:
    """The manifest text: ``pipelines`` (already chosen) of the ``listed`` the project has."""
    head = [
        f"# yaml-language-server: $schema={project.schema}",
        "#",
        f"# A starter gate for CodeArts project {project.project_id}, written by `checker init`",
        f"# on {when} from {counted(len(pipelines), 'pipeline')} of the {listed} it lists.",
        "# Keep the checks to gate on and delete the rest. Checks name no run: `checker start`",
        "# starts them and writes runs.json, then `checker check --runs runs.json --wait`.",
        "#   checker validate --allow-unset gate.yaml && checker plan --start gate.yaml",
        "version: 1",
        "",
    ]
    body = [
        "wait:",
        "  timeout: 30m",
        "  poll_interval: 15s",
        "",
        "defaults:",
        "  expect:",
        "    status: START_SUCCESS",
        "    # run:                              # gate on how each run ends (check --wait)",
        "    #   status: COMPLETED",
        "    #   max_duration: 30m",
        "",
    ]
    return "\n".join([*head, *_provider(project), "", *body, *_checks(pipelines)]) + "\n"
