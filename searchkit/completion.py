"""Shell completion: the scripts click generates for bash, zsh and fish (speaker names are completed by
`options.complete_speaker`)."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

from searchkit.options import COMPLETE_VAR

SHELLS = ("bash", "zsh", "fish")

def script(cli: click.Command, shell: str) -> str:
    """The completion script for `shell`, as `_SEARCHKIT_COMPLETE=<shell>_source searchkit` prints it."""
    cls = get_completion_class(shell)
    assert cls is not None, shell
    return cls(cli, {}, "searchkit", COMPLETE_VAR).source()
