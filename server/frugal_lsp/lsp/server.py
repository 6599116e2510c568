"""The server object: the session's typed state and the methods that change it.

The engine is created at ``initialize``, when the workspace is known; an invalid config
never stops the server: it starts with no provider, logs the problem and shows it as a
diagnostic and a message. Feature handlers (``lifecycle``, ``documents``, ...) import
this module; ``app.py`` imports them and registers them, so nothing imports back.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

from frugal_lsp import __version__
from frugal_lsp.completion import CompletionPipeline
from frugal_lsp.config import Config, load_config
from frugal_lsp.context import Document
from frugal_lsp.context.document import language_for
from frugal_lsp.conversation import Conversations
from frugal_lsp.engine import Engine
from frugal_lsp.errors import ConfigError
from frugal_lsp.logs import setup_logging
from frugal_lsp.lsp import convert
from frugal_lsp.lsp.framing import serve_stdio, serve_tcp
from frugal_lsp.lsp.protocol import FrugalProtocol
from frugal_lsp.lsp.quota import QuotaPublisher
from frugal_lsp.lsp.settings import Settings, apply_settings
from frugal_lsp.lsp.workspace_index import IndexSync
from frugal_lsp.paths import StatePaths
from frugal_lsp.results import Plan
from frugal_lsp.tasks import Tier

log = logging.getLogger(__name__)
PLAN_CACHE = 64  # estimates kept for code-action titles


@dataclass(frozen=True)
class ServeOptions:
    config_path: str | None = None
    workspace: Path | None = None
    log_file: Path | None = None
    verbose: bool = False


class LogOnce:
    """Background errors are logged once per distinct message, never popped up again."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def __call__(self, message: str, *args: object) -> None:
        text = message % args if args else message
        if text in self._seen:
            log.debug("%s (repeated)", text)
            return
        self._seen.add(text)
        log.warning("%s", text)


class FrugalServer(LanguageServer):
    def __init__(self, options: ServeOptions | None = None) -> None:
        super().__init__("frugal-lsp", __version__, protocol_cls=FrugalProtocol)
        self.options = options or ServeOptions()
        self.paths = StatePaths.resolve()
        self.root: Path | None = self.options.workspace
        self.engine: Engine | None = None
        self.pipeline: CompletionPipeline | None = None
        self.threads = Conversations()
        self.settings = Settings()
        self.file_config = Config()
        self.config_error: str | None = None
        self.tier: Tier | None = None
        self.busy = 0
        self.background: set[asyncio.Future[None]] = set()  # fire-and-forget client requests
        self.quota = QuotaPublisher(self)
        self.log_once = LogOnce()
        self.plans: OrderedDict[tuple[Any, ...], Plan] = OrderedDict()  # estimates for actions
        self.index_sync = IndexSync(self)  # the workspace index: built and kept current

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """pygls' stdio server with a frame reader that survives bad frames (protocol.py)."""
        serve_stdio(self, stdin, stdout)

    def start_tcp(self, host: str, port: int) -> None:
        """pygls' TCP server with the same frame reader."""
        serve_tcp(self, host, port)

    # -- lifecycle -------------------------------------------------------------------

    def start_session(self, params: lsp.InitializeParams) -> None:
        self.root = self.options.workspace or _workspace_of(params)
        self.file_config = self._load_config()
        setup_logging(
            self.file_config, self.paths.logs, self.options.verbose, self.options.log_file
        )
        quiet_pygls(self.options.verbose)
        self.engine = Engine(self.file_config, self.paths, self.root)
        self.pipeline = CompletionPipeline(self.engine, on_change=self.quota.refresh)
        self.apply_settings(self.settings, announce=False)
        if self.config_error:
            log.error("%s", self.config_error)

    def _load_config(self) -> Config:
        self.config_error = None
        try:
            return load_config(self.root, self.options.config_path)
        except ConfigError as exc:
            self.config_error = f"frugal-lsp: {exc} — the server runs without AI until it is fixed"
            return Config(source="invalid config: nothing is sent")

    def reload_config(self) -> None:
        """frugal.toml was saved: read it again and apply it with the editor's settings."""
        self.file_config = self._load_config()
        self.apply_settings(self.settings)

    def apply_settings(self, settings: Settings, announce: bool = True) -> None:
        if settings.tier_override != self.settings.tier_override or self.engine is None:
            self.set_tier(settings.tier_override)  # else keep one chosen with frugal.setTier
        self.settings = settings
        self.plans.clear()
        if self.engine is not None and self.pipeline is not None:
            self.engine.reconfigure(apply_settings(self.file_config, settings))
            self.pipeline.enabled = settings.enable_completions
        if announce:
            self.quota.refresh(force=True)

    def set_tier(self, tier: Tier | None) -> None:
        """The tier asks start on (None: routing decides); estimates made for another go."""
        self.tier = tier
        self.plans.clear()

    def cached_plan(self, key: tuple[Any, ...], make: Callable[[], Plan]) -> Plan:
        """The estimate remembered under ``key`` (code-action titles), else ``make()``'s."""
        plan = self.plans.get(key)
        if plan is None:
            plan = self.plans[key] = make()
            while len(self.plans) > PLAN_CACHE:
                self.plans.popitem(last=False)
        return plan

    async def close(self) -> None:
        if self.engine is not None:
            await self.engine.aclose()
            self.engine = None

    # -- documents -------------------------------------------------------------------

    def document(self, uri: str) -> Document | None:
        """The open document ``uri`` as the engine sees it; None when it is not open."""
        text_doc = self.workspace.text_documents.get(uri)
        if text_doc is None:
            return None
        path = convert.path_of(uri)
        language = text_doc.language_id or language_for(path)
        return Document(path, text_doc.source, language, text_doc.version or 0)

    def excluded(self, path: Path) -> bool:
        """Editor-setting patterns are merged into the engine's config (``apply_settings``)."""
        return self.engine is not None and self.engine.context.is_excluded(path)

    def too_large(self, document: Document) -> bool:
        limit = self.file_config.completion.max_document_bytes
        return len(document.text) > limit or len(document.text.encode("utf-8", "replace")) > limit

    def report_server_error(self, error: Exception, source: object) -> None:
        """pygls' default pops the error up (and may stop); we log it once instead."""
        self.log_once("server error (%s): %s", getattr(source, "__name__", source), error)


def _workspace_of(params: lsp.InitializeParams) -> Path | None:
    uri = params.root_uri
    if params.workspace_folders:
        uri = params.workspace_folders[0].uri
    if uri is None and params.root_path:
        return Path(params.root_path)
    return convert.path_of(uri) if uri and uri.startswith("file:") else None


def quiet_pygls(verbose: bool) -> None:
    """pygls logs every message body at INFO: code and answers stay out of the log file."""
    level = logging.DEBUG if verbose else logging.WARNING
    for name in ("pygls", "pygls.protocol", "pygls.server", "pygls.feature_manager"):
        logging.getLogger(name).setLevel(level)
