"""Whole anonymous pages from the shared cache: same bytes for every visitor, never for signed-in people."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from kenes.core.models import Role
from tests.factories import CouncilFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache():
    cache.clear()
    with override_settings(KENES_PAGE_CACHE_SECONDS=60):
        yield
    cache.clear()


def test_anonymous_page_is_served_from_the_cache_without_the_database(client):
    council = CouncilFactory(name_kk="Бірінші кеңес")
    first = client.get("/councils/")
    assert first["X-Page-Cache"] == "miss"
    council.name_kk = "Өзгерген атау"
    council.save()
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/councils/")
    assert second["X-Page-Cache"] == "hit"
    assert len(queries) == 0
    assert second.content == first.content and "Бірінші кеңес" in second.text
    assert "max-age=60" in second["Cache-Control"] and "public" in second["Cache-Control"]
    assert "Cookie" in second["Vary"] and "HX-Request" in second["Vary"]
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_anonymous_pages_carry_no_csrf_token_and_set_no_cookie(client):
    response = client.get("/")
    assert "csrfmiddlewaretoken" not in response.text and "X-CSRFToken" not in response.text
    assert not response.cookies
    assert 'action="/language/" method="get"' in response.text


def test_each_language_has_its_own_copy(client):
    assert '<html lang="kk">' in client.get("/councils/").text
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    first = client.get("/councils/")
    assert first["X-Page-Cache"] == "miss" and '<html lang="ru">' in first.text
    second = client.get("/councils/")
    assert second["X-Page-Cache"] == "hit" and '<html lang="ru">' in second.text
    assert second["Content-Language"] == "ru"


def test_query_string_is_part_of_the_key(client):
    CouncilFactory(name_kk="Денсаулық кеңесі")
    CouncilFactory(name_kk="Білім кеңесі")
    client.get("/councils/?q=денсаулық")
    other = client.get("/councils/?q=білім")
    assert other["X-Page-Cache"] == "miss"
    assert "Білім кеңесі" in other.text and "Денсаулық кеңесі" not in other.text


def test_htmx_fragment_and_whole_page_are_kept_apart(client):
    client.get("/councils/")
    fragment = client.get("/councils/", HTTP_HX_REQUEST="true")
    assert fragment["X-Page-Cache"] == "miss" and "<html" not in fragment.text
    assert "<html" in client.get("/councils/").text


def test_signed_in_people_never_get_or_fill_the_cache(client, user_with_role):
    client.get("/")  # an anonymous copy is stored
    user = user_with_role(Role.COORDINATOR, full_name="Сәуле Ахметова")
    client.force_login(user)
    for _ in range(2):
        response = client.get("/")
        assert "X-Page-Cache" not in response
        assert "private" in response["Cache-Control"]
        assert "Сәуле" in response.text and "csrfmiddlewaretoken" in response.text
    client.logout()
    assert client.get("/")["X-Page-Cache"] == "hit"


def test_a_pending_message_bypasses_the_cache(client):
    client.get("/")
    client.cookies["messages"] = "anything"
    assert "X-Page-Cache" not in client.get("/")


def test_a_response_that_sets_a_cookie_is_not_stored(client):
    with override_settings(KENES_PAGE_CACHE_VIEWS=frozenset({"login"})):
        first = client.get("/accounts/login/")
        assert settings.CSRF_COOKIE_NAME in first.cookies  # the sign-in form needs its token
        assert "X-Page-Cache" not in first
        assert "X-Page-Cache" not in client.get("/accounts/login/")


def test_pages_not_listed_are_not_cached(client):
    client.get("/accounts/password-reset/sent/")
    assert "X-Page-Cache" not in client.get("/accounts/password-reset/sent/")


def test_cached_pages_are_served_while_the_database_is_down(client):
    from django.db.utils import OperationalError

    client.get("/councils/")

    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection refused")

    with connection.execute_wrapper(refuse):
        assert client.get("/councils/").status_code == 200


def test_switching_off_stores_nothing(client):
    with override_settings(KENES_PAGE_CACHE_SECONDS=0):
        client.get("/")
        assert "X-Page-Cache" not in client.get("/")
