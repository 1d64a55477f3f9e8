"""The site search box: asks every registered provider (see ``registry``)."""

from __future__ import annotations

from itertools import islice

from .normalise import terms
from .registry import Hit, providers

MAX_RESULTS = 50


def site_search(query: str, *, limit: int = MAX_RESULTS) -> list[Hit]:
    query_terms = terms(query)
    if not query_terms:
        return []
    hits = (hit for provider in providers() for hit in provider(query_terms))
    return list(islice(hits, limit))
