"""`frugal-lsp demo`: a scripted editor session (a pygls client) against the real server.

Not part of the server: it is a client with its own planning engine, so it lives outside
``lsp/`` and is the one package besides ``lsp/`` allowed to import pygls/lsprotocol
(tests/unit/test_architecture.py). See ``session.py``.
"""

from __future__ import annotations

from frugal_lsp.demo.session import run_demo

__all__ = ["run_demo"]
