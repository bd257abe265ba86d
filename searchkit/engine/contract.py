"""The on-disk contract: what an index folder holds, which names it depends on, and when to bump the version.

An index folder (`index/` by default) holds:

- Two Whoosh indexes in one `FileStorage`: `searchkit` (articles) and `quotes` (one document per attributed
  statement), each a table of contents `_<name>_<generation>.toc` and non-compound segment files
  (`.trm` term table, `.pst` postings, `.fdt`/stored fields, `.lns` lengths, columns). A commit writes a
  new TOC generation; readers open the newest one. The term table is searchkit's since 9 (rule 6), not
  Whoosh's hash file.
- `searchkit.json`: `{"schema_version": N}` (`schema.SCHEMA_VERSION`). A reader refuses any other N and
  asks for `--rebuild`.
- `manifest.sqlite`: one row per indexed file (`manifest.py`, a `WITHOUT ROWID` table keyed by path since 7),
  committed after the index. Since 9 (no bump: older versions ignore it, and their writes clear it) also a
  `listing` table: at most one row, the digest of the walk the rows match and the files it could not index
  (JSON), emptied by triggers on `files` whenever a row is inserted, updated or deleted.
- `copies.sqlite` (`copies`, `copies_bands`) and `speakers.sqlite` (`speakers.store`): derived side tables,
  merged after the index commit, each recording its layout as SQLite's `user_version` (`sidecar.SideTable`;
  layout 1 since 7: rows staged in SQLite's temporary database, and the speakers' rows refer to their file by
  number in a `sources` table instead of spelling its path; the copies' layout 2 since 8: a band index entry
  keeps its key's low 16 bits, the row's prefix is the rest; the copies' layout 3 and the speakers' layout 2
  later in 8 (the files refuse older layouts themselves, so the schema stayed): a copies row spells its file
  as a numbered folder in `stems` and the rest, left out when it is the article's id, and groups are a table
  of their own naming the representative by number; a speakers mention or company names its article by
  number in an `articles` table that keeps the id once and the file as the copies do, instead of a `sources`
  table of paths; still layout 3, the copies gained `bucket_log` in 9: an update logs its band index entries
  instead of rewriting the rows, and marks the index's version `LOGGED` so that a searchkit without the log
  regroups everything rather than read the rows alone). A file of another layout is refused as damaged;
  `index --rebuild` makes it again.
- `spill/*.run`: posting runs of a writer in progress (garbage once no writer holds the lock).
- `roots.json`, `last-results.json`: what the command line remembers (`searchkit.history`): the indexed
  folders as they were named, and the last search's hits for `show @N`. Not read by the engine; losing
  them loses only that memory.

Format rules:

1. **Pickled class paths.** A TOC pickles the schemas and every segment's codec, so it names these classes
   by import path: `searchkit.engine.schema.{NewsAnalyzer, SortableDate, PreAnalyzedText,
   PairText}` and
   `searchkit.engine.codec.BlockCodec` (with Whoosh's own). Moving or renaming one of them makes every
   existing index unreadable: keep an alias where it was, or bump `SCHEMA_VERSION`.
   A segment committed by searchkit also carries `sizes` (file name -> bytes at its commit,
   `integrity`); a reader refuses an index whose files differ. Older segments without it are not checked.
2. **Terms.** Stemmed fields (`title`, `body`, `text`) hold `analysis` stems without stopwords and no
   positions; exact fields (`*_exact`) every folded word with positions; `period` and `speaker` the terms of
   `searchkit.terms`; `key` (articles only: a quote's key was stored, not indexed, in 6, and is gone since 7),
   `id`, `source`, `article_id` verbatim. The articles' pairs fields
   (`title_pairs`, `body_pairs`, `schema.PairText`) hold `terms.pair_term` of every two words at adjacent
   positions of the exact field, at the first word's position, and no field length (no statistic counts
   them). The common words they pair are the field's `common` set, pickled with the schema in the TOC:
   chosen when the index is first created (`common_words.COMMON_WORDS`, a fixed list, so every segment and
   every worker of the build agrees) and kept by every update, whatever the code's list is then; a phrase
   is looked up in pairs only through the stored set. Changing any of these rules changes what existing
   indexes mean: bump.
3. **Posting blocks** (`codec.BlockPostingsWriter`, up to 1,024 postings, zlib level 5 since 8, 1 before:
   the header records it, readers inflate any). Each block is an
   int length (negative for the last block), a protocol-2 pickled header `(count, last id, max weight,
   compression, min length code, max length code)` and a protocol-5 pickled data tuple whose *length* tells
   its layout apart: 3 `(ids, weights, values)` as Whoosh writes it; 4 `(ids, weights, None, keys)` for
   positional fields as written before layout 7, `keys` the pickled delta-coded position keys
   `doc << 32 | position`; 5 `(ids, weights, values, None, bounds)` for fields without positions, `bounds`
   the score bounds of each run of 128 postings (frequency fields as written before layout 7, and other
   fields without positions now); 7 `(first, weights, None, None, bounds, planes, gaps)` for positional and
   frequency fields now (`positions`): the block's first document number, `gaps` the differences to the
   next ones, and either `planes`, each posting's positions in its document (as many as its weight says), or
   `bounds` (a frequency field's block, whose values are its weights packed, `pack_uint`); `gaps` and
   `planes` are runs of `k`-byte little-endian numbers (the fewest bytes for the run's largest) stored a
   byte plane at a time. A block is written in layout 7 only when every weight is its count (its frequency)
   and, for positions, its keys `doc << 32 | position` strictly ascend (no position repeated in a document,
   none past 32 bits); other positional blocks are layout 3, other frequency blocks layout 5. Layout 4 is
   in no index of version 9 (written by 6-8 only). Weights are `bytes` when every frequency is a whole
   number below 256. Posting lists shorter than 16 are inlined in the term table, as a
   compact entry (`inline`: a first byte of 2 + kind, the two length codes, LEB128 counts, ids, frequencies
   and positions; since version 6) or, when the
   postings are not what a compact entry spells, as Whoosh's `W3TermInfo` header (first byte 1) then a
   pickle of `(ids, weights, values)` (protocol 5 since `terminfo.BlockTermInfo`, protocol 2 in older tables
   and Whoosh's own); `terminfo.BlockTermInfo` reads all of them. A new block layout gets a new tuple length
   and readers keep reading the old ones: then no bump is needed, since old indexes still read. A term
   table entry older readers cannot read (as the compact one) is a bump: they would fail on it, not refuse.
4. **Lengths** are Whoosh's one-byte length codes (`lengths.BYTE_LENGTHS`), one per document and field.
5. **Stored fields** are Whoosh's per-document dicts, in a `stored.StoredColumn` (since 6): each pickled at
   protocol 5 and deflated on its own. Since 8, every record of a segment is a raw deflate stream (any level)
   whose dictionary is the end (at most 32 KB) of the segment's first records joined; the first record's value
   is `2`, the dictionary's 4-byte length, the zlib-compressed dictionary and the record; the others' `3`
   and the record (6 had `0` for a first record compressed alone and `1` for records primed by its first
   8 KB). The column stores every document's offset (Whoosh's own layout past 32,768 documents; older
   segments without offsets read alike); `index.stored_doc` and `index.stored_quote` read them with
   defaults, so a stored field may be *added* without a bump only when a missing value reads as the
   default everywhere (a bump is still the honest choice when users would otherwise see it missing).
   A quote whose text is the span `body[start:end]` of its article's stored body stores `end`, not `text`.
6. **Term table** (`.trm`, `termtable`, since 9; Whoosh's `OrderedHashWriter` hash file before): the
   magic `SKT1`, then every entry in ascending key order (key: the field's number as a big-endian ushort,
   then the term's bytes; value: the term info of rule 3, byte for byte) in blocks of `termtable.BLOCK_TERMS`
   (32; readers take any count). A block's first key is in the index only; each other key is the length of
   the prefix it shares with the key before it and the rest. A block is its entry count (LEB128), the byte
   widths (1, 2 or 4) of its key lengths and of its value lengths, the little-endian arrays of the shared
   lengths and rest lengths (all entries but the first) and of the value lengths (all), the rests joined,
   the values joined. Then the index: the blocks' first keys joined, `blocks + 1` little-endian uint32 key
   ends (from 0) and `blocks + 1` little-endian uint64 block offsets (the last is the index's own offset);
   then the field map (name -> number) as JSON; then a 36-byte footer (`<QQQQ4s`: index offset, block
   count, first keys' total bytes, field map bytes, `SKT1`). Any change to it is a bump.

History of `SCHEMA_VERSION`: 2, classes moved to `searchkit.engine.schema`; 3, speaker terms from
`searchkit.terms`; 4, `date_source` stored; 5, common-word pairs fields; 6, compact inline term entries,
stored fields primed by each segment's first record, quotes' `key` stored only; 7, side tables of layout 1
(paths kept once: the manifest without a rowid, the speakers' rows by file number; staging outside the files),
and a quote stores its article's key (`article`) instead of the article's title, file and id and a key of its
own (`source` and `article_id` indexed only; readers take them from the article, `api.QuoteReader`); 8, stored
fields deflated with a dictionary of each segment's first records (`stored`), and a quote that is a span of its
article's body stores the span's `end` instead of its text; 9, the term table front-coded in sorted blocks
with a sparse index of their first keys (`termtable`, rule 6) instead of Whoosh's hash file, and posting
blocks of layout 7 (`positions`, rule 3; late-8 indexes had them too, and 8's earlier code fails on them).

`WHOOSH_PRIVATE` below names every private Whoosh 2.7.4 name the engine uses and where Whoosh defines it;
`tests/test_contract.py` checks that the list is complete and that Whoosh still has each name, so an
upgrade of Whoosh fails there, in one place. This module is imported by that test only.
"""

