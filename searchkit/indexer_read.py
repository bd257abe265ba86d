"""Reading one planned file into articles, and keeping every file's outcome compactly until the commit.

`read` runs in the engine's worker processes (`engine.api.Workers`): it reads, hashes, parses and
attributes one file and returns its articles with a small `Report`; `sign` then computes the wire-copy
signatures of a batch of reports' articles at once (`minhash.signatures`: most files hold one article, and
signing them one by one took twice the CPU in a worker); the run collects the reports in `Outcomes`.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

from searchkit import budget, minhash, reading
from searchkit.copies_update import StagedRow
from searchkit.errors import SearchkitError
from searchkit.indexer_plan import Task
from searchkit.limits import Limits
from searchkit.manifest import FileState
from searchkit.models import Article

DIGEST_BYTES = 16  # content hash size (blake2b)
INDEXED, UNCHANGED, FAILED = 1, 2, 3  # a report's status (0: no report yet)
DEFAULT_LIMITS = Limits()
HELD_BODY_CHARS = 32_768
"""A file whose articles' bodies total more is signed as it is read, not held for `sign`'s batch: the batch
of reports a worker holds then keeps ~2 M characters of bodies at most, not 64 archives of up to 8 MB."""
Report = tuple[int, bytes, int, str | None, tuple[str, ...], tuple["StagedRow | Unsigned", ...], tuple["NameRow", ...]]
"""status, raw digest, articles, failure, warnings, each article's wire-copy signature (`copies`; `Unsigned`
until `sign`ed) and each article's speakers with the day (`speakers.store`)."""
NameRow = tuple[str, str | None, tuple[tuple[str, str | None], ...], tuple[str, ...]]
"""article id, ISO day, (speaker, role) pairs, names written as a company (`speakers.store`)"""


class Unsigned(NamedTuple):
    """An article's row for the copies table before `sign` replaces its body with its signature."""

    id: str
    date: str | None
    body: str


def sign(reports: list[Report]) -> list[Report]:
    """`reports` with their `Unsigned` rows signed, all in one `minhash.signatures` call (a JSON Lines
    archive's rows are signed as its records are read: its report is completed later)."""
    bodies = [row.body for report in reports for row in report[5] if isinstance(row, Unsigned)]
    if not bodies:
        return reports
    signed = iter(minhash.signatures(bodies))
    return [report if not any(isinstance(row, Unsigned) for row in report[5]) else
            (*report[:5], _filled(report[5], signed), report[6])  # type: ignore[misc]
            for report in reports]


def _filled(rows: Iterable[StagedRow | Unsigned], signatures: Iterator[bytes | None]) -> tuple[StagedRow, ...]:
    """`rows` with each `Unsigned` one's body replaced by the next of `signatures`."""
    return tuple((row.id, row.date, next(signatures)) if isinstance(row, Unsigned) else row for row in rows)


def digest(data: bytes) -> str:
    """Content hash used to tell a touched file from a changed one."""
    return hashlib.blake2b(data, digest_size=DIGEST_BYTES).hexdigest()


def attribute(article: Article) -> Article:
    """Add extracted speakers and quotes (speakers given by the record itself take precedence)."""
    from searchkit import speakers  # imported where used: its patterns take a while to compile

    found = speakers.extract(article.body, article.title)
    return replace(article, speakers=article.speakers or found.speakers, quotes=found.quotes,
                   companies=found.companies)


def warm() -> None:
    """Compile the speaker patterns and load the parsers now (`attribute` and `reading.read_articles` import
    them where used): a worker does it while the indexing process is still listing files
    (`engine.api.Workers.warm`)."""
    from searchkit.reading import formats  # noqa: F401
    from searchkit.speakers import attribution  # noqa: F401


def _failed(reason: str) -> tuple[list[Article], Report]:
    return [], (FAILED, bytes(DIGEST_BYTES), 0, reason, (), (), ())


def read(task: Task, limits: Limits = DEFAULT_LIMITS) -> tuple[Iterable[Article], Report]:
    """Read, hash, parse and attribute one file: its articles (none when unchanged or failed) and report.

    At most `limits.max_size` bytes are read (`reading.load`), except from JSON Lines, which are read one
    record at a time (`reading.JsonLines`): their articles come as an iterator, and the report (a list)
    is complete once it has been consumed. Parsing a file, and extracting each article's speakers, may
    each take `limits.budget` seconds of CPU (`budget`): a file whose parsing runs over fails; an article
    whose speaker extraction runs over is indexed without speakers and quotes (title, date and body are
    what is cheap), with a warning naming the stage. The report's articles are `Unsigned` until `sign`ed
    (a JSON Lines archive's are signed as they are read)."""
    if reading.streams(task.key):
        try:
            stream = reading.JsonLines.open(task.key, task.rel, limits.max_size)
        except SearchkitError as exc:
            return _failed(str(exc))
        if stream is not None:
            return _read_stream(task, stream, limits)
    path = Path(task.key)
    try:
        data, loaded = reading.load(task.key, limits.max_size)
    except SearchkitError as exc:
        return _failed(str(exc))
    raw = bytes.fromhex(digest(data))
    if raw.hex() == task.old_digest:
        return [], (UNCHANGED, raw, 0, None, (), (), ())
    try:
        articles = budget.run(limits.budget, "parsing", reading.read_articles, path, task.rel, data)
    except SearchkitError as exc:
        return _failed(str(exc))
    except Exception as exc:  # a parser bug must cost one file, not the run
        return _failed(f"unexpected error: {type(exc).__name__}: {exc}")
    extras = _Extras(limits.budget, signed=False)
    attributed = [extras.take(a) for a in articles]
    return attributed, extras.report(raw, loaded)


