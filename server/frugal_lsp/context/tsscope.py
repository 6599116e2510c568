"""Scope finding on a tree-sitter tree: the enclosing function, its frame, what it uses."""

from __future__ import annotations

import re

import tree_sitter as ts

from frugal_lsp.context.fallback import indent_of
from frugal_lsp.context.found import Found
from frugal_lsp.context.grammars import Grammar
from frugal_lsp.context.index import Def, Index, node_name, signature_end
from frugal_lsp.prompt import Scope

MIN_INLINE_LINES = 8  # an anonymous function shorter than this is not a scope of its own
MODULE_WINDOW = (30, 15)  # lines above / below the cursor for module-level code
MAX_MEMBERS = 40
_WORDS = re.compile(r"[A-Za-z_$][\w$]*")
_MEMBER = re.compile(r"(?:\bself|\bthis)\.(\w+)\s*(?::[^=]*)?=(?!=)|@(\w+)\s*=(?!=)")


def find_in_tree(
    root: ts.Node, g: Grammar, index: Index, lines: list[str], row: int, col: int
) -> Found:
    """What matters around (row, byte column) in a parsed file."""
    chain = _ancestors(_node_at(root, lines, row, col))
    scope_node = _scope_node(chain, g, lines, row)
    if scope_node is None:
        return _module_found(chain, g, index, lines, row)
    start, end = _extent(scope_node, lines, row)
    in_class = any(n.type in g.classes for n in _ancestors(scope_node)[1:])
    kind = "method" if in_class or "method" in scope_node.type else "function"
    scope = Scope(kind, _function_name(scope_node), start, end)
    return _complete(scope, scope_node, g, index, lines)


def _node_at(root: ts.Node, lines: list[str], row: int, col: int) -> ts.Node:
    """The node at the cursor; on a blank line, the end of the last code line above it."""
    if lines[row].strip() or row == 0:
        node = root.named_descendant_for_point_range((row, col), (row, col))
        return node if node is not None else root
    above = next((r for r in range(row - 1, -1, -1) if lines[r].strip()), 0)
    end = len(lines[above].rstrip().encode("utf-8"))
    point = (above, max(end - 1, 0))
    node = root.named_descendant_for_point_range(point, point)
    return node if node is not None else root


def _ancestors(node: ts.Node) -> list[ts.Node]:
    chain: list[ts.Node] = []
    cursor: ts.Node | None = node
    while cursor is not None:
        chain.append(cursor)
        cursor = cursor.parent
    return chain


def _scope_node(chain: list[ts.Node], g: Grammar, lines: list[str], row: int) -> ts.Node | None:
    """The innermost function that holds the cursor and is big enough to stand alone."""
    blank = not lines[row].strip()
    for node in chain:
        if node.type not in g.functions:
            continue
        dedented = indent_of(lines[row]) <= indent_of(lines[node.start_point.row])
        if blank and dedented and node.end_point.row < row:
            continue  # the cursor sits below a finished function, dedented
        if node.type in g.anonymous and _span(node) < MIN_INLINE_LINES:
            continue
        return node
    return None


def _span(node: ts.Node) -> int:
    return node.end_point.row - node.start_point.row + 1


def _extent(node: ts.Node, lines: list[str], row: int) -> tuple[int, int]:
    outer = (
        node.parent
        if node.parent is not None and node.parent.type == "decorated_definition"
        else node
    )
    return outer.start_point.row, max(_last_row(node, lines), row)


def _last_row(node: ts.Node, lines: list[str]) -> int:
    end = node.end_point
    return end.row - 1 if end.column == 0 and end.row > node.start_point.row else end.row


def _function_name(node: ts.Node) -> str:
    name = node_name(node)
    if name or node.parent is None:
        return name
    parent = node.parent  # const f = () => ..., obj = { f: function () ... }
    for f in ("name", "left", "key"):
        sub = parent.child_by_field_name(f)
        if sub is not None:
            return node_name(sub) or (sub.text or b"").decode("utf-8", "replace")
    return ""


