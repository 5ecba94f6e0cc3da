"""Keep the search index of an incremental build equal to a clean build's.

On an incremental build Sphinx loads the last search index, prunes the pages it
will index again, and indexes them anew. Two things go wrong on the way:

* a word that only the pruned pages had is kept with no page at all, so the index
  lists words no page has any longer: after pruning, those words are dropped;
* the index entries (the glossary's terms, ``{index}`` entries) are not loaded
  back, so every page not written again loses them from the search: they are
  restored from the last index, pruned with the pages, and written in page order.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from sphinx.application import Sphinx
from sphinx.search import IndexBuilder

__version__ = "1.0.0"

_ORIGINAL_PRUNE = IndexBuilder.prune
_ORIGINAL_LOAD = IndexBuilder.load
_ORIGINAL_FREEZE = IndexBuilder.freeze


def _prune_and_drop_empty(self: IndexBuilder, docnames: Iterable[str]) -> None:
    keep = set(docnames)
    _ORIGINAL_PRUNE(self, keep)
    for mapping in (self._mapping, self._title_mapping):
        for word in [w for w, docs in mapping.items() if not docs]:
            del mapping[word]
    self._index_entries = {doc: entries for doc, entries in self._index_entries.items() if doc in keep}


def _load_with_index_entries(self: IndexBuilder, stream: Any, format: Any) -> None:
    data = stream.read()
    _ORIGINAL_LOAD(self, io.StringIO(data) if isinstance(data, str) else io.BytesIO(data), format)
    frozen = (self.formats[format] if isinstance(format, str) else format).loads(data)
    docnames = frozen["docnames"]
    entries: dict[str, list[tuple[str, str, str]]] = {}
    for entry, targets in frozen.get("indexentries", {}).items():
        for doc, target_id, main in targets:
            entries.setdefault(docnames[doc], []).append((entry, target_id, "main" if main else ""))
    self._index_entries = {doc: sorted(found) for doc, found in entries.items()}


def _freeze_in_page_order(self: IndexBuilder) -> dict[str, Any]:
    # pages indexed again come last in the dict; a clean build has them in page order
    self._index_entries = dict(sorted(self._index_entries.items()))
    return _ORIGINAL_FREEZE(self)


def setup(app: Sphinx) -> dict[str, Any]:
    if IndexBuilder.prune is _ORIGINAL_PRUNE:
        IndexBuilder.prune = _prune_and_drop_empty  # type: ignore[method-assign]
        IndexBuilder.load = _load_with_index_entries  # type: ignore[method-assign]
        IndexBuilder.freeze = _freeze_in_page_order  # type: ignore[method-assign]
    return {
        "version": __version__,
        "env_version": 2,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
