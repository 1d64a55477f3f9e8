"""Odd addresses and parameters get a clear answer, never a server error."""

import pytest

URLS = [
    "/councils/?page=999999",
    "/councils/?page=-1",
    "/councils/?q=" + "а" * 5000,
    "/councils/?region=zz&district=%00&sort=%27",
    "/meetings/?view=month&year=9999&month=12",
    "/meetings/?view=month&year=1&month=1",
    "/meetings/?year=0&month=0",
    "/meetings/?year=2026&month=13",
    "/api/v1/councils?page=0",
    "/api/v1/councils?page=abc",
    "/api/v1/councils?level=bogus",
    "/api/v1/meetings?start=2026-13-01",
    "/api/v1/meetings?start=9999-12-31",
    "/api/v1/meetings?start=2027-01-01&end=2026-01-01",
    "/api/v1/persons/999999",
    "/councils/people/0/",
    "/meetings/999999/",
    "/meetings/999999/minutes.pdf",
    "/meetings/feeds/series/999.ics",
    "/meetings/feeds/user/%00.ics",
    "/search/?q=%00%01",
    "/search/?q=" + "😀" * 50,
    "/regions/XX/",
    "/councils/export/?format=xml",
    "/councils/export/?format=csv&region=zz",
    "/accounts/password-reset/xx/yy/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS)
def test_no_server_error(client, url):
    client.raise_request_exception = False
    assert client.get(url).status_code < 500


@pytest.mark.django_db
def test_garbage_posts_to_the_workspace_and_meeting_pages_never_fail(client, user_with_role):
    from datetime import UTC, datetime

    from kenes.core.models import Role
    from kenes.meetings.models import Meeting, MeetingKind
    from tests.factories import CouncilFactory, MembershipFactory

    council = CouncilFactory()
    membership = MembershipFactory(council=council)
    meeting = Meeting.objects.create(
        kind=MeetingKind.SITTING,
        council=council,
        title_kk="x",
        starts_at=datetime(2030, 1, 10, 5, tzinfo=UTC),
    )
    client.force_login(user_with_role(Role.COUNCIL_SECRETARY, council))
    client.raise_request_exception = False
    garbage = {
        "council-min_members": "many",
        "council-term_end": "31.02.2026",
        "council-topics": ["x"],
        "x": "\x00",
    }
    posts = [
        (f"/councils/{council.code}/manage/", garbage),
        (
            f"/councils/{council.code}/manage/members/add/",
            {"membership-term_start": "yesterday", "person-last_name": "<script>"},
        ),
        (f"/councils/{council.code}/manage/members/{membership.pk}/", {"membership-role": "king"}),
        (f"/councils/{council.code}/manage/members/{membership.pk}/end/", {"end-ceased_on": "never"}),
        (f"/councils/{council.code}/manage/commissions/add/", {"name": "", "members": ["abc"]}),
        (f"/councils/{council.code}/manage/order/", {}),
        ("/councils/import/", {"kind": "planets"}),
        (f"/meetings/{meeting.pk}/manage/", {"action": "attendance", "presence-1": "bogus"}),
        (f"/meetings/{meeting.pk}/manage/", {"action": "decision", "item": "999999", "text": "x"}),
        (f"/meetings/{meeting.pk}/manage/", {"action": "decision", "item": "abc"}),
        (f"/meetings/{meeting.pk}/manage/", {"action": "reschedule", "starts_at": "soon", "reason": ""}),
        (f"/meetings/{meeting.pk}/manage/", {"action": "transition", "transition": "explode"}),
        (f"/meetings/{meeting.pk}/manage/", {"action": "decide", "item": "1"}),
        (f"/meetings/{meeting.pk}/propose/", {"title": "x" * 5000}),
        (
            f"/meetings/series/add/?council={council.code}",
            {"cadence_kind": "weekly", "weekday": "9", "starts_on": "x"},
        ),
        ("/language/", {"lang": "\x00", "next": "javascript:alert(1)"}),
        ("/account/preferences/", {"notification_digest": "maybe"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code < 500, url