def _module_found(
    chain: list[ts.Node], g: Grammar, index: Index, lines: list[str], row: int
) -> Found:
    cls = next((n for n in chain if n.type in g.classes), None)
    if cls is not None:
        start, end = cls.start_point.row, _last_row(cls, lines)
        scope = Scope("class", node_name(cls), start, max(end, row))
        return _complete(scope, cls, g, index, lines)
    up, down = MODULE_WINDOW
    scope = Scope("module", "", max(0, row - up), min(len(lines) - 1, row + down))
    return _complete(scope, None, g, index, lines)


def _complete(
    scope: Scope, node: ts.Node | None, g: Grammar, index: Index, lines: list[str]
) -> Found:
    """Add the frame, header, signatures and members that the scope's code refers to."""
    text = "\n".join(lines[scope.start_line : scope.end_line + 1])
    names = frozenset(_WORDS.findall(text))
    frame = _frame(node, g, lines) if node is not None else []
    own = {d.start for d in index.defs if d.start <= scope.start_line <= d.end}
    return Found(
        scope=scope,
        outer=tuple(frame),
        header=tuple(_header(index, names)),
        signatures=tuple(_signatures(index, names, own, scope)),
        members=tuple(_members(node, g, index, lines, scope)),
        imports=tuple(index.header),
        outline=tuple(_outline(index, scope)),
        names=names,
    )


def _frame(node: ts.Node, g: Grammar, lines: list[str]) -> list[int]:
    """Signature rows of the scope and of every definition around it, outermost first."""
    rows: list[int] = []
    for anc in _ancestors(node):
        if anc.type in g.functions or anc.type in g.classes:
            start = anc.start_point.row
            if anc.parent is not None and anc.parent.type == "decorated_definition":
                start = anc.parent.start_point.row
            rows[:0] = range(start, signature_end(anc, lines) + 1)
    return rows


def _header(index: Index, names: frozenset[str]) -> list[int]:
    rows = list(index.header)
    for name, const_rows in index.constants.items():
        if name in names:
            rows.extend(const_rows)
    return sorted(set(rows))


def _signatures(index: Index, names: frozenset[str], own: set[int], scope: Scope) -> list[int]:
    rows: list[int] = []
    for name in sorted(names):
        for d in index.by_name.get(name, ()):
            if d.start in own or scope.start_line <= d.start <= scope.end_line:
                continue
            rows.extend(_sig_rows(d))
    return rows


def _outline(index: Index, scope: Scope) -> list[int]:
    """Signature rows of every other definition, nearest to the scope first."""
    mid = (scope.start_line + scope.end_line) // 2
    others = [d for d in index.defs if not d.start <= scope.start_line <= d.end]
    others.sort(key=lambda d: abs(d.start - mid))
    return [r for d in others for r in _sig_rows(d)]


def _sig_rows(d: Def) -> range:
    return range(d.start, d.sig_end + 1)


def _members(
    node: ts.Node | None, g: Grammar, index: Index, lines: list[str], scope: Scope
) -> list[int]:
    """First assignment of each attribute of the enclosing class (``self.x = ...``)."""
    cls = next((n for n in _ancestors(node) if n.type in g.classes), None) if node else None
    if cls is None:
        return []
    start = cls.start_point.row
    found = index.members.get(start)
    if found is None:
        found = index.members[start] = _class_members(cls, lines)
    seen: set[str] = set()
    rows: list[int] = []
    for r, name in found:
        if scope.start_line <= r <= scope.end_line or name in seen:
            continue
        seen.add(name)
        rows.append(r)
        if len(rows) >= MAX_MEMBERS:
            break
    return rows


def _class_members(cls: ts.Node, lines: list[str]) -> list[tuple[int, str]]:
    end = min(cls.end_point.row, len(lines) - 1)
    return [
        (r, m.group(1) or m.group(2))
        for r in range(cls.start_point.row, end + 1)
        if "=" in lines[r]
        for m in _MEMBER.finditer(lines[r])
    ]
