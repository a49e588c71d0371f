"""Pipelines named by name: one ListPipelines listing per project (every page), then the
manifests resolved again with it — the same located checks as if the IDs had been written."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace

from checker.app.common import ClientOptions, CommonOptions, client_context, consequence
from checker.codearts.client import open_session
from checker.codearts.context import ClientContext
from checker.codearts.iam import IamTarget, targets_of
from checker.codearts.run_starts import list_pipelines
from checker.errors import CheckerError, ExitCode, ManifestError
from checker.gate.run_parameters import ListedPipeline, Listings
from checker.manifest.load import LoadResult, load_checks
from checker.output import Output


class NamesUnresolved(CheckerError):
    """The pipelines named by name could not be listed: nothing could be evaluated."""

    exit_code = ExitCode.UNEVALUATED


def with_pipeline_names(
    result: LoadResult,
    common: CommonOptions,
    client: ClientOptions,
    console: Output,
    timeout: float | None,
) -> LoadResult:
    """``result`` with every pipeline named by name found by ID (a no-op when none is)."""
    named = [check for check in result.checks if check.pipeline_name and not check.pipeline_id]
    if not named:
        return result
    groups = sorted({(check.endpoint, check.project_id) for check in named})
    context = client_context(client, common, console, timeout)
    listings = asyncio.run(_listings(context, groups, targets_of(named)))
    again = load_checks(
        common.manifests, replace(common.load, listings=listings), common.environment
    )
    if not again.ok:
        # Its warnings were said the first time.
        raise ManifestError(again.problems, consequence(common))
    banned = {p.pipeline_id for found in listings.values() for p in found if p.banned}
    return replace(again, banned=frozenset(banned))


async def _listings(
    context: ClientContext, groups: Sequence[tuple[str, str]], targets: Sequence[IamTarget]
) -> Listings:
    async with open_session(context) as session:
        for _, unknown in await session.settle_iam_projects(targets, context.environment):
            raise NamesUnresolved(f"cannot list pipelines: {unknown.message}", unknown.hint)
        answers = await list_pipelines(session, groups)
    listings: dict[tuple[str, str], tuple[ListedPipeline, ...]] = {}
    for group, (found, failure) in zip(groups, answers, strict=True):
        if found is None:
            why = failure.message if failure else "no answer"
            raise NamesUnresolved(
                f"cannot list the pipelines of project {group[1]} to find pipelines by name: {why}",
                "name the pipelines by pipeline_id to need no listing",
            )
        listings[group] = found
    return listings
