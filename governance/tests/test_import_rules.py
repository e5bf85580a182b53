"""DESIGN.md's import rule, kept: which app may import which (branches none of ours; meetings
branches; zeroindex branches and meetings; governance all three), and no cycle between the
modules of the project, not even services and tasks. Read from the source with ast, so a
function-level import counts too; tests and migrations are left out."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["branches", "meetings", "zeroindex", "governance"]
MAY_IMPORT = {
    "branches": set(),
    "meetings": {"branches"},
    "zeroindex": {"branches", "meetings"},
    "governance": {"branches", "meetings", "zeroindex"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            found[module_name(path)] = path
    return found


def imports_of(name: str, path: Path, modules: dict) -> set[str]:
    """The project modules this module imports (`from . import x` resolved, `a.b.c` to the
    longest project module it names)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for target in names:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                targets.add(target)
    return targets


def graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def test_apps_import_only_what_design_allows():
    wrong = [
        f"{source} imports {target}"
        for source, targets in graph().items()
        for target in targets
        if (a := source.split(".")[0]) != (b := target.split(".")[0]) and b not in MAY_IMPORT[a]
    ]
    assert not wrong, wrong


def test_no_module_imports_itself_round_a_cycle():
    edges = graph()
    # Packages import their submodules to register them (meetings.admin): not a cycle back.
    for name, targets in edges.items():
        edges[name] = {t for t in targets if not t.startswith(name + ".")}
    seen, stack, cycles = set(), [], []

    def visit(node):
        if node in stack:
            cycles.append(stack[stack.index(node) :] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            visit(target)
        stack.pop()

    for node in sorted(edges):
        visit(node)
    assert not cycles, [" → ".join(c) for c in cycles]
