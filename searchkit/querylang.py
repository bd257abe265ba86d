"""The user's query language, parsed leniently into a small syntax tree.

    words              all must match (or any, with --match any)
    "exact phrase"     those words in that order, not their stems; "a b"~3 allows 3 words between
    a OR b, a AND b    OR binds tighter than AND ("russia OR ukraine sanctions" = (russia OR ukraine) AND sanctions)
    NOT a, -a          exclude
    ( ... )            grouping
    title:, body:, speaker:, date:, id:   field scope for the next word, phrase or group
    word*, word~, word~2                   prefix, fuzzy (edit distance 1 or 2)

Parsing never fails and takes time linear in the query: unbalanced quotes close at the end, stray
parentheses and colons are ignored, unknown `field:` prefixes are read as words, parentheses nested deeper
than `MAX_DEPTH` are ignored, a run of NOTs cancels in pairs, and words past `MAX_WORDS` (prefix and
fuzzy words past `MAX_EXPANDING`) are dropped.
`parse` returns the tree and a list of notes on what it had to repair.
"""

from __future__ import annotations

import re
from typing import NamedTuple

FIELDS = frozenset({"title", "body", "speaker", "date", "id"})
MAX_DEPTH = 20  # nesting of parentheses; deeper ones are ignored (the parser and the engine recurse on it)
MAX_WORDS = 1_000  # words and phrases in one query; the rest are dropped (each is a posting list to read)
MAX_EXPANDING = 8  # prefix and fuzzy words in one query (each stands for many words); the rest are dropped
_FIELD_ALIASES = {"speakers": "speaker", "text": "body", "content": "body", "who": "speaker"}


class Word(NamedTuple):
    """A word as typed (still raw: analysis happens when the query is compiled)."""

    text: str
    field: str | None = None
    prefix: bool = False
    fuzzy: int = 0


class Phrase(NamedTuple):
    """An exact phrase as typed, with optional slop."""

    text: str
    field: str | None = None
    slop: int = 0


class Group(NamedTuple):
    """Clauses joined by AND (`all=True`) or by the search's default operator."""

    items: tuple[Node, ...]
    all: bool = False


class AnyOf(NamedTuple):
    """Clauses joined by OR."""

    items: tuple[Node, ...]


class Not(NamedTuple):
    """An excluded clause."""

    item: Node


Node = Word | Phrase | Group | AnyOf | Not


class ParseResult(NamedTuple):
    """The tree (None for an empty query) and notes on repairs made to the input."""

    tree: Node | None
    notes: list[str]


_FUZZY = re.compile(r"^(.*?)~(\d?)$")
_SLOP = re.compile(r"~(\d+)")
_RUN = re.compile(r'[^\s"()]+')


class _Tok(NamedTuple):
    """A lexer token."""

    kind: str  # "word", "phrase", "lparen", "rparen", "and", "or", "not", "field"
    text: str = ""
    slop: int = 0


def _lex(query: str, notes: list[str]) -> list[_Tok]:
    """Split the query into tokens, closing an unbalanced quote at the end."""
    toks: list[_Tok] = []
    i = 0
    while i < len(query):
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch == '"':
            end = query.find('"', i + 1)
            if end < 0:
                notes.append("unbalanced quote closed at the end")
                end = len(query)
            text = query[i + 1:end]
            i = end + 1
            slop = 0
            m = _SLOP.match(query, i)
            if m:
                slop = min(int(m.group(1)[:4]), 1_000)
                i = m.end()
            toks.append(_Tok("phrase", text, slop))
        elif ch in "()":
            toks.append(_Tok("lparen" if ch == "(" else "rparen"))
            i += 1
        else:
            m = _RUN.match(query, i)
            assert m is not None
            i = m.end()
            toks.extend(_word_tokens(m.group(), query[i:i + 1] in ('"', "(")))
    return toks


def _bounded(toks: list[_Tok], notes: list[str]) -> list[_Tok]:
    """The tokens without parentheses nested deeper than `MAX_DEPTH` (each ignored with its partner), up to
    the `MAX_WORDS`-th word or phrase."""
    out: list[_Tok] = []
    depth = ignored = words = 0
    deep = False
    for tok in toks:
        if tok.kind == "lparen":
            if depth >= MAX_DEPTH:
                ignored += 1
                deep = True
                continue
            depth += 1
        elif tok.kind == "rparen":
            if ignored:
                ignored -= 1
                continue
            depth = max(0, depth - 1)
        elif tok.kind in ("word", "phrase"):
            words += 1
            if words > MAX_WORDS:
                notes.append(f"only the first {MAX_WORDS:,} words of the query searched")
                break
        out.append(tok)
    if deep:
        notes.append(f"parentheses nested deeper than {MAX_DEPTH} levels ignored")
    return out


def _word_tokens(raw: str, scopes_next: bool) -> list[_Tok]:
    """Tokens for a run of non-space characters: operators, `field:` scopes, `-` exclusion, words."""
    if raw in ("AND", "&&"):
        return [_Tok("and")]
    if raw in ("OR", "||"):
        return [_Tok("or")]
    if raw == "NOT":
        return [_Tok("not")]
    out: list[_Tok] = []
    if raw.startswith("-") and len(raw) > 1:
        out.append(_Tok("not"))
        raw = raw[1:]
    elif raw.startswith("+") and len(raw) > 1:
        raw = raw[1:]
    name, sep, rest = raw.partition(":")
    fname = _FIELD_ALIASES.get(name.lower(), name.lower())
    if sep and fname in FIELDS and (rest or scopes_next):
        out.append(_Tok("field", fname))
        if rest:
            out.append(_Tok("word", rest))
        return out
    for part in raw.split(":") if sep else [raw]:
        if part.strip("*~"):
            out.append(_Tok("word", part))
    return out


