"""The fast path for plain documents builds exactly what the composer path builds."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.diagnostics.located_yaml import load_composed
from checker.diagnostics.plain_yaml import build_plain

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["00123", "1:30", "yes", "~", "${var.X}", "0x1f", "2024-01-02", ".inf"]),
)
_data = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(min_size=1, max_size=8), inner, min_size=1, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(data=_data, flow=st.booleans())
def test_plain_and_composed_documents_are_the_same(data: Any, flow: bool) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    plain = build_plain(text, "m.yaml")
    composed, problems = load_composed(text, "m.yaml")
    assert plain is not None and problems == []
    assert plain == composed
    # The builder's hints are sound: "no reference" and "no null" are never wrong.
    leaves = list(_leaves(plain.data))
    assert plain.may_reference or not any(isinstance(v, str) and "$" in v for v in leaves)
    assert plain.may_hold_null or None not in leaves


def _leaves(value: Any) -> Any:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def test_features_beyond_plain_go_to_the_composer() -> None:
    for text in (
        "a: &x 1\nb: *x\n",
        "a: {x: 1}\nb:\n  <<: {y: 2}\n",
        "a: 1\na: 2\n",
        "a: !!int 3\n",
        "---\na: 1\n---\nb: 2\n",
        "? [a]\n: 1\n",
    ):
        assert build_plain(text, "m.yaml") is None, text


def test_one_table_places_both_a_key_and_its_value() -> None:
    text = "checks:\n  build:\n    pipeline_id: abc\n    tags: [x, y]\n"
    for document in (build_plain(text, "m.yaml"), load_composed(text, "m.yaml")[0]):
        assert document is not None
        path = ("checks", "build", "pipeline_id")
        assert tuple(document.key_position(path)) == (3, 5)
        assert tuple(document.position(path)) == (3, 18)
        assert tuple(document.position(("checks", "build", "tags", 1))) == (4, 15)
        # A list item has no key: its own position stands in.
        assert tuple(document.key_position(("checks", "build", "tags", 1))) == (4, 15)
        # Nothing there: the closest located ancestor's value (the mapping under checks).
        assert tuple(document.key_position(("checks", "missing"))) == (2, 3)


def test_plain_scalars_resolve_as_the_composer_resolves_them() -> None:
    """The shortcuts that skip YAML 1.1's implicit-type regexes never change a type."""
    values = [
        "0x1f",
        "0b101",
        "0B101",
        "1e5",
        "12abc",
        "0755",
        "1_000",
        "2026-12-04",
        "12:30",
        "1.5",
        "ffff",
        "yes",
        "Off",
        "NULL",
        "0xZZ",
        "3ee66263645824827f6ec10ca76bcbaf",
        "fa430adde4fa96c74018f2543a383c3b",
        "123456",
        "falsey",
        "nulls",
        "y",
        "on",
        "~",
    ]
    text = "".join(f"k{index}: {value}\n" for index, value in enumerate(values))
    plain = build_plain(text, "m.yaml")
    composed, problems = load_composed(text, "m.yaml")
    assert plain is not None and problems == []
    assert plain.data == composed.data
    assert [type(v) for v in plain.data.values()] == [type(v) for v in composed.data.values()]
