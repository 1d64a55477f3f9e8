"""Forming official names from reference names: "akimat of …", "public council of …".

Kazakh takes the genitive suffix by vowel harmony and the last sound; Russian inflects the head
word of a name ("Министерство" → "Министерства", "Абайская область" → "Абайской области").
These rules cover the shapes of Kazakhstan's official names of regions, districts and bodies.
"""

from __future__ import annotations

_KK_BACK = set("аоұыяю")
_KK_FRONT = set("әеөүіиэ")
_KK_VOWELS = _KK_BACK | _KK_FRONT | {"у"}
_KK_VOICELESS = set("пфкқтсшщчцхһ")
_KK_NASAL = set("мнң")


def kk_genitive(name: str) -> str:
    """Kazakh genitive: «Абай облысы» → «Абай облысының», «Семей» → «Семейдің»."""
    word = name.rstrip('»" ')
    lower = word.lower()
    vowels = [ch for ch in lower if ch in _KK_BACK or ch in _KK_FRONT]
    front = bool(vowels) and vowels[-1] in _KK_FRONT
    last = lower[-1] if lower else "а"
    if last in _KK_VOWELS or last in _KK_NASAL:
        suffix = "нің" if front else "ның"
    elif last in _KK_VOICELESS:
        suffix = "тің" if front else "тың"
    else:
        suffix = "дің" if front else "дың"
    return f"{name}{suffix}"


_RU_HEAD_GENITIVE = {
    "министерство": "Министерства",
    "агентство": "Агентства",
    "комитет": "Комитета",
    "акимат": "акимата",
    "город": "города",
    "район": "района",
    "область": "области",
}


def _ru_adjective_genitive(word: str) -> str:
    for ending, replacement in (
        ("ская", "ской"),
        ("цкая", "цкой"),
        ("ная", "ной"),
        ("ий", "ого"),
        ("ый", "ого"),
        ("ой", "ого"),
    ):
        if word.endswith(ending):
            return word[: -len(ending)] + replacement
    return word


def ru_genitive(name: str) -> str:
    """Russian genitive of an official name: «Абайская область» → «Абайской области»."""
    words = name.split(" ")
    head = words[0].lower()
    if head in _RU_HEAD_GENITIVE:
        return " ".join([_RU_HEAD_GENITIVE[head], *words[1:]])
    if len(words) >= 2 and words[-1] in {"область", "район"}:
        adjectives = [_ru_adjective_genitive(word) for word in words[:-1]]
        return " ".join([*adjectives, _RU_HEAD_GENITIVE[words[-1]]])
    return name


def akimat_names(*, kk: str, ru: str, en: str, is_city: bool) -> dict[str, str]:
    """Names of the akimat of a region, city or district."""
    kk_place = kk if not is_city or kk.endswith("қаласы") else f"{kk} қаласы"
    ru_place = ru if not is_city or ru.startswith("город") else f"город {ru}"
    return {
        "name_kk": f"{kk_genitive(kk_place)} әкімдігі",
        "name_ru": f"Акимат {ru_genitive(ru_place)}",
        "name_en": f"Akimat of {en}",
    }


def council_names(*, kk: str, ru: str, en: str, place: bool, is_city: bool = False) -> dict[str, str]:
    """Names of a public council: of a place (region, city, district) or beside a state body."""
    if place:
        kk_place = kk if not is_city or kk.endswith("қаласы") else f"{kk} қаласы"
        ru_place = ru if not is_city or ru.startswith("город") else f"город {ru}"
        return {
            "name_kk": f"{kk_genitive(kk_place)} қоғамдық кеңесі",
            "name_ru": f"Общественный совет {ru_genitive(ru_place)}",
            "name_en": f"Public Council of {en}",
        }
    return {
        "name_kk": f"{kk} жанындағы қоғамдық кеңес",
        "name_ru": f"Общественный совет {ru_genitive(ru)}",
        "name_en": f"Public Council of the {en}" if not en.endswith("JSC") else f"Public Council of {en}",
    }
