"""The assembled language server: ``serve()`` is what ``frugal-lsp serve`` runs.

``create_server`` builds the server object (``server.py``: the session's typed state and
its methods) and registers the features from small modules, one per job. Those modules
import ``server.py``, never this one, so nothing imports back.
"""

from __future__ import annotations

import logging
from pathlib import Path

from frugal_lsp.config import Config
from frugal_lsp.logs import setup_logging
from frugal_lsp.lsp import (
    actions,
    commands,
    completions,
    documents,
    lifecycle,
    workspace_index,
)
from frugal_lsp.lsp.server import FrugalServer, ServeOptions, quiet_pygls
from frugal_lsp.paths import StatePaths

log = logging.getLogger(__name__)


def create_server(options: ServeOptions | None = None) -> FrugalServer:
    server = FrugalServer(options)
    for module in (lifecycle, documents, completions, actions, commands, workspace_index):
        module.register(server)
    return server


def serve(
    config_path: str | None,
    workspace: Path | None,
    tcp: str | None,
    log_file: Path | None,
    verbose: bool,
) -> int:
    """Run the server over stdio (default) or TCP ``HOST:PORT``; returns the exit code."""
    paths = StatePaths.resolve()
    paths.ensure()
    setup_logging(Config(), paths.logs, verbose, log_file)
    quiet_pygls(verbose)
    server = create_server(ServeOptions(config_path, workspace, log_file, verbose))
    if tcp:
        host, _, port = tcp.rpartition(":")
        if not port.isdigit():
            log.error("--tcp %s: expected HOST:PORT, e.g. 127.0.0.1:2087", tcp)
            return 2
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    return 0
