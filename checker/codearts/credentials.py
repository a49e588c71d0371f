"""Where credentials come from, in the official SDK's terms. First complete source wins:

1. ``CHECKER_AUTH_TOKEN``: an IAM token, sent as ``X-Auth-Token``;
2. ``HUAWEICLOUD_SDK_AK`` + ``HUAWEICLOUD_SDK_SK`` (+ ``HUAWEICLOUD_SDK_SECURITY_TOKEN``);
3. the SDK's credentials file: ``HUAWEICLOUD_SDK_CREDENTIALS_FILE``, else
   ``~/.huaweicloud/credentials``, section ``[basic]`` with ``ak``, ``sk``, ``security_token``.

Secrets are never taken from command-line options: those show in process lists and CI logs.
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from checker.codearts.secret import MASK, MIN_SECRET_LENGTH, Redactor, Secret, mask_access_key
from checker.codearts.timing import Clock, utc_now

# Signing needs httpx; finding credentials (and redacting them) must not: every command,
# `validate` too, builds its redactor from them.
if TYPE_CHECKING:
    import httpx
from checker.environment import (
    AK_VARIABLE,
    CREDENTIALS_FILE_VARIABLE,
    SK_VARIABLE,
    TOKEN_VARIABLE,
    Environment,
)
from checker.errors import CredentialsError

DEFAULT_CREDENTIALS_FILE = Path(".huaweicloud") / "credentials"

HOW_TO_SET = (
    f"set {TOKEN_VARIABLE} (an IAM token), or {AK_VARIABLE} and {SK_VARIABLE}, or write "
    f"ak/sk under [basic] in ~/.huaweicloud/credentials ({CREDENTIALS_FILE_VARIABLE} moves it)"
)


def _forbidden_hint(project_id: str) -> str:
    return (
        f"the credentials were accepted but may not query project {project_id}: check the "
        "project ID and the IAM user's CodeArts Pipeline permissions"
    )


@dataclass(frozen=True)
class TokenCredentials:
    token: Secret
    source: str

    def describe(self) -> str:
        return self.source

    def auth(self, project_id: str | None, clock: Clock = utc_now) -> httpx.Auth:
        from checker.codearts.signing import TokenAuth

        return TokenAuth(self.token)

    def auth_hint(self, http_status: int | None, project_id: str) -> str:
        """What most likely went wrong when the gateway refused these credentials."""
        if http_status == 403:
            return _forbidden_hint(project_id)
        return (
            "the token may have expired (IAM tokens last 24 hours) or be scoped to another "
            f"project than {project_id}"
        )

    def redactor(self) -> Redactor:
        return Redactor({self.token.reveal(): MASK})


@dataclass(frozen=True)
class AccessKeyCredentials:
    access_key: Secret
    secret_key: Secret
    security_token: Secret | None
    source: str
    file_project_id: str | None = None
    """``project_id`` under ``[basic]`` when the pair came from the credentials file: the IAM
    project of the region (X-Project-Id), as the SDK reads it."""

    def describe(self) -> str:
        return f"{self.source} (AK {mask_access_key(self.access_key.reveal())})"

    def auth(self, project_id: str | None, clock: Clock = utc_now) -> httpx.Auth:
        from checker.codearts.signing import AkSkAuth

        return AkSkAuth(
            self.access_key,
            self.secret_key,
            project_id=project_id,
            security_token=self.security_token,
            clock=clock,
        )

    def auth_hint(self, http_status: int | None, project_id: str) -> str:
        """What most likely went wrong when the gateway refused these credentials: a retry
        is never the fix (repeated failures lock the key)."""
        if http_status == 403:
            return _forbidden_hint(project_id)
        return (
            "check that the SK belongs to the AK, that this machine's clock is right (the "
            "gateway refuses signatures more than 15 minutes off), and that the project is "
            f"{project_id}; retrying is pointless: repeated failures lock the key for 5 minutes"
        )

    def redactor(self) -> Redactor:
        ak = self.access_key.reveal()
        replacements = {ak: mask_access_key(ak), self.secret_key.reveal(): MASK}
        if self.security_token is not None:
            replacements[self.security_token.reveal()] = MASK
        return Redactor(replacements)


Credentials = TokenCredentials | AccessKeyCredentials


def credentials_file(environment: Environment) -> Path | None:
    """The SDK's credentials file; None without a home folder (a container with no HOME)."""
    if environment.credentials_file is not None:
        return environment.credentials_file
    return environment.home / DEFAULT_CREDENTIALS_FILE if environment.home else None


