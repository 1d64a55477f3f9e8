"""Stems for search in Kazakh, Russian and English (DESIGN §6).

Stems are an index form, compared and never shown: they are always built from ``kazakh.fold`` so a
word typed in any script or keyboard gives the same stem. Russian and English go through the
Snowball stemmers; Kazakh through the small suffix stripper below.

Kazakh is agglutinative and its noun endings come in a fixed order::

    root + derivation (-лық) + plural (-лар) + possessive (-ы, -сы) + case (-ның, -ға, -да…)

so the stripper removes at most one ending per slot, right to left: case, possessive, plural,
derivation. Stripping slots instead of repeating "longest ending first" keeps roots that merely
end like a suffix («ауысым» is not «ауыс» + 1st person «-ым»). An ending is only removed when the
letter before it allows it (Kazakh endings assimilate: -та/-тың/-тар follow voiceless consonants,
-да/-дың/-дар voiced ones, -ның/-ны/-нан vowels and nasals, -сы a vowel, -ы a consonant), when
at least ``MIN_STEM`` letters with a vowel remain (``MIN_STEM_BEFORE_S_N`` before an ending in с or
н), and «-на», «-нда» only after a possessive («баласында»). 1st and 2nd person singular
possessives (-ым, -ың), the bare dative -а/-е and the accusative -н after a possessive are not
stripped: they are rare in public texts and would eat roots («ауысым», «бала», «орын», «мүмкін»).
A few frequent roots that end like an ending (``_PROTECTED_ROOTS``: «аудан», «Қазақстан»…) are
never cut. Derivation: only the abstract-noun ending -лық/-лік/-дық/-дік/-тық/-тік, which links
«мемлекеттік» to «мемлекет» and «экономикалық» to «экономика», and only from a root of three
letters («балық» stays); endings that change the meaning («-сыз» without, «-шы» agent) stay.

The stem is then made canonical so that forms of one word meet:

* the final consonant alternation is undone: г → к, б → п («жұмыссыздығы» → «жумыссыздык»,
  «мектебі» → «мектеп»; ғ/қ are already г/к after folding);
* a final с or н after a vowel is dropped, because «кеңесі» is ambiguous between «кеңес» + і and
  «кене» + сі, and «ауданы» between «аудан» + ы and «ауда» + ны — both readings then agree;
* then a final ы/і after a consonant is dropped, for the same reason one step further: «тұрғыны»
  is «тұрғын» + ы or «тұрғы» + ны, «орында» is «орын» + да or «оры» + н + да;
* ь and ъ are dropped (Latin never writes them: «asfalt» meets «асфальт»).

Known limits: verbs are not analysed; roots ending in an ending-like string after the right
letter lose it («тақта» → «так»), consistently for all their forms but possibly colliding.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Protocol

import snowballstemmer

from . import kazakh

LANGUAGES = ("kk", "ru", "en")
# Letters a stem keeps: two, so «үй» (house) keeps its forms together; three before endings in с/н,
# the letters the canonical form drops («тасы» is «тас» + ы, not «та» + сы).
MIN_STEM = 2
MIN_STEM_BEFORE_S_N = 3
# -лық is only cut from a real root: «балық» (fish) and «халық» (people) stay whole.
MIN_STEM_BEFORE_DERIVATION = 3

_VOWELS = frozenset("аеиоуы")  # folded: и also stands for й and і
_VOICELESS = frozenset("пкстшфхчцщ")
_NASALS = frozenset("мн")

# Case endings, folded. Marked ones only follow a 3rd person possessive («баласы-на»).
_CASE = (
    # locative-attributive (-дағы/-дегі)
    "ндагы",
    "ндеги",
    "дагы",
    "деги",
    "тагы",
    "теги",
    # genitive
    "нын",
    "нин",
    "дын",
    "дин",
    "тын",
    "тин",
    # ablative
    "нан",
    "нен",
    "дан",
    "ден",
    "тан",
    "тен",
    # instrumental
    "мен",
    "бен",
    "пен",
    # locative
    "нда",
    "нде",
    "да",
    "де",
    "та",
    "те",
    # dative
    "га",
    "ге",
    "ка",
    "ке",
    "на",
    "не",
    # accusative
    "ны",
    "ни",
    "ды",
    "ди",
    "ты",
    "ти",
)
_AFTER_POSSESSIVE = frozenset({"ндагы", "ндеги", "нда", "нде", "на", "не"})
_POSSESSIVE = ("ымыз", "имиз", "ыныз", "иниз", "мыз", "миз", "ныз", "низ", "сы", "си", "ы", "и")
_PLURAL = ("лар", "лер", "дар", "дер", "тар", "тер")
_DERIVATION = ("лык", "лик", "дык", "дик", "тык", "тик")

# Frequent roots that end like an ending, mostly place names: never cut below them.
_PROTECTED_ROOTS = (
    "аудан",
    "кызылорда",
    "оскемен",
    "казакстан",
    "казахстан",
    "туркистан",
    "кыргызстан",
    "озбекстан",
    "тажикстан",
    "туркменстан",
    "ауганстан",
    "пакистан",
)


def _allowed(remainder: str, ending: str) -> bool:
    """Whether ``ending`` may follow ``remainder`` (Kazakh sound assimilation, folded letters)."""
    last = remainder[-1]
    first = ending[0]
    if ending in _AFTER_POSSESSIVE:
        return last in "ыи"
    if ending in ("сы", "си"):
        return last in "аеоыи"
    if first in "ыи":  # -ы/-і, -ымыз/-іміз, -ыңыз/-іңіз follow consonants
        return last not in _VOWELS or last in "уи"  # у and и (й) take -ы/-і: «жылуы», «үйі»
    if first in "ткп":
        return last in _VOICELESS
    if first == "л":
        return last in _VOWELS or last == "р"
    if first == "н" and ending not in _POSSESSIVE:
        return last in _VOWELS or last in _NASALS
    return last not in _VOICELESS


def _strip(word: str, endings: tuple[str, ...], minimum: int) -> str:
    for ending in endings:
        if word.endswith(ending):
            remainder = word[: -len(ending)]
            if (
                len(remainder) >= max(minimum, MIN_STEM_BEFORE_S_N if ending[0] in "сн" else 0)
                and _VOWELS.intersection(remainder)
                and _allowed(remainder, ending)
            ):
                return remainder
    return word


def _undo_alternation(stem: str) -> str:
    if stem[-1:] == "г":
        return stem[:-1] + "к"
    if stem[-1:] == "б":
        return stem[:-1] + "п"
    return stem


def kazakh_stem(word: str) -> str:
    """Stem of one folded Kazakh word (see the module docstring)."""
    minimum = MIN_STEM
    for root in _PROTECTED_ROOTS:
        if word.startswith(root):
            minimum = len(root)
            break
    stem = _strip(word, _CASE, minimum)
    stem = _strip(stem, _POSSESSIVE, minimum)
    stem = _strip(stem, _PLURAL, minimum)
    stem = _undo_alternation(stem)
    stem = _strip(stem, _DERIVATION, max(minimum, MIN_STEM_BEFORE_DERIVATION))
    if len(stem) > max(MIN_STEM_BEFORE_S_N, minimum) and stem[-1] in "сн" and stem[-2] in _VOWELS:
        stem = stem[:-1]
    if len(stem) > max(MIN_STEM, minimum) and stem[-1] in "ыи" and stem[-2] not in _VOWELS:
        stem = stem[:-1]
    return _undo_alternation(stem).replace("ь", "").replace("ъ", "")


# Folding wrote я/ю as иа/иу and й as и; the Russian stemmer needs them back to see its endings.
_RE_RUSSIAN_YA = re.compile(r"и[ау]")
_RE_RUSSIAN_FINAL_Y = re.compile(r"(?<=[аеиоуыэюя])и$")
_local = threading.local()


class _Stemmer(Protocol):
    def stemWord(self, word: str) -> str: ...


def _snowball(language: str) -> _Stemmer:
    """One Snowball stemmer per thread: they keep state while stemming."""
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(language)
    return stemmers[language]


@lru_cache(maxsize=100_000)
def _stem_folded(word: str, language: str) -> str:
    if not any(char.isalpha() for char in word):
        return word
    if language == "kk":
        return kazakh_stem(word)
    if language == "ru":
        russian = _RE_RUSSIAN_YA.sub(lambda match: "я" if match.group() == "иа" else "ю", word)
        russian = _RE_RUSSIAN_FINAL_Y.sub("й", russian)
        stem = _snowball("russian").stemWord(russian)
        return kazakh.fold_letters(stem).replace("ь", "").replace("ъ", "")
    return _snowball("english").stemWord(word)


def stem(word: str, language: str) -> str:
    """Stem of ``word`` in ``language`` ("kk", "ru" or "en"), in folded form.

    A Latin word stemmed as Kazakh is read as Kazakh Latin. Text that folds to several words
    («іс-шара») gives their stems separated by spaces.
    """
    if language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}; expected one of {LANGUAGES}.")
    if language == "kk":
        word = kazakh.latin_to_cyrillic(word)
    words = kazakh.script_words(word) if language != "en" else _english_words(word)
    return " ".join(_stem_folded(kazakh.fold_letters(item), language) for item in words)


def _english_words(text: str) -> list[str]:
    return [item.replace("'", "") for item in re.findall(r"[^\W_]+(?:'[^\W_]+)*", text.casefold())]


_RE_LATIN = re.compile(r"[a-z]")
_RE_CYRILLIC = re.compile(r"[а-яё]")
_RE_KAZAKH_LETTER = re.compile(r"[әғқңөұүһі]")
_RE_RUSSIAN_ONLY = re.compile(
    r"[щъёэ]|(?:ого|его|ому|ему|ый|ий|ая|яя|ое|ее|ые|ых|их|ую|юю|ция|ции|цию|цией|ние|ния|нию|нием|ость"
    r"|ости|ться|тся|ешь|ишь|ают|яют|ует|ют|ят|ами|ями|ов|ев|ом)$"
)
# On folded words. Russian spelling never writes ы after к, г, х, ж, ш, ч, щ nor starts a word with it.
_RE_KAZAKH_SUFFIX = re.compile(
    r"[кгхжшчщ]ы|^ы|уы"
    r"|(?:лар|лер)(?:д[аеыи]н?|т[аеыи]н?|[гк][аеи]|[ыи]|мен|дан|ден)?$"
    r"|(?:дар|дер|тар|тер)(?:д[аеыи]н?|т[аеыи]н?|[гк][аеи]|[ыи]|мен|дан|ден)$"
    r"|[днт]ын$|(?:дагы|тагы|деги|ндеги)$|(?:лык|дык|тык)$|(?:лыгы|дыгы|тыгы)$|сыз$|(?:ымыз|ыныз)$"
)


def guess_language(word: str) -> str | None:
    """Guess "kk", "ru" or "en" for one case-folded, unfolded word (see ``kazakh.script_words``).

    None when a Cyrillic word could be either Kazakh or Russian, or has no letters.
    """
    if _RE_LATIN.search(word):
        return "en"
    if _RE_KAZAKH_LETTER.search(word):
        return "kk"
    if not _RE_CYRILLIC.search(word):
        return None
    if _RE_RUSSIAN_ONLY.search(word):
        return "ru"
    if _RE_KAZAKH_SUFFIX.search(kazakh.fold_letters(word)):
        return "kk"
    return None


def stems(text: str, language: str | None = None) -> list[str]:
    """Stems of the words of ``text`` in order, each in folded form.

    With no ``language``, each word's language is guessed (``guess_language``); a Cyrillic word
    that could be either takes the language most of the text's recognisable Cyrillic words have,
    and Russian when there are none. Words without letters (numbers) are kept as they are.
    """
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}; expected one of {LANGUAGES}.")
    if language == "kk":
        text = kazakh.latin_to_cyrillic(text)
    words = kazakh.script_words(text)
    if language is not None:
        languages = [language] * len(words)
    else:
        guesses = [guess_language(word) for word in words]
        kazakh_count = guesses.count("kk")
        default = "kk" if kazakh_count and kazakh_count >= guesses.count("ru") else "ru"
        languages = [guess or default for guess in guesses]
    return [
        _stem_folded(kazakh.fold_letters(word), lang) for word, lang in zip(words, languages, strict=True)
    ]
