"""Posting items built outside Whoosh match Whoosh's own encodings byte for byte."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from searchkit import analysis
from searchkit.engine import documents
from searchkit.engine.schema import quote_schema, schema


def test_encode_positions_matches_whoosh() -> None:
    """The cached single-position and the gap encodings equal `Positions.encode` for many lists."""
    encode = schema()["body_exact"].format.encode
    rng = random.Random(7)
    cases = [[0], [1], [5], [0, 1], [3, 3], [2, 9, 300, 70_000]]
    cases += [sorted(rng.sample(range(5_000), rng.randint(1, 40))) for _ in range(300)]
    for positions in cases + cases:  # twice: the second pass hits the cache
        assert documents.encode_positions(positions) == encode(positions), positions
    assert quote_schema()["text_exact"].format.encode([4, 8]) == documents.encode_positions([4, 8])


def test_analyse_default_encoder_equals_the_formats_encoder() -> None:
    """`analyse` with its own encoder gives what it gives with Whoosh's format encoder."""
    text = "The harbour opened; the harbour-master said the harbour would stay open, open, open."
    assert documents.analyse(text) == documents.analyse(text, schema()["body_exact"].format.encode)


def test_keyword_and_id_items_match_whoosh_fields() -> None:
    """Pre-analysed keyword and id values equal what the Whoosh fields' analyzers give (order aside)."""
    keyword, ident = schema()["speaker"], schema()["key"]
    for value in ["maria zakharova,zakharova", "2019,2019-03,2019-03-15", " a , b,,a,  , c ", ",", "é ü,é ü",
                  "single", "x,,y,x,x"]:
        assert sorted(documents.keyword_items(value)) == sorted(keyword.index(value)), value
    for value in ["/docs/a.txt#0", "r1", "/ü/b.jsonl#3#q2", ""]:
        assert documents.id_items(value) == list(ident.index(value)), value


def test_prepared_documents_index_like_whoosh() -> None:
    """Every pre-analysed non-text field of a prepared article and quote equals the field's own analysis
    of the value it stores or joins."""
    from datetime import datetime

    from searchkit.models import Article, Quote, Speaker

    article = Article(id="r1", path="/docs/r1.txt", title="Talks", body="“Fine,” Ana Ruiz said.",
                      source_format="text", date=datetime(2019, 3, 15), speakers=(Speaker("Ana Ruiz", "envoy"),),
                      quotes=(Quote(speaker="Ana Ruiz", text="Fine", start=1, end=5),))
    doc = documents.prepare(article)
    (quote,) = documents.prepare_quotes(article)
    expected = {"key": "/docs/r1.txt#0", "id": "r1", "source": "/docs/r1.txt", "speaker": "ana ruiz,ruiz",
                "period": "2019,2019-03,2019-03-15"}
    for name, value in expected.items():
        assert sorted(doc[name]) == sorted(schema()[name].index(value)), name
        if schema()[name].stored:
            assert doc["_stored_" + name] == value
    expected_quote = {"source": "/docs/r1.txt", "article_id": "r1", "speaker": "ana ruiz,ruiz",
                      "period": "2019,2019-03,2019-03-15"}
    for name, value in expected_quote.items():
        assert sorted(quote[name]) == sorted(quote_schema()[name].index(value)), name
    assert quote["article"] == "/docs/r1.txt#0" and not quote_schema()["article"].indexed  # stored only
    # the article's title, file and id are the article's to store: a statement stores none of them
    assert "title" not in quote and not {"source", "article_id", "title", "key"} & set(quote_schema().stored_names())


def test_each_quote_is_indexed_under_its_own_speaker() -> None:
    """An article's quotes share what they have in common (made once an article), each with its own
    speaker's terms, whichever order its speakers come in (none for a name without words)."""
    from datetime import datetime

    from searchkit import terms
    from searchkit.models import Article, Quote, Speaker

    names = ["Ana Ruiz", "Li Wei Jr.", "Ana Ruiz", "—", "Li Wei Jr.", "Omar Haddad"]
    body = " ".join(f"“Q{n},” {name} said." for n, name in enumerate(names))
    starts = [body.index(f"Q{n},") for n in range(len(names))]
    quotes = tuple(Quote(speaker=name, text=f"Q{n}", start=start, end=start + len(f"Q{n}"))
                   for n, (name, start) in enumerate(zip(names, starts, strict=True)))
    article = Article(id="r2", path="/docs/r2.txt", title="Talks", body=body, source_format="text",
                      date=datetime(2019, 3, 15), speakers=(Speaker("Ana Ruiz", "envoy"), Speaker("Omar Haddad", "")),
                      quotes=quotes)
    prepared = documents.prepare_quotes(article)
    assert [q["name"] for q in prepared] == names
    for quote, name in zip(prepared, names, strict=True):
        value = ",".join(terms.speaker_terms(name))
        assert quote["speaker"] == (documents.keyword_items(value) if value else None), name
        assert quote["source"] == documents.id_items("/docs/r2.txt") and quote["_stored_article_id"] == "r2"
        assert sorted(quote["period"]) == sorted(quote_schema()["period"].index("2019,2019-03,2019-03-15"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Cease", "fire", "-", "‐", "‑", "'s", "’", "o'", "Brien", " ", "_", "é", "Ø",
                                 "ß", "2", ",", "x-", "-y", "İ", "\u0301"]), max_size=16).map("".join))
def test_word_positions_group_the_tokens(text: str) -> None:
    """`word_positions` is `tokens` grouped by word, in order of first occurrence."""
    grouped: dict[str, list[int]] = {}
    for word, pos, _start, _end in analysis.tokens(text):
        grouped.setdefault(word, []).append(pos)
    found = analysis.word_positions(text)
    assert list(found.items()) == list(grouped.items())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["Running", "runs", "the", "runner", "ran", "-", " ", ", ", "RUN", "Ran's",
                                 "é"]), max_size=20).map("".join))
def test_analyse_stems_like_a_token_at_a_time(text: str) -> None:
    """Stemming each word once gives each stem the count and the place its tokens give it."""
    freqs: dict[str, int] = {}
    for word, _pos, _start, _end in analysis.tokens(text):
        if word not in analysis.STOPWORDS:
            st_ = analysis.stem(word)
            freqs[st_] = freqs.get(st_, 0) + 1
    stemmed, _exact = documents.analyse(text)
    assert [(t, f) for t, f, _w, _v in stemmed] == [(w.encode(), f) for w, f in freqs.items()]
