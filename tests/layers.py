"""The layer contract of dashboard/, read from the source with ast (imports inside functions too).

Each unit is a top-level package or module of dashboard/. A unit imports only units of lower
layers, or of its own layer (siblings such as ingest and appdb); no module import cycle, and
no cycle between units, is allowed. streamlit and duckdb are imported only where they belong.
"""

import ast
from pathlib import Path

# Highest first: entry points -> ui -> exports/demo/bench -> data_access/ingest/appdb
# -> indicators/charts/linkage -> store -> settings/sql/i18n.
LAYERS = [
    {"app", "cli", "__main__", "app_pages", "bench_floor"},
    {"ui"},
    {"exports", "demo", "bench"},
    {"data_access", "ingest", "appdb"},
    {"indicators", "charts", "linkage"},
    {"store"},
    {"settings", "sql", "i18n"},
]
RANK = {unit: len(LAYERS) - i for i, units in enumerate(LAYERS) for unit in units}
ALLOWED = {
    "streamlit": {"app", "cli", "__main__", "app_pages", "bench_floor", "ui", "data_access"},
    "duckdb": {"store", "data_access", "linkage"},
}


def modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every .py under root (packages by their __init__)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _targets(node: ast.AST, known: dict[str, Path]) -> list[str]:
    """The project modules (or outside top-level names) an import statement names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
        return []
    names = [f"{node.module}.{alias.name}" for alias in node.names]
    return [n if n in known else node.module for n in names]


def imports(root: Path) -> dict[str, list[tuple[str, int]]]:
    """Module -> (imported name, line) for every import statement, at any depth."""
    known = modules(root)
    graph = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        found = [(t, node.lineno) for node in ast.walk(tree) for t in _targets(node, known)]
        graph[name] = found
    return graph


def _unit(name: str) -> str:
    return name.split(".")[0]


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member, or a self-import (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while not part or part[-1] != v:
                part.append(stack.pop())
                on.discard(part[-1])
            if len(part) > 1 or v in edges.get(v, ()):
                found.append(sorted(part))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def violations(root: Path) -> list[str]:
    """Every breach of the contract in the tree under root, one line each."""
    graph, known = imports(root), modules(root)
    problems, edges, unit_edges = [], {}, {}
    for name, found in graph.items():
        unit = _unit(name)
        if unit not in RANK:
            problems.append(f"{name}: unit {unit!r} has no layer")
            continue
        for target, line in found:
            top = _unit(target)
            if top in ALLOWED and unit not in ALLOWED[top]:
                where = sorted(ALLOWED[top])
                problems.append(f"{name}:{line} imports {top}, allowed only in {where}")
            if target not in known and top not in RANK:
                continue  # the standard library or a third-party package
            if RANK.get(top, 0) > RANK[unit]:
                problems.append(f"{name}:{line} imports {target} from a higher layer")
            module = target if target in known else top
            edges.setdefault(name, set()).add(module)
            if top != unit:
                unit_edges.setdefault(unit, set()).add(top)
    problems += [f"import cycle: {' -> '.join(c)}" for c in _cycles(edges)]
    problems += [f"cycle between packages: {' -> '.join(c)}" for c in _cycles(unit_edges)]
    return problems
