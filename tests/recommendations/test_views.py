"""Pages: the public recommendation page with its clock, the task lists, the answer and verification forms."""

from datetime import date

import pytest
from django.test import Client

from kenes.recommendations import services
from kenes.recommendations.models import Answer, Response
from kenes.recommendations.services import CommitmentInput, EvidenceInput

from .conftest import on

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_public_page_shows_the_clock_how_it_was_computed_and_the_ladder(make_sent):
    recommendation = make_sent(date(2026, 3, 13))
    with on(date(2026, 4, 2)):
        page = Client().get(f"/recommendations/{recommendation.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert "01.04.2026" in text and "23.03.2026" in text  # due date and a skipped Nauryz day
    assert "20.03.2026" in text and "15.04.2026" in text  # the ladder: five days before, long overdue


def test_draft_is_not_public(council, secretary, body):
    draft = services.recommendation_draft(
        council=council, title="Жоба", text="М", bodies=[body], acting_user=secretary
    )
    assert Client().get(f"/recommendations/{draft.pk}/").status_code == 404
    assert signed_in(secretary).get(f"/recommendations/{draft.pk}/").status_code == 200


def test_officer_sees_tasks_by_urgency_and_answers_through_the_form(make_sent, officer, other_officer):
    late = make_sent(date(2026, 11, 2), title="Ерте жіберілген")
    fresh = make_sent(date(2026, 11, 16), title="Жаңа")
    with on(date(2026, 11, 18)):
        tasks = signed_in(officer).get("/recommendations/tasks/body/").content.decode()
        assert tasks.index("Ерте жіберілген") < tasks.index("Жаңа")  # overdue first
        assert "Жаңа" not in signed_in(other_officer).get("/recommendations/tasks/body/").content.decode()
        dispatch = fresh.dispatches.get()
        url = f"/recommendations/dispatch/{dispatch.pk}/answer/"
        assert signed_in(other_officer).get(url).status_code == 403
        refused = signed_in(officer).post(url, {"answer": "rejected", "text": "Жоқ", "reason_code": "other"})
        assert refused.status_code == 200 and not Response.objects.exists()
        done = signed_in(officer).post(
            url,
            {
                "answer": "accepted",
                "text": "Қабылданды",
                "action_1": "Пандус",
                "unit_1": "Басқарма",
                "promised_1": "2027-03-01",
            },
        )
    assert done.status_code == 302
    assert Response.objects.get().dispatch == dispatch and late.dispatches.get().answered_on is None


def test_secretary_verifies_a_claim_through_the_form(make_sent, officer, secretary, other_officer):
    dispatch = make_sent(date(2026, 11, 2)).dispatches.get()
    with on(date(2026, 11, 3)):
        services.response_give(
            dispatch=dispatch,
            answer=Answer.ACCEPTED,
            text="Иә",
            acting_user=officer,
            commitments=[CommitmentInput("Пандус", "Басқарма", date(2027, 3, 1))],
        )
    item = dispatch.commitments.get()
    with on(date(2027, 2, 1)):
        services.implementation_claim(
            commitment=item,
            text="Орнатылды",
            evidence=[EvidenceInput("link", url="https://gov.kz/a")],
            acting_user=officer,
        )
        assert "Пандус" in signed_in(secretary).get("/recommendations/tasks/council/").content.decode()
        assert (
            signed_in(other_officer).get(f"/recommendations/commitment/{item.pk}/verify/").status_code == 403
        )
        response = signed_in(secretary).post(
            f"/recommendations/commitment/{item.pk}/verify/", {"verdict": "confirmed", "text": "Тексерілді"}
        )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "verified"


def test_small_actions_have_pages_that_check_permission_and_call_the_services(
    make_sent, officer, secretary, chair
):
    recommendation = make_sent(date(2026, 11, 2))
    dispatch = recommendation.dispatches.get()
    with on(date(2026, 11, 5)):
        page = signed_in(officer).get(f"/recommendations/{recommendation.pk}/").content.decode()
        assert "/recommendations/clarification_request/" in page and "/recommendations/extension/" not in page
        assert (
            signed_in(secretary).get(f"/recommendations/clarification_request/{dispatch.pk}/").status_code
            == 403
        )
        assert signed_in(officer).get(f"/recommendations/bogus/{dispatch.pk}/").status_code == 404
        asked = signed_in(officer).post(
            f"/recommendations/clarification_request/{dispatch.pk}/", {"question": "Қай аудандар?"}
        )
        assert asked.status_code == 302
        question = dispatch.clarifications.get()
        clarified = signed_in(secretary).post(
            f"/recommendations/clarification_answer/{question.pk}/", {"answer": "Барлығы"}
        )
        assert clarified.status_code == 302
        early = signed_in(officer).post(
            f"/recommendations/hearing/{dispatch.pk}/", {"held_on": "2026-11-06", "place": "Онлайн"}
        )
        assert early.status_code == 200 and "at least 3 working days" in early.content.decode()
        extended = signed_in(chair).post(
            f"/recommendations/extension/{dispatch.pk}/", {"working_days": 2, "reason": "Сараптама"}
        )
    assert extended.status_code == 302
    dispatch.refresh_from_db()
    assert dispatch.due_on == date(2026, 11, 18)  # a same-day clarification costs nothing: 16.11 + 2


def test_claim_and_move_pages_check_uploads_and_versions(make_sent, officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    dispatch = make_sent(date(2026, 11, 2)).dispatches.get()
    with on(date(2026, 11, 3)):
        services.response_give(
            dispatch=dispatch,
            answer=Answer.ACCEPTED,
            text="Иә",
            acting_user=officer,
            commitments=[CommitmentInput("Пандус", "Басқарма", date(2027, 3, 1))],
        )
    item = dispatch.commitments.get()
    with on(date(2026, 12, 1)):
        client = signed_in(officer)  # signed in on the day: sessions expire
        stale = client.post(
            f"/recommendations/move/{item.pk}/",
            {"promised_on": "2027-04-01", "reason": "Мердігер", "version": 9},
        )
        assert stale.status_code == 200 and "meanwhile" in stale.content.decode()
        moved = client.post(
            f"/recommendations/move/{item.pk}/",
            {"promised_on": "2027-04-01", "reason": "Мердігер", "version": 1},
        )
        assert moved.status_code == 302
        fake = SimpleUploadedFile("act.pdf", b"MZ\x90\x00 executable")
        refused = client.post(
            f"/recommendations/claim/{item.pk}/",
            {"text": "Жасалды", "evidence_kind": "document", "evidence_file": fake},
        )
        assert refused.status_code == 200 and "not accepted" in refused.content.decode()
        pdf = SimpleUploadedFile("act.pdf", b"%PDF-1.4\n%%EOF\n")
        claimed = client.post(
            f"/recommendations/claim/{item.pk}/",
            {"text": "Жасалды", "evidence_kind": "document", "evidence_file": pdf},
        )
    assert claimed.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.promised_on, item.slips.count()) == ("claimed", date(2027, 4, 1), 1)
    assert item.claims.get().evidence.get().content_type == "application/pdf"
