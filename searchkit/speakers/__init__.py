"""Rule-based speaker attribution and quote extraction for news text.

Pure Python + `re`; no models, no word lists beyond the small ones in `words`. Capitalised name runs and sentence
ends are found once per article (`article`); then only the places around cues are examined (`cues`, with roles
from `roles`), and the attributions quote marks and colons make on their own (`quotes`). Surnames ("Mr. Obama",
"Zakharova") resolve to a full name given anywhere in the article, pronouns ("she said") to the person last
named as speaking; organisations, groups, places and unresolvable surnames are dropped (`orgs`); the
statements are made citable (`attribution`). Across an archive, `canonical` tells which name forms are one
person, and `store` keeps them beside the index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from searchkit.speakers.attribution import Attribution, extract

__all__ = ["Attribution", "extract"]


def __getattr__(name: str) -> Any:
    """`extract` and `Attribution`, imported when first used: the patterns take a while to compile, and
    `canonical` (read by every search) needs none of them."""
    if name in __all__:
        from searchkit.speakers import attribution

        return getattr(attribution, name)
    raise AttributeError(name)
