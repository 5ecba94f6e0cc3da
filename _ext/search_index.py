"""Keep the search index of an incremental build equal to a clean build's.

On an incremental build Sphinx loads the last search index and prunes the pages
it will index again from every word; a word that only those pages had is kept
with no page at all. The index then differs from a clean build's (it lists words
no page has any longer). After pruning, this drops the words left with no page.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sphinx.application import Sphinx
from sphinx.search import IndexBuilder

__version__ = "1.0.0"

_ORIGINAL_PRUNE = IndexBuilder.prune


def _prune_and_drop_empty(self: IndexBuilder, docnames: Iterable[str]) -> None:
    _ORIGINAL_PRUNE(self, docnames)
    for mapping in (self._mapping, self._title_mapping):
        for word in [w for w, docs in mapping.items() if not docs]:
            del mapping[word]


def setup(app: Sphinx) -> dict[str, Any]:
    if IndexBuilder.prune is _ORIGINAL_PRUNE:
        IndexBuilder.prune = _prune_and_drop_empty  # type: ignore[method-assign]
    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
