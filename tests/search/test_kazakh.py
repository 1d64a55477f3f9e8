"""Script normalisation of Kazakh: every alphabet folds to the form of the Cyrillic original."""

import re
import time

import pytest

from kenes.search.kazakh import (
    FOLD_TABLE,
    detect_latin_kazakh,
    fold,
    has_latin,
    latin_to_cyrillic,
    script_words,
)

SENTENCE = "Жұмыссыздық мәселесі шешілмей тұр"

SENTENCE_IN_LATIN = {
    "2017 apostrophes": "Jumyssyzdyq ma'selesi s'es'ilmei' tur",
    "2017 typographic apostrophes": "Jumyssyzdyq ma\u2019selesi s\u2019es\u2019ilmei\u2019 tur",
    "2018 acute": "Jumyssyzdyq máselesi sheshilmeı tur",
    "2021": "Jūmyssyzdyq mäselesı şeşılmei tūr",
    "2021 capitals": "JŪMYSSYZDYQ MÄSELESI ŞEŞILMEİ TŪR",
    "informal": "jumyssyzdyk maselesi sheshilmei tur",
    "informal zh and q": "zhumyssyzdyq maselesi sheshilmei tur",
}

DEV_SET_LATIN = (
    "Respýblıkalyq tas joldyń boıynda uıaly baılanys joq, jol apaty bolsa jedel qyzmetke "
    "habarlasý múmkin emes."
)
DEV_SET_CYRILLIC = (
    "Республикалық тас жолдың бойында ұялы байланыс жоқ, жол апаты болса жедел қызметке "
    "хабарласу мүмкін емес."
)

ENGLISH = [
    "Heating is frequently cut off in winter",
    "The school runs in three shifts",
    "Mobile coverage is missing along the highway",
    "Public council meeting minutes",
    "Recommendation sent to the akimat",
    "Unemployment remains unsolved",
    "Street lighting",
    "system analysis",
]


@pytest.mark.parametrize("latin", SENTENCE_IN_LATIN.values(), ids=SENTENCE_IN_LATIN.keys())
def test_every_latin_alphabet_folds_like_the_cyrillic_original(latin):
    assert detect_latin_kazakh(latin)
    assert fold(latin) == fold(SENTENCE) == "жумыссыздык маселеси шешилмеи тур"


@pytest.mark.parametrize(
    "latin",
    [SENTENCE_IN_LATIN["2017 apostrophes"], SENTENCE_IN_LATIN["2018 acute"], SENTENCE_IN_LATIN["2021"]],
    ids=["2017", "2018", "2021"],
)
def test_official_alphabets_convert_letter_for_letter(latin):
    assert latin_to_cyrillic(latin) == SENTENCE


def test_informal_latin_converts_to_the_russian_keyboard_spelling():
    assert latin_to_cyrillic(SENTENCE_IN_LATIN["informal"]) == "жумыссыздык маселесі шешілмей тур"


def test_dev_set_sentence_converts_exactly():
    assert latin_to_cyrillic(DEV_SET_LATIN) == DEV_SET_CYRILLIC
    assert fold(DEV_SET_LATIN) == fold(DEV_SET_CYRILLIC)


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Respýblıkalyq", "Республикалық"),
        ("ýaqyt", "уақыт"),
        ("jūmyssyzdyq", "жұмыссыздық"),
        ("mäsele", "мәселе"),
        ("şaruaşylyq", "шаруашылық"),
        ("QAZAQSTAN", "ҚАЗАҚСТАН"),
        ("Bılım jäne ğylym", "Білім және ғылым"),  # 2021: ı is і
        ("üi", "үй"),  # 2021: i after a vowel is й
        ("uıaly", "ұялы"),  # 2018: ıa is я
    ],
)
def test_words_of_the_official_alphabets_convert_exactly(latin, cyrillic):
    assert latin_to_cyrillic(latin) == cyrillic


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Qazaqstan Respy'blikasy", "Қазақстан Республикасы"),  # 2017, и written without its apostrophe
        ("s'ahar", "шаһар"),  # һ and х meet
        ("Qazaqstan Respublikasy", "Қазақстан Республикасы"),
        ("jumyssyzdyk", "жұмыссыздық"),
        ("balalar mektepte ush auysymda okidy", "Балалар мектепте үш ауысымда оқиды"),
        ("qangtar", "қаңтар"),
        ("Zhol jondeu kerek", "Жол жөндеу керек"),
        ("uy", "үй"),
    ],
)
def test_latin_spellings_fold_like_the_cyrillic_original(latin, cyrillic):
    assert detect_latin_kazakh(latin)
    assert fold(latin) == fold(cyrillic)


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("qangtar", "қаңтар"),  # ng before a consonant is ң
        ("joldyng", "жолдың"),  # and at the end of a word
        ("engizu", "енгізу"),  # but нг before a vowel
        ("boyynda", "бойында"),  # y after a vowel is й
        ("aytu", "айту"),
        ("auyl", "ауыл"),  # but not after u
        ("Bilim", "Білім"),  # 2018: i is і — both i-letters fold to и
        ("Bılım", "Білім"),  # 2021 without other 2021 letters reads as 2018 (и) and still folds alike
        ("khabar", "хабар"),
        ("ushin", "үшін"),
    ],
)
def test_informal_conversion_rules(latin, cyrillic):
    assert fold(latin_to_cyrillic(latin)) == fold(cyrillic)


