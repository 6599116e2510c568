"""The tree-sitter grammars we ship (each from its own PyPI wheel) and their node kinds."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

import tree_sitter as ts


@dataclass(frozen=True)
class Grammar:
    """What scope finding needs to know about one language's syntax tree."""

    module: str  # the wheel's import name
    entry: str  # its function returning the language pointer
    functions: frozenset[str]  # nodes that are functions or methods
    classes: frozenset[str]  # nodes that hold members: classes, impl blocks, modules
    imports: frozenset[str]  # top-level nodes of the module header
    constants: frozenset[str] = frozenset()  # top-level declarations of module-level names
    anonymous: frozenset[str] = frozenset()  # function nodes that may be tiny inline lambdas


def _g(module: str, entry: str, f: str, c: str, i: str, k: str = "", a: str = "") -> Grammar:
    sets = (frozenset(x.split()) for x in (f, c, i, k, a))
    return Grammar(module, entry, *sets)


_JS_F = (
    "function_declaration function_expression function arrow_function method_definition "
    "generator_function_declaration generator_function"
)
_JS_C = "class_declaration class abstract_class_declaration interface_declaration"
_JS_I = "import_statement"
_JS_K = "lexical_declaration variable_declaration type_alias_declaration enum_declaration"
_JS_A = "arrow_function function_expression function"

GRAMMARS: dict[str, Grammar] = {
    "python": _g(
        "tree_sitter_python", "language", "function_definition", "class_definition",
        "import_statement import_from_statement future_import_statement",
        "expression_statement", "lambda",
    ),
    "javascript": _g("tree_sitter_javascript", "language", _JS_F, _JS_C, _JS_I, _JS_K, _JS_A),
    "javascriptreact": _g("tree_sitter_javascript", "language", _JS_F, _JS_C, _JS_I, _JS_K, _JS_A),
    "typescript": _g(
        "tree_sitter_typescript", "language_typescript", _JS_F, _JS_C, _JS_I, _JS_K, _JS_A
    ),
    "typescriptreact": _g(
        "tree_sitter_typescript", "language_tsx", _JS_F, _JS_C, _JS_I, _JS_K, _JS_A
    ),
    "go": _g(
        "tree_sitter_go", "language", "function_declaration method_declaration func_literal",
        "", "package_clause import_declaration",
        "const_declaration var_declaration type_declaration", "func_literal",
    ),
    "rust": _g(
        "tree_sitter_rust", "language", "function_item closure_expression",
        "impl_item trait_item mod_item", "use_declaration extern_crate_declaration",
        "const_item static_item type_item struct_item enum_item", "closure_expression",
    ),
    "java": _g(
        "tree_sitter_java", "language",
        "method_declaration constructor_declaration lambda_expression",
        "class_declaration interface_declaration enum_declaration record_declaration",
        "package_declaration import_declaration", "", "lambda_expression",
    ),
    "c": _g(
        "tree_sitter_c", "language", "function_definition", "",
        "preproc_include", "declaration preproc_def type_definition struct_specifier",
    ),
    "cpp": _g(
        "tree_sitter_cpp", "language", "function_definition lambda_expression",
        "class_specifier struct_specifier namespace_definition",
        "preproc_include using_declaration alias_declaration",
        "declaration preproc_def type_definition", "lambda_expression",
    ),
    "ruby": _g(
        "tree_sitter_ruby", "language", "method singleton_method lambda",
        "class module singleton_class", "", "assignment", "lambda",
    ),
    "shellscript": _g(
        "tree_sitter_bash", "language", "function_definition", "", "", "variable_assignment"
    ),
}  # fmt: skip


@cache
def parser_language(language: str) -> ts.Language | None:
    """The compiled grammar for an LSP language id; None when we have none."""
    grammar = GRAMMARS.get(language)
    if grammar is None:
        return None
    try:
        module = importlib.import_module(grammar.module)
        return ts.Language(getattr(module, grammar.entry)())
    except (ImportError, AttributeError, ValueError):
        return None
