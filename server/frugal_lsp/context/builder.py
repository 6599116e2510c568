"""The context layer's entry point: scope, redact, and lay out one request's prompt."""

from __future__ import annotations

import time
from collections import OrderedDict
from pathlib import Path

from frugal_lsp.config import ContextConfig, LiveConfig
from frugal_lsp.context.document import Document, utf16_to_index
from frugal_lsp.context.exclude import Exclusions
from frugal_lsp.context.filetokens import FileTokens
from frugal_lsp.context.found import Found
from frugal_lsp.context.frameworks import detect_frameworks
from frugal_lsp.context.linefacts import LineFacts, Words
from frugal_lsp.context.policies import TASKS, Excerpt, Gathered, Need
from frugal_lsp.context.postprocess import clean_completion
from frugal_lsp.context.redact import BlockMemo, RedactedLines
from frugal_lsp.context.request import ContextRequest
from frugal_lsp.context.scoping import Scoper
from frugal_lsp.context.traces import excerpts_for
from frugal_lsp.context.workspace import CrossFile, CrossSnippet, RecentEdits, WorkspaceIndex
from frugal_lsp.context.workspace.recent import QUERY_ROWS
from frugal_lsp.errors import ContextExcluded
from frugal_lsp.prompt import Prompt
from frugal_lsp.tokens import TokenCounter

FRAMEWORKS_TTL_S = 2.0
MEMO_SIZE = 32
MemoKey = tuple[Path, int, int, int, int, int, tuple[tuple[str, int], ...]]
CROSS_ABOVE, CROSS_BELOW = 40, 15  # rows around the cursor whose names are looked up


def _memo_key(
    request: ContextRequest, generation: int, recent: tuple[tuple[str, int], ...]
) -> MemoKey | None:
    """Memoized tasks only (completion): others read other files or carry a question. The
    index's generation and the other recently edited files' versions are part of the key:
    another file's change changes what a prompt holds."""
    if not TASKS[request.task].memoized:
        return None
    doc, pos = request.document, request.position
    return (doc.path, hash(doc.text), len(doc.text), pos.line, pos.character, generation, recent)


