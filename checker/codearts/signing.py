"""Request authentication as httpx.Auth: IAM token, and AK/SK signing (``SDK-HMAC-SHA256``).

The signer reproduces the official SDK's ``huaweicloudsdkcore.signer.Signer`` byte for byte
(the tests use the SDK as the oracle). It does no I/O: the time comes from an injected clock.
The canonicalisation functions are shared with the emulator, which verifies signatures the
way the API gateway does.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Generator, Mapping
from datetime import UTC
from urllib.parse import quote, unquote, unquote_plus

import httpx

from checker.codearts.secret import Secret
from checker.codearts.timing import Clock, utc_now

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
DATE_HEADER = "X-Sdk-Date"
PROJECT_HEADER = "X-Project-Id"
SECURITY_TOKEN_HEADER = "X-Security-Token"
TOKEN_HEADER = "X-Auth-Token"
CONTENT_HASH_HEADER = "X-Sdk-Content-Sha256"
EMPTY_BODY_HASH = hashlib.sha256(b"").hexdigest()

# The headers checker signs when present. The SDK signs every header it holds at signing time
# (those same ones for a JSON request); headers a transport or proxy may rewrite are left out.
SIGNED_HEADER_NAMES = (
    "content-type",
    "host",
    "x-project-id",
    "x-sdk-content-sha256",
    "x-sdk-date",
    "x-security-token",
)


def _encode(text: str) -> str:
    return quote(text, safe="~")


def canonical_uri(raw_path: str) -> str:
    """Each decoded path segment re-encoded (only ``A-Za-z0-9-_.~`` kept), ending in ``/``."""
    uri = "/".join(_encode(segment) for segment in unquote(raw_path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(raw_query: str) -> str:
    """Decoded ``key=value`` pairs, sorted by key then value, re-encoded and joined by ``&``.

    Pairs are decoded with form rules (``+`` is a space) because that is how httpx, and the
    gateway, encode and read query strings.
    """
    pairs = []
    for item in raw_query.split("&"):
        if not item:
            continue
        key, _, value = item.partition("=")
        pairs.append((unquote_plus(key), unquote_plus(value)))
    pairs.sort()
    return "&".join(f"{_encode(key)}={_encode(value)}" for key, value in pairs)


def payload_hash(body: bytes, headers: Mapping[str, str]) -> str:
    """SHA-256 of the body; an empty body hashes as empty even if a content hash is declared."""
    if not body:
        return EMPTY_BODY_HASH
    declared = headers.get(CONTENT_HASH_HEADER.lower())
    if declared:
        return declared
    return hashlib.sha256(body).hexdigest()


def canonical_request(
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    signed_headers: list[str],
    body: bytes,
) -> str:
    """The SDK's canonical request. ``headers`` must have lower-case names."""
    header_lines = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed_headers)
    return "\n".join(
        (
            method.upper(),
            canonical_uri(raw_path),
            canonical_query(raw_query),
            header_lines,
            ";".join(signed_headers),
            payload_hash(body, headers),
        )
    )


def string_to_sign(canonical: str, sdk_date: str) -> str:
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{sdk_date}\n{digest}"


def signature(secret_key: str, text: str) -> str:
    return hmac.new(secret_key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def split_url(url: httpx.URL) -> tuple[str, str]:
    """The path and query exactly as they go on the wire (still percent-encoded)."""
    raw = url.raw_path.decode("ascii")
    path, _, query = raw.partition("?")
    return path, query


class AkSkAuth(httpx.Auth):
    """Signs every request with an access key pair, as the official SDK does."""

    requires_request_body = True

    def __init__(
        self,
        access_key: Secret,
        secret_key: Secret,
        *,
        project_id: str | None = None,
        security_token: Secret | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._access_key = access_key
        self._secret_key = secret_key
        self._project_id = project_id
        self._security_token = security_token
        self._clock = clock

    def sign(self, request: httpx.Request) -> None:
        """Add the date, project, token and Authorization headers to ``request``."""
        if DATE_HEADER not in request.headers:
            request.headers[DATE_HEADER] = self._clock().astimezone(UTC).strftime(DATE_FORMAT)
        if self._project_id and PROJECT_HEADER not in request.headers:
            request.headers[PROJECT_HEADER] = self._project_id
        if self._security_token is not None:
            request.headers[SECURITY_TOKEN_HEADER] = self._security_token.reveal()
        headers = {name.lower(): value for name, value in request.headers.items()}
        signed = [name for name in SIGNED_HEADER_NAMES if name in headers]
        path, query = split_url(request.url)
        canonical = canonical_request(request.method, path, query, headers, signed, request.content)
        to_sign = string_to_sign(canonical, headers[DATE_HEADER.lower()])
        request.headers["Authorization"] = (
            f"{ALGORITHM} Access={self._access_key.reveal()}, "
            f"SignedHeaders={';'.join(signed)}, "
            f"Signature={signature(self._secret_key.reveal(), to_sign)}"
        )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        yield request

    def __repr__(self) -> str:
        return f"AkSkAuth(project_id={self._project_id!r})"


class TokenAuth(httpx.Auth):
    """Sends an IAM token as ``X-Auth-Token``."""

    def __init__(self, token: Secret) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[TOKEN_HEADER] = self._token.reveal()
        yield request

    def __repr__(self) -> str:
        return "TokenAuth()"
