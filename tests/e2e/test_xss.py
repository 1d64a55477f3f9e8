"""Script payloads stored through the user text fields execute nothing when pages show them."""

from datetime import UTC, datetime

import pytest

from kenes.core.models import Role, RoleAssignment
from kenes.councils.models import Commission, Council, Membership, Person
from kenes.meetings.models import AgendaItem, Decision, Meeting, MeetingKind, Minutes

pytestmark = pytest.mark.e2e

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '"><img src=x onerror="window.__xss=2">',
    "<svg/onload=window.__xss=3>",
    "javascript:window.__xss=4",
    "';window.__xss=5;//",
    "<iframe srcdoc='<script>parent.__xss=6</script>'></iframe>",
    "{{7*7}}{% debug %}",
]


def test_stored_payloads_render_as_text_in_a_real_browser(browser, demo_site):
    payload = " ".join(PAYLOADS)
    council = Council.objects.get(code="pc-min-health")
    council.name_kk = council.name_ru = council.name_en = f"Кеңес {payload}"
    council.secretariat_phone = PAYLOADS[1][:40]
    council.save()
    person = Person.objects.create(
        last_name=PAYLOADS[0], first_name=PAYLOADS[2], public_profile=True, organisation=PAYLOADS[1]
    )
    membership = Membership.objects.create(
        council=council,
        person=person,
        sector="ngo",
        ngo_name=PAYLOADS[5],
        term_start=datetime(2025, 1, 1).date(),
    )
    Commission.objects.create(council=council, name=payload).members.add(membership)
    meeting = Meeting.objects.create(
        kind=MeetingKind.SITTING,
        council=council,
        title_kk=payload,
        starts_at=datetime(2026, 12, 10, 5, tzinfo=UTC),
        place=payload[:300],
        status=Meeting.Status.MINUTES_APPROVED,
    )
    item = AgendaItem.objects.create(
        meeting=meeting, title=payload[:500], presenter=PAYLOADS[4], description=payload
    )
    Decision.objects.create(item=item, text=payload, outcome=Decision.Outcome.NOTED)
    Minutes.objects.create(
        meeting=meeting, number="1", body=payload, approved_at=datetime(2026, 12, 11, tzinfo=UTC)
    )
    assert RoleAssignment.objects.filter(role=Role.COUNCIL_SECRETARY).exists()

    context = browser.new_context()  # with the site's CSP, as people see it
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    pages = [
        "/councils/",
        f"/councils/{council.code}/",
        f"/councils/people/{person.pk}/",
        f"/meetings/{meeting.pk}/",
        "/meetings/?year=2026&month=12",
        "/meetings/?year=2026&month=12&view=month",
        f"/search/?q={PAYLOADS[0]}",
    ]
    for path in pages:
        page.goto(demo_site.url + path)
        assert page.evaluate("window.__xss") is None, path
        assert page.locator("main script").count() == 0, path
    page.goto(demo_site.url + f"/councils/{council.code}/")
    assert "<script>window.__xss=1</script>" in page.locator("h1").inner_text()  # shown as text
    context.close()
    assert dialogs == []
