"""Asking IAM for the IAM project of a region, as the official SDK does (``IamHelper``):
``GET {iam}/v3/projects?name={region}``, AK/SK-signed without ``X-Project-Id``, at most once
per region and command, before any CodeArts request."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from checker.codearts.credentials import AccessKeyCredentials, Credentials
from checker.codearts.endpoints import EndpointRefused
from checker.codearts.iam import (
    HOW_TO_CHOOSE,
    MAX_ANSWER_BYTES,
    PROJECTS_PATH,
    IamProjectUnknown,
    IamTarget,
    iam_endpoint,
    iam_source,
)
from checker.diagnostics.problem import printable
from checker.environment import IAM_ENDPOINT_VARIABLE, Environment
from checker.gate.types import is_id


def read_projects(body: Any, region: str) -> str:
    """The one project IAM lists for ``region``; none or several is an error."""
    projects = body.get("projects") if isinstance(body, dict) else None
    if not isinstance(projects, list):
        raise IamProjectUnknown(
            f"IAM's answer for region {region} is not a project list", HOW_TO_CHOOSE
        )
    ids: list[str] = [
        p["id"]
        for p in projects
        if isinstance(p, dict) and p.get("name") == region and isinstance(p.get("id"), str)
    ]
    valid = [project for project in ids if is_id(project)]
    if not valid:
        raise IamProjectUnknown(f"IAM has no project for region {region}", HOW_TO_CHOOSE)
    if len(valid) > 1:
        listed = ", ".join(printable(project) for project in valid)
        raise IamProjectUnknown(
            f"IAM has several projects for region {region}: {listed}",
            f"choose one: {HOW_TO_CHOOSE}",
        )
    return valid[0]


def _refused(status: int, body: Any, host: str | None, region: str) -> IamProjectUnknown:
    fields = body if isinstance(body, dict) else {}
    details = [f"HTTP {status}"] + [
        printable(str(fields[key]))[:200]
        for key in ("error_code", "error_msg")
        if isinstance(fields.get(key), str)
    ]
    what = "authentication failed" if status in (401, 403) else "refused"
    return IamProjectUnknown(
        f"{what} ({', '.join(details)}) asking IAM at {host} for the project of {region}",
        "check that the SK belongs to the AK and that this machine's clock is right "
        "(retrying is pointless: repeated failures lock the key for 5 minutes); "
        "or skip the lookup: " + HOW_TO_CHOOSE,
    )


async def look_up(
    client: httpx.AsyncClient, credentials: AccessKeyCredentials, region: str, iam: str
) -> str:
    """Ask IAM for the region's project: signed, without X-Project-Id, no redirects, the
    answer bounded; what the caller's client refuses (TLS, time) is an error here too."""
    url = f"{iam}{PROJECTS_PATH}?name={quote(region, safe='')}"
    host = urlsplit(iam).hostname
    try:
        async with client.stream(
            "GET",
            url,
            headers={"Content-Type": "application/json;charset=UTF-8"},
            auth=credentials.auth(None),
        ) as response:
            content = bytearray()
            async for chunk in response.aiter_bytes():
                content += chunk
                if len(content) > MAX_ANSWER_BYTES:
                    raise IamProjectUnknown(
                        f"IAM at {host} answered with more than {MAX_ANSWER_BYTES:,} bytes",
                        HOW_TO_CHOOSE,
                    )
            status = response.status_code
    except httpx.HTTPError as error:
        raise IamProjectUnknown(
            f"could not ask IAM at {host} for the project of {region}: {error.__class__.__name__}",
            HOW_TO_CHOOSE,
        ) from None
    try:
        body = json.loads(bytes(content))
    except ValueError:
        body = None
    if status != 200:
        raise _refused(status, body, host, region)
    if body is None:
        raise IamProjectUnknown(
            f"IAM at {host} answered the project lookup with something not JSON", HOW_TO_CHOOSE
        ) from None
    return read_projects(body, region)


async def settle(
    client: httpx.AsyncClient,
    credentials: Credentials,
    targets: Sequence[IamTarget],
    environment: Environment,
) -> tuple[dict[str, str], list[tuple[IamTarget, IamProjectUnknown]]]:
    """Each endpoint's IAM project (AK/SK only: a token carries none), IAM asked at most once
    per region; and the endpoints whose project could not be found, with why."""
    if not isinstance(credentials, AccessKeyCredentials):
        return {}, []
    looked_up: dict[str, str | IamProjectUnknown] = {}
    found: dict[str, str] = {}
    unknown: list[tuple[IamTarget, IamProjectUnknown]] = []
    for target in targets:
        try:
            source = iam_source(target, environment, credentials)
            if source.project is not None:
                found[target.endpoint] = source.project
                continue
            if source.region is None:
                raise IamProjectUnknown(
                    f"the IAM project for {target.endpoint} is unknown: the endpoint is "
                    "explicit and the manifest names no region to ask IAM about",
                    HOW_TO_CHOOSE + ", or provider.region beside --endpoint",
                )
            if source.region not in looked_up:
                looked_up[source.region] = await _asked(
                    client, credentials, source.region, environment
                )
            answer = looked_up[source.region]
            if isinstance(answer, IamProjectUnknown):
                raise answer
            found[target.endpoint] = answer
        except EndpointRefused as refused:
            problem = IamProjectUnknown(
                f"{IAM_ENDPOINT_VARIABLE}: {refused}", "set it to https://IAM-HOST"
            )
            unknown.append((target, problem))
        except IamProjectUnknown as problem:
            unknown.append((target, problem))
    return found, unknown


async def _asked(
    client: httpx.AsyncClient,
    credentials: AccessKeyCredentials,
    region: str,
    environment: Environment,
) -> str | IamProjectUnknown:
    try:
        return await look_up(client, credentials, region, iam_endpoint(region, environment))
    except IamProjectUnknown as unknown:
        return unknown
