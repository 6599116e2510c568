"""Windows of the files the user edited recently: the one most like the code at the cursor.

Tabby adds snippets from recently changed files and Copilot from neighbouring tabs: code
written a minute ago in another file (the test of the function being written, its twin
handler) is often the best example of what comes next. ``RecentEdits`` keeps the last
``MAX_FILES`` documents the editor changed (path, text, time of the last edit); the
current file never counts. ``similar()`` compares the code just above the cursor with
every window of ``WINDOW_ROWS`` lines (every ``STEP`` rows) of the other files and
returns the best one as a ``CrossSnippet`` (``source="recent"``), or nothing below
``MIN_SIMILARITY``: a window that merely shares ``len`` and ``str`` costs quota for noise.

Similarity is the Jaccard overlap of the two identifier sets (keywords left out): no
model, no tokenizer, normalised by size, so a long window full of names does not win by
length; it is the measure Copilot's neighbouring-tab snippets are known to use. Each file
version's windows are computed once (cached by path and text digest) into an inverted
index, identifier -> windows as the bits of an int, so a lookup adds up the query's
names bit-parallel instead of visiting windows one by one.

Excluded files (``[context] exclude``, ``.gitignore``, the credential rules) never enter
the record, the winner is checked again before it is returned, and the windows are cut
from the redacted text (redaction keeps line breaks, so rows still match).
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from frugal_lsp.context.redact import redact
from frugal_lsp.context.workspace.imports import JS_LANGUAGES
from frugal_lsp.context.workspace.index import MAX_FILE_BYTES
from frugal_lsp.context.workspace.outline import CrossSnippet

MAX_FILES = 8  # documents remembered; the oldest edit leaves first
QUERY_ROWS = 10  # the code just above the cursor: the lines above its line (the builder)
WINDOW_ROWS = 12  # lines of a candidate window
STEP = 4  # rows between window starts
MIN_SIMILARITY = 0.2  # Jaccard; below it a window is noise (see the bench in the note)
ANSWERS = 64  # lookups remembered (the same lines above the cursor, no other file changed)
MIN_QUERY_NAMES = 3  # fewer names above the cursor say nothing about what it is like
_NAME = re.compile(r"[A-Za-z_$][\w$]*")
_STRING = re.compile(r"(['\"`])(?:\\.|(?!\1).)*\1")  # as outline.code_of, on a whole text
_COMMENT = re.compile(r"(?:#|//).*")
_KEYWORDS = """
    False None True and as assert async await break class continue def del elif else
    except finally for from global if import in is lambda nonlocal not or pass raise
    return try while with yield match case self cls
    const let var function new this typeof instanceof void delete throw catch switch
    default export extends super static null undefined true false of get set