def _read_stream(task: Task, stream: reading.JsonLines, limits: Limits) -> tuple[Iterable[Article], Report]:
    """`read` for JSON Lines: hash the file, then give its articles lazily (see `_stream_articles`)."""
    hashed = hashlib.blake2b(digest_size=DIGEST_BYTES)
    try:
        for chunk in stream.chunks():
            hashed.update(chunk)
    except OSError as exc:
        stream.close()
        return _failed(f"cannot read file: {exc.strerror or exc}")
    raw = hashed.digest()
    if raw.hex() == task.old_digest:
        stream.close()
        return [], (UNCHANGED, raw, 0, None, (), (), ())
    report: list[Any] = [INDEXED, raw, 0, None, (), (), ()]
    return _stream_articles(stream, limits.budget, report), report  # type: ignore[return-value]


def _stream_articles(stream: reading.JsonLines, seconds: float | None, report: list[Any]) -> Iterator[Article]:
    """The stream's articles, attributed as they are taken; fills `report` in place when exhausted."""
    extras = _Extras(seconds, signed=True)
    problems: list[str] = []
    try:
        for article in stream:
            yield extras.take(article)
    except OSError as exc:
        problems.append(f"cannot read file: {exc.strerror or exc}")
    except Exception as exc:  # a parser bug must cost the rest of one file, not the run
        problems.append(f"unexpected error: {type(exc).__name__}: {exc}")
    finally:
        stream.close()
    if extras.count:
        report[:] = extras.report(report[1], [*stream.warnings, *stream.failures, *problems])
    else:
        report[:] = _failed(problems[0] if problems else str(stream.error()))[1]


def _attribute_within(article: Article, seconds: float | None, warnings: list[str]) -> Article:
    """`attribute(article)` within the budget; past it (or if the extractor fails), the article as parsed,
    and a warning."""
    where = f"record {article.ordinal + 1}: " if article.source_format in ("json", "jsonl") else ""
    try:
        return budget.run(seconds, "speaker extraction", attribute, article)
    except budget.OverBudget as exc:
        warnings.append(f"{where}indexed without speakers and quotes: {exc}")
    except Exception as exc:  # an extractor bug must cost one article its speakers, not the run
        warnings.append(f"{where}indexed without speakers and quotes: speaker extraction failed "
                        f"({type(exc).__name__}: {exc})")
    return article


class _Extras:
    """What `read` adds to each article as it passes (its wire-copy signature, now if `signed`, else an
    `Unsigned` row for `sign`; its speakers within the budget, the speakers' names for the archive's table),
    and the report that results."""

    def __init__(self, seconds: float | None, signed: bool) -> None:
        self.seconds = seconds
        self.signed = signed
        self.count = 0
        self.warnings: list[str] = []
        self.copies: list[StagedRow | Unsigned] = []
        self.names: list[NameRow] = []

    def take(self, article: Article) -> Article:
        self.count += 1
        self.warnings.extend(article.warnings)
        date = article.date.isoformat() if article.date else None
        self.copies.append((article.id, date, minhash.signature(article.body)) if self.signed else
                           Unsigned(article.id, date, article.body))
        attributed = _attribute_within(article, self.seconds, self.warnings)
        if attributed.speakers or attributed.companies:  # for the archive's speaker table (speakers.store)
            self.names.append((attributed.id, date[:10] if date else None,
                               tuple((s.name, s.role) for s in attributed.speakers), attributed.companies))
        return attributed

    def report(self, raw: bytes, file_warnings: Sequence[str]) -> Report:
        report: Report = (INDEXED, raw, self.count, None, (*file_warnings, *self.warnings), tuple(self.copies),
                          tuple(self.names))
        held = sum(len(row.body) for row in self.copies if isinstance(row, Unsigned))
        return sign([report])[0] if held > HELD_BODY_CHARS else report


class Outcomes:
    """The report of every planned task, kept compactly: a run over 10^5 files holds them all until its
    commit; here ~21 bytes a file (a status byte, the raw digest, a document count; failures and warnings
    in dicts) rather than ~400 as objects."""

    def __init__(self, tasks: Sequence[Task]) -> None:
        self.tasks = tasks
        self.status = bytearray(len(tasks))
        self.digests = bytearray(DIGEST_BYTES * len(tasks))
        self.docs = array("I", bytes(4 * len(tasks)))
        self.failures: dict[int, str] = {}
        self.warnings: dict[int, tuple[str, ...]] = {}
        self.count = 0

    def put(self, index: int, report: Report) -> None:
        """Record task `index`'s report."""
        status, raw, docs, failure, warnings, _copies, _names = report
        self.status[index] = status
        self.digests[DIGEST_BYTES * index:DIGEST_BYTES * (index + 1)] = raw
        self.docs[index] = docs
        if failure is not None:
            self.failures[index] = failure
        if warnings:
            self.warnings[index] = warnings
        self.count += 1

    def state(self, index: int) -> FileState:
        """The state to record for task `index` (which must not have failed)."""
        task = self.tasks[index]
        digest_hex = self.digests[DIGEST_BYTES * index:DIGEST_BYTES * (index + 1)].hex()
        return FileState(task.key, task.size, task.mtime_ns, digest_hex, self.docs[index])

    def states(self) -> Iterator[FileState]:
        """The states to record: every task that was read, indexed or found unchanged (made one at a time)."""
        return (self.state(i) for i, status in enumerate(self.status) if status in (INDEXED, UNCHANGED))
