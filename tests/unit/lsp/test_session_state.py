"""The server's session state changes only through its methods: handlers ask, never assign."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import pytest

import frugal_lsp.lsp as lsp_package
from frugal_lsp.lsp.app import create_server
from frugal_lsp.lsp.server import FrugalServer, ServeOptions
from frugal_lsp.tasks import Tier

LSP_DIR = Path(lsp_package.__file__).parent
SERVER_NAMES = {"ls", "server"}  # what handler modules call the FrugalServer
# server.py owns the state; framing.py replaces pygls' serve loop and so sets pygls' own
# base-class fields (_stop_event, _server) on any JsonRPCServer, as pygls' start_io does.
OWNERS = {"server.py", "framing.py"}


def _server_expr(node: ast.expr) -> bool:
    """``ls``, ``server``, ``self.ls`` or ``self.server``."""
    if isinstance(node, ast.Name):
        return node.id in SERVER_NAMES
    return (
        isinstance(node, ast.Attribute)
        and node.attr in SERVER_NAMES
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


def _roots(target: ast.expr) -> list[ast.Attribute]:
    """The ``<server>.name`` at the start of an assignment target (``ls.a.b = ...`` too)."""
    if isinstance(target, ast.Tuple | ast.List):
        return [r for t in target.elts for r in _roots(t)]
    found = []
    node = target
    while isinstance(node, ast.Attribute | ast.Subscript):
        if isinstance(node, ast.Attribute) and _server_expr(node.value):
            found.append(node)
        node = node.value
    return found


def violations(source: str) -> list[str]:
    """Assignments to the server's attributes and reads of its private ones."""
    found = []
    for node in ast.walk(ast.parse(source)):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign | ast.Delete):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            found += [f"line {r.lineno}: assigns {r.attr}" for r in _roots(target)]
        private = isinstance(node, ast.Attribute) and node.attr.startswith("_")
        if private and _server_expr(node.value) and not node.attr.startswith("__"):
            found.append(f"line {node.lineno}: reads private {node.attr}")
    return found


def test_handler_modules_never_assign_the_servers_state() -> None:
    modules = sorted(p for p in LSP_DIR.glob("*.py") if p.name not in OWNERS)
    assert len(modules) > 8
    found = {p.name: violations(p.read_text(encoding="utf-8")) for p in modules}
    assert {name: v for name, v in found.items() if v} == {}


def test_the_checker_finds_the_old_style() -> None:
    old = "def f(ls):\n    ls.busy += 1\n    ls.plans.clear()\n    self.ls.engine = None\n"
    assert violations(old) == ["line 2: assigns busy", "line 4: assigns engine"]
    assert violations("x = ls._background\n") == ["line 1: reads private _background"]
    assert violations("ls.settings.templates[0] = t\n") == ["line 1: assigns settings"]


@pytest.fixture
def server(tmp_path: Path) -> FrugalServer:
    return create_server(ServeOptions(workspace=tmp_path))


def test_state_is_read_only_from_outside(server: FrugalServer) -> None:
    for name in ("engine", "pipeline", "tier", "settings", "file_config", "config_error", "busy"):
        with pytest.raises(AttributeError):
            setattr(server, name, None)


def test_working_counts_busy_and_always_ends(server: FrugalServer) -> None:
    assert server.busy is False
    with server.working():
        with server.working():
            assert server.busy is True
        assert server.busy is True
    assert server.busy is False
    with pytest.raises(RuntimeError), server.working():
        raise RuntimeError("a failed answer")
    assert server.busy is False


def test_set_tier_forgets_estimates_made_for_another(server: FrugalServer) -> None:
    made: list[int] = []

    def make() -> object:
        made.append(1)
        return object()

    first = server.cached_plan(("k",), make)  # type: ignore[arg-type]
    assert server.cached_plan(("k",), make) is first and len(made) == 1  # type: ignore[arg-type]
    server.set_tier(Tier.ADVANCED)
    assert server.tier is Tier.ADVANCED
    assert server.cached_plan(("k",), make) is not first and len(made) == 2  # type: ignore[arg-type]


async def test_spawned_work_runs_to_the_end_unreferenced(server: FrugalServer) -> None:
    done = asyncio.Event()

    async def work() -> None:
        await asyncio.sleep(0)
        done.set()

    server.spawn(work())  # the caller keeps no reference; the server does
    await asyncio.wait_for(done.wait(), timeout=5)
