"""Initialize, settings and shutdown: the handlers that manage the session itself."""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types as lsp

from frugal_lsp.lsp.server import FrugalServer
from frugal_lsp.lsp.settings import parse_settings

log = logging.getLogger(__name__)


def register(server: FrugalServer) -> None:
    @server.feature(lsp.INITIALIZE)
    def initialize(ls: FrugalServer, params: lsp.InitializeParams) -> None:
        ls.start_session(params)

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: FrugalServer, params: lsp.InitializedParams) -> None:
        ls.index_sync.begin()  # the workspace index, in the background
        if not await pull_settings(ls):
            ls.quota.refresh(force=True)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def changed(ls: FrugalServer, params: lsp.DidChangeConfigurationParams) -> None:
        pushed = params.settings if isinstance(params.settings, dict) else None
        if pushed and isinstance(pushed.get("frugal"), dict):
            use_settings(ls, pushed["frugal"])
        else:
            await pull_settings(ls)

    @server.feature(lsp.SHUTDOWN)
    async def shutdown(ls: FrugalServer, params: None) -> None:
        await ls.close()


def can_pull(ls: FrugalServer) -> bool:
    workspace = ls.client_capabilities.workspace
    return bool(workspace and workspace.configuration)


async def pull_settings(ls: FrugalServer) -> bool:
    """Ask for section ``frugal`` — only when the client says it can answer."""
    if not can_pull(ls):
        return False
    try:
        items = [lsp.ConfigurationItem(section="frugal")]
        answer = await ls.workspace_configuration_async(lsp.ConfigurationParams(items=items))
    except Exception as exc:
        ls.log_once("workspace/configuration failed: %s", exc)
        return False
    use_settings(ls, answer[0] if answer else None)
    return True


def use_settings(ls: FrugalServer, raw: Any) -> None:
    settings, problems = parse_settings(raw)
    for problem in problems:
        ls.log_once("ignored setting: %s", problem)
    ls.apply_settings(settings)
