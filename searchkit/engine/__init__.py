"""The search engine behind searchkit: the only package that imports Whoosh.

`schema` (fields and analyzers) · `documents` (articles to posting items) · `writing` (the write path) ·
`index` (opening and reading indexes) · `query` (queries, filters, running them) · `ranking` (BM25F).
"""

import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning, module="whoosh")
warnings.filterwarnings("ignore", category=SyntaxWarning, module="whoosh")
