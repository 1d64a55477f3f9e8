"""Domain apps register what the site search box looks through; search imports no domain app."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .normalise import normalise


@dataclass(frozen=True)
class Hit:
    kind: str
    title: str
    url: str = ""
    detail: str = ""


Provider = Callable[[list[str]], Iterable[Hit]]
_providers: list[tuple[int, Provider]] = []


def register(provider: Provider, *, order: int = 100) -> Provider:
    """Add a provider: called with the normalised query terms, it yields ``Hit``s."""
    if all(existing is not provider for _order, existing in _providers):
        _providers.append((order, provider))
        _providers.sort(key=lambda item: item[0])
    return provider


def providers() -> list[Provider]:
    return [provider for _order, provider in _providers]


def matches(query_terms: list[str], *texts: str) -> bool:
    """Every query term occurs in one of ``texts`` after normalisation."""
    haystack = " ".join(normalise(text) for text in texts if text)
    return all(term in haystack for term in query_terms)
