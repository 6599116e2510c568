"""Quota status everywhere an editor can show it: diagnostics, ``frugal/status``, messages.

- a diagnostic (source ``frugal``) on the first line of each open document: nothing while
  all is well, Warning / Error as usage crosses the alert thresholds, Information when
  no provider is configured, Error while the config is invalid;
- the ``frugal/status`` notification whenever the status changes;
- ``window/showMessage`` once per alert: each ``alert_at`` threshold fires once per period
  across every process sharing the ledger and across restarts (``quota/alerts.py``), so
  two editor windows do not both pop up the same warning (and once for an invalid config);
- the pacing step (cheaper tier, smaller context, longer debounce) in the status message.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from frugal_lsp.lsp import convert
from frugal_lsp.quota.status import Status

if TYPE_CHECKING:
    from frugal_lsp.lsp.server import FrugalServer

log = logging.getLogger(__name__)
STATUS_METHOD = "frugal/status"
SOURCE = "frugal"
_SEVERITY = {
    "warning": lsp.DiagnosticSeverity.Warning,
    "error": lsp.DiagnosticSeverity.Error,
    "exhausted": lsp.DiagnosticSeverity.Error,
    "unconfigured": lsp.DiagnosticSeverity.Information,
}
DiagnosticKey = tuple[tuple[int, str], ...]


class QuotaPublisher:
    def __init__(self, server: FrugalServer) -> None:
        self.server = server
        self._last: dict[str, Any] | None = None
        self._published: dict[str, DiagnosticKey] = {}
        self._config_error_shown: str | None = None

    def current(self) -> Status | None:
        engine = self.server.engine
        if engine is None:
            return None
        tier = self.server.tier.value if self.server.tier else "auto"
        status = replace(engine.status(), tier=tier, busy=self.server.busy)
        if self.server.config_error:  # not "unconfigured": the file is there, and wrong
            message = self.server.config_error.removeprefix("frugal-lsp: ")
            status = replace(status, state="error", message=message)
        return status

    def refresh(self, force: bool = False) -> None:
        """Recompute the status; tell the client about whatever changed."""
        try:
            status = self.current()
        except Exception as exc:  # a broken ledger must not break editing
            self.server.log_once("could not compute the quota status: %s", exc)
            return
        if status is None:
            return
        payload = convert.status_json(status)
        if force or payload != self._last:
            self._last = payload
            self.server.protocol.notify(STATUS_METHOD, payload)
        self._announce(status)
        for uri in list(self.server.workspace.text_documents):
            self.publish(uri, status)

    def publish(self, uri: str, status: Status | None = None, force: bool = False) -> None:
        """The quota diagnostic of one open document, sent only when it changed."""
        status = status or self.current()
        text_doc = self.server.workspace.text_documents.get(uri)
        if status is None or text_doc is None:
            return
        diagnostics = self.diagnostics(status, text_doc.source)
        key = tuple((int(d.severity or 0), d.message) for d in diagnostics)
        if not force and self._published.get(uri) == key:
            return
        self._published[uri] = key
        self.server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=text_doc.version)
        )

    def forget(self, uri: str) -> None:
        if self._published.pop(uri, None):
            self.server.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    def diagnostics(self, status: Status, text: str) -> list[lsp.Diagnostic]:
        where = convert.first_line_range(text)
        found: list[lsp.Diagnostic] = []
        if self.server.config_error:
            found.append(_diagnostic(where, lsp.DiagnosticSeverity.Error, self.server.config_error))
        elif status.state in _SEVERITY:
            found.append(_diagnostic(where, _SEVERITY[status.state], message_for(status)))
        return found

    def _announce(self, status: Status) -> None:
        error = self.server.config_error
        if error and error != self._config_error_shown:
            self._config_error_shown = error
            self._show(lsp.MessageType.Error, error)
        engine = self.server.engine
        for event in engine.alerts.drain() if engine is not None else ():
            if event.scope == "budget" and status.state in _SEVERITY:
                kind = (
                    lsp.MessageType.Warning if status.state == "warning" else lsp.MessageType.Error
                )
                self._show(kind, message_for(status))
            else:
                severe = event.threshold >= 1.0
                self._show(lsp.MessageType.Error if severe else lsp.MessageType.Warning, event.text)

    def _show(self, kind: lsp.MessageType, message: str) -> None:
        self.server.window_show_message(lsp.ShowMessageParams(type=kind, message=message))


def message_for(status: Status) -> str:
    if status.state in {"warning", "error", "exhausted"}:
        return f"{status.message}; completions use the basic tier"
    return status.message


def _diagnostic(where: lsp.Range, severity: lsp.DiagnosticSeverity, message: str) -> lsp.Diagnostic:
    return lsp.Diagnostic(range=where, message=message, severity=severity, source=SOURCE)
