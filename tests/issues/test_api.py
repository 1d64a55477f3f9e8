"""`/api/v1/issues`: reading is open, writes need a session and the same permissions as the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from kenes.core.models import LogEntry, Role
from kenes.issues.models import Issue, IssueLink
from tests.factories import IssueFactory, LocalCouncilFactory

pytestmark = pytest.mark.django_db

BODY = {"title": "Жол жөнделмеген", "description": "Көшедегі жол бес жыл жөнделмеген.", "language": "kk"}


@pytest.fixture
def council():
    return LocalCouncilFactory()


def test_list_and_detail_are_public_and_hide_pending(client, council):
    public = IssueFactory(council=council, title="Жол жөнделмеген")
    pending = IssueFactory(council=council, status=Issue.Status.PENDING)
    listing = client.get("/api/v1/issues").json()
    assert [item["id"] for item in listing["items"]] == [public.pk]
    assert listing["count"] == 1
    assert client.get(f"/api/v1/issues/{public.pk}").json()["council"] == council.code
    assert client.get(f"/api/v1/issues/{pending.pk}").status_code == 404
    assert client.get("/api/v1/issues/99999999999999999999").status_code == 422


def test_list_filters_by_query_and_region(client, council):
    IssueFactory(council=council, title="Жол жөнделмеген")
    IssueFactory(title="Су жоқ")
    found = client.get("/api/v1/issues", {"q": "жолдың", "region": council.region.code}).json()
    assert found["count"] == 1


def test_anonymous_cannot_file(client, council):
    assert (
        client.post(
            "/api/v1/issues", {**BODY, "council": council.code}, content_type="application/json"
        ).status_code
        == 401
    )


def test_member_files_through_the_api_with_csrf(council, user_with_role):
    member = user_with_role(Role.COUNCIL_MEMBER, council)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    refused = client.post(
        "/api/v1/issues", {**BODY, "council": council.code}, content_type="application/json"
    )
    assert refused.status_code == 403  # no CSRF token
    client.get("/issues/")  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/issues",
        {**BODY, "council": council.code},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201, response.content
    issue = Issue.objects.get(pk=response.json()["id"])
    assert issue.author == member and LogEntry.objects.filter(action="issues.issue.filed").count() == 1


def test_write_errors_are_400_with_field_messages(client, council, user_with_role):
    client.force_login(user_with_role(Role.COUNCIL_MEMBER, council))
    response = client.post(
        "/api/v1/issues",
        {**BODY, "description": "🙂", "council": council.code},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "description" in response.json()["errors"]
    response = client.post(
        "/api/v1/issues",
        {**BODY, "topics": ["no-such-topic"], "council": council.code},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not Issue.objects.exists()


def test_member_of_another_council_gets_403(client, council, user_with_role):
    client.force_login(user_with_role(Role.COUNCIL_MEMBER, LocalCouncilFactory()))
    response = client.post(
        "/api/v1/issues", {**BODY, "council": council.code}, content_type="application/json"
    )
    assert response.status_code == 403


def test_staff_edit_transition_and_link(client, council, user_with_role):
    issue, other = IssueFactory(council=council), IssueFactory()
    client.force_login(user_with_role(Role.COUNCIL_SECRETARY, council))
    response = client.patch(
        f"/api/v1/issues/{issue.pk}", {"title": "Жаңа атау"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["title"] == "Жаңа атау"
    response = client.post(
        f"/api/v1/issues/{issue.pk}/transition", {"action": "reject"}, content_type="application/json"
    )
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = client.post(
        f"/api/v1/issues/{issue.pk}/transition", {"action": "review"}, content_type="application/json"
    )
    assert response.json()["status"] == "under_review"
    response = client.post(
        f"/api/v1/issues/{issue.pk}/links",
        {"target": other.pk, "kind": "related"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert IssueLink.objects.get().kind == "related"
    links = client.get(f"/api/v1/issues/{other.pk}/links").json()
    assert links[0]["issue"] == issue.pk


def test_member_cannot_patch(client, council, user_with_role):
    issue = IssueFactory(council=council)
    client.force_login(user_with_role(Role.COUNCIL_MEMBER, council))
    assert (
        client.patch(
            f"/api/v1/issues/{issue.pk}", {"title": "X"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_similar_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/issues/similar" in paths and "/api/v1/search" in paths
