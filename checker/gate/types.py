"""The small shared vocabulary: the frozen base model, IDs, severities, run keys."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, Literal, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict, StringConstraints

ID_PATTERN = r"^[A-Za-z0-9]{32}$"
_ID = re.compile(r"[A-Za-z0-9]{32}")

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
"""A CodeArts project, pipeline or run ID: exactly 32 letters or digits."""

Severity = Literal["error", "warning"]


class Frozen(BaseModel):
    """Values never change once built; unknown fields are refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


FrozenModel = TypeVar("FrozenModel", bound=Frozen)


def prevalidated(model: type[FrozenModel], fields: set[str], values: dict[str, Any]) -> FrozenModel:
    """``model`` from ``values`` that were validated already, every field given (``fields``,
    shared by every instance: pydantic copies it before changing it): what
    ``model_construct`` stores, without its per-field loop (10 µs → 0.7 µs an instance; a
    manifest's 100,000 checks are built so). A test keeps it equal to the validated model."""
    instance = object.__new__(model)
    object.__setattr__(instance, "__dict__", values)
    object.__setattr__(instance, "__pydantic_fields_set__", fields)
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance


def same_text(left: str | None, right: str | None) -> bool:
    """Equal as people read them: ``é`` typed as one code point (NFC, as most keyboards) or as
    ``e`` and a combining accent (NFD, as macOS file names) is the same name."""
    if left is None or right is None:
        return left is right
    return left == right or nfc(left) == nfc(right)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def is_id(text: object) -> bool:
    return isinstance(text, str) and _ID.fullmatch(text) is not None


def bad_id_message(value: str) -> str:
    """How to say that ``value`` is not an ID, after the name of the field."""
    count = len(value)
    return (
        f"must be exactly 32 letters or digits, not '{value}' "
        f"({count} character{'s' if count != 1 else ''})"
    )


ID_MESSAGES = {ID_PATTERN: bad_id_message}
"""Pattern messages (see :mod:`checker.diagnostics.schema`) for documents with ID fields."""


class RunKey(NamedTuple):
    """One run as the API identifies it; what the planner deduplicates on."""

    endpoint: str
    project_id: str
    pipeline_id: str
    pipeline_run_id: str
