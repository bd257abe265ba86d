#!/bin/sh
# The official scorer on the five collections, one after another (each indexes through the CLI).
for c in cran cisi med cacm npl; do
  printf '%s ' "$c"
  nice /work/.venv/bin/python /work/shared/eval/relevance.py /work/shared/ir/$c --searchkit --exe /work/.venv/bin/searchkit
done
