"""Basecamp 2 sandbox against the reference: every documented GET is served, and every
official example has a sandbox response with the same keys and JSON types.
"""

from __future__ import annotations

import pytest

from sandbox import SIZES, Sandbox
from tests.sandbox_bc2_examples import (
    EXTRA_VARIANTS,
    FIDELITY,
    Samples,
    example_files,
    example_items,
    load_yaml,
    shape_problems,
    subset_problems,
    unserved,
    with_full_comments,
)
from tests.sandbox_bc2_support import CREDS, EXAMPLES, REFERENCE


@pytest.mark.parametrize("size", sorted(SIZES))
def test_catalog__every_documented_get_is_served(sb: Sandbox, size: str) -> None:
    """With every GET in endpoints.yaml, expect 2xx for some parent, and rows for collections."""
    if not REFERENCE.exists():
        pytest.skip(f"reference not found at {REFERENCE}")
    catalog = load_yaml(REFERENCE / "endpoints.yaml")
    assert len(catalog["endpoints"]) == 64
    if size == "tiny":
        assert unserved(sb, catalog) == []
        return
    with Sandbox(size=size, rate_limit=None, credentials=CREDS) as sandbox:
        assert unserved(sandbox, catalog) == []


@pytest.mark.parametrize("name", example_files())
def test_fidelity__example_shapes_match(samples: Samples, name: str) -> None:
    """With each official example, expect a sandbox response with the same keys and types."""
    if not EXAMPLES.exists():
        pytest.skip(f"reference examples not found at {EXAMPLES}")
    assert name in FIDELITY, f"new example {name}: map it to sandbox responses in FIDELITY"
    fetch, mode, optional = FIDELITY[name]
    full_comments = example_items("comments__embedded_in_commentable.json")
    examples = [with_full_comments(e, full_comments) for e in example_items(name)]
    actual = fetch(samples)
    assert actual, f"no sandbox rows to compare with {name}"
    for i, example in enumerate(examples):
        compare = subset_problems if mode == "subset" else shape_problems
        tries = [compare(example, a) for a in actual]
        assert not all(tries), f"{name}[{i}] unmatched: {min(tries, key=len)}"
    if mode == "exact":
        variants = [set(e) for e in examples]
        if name in EXTRA_VARIANTS:
            variants += [set(e) for extra in EXTRA_VARIANTS[name] for e in example_items(extra)]
        for row in actual:
            assert any(set(row) ^ v <= optional for v in variants), (
                f"{name}: sandbox row keys {sorted(row)} match no example")
