"""Where requests go: the SDK's region table, overrides, and the rule that keeps a pull request
from sending the repository's credentials to a host of its choosing.

A manifest is changed in pull requests and then run by CI with the repository's secrets. So
an endpoint *written in a manifest* must be https on a Huawei Cloud domain; anything else
(a private gateway, the emulator on loopback) is accepted only from the command line or the
environment, which the pull request does not control.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from checker.diagnostics.documents import InputRefused, read_input
from checker.environment import ALLOWED_HOSTS_VARIABLE, REGIONS_FILE_VARIABLE, Environment

TRUSTED_DOMAINS = ("myhuaweicloud.com", "myhuaweicloud.eu", "huaweicloud.com")

# The official SDK's region table for CodeArts Pipeline (huaweicloudsdkcodeartspipeline 3.1.219).
_EXT = "https://cloudpipeline-ext.{region}.myhuaweicloud.com"
_EXTERNAL = "https://pipeline-external.{region}.myhuaweicloud.com"
_PLAIN = "https://pipeline.{region}.myhuaweicloud.com"
REGION_ENDPOINTS: Mapping[str, str] = {
    region: pattern.format(region=region)
    for pattern, regions in (
        (
            _EXT,
            (
                "cn-north-1",
                "cn-north-4",
                "cn-south-1",
                "cn-south-2",
                "cn-east-2",
                "cn-east-3",
                "cn-southwest-2",
                "ap-southeast-3",
                "sa-brazil-1",
                "la-north-2",
            ),
        ),
        (_EXTERNAL, ("tr-west-1", "la-south-2")),
        (_PLAIN, ("af-north-1", "me-east-1", "af-south-1")),
    )
    for region in regions
} | {
    # Documented by Huawei's pages, not in the SDK's table (see the reference notes).
    "cn-northeast-1": "https://cloudpipeline-ext.cn-northeast-1.myhuaweicloud.com",
    "eu-west-101": "https://pipeline-external.eu-west-101.myhuaweicloud.eu",
}

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# Where CodeArts Pipeline answers, and nothing else under Huawei's domains: tenant-controlled
# hosts there (OBS buckets, say) must never receive a manifest's credentials.
SERVICE_PREFIXES = ("cloudpipeline-ext", "pipeline-external", "pipeline", "devcloud")
_REGION = r"[a-z]{2,}(?:-[a-z]+)+-[0-9]+"
SERVICE_HOST = re.compile(
    rf"(?:{'|'.join(SERVICE_PREFIXES)})\.{_REGION}\.(?:"
    + "|".join(re.escape(domain) for domain in TRUSTED_DOMAINS)
    + ")"
)
SERVICE_HOST_DESCRIPTION = (
    "a CodeArts Pipeline host (cloudpipeline-ext., pipeline-external., pipeline. or devcloud., "
    "then a region, under " + ", ".join(TRUSTED_DOMAINS) + ")"
)
# What a URL may hold, as httpx will send it: printable ASCII without spaces, quotes or angle
# brackets. A tab, a control or a fullwidth character would pass urlsplit and fail later.
_URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


class EndpointRefused(ValueError):
    """An endpoint that may not be used from where it was given; the message says why."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def normalise(url: str) -> str:
    """A usable base URL (scheme, host, optional port and path prefix), without trailing ``/``.

    Raises :class:`EndpointRefused` for anything that is not an absolute http(s) URL.
    """
    text = url.strip()
    if not _URL_CHARACTERS.fullmatch(text):
        raise EndpointRefused(
            "an endpoint may hold only printable ASCII letters, digits and URL punctuation",
            "write non-ASCII host names in their xn-- form",
        )
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise EndpointRefused(f"'{url}' is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EndpointRefused(f"'{url}' is not an http(s) URL", "write it as https://HOST[:PORT]")
    if parts.username or parts.password:
        raise EndpointRefused("an endpoint must not contain a user name or password")
    if parts.query or parts.fragment:
        raise EndpointRefused(f"'{url}' must not have a query or fragment")
    return _canonical(parts.scheme.lower(), parts.hostname.lower(), port, parts.path)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _canonical(scheme: str, host: str, port: int | None, path: str) -> str:
    """One spelling per endpoint: requests are grouped (and pipelines started) per endpoint,
    so ``HTTPS://Host:443/./`` and ``https://host`` must be the same one."""
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment not in ("", "."):
            segments.append(segment)
    prefix = "/" + "/".join(segments) if segments else ""
    return f"{scheme}://{netloc}{prefix}"


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cleartext_risk(endpoint: str) -> str | None:
    """What a plain-http endpoint off this machine exposes, or None."""
    if urlsplit(endpoint).scheme != "http" or is_loopback(host_of(endpoint)):
        return None
    return (
        f"{endpoint} is plain http and not this machine: the IAM token or the request "
        "signatures, and every answer, cross the network unencrypted; use https"
    )


def check_manifest_endpoint(url: str, allowed_hosts: frozenset[str]) -> str:
    """Accept an endpoint written in a manifest only if it cannot leak credentials.

    ``allowed_hosts`` are the further hosts the environment allows (``CHECKER_ALLOWED_HOSTS``).
    """
    endpoint = normalise(url)
    scheme = urlsplit(endpoint).scheme
    host = host_of(endpoint)
    allowed = host in allowed_hosts
    how = (
        "pass it with --endpoint or CHECKER_ENDPOINT (which a pull request cannot change), "
        f"or list the host in {ALLOWED_HOSTS_VARIABLE}"
    )
    if scheme != "https" and not (allowed and host in LOOPBACK_HOSTS):
        raise EndpointRefused(f"endpoint '{endpoint}' in a manifest must use https", how)
    if not (SERVICE_HOST.fullmatch(host) or allowed):
        raise EndpointRefused(
            f"endpoint host '{host}' in a manifest is not {SERVICE_HOST_DESCRIPTION}: "
            "a manifest could send your credentials there",
            how,
        )
    return endpoint


def region_endpoint(region: str, environment: Environment) -> str:
    """The endpoint for a region id, honouring the SDK's per-region override variable (which,
    as in the SDK, may list several endpoints separated by commas: the first is used)."""
    override = environment.region_endpoint(region) or regions_file_endpoint(region, environment)
    if override:
        first = next((part.strip() for part in override.split(",") if part.strip()), "")
        return normalise(first)
    try:
        return REGION_ENDPOINTS[region]
    except KeyError:
        close = difflib.get_close_matches(region, list(REGION_ENDPOINTS), n=1, cutoff=0.75)
        guess = f"; did you mean '{close[0]}'?" if close else ""
        raise EndpointRefused(
            f"unknown region '{region}'{guess} Known regions: "
            f"{', '.join(sorted(REGION_ENDPOINTS))}",
            "for a region or site not in this table, set provider.endpoint instead",
        ) from None


REGIONS_FILE = Path(".huaweicloud") / "regions.yaml"
MAX_REGIONS_FILE_BYTES = 1024 * 1024


def regions_file_endpoint(region: str, environment: Environment) -> str | None:
    """The region's CodeArts Pipeline endpoint from the SDK's regions file, as the SDK reads
    it: ``CODEARTSPIPELINE: [{id, endpoint | endpoints}]``, from ``HUAWEICLOUD_SDK_REGIONS_FILE``
    or ``~/.huaweicloud/regions.yaml``. Like the environment, it is command-line trust: a pull
    request does not write it. None when there is no file or no entry for the region."""
    path = environment.regions_file
    if path is None:
        if environment.home is None:
            return None
        path = environment.home / REGIONS_FILE
        if not path.is_file():
            return None
    try:
        data = yaml.safe_load(read_input(path, MAX_REGIONS_FILE_BYTES).decode("utf-8"))
    except (InputRefused, UnicodeDecodeError, yaml.YAMLError) as error:
        reason = str(error) if isinstance(error, InputRefused) else error.__class__.__name__
        raise EndpointRefused(
            f"cannot read regions file {path}: {reason}",
            f"fix or remove it (or unset {REGIONS_FILE_VARIABLE})",
        ) from None
    entries = data.get("CODEARTSPIPELINE") if isinstance(data, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("id") != region:
            continue
        endpoints = entry.get("endpoints")
        if isinstance(endpoints, list) and endpoints and isinstance(endpoints[0], str):
            return ",".join(str(e) for e in endpoints)
        if isinstance(entry.get("endpoint"), str):
            return str(entry["endpoint"])
    return None
