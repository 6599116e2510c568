"""Code actions: asks, templates, "explain this error", "ask again stronger" — each title
carries its estimate (``~420 tokens, basic``) before anything is spent."""

from __future__ import annotations

from typing import Any

from lsprotocol import types as lsp
from lsprotocol.converters import get_converter

from frugal_lsp.context import ContextRequest, Document, Position
from frugal_lsp.context.policies import TASKS
from frugal_lsp.context.segments import segments
from frugal_lsp.errors import FrugalError
from frugal_lsp.lsp import convert
from frugal_lsp.lsp.answers import engine_of, planning_engine, stronger_plan
from frugal_lsp.lsp.server import FrugalServer
from frugal_lsp.results import Plan
from frugal_lsp.tasks import Task

MAX_DIAGNOSTICS = 3
ASK_KIND = lsp.CodeActionKind.RefactorRewrite
KINDS: tuple[str, ...] = (ASK_KIND, lsp.CodeActionKind.QuickFix)
_converter = get_converter()


def register(server: FrugalServer) -> None:
    options = lsp.CodeActionOptions(code_action_kinds=list(KINDS))

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, options)
    def code_action(ls: FrugalServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        document = ls.document(params.text_document.uri)
        if document is None or ls.engine is None or not _wanted(ls, document, params):
            return []
        start, end = convert.position(params.range.start), convert.position(params.range.end)
        if (end.line, end.character) < (start.line, start.character):
            return []
        try:
            offers = Offers(ls, params.text_document.uri, document)
            return offers.selection(start, end) + offers.errors(params) + offers.thread(start)
        except FrugalError as exc:
            ls.log_once("code actions: %s", exc)
            return []


def _wanted(ls: FrugalServer, document: Document, params: lsp.CodeActionParams) -> bool:
    """Not for huge or excluded files, nor when the client asks only for other kinds."""
    only = params.context.only
    if only and not any(k.startswith(o) or o.startswith(k) for o in only for k in KINDS):
        return False
    return not ls.too_large(document) and not ls.excluded(document.path)


class Offers:
    """The actions for one request; plans are cached by document version and range."""

    def __init__(self, ls: FrugalServer, uri: str, document: Document) -> None:
        self.ls = ls
        self.uri = uri
        self.document = document

    def selection(self, start: Position, end: Position) -> list[lsp.CodeAction]:
        if start == end:
            return []
        ctx = self.ls.file_config.context
        rows = self.document.lines[start.line : end.line + 1]
        if self._tokens("\n".join(rows)) > ctx.ask_max_tokens * 3 // 4:
            return self._segments(start, end)
        args = {"uri": self.uri, "range": convert.range_json(start, end)}
        actions = [self._ask("Ask about selection", args, start, end, "")]
        for template in self.ls.settings.templates:
            extra = {"template": template.title, "question": template.prompt}
            actions.append(self._ask(template.title, args | extra, start, end, template.prompt))
        return actions

    def _segments(self, start: Position, end: Position) -> list[lsp.CodeAction]:
        budget = self.ls.file_config.context.ask_max_tokens // 2
        found = segments(self.document.lines, start.line, end.line, self._tokens, budget)
        actions = []
        for seg in found:
            a, b = (
                Position(seg.start_line, 0),
                Position(seg.end_line, _line_len(self, seg.end_line)),
            )
            args = {"uri": self.uri, "range": convert.range_json(a, b)}
            actions.append(self._ask(f"Ask about {seg.label}", args, a, b, ""))
        return actions

    def _ask(
        self, title: str, args: dict[str, Any], start: Position, end: Position, question: str
    ) -> lsp.CodeAction:
        request = ContextRequest(self.document, Task.ASK, start, end, question=question)
        label = convert.estimate_label(self._plan(request))
        return _action(f"{title} ({label})", TASKS[Task.ASK].command, args, ASK_KIND)

    def errors(self, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        foreign = [d for d in params.context.diagnostics if d.source != "frugal"]
        actions = []
        for diagnostic in foreign[:MAX_DIAGNOSTICS]:
            start = convert.position(diagnostic.range.start)
            request = ContextRequest(
                self.document, Task.EXPLAIN_ERROR, start, diagnostic=diagnostic.message
            )
            label = convert.estimate_label(self._plan(request))
            args = {"uri": self.uri, "diagnostic": _converter.unstructure(diagnostic)}
            action = _action(
                f"Explain this error ({label})",
                TASKS[Task.EXPLAIN_ERROR].command,
                args,
                lsp.CodeActionKind.QuickFix,
            )
            action.diagnostics = [diagnostic]
            actions.append(action)
        return actions

    def thread(self, start: Position) -> list[lsp.CodeAction]:
        thread = self.ls.threads.latest_for(self.uri, start.line)
        if thread is None or thread.last is None:
            return []
        args = {"threadId": thread.id}
        actions = [_action("Clear conversation", "frugal.clearConversation", args, ASK_KIND)]
        plan = stronger_plan(self.ls, thread)
        if plan is not None:  # only offered when a stronger model can take it
            title = f"Ask again with a stronger model ({convert.estimate_label(plan)})"
            actions.insert(0, _action(title, "frugal.askAgainStronger", args, ASK_KIND))
        return actions

    def _plan(self, request: ContextRequest) -> Plan:
        key = (self.uri, self.document.version, request.key(), self.ls.tier)
        return self.ls.cached_plan(
            key, lambda: planning_engine(self.ls).plan(request, self.ls.tier)
        )

    def _tokens(self, text: str) -> int:
        return engine_of(self.ls).tokens.count(text)


def _line_len(offers: Offers, row: int) -> int:
    lines = offers.document.lines
    return convert.utf16_len(lines[row]) if 0 <= row < len(lines) else 0


def _action(title: str, command: str, args: dict[str, Any], kind: str) -> lsp.CodeAction:
    return lsp.CodeAction(
        title=title, kind=kind, command=lsp.Command(title=title, command=command, arguments=[args])
    )
