"""One command's session: the environment snapshot, the redacting console, errors mapped to
one line and an exit code."""

from __future__ import annotations

import errno
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from checker.cli.console import Console, debug_logging
from checker.environment import Environment
from checker.errors import CheckerError, ExitCode, InputError, Stopped

if TYPE_CHECKING:
    from checker.codearts.credentials import CredentialChoice


def home_folder() -> Path | None:
    try:
        return Path.home()
    except (RuntimeError, KeyError):  # no HOME and no passwd entry: an arbitrary container UID
        return None


def environment() -> Environment:
    """The one snapshot of the process environment a command works with."""
    return Environment.from_mapping(os.environ, home_folder())


def credentials(environment: Environment) -> CredentialChoice:
    """The command's one credential lookup (it raises nothing: a problem is kept until the
    credentials are needed)."""
    from checker.codearts.credentials import choose_credentials

    return choose_credentials(environment)


def console_for(environment: Environment, credentials: CredentialChoice | None = None) -> Console:
    from checker.codearts.credentials import environment_redactor

    return Console(
        write_out=lambda text: _echo(text, err=False),
        write_err=lambda text: _echo(text, err=True),
        redactor=environment_redactor(environment, credentials),
    )


def _echo(text: str, *, err: bool) -> None:
    stream = sys.stderr if err else sys.stdout
    if stream is None:  # started with the descriptor closed (``2>&-``): nothing arrives
        raise OSError(errno.EBADF, "closed")
    click.echo(text, file=stream)


def _settle_stdout() -> None:
    """Flush stdout now, while a failure can still be ignored: a reader that went away (a
    broken pipe, ``| head``) must not turn the verdict into Python's exit code 120."""
    stream = sys.stdout
    if stream is None:
        return
    try:
        stream.flush()
    except (OSError, ValueError):
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError):
            pass


def exit_code(console: Console, debug: bool, action: Callable[[], ExitCode]) -> int:
    """Run a command body; map expected errors to one line plus hint, never a traceback."""
    try:
        return int(action())
    except InputError as error:
        console.problems(error.problems)
        console.err(f"error: {error.message}")
        return int(error.exit_code)
    except CheckerError as error:
        console.err(f"error: {error.message}")
        if error.hint:
            console.err(f"    hint: {error.hint}")
        return int(error.exit_code)
    except KeyboardInterrupt:
        console.err("interrupted")
        return 130  # the shell's convention for SIGINT
    except Stopped as stopped:
        console.err(f"stopped by {stopped.signal_name}")
        return stopped.exit_code
    except Exception as error:  # the last line of defence: no traceback unless asked for
        if debug:
            console.err("".join(traceback.format_exception(error)))
        console.err(
            f"internal error: {error.__class__.__name__} (run with --debug for details; "
            "please report it)"
        )
        return int(ExitCode.UNEVALUATED)


@contextmanager
def _signals_stop_once() -> Iterator[None]:
    """Ctrl-C and SIGTERM (what CI sends on timeout or cancel) stop a command once: the first
    raises, so what is known gets written; any later one is held until that is done, since
    ``timeout(1)`` and impatient people send a second within milliseconds."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only (an embedding test runner, say)
        return
    stopping = threading.Event()

    def stop(signum: int, _frame: object) -> None:
        if stopping.is_set():
            return
        stopping.set()
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Stopped(signal.Signals(signum).name, 128 + signum)

    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def run(
    environment: Environment,
    debug: bool,
    action: Callable[[Console], ExitCode],
    credentials: CredentialChoice | None = None,
) -> None:
    """Run a command body in a redacting console; ``credentials``: the command's one lookup,
    so the console does not make a second."""
    console = console_for(environment, credentials)
    with debug_logging(console, debug), _signals_stop_once():
        code = exit_code(console, debug, lambda: action(console))
    if console.stdout_lost():
        console.err("note: stdout could not be written (closed, full or a broken pipe)")
    _settle_stdout()
    sys.exit(code)


def _is_terminal(stream: TextIO | None) -> bool:
    # None: the process started with that descriptor closed.
    return stream is not None and stream.isatty()


def stdout_closed() -> bool:
    """Whether the process started with no stdout (``>&-``): what it prints is lost."""
    return sys.stdout is None


def stderr_is_terminal() -> bool:
    """Whether a person watches stderr: progress is then one live line."""
    return _is_terminal(sys.stderr)


def confirmer() -> Callable[[str], bool] | None:
    """How to ask a person, or None when no person is at a terminal to answer."""
    if not (_is_terminal(sys.stdin) and _is_terminal(sys.stderr)):
        return None
    return _ask


def _ask(question: str) -> bool:
    """Yes or no; Ctrl-D is no, Ctrl-C interrupts (click turns both into one Abort)."""
    try:
        return click.confirm(question, default=False, err=True)
    except click.Abort as abort:
        if isinstance(abort.__context__, KeyboardInterrupt):
            raise KeyboardInterrupt from None
        return False
