"""Reading one planned file into articles, and keeping every file's outcome compactly until the commit.

`read` runs in the engine's worker processes (`engine.api.Workers`): it reads, hashes, parses and
attributes one file and returns its articles with a small `Report`; the run collects the reports in
`Outcomes`.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from searchkit import budget, minhash, reading
from searchkit.copies import StagedRow
from searchkit.errors import SearchkitError
from searchkit.indexer_plan import Task
from searchkit.limits import Limits
from searchkit.manifest import FileState
from searchkit.models import Article

DIGEST_BYTES = 16  # content hash size (blake2b)
INDEXED, UNCHANGED, FAILED = 1, 2, 3  # a report's status (0: no report yet)
DEFAULT_LIMITS = Limits()
Report = tuple[int, bytes, int, str | None, tuple[str, ...], tuple[StagedRow, ...], tuple["NameRow", ...]]
"""status, raw digest, articles, failure, warnings, each article's wire-copy signature (`copies`) and each
article's speakers with the day (`speakers.store`)."""
NameRow = tuple[str, str | None, tuple[tuple[str, str | None], ...], tuple[str, ...]]
"""article id, ISO day, (speaker, role) pairs, names written as a company (`speakers.store`)"""


def digest(data: bytes) -> str:
    """Content hash used to tell a touched file from a changed one."""
    return hashlib.blake2b(data, digest_size=DIGEST_BYTES).hexdigest()


def attribute(article: Article) -> Article:
    """Add extracted speakers and quotes (speakers given by the record itself take precedence)."""
    from searchkit import speakers  # imported where used: its patterns take a while to compile

    found = speakers.extract(article.body, article.title)
    return replace(article, speakers=article.speakers or found.speakers, quotes=found.quotes,
                   companies=found.companies)


def _failed(reason: str) -> tuple[list[Article], Report]:
    return [], (FAILED, bytes(DIGEST_BYTES), 0, reason, (), (), ())


def read(task: Task, limits: Limits = DEFAULT_LIMITS) -> tuple[list[Article], Report]:
    """Read, hash, parse and attribute one file: its articles (none when unchanged or failed) and report.

    At most `limits.max_size` bytes are read (`reading.load`). Parsing the file, and extracting each
    article's speakers, may each take `limits.budget` seconds of CPU (`budget`): a file whose parsing
    runs over fails; an article whose speaker extraction runs over is indexed without speakers and
    quotes (title, date and body are what is cheap), with a warning naming the stage."""
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
    warnings = [*loaded, *(w for a in articles for w in a.warnings)]
    copies = tuple((a.id, a.date.isoformat() if a.date else None, minhash.signature(a.body)) for a in articles)
    attributed = [_attribute_within(a, limits.budget, warnings) for a in articles]
    names = tuple((a.id, a.date.date().isoformat() if a.date else None, tuple((s.name, s.role) for s in a.speakers),
                   a.companies) for a in attributed if a.speakers or a.companies)  # for speakers.store
    return attributed, (INDEXED, raw, len(articles), None, tuple(warnings), copies, names)


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
