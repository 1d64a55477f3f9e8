"""Calendars, iCalendar feeds (parsed back), the meeting pages and the API."""

from datetime import date

import pytest
import time_machine
from django.core import signing
from icalendar import Calendar

from kenes.core.models import Role
from kenes.meetings import services
from kenes.meetings.models import Meeting
from kenes.meetings.views import FEED_SALT
from tests.factories import CouncilFactory
from tests.meetings.conftest import add_item, at

pytestmark = pytest.mark.django_db


def events(response) -> dict:
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_council_feed_keeps_uids_and_propagates_changes(client, sitting, secretary):
    url = f"/meetings/feeds/council/{sitting.council.code}.ics"
    first = events(client.get(url))
    event = first[sitting.uid]
    assert int(event["SEQUENCE"]) == 0 and str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART").isoformat() == "2026-12-11T05:00:00+00:00"  # 10:00 in Astana, UTC+5
    services.meeting_reschedule(
        meeting=sitting, starts_at=at(date(2026, 12, 14), 15), reason="Зал", acting_user=secretary
    )
    moved = events(client.get(url))[sitting.uid]
    assert int(moved["SEQUENCE"]) == 1 and moved.decoded("DTSTART").isoformat() == "2026-12-14T10:00:00+00:00"
    services.meeting_transition(
        meeting=Meeting.objects.get(pk=sitting.pk), name="cancel", reason="x", acting_user=secretary
    )
    cancelled = events(client.get(url))[sitting.uid]
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 2


def test_closed_meetings_stay_out_of_public_feeds_but_in_the_member_feed(
    client, sitting, council, user_with_role
):
    Meeting.objects.filter(pk=sitting.pk).update(is_public=False)
    assert sitting.uid not in events(client.get(f"/meetings/feeds/council/{council.code}.ics"))
    member = user_with_role(Role.COUNCIL_MEMBER, council)
    token = signing.dumps(member.pk, salt=FEED_SALT)
    assert sitting.uid in events(client.get(f"/meetings/feeds/user/{token}.ics"))
    assert client.get("/meetings/feeds/user/forged-token.ics").status_code == 404
    assert client.get(f"/meetings/{sitting.pk}/").status_code == 404  # closed to the public
    client.force_login(member)
    assert client.get(f"/meetings/{sitting.pk}/").status_code == 200


def test_calendar_pages_in_list_and_month_views(client, sitting):
    for params in ({"year": 2026, "month": 12}, {"year": 2026, "month": 12, "view": "month"}):
        html = client.get("/meetings/", params).text
        assert f"/meetings/{sitting.pk}/" in html
    assert (
        client.get(f"/meetings/council/{sitting.council.code}/", {"year": 2026, "month": 12}).status_code
        == 200
    )
    assert (
        client.get("/meetings/", {"year": "x", "month": 13}).status_code == 200
    )  # nonsense falls back to now


def test_manage_page_permissions_and_bad_actions(client, sitting, secretary, user_with_role):
    url = f"/meetings/{sitting.pk}/manage/"
    client.force_login(user_with_role(Role.COUNCIL_SECRETARY, CouncilFactory()))
    assert client.get(url).status_code == 403
    client.force_login(secretary)
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="publish_agenda"' in page.text and 'value="hold"' not in page.text  # not before its day
    assert client.post(url, {"action": "nonsense"}).status_code == 400
    assert (
        client.post(url, {"action": "transition", "transition": "publish_agenda"}).status_code == 400
    )  # empty agenda
    response = client.post(url, {"action": "item", "title": "", "duration_minutes": "abc"})
    assert response.status_code == 400 and "field-errors" in response.text


