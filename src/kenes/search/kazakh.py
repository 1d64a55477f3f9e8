"""Script normalisation of Kazakh for search (DESIGN §6).

Kazakh reaches Kenes in Cyrillic and in four Latin spellings:

* the 2017 apostrophe alphabet: ``a'`` ә, ``g'`` ғ, ``n'`` ң, ``o'`` ө, ``u'`` ү, ``y'`` у, ``c'`` ч,
  ``s'`` ш, ``i'`` и/й, plain ``i`` і, ``u`` ұ, ``y`` ы («Qazaqstan Respy'blikasy», «s'ahar»);
* the 2018 acute alphabet: á ә, ǵ ғ, ń ң, ó ө, ú ү, ý у, ı и/й, ``sh`` ш, ``ch`` ч, ``i`` і,
  ``u`` ұ, ``y`` ы («Respýblıkalyq», «ýaqyt»);
* the 2021 alphabet: ä ә, ğ ғ, ñ ң, ö ө, ū ұ, ü ү, ş ш, ç ч, ı і, ``i`` и/й, ``u`` у, ``y`` ы
  («jūmyssyzdyq», «mäsele», «şaruaşylyq»);
* informal Latin typed on phones: ``sh`` ``ch`` ``zh`` ``kh`` ``gh`` digraphs, ``u`` for ұ/ү/у,
  ``i`` for і/и/й, ``y`` for ы (and й after a vowel), ``k`` or ``q`` for қ
  («jumyssyzdyk», «balalar mektepte ush auysymda okidy»).

``latin_to_cyrillic`` writes such text in Cyrillic, exactly where the spelling allows it.
``fold`` is the form search compares: it converts Latin Kazakh when ``detect_latin_kazakh`` says so
and then folds the letters that informal writing confuses, so every script meets in one spelling.

The fold table (``FOLD_TABLE``), applied after conversion to Cyrillic::

    ә → а   ғ → г   қ → к   ң → н   ө → о   ұ → у   ү → у   һ → х   і → и   й → и
    ё → е   э → е   я → иа  ю → иу

Why: people typing Kazakh on a Russian keyboard or in informal Latin write the Russian look-alike
(«кантар» for «қаңтар», «жумыссыздык», «kenes» for «кеңес»), and the Latin alphabets disagree on
the i-letters (2018 ``ı`` is и/й, 2021 ``ı`` is і). Folding every Kazakh-specific letter to its
look-alike makes all of these one string; Kazakh words that differ only in those letters collide
(«қол» hand and «көл» lake both fold to «кол»), which search tolerates better than missing a
spelling. я/ю become their Latin spellings (``ia``/``iu``, ``ıa``/``ıý``) so «ұялы» meets
«uıaly»; ё/э are rare and written е in every Latin spelling. ъ and ь are kept: Latin never writes
them, but Russian grammar (and so the Russian stemmer) needs them; the stemmer drops them from its
stems instead.

Collapses the Latin → Cyrillic conversion cannot avoid (all harmless after folding, which merges the
letters anyway): informal ``u`` is у (ұ/ү/у), informal ``i`` is і (і/и), informal ``k`` is к (к/қ),
informal ``g`` is г (г/ғ), informal ``n`` is н (н/ң), informal ``a``/``o`` are а/о (а/ә, о/ө),
``h`` is х (х/һ). Not recoverable even by folding: informal ``y`` before a consonant after а/о/е is
taken as й («aytu» айту, but a rare «аы» is lost); ``ng`` before a vowel stays «нг» («engizu»
енгізу) while ``ng`` before a consonant or at the end of a word is ң («qangtar», «joldyng»);
``sh`` is always ш («ashana» gives «ашана», not «асхана», as in the 2018 alphabet itself); ``uy``
at the start of a word is «үй».

Punctuation: words are separated by single spaces. Hyphens separate words («іс-шара» → «ис шара»),
which also makes hyphenated, spaced and joined compounds match; apostrophes are consumed by the
2017 alphabet and otherwise dropped inside a word («don't» → «dont»), so a word is never split
by one.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

# Latin letters that occur in any Kazakh Latin alphabet (lower case, after casefold).
_LATIN_EXTRA = "áäǵğńñóöúüūýışçəŋ"
_LATIN = "a-z" + _LATIN_EXTRA
_CYRILLIC = "а-яёәғқңөұүһі"
_CYRILLIC_VOWELS = "аәеиоөұүуыіэяюё"

# The form search compares (see the module docstring for the reasons).
FOLD_TABLE = {
    "ә": "а",
    "ғ": "г",
    "қ": "к",
    "ң": "н",
    "ө": "о",
    "ұ": "у",
    "ү": "у",
    "һ": "х",
    "і": "и",
    "й": "и",
    "ё": "е",
    "э": "е",
    "я": "иа",
    "ю": "иу",
}
_FOLD = str.maketrans(FOLD_TABLE)

_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc\u02bb\u0060\u00b4\u2032", "'"))
_COMBINING = re.compile(r"[\u0300-\u036f]")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")

# --- Latin → Cyrillic -------------------------------------------------------------------------

# Vowels before which ı/i/y are the glide й (the i-letters themselves excluded: «kiim» is киім).
_GLIDE_AFTER = "aeouyáäóöúüūýə" + "аәеоөұүуыэяю"
# ы after у is common (ауыл, ауысым), so y is й only after these.
_Y_GLIDE_AFTER = "aeoáäóöə" + "аәеоө"
_ALL_VOWELS = "aeiouyıáäóöúüūýə" + _CYRILLIC_VOWELS

_APOSTROPHE_2017 = {
    "a'": "ә",
    "g'": "ғ",
    "n'": "ң",
    "o'": "ө",
    "u'": "ү",
    "y'": "у",
    "c'": "ч",
    "s'": "ш",
}
_DIGRAPHS = {"shch": "щ", "sh": "ш", "ch": "ч", "zh": "ж", "kh": "х", "gh": "ғ"}

_LETTERS = {
    "a": "а",
    "b": "б",
    "c": "ц",
    "d": "д",
    "e": "е",
    "f": "ф",
    "g": "г",
    "h": "х",
    "j": "ж",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "q": "қ",
    "r": "р",
    "s": "с",
    "t": "т",
    "v": "в",
    "w": "у",
    "x": "кс",
    "y": "ы",
    "z": "з",
    "á": "ә",
    "ä": "ә",
    "ə": "ә",
    "ǵ": "ғ",
    "ğ": "ғ",
    "ń": "ң",
    "ñ": "ң",
    "ŋ": "ң",
    "ó": "ө",
    "ö": "ө",
    "ú": "ү",
    "ü": "ү",
    "ū": "ұ",
    "ý": "у",
    "ş": "ш",
    "ç": "ч",
}
# Plain u is ұ in the 2017 and 2018 alphabets, у in the 2021 alphabet and when typed informally.
_LETTERS_ULY = str.maketrans({**_LETTERS, "u": "ұ", "i": "і", "ı": "и"})
_LETTERS_2021 = str.maketrans({**_LETTERS, "u": "у", "i": "и", "ı": "і"})
_LETTERS_INFORMAL = str.maketrans({**_LETTERS, "u": "у", "i": "і", "ı": "и"})

_RE_2017_YA = re.compile(r"i'a|i'y'|i'u")
_RE_2017_I_GLIDE = re.compile(rf"(?<=[{_GLIDE_AFTER}])i'")
_RE_2017 = re.compile(r"[agnouycs]'")
_RE_DIGRAPH = re.compile(r"shch|sh|ch|zh|kh|gh")
_RE_NG = re.compile(rf"ng(?![{_ALL_VOWELS}])")
_RE_UY = re.compile(rf"(?<![{_LATIN}{_CYRILLIC}])uy(?![{_ALL_VOWELS}])")
_RE_YA = re.compile(r"y[au]")
_RE_Y_GLIDE = re.compile(rf"(?<=[{_Y_GLIDE_AFTER}])y")
_RE_DOTLESS_YA = re.compile(r"ı[aáäuýū]")
_RE_DOTLESS_GLIDE = re.compile(rf"(?<=[{_GLIDE_AFTER}])ı")
_RE_I_YA = re.compile(r"i[au]")
_RE_I_GLIDE = re.compile(rf"(?<=[{_GLIDE_AFTER}])i")

_RE_MARKS_2021 = re.compile(r"[äğñöūüşç]")
_RE_MARKS_2017_2018 = re.compile(r"[áǵńóúýı]|[agnouycsi]'")


def _alphabet(lower: str) -> str:
    if _RE_MARKS_2021.search(lower):
        return "2021"
    if _RE_MARKS_2017_2018.search(lower):
        return "2018"
    return "informal"


def _convert(lower: str, alphabet: str) -> str:
    """Convert the Latin letters of lower-case ``lower``; everything else passes through."""
    text = _RE_2017_YA.sub(lambda match: "ю" if match.group() != "i'a" else "я", lower)
    text = _RE_2017_I_GLIDE.sub("й", text).replace("i'", "и")
    text = _RE_2017.sub(lambda match: _APOSTROPHE_2017[match.group()], text)
    text = _RE_DIGRAPH.sub(lambda match: _DIGRAPHS[match.group()], text)
    text = _RE_NG.sub("ң", text)
    text = _RE_UY.sub("үй", text)
    text = _RE_YA.sub(lambda match: "я" if match.group() == "ya" else "ю", text)
    text = _RE_Y_GLIDE.sub("й", text)
    if alphabet != "2021":
        # 2018: ı is и, the glide й after a vowel, and spells я/ю as ıa/ıý.
        text = _RE_DOTLESS_YA.sub(lambda match: "я" if match.group()[1] in "aáä" else "ю", text)
        text = _RE_DOTLESS_GLIDE.sub("й", text)
    # 2021 spells я/ю as ia/iu and й as i; informal Latin does the same.
    text = _RE_I_YA.sub(lambda match: "я" if match.group() == "ia" else "ю", text)
    text = _RE_I_GLIDE.sub("й", text)
    table = {"2021": _LETTERS_2021, "2018": _LETTERS_ULY}.get(alphabet, _LETTERS_INFORMAL)
    return text.translate(table)


_LATIN_WORD_ANY_CASE = re.compile(
    rf"[{_LATIN}A-Z\u00c1\u00c4\u01f4\u011e\u0143\u00d1\u00d3\u00d6\u00da\u00dc"
    rf"\u016a\u00dd\u0130\u015e\u00c7\u018f\u014a]+(?:'[{_LATIN}A-Z]*)*"
)


def latin_to_cyrillic(text: str) -> str:
    """Write Kazakh Latin ``text`` (any of the 2017, 2018, 2021 or informal spellings) in Cyrillic.

    Every Latin word is converted — call ``detect_latin_kazakh`` first when the text may be English.
    Non-Latin characters pass unchanged; the capitalisation of each word is kept.
    """
    text = unicodedata.normalize("NFC", text or "").translate(_APOSTROPHES)
    alphabet = _alphabet(_lower(text))

    def convert(match: re.Match[str]) -> str:
        word = match.group()
        converted = _convert(_lower(word), alphabet)
        letters = [char for char in word if char.isalpha()]
        if len(letters) > 1 and all(char.isupper() for char in letters):
            return converted.upper()
        if word[0].isupper():
            return converted[:1].upper() + converted[1:]
        return converted

    return _LATIN_WORD_ANY_CASE.sub(convert, text)


# --- Detection --------------------------------------------------------------------------------

_LATIN_WORD = re.compile(rf"[{_LATIN}]+(?:'[{_LATIN}]*)*")
_CYRILLIC_LETTER = re.compile(rf"[{_CYRILLIC}]")
_CONSONANTS = "bcdfghjklmnpqrstvzǵğńñşç"


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_ENGLISH_WORDS = _word_set(
    "the of and to in is it for on with as at by an be are was were this that from or not have has had "
    "off out we you they he she our your their there which will would can all but if so no do does did "
    "been its my me what when where who how why about into than then them these those up after before "
    "very more most some any other only also just should could may must a i"
)
# Frequent Kazakh words written in informal Latin, so short queries («mektep», «jol») are recognised.
_KAZAKH_WORDS = _word_set(
    "jane zhane men joq jok zhok emes ushin bul osy biz olar kerek jol zhol bala su jylu zhylu jumys "
    "zhumys auyl audan oblys qala kala mektep kenes ush bir eki tort bes alty jeti segiz togyz jyl zhyl "
    "kun tur bolsa bolyp boldy joly jolda uy ui bilim beru jer halyk khalyk ait"
)
_KAZAKH_PREFIXES = (
    "mektep",
    "balal",
    "jumys",
    "zhumys",
    "masele",
    "audan",
    "auyl",
    "oblys",
    "kenes",
    "turgyn",
    "qyzmet",
    "kyzmet",
    "jedel",
    "zhedel",
    "auysym",
    "sabaq",
    "sabak",
    "akimdik",
    "akimshilik",
)
_RE_KAZAKH_LETTER = re.compile(rf"[{_LATIN_EXTRA}]")
_RE_Q = re.compile(r"q(?!u)")
_RE_CYC_END = re.compile(rf"[{_CONSONANTS}]y[{_CONSONANTS}]{{1,2}}$")
_RE_CYC = re.compile(rf"[{_CONSONANTS}]y[{_CONSONANTS}]")
_RE_KAZAKH_ENDING = re.compile(
    r"(?:[dlnst]y[qkń]|[dlnt]yng|[dt]agy|[dt]egi|syz"
    r"|[dlt][ae]r(?:d[aeyi]n?|t[aeyi]n?|[ǵgq]a|[gk]e|i))$"
)
_RE_ENGLISH_LETTERS = re.compile(r"w|x|th|ph|ck|ee|oo|ou|ea|wh|qu")
_RE_ENGLISH_ENDING = re.compile(r"(?:ing|tion|sion|ness|ment|ed|ies|ous|ful|able|ible)$")
_RE_ENGLISH_C = re.compile(r"c(?![h'])")
# Evidence needed before a text counts as Kazakh: one strong sign, or two weak ones agreeing.
_THRESHOLD = 3
_CONTRACTIONS = frozenset({"t", "s", "re", "ve", "ll", "d", "m"})


@lru_cache(maxsize=20_000)
def _word_scores(word: str) -> tuple[int, int]:
    """(Kazakh evidence, English evidence) of one lower-case Latin word."""
    kazakh = english = 0
    if _RE_KAZAKH_LETTER.search(word):
        kazakh += 3
    if _RE_Q.search(word):
        kazakh += 3
    if "zh" in word:
        kazakh += 2
    if _RE_CYC_END.search(word):
        # English words rarely end in consonant-y-consonant («gym»); Kazakh ones often do (-ys, -yq, -ym).
        kazakh += 3
    else:
        # Inside a word it is common in English too («system», «analysis»), so it counts little.
        kazakh += min(len(_RE_CYC.findall(word)), 2)
    if _RE_KAZAKH_ENDING.search(word):
        kazakh += 2
    if word in _KAZAKH_WORDS or word.startswith(_KAZAKH_PREFIXES):
        kazakh += 3
    if "'" in word:
        head, _, rest = word.partition("'")
        if head and head[-1] in "agnouycsi":
            if not rest:
                kazakh += 2 if head[-1] in "ng" else 1
            elif rest not in _CONTRACTIONS:
                kazakh += 3
    if word in _ENGLISH_WORDS:
        english += 3
    if _RE_ENGLISH_LETTERS.search(word):
        english += 2
    if _RE_ENGLISH_ENDING.search(word):
        english += 2
    if _RE_ENGLISH_C.search(word):
        english += 1
    return kazakh, english


def _detect(lower: str) -> bool:
    words = _LATIN_WORD.findall(lower)
    if not words:
        return False
    latin_letters = sum(len(word) for word in words)
    if latin_letters < len(_CYRILLIC_LETTER.findall(lower)):
        return False
    kazakh = english = 0
    for word, count in Counter(words).items():
        word_kazakh, word_english = _word_scores(word)
        kazakh += word_kazakh * count
        english += word_english * count
    return kazakh >= _THRESHOLD and kazakh > english


@lru_cache(maxsize=1)
def _latin_sources() -> re.Pattern[str]:
    """Every character of the Basic Multilingual Plane that becomes a letter of ``_LATIN`` once
    normalised and case-folded: ASCII and the Kazakh Latin letters in either case, and the few
    compatibility characters that fold to them («ß» → ss, «ﬁ» → fi, the Kelvin sign → k)."""
    letter = re.compile(f"[{_LATIN}]")
    sources = "".join(
        char
        for char in map(chr, range(0x10000))
        if not 0xD800 <= ord(char) < 0xE000
        and letter.search(unicodedata.normalize("NFC", char).casefold().translate(_APOSTROPHES))
    )
    return re.compile(f"[{re.escape(sources)}]")


def has_latin(text: str) -> bool:
    """Whether ``text`` holds any Latin letter at all: a text without one is never Latin Kazakh, and
    this is far cheaper to tell than ``detect_latin_kazakh``."""
    return _latin_sources().search(text or "") is not None


def detect_latin_kazakh(text: str) -> bool:
    """Whether ``text`` is Kazakh written in Latin letters (any alphabet), not English.

    Mostly Latin letters, with more Kazakh evidence (q without u, the letters of the Latin
    alphabets, 2017 apostrophes, ``zh``, ы written ``y`` between consonants, Kazakh endings and a
    few frequent words) than English evidence (function words, w/x/th/ee/ou…, -ing/-tion/-ed).
    Russian transliteration is not targeted; it usually stays as it is.
    """
    return _detect(_lower(unicodedata.normalize("NFC", text or "").translate(_APOSTROPHES)))


# --- Fold -------------------------------------------------------------------------------------

# Latin letters typed inside a Cyrillic word because they look the same («бiлiм» with Latin i).
_HOMOGLYPHS = str.maketrans(
    {
        "a": "а",
        "e": "е",
        "o": "о",
        "p": "р",
        "c": "с",
        "x": "х",
        "y": "у",
        "i": "і",
        "k": "к",
        "m": "м",
        "t": "т",
        "h": "һ",
        "b": "в",
        "ə": "ә",
    }
)
_HOMOGLYPH_LETTERS = frozenset("aeopcxyikmthbə")
_RE_MIXED = re.compile(rf"(?<=[{_CYRILLIC}])[{_LATIN}]+|[{_LATIN}]+(?=[{_CYRILLIC}])")
_RE_LATIN_RUN = re.compile(rf"[{_LATIN}](?:[^{_CYRILLIC}]*[{_LATIN}'])?")


def _lower(text: str) -> str:
    return _COMBINING.sub("", text.casefold())


def _unmix(match: re.Match[str]) -> str:
    chunk = match.group()
    if _HOMOGLYPH_LETTERS.issuperset(chunk):
        return chunk.translate(_HOMOGLYPHS)
    return _convert(chunk, "informal")


def _to_cyrillic_script(lower: str) -> str:
    lower = _RE_MIXED.sub(_unmix, lower)
    if _detect(lower):
        alphabet = _alphabet(lower)
        return _RE_LATIN_RUN.sub(lambda match: _convert(match.group(), alphabet), lower)

    def run(match: re.Match[str]) -> str:
        chunk = match.group()
        return _convert(chunk, _alphabet(chunk)) if _detect(chunk) else chunk

    return _RE_LATIN_RUN.sub(run, lower)


def script_words(text: str) -> list[str]:
    """The words of ``text``, case-folded, with Latin Kazakh written in Cyrillic, letters not folded.

    ``fold_letters`` of each word gives the words of ``fold(text)``, in the same order.
    """
    lower = _lower(unicodedata.normalize("NFC", text or "")).translate(_APOSTROPHES)
    return [word.replace("'", "") for word in _WORD.findall(_to_cyrillic_script(lower))]


def fold_letters(text: str) -> str:
    """Apply the fold table to (lower-case, Cyrillic) ``text``."""
    return text.translate(_FOLD)


def fold(text: str) -> str:
    """The canonical comparison form of ``text`` used by search.

    NFC, case folding, Latin Kazakh converted to Cyrillic (whole text, or each Latin stretch of a
    mixed text, when ``detect_latin_kazakh`` recognises it), the fold table applied, punctuation
    and symbols (emoji) removed, words separated by single spaces.
    """
    return fold_letters(" ".join(script_words(text)))
