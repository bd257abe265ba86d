"""Precision and recall of wire-copy grouping on the judged pairs in `labels.tsv`.

    python bench/copies/evaluate.py --index INDEX_OF_THE_REUTERS_ARCHIVE

A pair is a true copy when judged `exact`, `resend` or `update`; `different` pairs must not group. Reports
the grouping (same group in the index's copies table, which is transitive) and the pair rule alone
(`copies_update.are_copies`), overall and per judged kind. The sample is stratified by estimated similarity (see
README.md), so these are figures on the sample, not on the archive's population of pairs.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from pathlib import Path

from searchkit.copies import CopyStore
from searchkit.copies_update import are_copies

HERE = Path(__file__).resolve().parent
POSITIVE = {"exact", "resend", "update"}


def scores(pairs: list[tuple[str, bool]]) -> str:
    """`precision  recall  (tp/fp/fn)` of predictions against labels."""
    tp = sum(1 for label, said in pairs if said and label in POSITIVE)
    fp = sum(1 for label, said in pairs if said and label not in POSITIVE)
    fn = sum(1 for label, said in pairs if not said and label in POSITIVE)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return f"precision {precision:.3f}  recall {recall:.3f}  (tp {tp}, fp {fp}, fn {fn})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="index of the Reuters archive")
    parser.add_argument("--labels", type=Path, default=HERE / "labels.tsv")
    args = parser.parse_args()
    rows = list(csv.DictReader(args.labels.open(encoding="utf-8"), delimiter="\t"))
    grouped, ruled = [], []
    by_kind: dict[str, Counter[bool]] = {}
    with CopyStore(args.index) as store:
        for row in rows:
            a, b = store.entry(row["a"]), store.entry(row["b"])
            if a is None or b is None:
                raise SystemExit(f"pair {row['n']}: {row['a']} or {row['b']} is not in the index")
            ga, gb = store.group_of(a.id), store.group_of(b.id)
            same = ga is not None and ga == gb
            grouped.append((row["label"], same))
            ruled.append((row["label"], are_copies(a, b)))
            by_kind.setdefault(row["label"], Counter())[same] += 1
    print(f"{len(rows)} judged pairs: " + ", ".join(f"{k} {sum(c.values())}" for k, c in sorted(by_kind.items())))
    print(f"grouping   {scores(grouped)}")
    print(f"pair rule  {scores(ruled)}")
    for kind, counts in sorted(by_kind.items()):
        print(f"  {kind:9} grouped {counts[True]} of {sum(counts.values())}")


if __name__ == "__main__":
    main()