@time_machine.travel("2026-12-11 08:00 +05:00", tick=False)  # the meeting's day
def test_secretary_runs_a_meeting_through_the_manage_page(client, sitting, secretary, chair):
    url = f"/meetings/{sitting.pk}/manage/"
    client.force_login(secretary)
    assert (
        client.post(
            url,
            {"action": "item", "title": "Жастар саясаты", "duration_minutes": 20, "presenter": "Омарова Г."},
        ).status_code
        == 302
    )
    assert client.post(url, {"action": "transition", "transition": "publish_agenda"}).status_code == 302
    meeting = Meeting.objects.get(pk=sitting.pk)
    marks = {f"presence-{row.pk}": "in_person" for row in meeting.attendance.all()}
    assert client.post(url, {"action": "attendance", **marks}).status_code == 302
    item = meeting.agenda_items.get()
    too_many = {
        "action": "decision",
        "item": item.pk,
        "text": "Қолдау",
        "votes_for": 20,
        "votes_against": 0,
        "votes_abstained": 0,
    }
    assert client.post(url, too_many).status_code == 400
    assert client.post(url, {**too_many, "votes_for": 15}).status_code == 302
    assert client.post(url, {"action": "transition", "transition": "hold"}).status_code == 302
    assert client.post(url, {"action": "draft_minutes"}).status_code == 302
    assert client.post(url, {"action": "minutes", "number": "7", "body": "Отырыс өтті."}).status_code == 302
    client.force_login(chair)
    approved = client.post(url, {"action": "transition", "transition": "approve_minutes"})
    assert approved.status_code == 302, [str(m) for m in approved.context["messages"]]
    client.logout()
    page = client.get(f"/meetings/{sitting.pk}/")
    assert "Жастар саясаты" in page.text and "Қолдау" in page.text
    pdf = client.get(f"/meetings/{sitting.pk}/minutes.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_member_proposes_an_item_through_the_form(client, sitting, council, user_with_role):
    member = user_with_role(Role.COUNCIL_MEMBER, council)
    client.force_login(member)
    assert client.post(f"/meetings/{sitting.pk}/propose/", {"title": ""}).status_code == 200
    assert client.post(f"/meetings/{sitting.pk}/propose/", {"title": "Ауыз су"}).status_code == 302
    assert sitting.agenda_items.get().status == "proposed"
    client.logout()
    assert client.get(f"/meetings/{sitting.pk}/propose/").status_code == 302  # sign in first


def test_api_lists_meetings_and_agenda(client, sitting, secretary):
    add_item(sitting, secretary)
    data = client.get(
        "/api/v1/meetings", {"council": sitting.council.code, "start": "2026-12-01", "end": "2026-12-31"}
    ).json()
    assert data["count"] == 1 and data["items"][0]["council"] == sitting.council.code
    detail = client.get(f"/api/v1/meetings/{sitting.pk}").json()
    assert detail["agenda"][0]["title"] == "Бюджетті талқылау"
    assert client.get("/api/v1/meetings", {"council": "nope"}).status_code == 404
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/meetings", "/api/v1/meetings/{meeting_id}", "/api/v1/series"} <= set(paths)


def test_series_pages(client, council, secretary, user_with_role):
    client.force_login(secretary)
    data = {
        "title_kk": "Тоқсан сайынғы отырыс",
        "kind": "sitting",
        "cadence_kind": "monthly_weekday",
        "interval": 3,
        "weekday": 2,
        "week": 2,
        "starts_on": "2026-12-01",
        "start_time": "11:00",
        "duration_minutes": 120,
        "council_code": council.code,
    }
    bad = client.post(f"/meetings/series/add/?council={council.code}", {**data, "interval": 0})
    assert (
        bad.status_code == 200 and "field-errors" in bad.text and 'value="Тоқсан сайынғы отырыс"' in bad.text
    )
    response = client.post(f"/meetings/series/add/?council={council.code}", data)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200 and ".ics" in page.text
    client.force_login(user_with_role(Role.COUNCIL_MEMBER, council))
    assert client.get("/meetings/series/add/").status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/meetings/?year=2026&month=12",
        "/meetings/?year=2026&month=12&view=month",
        "/api/v1/meetings?start=2026-12-01&end=2026-12-31",
    ],
)
def test_calendar_query_count_does_not_grow_with_meetings(
    client, council, secretary, url, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def plan(day):
        services.meeting_create(
            data={
                "title_kk": "Отырыс",
                "kind": "sitting",
                "council": council,
                "starts_at": at(date(2026, 12, day)),
            },
            councils=[council],
            acting_user=secretary,
        )

    plan(2)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for day in range(3, 28):
        plan(day)
    with django_assert_num_queries(len(small)):
        assert client.get(url).status_code == 200
