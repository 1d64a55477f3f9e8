"""The public directory, council and person pages, the API and the exports."""

import json

import pytest

from kenes.core.models import Role, Topic
from kenes.councils.models import Council, Membership
from tests.factories import CouncilFactory, LocalCouncilFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def codes_in(response) -> set[str]:
    return {
        code
        for code in Council.objects.values_list("code", flat=True)
        if f"/councils/{code}/" in response.text
    }


def test_filters_by_level_region_topic_and_text_in_any_language(client):
    health = CouncilFactory(name_kk="Денсаулық кеңесі", name_ru="Совет здоровья", name_en="Health council")
    health.topics.add(Topic.objects.get(code="health"))
    local = LocalCouncilFactory(
        name_kk="Қарағанды кеңесі", name_ru="Карагандинский совет", name_en="Karaganda council"
    )
    assert codes_in(client.get("/councils/", {"level": "local"})) == {local.code}
    assert codes_in(client.get("/councils/", {"region": "35"})) == {local.code}
    assert codes_in(client.get("/councils/", {"topic": "health"})) == {health.code}
    for words in ("денсаулық", "ЗДОРОВЬЯ", "health", "Health Council"):
        assert codes_in(client.get("/councils/", {"q": words})) == {health.code}, words


def test_unknown_filter_values_are_ignored_not_an_error(client):
    CouncilFactory()
    response = client.get("/councils/", {"region": "99", "sort": "nonsense", "page": "abc"})
    assert response.status_code == 200


def test_sorting_by_members(client):
    small, big = CouncilFactory(name_kk="А кеңес"), CouncilFactory(name_kk="Б кеңес")
    MembershipFactory.create_batch(3, council=big)
    MembershipFactory.create_batch(1, council=small)
    html = client.get("/councils/", {"sort": "members"}).text
    assert html.index(f"/councils/{big.code}/") < html.index(f"/councils/{small.code}/")


def test_htmx_request_gets_only_the_results(client):
    CouncilFactory()
    response = client.get("/councils/", HTTP_HX_REQUEST="true")
    assert "<html" not in response.text and "<table" in response.text


def test_compliance_column_only_for_the_coordination_centre(client, user_with_role):
    CouncilFactory()
    assert "badge" not in client.get("/councils/").text
    client.force_login(user_with_role(Role.COORDINATOR))
    assert "badge" in client.get("/councils/").text


@pytest.mark.parametrize("url", ["/councils/", "/councils/?compliance=issues&sort=term", "/api/v1/councils"])
def test_query_count_does_not_grow_with_rows(client, url, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for council in CouncilFactory.create_batch(3):
        council.topics.add(Topic.objects.first())
        MembershipFactory.create_batch(2, council=council)
    client.get(url)  # warm the per-process caches (content types)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for council in CouncilFactory.create_batch(30):
        council.topics.add(Topic.objects.first())
        MembershipFactory.create_batch(3, council=council)
    with django_assert_num_queries(len(small)):
        assert client.get(url).status_code == 200


def test_council_page_query_count_does_not_grow_with_members(client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    council = CouncilFactory()
    MembershipFactory.create_batch(2, council=council)
    client.get(f"/councils/{council.code}/")  # warm the per-process caches (content types)
    with CaptureQueriesContext(connection) as small:
        client.get(f"/councils/{council.code}/")
    MembershipFactory.create_batch(25, council=council)
    with django_assert_num_queries(len(small)):
        client.get(f"/councils/{council.code}/")


def test_council_page_shows_composition_and_findings(client):
    council = CouncilFactory(min_members=15)
    MembershipFactory(council=council, role=Membership.Role.CHAIR, person__last_name="Омарова")
    html = client.get(f"/councils/{council.code}/").text
    assert "Омарова" in html and "compliance-heading" in html


def test_person_page_only_with_consent(client):
    shown = MembershipFactory(person__public_profile=True).person
    hidden = MembershipFactory(person__public_profile=False).person
    assert client.get(f"/councils/people/{shown.pk}/").status_code == 200
    assert client.get(f"/councils/people/{hidden.pk}/").status_code == 404


def test_api_lists_councils_with_filters_and_pagination(client):
    LocalCouncilFactory.create_batch(3)
    CouncilFactory()
    data = client.get("/api/v1/councils", {"level": "local", "page": 1}).json()
    assert data["count"] == 3 and len(data["items"]) == 3
    item = data["items"][0]
    assert (
        item["region"] == "35" and "compliance_findings" in item and item["state_body"]["code"] == "akimat-35"
    )
    assert client.get("/api/v1/councils", {"region": "99"}).status_code == 404


def test_api_persons_have_public_fields_only(client):
    person = MembershipFactory(
        person__public_profile=True, person__email="private@example.kz", person__phone="+7 701"
    ).person
    MembershipFactory(person__public_profile=False)
    data = client.get("/api/v1/persons").json()
    assert data["count"] == 1
    record = data["items"][0]
    assert record["id"] == person.pk and "email" not in record and "phone" not in record
    assert "private@example.kz" not in json.dumps(data)
    assert client.get("/api/v1/persons", {"council": "no-such-council"}).status_code == 404


def test_openapi_document_names_the_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/councils",
        "/api/v1/councils/{code}",
        "/api/v1/persons",
        "/api/v1/persons/{person_id}",
    } <= set(schema["paths"])


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_export_follows_the_filters(client, fmt):
    local = LocalCouncilFactory()
    CouncilFactory()
    response = client.get("/councils/export/", {"format": fmt, "level": "local"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    from kenes.core.tabular import read_table

    if fmt == "json":
        assert [row["code"] for row in json.loads(response.content)] == [local.code]
    else:
        table = read_table(response.content, max_bytes=10**7, max_rows=1000)
        assert [row.values["code"] for row in table.rows] == [local.code]


def test_members_export_hides_private_data_from_the_public(client, user_with_role):
    MembershipFactory(person__last_name="Жасырын", person__public_profile=False, person__email="x@example.kz")
    public = client.get("/councils/export/", {"format": "json", "kind": "members"}).json()
    assert public[0]["last_name"] == "" and "email" not in public[0]
    client.force_login(user_with_role(Role.COORDINATOR))
    private = client.get("/councils/export/", {"format": "json", "kind": "members"}).json()
    assert private[0]["last_name"] == "Жасырын" and private[0]["email"] == "x@example.kz"


def test_exported_councils_file_imports_back_unchanged(
    client, user_with_role, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kenes.councils import services
    from kenes.councils.models import ImportJob

    LocalCouncilFactory.create_batch(2)
    content = client.get("/councils/export/", {"format": "xlsx"}).content
    coordinator = user_with_role(Role.COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_start(
            kind=ImportJob.Kind.COUNCILS,
            council=None,
            file=SimpleUploadedFile("export.xlsx", content),
            acting_user=coordinator,
        )
    job.refresh_from_db()
    assert job.summary == {"create": 0, "change": 0, "unchanged": 2, "reject": 0}, job.rows or job.error


@pytest.mark.parametrize("query", ["Денсаулық", "денсаулык", "Densaýlyq", "densaulyq", "Densaulyq saqtau"])
def test_directory_text_finds_kazakh_in_any_script(client, query):
    council = CouncilFactory(name_kk="Денсаулық сақтау кеңесі", name_ru="Совет", name_en="Council")
    assert codes_in(client.get("/councils/", {"q": query})) == {council.code}, query
