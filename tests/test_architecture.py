"""The house rules the layout promises, checked on the source: who may read the environment
or exit, what the pure core may import, how large a module or function may grow."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, TOKEN, Start

PACKAGE = REPO / "checker"
SOURCES = sorted(PACKAGE.rglob("*.py"))
# The largest module; splitting it further would scatter the click commands.
MODULE_LINES = {"checker/cli/__init__.py": 300}


def _relative(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def _attribute_uses(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            found.add(f"{node.value.id}.{node.attr}")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=_relative)
def test_only_the_cli_reads_the_environment_or_exits(path: Path) -> None:
    if path.is_relative_to(PACKAGE / "cli"):
        return
    uses = _attribute_uses(ast.parse(path.read_text()))
    assert not uses & {"os.environ", "os.getenv", "Path.home", "sys.exit"}, _relative(path)


def test_the_pure_core_loads_without_http_cli_or_templates() -> None:
    code = (
        "import sys, checker.gate.evaluator, checker.gate.planner, checker.gate.results, "
        "checker.manifest.load\n"
        "print(sorted({'httpx', 'click', 'jinja2', 'checker.emulator'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_every_package_states_its_contract() -> None:
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        docstring = ast.get_docstring(ast.parse(init.read_text())) or ""
        assert "Contract:" in docstring, _relative(init)


@pytest.mark.parametrize("path", SOURCES, ids=_relative)
def test_modules_functions_and_classes_stay_small(path: Path) -> None:
    source = path.read_text()
    assert source.count("\n") <= MODULE_LINES.get(_relative(path), 300)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            assert node.end_lineno - node.lineno < 50, f"{_relative(path)}: {node.name}"
        if isinstance(node, ast.ClassDef):
            assert node.end_lineno is not None
            assert node.end_lineno - node.lineno < 150, f"{_relative(path)}: {node.name}"


@pytest.mark.parametrize("path", SOURCES, ids=_relative)
def test_only_the_environment_module_names_variables(path: Path) -> None:
    """A variable's name as a value (a lookup key) appears in one module: messages may mention
    names, but nothing else reads them."""
    if path == PACKAGE / "environment.py":
        return
    names = [
        node.value
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(r"(CHECKER|HUAWEICLOUD|SSL)_[A-Z0-9_]+", node.value)
    ]
    assert names == [], _relative(path)


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["--help"],
        ["check", "--help"],
        ["init", "--help"],
        ["schema", "manifest"],
        ["schema", "world"],
        ["schema", "report"],
    ],
    ids=lambda args: " ".join(args),
)
def test_start_up_imports_only_what_the_command_needs(args: list[str]) -> None:
    """`--version`, `--help` and `schema` must stay fast: no HTTP client, no templating, no
    schema validator, no emulator server."""
    code = (
        "import sys\n"
        "from checker.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'httpx', 'jinja2', 'jsonschema', 'checker.emulator.server', 'checker.app'}\n"
        f"heavy |= {{'pydantic'}} if {args[0] != 'schema'} else set()\n"
        "print(sorted(heavy & set(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_validating_a_good_manifest_loads_no_http_templates_or_schema_validator() -> None:
    """The happy path validates once, with the models: jsonschema is for explaining errors."""
    example = REPO / "examples" / "release-gate.yaml"
    code = (
        "import sys\n"
        "from checker.cli import main\n"
        "try:\n"
        f"    main(['validate', {str(example)!r}])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "heavy = {'httpx', 'jinja2', 'jsonschema', 'checker.emulator.server', 'asyncio'}\n"
        "print(sorted(heavy & set(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_a_gate_loads_no_templating_or_schema_validator_unless_a_report_needs_it(
    tmp_path: Path, emulator: Start
) -> None:
    """The text summary, JSON, Markdown and Code Quality reports are plain Python: a gate
    that writes only those never imports Jinja (JUnit, HTML and users' templates do, after
    the verdict) nor jsonschema (which only explains manifest errors)."""
    example = REPO / "examples"
    reports = [f"--report={fmt}={tmp_path / fmt}" for fmt in ("json", "markdown", "codequality")]
    server = emulator()
    args = ["check", str(example / "release-gate.yaml"), "--endpoint", server.url]
    code = (
        "import sys\n"
        "from checker.cli import main\n"
        "try:\n"
        f"    main({[*args, *reports]!r})\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 1, exit.code\n"  # the example's banned pipeline fails
        "print(sorted({'jinja2', 'jsonschema'} & set(sys.modules)), file=sys.stderr)\n"
    )
    env = {**os.environ, "CHECKER_AUTH_TOKEN": TOKEN}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert done.stderr.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "markdown").read_text().startswith("**❌ checker FAILED")
