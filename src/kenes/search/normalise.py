"""Text normalisation shared by every search engine of Kenes (DESIGN §6).

One form for comparing text, whatever the script: Kazakh written in any Latin alphabet (2017, 2018,
2021 or informal) is converted to Cyrillic, case and letter variants are folded (see
``kazakh.FOLD_TABLE``), punctuation and spacing collapse. Stored search columns are computed with it,
so a change of the folding needs a data migration that recomputes them.
"""

from functools import lru_cache

from .kazakh import fold

_SHORT = 300


@lru_cache(maxsize=50_000)
def _fold_short(text: str) -> str:
    return fold(text)


def normalise(text: str) -> str:
    """Fold ``text`` to the form search compares.

    Short texts (names of councils, regions, bodies) recur on every search, so their folded form is
    memoised; the mapping is a pure function, so every process computes the same.
    """
    text = text or ""
    return _fold_short(text) if len(text) <= _SHORT else fold(text)


def terms(text: str) -> list[str]:
    return normalise(text).split()
