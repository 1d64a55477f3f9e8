"""The meeting workflow, agenda deadline, quorum and votes, minutes, series editing."""

from datetime import date, time

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from kenes.core.models import LogEntry, Role
from kenes.meetings import selectors, services
from kenes.meetings.models import Attendance, Decision, Meeting, MeetingKind, MeetingSeries
from tests.factories import CouncilFactory
from tests.meetings.conftest import add_item, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel("2026-12-01 09:00 +05:00", tick=False):
        yield


def publish(meeting, user):
    return services.meeting_transition(meeting=meeting, name="publish_agenda", acting_user=user)


def mark_present(meeting, count, user):
    rows = list(meeting.attendance.order_by("pk"))
    marks = {
        row.pk: (Attendance.Presence.IN_PERSON if n < count else Attendance.Presence.ABSENT, "іссапар")
        for n, row in enumerate(rows)
    }
    services.attendance_record(meeting=meeting, marks=marks, acting_user=user)


def test_agenda_cannot_be_published_empty(sitting, secretary):
    with pytest.raises(ValidationError):
        publish(sitting, secretary)


def test_publishing_in_time_invites_every_member_and_is_not_late(sitting, secretary):
    add_item(sitting, secretary)
    meeting = publish(sitting, secretary)
    assert meeting.status == Meeting.Status.AGENDA_PUBLISHED
    assert meeting.attendance.count() == 15
    deadline = selectors.agenda_deadline(meeting)
    assert deadline.due == date(2026, 12, 8) and deadline.late is False
    entry = LogEntry.objects.get(action="meetings.meeting.publish_agenda", object_id=str(meeting.pk))
    assert entry.data["late"] is False


def test_late_agenda_is_detected_and_recorded(sitting, secretary):
    add_item(sitting, secretary)
    with time_machine.travel("2026-12-09 12:00 +05:00", tick=False):
        meeting = publish(sitting, secretary)
        deadline = selectors.agenda_deadline(meeting)
    assert deadline.late is True and deadline.working_days_before == 2
    assert LogEntry.objects.get(action="meetings.meeting.publish_agenda").data["late"] is True


def test_unpublished_agenda_after_the_deadline_is_late(sitting):
    assert selectors.agenda_deadline(sitting, today=date(2026, 12, 9)).late is True
    assert selectors.agenda_deadline(sitting, today=date(2026, 12, 8)).late is False


def test_agenda_deadline_counts_working_days_across_independence_day(council, secretary, members):
    meeting = services.meeting_create(
        data={
            "title_kk": "Отырыс",
            "kind": MeetingKind.SITTING,
            "council": council,
            "starts_at": at(date(2026, 12, 18)),
        },
        councils=[council],
        acting_user=secretary,
    )
    # 18 (Fri), 17, 15 count; 16 December is Independence Day → due Monday 14 December.
    assert selectors.agenda_deadline(meeting).due == date(2026, 12, 14)


def test_quorum_is_two_thirds_of_invited_members(sitting, secretary):
    add_item(sitting, secretary)
    meeting = publish(sitting, secretary)
    mark_present(meeting, 9, secretary)
    quorum = selectors.quorum(meeting)
    assert (quorum.invited, quorum.present, quorum.required, quorum.met) == (15, 9, 10, False)
    mark_present(meeting, 10, secretary)
    assert selectors.quorum(meeting).met is True


def test_no_decision_without_quorum(sitting, secretary):
    item = add_item(sitting, secretary)
    meeting = publish(sitting, secretary)
    mark_present(meeting, 5, secretary)
    with translation.override("en"), pytest.raises(ValidationError, match="quorum"):
        services.decision_record(
            item=item,
            text="Қабылдансын",
            votes_for=5,
            votes_against=0,
            votes_abstained=0,
            basis_for_recommendations=False,
            acting_user=secretary,
        )


