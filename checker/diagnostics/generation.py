"""JSON Schemas generated from the models: the files committed under ``schemas/``.

Only pydantic is needed here (``checker schema`` must not load a validator).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _Titled(GenerateJsonSchema):
    """Keeps a field's title next to a ``$ref``, for editors' hover help."""

    def handle_ref_overrides(self, json_schema: JsonSchemaValue) -> JsonSchemaValue:
        # Editors show a field's title on hover; pydantic drops it next to a $ref when it
        # repeats the referenced model's title.
        title = json_schema.get("title")
        handled = super().handle_ref_overrides(json_schema)
        if title is not None and "$ref" in handled:
            handled = {**handled, "title": title}
        return handled


class _OptionalNotNullable(_Titled):
    """Optional fields are written by leaving them out, never as ``null``.

    The models use ``None`` as "not given"; a literal ``null`` in a manifest is almost always
    an unfinished edit, so the published schema rejects it.
    """

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        inner = self.generate_inner(schema["schema"])
        if schema.get("default") is None:
            return inner
        return super().default_schema(schema)

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        # A model whose keys merge over defaults (``null_drops_default``) takes ``null`` as
        # "not this default": there, and only there, a null is meant.
        generated = super().model_schema(schema)
        if getattr(schema["cls"], "null_drops_default", False):
            properties = generated.get("properties", {})
            for name, value in properties.items():
                described = {k: value.pop(k) for k in ("title", "description") if k in value}
                choices = value["anyOf"] if list(value) == ["anyOf"] else [value]
                properties[name] = {**described, "anyOf": [*choices, {"type": "null"}]}
        return generated


def generate_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema of ``model``, with the dialect declared, its models under the names
    in its ``published_names`` (a class name may change; a published ``$defs`` key may not).

    Documents people write (manifests, worlds) may not hold ``null``; documents checker
    writes (a model with ``writes_nulls = True``) hold ``null`` for every unset optional,
    and their schema says so.
    """
    nulls = bool(getattr(model, "writes_nulls", False))
    base = _Titled if nulls else _OptionalNotNullable
    names: dict[str, str] = dict(getattr(model, "published_names", {}))

    class Generator(base):  # type: ignore[valid-type,misc]
        def normalize_name(self, name: str) -> str:
            normalised: str = super().normalize_name(name)
            return names.get(name, normalised)

    schema = model.model_json_schema(schema_generator=Generator)
    return {"$schema": SCHEMA_DIALECT, **schema}


def schema_text(model: type[BaseModel]) -> str:
    """The schema as committed under ``schemas/``: stable key order, trailing newline."""
    return json.dumps(generate_schema(model), indent=2, ensure_ascii=False) + "\n"
