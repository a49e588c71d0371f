"""The API gateway in front of the service: IAM tokens and AK/SK signatures, as Huawei's
gateway checks them (15-minute clock window, temporary credentials, lockout after five
failures), and its error answers."""

from __future__ import annotations

import hmac
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from checker.codearts.signing import (
    ALGORITHM,
    DATE_FORMAT,
    canonical_request,
    signature,
    string_to_sign,
)
from checker.codearts.timing import Clock
from checker.emulator.world import WorldAccessKey, WorldCredentials

CLOCK_SKEW = timedelta(minutes=15)
LOCKOUT_FAILURES = 5
LOCKOUT = timedelta(minutes=5)
SIGNATURE_FAILED = "Incorrect IAM authentication information: verify aksk signature fail"
_AUTHORIZATION = re.compile(
    rf"{ALGORITHM} Access=([^,\s]+), SignedHeaders=([^,\s]+), Signature=([0-9a-f]+)"
)


@dataclass(frozen=True)
class Answer:
    """An HTTP answer to send: JSON unless ``raw``; ``close`` drops the connection instead."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    raw: bool = False
    close: bool = False
    delay: float = 0.0


def error_answer(status: int, code: str, message: str) -> Answer:
    return Answer(status, {"error_code": code, "error_msg": message})


def _unauthorized(detail: str) -> Answer:
    return error_answer(401, "APIGW.0301", detail)


@dataclass(frozen=True)
class SignedRequest:
    """What signature verification reads of a request."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


@dataclass
class _Lockout:
    failures: int = 0
    locked_until: datetime | None = None


class Gateway:
    """Decides whether a request may reach the service; None means it may."""

    def __init__(self, credentials: WorldCredentials, clock: Clock) -> None:
        self._credentials = credentials
        self._clock = clock
        self._lock = threading.Lock()
        self._lockouts: dict[str, _Lockout] = {}

    def authenticate(
        self,
        request: SignedRequest,
        project_id: str | None,
        iam_projects: frozenset[str] | None = None,
    ) -> Answer | None:
        """None when the request may pass. ``iam_projects``: for a project-level API, an
        AK/SK request must carry one of them, signed, as X-Project-Id (None: IAM's own
        APIs, which take none)."""
        token = request.headers.get("x-auth-token")
        if token is not None:
            for accepted in self._credentials.tokens:
                if hmac.compare_digest(accepted.token.encode(), token.encode()):
                    return _authorize(accepted.projects, project_id)
            return _unauthorized("Incorrect IAM authentication information: decrypt token fail")
        authorization = request.headers.get("authorization")
        if authorization is None:
            return _unauthorized(
                "Incorrect IAM authentication information: Authorization not found in header"
            )
        match = _AUTHORIZATION.fullmatch(authorization.strip())
        key = None
        if match is not None:
            key = next((k for k in self._credentials.access_keys if k.ak == match[1]), None)
        if match is None or key is None:
            return _unauthorized(SIGNATURE_FAILED)
        refused = self._signed(request, key, match[2], match[3], project_id)
        if refused is None and iam_projects is not None:
            return _iam_project_refused(request, match[2].split(";"), iam_projects)
        return refused

    def _signed(
        self,
        request: SignedRequest,
        key: WorldAccessKey,
        signed_list: str,
        given: str,
        project_id: str | None,
    ) -> Answer | None:
        now = self._clock()
        with self._lock:
            lockout = self._lockouts.setdefault(key.ak, _Lockout())
            if lockout.locked_until is not None and now < lockout.locked_until:
                return _unauthorized(
                    "Incorrect IAM authentication information: "
                    "AK access failed to reach the limit,forbidden."
                )
        problem = _verify(key, request, signed_list, given, now)
        with self._lock:
            if problem is not None:
                lockout.failures += 1
                if lockout.failures >= LOCKOUT_FAILURES:
                    lockout.locked_until, lockout.failures = now + LOCKOUT, 0
                return _unauthorized(problem)
            lockout.failures = 0
        return _authorize(key.projects, project_id)


def _verify(
    key: WorldAccessKey, request: SignedRequest, signed_list: str, given: str, now: datetime
) -> str | None:
    """Why the signature is refused, or None when it is good."""
    signed = signed_list.split(";")
    headers = request.headers
    if signed != sorted(signed) or not {"host", "x-sdk-date"} <= set(signed):
        return SIGNATURE_FAILED
    date_text = headers.get("x-sdk-date", "")
    try:
        sent_at = datetime.strptime(date_text, DATE_FORMAT).replace(tzinfo=now.tzinfo)
    except ValueError:
        return SIGNATURE_FAILED
    if abs(now - sent_at) > CLOCK_SKEW:
        return (
            "Incorrect IAM authentication information: "
            "the X-Sdk-Date is more than 15 minutes from the server time"
        )
    token = headers.get("x-security-token")
    expected_token = key.security_token
    if (expected_token is None) != (token is None) or (
        token is not None
        and expected_token is not None
        and (
            "x-security-token" not in signed
            or not hmac.compare_digest(token.encode(), expected_token.encode())
        )
    ):
        return "Incorrect IAM authentication information: invalid security token"
    canonical = canonical_request(
        request.method, request.path, request.query, headers, signed, request.body
    )
    expected = signature(key.sk, string_to_sign(canonical, date_text))
    if not hmac.compare_digest(expected, given):
        return SIGNATURE_FAILED
    return None


def _iam_project_refused(
    request: SignedRequest, signed: list[str], iam_projects: frozenset[str]
) -> Answer | None:
    given = request.headers.get("x-project-id")
    if given is None or "x-project-id" not in signed:
        return _unauthorized(
            "Incorrect IAM authentication information: X-Project-Id is required and signed"
        )
    if given not in iam_projects:
        return _unauthorized(
            f"Incorrect IAM authentication information: X-Project-Id {given[:64]} is not an "
            "IAM project of this region"
        )
    return None


def _authorize(projects: list[str] | None, project_id: str | None) -> Answer | None:
    if projects is not None and project_id is not None and project_id not in projects:
        return error_answer(403, "APIGW.0302", "The IAM user is not authorized to access the API.")
    return None
