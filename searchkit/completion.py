"""Shell completion: the scripts click generates for bash, zsh and fish, and speaker names completed from
the index (for `--speaker`)."""

from __future__ import annotations

import os

import click
from click.shell_completion import CompletionItem, get_completion_class

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_SEARCHKIT_COMPLETE"
INSTALL = {
    "bash": 'eval "$(searchkit completion bash)"        # in ~/.bashrc',
    "zsh": 'eval "$(searchkit completion zsh)"         # in ~/.zshrc',
    "fish": "searchkit completion fish > ~/.config/fish/completions/searchkit.fish",
}


def script(cli: click.Command, shell: str) -> str:
    """The completion script for `shell`, as `_SEARCHKIT_COMPLETE=<shell>_source searchkit` prints it."""
    cls = get_completion_class(shell)
    assert cls is not None, shell
    return cls(cli, {}, "searchkit", COMPLETE_VAR).source()


def complete_speaker(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Speakers in the index whose full name or surname starts with what was typed (none when there is
    no index: completion must never fail)."""
    from searchkit.errors import SearchkitError
    from searchkit.options import index_location
    from searchkit.search import Searcher

    try:
        with Searcher(index_location(ctx)) as searcher:
            names = [s.name for s in searcher.speaker_counts()]
    except (SearchkitError, OSError):
        return []
    typed = incomplete.lower()
    found = [n for n in names if n.lower().startswith(typed) or n.rsplit(" ", 1)[-1].lower().startswith(typed)]
    if os.environ.get(COMPLETE_VAR, "").startswith("bash"):  # bash would split a name at its space
        found = [n.replace(" ", "\\ ") for n in found]
    return [CompletionItem(n) for n in found]
