"""Text normalisation shared by every search engine of Kenes.

This is the first layer: case folding, letter variants and spacing. Script normalisation of Kazakh
Latin alphabets and morphology build on it (DESIGN §6).
"""

import re
import unicodedata

_LETTER_VARIANTS = str.maketrans({"ё": "е", "й": "и", "\u02bc": "'", "\u2019": "'", "`": "'"})
_NON_WORD = re.compile(r"[^\w']+", re.UNICODE)


def normalise(text: str) -> str:
    """Fold ``text`` to the form search compares: lower case, one spelling per letter, single spaces."""
    text = unicodedata.normalize("NFC", text or "").casefold().translate(_LETTER_VARIANTS)
    return " ".join(_NON_WORD.sub(" ", text).split())


def terms(text: str) -> list[str]:
    return normalise(text).split()
