"""Problems and locations: one shape, built by name, printed on one line each."""

from __future__ import annotations

from checker.diagnostics.problem import (
    COMMAND_LINE,
    Location,
    Position,
    Problem,
    format_text,
    sorted_problems,
)


def test_problem_at_a_location() -> None:
    where = Location.of("gate.yaml", Position(3, 7))
    problem = Problem.at(where, "bad", path=("checks", "build", 0), hint="fix it")
    assert problem == Problem("gate.yaml", 3, 7, "error", "bad", "checks.build[0]", "fix it")
    assert problem.location == where and str(where) == "gate.yaml:3:7"
    assert format_text([problem]) == "gate.yaml:3:7: error: bad\n    hint: fix it"


def test_problem_on_the_command_line() -> None:
    problem = Problem.on_command_line("--var x", column=2, level="warning")
    assert (problem.file, problem.line, problem.column) == (COMMAND_LINE, 1, 2)
    assert not problem.is_error


def test_sorting_is_by_place_and_drops_repeats() -> None:
    late = Problem.at(Location("a", 9, 1), "late")
    early = Problem.at(Location("a", 2, 5), "early")
    assert sorted_problems([late, early, late]) == [early, late]
