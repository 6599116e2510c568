"""A per-tree index of a file's definitions, imports and module-level names."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import tree_sitter as ts

from frugal_lsp.context.grammars import Grammar

MAX_SIGNATURE_LINES = 6
MAX_CONSTANT_LINES = 3
_WRAPPERS = frozenset(
    {"decorated_definition", "export_statement", "template_declaration", "ambient_declaration"}
)
_NAME_FIELDS = ("name", "declarator", "left", "pattern", "type")
_FUNCTION_VALUES = frozenset({"arrow_function", "function_expression", "function", "lambda"})


@dataclass(frozen=True)
class Def:
    """A function, method or class: where it starts (decorators included) and its signature."""

    name: str
    kind: str  # "function" | "method" | "class"
    start: int
    sig_end: int
    end: int
    container: str = ""  # the enclosing class, impl or module name


@dataclass
class Index:
    defs: list[Def] = field(default_factory=list)
    by_name: dict[str, list[Def]] = field(default_factory=lambda: defaultdict(list))
    header: list[int] = field(default_factory=list)  # rows of import statements
    constants: dict[str, list[int]] = field(default_factory=dict)  # module-level name -> rows
    # class start row -> (row, attribute name) of each `self.x = ...` in it, filled on use
    members: dict[int, list[tuple[int, str]]] = field(default_factory=dict)

    def add(self, d: Def) -> None:
        self.defs.append(d)
        self.by_name[d.name].append(d)


def build_index(root: ts.Node, grammar: Grammar, lines: list[str]) -> Index:
    index = Index()
    _collect(root, grammar, lines, index, "", 0)
    return index


def _collect(
    parent: ts.Node, g: Grammar, lines: list[str], index: Index, container: str, depth: int
) -> None:
    for child in parent.named_children:
        node, start = _unwrap(child), child.start_point.row
        if depth == 0 and node.type in g.imports:
            index.header.extend(range(start, min(node.end_point.row, start + 12) + 1))
        elif node.type in g.classes:
            name = node_name(node)
            index.add(Def(name, "class", start, signature_end(node, lines), node.end_point.row))
            body = node.child_by_field_name("body") or node
            _collect(body, g, lines, index, name, depth + 1)
        elif node.type in g.functions:
            kind = "method" if container else "function"
            name = node_name(node)
            index.add(
                Def(name, kind, start, signature_end(node, lines), node.end_point.row, container)
            )
        elif depth == 0 and node.type in g.constants:
            _constant(node, start, g, lines, index)
        elif depth == 0 and _looks_like_import(lines[start]):
            index.header.append(start)
        elif node.type in {"body_statement", "declaration_list", "block", "namespace_definition"}:
            _collect(node, g, lines, index, container, depth + 1)


def _constant(node: ts.Node, start: int, g: Grammar, lines: list[str], index: Index) -> None:
    """A module-level name; a const bound to an arrow function is indexed as a function."""
    name = node_name(node)
    if not name:
        return
    value = _declared_value(node)
    if value is not None and value.type in _FUNCTION_VALUES:
        index.add(Def(name, "function", start, signature_end(value, lines), node.end_point.row))
        return
    if _looks_like_import(lines[start]):
        index.header.append(start)
        return
    end = min(node.end_point.row, start + MAX_CONSTANT_LINES - 1)
    index.constants.setdefault(name, list(range(start, end + 1)))


def _looks_like_import(line: str) -> bool:
    s = line.lstrip()
    return s.startswith(("require ", "require(", "source ", ". ", "#include")) or "require(" in s


def _unwrap(node: ts.Node) -> ts.Node:
    while node.type in _WRAPPERS:
        inner = node.child_by_field_name("definition") or node.child_by_field_name("declaration")
        if inner is None:
            inner = next((c for c in reversed(node.named_children) if c.type != "decorator"), None)
        if inner is None:
            return node
        node = inner
    return node


def _declared_value(node: ts.Node) -> ts.Node | None:
    for child in node.named_children:
        if child.type in {"variable_declarator", "assignment"}:
            return child.child_by_field_name("value") or child.child_by_field_name("right")
    return None


def node_name(node: ts.Node, depth: int = 0) -> str:
    """The declared name of a definition node ("" when it has none)."""
    if node.type.endswith("identifier") or node.type in {"constant", "word", "name"}:
        return (node.text or b"").decode("utf-8", "replace")
    if depth > 4:
        return ""
    for f in _NAME_FIELDS:
        sub = node.child_by_field_name(f)
        if sub is not None and (name := node_name(sub, depth + 1)):
            return name
    if node.type in {"expression_statement", "lexical_declaration", "variable_declaration"}:
        first = node.named_child(0)
        return node_name(first, depth + 1) if first is not None else ""
    return ""


def signature_end(node: ts.Node, lines: list[str]) -> int:
    """Last row of a definition's signature: the row before its body, or the body's `{` row."""
    start = node.start_point.row
    body = node.child_by_field_name("body")
    if body is None:
        return start
    row = body.start_point.row
    line = lines[row].encode("utf-8") if row < len(lines) else b""
    opens_on_line = line[: body.start_point.column].strip() != b""
    end = row if opens_on_line or row == start else row - 1
    if not opens_on_line:  # comments between the header and the body are not signature
        head = [c for c in node.children if c.end_byte <= body.start_byte and not c.is_extra]
        end = min(end, head[-1].end_point.row) if head else end
    return max(start, min(end, start + MAX_SIGNATURE_LINES - 1))
