"""Exit codes and the one error hierarchy the CLI turns into a message and an exit code."""

from __future__ import annotations

from enum import IntEnum

from checker.diagnostics.problem import Problem
from checker.diagnostics.wording import counted


class ExitCode(IntEnum):
    """The gate's verdict, as CI sees it."""

    PASSED = 0
    """Every blocking check passed."""
    FAILED = 1
    """At least one blocking check did not pass (wrong status or run missing)."""
    USAGE = 2
    """Usage or manifest problem: nothing was queried."""
    UNEVALUATED = 3
    """No blocking check failed, but at least one could not be evaluated."""
    UNFINISHED = 4
    """No blocking check failed or errored, but at least one had not ended (``pending``):
    "it did not finish in time", not "it is broken"."""


class CheckerError(Exception):
    """An expected problem the user can fix; shown as one line plus an optional hint.

    Messages must never carry secret values: callers build them from names, never from
    credential contents.
    """

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(CheckerError):
    """Bad command-line input."""


class CredentialsError(CheckerError):
    """No usable credentials, or half of a key pair."""


class InputError(CheckerError):
    """An input file has problems; they are listed separately, then what did not happen."""

    consequence = "nothing was done"

    def __init__(self, problems: tuple[Problem, ...], consequence: str | None = None) -> None:
        count = sum(problem.is_error for problem in problems)
        said = consequence or self.consequence
        super().__init__(f"{counted(count, 'problem')} found; {said}")
        self.problems = problems


class ManifestError(InputError):
    """The manifests, or the var and runs files they use, have problems."""

    consequence = "nothing was queried"


class WorldError(InputError):
    """The emulator's world file has problems."""

    consequence = "the emulator did not start"


class Stopped(BaseException):
    """The process was told to stop (Ctrl-C or SIGTERM) while a command ran.

    A BaseException, like KeyboardInterrupt, so that no ``except Exception`` swallows it.
    ``exit_code`` follows the shell's convention: 128 plus the signal number.
    """

    def __init__(self, signal_name: str, exit_code: int) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name
        self.exit_code = exit_code
