"""Every `twofront` command in the README's code blocks runs as written (with fewer runs).

The commands run in a temporary folder holding a link to ``examples/``, in README order
(``--resume`` and ``report`` use what the lines before them wrote). Only ``--runs`` is
changed, to 32 (a power of two, for ``--sampling sobol``), so the test stays fast; a
command that fails, or names a file that does not exist, fails the test. ``serve`` runs
until stopped, so it is left to the dashboard's own tests (tests/web).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from twofront.cli import app

ROOT = Path(__file__).resolve().parents[1]
PREFIX = ".venv/bin/twofront "
LONG_RUNNING = {"serve"}


def readme_commands() -> list[list[str]]:
    """The README's `.venv/bin/twofront ...` lines, joined over backslashes, comments cut."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)
    commands = []
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            if line.startswith(PREFIX):
                words = shlex.split(line[len(PREFIX) :], comments=True)
                commands.append([w for w in words if w != ">"])
    return commands


def fewer_runs(words: list[str]) -> list[str]:
    out = list(words)
    for k, word in enumerate(out[:-1]):
        if word == "--runs":
            out[k + 1] = "32"
    return out


def test_the_readme_lists_commands():
    commands = readme_commands()
    assert len(commands) >= 15
    assert any(c[0] == "calibrate" for c in commands)


def test_every_readme_command_runs_as_written(tmp_path, monkeypatch):
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for words in readme_commands():
        if words[0] in LONG_RUNNING:
            continue
        args = fewer_runs(words)
        if args[-1].endswith(".csv") and "--format" in args:
            args = args[:-1]  # the shell redirect's target
        result = runner.invoke(app, args)
        assert result.exit_code == 0, f"twofront {' '.join(args)}:\n{result.output[-3000:]}"


@pytest.mark.parametrize("name", ["synthetic-battle.csv", "my-scenario.toml"])
def test_the_readme_examples_exist(name):
    assert (ROOT / "examples" / name).is_file()