"""
KEYWORDS = frozenset(_KEYWORDS.split())  # Python's and JavaScript's, and self/this


def names_of(lines: Iterable[str]) -> frozenset[str]:
    """The identifiers of code lines (strings and trailing comments left out), no keywords."""
    return frozenset(_NAME.findall(_code("\n".join(lines)))) - KEYWORDS


def line_names(text: str) -> list[frozenset[str]]:
    """``names_of`` each line of ``text``."""
    return [frozenset(_NAME.findall(line)) - KEYWORDS for line in _code(text).split("\n")]


def _code(text: str) -> str:
    """``outline.code_of`` of every line at once (two passes over the text, not 2 a line)."""
    return _COMMENT.sub("", _STRING.sub('""', text))


def family(language: str) -> str:
    """Languages whose files are alike enough to borrow from: JS and TS are one."""
    return "javascript" if language in JS_LANGUAGES else language


@dataclass(frozen=True)
class Windows:
    """One file version cut into windows: their redacted lines and, per identifier, the
    set of windows holding it as the bits of an int (a bit-parallel inverted index)."""

    text: str  # the raw text they were cut from (the digest's collision check)
    lines: tuple[str, ...]  # redacted
    starts: tuple[int, ...]  # first row of each window
    sizes: tuple[int, ...]  # identifiers per window
    masks: dict[str, int]  # identifier -> bit w set when window w holds it

    @classmethod
    def of(cls, text: str) -> Windows:
        lines = tuple(redact(text).text.split("\n"))
        per_line = line_names(text)
        last = max(len(lines) - WINDOW_ROWS, 0)
        starts = [*range(0, last + 1, STEP)]
        if starts[-1] != last:
            starts.append(last)  # the file's end is a window too
        names = [frozenset().union(*per_line[s : s + WINDOW_ROWS]) for s in starts]
        masks: dict[str, int] = {}
        for w, held in enumerate(names):
            bit = 1 << w
            for name in held:
                masks[name] = masks.get(name, 0) | bit
        return cls(text, lines, tuple(starts), tuple(len(n) for n in names), masks)

    def best(self, query: frozenset[str], floor: float) -> tuple[float, int]:
        """(Jaccard, window) of the window most like ``query`` if it beats ``floor``, else
        (floor, -1); ties go to the earlier window. The query's masks are added up bit by
        bit (``planes[i]``: bit i of each window's count of shared names), then the
        windows are read level by level, most shared names first, until a level's bound
        (shared / len(query)) can no longer beat the best."""
        q = len(query)
        need = int(floor * q) + 1  # fewer shared names cannot beat ``floor``
        held = [m for name in query if (m := self.masks.get(name)) is not None]
        if len(held) < need:
            return floor, -1
        planes: list[int] = []
        for carry in held:
            for i, plane in enumerate(planes):
                planes[i] = plane ^ carry
                carry &= plane
                if not carry:
                    break
            else:
                planes.append(carry)
        best, chosen = floor, -1
        everything = (1 << len(self.sizes)) - 1
        for shared in range(min(len(held), (1 << len(planes)) - 1), need - 1, -1):
            if shared <= best * q:
                break
            level = everything
            for i, plane in enumerate(planes):
                level &= plane if shared >> i & 1 else ~plane
                if not level:
                    break
            while level:
                low = level & -level
                level ^= low
                w = low.bit_length() - 1
                score = shared / (q + self.sizes[w] - shared)
                if score > best or (score == best and w < chosen):
                    best, chosen = score, w
        return best, chosen

    def text_of(self, w: int) -> tuple[int, str]:
        """The first non-blank row of window ``w`` and its lines, blank ends left out."""
        start = self.starts[w]
        rows = list(self.lines[start : start + WINDOW_ROWS])
        while rows and not rows[-1].strip():
            rows.pop()
        while rows and not rows[0].strip():
            rows.pop(0)
            start += 1
        return start, "\n".join(rows)


@dataclass
class _Edited:
    path: Path
    rel: str  # workspace-relative, POSIX
    text: str
    language: str
    when: float  # time.time() of the last edit
    version: int  # edits seen: part of the prompt memo's key


class RecentEdits:
    """The documents edited lately in one workspace, and their windows (thread-safe)."""

    def __init__(
        self,
        root: Path,
        is_excluded: Callable[[Path], bool],
        max_files: int = MAX_FILES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.root = root.resolve()
        self.is_excluded = is_excluded
        self.max_files = max_files
        self._clock = clock
        self._files: OrderedDict[str, _Edited] = OrderedDict()  # oldest edit first
        self._windows: dict[str, tuple[int, Windows]] = {}  # path -> (digest, windows)
        self._answers: OrderedDict[tuple[object, ...], tuple[Path, CrossSnippet] | None]
        self._answers = OrderedDict()  # (file, language, query names, stamp) -> the window
        self._rels: dict[Path, str | None] = {}
        self._lock = threading.Lock()

    def edited(self, path: Path, text: str, language: str) -> None:
        """``path`` now holds ``text`` in the editor; a file outside the workspace, an
        excluded or an oversized one is not kept (and leaves if it was)."""
        rel = self._rel(path)
        if rel is None:
            return
        if len(text) > MAX_FILE_BYTES or self.is_excluded(path):
            self.forget(path)
            return
        with self._lock:
            old = self._files.pop(rel, None)
            version = old.version + 1 if old is not None else 1
            self._files[rel] = _Edited(path, rel, text, language, self._clock(), version)
            while len(self._files) > self.max_files:
                gone, _ = self._files.popitem(last=False)
                self._windows.pop(gone, None)

    def prepare(self, path: Path) -> None:
        """Cut ``path``'s current text into windows now (a worker thread, once typing
        pauses), so the first request from another file does not pay for it."""
        rel = self._rel(path)
        with self._lock:
            entry = self._files.get(rel) if rel is not None else None
        if entry is not None:
            self._windows_of(entry.rel, entry.text)

    def forget(self, path: Path) -> None:
        """Drop ``path`` (deleted, or excluded now)."""
        rel = self._rel(path)
        with self._lock:
            if rel is not None and self._files.pop(rel, None) is not None:
                self._windows.pop(rel, None)

    def prune(self) -> int:
        """Drop the files a changed configuration now excludes; how many went."""
        gone = [e.path for e in self.entries() if self.is_excluded(e.path)]
        for path in gone:
            self.forget(path)
        return len(gone)

    def entries(self) -> list[_Edited]:
        """Most recently edited first."""
        with self._lock:
            return list(reversed(self._files.values()))

    def stamp(self, path: Path) -> tuple[tuple[str, int], ...]:
        """What the other files' windows depend on: for the prompt memo's key."""
        own = self._rel(path)
        with self._lock:
            return tuple((rel, e.version) for rel, e in self._files.items() if rel != own)

    def similar(self, path: Path, language: str, query_lines: Iterable[str]) -> CrossSnippet | None:
        """The window of another recently edited file of the same language family most
        like ``query_lines`` (the code just above the cursor); None below MIN_SIMILARITY.
        Remembered per (file, query names, the other files' versions): while the user types
        on one line, the lines above it, so the answer, stay the same."""
        query = names_of(query_lines)
        if len(query) < MIN_QUERY_NAMES:
            return None
        own, kind = self._rel(path), family(language)
        key = (own, kind, query, self.stamp(path))
        with self._lock:
            seen = key in self._answers
            known = self._answers.get(key)
        if not seen:
            known = self._search(own, kind, query)
            with self._lock:
                self._answers[key] = known
                while len(self._answers) > ANSWERS:
                    self._answers.popitem(last=False)
        if known is None:
            return None
        where, snippet = known
        if self.is_excluded(where):  # a rule added since its last edit
            self.forget(where)
            return None
        return snippet

    def _search(
        self, own: str | None, kind: str, query: frozenset[str]
    ) -> tuple[Path, CrossSnippet] | None:
        best, found = MIN_SIMILARITY, None
        for entry in self.entries():  # ties go to the later edit
            if entry.rel == own or family(entry.language) != kind:
                continue
            windows = self._windows_of(entry.rel, entry.text)
            score, w = windows.best(query, best)  # what beats the best so far, if anything
            if w >= 0:
                best, found = score, (entry, windows, w)
        if found is None:
            return None
        entry, windows, w = found
        line, text = windows.text_of(w)
        return entry.path, CrossSnippet(entry.rel, line, "window", text, source="recent")

    def _windows_of(self, rel: str, text: str) -> Windows:
        digest = hash(text)  # computed once per text object (str caches its hash)
        with self._lock:
            cached = self._windows.get(rel)
        if cached is not None and cached[0] == digest and cached[1].text == text:
            return cached[1]
        windows = Windows.of(text)
        with self._lock:
            if rel in self._files:
                self._windows[rel] = (digest, windows)
        return windows

    def _rel(self, path: Path) -> str | None:
        """Workspace-relative, POSIX; None outside the root. Remembered: resolving a path
        costs a few system calls, a completion asks twice."""
        if path in self._rels:
            return self._rels[path]
        try:
            rel: str | None = path.resolve().relative_to(self.root).as_posix()
        except (ValueError, OSError, RuntimeError):
            rel = None
        if len(self._rels) > 1024:
            self._rels.clear()
        self._rels[path] = rel
        return rel
