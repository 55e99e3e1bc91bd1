"""The fields a tag names, checked against the facts of a workbook without rendering.

Works on whatever the facts are made of — dicts (their keys) or dataclasses (their fields and properties) —
so it does not depend on how derive builds them. A loop variable stands for the list's first item; when the
list is empty in this workbook, or a value is computed by the template itself, its fields are not checked
(UNKNOWN) rather than guessed.
"""
from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterator, Mapping
from typing import Any

from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

UNKNOWN = object()          # a value the check cannot know: its fields are not checked


def names_at(value: Any) -> list[str]:
    """The field names a template can use on this value."""
    if isinstance(value, Mapping):
        return sorted(str(k) for k in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        props = [n for n, v in vars(type(value)).items() if isinstance(v, property) and not n.startswith("_")]
        return [f.name for f in dataclasses.fields(value) if not f.name.startswith("_")] + sorted(props)
    if type(value).__name__ == "TemplateModule":           # ph: the macros of phrases.j2
        return sorted(n for n in vars(value) if not n.startswith("_"))
    return []


def _step(value: Any, step: Any) -> tuple[bool, Any]:
    """(found, value) one attribute or item further, as the sandbox looks it up."""
    if value is UNKNOWN:
        return True, UNKNOWN
    if isinstance(value, Mapping):
        if step in value:
            return True, value[step]
        return (True, UNKNOWN) if isinstance(step, str) and hasattr(type(value), step) else (False, None)
    if isinstance(value, (list, tuple, str)):
        if isinstance(step, int):
            return True, value[step] if -len(value) <= step < len(value) else UNKNOWN
        return (True, UNKNOWN) if isinstance(step, str) and hasattr(type(value), step) else (False, None)
    if not isinstance(step, str) or step.startswith("_"):
        return True, UNKNOWN                                # the sandbox itself refuses _names
    if hasattr(value, step):
        try:
            return True, getattr(value, step)
        except Exception:  # noqa: BLE001  (a property that fails is the render's to report)
            return True, UNKNOWN
    if not names_at(value):
        return True, UNKNOWN                                # a value we cannot list (a Decimal, a date …)
    return False, None


class Scopes:
    """Names visible to a tag: the template's own (loop variables, set), the facts, the environment's globals."""

    def __init__(self, facts: Any, globals_: Mapping[str, Any]) -> None:
        if isinstance(facts, Mapping):
            self.root = dict(facts)
        elif dataclasses.is_dataclass(facts):
            self.root = {n: getattr(facts, n) for n in names_at(facts)}
        else:
            self.root = {}
        self.globals = dict(globals_)
        self.stack: list[dict[str, Any]] = [{}]
        self.filters: set[str] = set()      # the environment's filter and test names (empty: not checked)
        self.tests: set[str] = set()

    def push(self) -> None:
        self.stack.append({})

    def pop(self) -> None:
        if len(self.stack) > 1:
            self.stack.pop()

    def lookup(self, name: str) -> tuple[bool, Any]:
        for scope in reversed(self.stack):
            if name in scope:
                return True, scope[name]
        if name in self.root:
            return True, self.root[name]
        if name in self.globals or name in ("loop", "true", "false", "none", "True", "False", "None"):
            return True, UNKNOWN if name not in self.globals else self.globals[name]
        return False, None

    def visible(self) -> list[str]:
        return sorted(self.root)

    def resolve(self, node: nodes.Node) -> Any:
        """The value of a plain chain (a.b[0].c), or UNKNOWN."""
        found = _chain(node)
        if found is None:
            return UNKNOWN
        ok, value = self.lookup(found[0])
        for step in found[1]:
            if not ok:
                return UNKNOWN
            ok, value = _step(value, step)
        return value if ok else UNKNOWN

    def bind(self, target: nodes.Node, value: Any) -> None:
        for name in target.find_all(nodes.Name) if not isinstance(target, nodes.Name) else [target]:
            self.stack[-1][name.name] = value if isinstance(target, nodes.Name) else UNKNOWN

    def bind_loop(self, body: str) -> None:
        loop = _parse_one(f"{{% {body} %}}{{% endfor %}}", nodes.For)
        if loop is not None:
            self.bind(loop.target, _first(self.resolve(loop.iter)))

    def bind_set(self, body: str) -> None:
        assign = _parse_one(f"{{% {body} %}}", nodes.Assign)
        if assign is not None:
            self.bind(assign.target, self.resolve(assign.node))


def _first(items: Any) -> Any:
    if isinstance(items, (list, tuple)) and items:
        return items[0]
    if isinstance(items, Mapping) and items:
        return next(iter(items))
    return UNKNOWN


def _parse_one(source: str, kind: type) -> Any:
    try:
        return next(SandboxedEnvironment().parse(source).find_all(kind), None)
    except Exception:  # noqa: BLE001  (its syntax was reported already)
        return None


def _chain(node: nodes.Node) -> tuple[str, list[Any]] | None:
    """Name.attr[const]… as (name, steps), or None when the chain has a computed part."""
    steps: list[Any] = []
    while True:
        if isinstance(node, nodes.Getattr):
            steps.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            steps.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name) and node.ctx == "load":
            return node.name, steps[::-1]
        else:
            return None


