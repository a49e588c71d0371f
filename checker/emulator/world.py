"""The emulator's world file: projects, pipelines, runs, accepted credentials, scripted faults."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from checker.gate.types import ID_PATTERN, Frozen, Id


class WorldStep(Frozen):
    """One step of a run's life: a run-level status, held for some polls or seconds."""

    status: str = Field(title="Run status", description="e.g. RUNNING, COMPLETED, FAILED.")
    polls: int | None = Field(
        default=None,
        ge=1,
        title="Polls",
        description="Held for this many run-level queries of the run, then the next step.",
    )
    seconds: float | None = Field(
        default=None, ge=0, title="Seconds", description="Held this long, then the next step."
    )
    stages: dict[str, str] | None = Field(
        default=None, title="Stages", description="Stage name → status during this step."
    )


class WorldFailure(Frozen):
    """Where a run's failing stage failed: its job and step, their message and the step's log
    (ShowPipelineLog serves it, paged)."""

    job: str = Field(default="Build job", title="Job name")
    step: str = Field(default="Build step", title="Step name")
    message: str = Field(default="exit status 1", title="The step's error message")
    log: str = Field(default="", title="The step's log text")


class WorldRunState(Frozen):
    """How a run goes, as the run-level APIs report it."""

    status: str | None = Field(
        default=None, title="Run status", description="A fixed status (instead of a timeline)."
    )
    timeline: list[WorldStep] | None = Field(
        default=None, title="Timeline", description="Steps in order; the last one holds."
    )
    stages: dict[str, str] = Field(
        default_factory=dict,
        title="Stages",
        description="Stage name → status, for steps that list none.",
    )
    number: int | None = Field(default=None, title="Run number")
    started_seconds_ago: float = Field(
        default=0, ge=0, title="Started seconds ago", description="Relative to the emulator start."
    )
    duration_seconds: float | None = Field(
        default=None,
        ge=0,
        title="Duration",
        description="Start to end once ended (default: until the run reached its final step).",
    )
    detail_url: str | None = Field(default=None, title="Detail URL (default: a console link)")
    retry_timeline: list[WorldStep] | None = Field(
        default=None,
        title="Retry timeline",
        description="What the next attempt does after RetryPipelineRun (default: the same "
        "timeline again).",
    )
    failure: WorldFailure | None = Field(
        default=None,
        title="Failure",
        description="The job, step, message and log of a FAILED stage (default: generic ones).",
    )

    def steps(self) -> list[WorldStep]:
        if self.timeline:
            return self.timeline
        return [WorldStep(status=self.status or "COMPLETED")]


class WorldRun(Frozen):
    status: str = Field(
        default="START_SUCCESS", title="Status", description="What batch-runs/result reports."
    )
    reason: str | None = Field(default=None, title="Reason", description="Why it failed.")
    run: WorldRunState | None = Field(
        default=None,
        title="Run-level state",
        description="Status, stages and times the run-level APIs report (default for a run "
        "that started: COMPLETED).",
    )
    hidden_polls: int = Field(
        default=0,
        ge=0,
        title="Hidden for",
        description="Unknown to every API for its first N queries: a run that appears late.",
    )


class WorldSource(Frozen):
    """A code source, as ShowPipelineDetail lists it; RunPipeline must name its git_url."""

    alias: str | None = Field(default=None, title="Alias")
    git_type: str = Field(default="codehub", title="Git type")
    git_url: str = Field(default="https://codehub.example/demo/app.git", title="Repository URL")
    default_branch: str = Field(default="master", title="Default branch")


class WorldVariable(Frozen):
    name: str = Field(title="Name")
    value: str = Field(default="", title="Default value")
    runtime: bool = Field(default=True, title="Settable when a run starts (is_runtime)")
    secret: bool = Field(default=False, title="Secret (is_secret)")


class WorldPipeline(Frozen):
    name: str = Field(title="Pipeline name")
    sources: list[WorldSource] = Field(
        default_factory=lambda: [WorldSource()],
        title="Code sources",
        description="What ShowPipelineDetail lists (default: one CodeHub repository).",
    )
    variables: list[WorldVariable] = Field(default_factory=list, title="Pipeline variables")
    stages: list[str] = Field(
        default_factory=lambda: ["Build", "Test", "Deploy"],
        title="Stages",
        description="Stage names of the definition; their IDs are derived from the names.",
    )
    banned: bool = Field(
        default=False,
        title="Banned",
        description="Runs started through the emulator's batch start API fail to start.",
    )
    runs: dict[str, WorldRun] = Field(
        default_factory=dict,
        title="Runs",
        description="By run ID (32 letters or digits).",
        json_schema_extra={"propertyNames": {"pattern": ID_PATTERN}},
    )
    latest: Id | None = Field(
        default=None,
        title="Latest run",
        description="The pipeline's latest run (default: the last one listed).",
    )
    started_runs: WorldRunState = Field(
        default_factory=lambda: WorldRunState(
            timeline=[WorldStep(status="RUNNING", polls=2), WorldStep(status="COMPLETED")]
        ),
        title="Started runs",
        description="How runs started through the batch start API go (default: RUNNING for "
        "two polls, then COMPLETED).",
    )