def test_votes_cannot_exceed_present_members_and_outcome_follows_majority(sitting, secretary):
    item = add_item(sitting, secretary)
    meeting = publish(sitting, secretary)
    mark_present(meeting, 12, secretary)
    with pytest.raises(ValidationError):
        services.decision_record(
            item=item,
            text="Қабылдансын",
            votes_for=10,
            votes_against=2,
            votes_abstained=1,
            basis_for_recommendations=False,
            acting_user=secretary,
        )
    decision = services.decision_record(
        item=item,
        text="Қабылдансын",
        votes_for=7,
        votes_against=3,
        votes_abstained=2,
        basis_for_recommendations=True,
        acting_user=secretary,
    )
    assert decision.outcome == Decision.Outcome.ADOPTED
    decision = services.decision_record(
        item=item,
        text="Қабылдансын",
        votes_for=6,
        votes_against=5,
        votes_abstained=1,
        basis_for_recommendations=True,
        acting_user=secretary,
    )
    assert decision.outcome == Decision.Outcome.REJECTED  # 6 is not more than half of 12 present


def test_minutes_are_approved_by_the_chair_and_filed_as_pdf(sitting, secretary, chair):
    from io import BytesIO

    from pypdf import PdfReader

    item = add_item(sitting, secretary, "Әлеуметтік нысандардың қолжетімділігі")
    meeting = publish(sitting, secretary)
    mark_present(meeting, 11, secretary)
    services.decision_record(
        item=item,
        text="Ұсынымдар әкімдікке жіберілсін",
        votes_for=11,
        votes_against=0,
        votes_abstained=0,
        basis_for_recommendations=True,
        acting_user=secretary,
    )
    with pytest.raises(ValidationError):  # not before the meeting's day
        services.meeting_transition(meeting=meeting, name="hold", acting_user=secretary)
    with time_machine.travel("2026-12-11 13:00 +05:00", tick=False):
        meeting = services.meeting_transition(meeting=meeting, name="hold", acting_user=secretary)
    with pytest.raises(PermissionDenied):
        services.meeting_transition(meeting=meeting, name="approve_minutes", acting_user=secretary)
    meeting = services.meeting_transition(meeting=meeting, name="approve_minutes", acting_user=chair)
    assert meeting.status == Meeting.Status.MINUTES_APPROVED
    pdf = meeting.minutes.pdf.read()
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    assert "Әлеуметтік нысандардың қолжетімділігі" in text and "Ұсынымдар әкімдікке жіберілсін" in text


def test_cancel_needs_a_reason_and_closes_the_meeting(sitting, secretary):
    with pytest.raises(ValidationError):
        services.meeting_transition(meeting=sitting, name="cancel", acting_user=secretary)
    meeting = services.meeting_transition(
        meeting=sitting, name="cancel", reason="Карантин", acting_user=secretary
    )
    assert meeting.status == Meeting.Status.CANCELLED and meeting.ical_sequence == 1
    with pytest.raises(ValidationError):
        services.meeting_transition(meeting=meeting, name="publish_agenda", acting_user=secretary)


def test_secretary_of_another_council_cannot_manage(sitting, user_with_role):
    stranger = user_with_role(Role.COUNCIL_SECRETARY, CouncilFactory())
    with pytest.raises(PermissionDenied):
        add_item(sitting, stranger)
    with pytest.raises(PermissionDenied):
        services.meeting_transition(meeting=sitting, name="cancel", reason="x", acting_user=stranger)


def test_member_proposes_and_secretary_declines_with_reason(sitting, secretary, council, user_with_role):
    member = user_with_role(Role.COUNCIL_MEMBER, council)
    item = services.agenda_item_propose(meeting=sitting, data={"title": "Жол жөндеу"}, acting_user=member)
    with pytest.raises(ValidationError):
        services.agenda_item_decide(item=item, accept=False, reason="", acting_user=secretary)
    services.agenda_item_decide(item=item, accept=False, reason="Келесі отырысқа", acting_user=secretary)
    item.refresh_from_db()
    assert item.status == "declined"


def test_rescheduling_detaches_the_occurrence_and_bumps_the_sequence(sitting, secretary):
    moved = services.meeting_reschedule(
        meeting=sitting, starts_at=at(date(2026, 12, 15), 15), reason="Зал бос емес", acting_user=secretary
    )
    assert moved.detached and moved.ical_sequence == 1 and moved.moved_from == at(date(2026, 12, 11))
    with pytest.raises(ValidationError):
        services.meeting_reschedule(
            meeting=moved, starts_at=at(date(2026, 1, 1)), reason="x", acting_user=secretary
        )


