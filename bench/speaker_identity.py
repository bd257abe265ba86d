"""Check that two source trees of searchkit extract exactly the same speakers, roles, quotes and offsets.

    python bench/speaker_identity.py [OLD_SRC] [--corpus DIR]... [--polnear SPLIT_DIR]...

OLD_SRC is a directory holding a `searchkit` package (default: `git archive main searchkit`, unpacked to a
temporary directory); the new tree is this checkout. The texts: every file of each --corpus directory (read as
the indexer reads them; default: every 50th article of the bench's Reuters corpus, ~2,100, when the bench has
it in bench/.cache), each PolNeAR split's text/*.txt (title = first
line; default ../shared/speakers/polnear/{train,dev}), and the cases of tests/golden/speakers.txt. Each tree
runs in its own process and prints the repr of every `extract(body, title)` result; any difference is shown
and the exit status is 1.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DUMP = r"""
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from searchkit.reading import read_articles
from searchkit.speakers import extract

out = sys.stdout
for spec in sys.argv[2:]:
    kind, _, where = spec.partition(":")
    if kind == "corpus":
        for f in sorted(Path(where).iterdir()):
            for a in read_articles(f, f.name):
                out.write(f"{f.name}\t{extract(a.body, a.title)!r}\n")
    elif kind == "files":
        for line in Path(where).read_text(encoding="utf-8").splitlines():
            f = Path(line)
            for a in read_articles(f, f.name):
                out.write(f"{f.parent.name}/{f.name}\t{extract(a.body, a.title)!r}\n")
    elif kind == "polnear":
        for f in sorted((Path(where) / "text").glob("*.txt")):
            title, _, body = f.read_text(encoding="utf-8", errors="replace").partition("\n")
            out.write(f"{f.name}\t{extract(body, title)!r}\n")
    elif kind == "golden":
        for block in Path(where).read_text(encoding="utf-8").split("\n=== ")[1:]:
            head, _, text = block.partition("\n---\n")
            title, _, body = text.strip("\n").partition("\n\n")
            out.write(f"{head.split(chr(10))[0]}\t{extract(body, title)!r}\n")
"""


def dump(src: Path, specs: list[str]) -> list[str]:
    """The results of one source tree, one line per article."""
    run = subprocess.run([sys.executable, "-c", DUMP, str(src), *specs], capture_output=True, text=True,
                         check=False)
    if run.returncode:
        raise SystemExit(f"{src}: {run.stderr.strip()[-2000:]}")
    return run.stdout.splitlines()


def main(argv: list[str]) -> int:
    old: Path | None = None
    specs: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg in ("--corpus", "--polnear"):
            specs.append(f"{arg[2:]}:{next(args)}")
        else:
            old = Path(arg)
    with tempfile.TemporaryDirectory() as tmp:
        if not any(s.startswith("corpus:") for s in specs) and (sample := _reuters_sample(Path(tmp))):
            specs.append(f"files:{sample}")
        return _compare(old, specs, Path(tmp))


def _reuters_sample(tmp: Path, every: int = 50) -> Path | None:
    """A file listing every `every`-th article of the bench's Reuters corpus (None when the bench has none)."""
    cache = ROOT / "bench" / ".cache"
    listing = cache / "ReutersNews106521.files.txt"
    if not listing.is_file():
        return None
    paths = [str(cache / "ReutersNews106521" / rel) for rel in listing.read_text(encoding="utf-8").split()[::every]]
    sample = tmp / "reuters-sample.txt"
    sample.write_text("\n".join(paths), encoding="utf-8")
    return sample


def _compare(old: Path | None, specs: list[str], tmp: Path) -> int:
    if not any(s.startswith("polnear:") for s in specs):
        polnear = ROOT.parent / "shared" / "speakers" / "polnear"
        specs += [f"polnear:{polnear / s}" for s in ("train", "dev") if (polnear / s / "text").is_dir()]
    specs.append(f"golden:{ROOT / 'tests' / 'golden' / 'speakers.txt'}")
    if old is None:
        old = tmp / "main"
        archive = tmp / "main.tar"
        with archive.open("wb") as fh:
            subprocess.run(["git", "-C", str(ROOT), "archive", "main", "searchkit"], stdout=fh, check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(old, filter="data")
    before, after = dump(old, specs), dump(ROOT, specs)
    diffs = [(a, b) for a, b in zip(before, after, strict=False) if a != b]
    if len(before) != len(after):
        print(f"article counts differ: {len(before)} before, {len(after)} after")
    for a, b in diffs[:20]:
        print(f"- {a}\n+ {b}\n")
    print(f"{len(before)} articles ({', '.join(specs)}): {len(diffs)} differ")
    return 1 if diffs or len(before) != len(after) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