@pytest.mark.parametrize("typed", ["кантар", "қантар", "қаңтар", "ҚАҢТАР"])
def test_russian_keyboard_spelling_meets_the_proper_one(typed):
    assert fold(typed) == "кантар"


@pytest.mark.parametrize(("letter", "folded"), FOLD_TABLE.items())
def test_fold_table(letter, folded):
    assert fold(letter) == folded
    assert fold(letter.upper()) == folded


@pytest.mark.parametrize("english", ENGLISH)
def test_english_is_not_taken_for_latin_kazakh(english):
    assert not detect_latin_kazakh(english)
    assert fold(english) == " ".join(re.findall(r"\w+", english.lower()))


@pytest.mark.parametrize("text", ["", "   ", "Жұмыссыздық мәселесі", "12 345", "😀🎉"])
def test_text_without_latin_words_is_not_latin_kazakh(text):
    assert not detect_latin_kazakh(text)


def test_kazakh_latin_stretch_inside_cyrillic_text_is_converted():
    assert fold("Жұмыссыздық мәселесі — jumyssyzdyq maselesi!") == "жумыссыздык маселеси жумыссыздык маселеси"


def test_english_stretch_inside_cyrillic_text_stays_latin():
    assert fold("Отчёт по проекту Smart City, 2024 год") == "отчет по проекту smart city 2024 год"


def test_latin_letters_typed_inside_a_cyrillic_word_become_cyrillic():
    assert fold("бiлiм берy") == fold("білім беру") == "билим беру"


def test_emoji_are_removed_without_breaking_words():
    assert fold("😀🎉👍") == ""
    assert fold("Жол 🚧 жоқ") == "жол жок"
    assert script_words("🚧") == []
    assert latin_to_cyrillic("🚧") == "🚧"


def test_punctuation_and_spacing():
    assert fold("  Іс-шара,\n«Тез»!!   don't  ") == "ис шара тез dont"


@pytest.mark.parametrize("text", [*SENTENCE_IN_LATIN.values(), DEV_SET_LATIN, *ENGLISH, SENTENCE])
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


def test_script_words_fold_to_the_words_of_fold():
    words = script_words(DEV_SET_LATIN)
    assert words[:3] == ["республикалық", "тас", "жолдың"]
    assert " ".join(words).translate(str.maketrans(FOLD_TABLE)) == fold(DEV_SET_LATIN)


def test_a_hundred_kilobytes_fold_well_under_a_second():
    mixed = f"{DEV_SET_LATIN} {SENTENCE}. {ENGLISH[0]}. {SENTENCE_IN_LATIN['informal']}. "
    text = (mixed * (100_000 // len(mixed) + 1))[:100_000]
    started = time.perf_counter()
    folded = fold(text)
    latin_to_cyrillic(text)
    assert time.perf_counter() - started < 0.5
    assert "республикалык тас жолдын" in folded


@pytest.mark.parametrize(
    "text", [*SENTENCE_IN_LATIN.values(), DEV_SET_LATIN, *ENGLISH, SENTENCE, "Straße", "😀"]
)
def test_a_text_without_latin_letters_is_never_latin_kazakh(text):
    """``has_latin`` is the cheap first look of the highlighter: it never hides Latin Kazakh."""
    assert has_latin(text) or not detect_latin_kazakh(text)
    assert has_latin(text) == (text not in (SENTENCE, "😀"))