class ContextBuilder:
    """Builds the smallest prompt that still holds what the model needs."""

    def __init__(
        self,
        config: ContextConfig | LiveConfig,
        counter: TokenCounter,
        workspace: Path | None = None,
        index: WorkspaceIndex | None = None,
        recent: RecentEdits | None = None,
    ) -> None:
        self._config = config
        self.counter = counter
        self.workspace = workspace.resolve() if workspace is not None else None
        ctx = self.config  # exclusions are compiled once: a new config means a new builder
        self._exclusions = Exclusions(ctx.exclude, self.workspace, ctx.respect_gitignore)
        self._scoper = Scoper()
        self._file_tokens = FileTokens(counter)
        self._facts = LineFacts(counter)
        self._redacted = BlockMemo()
        self._frameworks: dict[Path, tuple[float, frozenset[str]]] = {}
        self._memo: OrderedDict[MemoKey, tuple[str, Prompt]] = OrderedDict()
        self.index = index  # used while `[context] cross_file` is on
        self._cross = CrossFile(index) if index is not None else None
        self.recent = recent  # the windows of recently edited files (`recent_windows`)

    @property
    def config(self) -> ContextConfig:
        """``[context]`` of the config in force (paced), or the one given."""
        given = self._config
        return given.current.context if isinstance(given, LiveConfig) else given

    def is_excluded(self, path: Path) -> bool:
        """True when nothing from ``path`` may leave the machine."""
        return self._exclusions.is_excluded(path)

    def forget(self, path: Path) -> None:
        """Drop cached state for a closed document."""
        self._scoper.forget(path)
        self._facts.forget(path)
        self._frameworks.pop(path, None)
        for key in [k for k in self._memo if k[0] == path]:
            del self._memo[key]

    def build(self, request: ContextRequest) -> Prompt:
        """The prompt for ``request``; raises ContextExcluded for excluded files and
        InvalidRequest for a position outside the document.

        Completion prompts are remembered for the last few (text, position) pairs: editors
        ask again at the same spot (undo, cursor back, re-trigger), and the answer cache
        can only be consulted once the prompt is known (bench: ~25 ms at 5,000 lines)."""
        doc = request.document
        self._check(doc.path)
        generation = self.index.generation if self.index is not None else 0
        key = _memo_key(request, generation, self._recent_stamp(doc))
        remembered = self._memo.get(key) if key else None
        if key and remembered is not None and remembered[0] == doc.text:
            self._memo.move_to_end(key)
            return remembered[1]
        request.check()  # a remembered prompt was checked when it was built
        prompt = TASKS[request.task].policy.build(self._gather(request))
        if key:
            self._memo[key] = (doc.text, prompt)
            while len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        return prompt

    def candidates(self, request: ContextRequest) -> tuple[CrossSnippet, ...]:
        """Every cross-file snippet found for ``request``, before any budget (benchmarks
        measure what each is worth: ``crossfile_bench --values``)."""
        return self._gather(request).cross_file

    def postprocess_completion(self, prompt: Prompt, raw: str) -> str:
        """A model's raw completion as insertable text; "" when unusable."""
        return clean_completion(prompt, raw)

    def _check(self, path: Path) -> None:
        if self.is_excluded(path):
            raise ContextExcluded(
                f"{path}: matches `context.exclude` or a .gitignore rule — nothing from this "
                "file is sent; remove the pattern to allow it"
            )

    def _gather(self, request: ContextRequest) -> Gathered:
        doc = request.document
        lines = doc.lines
        row = min(max(request.position.line, 0), len(lines) - 1)
        column = utf16_to_index(lines[row], request.position.character)
        found = self._scoper.find(doc, row, column)
        return Gathered(
            request=request,
            found=found,
            lines=RedactedLines(lines, self._redacted),
            row=row,
            column=column,
            config=self.config,
            counter=self.counter,
            full_file_tokens=self._file_tokens.count(doc.path, doc.text),
            frameworks=self._frameworks_of(doc),
            facts=self._facts,
            words=self._words(request, lines),
            workspace=self.workspace,
            excerpts=self._excerpts(request),
            source=lines,
            cross_file=self._cross_file(request, found, lines, row, column),
        )

    def _cross_file(
        self, request: ContextRequest, found: Found, lines: list[str], row: int, column: int
    ) -> tuple[CrossSnippet, ...]:
        """Definitions in other files of the names used near the cursor (or in the
        selection), then the window of a recently edited file most like the code there:
        last, so it gets only the budget the definitions leave. Reads the workspace index
        as it is, never waits for it."""
        if not self.config.cross_file:
            return ()
        found_defs = self._definitions(request, found, lines, row, column)
        window = self._recent_window(request, lines, row)
        return (*found_defs, window) if window is not None else found_defs

    def _definitions(
        self, request: ContextRequest, found: Found, lines: list[str], row: int, column: int
    ) -> tuple[CrossSnippet, ...]:
        if self._cross is None:
            return ()
        doc = request.document
        scope = found.scope
        if TASKS[request.task].latency_bound:  # completion: the rows around the cursor
            first, last = max(scope.start_line, row - CROSS_ABOVE), row + CROSS_BELOW
        else:
            first, last = scope.start_line, scope.end_line
        rows = range(max(first, 0), min(last, len(lines) - 1) + 1)
        imports = "\n".join(lines[r] for r in found.imports if r < len(lines))
        return self._cross.snippets(
            doc.path, doc.language, imports, lines, row, column, rows, found.outer
        )

    def _recent_window(
        self, request: ContextRequest, lines: list[str], row: int
    ) -> CrossSnippet | None:
        """Completion: compared with the QUERY_ROWS lines above the cursor's line (not the
        line being typed: the answer stays the same while it is); a selection task: with
        the selection's first QUERY_ROWS lines."""
        if self.recent is None or not self.config.recent_windows:
            return None
        doc = request.document
        if TASKS[request.task].latency_bound or request.end is None:
            query = lines[max(row - QUERY_ROWS, 0) : row]
        else:
            last = min(request.end.line, row + QUERY_ROWS - 1, len(lines) - 1)
            query = lines[row : last + 1]
        return self.recent.similar(doc.path, doc.language, query)

    def _recent_stamp(self, doc: Document) -> tuple[tuple[str, int], ...]:
        if self.recent is None or not (self.config.cross_file and self.config.recent_windows):
            return ()
        return self.recent.stamp(doc.path)

    def _words(self, request: ContextRequest, lines: list[str]) -> tuple[Words, ...]:
        if Need.WORDS not in TASKS[request.task].needs:
            return ()
        return self._facts.words_of(request.document.path, request.document.text, lines)

    def _excerpts(self, request: ContextRequest) -> tuple[Excerpt, ...]:
        if Need.EXCERPTS not in TASKS[request.task].needs or not request.diagnostic:
            return ()
        return excerpts_for(request, self.workspace, self.is_excluded, self._scoper)

    def _frameworks_of(self, doc: Document) -> frozenset[str]:
        """Re-scanned at most every FRAMEWORKS_TTL_S per document: imports rarely change
        while typing, and the scan costs ~7 ms on a 5,000-line file (bench profile)."""
        cached = self._frameworks.get(doc.path)
        now = time.monotonic()
        if cached is not None and now - cached[0] < FRAMEWORKS_TTL_S:
            return cached[1]
        found = detect_frameworks(doc.text)
        self._frameworks[doc.path] = (now, found)
        return found
