"""`/api/v1/recommendations`: public reading, and a body's own system posting answers with its token."""

from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client

from kenes.recommendations import services
from kenes.recommendations.models import BodyToken, Response

from .conftest import on

pytestmark = pytest.mark.django_db

ACCEPT = {
    "answer": "accepted",
    "text": "Қабылданды",
    "commitments": [{"action": "Пандус орнату", "responsible_unit": "Басқарма", "promised_on": "2027-03-01"}],
}


@pytest.fixture
def token(body, officer, coordinator):
    _token, raw = services.body_token_create(
        body=body, name="e-Otinish", officer=officer, acting_user=coordinator
    )
    return raw


def post(dispatch, payload, raw=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"} if raw else {}
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the messages asserted below are English
    return client.post(
        f"/api/v1/recommendations/dispatches/{dispatch.pk}/response",
        payload,
        content_type="application/json",
        **headers,
    )


def test_only_the_coordination_centre_creates_tokens_and_only_hashes_are_kept(
    body, officer, secretary, token
):
    with pytest.raises(PermissionDenied):
        services.body_token_create(body=body, name="x", officer=officer, acting_user=secretary)
    stored = BodyToken.objects.get()
    assert stored.token_hash == BodyToken.hash(token) and token not in (stored.prefix, stored.token_hash)


def test_body_system_posts_an_answer_with_its_token(make_sent, token, officer):
    dispatch = make_sent(date(2026, 11, 2)).dispatches.get()
    with on(date(2026, 11, 3)):
        answer = post(dispatch, ACCEPT, token)
    assert answer.status_code == 201, answer.content
    assert answer.json()["on_time"] is True
    saved = Response.objects.get()
    assert (saved.channel, saved.responded_by, saved.commitments.count()) == ("api", officer, 1)


def test_token_of_another_body_is_refused(make_sent, other_body, other_officer, coordinator):
    _t, raw = services.body_token_create(
        body=other_body, name="x", officer=other_officer, acting_user=coordinator
    )
    dispatch = make_sent(date(2026, 11, 2)).dispatches.get()
    with on(date(2026, 11, 3)):
        assert post(dispatch, ACCEPT, raw).status_code == 403
    assert not Response.objects.exists()


def test_missing_wrong_or_revoked_token_is_a_401(make_sent, token, coordinator):
    dispatch = make_sent(date(2026, 11, 2)).dispatches.get()
    with on(date(2026, 11, 3)):
        assert post(dispatch, ACCEPT).status_code == 401
        assert post(dispatch, ACCEPT, "kbt_wrong").status_code == 401
        services.body_token_revoke(token=BodyToken.objects.get(), acting_user=coordinator)
        assert post(dispatch, ACCEPT, token).status_code == 401


def test_the_api_keeps_the_rules_of_the_web_form(make_sent, token):
    dispatch = make_sent(date(2026, 11, 2)).dispatches.get()
    with on(date(2026, 11, 3)):
        rejection = post(dispatch, {"answer": "rejected", "text": "Жоқ", "reason_code": "other"}, token)
        assert rejection.status_code == 400 and "substantive" in rejection.json()["detail"]
        assert post(dispatch, {"answer": "accepted", "text": "Иә"}, token).status_code == 400
        assert post(dispatch, {"answer": "maybe", "text": "Иә"}, token).status_code == 422
        assert (
            post(dispatch, {"answer": "not_competent", "text": "x", "redirect_to": "nope"}, token).status_code
            == 400
        )
    assert not Response.objects.exists()


def test_public_reads_sent_recommendations_with_their_clocks(make_sent, council, secretary, body):
    sent = make_sent(date(2026, 11, 2))
    draft = services.recommendation_draft(
        council=council, title="Жоба", text="М", bodies=[body], acting_user=secretary
    )
    client = Client()
    with on(date(2026, 11, 17)):
        listing = client.get("/api/v1/recommendations", {"council": council.code}).json()
        detail = client.get(f"/api/v1/recommendations/{sent.pk}").json()
        assert client.get(f"/api/v1/recommendations/{draft.pk}").status_code == 404
        assert client.get("/api/v1/recommendations", {"body": "no-such-body"}).status_code == 404
    assert [item["id"] for item in listing["items"]] == [sent.pk]
    assert detail["dispatches"][0]["clock"] == "overdue" and detail["dispatches"][0]["due_on"] == "2026-11-16"
    assert "16.11.2026" in detail["dispatches"][0]["due_explanation"][-1]


def test_coordinator_creates_a_token_in_the_admin_and_sees_it_once(body, officer, coordinator):
    coordinator.is_staff = True
    coordinator.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(coordinator)
    page = client.post(
        "/admin/recommendations/bodytoken/add/",
        {"body": body.pk, "name": "e-Otinish", "acting_user": officer.pk},
        follow=True,
    )
    assert page.status_code == 200
    token = BodyToken.objects.get()
    shown = [str(m) for m in page.context["messages"]]
    raw = next(word for m in shown for word in m.split() if word.startswith("kbt_"))
    assert BodyToken.hash(raw) == token.token_hash and token.created_by == coordinator