from __future__ import annotations

WHOOSH_PRIVATE: dict[str, str] = {
    # whoosh.codec.whoosh3: the W3 postings writer, leaf matcher, field writer and term info
    "_blockcount": "whoosh.codec.whoosh3",
    "_blocklength": "whoosh.codec.whoosh3",
    "_blocklimit": "whoosh.codec.whoosh3",
    "_byteids": "whoosh.codec.whoosh3",
    "_compression": "whoosh.codec.whoosh3",
    "_data": "whoosh.codec.whoosh3",
    "_fieldid": "whoosh.codec.whoosh3",
    "_goto": "whoosh.codec.whoosh3",
    "_inlined": "whoosh.codec.whoosh3",
    "_inlinelimit": "whoosh.codec.whoosh3",
    "_lastblock": "whoosh.codec.whoosh3",
    "_lenfield": "whoosh.codec.whoosh3",
    "_maxlength": "whoosh.codec.whoosh3",
    "_maxweight": "whoosh.codec.whoosh3",
    "_mini_ids": "whoosh.codec.whoosh3",
    "_mini_values": "whoosh.codec.whoosh3",
    "_mini_weights": "whoosh.codec.whoosh3",
    "_minlength": "whoosh.codec.whoosh3",
    "_new_block": "whoosh.codec.whoosh3",
    "_nextoffset": "whoosh.codec.whoosh3",
    "_postfile": "whoosh.codec.whoosh3",
    "_postwriter": "whoosh.codec.whoosh3",
    "_read_data": "whoosh.codec.whoosh3",
    "_read_ids": "whoosh.codec.whoosh3",
    "_read_values": "whoosh.codec.whoosh3",
    "_read_weights": "whoosh.codec.whoosh3",
    "_struct": "whoosh.codec.whoosh3",
    "_terminfo": "whoosh.codec.whoosh3",
    "_tindex": "whoosh.codec.whoosh3",
    "_stored": "whoosh.codec.whoosh3",  # the name of the stored-fields column
    "_write_block": "whoosh.codec.whoosh3",
    "_codec": "whoosh.codec.whoosh3",
    # ... and its field writer and terms reader, made around a front-coded term table (`termfields`), and the
    # statistics of a term info
    "_btext": "whoosh.codec.whoosh3",
    "_create_file": "whoosh.codec.whoosh3",
    "_fieldmap": "whoosh.codec.whoosh3",
    "_fieldname": "whoosh.codec.whoosh3",
    "_fieldobj": "whoosh.codec.whoosh3",
    "_fieldunmap": "whoosh.codec.whoosh3",
    "_infield": "whoosh.codec.whoosh3",
    "_segment": "whoosh.codec.whoosh3",
    "_storage": "whoosh.codec.whoosh3",
    "_keycoder": "whoosh.codec.whoosh3",
    "_keydecoder": "whoosh.codec.whoosh3",
    "_weight": "whoosh.codec.whoosh3",
    "_df": "whoosh.codec.whoosh3",
    "_minid": "whoosh.codec.whoosh3",
    "_maxid": "whoosh.codec.whoosh3",
    # ... and its per-document writer and reader: the stored fields' column (`codec.StoredColumn`)
    "_create_column": "whoosh.codec.whoosh3",
    "_cached_reader": "whoosh.codec.whoosh3",
    # ... filled directly as its `add_field` fills it (`pool._add_document`), its length columns a batch at a
    # time (`lengths.write_length_codes`)
    "_storedfields": "whoosh.codec.whoosh3",
    "_fieldlengths": "whoosh.codec.whoosh3",
    "_has_column": "whoosh.codec.whoosh3",
    "_get_column": "whoosh.codec.whoosh3",
    # whoosh.matching: a list matcher's postings (inlined terms), a filter matcher's deleted set
    "_ids": "whoosh.matching.mcore",
    "_weights": "whoosh.matching.mcore",
    "_values": "whoosh.matching.mcore",
    "_format": "whoosh.matching.mcore",
    "_exclude": "whoosh.matching.wrappers",
    "_find_next": "whoosh.matching.binary",  # patched: AndNotMatcher past the end of its positive side
    "_find_first": "whoosh.matching.binary",  # patched: AndNotMatcher's first hit an excluded document
    # whoosh.columns: a fixed-width column reader's file, offset and counts
    "_fixedlen": "whoosh.columns",
    "_dbfile": "whoosh.columns",
    "_basepos": "whoosh.columns",
    "_count": "whoosh.columns",
    "_doccount": "whoosh.columns",
    # whoosh.reading: a segment reader's term table and per-document reader
    "_terms": "whoosh.reading",
    "_perdoc": "whoosh.reading",
    # whoosh.writing: the segment writer's steps, used to commit segments written by other processes
    "_added": "whoosh.writing",
    "_close_segment": "whoosh.writing",
    "_finalize_segment": "whoosh.writing",
    "_finish": "whoosh.writing",
    "_flush_segment": "whoosh.writing",
    "_merge_segments": "whoosh.writing",
    "_stored_": "whoosh.writing",  # add_document's `_stored_<field>` argument: the stored form of a field
    "_tempstorage": "whoosh.writing",  # a writer's scratch folder, removed when a run is cancelled
    # whoosh.index: a file index's table of contents, read (`index.CheckedIndex` checks its segments)
    "_read_toc": "whoosh.index",
    "_latest_generation": "whoosh.index",  # a rebuild's TOC follows the old index's last generation
    "_filename": "whoosh.index",  # a TOC's file name, removed again when the other index's cannot be written
    # whoosh.filedb.filestore: a file storage's path of a file name (`index.PrivateStorage`)
    "_fpath": "whoosh.filedb.filestore",
    # module-level names
    "_INT_SIZE": "whoosh.system",
}
