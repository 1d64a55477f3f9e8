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
    response = client.get("/language/", {"lang": language, "next": "/councils/?q=a"})
    assert response.status_code == 302 and response["Location"] == "/councils/?q=a"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    assert "no-cache" in response["Cache-Control"]
    page = client.get("/councils/")
    assert f'<html lang="{language}">' in page.text
    assert expected in page.text


@pytest.mark.django_db
def test_visitor_switches_language_without_a_csrf_token():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    html = client.get("/").text
    assert 'name="lang" value="ru"' in html and "csrfmiddlewaretoken" not in html
    response = client.get("/language/", {"lang": "ru", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="ru">' in client.get("/").text


@pytest.mark.django_db
def test_signed_in_user_keeps_the_language_on_the_account(client, make_user):
    user = make_user()
    client.force_login(user)
    html = client.get("/").text
    assert 'action="/language/" method="post"' in html
    client.post("/language/", {"lang": "ru", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "ru"
    assert LogEntry.objects.filter(action="core.user.language_changed", object_id=str(user.pk)).exists()
    fresh = type(client)()
    fresh.force_login(user)
    assert '<html lang="ru">' in fresh.get("/").text


@pytest.mark.django_db
def test_a_link_does_not_change_the_account_language(client, make_user):
    user = make_user(preferred_language="kk")
    client.force_login(user)
    client.get("/language/", {"lang": "en", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "kk"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_language_switch_refuses_foreign_redirects(client, method, target):
    response = getattr(client, method)("/language/", {"lang": "en", "next": target})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_unknown_language_is_ignored(client):
    response = client.get("/language/", {"lang": "xx", "next": "/"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert '<html lang="kk">' in client.get("/").text
