"""Kazakh by default, Russian and English complete, the choice remembered."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

from kenes.core.models import LogEntry

LOCALE = Path(__file__).resolve().parents[2] / "src" / "kenes" / "locale"


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_catalogue_has_no_untranslated_or_fuzzy_message(language):
    with open(LOCALE / language / "LC_MESSAGES" / "django.po", "rb") as handle:
        catalogue = read_po(handle)
    untranslated = [
        m.id
        for m in catalogue
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert len(catalogue) > 100
    assert not untranslated, f"untranslated in {language}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {language}: {fuzzy[:10]}"


@pytest.mark.django_db
def test_kazakh_is_the_default_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert '<html lang="kk">' in response.text
    assert "Қазақстанның қоғамдық кеңестері" in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "expected"), [("ru", "Общественные советы"), ("en", "Public councils")])
def test_language_switch_is_remembered_by_the_browser(client, language, expected):
    response = client.post("/language/", {"language": language, "next": "/councils/"})
    assert response.status_code == 302 and response["Location"] == "/councils/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    page = client.get("/councils/")
    assert f'<html lang="{language}">' in page.text
    assert expected in page.text


@pytest.mark.django_db
def test_signed_in_user_keeps_the_language_on_the_account(client, make_user):
    user = make_user()
    client.force_login(user)
    client.post("/language/", {"language": "ru", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "ru"
    assert LogEntry.objects.filter(action="core.user.language_changed", object_id=str(user.pk)).exists()
    fresh = type(client)()
    fresh.force_login(user)
    assert '<html lang="ru">' in fresh.get("/").text


@pytest.mark.django_db
def test_language_switch_refuses_foreign_redirects(client):
    response = client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_unknown_language_is_ignored(client):
    response = client.post("/language/", {"language": "xx", "next": "/"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert '<html lang="kk">' in client.get("/").text
