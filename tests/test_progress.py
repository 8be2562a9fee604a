"""Progress bars appear on a terminal only: a real pseudo-terminal gets them; JSON output,
a CI environment and output that is not a terminal get none."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from isf_claims import progress
from isf_claims.cli import app

CLI = str(Path(sys.executable).parent / "isf-claims")
BAR = b"statistics: reading annotation files"


def _env(ci: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40")
    if ci:
        env["CI"] = "true"
    return env


def _read_all(fd: int) -> bytes:
    out = b""
    while True:
        ready, _, _ = select.select([fd], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    return out


def run_on_terminal(
    args: list[str], *, ci: bool = False, stdout_terminal: bool = True
) -> tuple[int, bytes, bytes]:
    """Run the CLI with stderr (and stdout unless told) on a pseudo-terminal; returns the
    exit code, what the terminal received and what a piped stdout received."""
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [CLI, *args],
        stdin=child,
        stdout=child if stdout_terminal else subprocess.PIPE,
        stderr=child,
        env=_env(ci),
        close_fds=True,
    )
    os.close(child)
    terminal = _read_all(main)
    piped = proc.stdout.read() if proc.stdout else b""
    code = proc.wait(timeout=120)
    os.close(main)
    return code, terminal, piped


def test_a_terminal_gets_a_bar() -> None:
    code, terminal, _ = run_on_terminal(["stats", "--root", str(ROOT)])
    assert code == 0, terminal
    assert BAR in terminal and b"\x1b[" in terminal  # drawn with terminal control codes
    assert b"Mentions per label" in terminal


@pytest.mark.parametrize(
    ("args", "ci", "stdout_terminal"),
    [
        (["stats", "--format", "json"], False, True),  # JSON output
        (["stats"], True, True),  # CI
        (["stats"], False, False),  # stdout piped to another program
    ],
    ids=["json", "ci", "stdout-not-a-terminal"],
)
def test_no_bar_for_json_ci_or_a_pipe(args: list[str], ci: bool, stdout_terminal: bool) -> None:
    code, terminal, piped = run_on_terminal(
        [*args, "--root", str(ROOT)], ci=ci, stdout_terminal=stdout_terminal
    )
    assert code == 0, terminal + piped
    assert BAR not in terminal + piped
    if "json" in args:
        json.loads(terminal.replace(b"\r\n", b"\n"))
    if not stdout_terminal:
        assert piped.startswith(b"Corpus\n") and b"\x1b[" not in piped


def test_library_calls_outside_a_command_draw_nothing() -> None:
    assert not progress.active()
    with progress.task("nothing", 3) as advance:
        advance(3)
    assert list(progress.track([1, 2], "nothing")) == [1, 2]
    res = CliRunner().invoke(app, ["stats", "--root", str(ROOT)])  # not a terminal
    assert res.exit_code == 0 and "statistics: reading" not in res.output


def test_the_commands_of_this_round_show_their_work_on_a_terminal() -> None:
    ann = str(ROOT / "annotated")
    code, terminal, _ = run_on_terminal(["agree", ann, ann, "--root", str(ROOT)])
    assert code == 0, terminal
    assert b"agree: validating and comparing" in terminal
    code, terminal, piped = run_on_terminal(
        ["agree", ann, ann, "--root", str(ROOT)], stdout_terminal=False
    )
    assert code == 0 and b"agree: validating" not in terminal + piped
