"""The server object: the session's typed state and the methods that change it.

The engine is created at ``initialize``, when the workspace is known; an invalid config
never stops the server: it starts with no provider, logs the problem and shows it as a
diagnostic and a message. Feature handlers (``lifecycle``, ``documents``, ...) import
this module; ``app.py`` imports them and registers them, so nothing imports back.

Handlers ask, they do not assign: the session's state (engine, pipeline, tier, settings,
config, busy count, background tasks) is private and read through properties; it changes
only through the methods below (``start_session``, ``apply_settings``, ``set_tier``,
``opened``/``changed``/``closed``/``saved``, ``working``, ``spawn``).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Final

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
CONFIG_NAME = "frugal.toml"


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
        self._options = options or ServeOptions()
        self._root: Path | None = self._options.workspace
        self._engine: Engine | None = None
        self._pipeline: CompletionPipeline | None = None
        self._settings = Settings()
        self._file_config = Config()
        self._config_error: str | None = None
        self._tier: Tier | None = None
        self._busy = 0
        self._background: set[asyncio.Future[Any]] = set()  # fire-and-forget work
        self._log_once = LogOnce()
        self._plans: OrderedDict[tuple[Any, ...], Plan] = OrderedDict()  # estimates for actions
        self.paths: Final = StatePaths.resolve()
        self.threads: Final = Conversations()  # the ask threads (their own methods)
        self.quota: Final = QuotaPublisher(self)
        self.index_sync: Final = IndexSync(self)  # the workspace index: built and kept current

    # -- what handlers read ----------------------------------------------------------

    @property
    def engine(self) -> Engine | None:
        """None until ``initialize`` (and after shutdown)."""
        return self._engine

    @property
    def pipeline(self) -> CompletionPipeline | None:
        return self._pipeline

    @property
    def root(self) -> Path | None:
        return self._root

    @property
    def settings(self) -> Settings:
        """The editor's settings in force."""
        return self._settings

    @property
    def file_config(self) -> Config:
        """frugal.toml as read (an empty config while it is invalid)."""
        return self._file_config

    @property
    def config_error(self) -> str | None:
        """Why frugal.toml cannot be used, or None."""
        return self._config_error

    @property
    def tier(self) -> Tier | None:
        """The tier asks start on (None: routing decides)."""
        return self._tier

    @property
    def busy(self) -> bool:
        """A completion or an answer is in flight."""
        return self._busy > 0

    def log_once(self, message: str, *args: object) -> None:
        """Log a background error once per distinct message (``LogOnce``)."""
        self._log_once(message, *args)

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """pygls' stdio server with a frame reader that survives bad frames (protocol.py)."""
        serve_stdio(self, stdin, stdout)

    def start_tcp(self, host: str, port: int) -> None:
        """pygls' TCP server with the same frame reader."""
        serve_tcp(self, host, port)

    # -- lifecycle -------------------------------------------------------------------

    def start_session(self, params: lsp.InitializeParams) -> None:
        self._root = self._options.workspace or _workspace_of(params)
        self._file_config = self._load_config()
        options = self._options
        setup_logging(self._file_config, self.paths.logs, options.verbose, options.log_file)
        quiet_pygls(options.verbose)
        self._engine = Engine(self._file_config, self.paths, self._root)
        self._pipeline = CompletionPipeline(self._engine, on_change=self.quota.refresh)
        self.apply_settings(self._settings, announce=False)
        if self._config_error:
            log.error("%s", self._config_error)

    def _load_config(self) -> Config:
        self._config_error = None
        try:
            return load_config(self._root, self._options.config_path)
        except ConfigError as exc:
            self._config_error = f"frugal-lsp: {exc} — the server runs without AI until it is fixed"
            return Config(source="invalid config: nothing is sent")

    def reload_config(self) -> None:
        """frugal.toml was saved: read it again and apply it with the editor's settings."""
        self._file_config = self._load_config()
        self.apply_settings(self._settings)

    def apply_settings(self, settings: Settings, announce: bool = True) -> None:
        if settings.tier_override != self._settings.tier_override or self._engine is None:
            self.set_tier(settings.tier_override)  # else keep one chosen with frugal.setTier
        self._settings = settings
        self._plans.clear()
        if self._engine is not None and self._pipeline is not None:
            self._engine.reconfigure(apply_settings(self._file_config, settings))
            self._pipeline.enabled = settings.enable_completions
        if announce:
            self.quota.refresh(force=True)

    def set_tier(self, tier: Tier | None) -> None:
        """The tier asks start on (None: routing decides); estimates made for another go."""
        self._tier = tier
        self._plans.clear()

    def cached_plan(self, key: tuple[Any, ...], make: Callable[[], Plan]) -> Plan:
        """The estimate remembered under ``key`` (code-action titles), else ``make()``'s."""
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = make()
            while len(self._plans) > PLAN_CACHE:
                self._plans.popitem(last=False)
        return plan

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.aclose()
            self._engine = None

    # -- work in flight --------------------------------------------------------------

    @contextmanager
    def working(self) -> Iterator[None]:
        """Counts as busy (``frugal/status`` ``busy``) while the block runs, even if it fails."""
        self._busy += 1
        try:
            yield
        finally:
            self._busy -= 1

    def spawn(self, work: Awaitable[Any]) -> asyncio.Future[Any]:
        """Run ``work`` in the background, holding a reference until it is done."""
        future = asyncio.ensure_future(work)
        self._background.add(future)
        future.add_done_callback(self._background.discard)
        return future

    def accept_completion(self, completion_id: str) -> bool:
        """The user took suggestion ``completion_id``; False when it is unknown."""
        return self._pipeline is not None and self._pipeline.accept(completion_id)

    # -- documents -------------------------------------------------------------------

    def opened(self, uri: str, version: int) -> None:
        self._new_text(uri, version)
        self.quota.publish(uri, force=True)

    def changed(self, uri: str, version: int) -> None:
        """The user edited ``uri``: as a new text, and it is now a recently edited file."""
        self._new_text(uri, version)
        doc = self.document(uri) if uri.startswith("file:") else None
        if self._engine is not None and doc is not None:
            self._engine.edited(doc)

    def _new_text(self, uri: str, version: int) -> None:
        """The editor's text of ``uri`` is now ``version``: suggestions for older ones go."""
        if self._pipeline is not None:
            self._pipeline.edited(uri, version)
        self.index_sync.edited(uri)

    def closed(self, uri: str) -> None:
        if self._pipeline is not None:
            self._pipeline.closed(uri)
        if self._engine is not None:
            self._engine.context.forget(convert.path_of(uri))
        self.quota.forget(uri)

    def saved(self, uri: str) -> None:
        """Re-index the file; a saved frugal.toml at the workspace root is read again."""
        self.index_sync.saved(uri)
        path = convert.path_of(uri)
        if path.name == CONFIG_NAME and self._root is not None and path.parent == self._root:
            self.reload_config()

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
        return self._engine is not None and self._engine.context.is_excluded(path)

    def too_large(self, document: Document) -> bool:
        limit = self._file_config.completion.max_document_bytes
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
