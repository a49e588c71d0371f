"""Planner properties: each unique run queried once, batches bounded and single-project,
request count minimal, output deterministic."""

from __future__ import annotations

import math

import pytest
from helpers import make_check
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.gate.checks import CheckSpec
from checker.gate.planner import plan_checks

_hex = st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)
_endpoints = st.sampled_from(["https://a.myhuaweicloud.com", "https://b.myhuaweicloud.com"])
# Few distinct values, so that duplicates and shared runs are common.
_small_ids = st.sampled_from([c * 32 for c in "0123456789"])


@st.composite
def check_lists(draw: st.DrawFn) -> list[CheckSpec]:
    count = draw(st.integers(min_value=0, max_value=60))
    ids = draw(st.sampled_from([_small_ids, _hex]))
    checks = []
    for index in range(count):
        checks.append(
            make_check(
                f"check-{index}",
                endpoint=draw(_endpoints),
                project_id=draw(st.sampled_from(["a" * 32, "b" * 32, "c" * 32])),
                pipeline_id=draw(ids),
                pipeline_run_id=draw(ids),
            )
        )
    return checks


@settings(max_examples=200, deadline=None)
@given(checks=check_lists(), batch_size=st.integers(min_value=1, max_value=12))
def test_plan_properties(checks: list[CheckSpec], batch_size: int) -> None:
    plan = plan_checks(checks, batch_size)
    queried = [
        (batch.endpoint, batch.project_id, run.pipeline_id, run.pipeline_run_id)
        for batch in plan.batches
        for run in batch.runs
    ]
    unique = {tuple(check.run_key) for check in checks}
    # Every unique run is queried exactly once.
    assert sorted(queried) == sorted(unique)
    # No batch exceeds the size, none is empty, none mixes projects or endpoints.
    for project in plan.projects:
        for batch in project.batches:
            assert 1 <= len(batch.runs) <= batch_size
            assert (batch.endpoint, batch.project_id) == (project.endpoint, project.project_id)
    # The request count is the minimum: one ceil per (endpoint, project) group.
    groups: dict[tuple[str, str], int] = {}
    for endpoint, project_id, _, _ in unique:
        groups[(endpoint, project_id)] = groups.get((endpoint, project_id), 0) + 1
    assert plan.request_count == sum(math.ceil(n / batch_size) for n in groups.values())
    # Every check is served by exactly one planned run.
    served = [name for batch in plan.batches for run in batch.runs for name in run.check_names]
    assert sorted(served) == sorted(check.name for check in checks)
    # Deterministic.
    assert plan_checks(checks, batch_size) == plan


def test_batches_are_numbered_per_project() -> None:
    checks = [
        make_check(
            f"c{i}",
            endpoint="https://x.myhuaweicloud.com",
            project_id="p" * 32,
            pipeline_id=f"{i:032d}",
            pipeline_run_id=f"{i:032d}",
        )
        for i in range(5)
    ]
    plan = plan_checks(checks, 2)
    assert [b.number for b in plan.batches] == [1, 2, 3]
    assert [len(b.runs) for b in plan.batches] == [2, 2, 1]
    assert plan.batches[0].query_body() == {
        "query": [{"pipeline_id": f"{i:032d}", "pipeline_run_id": f"{i:032d}"} for i in range(2)]
    }


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        plan_checks([], 0)
