"""The workspace index in the server: first build in the background, kept current.

* ``initialized``: the first build runs in a worker thread (restored from the state dir
  when a previous session saved it); a project of ``PROGRESS_FROM`` files or more shows
  work-done progress. Completions never wait for it: they use what is indexed so far.
* ``didOpen``/``didChange``: the editor's text is re-indexed ``EDIT_DELAY_S`` after the
  last change of a document (one parse per pause in typing, in a worker thread);
  ``didSave`` and ``workspace/didChangeWatchedFiles`` re-read files from disk. The
  watcher is registered dynamically when the client supports it. The same pause cuts a
  recently edited document into the windows other files borrow (``Engine.recent``), so
  the first completion elsewhere does not pay for it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from frugal_lsp.context.workspace import WorkspaceIndex
from frugal_lsp.context.workspace.index import INDEXED_SUFFIXES
from frugal_lsp.lsp import convert

if TYPE_CHECKING:
    from frugal_lsp.lsp.server import FrugalServer

EDIT_DELAY_S = 1.0
PROGRESS_FROM = 200  # files: smaller projects index in well under a second
WATCH_ID = "frugal-workspace-index"


class IndexSync:
    """Schedules index work for one server; everything heavy runs in a worker thread."""

    def __init__(self, ls: FrugalServer) -> None:
        self.ls = ls
        self._pending: dict[str, asyncio.TimerHandle] = {}

    @property
    def index(self) -> WorkspaceIndex | None:
        engine = self.ls.engine
        if engine is None or engine.index is None or not engine.config.context.cross_file:
            return None
        return engine.index

    def begin(self) -> None:
        """Start the first build (``initialized``); returns at once."""
        self.ls.spawn(self.start())

    async def start(self) -> None:
        index = self.index
        if index is None:
            return
        await self._watch()
        token = await self._progress_token(index)
        loop = asyncio.get_running_loop()

        def progress(done: int, total: int) -> None:
            if token is not None and total >= PROGRESS_FROM:
                loop.call_soon_threadsafe(self._report, token, done, total)

        try:
            await asyncio.to_thread(index.build, progress)
        except Exception as exc:  # a failed index only means no cross-file context
            self.ls.log_once("workspace index: build failed: %s", exc)
        finally:
            if token is not None:
                end = lsp.WorkDoneProgressEnd(message=f"{len(index)} files indexed")
                self.ls.work_done_progress.end(token, end)

    def edited(self, uri: str) -> None:
        """A document changed in the editor: re-index it once typing pauses."""
        if self.index is None or not uri.startswith("file:"):
            return
        old = self._pending.pop(uri, None)
        if old is not None:
            old.cancel()
        loop = asyncio.get_running_loop()
        self._pending[uri] = loop.call_later(EDIT_DELAY_S, self._run_edit, uri)

    def saved(self, uri: str) -> None:
        if self.index is not None and uri.startswith("file:"):
            self._spawn(self.index.refresh, convert.path_of(uri))

    def changed_on_disk(self, params: lsp.DidChangeWatchedFilesParams) -> None:
        index = self.index
        if index is None:
            return
        for change in params.changes:
            if not change.uri.startswith("file:"):
                continue
            path = convert.path_of(change.uri)
            if change.type == lsp.FileChangeType.Deleted:
                index.remove(path)
                self._forget_recent(path)
            else:
                self._spawn(index.refresh, path)

    def _forget_recent(self, path: Path) -> None:
        engine = self.ls.engine
        if engine is not None and engine.recent is not None:
            engine.recent.forget(path)  # a deleted file lends no window

    def _run_edit(self, uri: str) -> None:
        self._pending.pop(uri, None)
        index, doc, engine = self.index, self.ls.document(uri), self.ls.engine
        if index is None or doc is None or engine is None:
            return
        self._spawn(index.update, doc.path, doc.text)
        if engine.recent is not None and engine.config.context.recent_windows:
            self._spawn(engine.recent.prepare, doc.path)  # its windows, before others ask

    def _spawn(self, fn: Callable[..., object], *args: object) -> None:
        self.ls.spawn(asyncio.to_thread(fn, *args))

    async def _watch(self) -> None:
        """Ask the client to report file changes, when it can register watchers."""
        workspace = self.ls.client_capabilities.workspace
        watched = workspace.did_change_watched_files if workspace else None
        if not (watched and watched.dynamic_registration):
            return
        glob = "**/*.{" + ",".join(s.lstrip(".") for s in INDEXED_SUFFIXES) + "}"
        options = lsp.DidChangeWatchedFilesRegistrationOptions(
            watchers=[lsp.FileSystemWatcher(glob_pattern=glob)]
        )
        registration = lsp.Registration(
            id=WATCH_ID, method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
        )
        try:
            await self.ls.client_register_capability_async(
                lsp.RegistrationParams(registrations=[registration])
            )
        except Exception as exc:
            self.ls.log_once("client/registerCapability (file watcher) failed: %s", exc)

    async def _progress_token(self, index: WorkspaceIndex) -> str | None:
        window = self.ls.client_capabilities.window
        if not (window and window.work_done_progress):
            return None
        token = f"frugal-index-{uuid.uuid4().hex[:8]}"
        try:
            await self.ls.work_done_progress.create_async(token)
        except Exception as exc:
            self.ls.log_once("window/workDoneProgress/create failed: %s", exc)
            return None
        begin = lsp.WorkDoneProgressBegin(title="frugal: indexing the workspace", percentage=0)
        self.ls.work_done_progress.begin(token, begin)
        return token

    def _report(self, token: str, done: int, total: int) -> None:
        report = lsp.WorkDoneProgressReport(
            message=f"{done}/{total} files", percentage=int(100 * done / max(total, 1))
        )
        self.ls.work_done_progress.report(token, report)


def register(server: FrugalServer) -> None:
    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: FrugalServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        ls.index_sync.changed_on_disk(params)
