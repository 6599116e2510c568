"""The shape STYLE.md promises: the engine knows nothing of LSP, only providers speak HTTP."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "server" / "frugal_lsp"


def runtime_imports(path: Path) -> set[str]:
    """Top-level module names imported, outside `if TYPE_CHECKING:` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for stmt in block.body
        for node in ast.walk(stmt)
    }
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def modules_importing(names: set[str]) -> set[str]:
    return {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if runtime_imports(path) & names
    }


def test_only_the_lsp_layer_imports_pygls_or_lsprotocol() -> None:
    offenders = {m for m in modules_importing({"pygls", "lsprotocol"}) if not m.startswith("lsp/")}
    assert offenders == set()


def test_only_providers_speak_http_and_alerts_post_webhooks() -> None:
    allowed = {"quota/notify.py"}  # alert webhooks, not models
    users = modules_importing({"httpx", "httpx_sse", "urllib3", "requests"})
    assert {m for m in users if not m.startswith("providers/")} <= allowed
