"""``init``: a starter manifest for a CodeArts project, from the pipelines it lists."""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from checker.app.common import ClientOptions
from checker.app.names import NamesUnresolved
from checker.codearts.context import ClientContext
from checker.codearts.iam import IamTarget
from checker.codearts.run_starts import list_pipelines
from checker.codearts.timing import utc_now
from checker.diagnostics.wording import counted
from checker.environment import Environment
from checker.errors import CheckerError, ExitCode, UsageError
from checker.gate.run_parameters import ListedPipeline
from checker.manifest.starter import StarterProject, starter_manifest
from checker.output import Output

DEFAULT_SCHEMA_REF = "manifest.schema.json"


@dataclass(frozen=True)
class InitOptions:
    project_id: str
    endpoint: str
    region: str | None
    client: ClientOptions
    environment: Environment
    name_glob: str | None = None
    out: Path | None = None
    schema: str = DEFAULT_SCHEMA_REF


def init(options: InitOptions, console: Output) -> ExitCode:
    """List the project's pipelines and write the starter manifest (stdout without --out);
    an existing --out is never overwritten."""
    from checker.app.common import CommonOptions, client_context
    from checker.manifest.load import LoadOptions

    if options.out is not None and (options.out.exists() or options.out.is_symlink()):
        raise UsageError(
            f"{options.out} exists: init never overwrites a file", "choose another --out"
        )
    common = CommonOptions((), LoadOptions(), options.environment)
    context = client_context(options.client, common, console, options.client.timeout)
    listed = asyncio.run(_listed(context, options))
    chosen = [p for p in listed if options.name_glob is None or _matches(p, options.name_glob)]
    if not listed:
        raise UsageError(f"project {options.project_id} lists no pipelines: nothing to write")
    if not chosen:
        names = ", ".join(sorted(p.name for p in listed)[:20])
        raise UsageError(
            f"no pipeline of project {options.project_id} matches --name {options.name_glob}",
            f"its pipelines: {names}",
        )
    project = StarterProject(options.project_id, options.region, options.schema)
    when = utc_now().strftime("%Y-%m-%d")
    text = starter_manifest(project, sorted(chosen, key=lambda p: p.name), len(listed), when)
    if options.out is None:
        console.out(text.rstrip("\n"))
        return ExitCode.PASSED
    _write_new(options.out, text)
    of = counted(len(listed), "pipeline")
    console.err(f"wrote {options.out}: {len(chosen)} of {of} as checks")
    return ExitCode.PASSED


def _matches(pipeline: ListedPipeline, glob: str) -> bool:
    return fnmatch.fnmatchcase(pipeline.name.casefold(), glob.casefold())


async def _listed(context: ClientContext, options: InitOptions) -> tuple[ListedPipeline, ...]:
    from checker.codearts.client import open_session

    target = IamTarget(options.endpoint, options.region, None)
    async with open_session(context) as session:
        for _, unknown in await session.settle_iam_projects([target], context.environment):
            raise NamesUnresolved(f"cannot list pipelines: {unknown.message}", unknown.hint)
        [(found, failure)] = await list_pipelines(session, [(options.endpoint, options.project_id)])
    if found is None:
        why = failure.message if failure else "no answer"
        raise NamesUnresolved(f"cannot list the pipelines of project {options.project_id}: {why}")
    return found


def _write_new(path: Path, text: str) -> None:
    """Write ``path`` whole, and only if nothing is there: a link never replaces a file."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        try:
            os.link(temporary, path)
        finally:
            with contextlib.suppress(OSError):
                Path(temporary).unlink()
    except FileExistsError:
        raise UsageError(f"{path} exists: init never overwrites a file") from None
    except OSError as error:
        raise CheckerError(f"cannot write {path}: {error.strerror}") from None
