"""Drafting, adoption, answers, hearings, commitments, claims and verification; bad input and abuse."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from kenes.core.models import LogEntry
from kenes.issues.models import Problem
from kenes.meetings.models import Decision, MeetingKind
from kenes.recommendations import services
from kenes.recommendations.models import (
    Answer,
    Commitment,
    Evidence,
    Recommendation,
    RejectionReason,
    Response,
    Verification,
)
from kenes.recommendations.services import CommitmentInput, EvidenceInput

from .conftest import adopted_decision, on

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REASONS = "Бюджетте қаражат көзделмеген, 2027 жылғы бюджетке енгізу ұсынылады."


def commitment(day=date(2027, 3, 1)):
    return CommitmentInput("Пандустар орнату", "Денсаулық сақтау басқармасы", day)


def test_chair_signs_and_secretary_sends_starting_one_clock_per_body(
    council, secretary, chair, body, other_body, officer
):
    decision = adopted_decision(council, date(2026, 11, 2))
    with on(date(2026, 11, 2)):
        draft = services.recommendation_draft(
            council=council,
            title="Т",
            text="Мәтін",
            bodies=[body, other_body],
            decision=decision,
            acting_user=secretary,
        )
        with pytest.raises(PermissionDenied):
            services.recommendation_adopt(recommendation=draft, acting_user=secretary)
        services.recommendation_adopt(recommendation=draft, acting_user=chair)
        sent = services.recommendation_send(recommendation=draft, acting_user=secretary)
    assert sent.status == Recommendation.Status.SENT and sent.signed_by == chair
    assert sorted((d.body.code, d.due_on) for d in sent.dispatches.all()) == [
        ("min-energy", date(2026, 11, 16)),
        ("min-health", date(2026, 11, 16)),
    ]
    assert LogEntry.objects.filter(
        action="recommendations.recommendation.send", object_id=str(sent.pk)
    ).exists()


def test_adoption_follows_an_adopted_decision_of_the_council(council, secretary, chair, body):
    rejected = adopted_decision(council, date(2026, 11, 2), outcome=Decision.Outcome.REJECTED)
    draft = services.recommendation_draft(
        council=council, title="Т", text="М", bodies=[body], decision=rejected, acting_user=secretary
    )
    with pytest.raises(ValidationError, match="did not adopt"):
        services.recommendation_adopt(recommendation=draft, acting_user=chair)
    with pytest.raises(ValidationError):
        services.recommendation_send(recommendation=draft, acting_user=secretary)  # not adopted yet


def test_central_recommendation_from_a_national_problem_goes_to_several_bodies(
    coordinator, body, other_body, secretary
):
    from kenes.meetings.models import AgendaItem, Meeting

    problem = Problem.objects.create(title="Ауыл мектептерінде пандус жоқ", status=Problem.Status.CONFIRMED)
    meeting = Meeting.objects.create(
        kind=MeetingKind.COORDINATION, title_kk="Үйлестіру", starts_at="2026-11-02T10:00+05:00", status="held"
    )
    item = AgendaItem.objects.create(meeting=meeting, title="Пандустар")
    decision = Decision.objects.create(item=item, text="Жіберілсін", outcome=Decision.Outcome.ADOPTED)
    with pytest.raises(PermissionDenied):
        services.recommendation_draft(
            council=None, title="Т", text="М", bodies=[body], bases=[problem], acting_user=secretary
        )
    with on(date(2026, 11, 3)):
        central = services.recommendation_draft(
            council=None,
            title="Т",
            text="М",
            bodies=[body, other_body],
            decision=decision,
            bases=[problem],
            acting_user=coordinator,
        )
        services.recommendation_adopt(recommendation=central, acting_user=coordinator)
        services.recommendation_send(recommendation=central, acting_user=coordinator)
    assert central.dispatches.filter(due_on=date(2026, 11, 17)).count() == 2
    assert set(central.bases.values_list("kind", flat=True)) == {"decision", "problem"}


def test_stale_draft_edit_is_refused_not_lost(council, secretary, body):
    draft = services.recommendation_draft(
        council=council, title="Т", text="М", bodies=[body], acting_user=secretary
    )
    services.recommendation_update(
        recommendation=draft, title="Бірінші", text="М", version=1, acting_user=secretary
    )
    with pytest.raises(ValidationError, match="changed this draft"):
        services.recommendation_update(
            recommendation=draft, title="Екінші", text="М", version=1, acting_user=secretary
        )
    draft.refresh_from_db()
    assert (draft.title, draft.version) == ("Бірінші", 2)


def test_officer_of_other_body_cannot_answer(make_sent, other_officer, secretary):
    dispatch = make_sent(date(2026, 11, 2)).dispatches.get()
    for user in (other_officer, secretary):
        with on(date(2026, 11, 3)), pytest.raises(PermissionDenied):
            services.response_give(
                dispatch=dispatch,
                answer=Answer.ACCEPTED,
                text="Иә",
                commitments=[commitment()],
                acting_user=user,
            )


def test_accepting_requires_a_commitment(make_sent, officer):
    dispatch = make_sent(date(2026, 11, 2)).dispatches.get()
    with on(date(2026, 11, 3)):
        with pytest.raises(ValidationError, match="commitment"):
            services.response_give(
                dispatch=dispatch, answer=Answer.ACCEPTED, text="Қабылданды", acting_user=officer
            )
        with pytest.raises(ValidationError, match="past"):
            services.response_give(
                dispatch=dispatch,
                answer=Answer.PARTIALLY,
                text="Ішінара",
                acting_user=officer,
                commitments=[commitment(date(2026, 10, 1))],
            )
        response = services.response_give(
            dispatch=dispatch,
            answer=Answer.ACCEPTED,
            text="Қабылданды",
            commitments=[commitment()],
            acting_user=officer,
        )
        with pytest.raises(ValidationError, match="already answered"):
            services.response_give(
                dispatch=dispatch,
                answer=Answer.ACCEPTED,
                text="Тағы",
                commitments=[commitment()],
                acting_user=officer,
            )
    dispatch.refresh_from_db()
    assert (dispatch.answer, dispatch.answered_on, dispatch.working_days_taken) == (
        "accepted",
        date(2026, 11, 3),
        1,
    )
    assert response.commitments.get().original_promised_on == date(2027, 3, 1)


def test_rejection_without_reason_is_refused(make_sent, officer):
    dispatch = make_sent(date(2026, 11, 2)).dispatches.get()
    with on(date(2026, 11, 3)):
        with pytest.raises(ValidationError, match="reason code"):
            services.response_give(
                dispatch=dispatch, answer=Answer.REJECTED, text=REASONS, acting_user=officer
            )
        with pytest.raises(ValidationError, match="substantive"):
            services.response_give(
                dispatch=dispatch,
                answer=Answer.REJECTED,
                text="Жоқ.",
                reason_code=RejectionReason.NO_FUNDING,
                acting_user=officer,
            )
    assert not Response.objects.exists()


def test_rejection_needs_a_hearing_notified_three_working_days_ahead(make_sent, officer, council):
    dispatch = make_sent(date(2026, 12, 1)).dispatches.get()
    with on(date(2026, 12, 11)):  # Friday; Independence Day (Wed 16.12) does not count as notice
        with pytest.raises(ValidationError, match="15.12.2026|17.12.2026"):
            services.hearing_offer(
                dispatch=dispatch, held_on=date(2026, 12, 15), place="Онлайн", acting_user=officer
            )
        with pytest.raises(ValidationError, match="hearing"):
            services.response_give(
                dispatch=dispatch,
                answer=Answer.REJECTED,
                text=REASONS,
                reason_code=RejectionReason.NO_FUNDING,
                acting_user=officer,
            )
        assert services.earliest_hearing() == date(2026, 12, 17)  # 14, 15, 17
        hearing = services.hearing_offer(
            dispatch=dispatch, held_on=date(2026, 12, 17), place="Онлайн", acting_user=officer
        )
    with on(date(2026, 12, 16)), pytest.raises(ValidationError, match="hearing"):
        services.response_give(
            dispatch=dispatch,
            answer=Answer.REJECTED,
            text=REASONS,
            reason_code=RejectionReason.NO_FUNDING,
            acting_user=officer,
        )
    with on(
        date(
            2026,
            12,
            17,
        )
    ):
        services.hearing_record(hearing=hearing, outcome="Кеңес өз ұстанымын айтты.", acting_user=officer)
        response = services.response_give(
            dispatch=dispatch,
            answer=Answer.REJECTED,
            text=REASONS,
            reason_code=RejectionReason.NO_FUNDING,
            acting_user=officer,
        )
    assert response.hearing == hearing
    assert LogEntry.objects.filter(action="recommendations.hearing.offered").count() == 1


def test_clarification_is_asked_by_the_body_and_answered_by_the_council(
    make_sent, officer, secretary, other_officer
):
    dispatch = make_sent(date(2026, 11, 2)).dispatches.get()
    with on(date(2026, 11, 5)):
        with pytest.raises(PermissionDenied):
            services.clarification_request(dispatch=dispatch, question="?", acting_user=other_officer)
        question = services.clarification_request(
            dispatch=dispatch, question="Қай аудандар?", acting_user=officer
        )
        with pytest.raises(ValidationError, match="paused"):
            services.response_give(
                dispatch=dispatch,
                answer=Answer.ACCEPTED,
                text="Иә",
                commitments=[commitment()],
                acting_user=officer,
            )
        with pytest.raises(PermissionDenied):
            services.clarification_answer(clarification=question, answer="Барлығы", acting_user=officer)
        services.clarification_answer(clarification=question, answer="Барлық аудандар", acting_user=secretary)
    with on(date(2026, 11, 30)), pytest.raises(ValidationError, match="not yet due"):
        services.clarification_request(dispatch=dispatch, question="Тағы?", acting_user=officer)


def test_extension_is_approved_by_the_chair_with_a_reason(make_sent, officer, chair, secretary):
    dispatch = make_sent(date(2026, 11, 2)).dispatches.get()
    with on(date(2026, 11, 10)):
        for user in (officer, secretary):
            with pytest.raises(PermissionDenied):
                services.extension_grant(dispatch=dispatch, working_days=5, reason="x", acting_user=user)
        with pytest.raises(ValidationError, match="reason"):
            services.extension_grant(dispatch=dispatch, working_days=5, reason=" ", acting_user=chair)
        extension = services.extension_grant(
            dispatch=dispatch, working_days=5, reason="Сараптама", acting_user=chair
        )
    dispatch.refresh_from_db()
    assert extension.approved_by == chair and dispatch.due_on == date(2026, 11, 23)  # 16 + 17,18,19,20,23


def accepted_commitment(make_sent, officer) -> Commitment:
    dispatch = make_sent(date(2026, 11, 2)).dispatches.get()
    with on(date(2026, 11, 3)):
        services.response_give(
            dispatch=dispatch,
            answer=Answer.ACCEPTED,
            text="Қабылданды",
            commitments=[commitment()],
            acting_user=officer,
        )
    return dispatch.commitments.get()


def test_slips_are_recorded_and_a_stale_move_is_refused(make_sent, officer):
    item = accepted_commitment(make_sent, officer)
    with on(date(2026, 12, 1)):
        with pytest.raises(ValidationError, match="why"):
            services.commitment_move(
                commitment=item, promised_on=date(2027, 4, 1), reason="", version=1, acting_user=officer
            )
        services.commitment_move(
            commitment=item, promised_on=date(2027, 4, 1), reason="Мердігер", version=1, acting_user=officer
        )
        with pytest.raises(ValidationError, match="meanwhile"):
            services.commitment_move(
                commitment=item, promised_on=date(2027, 5, 1), reason="Тағы", version=1, acting_user=officer
            )
        services.commitment_move(
            commitment=item, promised_on=date(2027, 5, 1), reason="Тағы", version=2, acting_user=officer
        )
    item.refresh_from_db()
    assert item.promised_on == date(2027, 5, 1) and item.original_promised_on == date(2027, 3, 1)
    assert [(s.from_date, s.to_date) for s in item.slips.all()] == [
        (date(2027, 3, 1), date(2027, 4, 1)),
        (date(2027, 4, 1), date(2027, 5, 1)),
    ]


def test_claim_and_dispute_both_stay_visible_until_confirmed(make_sent, officer, secretary):
    item = accepted_commitment(make_sent, officer)
    with on(date(2027, 2, 1)):
        with pytest.raises(ValidationError, match="evidence"):
            services.implementation_claim(commitment=item, text="Орнатылды", evidence=[], acting_user=officer)
        services.implementation_claim(
            commitment=item,
            text="Орнатылды",
            evidence=[EvidenceInput(Evidence.Kind.PHOTO, "Пандус", SimpleUploadedFile("ramp.png", PNG))],
            acting_user=officer,
        )
        with pytest.raises(ValidationError, match="own evidence"):
            services.implementation_verify(
                commitment=item, verdict="disputed", text="Жоқ", acting_user=secretary
            )
        services.implementation_verify(
            commitment=item,
            verdict="disputed",
            text="Пандус тым тік",
            evidence=[EvidenceInput(Evidence.Kind.LINK, url="https://example.kz/photo")],
            acting_user=secretary,
        )
    item.refresh_from_db()
    assert item.status == Commitment.Status.DISPUTED
    with on(date(2027, 2, 15)):
        services.implementation_claim(
            commitment=item,
            text="Қайта жасалды",
            evidence=[EvidenceInput(Evidence.Kind.DOCUMENT, "Акт", SimpleUploadedFile("act.pdf", PDF))],
            acting_user=officer,
        )
        services.implementation_verify(
            commitment=item, verdict="confirmed", text="Расталды", acting_user=secretary
        )
    item.refresh_from_db()
    assert (item.status, item.verified_on) == (Commitment.Status.VERIFIED, date(2027, 2, 15))
    assert item.claims.count() == 2 and list(item.verifications.values_list("verdict", flat=True)) == [
        "disputed",
        "confirmed",
    ]


def test_evidence_uploads_are_checked_by_content_and_size(make_sent, officer):
    item = accepted_commitment(make_sent, officer)
    fake_photo = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image")
    with on(date(2027, 2, 1)):
        with pytest.raises(ValidationError, match="not accepted"):
            services.implementation_claim(
                commitment=item,
                text="x",
                evidence=[EvidenceInput(Evidence.Kind.PHOTO, file=fake_photo)],
                acting_user=officer,
            )
        with pytest.raises(ValidationError, match="not accepted"):  # a PDF is no photo
            services.implementation_claim(
                commitment=item,
                text="x",
                evidence=[EvidenceInput(Evidence.Kind.PHOTO, file=SimpleUploadedFile("a.png", PDF))],
                acting_user=officer,
            )
        with override_settings(KENES_UPLOAD_MAX_BYTES=10), pytest.raises(ValidationError, match="larger"):
            services.implementation_claim(
                commitment=item,
                text="x",
                evidence=[EvidenceInput(Evidence.Kind.DOCUMENT, file=SimpleUploadedFile("a.pdf", PDF))],
                acting_user=officer,
            )
        with pytest.raises(ValidationError, match="http"):
            services.implementation_claim(
                commitment=item,
                text="x",
                evidence=[EvidenceInput(Evidence.Kind.LINK, url="javascript:alert(1)")],
                acting_user=officer,
            )
    item.refresh_from_db()
    assert item.status == Commitment.Status.PLANNED and not Evidence.objects.exists()


def test_answer_cannot_be_edited_after_the_council_verified_a_correction_is_a_new_event(
    make_sent, officer, secretary
):
    item = accepted_commitment(make_sent, officer)
    response = item.dispatch.responses.get()
    with on(date(2026, 11, 4)):
        response = services.response_edit(
            response=response, text="Қабылданды, 2027 жылы", version=1, acting_user=officer
        )
    with on(date(2027, 2, 1)):
        services.implementation_claim(
            commitment=item,
            text="Орнатылды",
            evidence=[EvidenceInput(Evidence.Kind.LINK, url="https://gov.kz/a")],
            acting_user=officer,
        )
        services.implementation_verify(commitment=item, verdict="confirmed", text="Иә", acting_user=secretary)
        with pytest.raises(ValidationError, match="verified"):
            services.response_edit(
                response=response, text="Басқа мәтін", version=response.version, acting_user=officer
            )
        correction = services.response_correct(
            response=response,
            answer=Answer.PARTIALLY,
            text="Ішінара: тек мектептерде",
            acting_user=officer,
            commitments=[commitment(date(2027, 6, 1))],
        )
    dispatch = item.dispatch
    dispatch.refresh_from_db()
    assert correction.supersedes == response and dispatch.answer == Answer.PARTIALLY
    assert dispatch.answered_on == date(2026, 11, 3)  # the first answer still counts for timeliness
    assert list(dispatch.responses.values_list("text", flat=True)) == [
        "Қабылданды, 2027 жылы",
        "Ішінара: тек мектептерде",
    ]
    assert Verification.objects.count() == 1


def test_stale_answer_edit_is_refused(make_sent, officer):
    item = accepted_commitment(make_sent, officer)
    response = item.dispatch.responses.get()
    services.response_edit(response=response, text="Бірінші түзету", version=1, acting_user=officer)
    with pytest.raises(ValidationError, match="meanwhile"):
        services.response_edit(response=response, text="Екінші түзету", version=1, acting_user=officer)
    response.refresh_from_db()
    assert response.text == "Бірінші түзету"


def test_every_write_is_in_the_audit_log(make_sent, officer, secretary):
    item = accepted_commitment(make_sent, officer)
    actions = set(LogEntry.objects.values_list("action", flat=True))
    assert {
        "recommendations.recommendation.drafted",
        "recommendations.recommendation.adopt",
        "recommendations.recommendation.send",
        "recommendations.response.given",
    } <= actions
    assert item.dispatch.responses.get().responded_by == officer


def test_more_commitments_only_on_an_accepted_answer_and_only_by_the_body(make_sent, officer, secretary):
    item = accepted_commitment(make_sent, officer)
    with on(date(2026, 11, 10)):
        with pytest.raises(PermissionDenied):
            services.commitment_add(
                dispatch=item.dispatch,
                action="x",
                responsible_unit="y",
                promised_on=date(2027, 1, 1),
                acting_user=secretary,
            )
        extra = services.commitment_add(
            dispatch=item.dispatch,
            action="Оқыту",
            responsible_unit="Кадр қызметі",
            promised_on=date(2027, 1, 1),
            acting_user=officer,
        )
    assert extra.original_promised_on == date(2027, 1, 1) and item.dispatch.commitments.count() == 2


def test_a_draft_is_withdrawn_with_a_reason_and_a_sent_one_cannot_be(make_sent, council, secretary, body):
    draft = services.recommendation_draft(
        council=council, title="Т", text="М", bodies=[body], acting_user=secretary
    )
    with pytest.raises(ValidationError):
        services.recommendation_withdraw(recommendation=draft, reason=" ", acting_user=secretary)
    assert services.recommendation_withdraw(
        recommendation=draft, reason="Қайталанды", acting_user=secretary
    ).status == (Recommendation.Status.WITHDRAWN)
    sent = make_sent(date(2026, 11, 2))
    with pytest.raises(ValidationError, match="cannot be done"):
        services.recommendation_withdraw(recommendation=sent, reason="x", acting_user=secretary)
