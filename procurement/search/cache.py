"""A per-process cache of search results that is never older than the index.

The search page is public and read far more often than the index changes; the same searches
(the page without words, a category, a popular word) come again and again. A result is cached
under the index's current token (``search_index_state``), which every change of the index
replaces with a new random one — in the same transaction, by the index code or by the database
triggers that take unpublished entries out. A request therefore reads the token (one tiny
query) and either finds the result of exactly this index state or computes it.

Size: ``SEARCH_CACHE_SIZE`` results per worker process (default 256; 0 switches the cache off).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Optional

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.extensions import db
from procurement.search import engine
from procurement.search.models import SearchIndexState

DEFAULT_SIZE = 256

_lock = threading.Lock()
_results: OrderedDict[tuple[Any, ...], engine.SearchResult] = OrderedDict()


def cached_search(query: engine.SearchQuery, session: Optional[Session] = None) -> engine.SearchResult:
    """``engine.search(query)``, from the cache if the index has not changed since."""
    session = session or db.session
    size = int(current_app.config.get("SEARCH_CACHE_SIZE", DEFAULT_SIZE))
    if size <= 0:
        return engine.search(query, session)
    token = (
        session.connection().execute(select(SearchIndexState.token).where(SearchIndexState.id == 1)).scalar()
    )
    if token is None:
        return engine.search(query, session)
    key = (str(session.get_bind().url), token, query)
    with _lock:
        result = _results.get(key)
        if result is not None:
            _results.move_to_end(key)
            return result
    result = engine.search(query, session)
    with _lock:
        _results[key] = result
        while len(_results) > size:
            _results.popitem(last=False)
    return result


def clear() -> None:
    with _lock:
        _results.clear()
