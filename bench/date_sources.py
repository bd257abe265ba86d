"""Where articles' dates come from, and whether any came from anywhere but metadata (#14).

    nice -n 10 python bench/date_sources.py FOLDER [--limit N]

Reads every file under FOLDER as `searchkit index` would (no index is written) and prints the
distribution of `date_source` and the count of dated articles whose date is not backed by metadata.
The check is independent of the reader's own rules: a wire-copy header line (`-- Fri Oct 20, 2006
6:15pm EDT`, the Reuters archive's form) is parsed with `strptime`; for other files, the date must be
the one a `Publication:`/front-matter/JSON field, a date-only line among the file's first lines or a
dateline opening the body states.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

from searchkit.dates import date_line, dateline
from searchkit.errors import UnreadableFile
from searchkit.reading import discover, read_articles

_WIRE_HEADER = re.compile(r"-- (\w{3} \w{3} \d{1,2}, \d{4} \d{1,2}:\d{2}[ap]m) [A-Z]{2,5}\s*")


def wire_header_date(raw: list[str]) -> datetime | None:
    """The date of a Reuters-style `-- Fri Oct 20, 2006 6:15pm EDT` line among the first lines, by strptime."""
    for line in raw[:6]:
        match = _WIRE_HEADER.fullmatch(line)
        if match:
            return datetime.strptime(match[1], "%a %b %d, %Y %I:%M%p")
    return None


def backed(date: datetime, source: str | None, raw: list[str], body: str) -> bool:
    """Whether `date` is what the metadata `source` names in the raw file."""
    if source is None:
        return False
    if source == "header":
        wire = wire_header_date(raw)
        if wire is not None:
            return wire == date
        return any(date_line(line.strip(" -*_#>")) == date for line in raw[:12] if line.strip())
    if source == "dateline":
        return dateline(body.split("\n", 1)[0]) == date
    return True  # publication / front-matter / json: a named field, read by the format's parser


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="read only the first N files (0: all)")
    parser.add_argument("--show", type=int, default=5, help="examples of each problem to print")
    args = parser.parse_args()
    files = discover([args.folder]).files
    if args.limit:
        files = files[: args.limit]
    sources: Counter[str] = Counter()
    unbacked: list[str] = []
    missed: list[str] = []
    articles = failed = 0
    for source in files:
        try:
            found = read_articles(source.path, source.rel)
        except UnreadableFile:
            failed += 1
            continue
        raw = source.path.read_text(encoding="utf-8", errors="replace").split("\n")
        for article in found:
            articles += 1
            sources[article.date_source or "undated"] += 1
            if article.date is not None and not backed(article.date, article.date_source, raw, article.body):
                unbacked.append(f"{source.rel}: {article.date} ({article.date_source})")
            if article.date is None and wire_header_date(raw) is not None:
                missed.append(source.rel)
    print(f"files {len(files)}  unreadable {failed}  articles {articles}")
    for name, count in sources.most_common():
        print(f"  date_source {name:<13} {count:>7}  ({100 * count / max(articles, 1):.2f}%)")
    print(f"dated articles whose date is not backed by metadata: {len(unbacked)}")
    for line in unbacked[: args.show]:
        print(f"  {line}")
    print(f"undated articles with a wire header date: {len(missed)}")
    for line in missed[: args.show]:
        print(f"  {line}")
    return 1 if unbacked else 0


if __name__ == "__main__":
    sys.exit(main())
