"""The house rules, checked on the source: layers run one way and each family keeps to its folder.

These read the code as text (imports and string comparisons through ``ast``), so they hold for
code no test happens to run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("extract", "transforms", "sandbox", "bench")
FAMILY_NAMES = ("bc2", "bc4", "backpack")
FAMILY_ROOTS = ("extract/families", "sandbox")
REGISTRIES = {"extract/families/__init__.py", "transforms/tables.py", "sandbox/registry.py"}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def sources(*roots: str) -> Iterator[Path]:
    for root in roots:
        yield from sorted((ROOT / root).rglob("*.py"))


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """Every module an ``import`` or ``from ... import`` names, with its line."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def family_of(path: Path) -> str | None:
    """The family whose folder holds ``path`` (``extract/families/bc4/oauth.py`` -> bc4)."""
    parts = relative(path).split("/")
    for root in FAMILY_ROOTS:
        depth = len(root.split("/"))
        if "/".join(parts[:depth]) == root and len(parts) > depth + 1 \
                and parts[depth] in FAMILY_NAMES:
            return parts[depth]
    return None


def family_of_module(module: str) -> str | None:
    parts = module.split(".")
    for root in FAMILY_ROOTS:
        prefix = root.split("/")
        if parts[:len(prefix)] == prefix and len(parts) > len(prefix) \
                and parts[len(prefix)] in FAMILY_NAMES:
            return parts[len(prefix)]
    return None


def family_comparisons(path: Path) -> Iterator[tuple[int, str]]:
    """``x == "bc4"``, ``"bc2" != y``, ``x in ("bc2", ...)``: deciding by a family's name."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Compare):
            continue
        for operand in [node.left, *node.comparators]:
            values = operand.elts if isinstance(operand, ast.Tuple | ast.List | ast.Set) \
                else [operand]
            for value in values:
                if isinstance(value, ast.Constant) and value.value in FAMILY_NAMES:
                    yield node.lineno, value.value


def test_transforms_never_imports_extract() -> None:
    offenders = [f"{relative(p)}:{line} imports {module}"
                 for p in sources("transforms") for line, module in imported_modules(p)
                 if module == "extract" or module.startswith("extract.")]
    assert offenders == []


def test_a_family_folder_never_imports_another_family() -> None:
    offenders = []
    for path in sources(*FAMILY_ROOTS):
        own = family_of(path)
        if own is None:
            continue
        for line, module in imported_modules(path):
            other = family_of_module(module)
            if other is not None and other != own:
                offenders.append(f"{relative(path)}:{line} imports {module}")
    assert offenders == []


def test_only_family_folders_and_registries_compare_family_names() -> None:
    offenders = [f"{relative(p)}:{line} compares with {name!r}"
                 for p in sources(*PACKAGES)
                 if family_of(p) is None and relative(p) not in REGISTRIES
                 for line, name in family_comparisons(p)]
    assert offenders == []


@pytest.mark.parametrize("root", [*PACKAGES, "tests", "tools"])
def test_no_module_is_longer_than_the_limit(root: str) -> None:
    long = {relative(p): n for p in sources(root)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


@pytest.mark.parametrize("root", [*PACKAGES, "tests", "tools"])
def test_no_function_is_longer_than_the_limit(root: str) -> None:
    long = {}
    for path in sources(root):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([d.lineno for d in node.decorator_list] + [node.lineno])
                if (size := node.end_lineno - start + 1) > MAX_FUNCTION_LINES:
                    long[f"{relative(path)}:{node.lineno} {node.name}"] = size
    assert long == {}


def test_the_rules_see_what_they_forbid(tmp_path: Path) -> None:
    """The checks above would catch a violation: they are not vacuous."""
    sample = tmp_path / "sample.py"
    sample.write_text("from extract.families.bc4 import oauth\nif api == 'bc2':\n    pass\n")
    assert ("extract.families.bc4.oauth" in {m for _, m in imported_modules(sample)})
    assert family_of_module("extract.families.bc4.oauth") == "bc4"
    assert family_of_module("sandbox.backpack.app") == "backpack"
    assert family_of(ROOT / "extract/families/bc4/oauth.py") == "bc4"
    assert family_of(ROOT / "extract/families/__init__.py") is None
    assert list(family_comparisons(sample)) == [(2, "bc2")]
