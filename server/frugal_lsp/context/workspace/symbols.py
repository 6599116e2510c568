"""One file's entry in the workspace index: its definitions' signatures, imports and names.

Built with the same tree-sitter grammars and per-tree index as scope finding
(``context/index.py``). Signatures are stored already redacted (``context/redact.py``):
nothing secret is kept on disk or can reach a prompt from here. Bodies are never stored.
"""

from __future__ import annotations

from dataclasses import dataclass

import tree_sitter as ts

from frugal_lsp.context.grammars import GRAMMARS, parser_language
from frugal_lsp.context.index import build_index
from frugal_lsp.context.redact import redact
from frugal_lsp.context.workspace.imports import Import, parse_imports
from frugal_lsp.context.workspace.uses import Use, file_uses

MAX_SYMBOLS = 400  # per file: a generated file must not fill the index
MAX_LINE_CHARS = 200


@dataclass(frozen=True)
class Symbol:
    """A definition another file may use: where it is and what a caller needs to know."""

    name: str
    kind: str  # "function" | "method" | "class" | "name"
    line: int  # 0-based row of the signature's first line (decorators excluded)
    signature: str  # the signature lines (redacted), with a docstring's first line
    container: str = ""  # the class a method belongs to


@dataclass(frozen=True)
class FileSymbols:
    """What the index knows about one file, and how to tell whether it is still current."""

    path: str  # workspace-relative, POSIX
    language: str
    size: int
    mtime_ns: int
    digest: str  # blake2b of the bytes: a touched-but-unchanged file is not re-parsed
    symbols: tuple[Symbol, ...]
    imports: tuple[Import, ...]
    uses: tuple[Use, ...] = ()  # imported and unbound names the file uses, with rows

    def named(self, name: str) -> list[Symbol]:
        return [s for s in self.symbols if s.name == name]

    def members(self, container: str) -> list[Symbol]:
        return [s for s in self.symbols if s.container == container]


_PARSERS: dict[str, ts.Parser] = {}


Extracted = tuple[tuple[Symbol, ...], tuple[Import, ...], tuple[Use, ...]]


def extract(language: str, text: str) -> Extracted:
    """Symbols, imports and uses of ``text``; nothing for a language without a grammar."""
    parser = _parser(language)
    if parser is None:
        return (), (), ()
    lines = text.split("\n")
    tree = parser.parse(text.encode("utf-8"))
    grammar = GRAMMARS[language]
    indexes = [build_index(tree.root_node, grammar, lines)]
    indexes += [build_index(b, grammar, lines) for b in _guarded_blocks(tree.root_node, language)]
    symbols: list[Symbol] = []
    seen: set[tuple[str, str]] = set()
    for d in [d for index in indexes for d in index.defs][:MAX_SYMBOLS]:
        if (d.name, d.container) in seen:  # try: / except ImportError: define it twice
            continue
        seen.add((d.name, d.container))
        first = _first_code_row(lines, d.start, d.sig_end)
        sig = _signature(lines, first, d.sig_end, language)
        symbols.append(Symbol(d.name, d.kind, first, sig, d.container))
    constants = [c for index in indexes for c in index.constants.items()]
    for name, rows in constants[: max(MAX_SYMBOLS - len(symbols), 0)]:
        if (name, "") not in seen:
            seen.add((name, ""))
            symbols.append(Symbol(name, "name", rows[0], redact(_clip(lines[rows[0]])).text))
    imports = parse_imports(language, text)
    defined = {d.name for index in indexes for d in index.defs} | {s.name for s in symbols}
    return tuple(symbols), imports, file_uses(lines, defined, imports)


def _guarded_blocks(root: ts.Node, language: str) -> list[ts.Node]:
    """Python's module-level ``if TYPE_CHECKING:`` blocks: what they declare is what
    return annotations name (urllib3's ``BaseHTTPConnection`` protocol). Other ``if`` and
    ``try`` blocks are left out: indexing them lowered single-file recall at 256 tokens
    (``make bench-context``: 0.766 without, 0.763 with) for no cross-file gain."""
    if language != "python":
        return []
    out: list[ts.Node] = []
    for node in root.named_children:
        condition = node.child_by_field_name("condition") if node.type == "if_statement" else None
        if condition is None or not (condition.text or b"").endswith(b"TYPE_CHECKING"):
            continue
        out += [b for b in node.named_children if b.type == "block"]
    return out


def _parser(language: str) -> ts.Parser | None:
    if language not in _PARSERS:
        lang = parser_language(language)
        if lang is None:
            return None
        _PARSERS[language] = ts.Parser(lang)
    return _PARSERS[language]


def _first_code_row(lines: list[str], start: int, sig_end: int) -> int:
    """Skip decorators: the signature starts at the `def`/`class` line."""
    row = start
    while row < sig_end and lines[row].lstrip().startswith("@"):
        row += 1
    return row


def _signature(lines: list[str], first: int, last: int, language: str) -> str:
    sig = [_clip(lines[r]) for r in range(first, last + 1) if r < len(lines)]
    doc = _doc_line(lines, first, last, language)
    if doc:
        sig.append(doc)
    return redact("\n".join(sig)).text


def _doc_line(lines: list[str], first: int, last: int, language: str) -> str:
    """A docstring's (Python) or a leading JSDoc comment's first line, as written."""
    if language == "python":
        after = lines[last + 1].strip() if last + 1 < len(lines) else ""
        if after.startswith(('"""', "'''", 'r"""')):
            indent = lines[last + 1][: len(lines[last + 1]) - len(after)]
            text = after.strip("r\"' ")
            quote = after[:3] if after[0] != "r" else after[1:4]
            return _clip(f"{indent}{quote}{text}{quote}") if text else ""
        return ""
    row = first - 1
    while row >= 0 and lines[row].strip().startswith("*"):  # inside a /** ... */ block
        row -= 1
    if row < 0 or not lines[row].strip().startswith("/**"):
        return ""
    body = lines[row].strip().removeprefix("/**").strip(" */")
    if not body and row + 1 < first:
        body = lines[row + 1].strip().lstrip("* ").strip()
    return _clip(f"// {body}") if body and body != "/" else ""


def _clip(line: str) -> str:
    return line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + " …"
