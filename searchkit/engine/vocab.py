"""Batch analysis: many texts to arrays of word ids and positions, each distinct token analysed once.

`analysis.tokens` folds, splits and stems every token of every text in Python. Here each distinct raw token
(what `analysis._WORD` matches) is analysed once per process into an *entry*: the words it yields (a
hyphenated compound yields its joined form and its parts), each word's position offset, and how far it
moves the position. A batch of texts is then one `findall` per text, one C-level dictionary pass over all
tokens, and array operations that expand entries into `(word, text, position)` rows: the same words at the
same positions as `analysis.tokens` (tested). Words map to stems (-1 for stopwords) through an array. Words at
adjacent positions make the pair terms of `terms.pair_term` (`pairs`), each pair of words looked up once.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import chain, repeat
from typing import NamedTuple

import numpy as np

from searchkit import analysis, terms

_fold = analysis.fold.__wrapped__
"""`analysis.fold` without its cache: a vocabulary folds each raw token once, so the cache would only hold
copies of its words (~7 MB in a worker, with `analysis.stem`'s; new words are stemmed through
`analysis.stem_all`, which skips that cache too)."""


def splits_cleanly(text: str, offset: int) -> bool:
    """Whether no token of `text` crosses `offset` (a character on either side is no token's)."""
    joins = analysis.TOKEN_CHAR.match
    return offset <= 0 or offset >= len(text) or not (joins(text, offset - 1) and joins(text, offset))


class Tokens(NamedTuple):
    """The analysed tokens of a batch of texts, in text order and position order within a text."""

    word: np.ndarray  # int32 word id of each token (`Vocabulary.words`)
    text: np.ndarray  # int32 index of its text in the batch
    pos: np.ndarray  # int32 position in its text (a compound's joined form shares its first part's)
    lengths: np.ndarray  # int64 tokens per text: the exact field's length of each text


class Vocabulary:
    """The raw tokens, words and stems seen by this process, with the arrays that expand a token."""

    def __init__(self) -> None:
        self._entries: dict[str, int] = {}
        self._first = array("i")  # entry -> index of its first word in _flat_word
        self._count = array("i")  # entry -> words it yields
        self._advance = array("i")  # entry -> positions it takes
        self._flat_word = array("i")
        self._flat_offset = array("i")  # each yielded word's position within its entry
        self._word_ids: dict[bytes, int] = {}  # keyed by the very objects `words` holds: one copy of each
        self.words: list[bytes] = []  # word id -> term bytes
        self._stem_of = array("i")  # word id -> stem id, -1 for a stopword
        self._stem_ids: dict[bytes, int] = {}  # as `_word_ids`, for `stems`
        self.stems: list[bytes] = []  # stem id -> term bytes
        self._views: tuple[np.ndarray, ...] | None = None
        self._pair_keys = np.zeros(0, np.int64)  # first word id << 32 | second word id, ascending
        self._pair_at = np.zeros(0, np.int32)  # the pair id of each of `_pair_keys`
        self.pairs: list[bytes] = []  # pair id -> term bytes
        self._roles: dict[terms.PairWords, np.ndarray] = {}  # paired words -> `terms.pair_role` per word id
        self.closed = False  # `close`d: words can no longer be numbered

    def __len__(self) -> int:
        """Distinct raw tokens seen."""
        return len(self._entries)

    def analyse(self, texts: Sequence[str]) -> Tokens:
        """Every token of `texts` as word ids with text numbers and positions."""
        return self._expand_raw([analysis.word_re(text).findall(text) for text in texts])[0]

    def analyse_spans(self, texts: Sequence[str], spans: Sequence[tuple[int, int, int]]) -> tuple[Tokens, Tokens]:
        """`analyse(texts)`, and the tokens of character spans of them: `(text, start, end)` spans, each
        bounded where no token crosses (`splits_cleanly`), whose tokens are then those `analyse` gives the
        span's own text: the text's tokens between its ends, positions counted from the span's first. The
        second `Tokens` numbers the spans as its texts. Each text is read once (split at the span ends)."""
        word_re = analysis.word_re
        cuts: dict[int, set[int]] = {}
        for number, start, end in spans:
            cuts.setdefault(number, set()).update((start, end))
        found: list[list[str]] = []
        before: dict[tuple[int, int], int] = {}  # (text, offset) -> raw tokens of the text before the offset
        for number, text in enumerate(texts):
            offsets = cuts.get(number)
            findall = word_re(text).findall
            if not offsets:
                found.append(findall(text))
                continue
            raw: list[str] = []
            done = 0
            for offset in sorted(offsets):
                raw += findall(text, done, offset)  # no token crosses `offset`: as if the text were split there
                before[number, offset] = len(raw)
                done = offset
            raw += findall(text, done)
            found.append(raw)
        tokens, text_first, token_pos, first_out = self._expand_raw(found)
        lo = np.array([text_first[t] + before[t, a] for t, a, _b in spans], np.int64)
        hi = np.array([text_first[t] + before[t, b] for t, _a, b in spans], np.int64)
        out_lo = first_out[lo]
        taken = first_out[hi] - out_lo  # output words of each span
        span = np.repeat(np.arange(len(spans), dtype=np.int32), taken)
        index = np.arange(int(taken.sum())) + np.repeat(out_lo - (np.cumsum(taken) - taken), taken)
        rebased = tokens.pos[index] - np.append(token_pos, 0)[lo][span]  # from the span's first raw token
        return tokens, Tokens(tokens.word[index], span, rebased.astype(np.int32), taken)

    def _expand_raw(self, found: list[list[str]]) -> tuple[Tokens, np.ndarray, np.ndarray, np.ndarray]:
        """The tokens of texts given as their raw tokens; with, for `analyse_spans`, the batch index of each
        text's first raw token, each raw token's position in its text and the index of its first output
        word (one more at the end: the number of output words)."""
        self._check_open()
        counts = np.fromiter(map(len, found), np.int64, len(found))
        raw = list(chain.from_iterable(found))
        entry = np.fromiter(map(self._entries.get, raw, repeat(-1)), np.int32, len(raw))
        if len(raw) and entry.min() < 0:
            missing = np.flatnonzero(entry < 0).tolist()
            self._add_raw([raw[i] for i in missing])
            entry[missing] = [self._entries[raw[i]] for i in missing]
        first, count, advance, flat_word, flat_offset, _stem = self._arrays()
        yielded = count[entry]
        moved = advance[entry]
        token_text = np.repeat(np.arange(len(found), dtype=np.int32), counts)
        before = np.cumsum(moved) - moved  # position of each token, counted from the batch's start
        starts = np.cumsum(counts) - counts
        text_base = np.concatenate(([0], np.cumsum(moved)))[starts]
        token_pos = before - text_base[token_text]
        ends = np.cumsum(yielded)
        source = np.repeat(np.arange(len(raw)), yielded)  # output word -> its raw token
        within = np.arange(len(source)) - np.repeat(ends - yielded, yielded)
        flat = first[entry][source] + within
        text = token_text[source]
        tokens = Tokens(flat_word[flat], text, (token_pos[source] + flat_offset[flat]).astype(np.int32),
                        np.bincount(text, minlength=len(found)))
        return tokens, starts, token_pos, np.concatenate(([0], ends)).astype(np.int64)

    def pair_rows(self, tokens: Tokens, paired: terms.PairWords) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The pair terms of analysed texts (`terms.pair_term` of every two words at adjacent positions of a
        text, the first word's position the pair's): pair ids, text numbers and positions, in text and
        position order."""
        word, text, pos = tokens.word, tokens.text, tokens.pos
        self._check_open()
        if not len(word):
            return word, text, pos
        key = text.astype(np.int64) << 32 | pos  # ascending: tokens are in text and position order
        lo = np.searchsorted(key, key + 1, side="left")
        n = np.searchsorted(key, key + 1, side="right") - lo  # words at the next position (a compound: several)
        first = np.repeat(np.arange(len(word)), n)
        second = np.repeat(lo, n) + (np.arange(len(first)) - np.repeat(np.cumsum(n) - n, n))
        role = self._pair_roles(paired)
        keep = terms.forms_pair(role[word[first]], role[word[second]])  # int8: at most 4
        first, second = first[keep], second[keep]
        both = word[first].astype(np.int64) << 32 | word[second]
        unique, inverse = np.unique(both, return_inverse=True)
        return self._pair_ids(unique)[inverse].reshape(-1), text[first], pos[first]

    def _pair_ids(self, unique: np.ndarray) -> np.ndarray:
        """The ids of ascending distinct pairs of word ids (`first << 32 | second`), new ones numbered on
        first sight in that order. Known pairs are kept as two sorted arrays, not a dict: a dict held ~100
        bytes per pair (two int objects and its slot), ~10 MB per 10^5 pairs in each worker."""
        keys, at = self._pair_keys, self._pair_at
        where = np.searchsorted(keys, unique)
        known = where < len(keys)
        known[known] = keys[where[known]] == unique[known]
        ids = np.empty(len(unique), np.int32)
        ids[known] = at[where[known]]
        fresh = np.flatnonzero(~known)
        if len(fresh):
            ids[fresh] = np.arange(len(self.pairs), len(self.pairs) + len(fresh), dtype=np.int32)
            for both in unique[fresh].tolist():
                first, second = self.words[both >> 32].decode("utf-8"), self.words[both & 0xFFFFFFFF].decode("utf-8")
                self.pairs.append(terms.pair_text(first, second).encode("utf-8"))  # `pair_rows` applied the rule
            self._pair_keys = np.insert(keys, where[fresh], unique[fresh])
            self._pair_at = np.insert(at, where[fresh], ids[fresh])
        return ids

    def _pair_roles(self, paired: terms.PairWords) -> np.ndarray:
        """`terms.pair_role` of every word id (extended as words are added)."""
        roles = self._roles.get(paired)
        known = 0 if roles is None else len(roles)
        if known < len(self.words):
            fresh = [terms.pair_role(w.decode("utf-8"), paired) for w in self.words[known:]]
            roles = np.concatenate((roles if roles is not None else np.zeros(0, np.int8), np.array(fresh, np.int8)))
            self._roles[paired] = roles
        return roles

    def _check_open(self) -> None:
        """Refuse to analyse once `close`d (the numbering tables are gone)."""
        if self.closed:
            raise ValueError("the vocabulary is closed: its texts were all analysed")

    def close(self) -> None:
        """Drop what analysing needs (the tables that number raw tokens, words, stems and pairs) and keep what
        writing reads (`words`, `stems`, `pairs`): once a segment's texts are analysed, the lookups are most of
        a vocabulary's memory, held through the segment's flush for nothing. Analysing afterwards is an error."""
        self.closed = True
        self._entries, self._word_ids, self._stem_ids, self._roles = {}, {}, {}, {}
        for name in ("_first", "_count", "_advance", "_flat_word", "_flat_offset", "_stem_of"):
            setattr(self, name, array("i"))
        self._views = None
        self._pair_keys, self._pair_at = np.zeros(0, np.int64), np.zeros(0, np.int32)

    def stem_ids(self, word: np.ndarray) -> np.ndarray:
        """The stem id of each word id (-1 for stopwords)."""
        return self._arrays()[5][word]

    def _arrays(self) -> tuple[np.ndarray, ...]:
        """The entry and stem tables as numpy arrays (copied again after entries were added)."""
        if self._views is None:
            tables = (self._first, self._count, self._advance, self._flat_word, self._flat_offset, self._stem_of)
            self._views = tuple(np.array(a, np.int32) for a in tables)
        return self._views

    def _add_raw(self, raws: list[str]) -> None:
        """Entries for raw tokens not seen before (in order; repeats skipped), made as `analysis.tokens`
        analyses a token, with ids for their new words and stems numbered in order of first sight; the new
        words are stemmed in one call (`analysis.stem_all`). A word is encoded to be looked up: only raw
        tokens new to this process get here, and a str key would be a second copy of every word (and of every
        stem) for the process's life. New words hold stem -1 until the stemmer's call after the loop: an error
        between the two ends the writer that owns the vocabulary (each makes its own), so none is used half made."""
        entries, first, count, advance = self._entries, self._first, self._count, self._advance
        flat_word, flat_offset, word_ids, words = self._flat_word, self._flat_offset, self._word_ids, self.words
        stem_of, stopwords, is_compound = self._stem_of, analysis.STOPWORDS, analysis._is_compound
        fresh: list[int] = []  # new words that are not stopwords, to be stemmed
        fresh_words: list[str] = []
        for raw in raws:
            if raw in entries:
                continue
            if is_compound(raw):
                joined, parts = analysis._compound(raw)
                found = [(joined, 0)] if joined else []
                found += [(word, i) for i, (word, _a, _b) in enumerate(parts)]
                moves = len(parts)
            else:
                word = _fold(raw)
                found = [(word, 0)] if word else []
                moves = len(found)
            entries[raw] = len(first)
            first.append(len(flat_word))
            count.append(len(found))
            advance.append(moves)
            for word, offset in found:
                term = word.encode("utf-8")
                number = word_ids.get(term)
                if number is None:
                    number = word_ids[term] = len(words)
                    words.append(term)
                    stem_of.append(-1)
                    if word not in stopwords:
                        fresh.append(number)
                        fresh_words.append(word)
                flat_word.append(number)
                flat_offset.append(offset)
        self._views = None
        stem_ids, stems = self._stem_ids, self.stems
        for number, word, stem in zip(fresh, fresh_words, analysis.stem_all(fresh_words), strict=True):
            stem_term = words[number] if stem == word else stem.encode("utf-8")  # most words are their own stem
            stem_id = stem_ids.get(stem_term)
            if stem_id is None:
                stem_id = stem_ids[stem_term] = len(stems)
                stems.append(stem_term)
            stem_of[number] = stem_id