def _chains(node: nodes.Node) -> Iterator[nodes.Node]:
    """The outermost plain chains of an expression."""
    if isinstance(node, (nodes.Getattr, nodes.Getitem, nodes.Name)) and _chain(node) is not None:
        yield node
        return
    for child in node.iter_child_nodes():
        yield from _chains(child)


def _path(name: str, steps: list[Any]) -> str:
    return name + "".join(f"[{s!r}]" if not isinstance(s, str) else f".{s}" for s in steps)


def _check_chain(node: nodes.Node, scopes: Scopes) -> tuple[str, list[str], str] | None:
    """(the missing path, the names at that level, a suggestion) for the first step that does not exist."""
    name, steps = _chain(node)  # type: ignore[misc]
    ok, value = scopes.lookup(name)
    if not ok:
        names = scopes.visible()
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        return name, names, close[0] if close else " 或 ".join(similar_paths(scopes, name))
    for i, step in enumerate(steps):
        ok, next_value = _step(value, step)
        if not ok:
            names = names_at(value)
            close = difflib.get_close_matches(str(step), names, n=1, cutoff=0.6)
            if close:
                return _path(name, steps[:i + 1]), names, _path(name, [*steps[:i], close[0]])
            elsewhere = similar_paths(scopes, str(step))
            return _path(name, steps[:i + 1]), names, " 或 ".join(elsewhere)
        value = next_value
    return None


def _all_paths(value: Any, prefix: str, depth: int, out: list[tuple[str, str, str]]) -> None:
    """(path, last name, last two names joined by _) of every field, lists seen through their first item."""
    if depth > 5:
        return
    if isinstance(value, (list, tuple)):
        if value:
            _all_paths(value[0], prefix + "[]", depth + 1, out)
        return
    parent = prefix.rsplit(".", 1)[-1].rstrip("[]")
    for name in names_at(value):
        ok, child = _step(value, name)
        if not ok or child is UNKNOWN:
            continue
        path = f"{prefix}.{name}" if prefix else name
        out.append((path, name, f"{parent}_{name}" if parent else name))
        _all_paths(child, path, depth + 1, out)


def similar_paths(scopes: Scopes, missing: str, limit: int = 3) -> list[str]:
    """Fields elsewhere in the facts whose name is like `missing` (unit.staff_quota → staff.quota)."""
    paths: list[tuple[str, str, str]] = []
    for name, value in scopes.root.items():
        paths.append((name, name, name))
        _all_paths(value, name, 1, paths)
    scored = []
    for path, last, joined in paths:
        score = max(difflib.SequenceMatcher(None, missing, last).ratio(),
                    difflib.SequenceMatcher(None, missing, joined).ratio())
        if score >= 0.75:
            scored.append((-score, len(path), path))
    return [p for _, _, p in sorted(scored)[:limit]]


def check_fields(tree: nodes.Template, keyword: str | None, scopes: Scopes) -> list[tuple[str, list[str], str]]:
    """Every field a parsed tag names that the facts do not have (a for's filter sees the loop variable)."""
    problems = []
    loop = next(tree.find_all(nodes.For), None) if keyword == "for" else None
    if loop is not None:
        targets: list[nodes.Node] = [loop.iter]
        filter_ = [loop.test] if loop.test is not None else []
    elif keyword == "macro":
        return []                       # its arguments are the macro's own names
    else:
        targets, filter_ = [tree], []
    for node in (c for t in targets for c in _chains(t)):
        found = _check_chain(node, scopes)
        if found:
            problems.append(found)
    if filter_ and loop is not None:
        scopes.push()
        scopes.bind(loop.target, _first(scopes.resolve(loop.iter)))
        for node in (c for t in filter_ for c in _chains(t)):
            found = _check_chain(node, scopes)
            if found:
                problems.append(found)
        scopes.pop()
    return problems
