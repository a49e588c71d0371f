"""checker: a declarative status gate for Huawei Cloud CodeArts Pipeline runs."""

from __future__ import annotations

# The one place the version is written: pyproject.toml reads it from here, and reading it
# here costs nothing at start-up (importlib.metadata would cost more than the rest of
# `checker --version`).
__version__ = "0.1.0"

__all__ = ["__version__"]