def test_meeting_quorum_above_the_membership_is_refused(council):
    meeting = Meeting(
        kind=MeetingKind.SITTING,
        council=council,
        title_kk="x",
        starts_at=at(date(2026, 12, 20)),
        quorum_numerator=4,
        quorum_denominator=3,
    )
    with pytest.raises(ValidationError):
        meeting.full_clean()


SERIES = {
    "title_kk": "Тоқсандық отырыс",
    "kind": MeetingKind.SITTING,
    "cadence_kind": "monthly_weekday",
    "interval": 1,
    "weekday": 3,
    "week": 2,
    "starts_on": date(2026, 12, 1),
    "start_time": time(11, 0),
    "duration_minutes": 90,
}


def test_series_generates_occurrences_on_working_days(council, secretary):
    series = services.series_create(
        data={**SERIES, "council": council}, councils=[council], acting_user=secretary
    )
    dates = [timezone.localtime(m.starts_at).date() for m in series.meetings.order_by("starts_at")]
    assert dates[0] == date(2026, 12, 10) and len(dates) >= 12
    assert all(timezone.localtime(m.starts_at).time() == time(11, 0) for m in series.meetings.all())
    assert services.series_generate(series=series) == 0  # idempotent


def test_impossible_series_is_refused(council, secretary):
    with pytest.raises(ValidationError) as refused:
        services.series_create(
            data={**SERIES, "council": council, "interval": 0}, councils=[council], acting_user=secretary
        )
    assert "interval" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.series_create(
            data={**SERIES, "council": council, "ends_on": date(2026, 1, 1)},
            councils=[council],
            acting_user=secretary,
        )
    assert not MeetingSeries.objects.exists()


def test_editing_a_series_changes_future_untouched_occurrences_only(council, secretary):
    series = services.series_create(
        data={**SERIES, "council": council}, councils=[council], acting_user=secretary
    )
    first, second = series.meetings.order_by("starts_at")[:2]
    moved = services.meeting_reschedule(
        meeting=second, starts_at=at(date(2027, 1, 20), 9), reason="Мереке", acting_user=secretary
    )
    with time_machine.travel("2026-12-20 09:00 +05:00", tick=False):  # the first occurrence is now past
        services.series_update(
            series=series, data={"start_time": time(15, 0)}, councils=None, acting_user=secretary
        )
    first.refresh_from_db()
    moved.refresh_from_db()
    assert timezone.localtime(first.starts_at).time() == time(11, 0)  # past: unchanged
    assert timezone.localtime(moved.starts_at) == at(date(2027, 1, 20), 9)  # moved by hand: unchanged
    later = series.meetings.filter(detached=False, starts_at__gt=at(date(2027, 2, 1)))
    assert later.exists() and all(timezone.localtime(m.starts_at).time() == time(15, 0) for m in later)
    assert series.meetings.filter(series_date=second.series_date).count() == 1


def test_coordination_meeting_is_managed_by_the_coordination_centre(user_with_role, secretary):
    councils = CouncilFactory.create_batch(3)
    coordinator = user_with_role(Role.COORDINATOR)
    series = services.series_create(
        data={**SERIES, "kind": MeetingKind.COORDINATION, "cadence_kind": "working_days", "interval": 10},
        councils=councils,
        acting_user=coordinator,
    )
    meeting = series.meetings.first()
    assert set(meeting.councils.all()) == set(councils)
    add_item(meeting, coordinator)
    with pytest.raises(PermissionDenied):
        add_item(meeting, secretary)


def test_pages_offer_only_what_the_workflow_allows(sitting, secretary, council, user_with_role):
    from kenes.meetings.workflows import actions

    member = user_with_role(Role.COUNCIL_MEMBER, council)
    planned = actions(sitting, secretary)
    assert planned.edit_agenda and planned.reschedule and not planned.decide and not planned.draft_minutes
    assert "hold" not in {t.name for t in planned.transitions}  # not before the meeting's day
    assert actions(sitting, member).propose and not actions(sitting, member).edit_agenda
    postponed = services.meeting_transition(
        meeting=sitting, name="postpone", reason="Зал", acting_user=secretary
    )
    assert actions(postponed, secretary).reschedule and not actions(postponed, member).propose
    assert not actions(postponed, secretary).record_attendance
