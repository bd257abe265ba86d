"""Refresh the example outputs in README.md by running the commands it shows on the bundled seeds/.

Usage: python scripts/readme_outputs.py   (rewrites the ``` blocks that start with `$ searchkit ...`)
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```\n((?:\$ searchkit[^\n]*\n(?:(?!\$ |```)[^\n]*\n)*)+)```")


def run(command: str, env: dict[str, str]) -> str:
    """One command's output, as a user would see it piped (plain text, no colour)."""
    args = shlex.split(command)
    args[0] = str(Path(sys.executable).with_name("searchkit"))
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    out = (done.stdout + done.stderr).rstrip("\n")
    return out.replace(env["SEARCHKIT_INDEX"], "index").replace(str(ROOT), "/home/you/searchkit")


SHELL_SYNTAX = re.compile(r"[;&|<>]")


def refresh(block: str, env: dict[str, str]) -> str:
    """The block with each command's output refreshed; unchanged (with a note) when a command needs a shell
    (`;`, `&&`, pipes, redirection) or files the run does not have: such blocks are kept by hand."""
    commands = [line[2:] for line in block.splitlines() if line.startswith("$ ")]
    if any(SHELL_SYNTAX.search(c) for c in commands):
        print(f"kept as written (shell syntax): {commands[0]}", file=sys.stderr)
        return block
    return "".join(f"$ {c}\n{run(c, env)}\n" for c in commands)


def main() -> None:
    readme = ROOT / "README.md"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SEARCHKIT_INDEX": str(Path(tmp) / "index"), "COLUMNS": "100", "NO_COLOR": "1"}
        text = readme.read_text(encoding="utf-8")
        text = BLOCK.sub(lambda m: "```\n" + refresh(m.group(1), env) + "```", text)
    readme.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
