"""The code's layout holds: the registry is plain Python, packages depend downwards only, and
no two modules import each other, directly or round a circle."""
from __future__ import annotations

import ast
from pathlib import Path

import mock_orcid

PACKAGE = Path(mock_orcid.__file__).parent
# Who may import whom: a package imports only the packages listed for it (and itself).
ALLOWED = {
    "registry": set(),
    "wire": {"registry"},
    "oauth": {"registry"},
    "sync": {"registry", "wire", "oauth"},
    "harness": {"registry", "wire", "oauth"},
    "web": {"registry", "wire", "oauth", "sync", "harness", "top"},
    "top": {"registry", "wire", "oauth", "sync", "harness", "web", "top"},
}
FRAMEWORKS = ("flask", "werkzeug", "jinja2", "waitress")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module this file imports, at any depth (lazy imports inside functions too)."""
    here = _module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.add(module)
            for alias in node.names:   # "from . import x" names a module
                candidate = "%s.%s" % (module, alias.name)
                if _exists(candidate):
                    found.add(candidate)
    return found


def _exists(module: str) -> bool:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _graph() -> dict[str, set[str]]:
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        name = _module_name(path)
        graph[name] = {m for m in _imports(path) if m.startswith("mock_orcid.") and _exists(m)}
    return graph


def _package_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) >= 2 and (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return "top"


def test_the_registry_imports_nothing_from_web_wire_oauth_or_flask():
    for path in (PACKAGE / "registry").rglob("*.py"):
        for module in _imports(path):
            assert not module.startswith(("mock_orcid.web", "mock_orcid.wire", "mock_orcid.oauth")), \
                "%s imports %s" % (path.name, module)
            assert module.split(".")[0] not in FRAMEWORKS, "%s imports %s" % (path.name, module)


def test_packages_depend_only_downwards():
    for module, imported in _graph().items():
        mine = _package_of(module)
        for other in imported:
            theirs = _package_of(other)
            if theirs != mine:
                assert theirs in ALLOWED[mine], "%s (%s) imports %s (%s)" % (module, mine, other, theirs)


def test_no_module_imports_itself_round_a_circle():
    graph = _graph()
    # Tarjan's strongly connected components: any component of two or more is a circle.
    index, low, stack, on_stack, circles = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    assert circles == []


def test_html_lives_in_templates_not_in_python_strings():
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "<!doctype html>" not in text.lower(), path
