"""The code stays readable in pieces (issue 10, items 4 and 6): no module over 600 lines, no function over 80,
and no module-level dict used as a cache that is emptied by hand when it grows (`if len(X) > N: X.clear()`):
such caches are functools.lru_cache or a budgetreport.bounded.BoundedCache. pdf/ keeps its own bounded stores
in one object (pdf/caches.py) and is not covered by the cache rule."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "budgetreport"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
MODULES = sorted(SRC.rglob("*.py"))


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def function_lengths(source: str) -> dict[str, int]:
    """Qualified-enough name (line:name) → lines from its first decorator to its last line."""
    lengths = {}
    for fn in _functions(ast.parse(source)):
        first = min([fn.lineno, *(d.lineno for d in fn.decorator_list)])
        assert fn.end_lineno is not None
        lengths[f"{fn.lineno}:{fn.name}"] = fn.end_lineno - first + 1
    return lengths


def _module_dicts(tree: ast.Module) -> set[str]:
    """Names bound at module level to a new dict ({} / dict() / {…}), annotated or not."""
    names = set()
    for node in tree.body:
        targets, value = [], None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        is_dict = isinstance(value, (ast.Dict, ast.DictComp)) or (
            isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict")
        if is_dict:
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def hand_cleared_caches(source: str) -> list[str]:
    """Module-level dicts that some function empties with .clear() (the hand-written bound of a cache)."""
    tree = ast.parse(source)
    dicts = _module_dicts(tree)
    found = []
    for fn in _functions(tree):
        for node in ast.walk(fn):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "clear"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id in dicts):
                found.append(f"{node.lineno}:{node.func.value.id}")
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_module_and_functions_are_short(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    lines = len(source.splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.relative_to(ROOT)} has {lines} lines; split it by concern"
    long = {name: n for name, n in function_lengths(source).items() if n > MAX_FUNCTION_LINES}
    assert not long, f"{path.relative_to(ROOT)}: functions over {MAX_FUNCTION_LINES} lines: {long}"


@pytest.mark.parametrize("path", [p for p in MODULES if "pdf" not in p.relative_to(SRC).parts],
                         ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_dict_cache_cleared_by_hand(path: Path) -> None:
    found = hand_cleared_caches(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)}: use functools.lru_cache or bounded.BoundedCache for {found}"


# the detectors themselves, on code written to fail and to pass them

@pytest.mark.parametrize("limit", [1, 16, 256, 50_000])
@pytest.mark.parametrize("annotated", [True, False])
@pytest.mark.parametrize("empty", ["{}", "dict()"])
def test_detector_finds_a_hand_cleared_cache(limit: int, annotated: bool, empty: str) -> None:
    decl = f"_C: dict[str, int] = {empty}" if annotated else f"_C = {empty}"
    source = f"{decl}\n\ndef f(k):\n    if len(_C) > {limit}:\n        _C.clear()\n    return _C.setdefault(k, 1)\n"
    assert hand_cleared_caches(source) == ["5:_C"]


@pytest.mark.parametrize("source", [
    "import functools\n\n@functools.lru_cache(maxsize=64)\ndef f(k):\n    return k\n",
    "def f(items):\n    seen = {}\n    seen.clear()\n    return seen\n",                 # a local dict
    "class A:\n    def __init__(self):\n        self.d = {}\n    def f(self):\n        self.d.clear()\n",
])
def test_detector_passes_what_is_not_a_module_cache(source: str) -> None:
    assert hand_cleared_caches(source) == []


@pytest.mark.parametrize("body_lines", [1, 79, 80, 81, 200])
def test_function_length_counts_decorators_and_body(body_lines: int) -> None:
    source = "@decorator\ndef f():\n" + "    x = 1\n" * body_lines
    assert function_lengths(source) == {"2:f": body_lines + 2}
