"""Stems let a search for one form of a word find the others, in any script."""

import time

import pytest

from kenes.search.stemming import guess_language, stem, stems

KAZAKH_FORMS = {
    "жұмыссыздық": "жұмыссыздық жұмыссыздығы жұмыссыздыққа жұмыссыздықтың жұмыссыздықпен жұмыссыздықтан",
    "мектеп": "мектеп мектептер мектептерде мектебі мектепке мектептегі",
    "бала": "бала балалар балаларға балалардың баласы баласына",
    "жол": "жол жолдың жолдары жолда жолы",
    "мәселе": "мәселе мәселесі мәселелер мәселені",
    "ауысым": "ауысым ауысымда ауысымдары",
    "үй": "үй үйі үйлер үйде",
    "аудан": "аудан ауданы аудандар аудандағы ауданнан ауданда",
    "кеңес": "кеңес кеңесі кеңестің кеңесінде кеңестер",
    "мемлекет": "мемлекет мемлекеті мемлекеттік",
    "облыс": "облыс облысы облыстың облыстар",  # облыс + ы and облы + сы agree
    "тұрғын": "тұрғын тұрғындар тұрғындарға тұрғыны",  # тұрғын + ы and тұрғы + ны agree
    "Қазақстан": "Қазақстан Қазақстанның Қазақстаннан Қазақстанда",
}


@pytest.mark.parametrize("forms", KAZAKH_FORMS.values(), ids=KAZAKH_FORMS.keys())
def test_kazakh_forms_of_one_word_share_a_stem(forms):
    assert len({stem(form, "kk") for form in forms.split()}) == 1


@pytest.mark.parametrize("forms", KAZAKH_FORMS.values(), ids=KAZAKH_FORMS.keys())
def test_kazakh_forms_share_a_stem_when_the_language_is_guessed(forms):
    assert len(set(stems(forms))) == 1


@pytest.mark.parametrize(
    "spelling",
    ["жумыссыздык", "жумыссыздыгы", "жумыссыздыкка", "jumyssyzdyq", "jumyssyzdyk", "jūmyssyzdyğy"],
)
def test_folded_and_latin_spellings_share_the_kazakh_stem(spelling):
    assert stem(spelling, "kk") == stem("жұмыссыздық", "kk")


def test_latin_forms_share_the_stem_of_the_cyrillic_forms():
    assert stem("mektepterde", "kk") == stem("мектептерде", "kk") == stem("мектебі", "kk")


@pytest.mark.parametrize(
    ("word", "other"),
    [
        ("жол", "жылу"),
        ("бала", "балық"),
        ("жыл", "жылу"),
        ("жұмыс", "жұмыссыздық"),
        ("ауыл", "ауысым"),
        ("тас", "тасымал"),
        ("жол", "жоқ"),
        ("қала", "қалам"),
        ("су", "сұрақ"),
    ],
)
def test_unrelated_kazakh_words_keep_different_stems(word, other):
    assert stem(word, "kk") != stem(other, "kk")


@pytest.mark.parametrize(
    "forms",
    ["отопление отопления отоплением", "школа школы школ", "новый новая нового", "линия линии линий"],
)
def test_russian_forms_share_a_stem(forms):
    assert len({stem(form, "ru") for form in forms.split()}) == 1


def test_russian_stem_does_not_merge_different_words():
    assert stem("школа", "ru") != stem("отопление", "ru")


def test_english_forms_share_a_stem():
    assert stem("heating", "en") == stem("heated", "en") == stem("heat", "en") == "heat"


@pytest.mark.parametrize(
    ("word", "language"),
    [
        ("қала", "kk"),
        ("жумыссыздык", "kk"),
        ("балалар", "kk"),
        ("кызмет", "kk"),
        ("отопления", "ru"),
        ("отключают", "ru"),
        ("heating", "en"),
        ("школа", None),
        ("2024", None),
    ],
)
def test_guess_language(word, language):
    assert guess_language(word) == language


def test_ambiguous_words_follow_the_language_of_their_text():
    assert stems("Балалар мектепте үш ауысымда оқиды") == ["бала", "мектеп", "уш", "ауысым", "ок"]
    assert stems("Школы закрыты") == [stem("школы", "ru"), stem("закрыты", "ru")]


def test_kazakh_sentence_in_latin_and_cyrillic_has_the_same_stems():
    assert stems("balalar mektepte ush auysymda okidy") == stems("Балалар мектепте үш ауысымда оқиды")


def test_mixed_text_stems_each_word_in_its_language():
    assert stems("Мектептерде отопление жоқ, heating!") == ["мектеп", "отоплен", "жок", "heat"]


def test_english_text_keeps_english_stems():
    assert stems("Heating is frequently cut off") == ["heat", "is", "frequent", "cut", "off"]


def test_given_language_applies_to_every_word():
    assert stems("отопления школы", "ru") == ["отоплен", "школ"]
    assert stems("mektepterde jolda", "kk") == ["мектеп", "жол"]


def test_numbers_are_kept_and_emoji_dropped():
    assert stems("12 мектеп 🚧") == ["12", "мектеп"]
    assert stems("😀🎉") == []


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        stem("мектеп", "de")
    with pytest.raises(ValueError):
        stems("мектеп", "de")


def test_a_hundred_kilobytes_stem_well_under_a_second():
    sentence = "Жұмыссыздық мәселесі шешілмей тұр. Отопление отключают зимой. Heating is cut off. "
    text = (sentence * (100_000 // len(sentence) + 1))[:100_000]
    started = time.perf_counter()
    result = stems(text)
    assert time.perf_counter() - started < 0.5
    assert result[:2] == ["жумыссыз", "маселе"]
