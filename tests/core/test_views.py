import pytest
from django.conf import settings
from django.db import connection
from django.db.utils import OperationalError
from django.test import Client, RequestFactory
from django.utils import translation

from kenes.core.models import Role
from kenes.core.views import error_500
from tests.factories import CouncilFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_home_page_has_landmarks_and_skip_link(client):
    html = client.get("/").text
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert 'role="search"' in html
    assert "<nav" in html and "<header" in html and "<footer" in html


def test_navigation_shows_only_existing_areas(client, user_with_role):
    html = client.get("/").text
    assert "/admin/" not in html
    client.force_login(user_with_role(Role.COORDINATOR, is_staff=True))
    assert "/admin/" in client.get("/").text


def test_healthz_answers_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "up"


def test_region_pages(client):
    html = client.get("/regions/").text
    assert "Астана" in html and "Нұр-Сұлтан" in html
    assert client.get("/regions/33/").status_code == 200


def test_region_timeline_only_for_the_coordination_centre(client, user_with_role):
    assert "timeline-heading" not in client.get("/regions/71/").text
    client.force_login(user_with_role(Role.COORDINATOR))
    assert "timeline-heading" in client.get("/regions/71/").text


def test_account_page_shows_the_roles(client, user_with_role):
    council = CouncilFactory(name_kk="Денсаулық кеңесі")
    client.force_login(user_with_role(Role.COUNCIL_SECRETARY, council))
    html = client.get("/account/").text
    assert "Денсаулық кеңесі" in html
    assert "кеңес хатшысы" in html.lower()


def test_account_needs_sign_in(client):
    response = client.get("/account/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_not_found_page_is_friendly_and_translated(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert '<html lang="kk">' in response.text and "Бет табылмады" in response.text
    client.get("/language/", {"lang": "ru"})
    assert "Страница не найдена" in client.get("/no-such-page/").text


def test_server_error_page_is_translated():
    request = RequestFactory().get("/")
    request.LANGUAGE_CODE = "ru"
    with translation.override("ru"):
        response = error_500(request)
    assert response.status_code == 500
    assert "Что-то пошло не так" in response.content.decode()


def test_council_page_shows_only_consenting_names(client):
    council = CouncilFactory()
    MembershipFactory(council=council, person__last_name="Жарияланған", person__public_profile=True)
    MembershipFactory(council=council, person__last_name="Жасырын", person__public_profile=False)
    html = client.get(f"/councils/{council.code}/").text
    assert "Жарияланған" in html and "Жасырын" not in html


def test_site_search_finds_councils_and_bodies_in_any_language(client):
    CouncilFactory(name_ru="Общественный совет по здравоохранению", name_kk="Денсаулық кеңесі")
    html = client.get("/search/", {"q": "ЗДРАВООХРАНЕНИЮ"}).text
    assert "Денсаулық кеңесі" in html
    assert "Ministry of Energy" not in html
    english = client.get("/search/", {"q": "ministry of energy"}).text
    assert "Энергетика министрлігі" in english


def test_static_assets_are_found_where_the_pages_load_them():
    from django.contrib.staticfiles import finders

    assert finders.find("kenes/css/site.css")
    assert finders.find("vendor/htmx.min.js"), "run scripts/build_assets.sh (make test does)"


def test_account_lists_open_tasks_and_marks_them_done(client, make_user):
    from kenes.core.models import Notification

    user = make_user()
    task = Notification.objects.create(
        recipient=user,
        key="k1",
        kind=Notification.Kind.TASK,
        title="Жаңа құрамды жасақтаңыз",
        url="/councils/",
    )
    client.force_login(user)
    assert "Жаңа құрамды жасақтаңыз" in client.get("/account/").text
    assert client.post(f"/account/tasks/{task.pk}/done/").status_code == 302
    task.refresh_from_db()
    assert task.done_at is not None
    assert (
        "Жаңа құрамды жасақтаңыз"
        not in client.get("/account/").text.split("tasks-heading")[1].split("</section>")[0]
    )


def test_someone_elses_task_cannot_be_marked(client, make_user):
    from kenes.core.models import Notification

    task = Notification.objects.create(
        recipient=make_user(), key="k2", kind=Notification.Kind.TASK, title="x"
    )
    client.force_login(make_user())
    assert client.post(f"/account/tasks/{task.pk}/done/").status_code == 404


def test_user_chooses_a_daily_digest(client, make_user):
    user = make_user()
    client.force_login(user)
    assert client.post("/account/preferences/", {"notification_digest": "on"}).status_code == 302
    user.refresh_from_db()
    assert user.notification_digest is True
    client.post("/account/preferences/", {})
    user.refresh_from_db()
    assert user.notification_digest is False


def test_content_security_policy_forbids_inline_code(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_timeline_names_a_reverse_relation_by_its_model():
    """An audit entry may name a reverse relation (the commitments of a dispatch): no crash, a name."""
    from kenes.core.selectors import _field_name
    from kenes.recommendations.models import Dispatch

    assert _field_name(Dispatch, "commitments") != ""
    assert _field_name(Dispatch, "no_such_field") == "no_such_field"


def _refuse_connection(execute, sql, params, many, context):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


def test_database_down_is_a_translated_503_with_retry_after():
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    with connection.execute_wrapper(_refuse_connection):
        response = client.get("/councils/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "no-cache" in response["Cache-Control"]
    assert '<html lang="ru">' in response.text and "База данных не отвечает" in response.text


def test_database_down_during_a_signed_in_request_is_a_503(user_with_role):
    client = Client(raise_request_exception=False)
    client.force_login(user_with_role(Role.COORDINATOR))
    with connection.execute_wrapper(_refuse_connection):
        response = client.get("/account/")  # fails already while loading the session
    assert response.status_code == 503


def test_database_down_on_the_api_is_a_json_503():
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(_refuse_connection):
        response = client.get("/api/v1/councils")
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert "detail" in response.json()


def test_other_server_errors_stay_500():
    request = RequestFactory().get("/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = error_500(request)
    assert response.status_code == 500
