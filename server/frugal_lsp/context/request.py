"""What the engine asks the context layer for, and the check that it points into the file."""

from __future__ import annotations

from dataclasses import dataclass, fields

from frugal_lsp.context.document import Document, Position, line_count, line_utf16_length
from frugal_lsp.errors import InvalidRequest
from frugal_lsp.tasks import Task


@dataclass(frozen=True)
class ContextRequest:
    """One request for context: a document, a task and where the user is."""

    document: Document
    task: Task
    position: Position  # the cursor, or the selection's start
    end: Position | None = None  # the selection's end (ASK/DESIGN); None = the scope at position
    question: str = ""  # the user's question (ASK/DESIGN) or a template prompt
    diagnostic: str = ""  # EXPLAIN_ERROR: the diagnostic message or the full traceback

    def key(self) -> tuple[object, ...]:
        """Every field but the document, in order: with the document's URI and version, what
        tells two requests apart (the LSP layer's plan cache); a new field joins by itself."""
        return tuple(getattr(self, f.name) for f in fields(self) if f.name != "document")

    def check(self) -> None:
        """Raise InvalidRequest unless the position (and the selection's end) lie in the file.

        Checked before any context is built or quota reserved: a position past the end
        would otherwise select an empty scope and still be sent (and charged). A selection's
        end may lie past the end of its line (LSP: it "defaults back to the line length")."""
        check_position(self.document, self.position, "")
        if self.end is None:
            return
        check_position(self.document, self.end, "the selection's end: ", clamp=True)
        if (self.end.line, self.end.character) < (self.position.line, self.position.character):
            raise InvalidRequest(
                f"{self.document.path.name}: the selection ends (line {self.end.line})"
                f" before it starts (line {self.position.line}) — give the end line last"
            )


def check_position(document: Document, pos: Position, what: str, clamp: bool = False) -> None:
    name, lines = document.path.name, line_count(document.text)
    if not 0 <= pos.line < lines:
        raise InvalidRequest(
            f"{what}line {pos.line} is outside {name}, which has {lines} line(s):"
            f" lines are 0-based, from 0 to {lines - 1}"
        )
    width = line_utf16_length(document.text, pos.line)
    if pos.character < 0 or (pos.character > width and not clamp):
        raise InvalidRequest(
            f"{what}character {pos.character} is outside line {pos.line} of {name}, which has"
            f" {width} character(s): characters are 0-based UTF-16 units, from 0 to {width}"
        )
