"""Shared helpers for the context tests: a builder over a temporary workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from frugal_lsp.config import ContextConfig
from frugal_lsp.context import ContextBuilder, ContextRequest, Document, Position, Prompt
from frugal_lsp.context.document import language_for
from frugal_lsp.tasks import Task
from frugal_lsp.tokens import counter


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def builder(workspace: Path) -> ContextBuilder:
    return ContextBuilder(ContextConfig(), counter(), workspace)


def doc_at(workspace: Path, name: str, text: str) -> Document:
    path = workspace / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return Document(path=path.resolve(), text=text, language=language_for(path), version=1)


def build(
    builder: ContextBuilder,
    doc: Document,
    line: int,
    character: int = 0,
    task: Task = Task.COMPLETION,
    **kw: object,
) -> Prompt:
    request = ContextRequest(doc, task, Position(line, character), **kw)  # type: ignore[arg-type]
    return builder.build(request)