def _usable(credentials: Credentials) -> Credentials:
    """Credentials as headers can carry them: long enough to be real, printable ASCII with no
    space or line break (a token pasted with its newline fails every request otherwise)."""
    secrets = (
        {"token": credentials.token}
        if isinstance(credentials, TokenCredentials)
        else {
            "AK": credentials.access_key,
            "SK": credentials.secret_key,
            "security token": credentials.security_token,
        }
    )
    for what, secret in secrets.items():
        if secret is not None and len(secret.reveal()) < MIN_SECRET_LENGTH:
            raise CredentialsError(
                f"the {what} from {credentials.source} is too short to be real "
                f"(under {MIN_SECRET_LENGTH} characters)",
                HOW_TO_SET,
            )
        if secret is not None and not _HEADER_SAFE.fullmatch(secret.reveal()):
            raise CredentialsError(
                f"the {what} from {credentials.source} holds a space, a line break or a "
                "non-ASCII character",
                "copy it again without surrounding whitespace (a trailing newline is common)",
            )
    return credentials


_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")


def find_credentials(environment: Environment) -> Credentials | None:
    """The first complete source, None when there is none; half a key pair or a value too
    short to be a credential is an error."""
    found = _first_source(environment)
    return _usable(found) if found is not None else None


def _first_source(environment: Environment) -> Credentials | None:
    if environment.auth_token:
        return TokenCredentials(Secret(environment.auth_token), f"IAM token from {TOKEN_VARIABLE}")
    ak, sk = environment.access_key, environment.secret_key
    if ak or sk:
        if not ak:
            raise CredentialsError(f"{SK_VARIABLE} is set but {AK_VARIABLE} is not", HOW_TO_SET)
        if not sk:
            raise CredentialsError(f"{AK_VARIABLE} is set but {SK_VARIABLE} is not", HOW_TO_SET)
        security = environment.security_token
        return AccessKeyCredentials(
            Secret(ak),
            Secret(sk),
            Secret(security) if security else None,
            "temporary AK/SK from environment" if security else "AK/SK from environment",
        )
    path = credentials_file(environment)
    if path is None:
        return None
    return _from_file(path, explicit=environment.credentials_file is not None)


def _from_file(path: Path, *, explicit: bool) -> Credentials | None:
    if not path.is_file():
        if explicit:
            raise CredentialsError(
                f"{CREDENTIALS_FILE_VARIABLE} names {path}, which is not a file", HOW_TO_SET
            )
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError) as error:
        # The parser's message may quote a line of the file, which may hold a key: name only
        # the kind of problem.
        raise CredentialsError(
            f"cannot read credentials file {path}: {error.__class__.__name__}",
            "it must be an INI file with a [basic] section holding ak and sk",
        ) from None
    if not parser.has_section("basic"):
        return None
    section = parser["basic"]
    ak, sk = section.get("ak", "").strip(), section.get("sk", "").strip()
    if not ak and not sk:
        return None
    if not ak or not sk:
        missing = "ak" if not ak else "sk"
        raise CredentialsError(
            f"credentials file {path} has [basic] without '{missing}'", HOW_TO_SET
        )
    security = section.get("security_token", "").strip()
    return AccessKeyCredentials(
        Secret(ak),
        Secret(sk),
        Secret(security) if security else None,
        f"{'temporary ' if security else ''}AK/SK from credentials file {path}",
        section.get("project_id", "").strip() or None,
    )


@dataclass(frozen=True)
class CredentialChoice:
    """The credentials a command uses, looked up once: what was found, or why nothing usable
    was. A problem is raised only when the credentials are needed, so a manifest's problems
    are still said first."""

    found: Credentials | None
    problem: CredentialsError | None = None

    def describe(self) -> str:
        """Which source a run would use, by name only (``plan``, the start plan)."""
        if self.problem is not None:
            return f"unusable: {self.problem.message}"
        return self.found.describe() if self.found else f"none found ({HOW_TO_SET})"

    def require(self) -> Credentials:
        if self.problem is not None:
            raise self.problem
        if self.found is None:
            raise CredentialsError("no credentials found", HOW_TO_SET)
        return self.found


def choose_credentials(environment: Environment) -> CredentialChoice:
    """The environment's first complete source, or why there is none."""
    try:
        found = find_credentials(environment)
    except CredentialsError as error:
        return CredentialChoice(None, error)
    return CredentialChoice(found)


def environment_redactor(
    environment: Environment, choice: CredentialChoice | None = None
) -> Redactor:
    """Redacts the credentials this environment holds, even before they are used; ``choice``
    is the command's one lookup, when it made one already."""
    found = (choice or choose_credentials(environment)).found
    redactor = found.redactor() if found else Redactor()
    # Also the raw values, in case a source further down the precedence holds others.
    raw = (environment.auth_token, environment.secret_key, environment.security_token)
    secrets = {value: MASK for value in raw if value and len(value) >= MIN_SECRET_LENGTH}
    return redactor.merged(Redactor(secrets))
