"""Text normalisation shared by every search engine of Kenes (DESIGN §6).

One form for comparing text, whatever the script: Kazakh written in any Latin alphabet (2017, 2018,
2021 or informal) is converted to Cyrillic, case and letter variants are folded (see
``kazakh.FOLD_TABLE``), punctuation and spacing collapse. Stored search columns are computed with it,
so a change of the folding needs a data migration that recomputes them.
"""

from .kazakh import fold


def normalise(text: str) -> str:
    """Fold ``text`` to the form search compares."""
    return fold(text or "")


def terms(text: str) -> list[str]:
    return normalise(text).split()
