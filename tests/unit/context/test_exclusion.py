"""Excluded and git-ignored files never produce a prompt."""

from __future__ import annotations

from pathlib import Path

import pytest

from frugal_lsp.config import ContextConfig
from frugal_lsp.context import ContextBuilder
from frugal_lsp.errors import ContextExcluded
from frugal_lsp.tokens import counter
from tests.unit.context.conftest import build, doc_at


@pytest.mark.parametrize(
    "name", [".env", ".env.local", "certs/server.pem", "deploy.key", "id_rsa", "secrets/db.py"]
)
def test_default_exclusions_raise(builder: ContextBuilder, workspace: Path, name: str) -> None:
    doc = doc_at(workspace, name, "TOKEN=1\n")
    assert builder.is_excluded(doc.path)
    with pytest.raises(ContextExcluded):
        build(builder, doc, 0, 0)


def test_git_ignored_files_raise(builder: ContextBuilder, workspace: Path) -> None:
    (workspace / ".gitignore").write_text("build/\n*.log\n", encoding="utf-8")
    (workspace / "pkg").mkdir()
    (workspace / "pkg" / ".gitignore").write_text("local_*.py\n", encoding="utf-8")
    for name in ("build/gen.py", "out.log", "pkg/local_settings.py"):
        with pytest.raises(ContextExcluded):
            build(builder, doc_at(workspace, name, "x = 1\n"), 0, 0)
    assert build(builder, doc_at(workspace, "pkg/app.py", "x = 1\n"), 0, 0).prompt_tokens > 0


def test_gitignore_can_be_turned_off(workspace: Path) -> None:
    (workspace / ".gitignore").write_text("*.py\n", encoding="utf-8")
    builder = ContextBuilder(ContextConfig(respect_gitignore=False), counter(), workspace)
    assert not builder.is_excluded(workspace / "a.py")


def test_custom_exclude_globs(workspace: Path) -> None:
    config = ContextConfig(exclude=("vendor/**", "*.secret.ts"))
    builder = ContextBuilder(config, counter(), workspace)
    assert builder.is_excluded(workspace / "vendor" / "lib" / "a.js")
    assert builder.is_excluded(workspace / "src" / "x.secret.ts")
    assert not builder.is_excluded(workspace / "src" / "x.ts")
