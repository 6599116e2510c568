"""Cross-file context: the signatures, in other files, of the names used around the cursor.

Candidates in the order they are found, each labelled with what found it (its
``source``, which ``values.py`` prices per token): the definition the cursor is inside a
call of; the base classes of the class it is in; the names nearest the cursor, line by
line outwards; then the names the rest of the file uses from elsewhere, as the index
recorded them (``uses.py``), unbound ones first. A name resolves
through the file's imports (``from .x import Y``, ``import m as n`` + ``n.f``,
``require('./x')``); ``self.x.m`` / ``this.x.m`` and annotated or assigned locals
through the class written down for them (``self.x = Cls(...)``, ``x: Cls``) or named
like them (``this.npm`` -> ``Npm``); a star import, or a name used without any import
that at most two files define; a local assigned a call's result (``conn =
self._get_conn()``) through the class the callee's indexed ``-> X`` names. Classes and
modules come as outlines of their members, those sharing name parts with the code just
around the cursor first (``pad_left`` there puts ``pad_right`` ahead). Only signatures
(and a docstring's first line) are used, never bodies.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path

from frugal_lsp.context.workspace.imports import Import, parse_imports
from frugal_lsp.context.workspace.index import Target, WorkspaceIndex
from frugal_lsp.context.workspace.outline import CrossSnippet, near_parts, snippet_for
from frugal_lsp.context.workspace.returns import call_results, return_class
from frugal_lsp.context.workspace.symbols import FileSymbols
from frugal_lsp.context.workspace.uses import code_of

MAX_CANDIDATES = 24  # from the rows around the cursor
MAX_FAR_LOOKUPS = 16  # names used elsewhere in the file, looked up after those
_FAR = frozenset({"file", "unbound"})
MAX_SELF_LOOKUPS = 4
MAX_RETURN_LOOKUPS = 8  # `x = f()` assignments near the cursor whose callee is looked up
_REF = re.compile(
    r"([A-Za-z_$][\w$]*)(?:\s*\.\s*([A-Za-z_$][\w$]*))?(?:\s*\.\s*([A-Za-z_$][\w$]*))?"
)
_CALL_OPEN = re.compile(r"([A-Za-z_$][\w$]*)(?:\s*\.\s*([A-Za-z_$][\w$]*))?\s*\($")
_SELF = frozenset({"self", "this", "cls"})


class CrossFile:
    """Finds the cross-file snippets for one position; remembers parsed import blocks."""

    def __init__(self, index: WorkspaceIndex) -> None:
        self.index = index
        self._own_bindings: dict[str, tuple[str, dict[str, Import]]] = {}
        self._imports: OrderedDict[tuple[str, str], dict[str, Import]] = OrderedDict()

    def snippets(
        self,
        path: Path,
        language: str,
        import_text: str,
        lines: list[str] | tuple[str, ...],
        row: int,
        column: int,
        rows: range,
        frame: tuple[int, ...] = (),
    ) -> tuple[CrossSnippet, ...]:
        """Ranked candidates for the code at (row, column), reading names from ``rows``;
        ``frame`` holds the header rows of the enclosing definitions (``Found.outer``)."""
        if not len(self.index):
            return ()
        own = self.index.file(path)
        # the index's entry sees every import (also those deeper than the header rows);
        # the header's text is for a file the index does not hold (yet)
        bound = self._bound(language, import_text) if own is None else self._own(own)
        own_names = {s.name for s in own.symbols} if own is not None else set()
        out: dict[tuple[str, int], CrossSnippet] = {}
        selves = 0
        types = _local_types(lines, rows)
        near = near_parts(lines, range(max(rows.start, row - 8), min(rows.stop, row + 3)))
        returned = self._returned(path, language, bound, own, (lines, rows, frame), types)
        far = 0
        refs_near_done = False
        for (name, attr, attr2), source in _references(lines, row, column, rows, frame, own):
            if source in _FAR:
                far += 1
                if far > MAX_FAR_LOOKUPS:
                    break
            elif refs_near_done:
                continue
            if name in _SELF:
                selves += 1
                if selves > MAX_SELF_LOOKUPS:  # each one scans the file's lines
                    continue
            elif name in types and name not in bound:
                name, attr, attr2 = types[name], attr, ""
            if attr and name in returned:  # conn = self._get_conn() -> BaseHTTPConnection
                found = self._member(path, language, returned[name], attr)
            else:
                found = self._targets(path, language, bound, own_names, (name, attr, attr2), lines)
            for target in found:
                key = (target.path, target.symbol.line)
                if key not in out:
                    out[key] = replace(snippet_for(self.index, target, near), source=source)
            if len(out) >= MAX_CANDIDATES:
                refs_near_done = True
        return tuple(out.values())

    def _returned(
        self,
        path: Path,
        language: str,
        bound: dict[str, Import],
        own: FileSymbols | None,
        where: tuple[list[str] | tuple[str, ...], range, tuple[int, ...]],
        types: dict[str, str],
    ) -> dict[str, list[Target]]:
        """Variables near the cursor assigned a call's result whose callee's indexed
        signature names the class it returns (``-> X``): variable -> that class."""
        lines, rows, frame = where
        out: dict[str, list[Target]] = {}
        looked = 0
        for r in rows:
            if not 0 <= r < len(lines) or "=" not in lines[r] or "(" not in lines[r]:
                continue
            for var, receiver, callee in call_results(code_of(lines[r])):
                if var in out or var in types or var in bound or var in _SELF:
                    continue
                looked += 1
                if looked > MAX_RETURN_LOOKUPS:
                    return out
                callees = self._callees(
                    path, language, bound, own, (receiver, callee), (lines, frame), types
                )
                classes = self._return_classes(language, callees)
                if classes:
                    out[var] = classes
        return out

    def _callees(
        self,
        path: Path,
        language: str,
        bound: dict[str, Import],
        own: FileSymbols | None,
        call: tuple[str, str],
        where: tuple[list[str] | tuple[str, ...], tuple[int, ...]],
        types: dict[str, str],
    ) -> list[Target]:
        """The definitions a call ``receiver.callee(`` (or ``callee(``) may run."""
        receiver, callee = call
        lines, frame = where
        own_key = own.path if own is not None else ""
        if receiver in _SELF:  # a method of the enclosing class, else of its bases
            mine = [Target(own_key, s) for s in own.named(callee) if s.container] if own else []
            if mine:
                return mine
            classes = [
                t
                for base in _enclosing_bases(lines, frame)
                for t in self._class_targets(path, language, bound, set(), base)
            ]
            return self._methods(classes, callee)
        if receiver and receiver in bound:  # mod.f( / Cls.create(
            found = self.index.resolve(path, bound[receiver], language)
            modules = [
                Target(t.path, s)
                for t in found
                if t.symbol.kind == "module" and (e := self.index.file(t.path))
                for s in e.named(callee)
                if not s.container
            ]
            return modules + self._methods([t for t in found if t.symbol.kind == "class"], callee)
        if receiver and receiver in types:  # table = Table(); row = table.add_row(
            return self._methods(
                self._class_targets(path, language, bound, set(), types[receiver]), callee
            )
        if receiver:
            return []
        if callee in bound:
            return self.index.resolve(path, bound[callee], language)
        if own is not None and (top := [s for s in own.named(callee) if not s.container]):
            return [Target(own_key, s) for s in top]
        return self.index.defined(callee)

    def _methods(self, classes: list[Target], name: str) -> list[Target]:
        out: list[Target] = []
        for t in classes:
            entry = self.index.file(t.path)
            if entry is not None:
                out += [Target(t.path, s) for s in entry.members(t.symbol.name) if s.name == name]
        return out

    def _return_classes(self, language: str, callees: list[Target]) -> list[Target]:
        """The classes the callees' return annotations name, resolved in the callee's
        own file (its classes, then its imports, then a name at most two files define)."""
        out: list[Target] = []
        for t in callees:
            cls = (
                return_class(t.symbol.signature) if t.symbol.kind in {"function", "method"} else ""
            )
            entry = self.index.file(t.path) if cls else None
            if entry is None:
                continue
            here = [Target(t.path, s) for s in entry.named(cls) if s.kind == "class"]
            where = Path(self.index.root, entry.path)
            bound = self._own(entry)
            found = here or (
                self.index.resolve(where, bound[cls], language)
                if cls in bound
                else self.index.defined(cls)
            )
            out += [c for c in found if c.symbol.kind == "class" and c not in out]
        return out

    def _own(self, entry: FileSymbols) -> dict[str, Import]:
        cached = self._own_bindings.get(entry.path)
        if cached is None or cached[0] != entry.digest:
            cached = (entry.digest, {imp.local: imp for imp in entry.imports})
            self._own_bindings[entry.path] = cached
        return cached[1]

    def _bound(self, language: str, text: str) -> dict[str, Import]:
        key = (language, text)
        found = self._imports.get(key)
        if found is None:
            found = {imp.local: imp for imp in parse_imports(language, text)}
            self._imports[key] = found
            while len(self._imports) > 64:
                self._imports.popitem(last=False)
        return found

    def _targets(
        self,
        path: Path,
        language: str,
        bound: dict[str, Import],
        own_names: set[str],
        ref: tuple[str, str, str],
        lines: list[str] | tuple[str, ...],
    ) -> list[Target]:
        name, attr, attr2 = ref
        if name in _SELF:  # self.x.y: the class of x (assigned, or named like x), then y
            if not attr or attr in own_names:
                return []
            cls = _assigned_class(lines, attr) or _pascal(attr)
            module, _, cls = cls.rpartition(".")
            if module in bound:  # self.x = models.Invoice(...)
                found = self._member(
                    path, language, self.index.resolve(path, bound[module], language), cls
                )
                classes = [t for t in found if t.symbol.kind == "class"]
                return self._member(path, language, classes, attr2)
            return self._class(path, language, bound, own_names, cls, attr2)
        if name in bound:
            return self._member(
                path, language, self.index.resolve(path, bound[name], language), attr
            )
        if name in own_names:
            return []
        for star in (imp for imp in bound.values() if imp.symbol == "*"):
            found = self.index.resolve(path, Import(name, star.module, name, star.level), language)
            if found:
                return self._member(path, language, found, attr)
        own = self.index.file_key(path)
        found = [t for t in self.index.defined(name) if t.path != own]
        if found:
            return self._member(path, language, found, attr)
        if attr and name[:1].islower() and (pascal := _pascal(name)) not in own_names:
            found = self._class(path, language, bound, own_names, pascal, attr)
        # no guess for `obj.method` on an object of unknown class: a method that one file
        # happens to define was wrong more often than right (bench-context: recall rose
        # without it, 0.204 -> 0.221 on rich) and misled the model (crossfile-quality)
        return found

    def _class(
        self,
        path: Path,
        language: str,
        bound: dict[str, Import],
        own_names: set[str],
        cls: str,
        attr: str,
    ) -> list[Target]:
        """Class ``cls`` (imported, else defined by at most two other files) and its ``attr``."""
        return self._member(
            path, language, self._class_targets(path, language, bound, own_names, cls), attr
        )

    def _class_targets(
        self, path: Path, language: str, bound: dict[str, Import], own_names: set[str], cls: str
    ) -> list[Target]:
        """Class ``cls`` as imported, else as defined by at most two other files."""
        if not cls or cls in own_names:
            return []
        if cls in bound:
            found = self.index.resolve(path, bound[cls], language)
        else:
            own = self.index.file_key(path)
            found = [t for t in self.index.defined(cls) if t.path != own]
        return [t for t in found if t.symbol.kind == "class"]

    def _member(self, path: Path, language: str, targets: list[Target], attr: str) -> list[Target]:
        """The resolved ``targets`` and, with ``attr``, their member: a module's function
        or a class's method (a class is shown as an outline of its members)."""
        out: list[Target] = []
        for t in targets:
            entry = self.index.file(t.path)
            if entry is None:
                continue
            if t.symbol.kind == "module" and language != "python":
                t = _js_export(t, entry)
            if t.symbol.kind == "module":
                out += [Target(t.path, s) for s in entry.named(attr)] if attr else []
                out.append(t)  # shown as an outline of its top-level names
            if t.symbol.kind == "class":
                out.append(Target(t.path, t.symbol, attr))
                out += self._bases(t, entry, language)
            else:
                out.append(t)
        return out

    def _bases(self, cls: Target, entry: FileSymbols, language: str) -> list[Target]:
        """The base classes of ``cls`` (one level), resolved from the file that defines it:
        inherited methods are the ones the file being edited cannot show."""
        bound = self._own(entry)
        out: list[Target] = []
        for base in _base_names(cls.symbol.signature.split("\n", 1)[0]):
            where = Path(self.index.root, entry.path)
            if base in bound:
                found = self.index.resolve(where, bound[base], language)
            else:
                found = [Target(entry.path, s) for s in entry.named(base)]
            out += [t for t in found if t.symbol.kind == "class"]
        return out


_CLASS_LINE = re.compile(
    r"^\s*(?:export\s+)?(?:default\s+)?class\s+[\w$]+\s*(?:\((.*)\)|extends\s+([\w$.]+))"
)


def _base_names(line: str) -> list[str]:
    m = _CLASS_LINE.match(line)
    if m is None:
        return []
    written = m.group(1) or m.group(2) or ""
    names = [b.split("[")[0].strip().rsplit(".", 1)[-1] for b in written.split(",")]
    return [n for n in names if n and "=" not in n and n not in {"object", "ABC", "Generic"}]


_CLASS_STARTS = ("class ", "export class ", "export default class ")


def _enclosing_bases(lines: list[str] | tuple[str, ...], frame: tuple[int, ...]) -> list[str]:
    """Base classes of the class the cursor is in, from the rows that frame its scope
    (scope finding already has them: the class's and the function's header rows)."""
    for r in sorted(frame, reverse=True):
        if 0 <= r < len(lines) and lines[r].lstrip().startswith(_CLASS_STARTS):
            return _base_names(lines[r])
    return []


def _js_export(module: Target, entry: FileSymbols) -> Target:
    """What ``require('./x')`` gives: a file with one top-level class most often exports
    that class (``module.exports = Cmd``); otherwise the module's names."""
    classes = [s for s in entry.symbols if s.kind == "class" and not s.container]
    return Target(module.path, classes[0]) if len(classes) == 1 else module


def _pascal(name: str) -> str:
    """``npm`` -> ``Npm``, ``http_client`` -> ``HttpClient``, ``fooBar`` -> ``FooBar``."""
    return "".join(p[:1].upper() + p[1:] for p in name.split("_") if p)


def _references(
    lines: list[str] | tuple[str, ...],
    row: int,
    column: int,
    rows: range,
    frame: tuple[int, ...],
    own: FileSymbols | None,
) -> list[tuple[tuple[str, str, str], str]]:
    """(name, attribute, attribute) chains and what found each: the call the cursor is
    in (``call``), the base classes of the class it is in (``base``), the rows around it
    line by line outwards (``near``), then the rest of the file's imported names
    (``file``) and the names it uses with neither an import nor a definition
    (``unbound``), nearest use first, from the index's entry for the file."""
    refs: list[tuple[tuple[str, str, str], str]] = []
    current = lines[row][:column] if 0 <= row < len(lines) else ""
    call = _open_call(current)
    if call is not None:
        refs.append(((*call, ""), "call"))
    refs += [((base, "", ""), "base") for base in _enclosing_bases(lines, frame)]
    order = sorted(rows, key=lambda r: (abs(r - row), r > row))
    for r in order[:80]:
        if 0 <= r < len(lines):
            refs += [
                ((m.group(1), m.group(2) or "", m.group(3) or ""), "near")
                for m in _REF.finditer(code_of(lines[r]))
            ]
    if own is not None:
        # unbound first: a name used with neither an import nor a definition is one the
        # file still needs (a masked or unwritten import), the rest nearest use first
        far = sorted(own.uses, key=lambda u: (u.bound, min(abs(r - row) for r in u.rows)))
        refs += [((u.name, u.attr, ""), "file" if u.bound else "unbound") for u in far]
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for ref, source in refs:
        if ref not in seen:
            seen.add(ref)
            unique.append((ref, source))
    return unique


def _open_call(before: str) -> tuple[str, str] | None:
    """The callee of the innermost call still open before the cursor, if any."""
    depth = 0
    for i in range(len(before) - 1, -1, -1):
        ch = before[i]
        if ch == ")":
            depth += 1
        elif ch == "(":
            if depth == 0:
                m = _CALL_OPEN.search(before[: i + 1])
                return (m.group(1), m.group(2) or "") if m else None
            depth -= 1
    return None


_ANNOTATED = re.compile(r"\b([a-z_]\w*)\s*:\s*(?:Optional\[|Type\[)?[\"']?([A-Z]\w*)")
_ASSIGNED = re.compile(r"\b([a-z_$][\w$]*)\s*=\s*(?:new\s+|await\s+)?([A-Z][\w$]*)\s*[.(]")


def _local_types(lines: list[str] | tuple[str, ...], rows: range) -> dict[str, str]:
    """Variables and parameters near the cursor whose class is written down:
    ``console: Console``, ``table = Table(...)``, ``text = Text.from_markup(...)``."""
    types: dict[str, str] = {}
    for r in rows:
        if 0 <= r < len(lines):
            line = lines[r]
            for m in _ANNOTATED.finditer(line):
                types.setdefault(m.group(1), m.group(2))
            for m in _ASSIGNED.finditer(line):
                types.setdefault(m.group(1), m.group(2))
    return types


def _assigned_class(lines: list[str] | tuple[str, ...], attr: str) -> str:
    """``self.attr = Name(...)`` or ``self.attr: Name``: the class name; "" if none."""
    pattern = re.compile(
        rf"(?:self|this)\.{re.escape(attr)}\s*(?::\s*([A-Za-z_]\w*))?\s*=\s*(?:new\s+)?"
        r"([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)?)?"
    )
    for line in lines:
        if attr in line and (m := pattern.search(line)):
            return m.group(1) or m.group(2) or ""
    return ""
