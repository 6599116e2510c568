"""Secrets that leave the machine from the evasion set: lines written the way config files
write them, and credential files a traceback names.

    .venv/bin/python -m tests.bench.secret_evasion
    PYTHONPATH=<other checkout>/server .venv/bin/python -m tests.bench.secret_evasion  # before
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from frugal_lsp.config import ContextConfig
from frugal_lsp.context import ContextBuilder, ContextRequest, Document, Position
from frugal_lsp.context.document import language_for
from frugal_lsp.tasks import Task
from frugal_lsp.tokens import counter
from tests.unit.context.test_untrusted import APP, EVASIONS, plant


def lines_sent(root: Path) -> int:
    """Evasion lines whose secret is in the prompt of an ask about the file holding them."""
    text = "\n".join(line for line, _ in EVASIONS.values()) + "\n"
    path = root / "settings.py"
    path.write_text(text, encoding="utf-8")
    doc = Document(path=path, text=text, language=language_for(path), version=1)
    builder = ContextBuilder(ContextConfig(), counter(), root)
    end = Position(len(EVASIONS), 0)
    prompt = builder.build(ContextRequest(doc, Task.ASK, Position(0, 0), end, question="?"))
    return sum(secret in prompt.text for _, secret in EVASIONS.values())


def files_sent(root: Path, workspace: Path | None) -> int:
    """Planted files (credentials, an unopened file) whose content a traceback pulled in."""
    traceback = plant(root)
    path = root / "app.py"
    path.write_text(APP, encoding="utf-8")
    doc = Document(path=path.resolve(), text=APP, language="python", version=1)
    builder = ContextBuilder(ContextConfig(), counter(), workspace)
    request = ContextRequest(doc, Task.EXPLAIN_ERROR, Position(1, 4), diagnostic=traceback)
    return builder.build(request).text.count("MARKER_") - traceback.count("MARKER_")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        a, b, c = (Path(folder) / name for name in "abc")
        for each in (a, b, c):
            each.mkdir()
        print(f"evasion lines: {lines_sent(a)} of {len(EVASIONS)} secrets sent")
        print(f"rootUri null: {files_sent(b, None)} of 5 planted files sent")
        print(f"inside a workspace: {files_sent(c, c)} of 5 sent (1 is ordinary)")


if __name__ == "__main__":
    main()