class WorldProject(Frozen):
    pipelines: dict[str, WorldPipeline] = Field(
        default_factory=dict,
        title="Pipelines",
        json_schema_extra={"propertyNames": {"pattern": ID_PATTERN}},
    )


class WorldToken(Frozen):
    token: str = Field(min_length=1, title="IAM token accepted as X-Auth-Token")
    projects: list[Id] | None = Field(
        default=None, title="Projects", description="Only these projects (default: all)."
    )


class WorldAccessKey(Frozen):
    ak: str = Field(min_length=1, title="Access key ID")
    sk: str = Field(min_length=1, title="Secret access key")
    security_token: str | None = Field(
        default=None,
        title="Security token",
        description="Makes the pair temporary: requests must carry it as X-Security-Token.",
    )
    projects: list[Id] | None = Field(default=None, title="Projects")


class WorldCredentials(Frozen):
    tokens: list[WorldToken] = Field(default_factory=list, title="Accepted IAM tokens")
    access_keys: list[WorldAccessKey] = Field(default_factory=list, title="Accepted AK/SK pairs")


FaultApi = Literal[
    "result", "start", "status", "detail", "run", "pipeline", "list", "log", "stop", "retry"
]


class Fault(Frozen):
    """A scripted answer for the next matching requests, instead of the normal one."""

    times: int = Field(default=1, ge=1, title="How many requests it answers")
    project_id: Id | None = Field(default=None, title="Only requests for this project")
    api: FaultApi | None = Field(
        default=None,
        title="Only requests to this API",
        description="result: batch-runs/result; start: batch-runs; status: pipelines/status; "
        "detail: pipeline-runs/detail; run: RunPipeline; pipeline: ShowPipelineDetail; list: "
        "ListPipelines; log: ShowPipelineLog; stop: StopPipelineRun; retry: RetryPipelineRun.",
    )
    status: int = Field(default=500, ge=100, le=599, title="HTTP status")
    body: dict[str, Any] | list[Any] | str | None = Field(
        default=None, title="Body", description="JSON value, or raw text sent as is."
    )
    headers: dict[str, str] = Field(default_factory=dict, title="Extra response headers")
    delay_seconds: float = Field(default=0.0, ge=0, le=60, title="Wait before answering")
    action: Literal["answer", "close"] = Field(
        default="answer", title="answer, or close the connection without a response"
    )


DEFAULT_IAM_PROJECT = "1a2b3c4d5e6f40718293a4b5c6d7e8f9"
"""The IAM project of cn-north-4 in a world that declares none."""


class World(Frozen):
    """A local CodeArts Pipeline for ``checker emulator`` and the tests."""

    model_config = ConfigDict(title="checker emulator world")

    version: Literal[1] = Field(title="World file version")
    credentials: WorldCredentials = Field(default_factory=WorldCredentials, title="Credentials")
    iam_projects: dict[str, list[Id]] = Field(
        default_factory=lambda: {"cn-north-4": [DEFAULT_IAM_PROJECT]},
        title="IAM projects by region",
        description="What IAM lists for GET /v3/projects?name=REGION. AK/SK requests to "
        "CodeArts must carry one of them as X-Project-Id (a CodeArts project there is "
        "refused with 401 APIGW.0301, as a real gateway may). Default: one for cn-north-4.",
    )
    projects: dict[str, WorldProject] = Field(
        default_factory=dict,
        title="Projects",
        json_schema_extra={"propertyNames": {"pattern": ID_PATTERN}},
    )
    faults: list[Fault] = Field(default_factory=list, title="Scripted faults, in order")
    latency_seconds: float = Field(
        default=0.0,
        ge=0,
        le=10,
        title="Latency",
        description="Every answer waits this long first: a network and service to measure "
        "against (benchmarks).",
    )
    queue_after: int | None = Field(
        default=None,
        ge=0,
        title="Queue after",
        description="Once this many runs were started, RunPipeline queues further runs "
        "(DEVPIPE.00011170 with the run's ID): QUEUED for two polls, then as started runs go.",
    )
    max_batch: int | None = Field(
        default=None,
        ge=1,
        title="Largest batch",
        description="Batch requests with more items are refused with 413 APIGW.0201, like a "
        "gateway's body limit.",
    )

    def all_iam_projects(self) -> frozenset[str]:
        return frozenset(p for projects in self.iam_projects.values() for p in projects)

    def run_count(self) -> int:
        return sum(
            len(pipeline.runs)
            for project in self.projects.values()
            for pipeline in project.pipelines.values()
        )
