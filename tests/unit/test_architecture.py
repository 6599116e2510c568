"""The shape docs/ARCHITECTURE.md promises: layers that import downwards only, no import
cycles, the engine knowing nothing of LSP, only providers speaking HTTP."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from frugal_lsp.kinds import KINDS

PACKAGE = Path(__file__).resolve().parents[2] / "server" / "frugal_lsp"
CLIENT_FUNCTIONS = ("make", "auth_headers", "listing_path")  # providers/kinds.py

# Top to bottom; a module may import its own layer and the layers below it, never above.
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("front doors", frozenset({"cli", "cli_commands", "cli_extras", "cli_parser", "__main__",
                               "doctor", "doctor_checks", "starter", "lsp", "demo", "report"})),
    ("engine", frozenset({"engine", "completion", "conversation", "results"})),
    ("policy", frozenset({"context", "routing", "quota"})),
    ("io", frozenset({"providers", "store"})),
    ("foundation", frozenset({"config", "secrets", "errors", "tasks", "paths", "tokens", "pools",
                              "logs", "local_model", "prompt", "kinds", "data", "__init__"})),
)  # fmt: skip


def _typing_only(tree: ast.AST) -> set[int]:
    return {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for stmt in block.body
        for node in ast.walk(stmt)
    }


def imported_modules(path: Path) -> set[str]:
    """Dotted names imported at run time anywhere in the file (functions included), outside
    ``if TYPE_CHECKING:`` blocks; ``from a import b`` gives ``a.b`` (``b`` may be a name)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = _typing_only(tree)
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def runtime_imports(path: Path) -> set[str]:
    """Top-level package names imported at run time."""
    return {name.split(".")[0] for name in imported_modules(path)}


def modules_importing(names: set[str]) -> set[str]:
    return {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if runtime_imports(path) & names
    }


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Our modules and the modules of ours each one runs on import or call: importing
    ``a.b.c`` also runs ``a/b/__init__.py`` (unless the importer lives in ``a.b``)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps = {resolve(m) for m in imported_modules(path) if m.startswith("frugal_lsp.")}
        for dep in [d for d in deps if d]:
            parts = dep.split(".")
            deps |= {
                ".".join(parts[:i])
                for i in range(2, len(parts))
                if not f"{name}.".startswith(".".join(parts[:i]) + ".")
            }
        graph[name] = {d for d in deps if d and d != name and d != "frugal_lsp"}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = [stack.pop()]
                while group[-1] != node:
                    group.append(stack.pop())
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def layer_of(module: str) -> int:
    top = module.removeprefix("frugal_lsp.").split(".")[0]
    return next(i for i, (_, members) in enumerate(LAYERS) if top in members)


def test_only_the_lsp_layer_and_the_demo_client_import_pygls_or_lsprotocol() -> None:
    offenders = {
        m for m in modules_importing({"pygls", "lsprotocol"}) if not m.startswith(("lsp/", "demo/"))
    }
    assert offenders == set()


def test_only_providers_speak_http_and_alerts_post_webhooks() -> None:
    allowed = {"quota/notify.py"}  # alert webhooks, not models
    users = modules_importing({"httpx", "httpx_sse", "urllib3", "requests"})
    assert {m for m in users if not m.startswith("providers/")} <= allowed


def test_there_are_no_import_cycles_not_even_through_imports_inside_functions() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_every_module_has_a_layer_and_imports_only_downwards() -> None:
    upward = []
    for module, deps in import_graph().items():
        for dep in deps:
            if layer_of(dep) < layer_of(module):
                upward.append(f"{module} ({LAYERS[layer_of(module)][0]}) imports {dep}")
    assert upward == []


def test_the_config_schema_imports_nothing_of_ours_but_the_two_vocabularies() -> None:
    ours = {m for m in imported_modules(PACKAGE / "config" / "schema.py") if "frugal_lsp" in m}
    assert {m.rpartition(".")[0] for m in ours} <= {"frugal_lsp.tasks", "frugal_lsp.kinds"}
    for vocabulary in ("tasks.py", "kinds.py"):
        assert not {m for m in imported_modules(PACKAGE / vocabulary) if "frugal_lsp" in m}


def test_every_provider_kind_names_a_client_module_with_the_three_functions() -> None:
    for kind in KINDS.values():
        module = importlib.import_module(f"frugal_lsp.providers.{kind.client}")
        assert all(callable(getattr(module, f, None)) for f in CLIENT_FUNCTIONS), kind.name


def test_persistence_lives_in_store_and_quota_keeps_only_policy() -> None:
    sqlite_users = modules_importing({"sqlite3", "diskcache", "redis"})
    assert {m for m in sqlite_users if not m.startswith("store/")} <= {"doctor_checks.py"}


def test_docstrings_point_at_the_architecture_map_not_at_files_outside_the_repo() -> None:
    citing = {
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "DESIGN.md" in p.read_text(encoding="utf-8")
        or "STYLE.md" in p.read_text(encoding="utf-8")
    }
    assert citing == set()
    assert (PACKAGE.parents[1] / "docs" / "ARCHITECTURE.md").is_file()