class _Parser:
    """Recursive descent over the tokens; every error is repaired, never raised."""

    def __init__(self, toks: list[_Tok], notes: list[str]) -> None:
        self.toks = toks
        self.i = 0
        self.notes = notes
        self.expanding = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def sequence(self, depth: int) -> Node | None:
        """Clauses until `)` or the end, AND-chains kept together."""
        groups: list[Node] = []
        while (tok := self.peek()) is not None:
            if tok.kind == "rparen":
                if depth:
                    break
                self.take()
                self.notes.append("unmatched ')' ignored")
                continue
            if tok.kind in ("and", "or"):
                self.take()  # a dangling operator: ignore
                continue
            chain = self.and_chain(depth)
            if chain is not None:
                groups.append(chain)
        return _simplify(Group(tuple(groups)))

    def and_chain(self, depth: int) -> Node | None:
        items = [self.or_chain(depth)]
        while (tok := self.peek()) is not None and tok.kind == "and":
            self.take()
            items.append(self.or_chain(depth))
        kept = tuple(x for x in items if x is not None)
        if len(items) > 1:
            return _simplify(Group(kept, all=True))
        return kept[0] if kept else None

    def or_chain(self, depth: int) -> Node | None:
        items = [self.unary(depth)]
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.take()
            items.append(self.unary(depth))
        kept = tuple(x for x in items if x is not None)
        if len(kept) > 1:
            return AnyOf(kept)
        return kept[0] if kept else None

    def unary(self, depth: int) -> Node | None:
        negations = 0
        while (tok := self.peek()) is not None and tok.kind == "not":
            self.take()
            negations += 1
        inner = self.atom(depth, None)
        return Not(inner) if inner is not None and negations % 2 else inner

    def atom(self, depth: int, scope: str | None) -> Node | None:
        negations = 0
        while (tok := self.peek()) is not None and tok.kind in ("field", "not"):
            self.take()  # a run of scopes and NOTs is read in a loop, not a recursion per token: the last
            if tok.kind == "field":  # scope wins and NOTs cancel in pairs, as in `unary`
                scope = tok.text
            else:
                negations += 1
        inner = self._bare_atom(depth, scope)
        return Not(inner) if inner is not None and negations % 2 else inner

    def _bare_atom(self, depth: int, scope: str | None) -> Node | None:
        tok = self.peek()
        if tok is None or tok.kind in ("rparen", "and", "or"):
            return None
        self.take()
        if tok.kind == "lparen":
            inner = self.sequence(depth + 1)
            if self.peek() is not None:
                self.take()  # the ')'
            else:
                self.notes.append("unbalanced '(' closed at the end")
            return _scoped(inner, scope) if inner is not None else None
        if tok.kind == "phrase":
            return Phrase(tok.text, scope, tok.slop) if tok.text.strip() else None
        return self.word(tok.text, scope)

    def word(self, raw: str, scope: str | None) -> Word | None:
        """A word, or None past the `MAX_EXPANDING`-th prefix or fuzzy word."""
        word = _word(raw, scope)
        if word is not None and (word.prefix or word.fuzzy):
            self.expanding += 1
            if self.expanding > MAX_EXPANDING:
                if self.expanding == MAX_EXPANDING + 1:
                    self.notes.append(f"only the first {MAX_EXPANDING} prefix and fuzzy words searched")
                return None
        return word


def _word(raw: str, scope: str | None) -> Word | None:
    """A word token with its prefix / fuzzy suffix read."""
    fuzzy = 0
    m = _FUZZY.match(raw)
    if m and m.group(1):
        raw, fuzzy = m.group(1), min(int(m.group(2) or 1), 2)
    prefix = raw.endswith("*") and len(raw.rstrip("*")) > 0
    raw = raw.rstrip("*") if prefix else raw
    raw = raw.replace("*", "")
    if not raw:
        return None
    return Word(raw, scope, prefix=prefix, fuzzy=fuzzy)


def _scoped(node: Node, scope: str | None) -> Node:
    """Apply a field scope to every leaf below `node` that has none."""
    if scope is None:
        return node
    if isinstance(node, Word | Phrase):
        return node if node.field else node._replace(field=scope)
    if isinstance(node, Not):
        return Not(_scoped(node.item, scope))
    if isinstance(node, AnyOf):
        return AnyOf(tuple(_scoped(x, scope) for x in node.items))
    return Group(tuple(_scoped(x, scope) for x in node.items), node.all)


def _simplify(group: Group) -> Node | None:
    """Drop empty groups and unwrap single-item ones."""
    if not group.items:
        return None
    if len(group.items) == 1:
        return group.items[0]
    return group


def parse(query: str) -> ParseResult:
    """Parse a user query; never raises."""
    notes: list[str] = []
    toks = _bounded(_lex(query, notes), notes)
    tree = _Parser(toks, notes).sequence(0)
    return ParseResult(tree, notes)


def leaves(node: Node | None) -> list[Word | Phrase]:
    """The positive (not excluded) words and phrases of a tree, in order."""
    if node is None or isinstance(node, Not):
        return []
    if isinstance(node, Word | Phrase):
        return [node]
    return [leaf for item in node.items for leaf in leaves(item)]
