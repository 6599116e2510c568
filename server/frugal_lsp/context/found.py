"""What scope finding hands to the task policies: line numbers, never text."""

from __future__ import annotations

from dataclasses import dataclass, field

from frugal_lsp.prompt import Scope


@dataclass(frozen=True)
class Found:
    """The parts of a file that matter around one position (0-based line numbers).

    ``outer`` holds the lines that frame the scope (its own signature, the header of its
    class and of every enclosing definition); ``header`` the module header lines (imports
    and module-level names the scope uses); ``signatures`` the signature lines of same-file
    functions and classes the scope references; ``members`` the lines naming attributes of
    the enclosing class (``self.x = ...``) the scope may need; ``imports`` and ``outline``
    are cheaper, lower-ranked context for filling a budget.
    """

    scope: Scope
    outer: tuple[int, ...] = ()
    header: tuple[int, ...] = ()
    signatures: tuple[int, ...] = ()
    members: tuple[int, ...] = ()
    imports: tuple[int, ...] = ()  # every import row, used by the scope or not
    outline: tuple[int, ...] = ()  # signature rows of the file's other definitions, nearest first
    names: frozenset[str] = field(default_factory=frozenset)  # identifiers the scope uses

    def all_lines(self) -> set[int]:
        lines = set(range(self.scope.start_line, self.scope.end_line + 1))
        return lines.union(self.outer, self.header, self.signatures, self.members, self.imports)
