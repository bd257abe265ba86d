"""Roles: the title phrase before a name ("Russian Foreign Ministry spokeswoman Maria Zakharova") or the
appositive after it ("Kenneth Baer, a former official, said")."""

from __future__ import annotations

from searchkit.speakers.article import Article
from searchkit.speakers.names import Name, clean
from searchkit.speakers.patterns import APPOSITIVE_RE
from searchkit.speakers.words import ROLE_NOUNS, STOP_CAPS


def role_before(art: Article, name: Name, floor: int) -> tuple[str, int] | None:
    """Stated role before a name and where it starts: "Russian Foreign Ministry spokeswoman" Maria Z."""
    base = max(floor, name.start - 120)
    seg = art.body[base:name.start]
    cut = max(seg.rfind(ch) for ch in ",;:“”\"(")
    if cut >= 0:
        base, seg = base + cut + 1, seg[cut + 1:]
    words = seg.split()
    while words and clean(words[0]) in STOP_CAPS:
        words = words[1:]
    words = words[-8:]
    while words and clean(words[0]) in STOP_CAPS:
        words = words[1:]
    if words and any(clean(w) in ROLE_NOUNS for w in words):
        return " ".join(words), seg.rfind(words[0], 0, len(seg) - len(" ".join(words[1:]))) + base
    return None

def role_after(art: Article, name: Name) -> str | None:
    """Appositive role after a name: "Kenneth Baer, a former official, said"."""
    m = APPOSITIVE_RE.match(art.body[name.end:name.end + 110])
    if m and any(clean(w) in ROLE_NOUNS for w in m.group(1).split()):
        return m.group(1).removeprefix("a ").removeprefix("an ").removeprefix("the ")
    return None
