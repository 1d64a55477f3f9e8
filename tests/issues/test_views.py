"""Pages of the problems database: reading, filing, submitting, moderating, national problems."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kenes.core.models import Role
from kenes.issues.models import Issue, IssueLink, Problem
from tests.factories import IssueFactory, LocalCouncilFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return LocalCouncilFactory()


def sign_in(client, user):
    client.force_login(user)
    return client


def test_public_pages_render_and_escape_user_text(client):
    problem = Problem.objects.create(title="Ұлттық <b>мәселе</b>", status=Problem.Status.CONFIRMED)
    issue = IssueFactory(title="<script>alert(1)</script> жол", problem=problem)
    for url in (
        reverse("issues:list"),
        reverse("issues:list") + "?q=жол",
        reverse("issues:detail", args=[issue.pk]),
        reverse("issues:problems"),
        reverse("issues:problem", args=[problem.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<script>alert(1)</script>" not in response.content
        assert b"<b>" not in response.content


def test_pending_and_spam_issues_are_hidden_from_the_public(client, council, user_with_role):
    pending = IssueFactory(council=council, status=Issue.Status.PENDING)
    assert client.get(reverse("issues:detail", args=[pending.pk])).status_code == 404
    secretary = user_with_role(Role.COUNCIL_SECRETARY, council)
    assert sign_in(client, secretary).get(reverse("issues:detail", args=[pending.pk])).status_code == 200


def test_member_files_an_issue_and_is_sent_to_its_page(client, council, user_with_role):
    member = user_with_role(Role.COUNCIL_MEMBER, council)
    sign_in(client, member)
    url = reverse("issues:file", args=[council.code])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"title": "Жол жөнделмеген", "description": "Көшедегі жол бес жыл жөнделмеген.", "language": "kk"},
    )
    issue = Issue.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("issues:detail", args=[issue.pk])


def test_bad_input_keeps_what_was_typed(client, council, user_with_role):
    member = user_with_role(Role.COUNCIL_MEMBER, council)
    sign_in(client, member)
    response = client.post(
        reverse("issues:file", args=[council.code]),
        {"title": "Жол жөнделмеген", "description": "😀😀😀", "language": "kk"},
    )
    assert response.status_code == 400
    assert "Жол жөнделмеген" in response.content.decode()
    assert not Issue.objects.exists()


def test_member_of_another_council_gets_403_on_the_filing_page(client, council, user_with_role):
    sign_in(client, user_with_role(Role.COUNCIL_MEMBER, LocalCouncilFactory()))
    assert client.get(reverse("issues:file", args=[council.code])).status_code == 403


def test_citizen_submits_and_the_honeypot_stores_nothing(client, council):
    url = reverse("issues:submit", args=[council.code])
    data = {
        "title": "Балалар алаңы бұзылған",
        "description": "Ауладағы балалар алаңы бұзылған, балалар жарақат алуы мүмкін.",
        "language": "kk",
        "name": "Айжан",
        "email": "aizhan@example.kz",
        "consent": "on",
    }
    response = client.post(url, {**data, "website": "http://spam.example"})
    assert response.status_code == 200 and not Issue.objects.exists()
    response = client.post(url, data)
    assert response.status_code == 200
    issue = Issue.objects.get()
    assert issue.status == Issue.Status.PENDING and issue.source == Issue.Source.CITIZEN
    assert issue.submitter_fingerprint and issue.submitter_email == "aizhan@example.kz"


def test_submission_without_consent_keeps_the_text(client, council):
    response = client.post(
        reverse("issues:submit", args=[council.code]),
        {
            "title": "Алаң",
            "description": "Алаң бұзылған.",
            "language": "kk",
            "name": "А",
            "email": "a@example.kz",
        },
    )
    assert response.status_code == 400
    assert "Алаң бұзылған." in response.content.decode()


def test_moderation_queue_is_for_the_councils_staff(client, council, user_with_role):
    pending = IssueFactory(council=council, status=Issue.Status.PENDING, title="Күтудегі өтініш")
    url = reverse("issues:moderation", args=[council.code])
    sign_in(client, user_with_role(Role.COUNCIL_MEMBER, council))
    assert client.get(url).status_code == 403
    secretary = user_with_role(Role.COUNCIL_SECRETARY, council)
    sign_in(client, secretary)
    assert "Күтудегі өтініш" in client.get(url).content.decode()
    response = client.post(reverse("issues:transition", args=[pending.pk]), {"action": "accept", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    pending.refresh_from_db()
    assert pending.status == Issue.Status.NEW


def test_transition_redirect_never_leaves_the_site(client, council, user_with_role):
    issue = IssueFactory(council=council)
    sign_in(client, user_with_role(Role.COUNCIL_SECRETARY, council))
    response = client.post(
        reverse("issues:transition", args=[issue.pk]), {"action": "review", "next": "//evil.example/"}
    )
    assert response["Location"] == reverse("issues:detail", args=[issue.pk])


def test_staff_link_and_unlink_from_the_page(client, council, user_with_role):
    mine, theirs = IssueFactory(council=council), IssueFactory()
    sign_in(client, user_with_role(Role.COUNCIL_SECRETARY, council))
    client.post(reverse("issues:link", args=[mine.pk]), {"target": theirs.pk, "kind": "same"})
    link = IssueLink.objects.get()
    page = client.get(reverse("issues:detail", args=[mine.pk])).content.decode()
    assert f"№{theirs.pk}" in page
    client.post(reverse("issues:unlink", args=[mine.pk, link.pk]))
    assert not IssueLink.objects.exists()


def test_coordinator_confirms_a_proposal_from_its_page(client, user_with_role):
    coordinator = user_with_role(Role.COORDINATOR)
    problem = Problem.objects.create(title="Ұсыныс", status=Problem.Status.PROPOSED)
    IssueFactory(problem=problem)
    assert (
        client.get(reverse("issues:problem", args=[problem.pk])).status_code == 404
    )  # proposals are internal
    sign_in(client, coordinator)
    response = client.post(
        reverse("issues:problem", args=[problem.pk]), {"action": "edit", "title": "", "summary": "Қорытынды"}
    )
    assert response.status_code == 400 and "Қорытынды" in response.content.decode()
    response = client.post(
        reverse("issues:problem", args=[problem.pk]),
        {"action": "edit", "title": "Ауыз су", "summary": "Қорытынды"},
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == Problem.Status.CONFIRMED


@pytest.mark.parametrize("rows", [3, 30])
def test_list_and_detail_query_counts_do_not_grow_with_rows(client, rows):
    problem = Problem.objects.create(title="Мәселе", status=Problem.Status.CONFIRMED)
    issues = [IssueFactory(problem=problem) for _ in range(rows)]
    pages = [reverse("issues:list"), reverse("issues:problem", args=[problem.pk]), reverse("issues:problems")]
    counts = []
    for url in pages:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    # The same bound at both sizes: the count does not depend on the number of rows.
    assert counts[0] <= 16 and counts[1] <= 10 and counts[2] <= 8, counts
    assert issues


def test_similar_fragment_answers_without_text(client):
    response = client.get(reverse("issues:similar"))
    assert response.status_code == 200
