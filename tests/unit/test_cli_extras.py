"""`help [command]`, shell completion and `paths`, through the real console script."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.fakes.fake_provider import FakeProvider
from tests.unit import test_cli
from tests.unit.test_cli import run

Workspace = tuple[Path, FakeProvider]
workspace = test_cli.workspace  # the fixture: a frugal.toml on the fake, and hello.py


def test_help_shows_a_command_or_a_subcommand(workspace: Workspace) -> None:
    folder, _ = workspace
    top = run(folder, "help")
    assert top.returncode == 0 and "plan" in top.stdout and "Exit codes" in top.stdout
    add = run(folder, "help", "credits", "add")
    assert add.returncode == 0 and "usage: frugal-lsp credits add" in add.stdout
    assert "--provider" in add.stdout
    unknown = run(folder, "help", "frobnicate")
    assert unknown.returncode == 2 and "no command 'frobnicate'" in unknown.stderr


def complete_in_bash(script: str, *words: str) -> list[str]:
    """What bash offers after ``words`` (the last one being typed), using the script."""
    line = " ".join(f"'{w}'" for w in ("frugal-lsp", *words))
    program = f"{script}\nCOMP_WORDS=({line}); COMP_CWORD={len(words)}; _frugal_lsp\n"
    program += 'printf "%s\\n" "${COMPREPLY[@]}"\n'
    out = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_the_bash_completion_completes_commands_and_their_options(workspace: Workspace) -> None:
    folder, _ = workspace
    script = run(folder, "completion", "bash").stdout
    assert complete_in_bash(script, "sta") == ["status"]
    assert complete_in_bash(script, "--config", "x.toml", "cre") == ["credits"]
    assert complete_in_bash(script, "credits", "re") == ["remove"]
    assert complete_in_bash(script, "plan", "--li") == ["--line"]
    assert "--log-file" in complete_in_bash(script, "serve", "--")
    zsh = run(folder, "completion", "zsh").stdout
    assert zsh.startswith("autoload -U +X bashcompinit && bashcompinit\n")
    fish = run(folder, "completion", "fish").stdout
    assert "complete -c frugal-lsp -n __fish_use_subcommand -a doctor" in fish
    assert "-n '__fish_seen_subcommand_from plan' -l task -xa" in fish


def test_paths_names_every_place_frugal_lsp_keeps_things(workspace: Workspace) -> None:
    folder, _ = workspace
    result = run(folder, "paths")
    assert result.returncode == 0, result.stderr
    home = folder / ".frugal"
    assert f"config    {folder / 'frugal.toml'}" in result.stdout
    assert f"home      FRUGAL_HOME={home}" in result.stdout
    for name in ("ledger.sqlite3", "cache", "logs", "answers"):
        assert str(home / name) in result.stdout
