"""The whole loop of a recommendation in a browser: a council adopts and sends, the officer answers
"accepted" with a commitment, slips it once, claims implementation, the council disputes then
confirms, and the public page of the state body counts each step.

What uses the UI and what uses services:
- services (there is no page for them): the meeting and its adopted decision, drafting, adopting
  (signing) and sending the recommendation — ``sent_recommendation`` below;
- the browser, signed in through the login form: the officer's task list, the answer form, moving
  the promised date, both implementation claims (a PDF made here), the secretary's dispute (with a
  link as the council's evidence), the chair's confirmation, and the public accountability page
  read by an anonymous visitor.

No time travel: the live server runs in another thread, so dates are relative to today. The
recommendation is sent 30 days ago, so its due date has passed and it counts in the default period
of the public page (the last 12 months up to today); the answer given today is therefore late.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from kenes.core.models import User
from kenes.councils.models import Council
from kenes.meetings.models import AgendaItem, Decision, Meeting, MeetingKind
from kenes.recommendations import services
from kenes.recommendations.models import Commitment, Dispatch, Recommendation
from tests.e2e.conftest import axe_violations, screenshot
from tests.e2e.test_registry_import import sign_in

pytestmark = pytest.mark.e2e

COUNCIL = "pc-min-health"
SECRETARY = "council-secretary@demo.kenes.kz"
CHAIR = "council-chair@demo.kenes.kz"
OFFICER = "state-body-officer@demo.kenes.kz"


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF with ``text`` (ASCII), small and valid, with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def sent_recommendation(title: str, sent_on: date) -> Recommendation:
    """Through the services: a held sitting of the demo council adopts a decision three days before
    ``sent_on``; the secretary drafts, the chair signs, the secretary sends it on ``sent_on``."""
    council = Council.objects.get(code=COUNCIL)
    secretary = User.objects.get(email=SECRETARY)
    chair = User.objects.get(email=CHAIR)
    held_on = sent_on - timedelta(days=3)
    meeting = Meeting.objects.create(
        kind=MeetingKind.SITTING,
        council=council,
        title_kk="Ұсыныстар бойынша отырыс",
        starts_at=datetime.combine(held_on, time(10), tzinfo=timezone.get_current_timezone()),
        status=Meeting.Status.HELD,
    )
    item = AgendaItem.objects.create(meeting=meeting, title="Емханалардағы кезек туралы", position=1)
    decision = Decision.objects.create(
        item=item, text="Денсаулық сақтау министрлігіне ұсыным жіберілсін.", outcome=Decision.Outcome.ADOPTED
    )
    recommendation = services.recommendation_draft(
        council=council,
        title=title,
        text="Емханаларда тар бейінді мамандарға кезекті бір аптаға дейін қысқарту.",
        bodies=[council.state_body],
        decision=decision,
        acting_user=secretary,
    )
    services.recommendation_adopt(recommendation=recommendation, acting_user=chair)
    services.recommendation_send(recommendation=recommendation, acting_user=secretary, sent_on=sent_on)
    recommendation.refresh_from_db()
    return recommendation


def english(*emails: str) -> None:
    User.objects.filter(email__in=emails).update(preferred_language="en")


def ratio(text: str) -> tuple[int, int]:
    numerator, denominator = text.split("/")
    return int(numerator), int(denominator)


def public_figures(page, url: str, cohort: str) -> dict:
    """The figures of the public page, read by position (tables and cells, whatever the language)
    in a fresh anonymous browser context."""
    context = page.context.browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    public = context.new_page()
    try:
        public.goto(url)
        tables = public.locator("table.metrics")
        assert tables.count() == 5

        def cell(table: int, row: int, column: int) -> str:
            return tables.nth(table).locator("tbody tr").nth(row).locator("td").nth(column).inner_text()

        cohort_row = tables.nth(3).locator("tbody tr", has=public.locator("th", has_text=cohort))
        figures = {
            "response": ratio(cell(0, 0, 1)),
            "on_time": ratio(cell(0, 1, 1)),
            "promise_keeping": ratio(cell(0, 3, 1)),
            "time_to_response": int(cell(1, 1, 2)),
            "accepted": ratio(cell(2, 0, 1)),  # the first answer of the decision mix is "accepted"
            "cohort": ratio(cohort_row.locator("td").nth(1).inner_text()) if cohort_row.count() else (0, 0),
            "gap": tuple(int(cell(4, 0, n)) for n in range(3)),  # claimed, confirmed, gap
            "axe": axe_violations(public),
        }
        screenshot(public, "recommendation-public-body")
        return figures
    finally:
        context.close()


def test_recommendation_loop_from_sending_to_confirmed_implementation(page, demo_site):
    base = demo_site.url
    today = timezone.localdate()
    sent_on = today - timedelta(days=30)
    title = "Емханалардағы кезекті қысқарту туралы ұсыным"
    recommendation = sent_recommendation(title, sent_on)
    dispatch = Dispatch.objects.select_related("body").get(recommendation=recommendation)
    assert dispatch.due_on is not None and dispatch.due_on < today  # in the page's default period
    body_url = f"{base}/recommendations/accountability/body/{dispatch.body.code}/"
    cohort = f"{sent_on.year}-Q{(sent_on.month - 1) // 3 + 1}"
    english(SECRETARY, CHAIR, OFFICER)

    before = public_figures(page, body_url, cohort)
    assert before["axe"] == []

    # The officer finds the recommendation in the task list and answers it: accepted, one commitment.
    sign_in(page, base, OFFICER)
    page.goto(base + "/recommendations/tasks/body/")
    page.get_by_role("link", name=title).click()
    page.wait_for_url(f"**/recommendations/{recommendation.pk}/")
    page.locator(f"a[href='/recommendations/dispatch/{dispatch.pk}/answer/']").click()
    page.wait_for_url("**/answer/")
    assert axe_violations(page) == []
    first_date = today + timedelta(days=20)
    page.locator("input[name=answer][value=accepted]").check()
    page.locator("#id_text").fill("Министрлік ұсынымды қабылдайды: кезекті басқару жүйесі енгізіледі.")
    page.locator("#id_action_1").fill("Емханаларда электронды кезек жүйесін енгізу")
    page.locator("#id_unit_1").fill("Медициналық көмекті ұйымдастыру департаменті")
    page.locator("#id_promised_1").fill(first_date.isoformat())
    screenshot(page, "recommendation-answer-form")
    page.get_by_role("button", name="Send the answer").click()
    page.wait_for_url(f"**/recommendations/{recommendation.pk}/")
    dispatch.refresh_from_db()
    assert (dispatch.answer, dispatch.answered_on) == ("accepted", today)
    commitment = Commitment.objects.get(dispatch=dispatch)
    assert (commitment.status, commitment.promised_on) == ("planned", first_date)

    answered = public_figures(page, body_url, cohort)
    assert answered["response"] == (before["response"][0] + 1, before["response"][1])
    assert answered["on_time"] == before["on_time"]  # answered after the due date
    assert answered["accepted"] == (before["accepted"][0] + 1, before["accepted"][1] + 1)
    assert answered["time_to_response"] == before["time_to_response"] + 1
    assert answered["cohort"] == (before["cohort"][0], before["cohort"][1] + 1)
    assert answered["promise_keeping"] == before["promise_keeping"]  # promised for a future date
    assert answered["gap"] == before["gap"]

    # The promised date slips once, with a reason (the page is reached by its address; the detail
    # page links to it, as the test below shows).
    page.goto(f"{base}/recommendations/move/{commitment.pk}/")
    second_date = today + timedelta(days=45)
    page.locator("#id_promised_on").fill(second_date.isoformat())
    page.locator("#id_reason").fill("Жеткізуші бағдарламалық жасақтаманы кешіктірді.")
    # Not by its label: the action pages' titles are translated once at import (views.ACTIONS uses
    # gettext, not gettext_lazy), so the button is in whatever language was active then.
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/recommendations/{recommendation.pk}/")
    commitment.refresh_from_db()
    assert (commitment.promised_on, commitment.original_promised_on) == (second_date, first_date)
    assert commitment.slips.count() == 1

    def claim(text: str, filename: str) -> None:
        page.goto(f"{base}/recommendations/claim/{commitment.pk}/")
        page.locator("#id_text").fill(text)
        page.locator("#id_evidence_kind").select_option("document")
        page.locator("#id_evidence_file").set_input_files(
            {"name": filename, "mimeType": "application/pdf", "buffer": tiny_pdf("Act of implementation")}
        )
        page.locator("main form button[type=submit]").click()  # by selector, as for the move
        page.wait_for_url(f"**/recommendations/{recommendation.pk}/")

    claim("Электронды кезек 12 емханада іске қосылды.", "act-1.pdf")
    commitment.refresh_from_db()
    assert commitment.status == "claimed"
    assert commitment.claims.get().evidence.get().content_type == "application/pdf"
    claimed = public_figures(page, body_url, cohort)
    assert claimed["gap"] == (before["gap"][0] + 1, before["gap"][1], before["gap"][2] + 1)

    def verify(person: str, verdict: str, text: str, evidence_url: str = "") -> list:
        """``person`` records the council's view from the council's task list; the form's axe findings."""
        page.context.clear_cookies()
        sign_in(page, base, person)
        page.goto(base + "/recommendations/tasks/council/")
        page.locator(f"a[href='/recommendations/commitment/{commitment.pk}/verify/']").click()
        page.wait_for_url("**/verify/")
        violations = axe_violations(page)
        page.locator(f"input[name=verdict][value={verdict}]").check()
        page.locator("#id_text").fill(text)
        if evidence_url:
            page.locator("#id_evidence_kind").select_option("link")
            page.locator("#id_evidence_url").fill(evidence_url)
        page.get_by_role("button", name="Record the council's view").click()
        page.wait_for_url(f"**/recommendations/{recommendation.pk}/")
        return violations

    # The secretary disputes from the council's task list, with a link as the council's evidence.
    assert (
        verify(
            SECRETARY,
            "disputed",
            "Тексеру кезінде үш емханада жүйе жұмыс істемеді.",
            "https://example.kz/monitoring/queue-check",
        )
        == []
    )
    commitment.refresh_from_db()
    assert (commitment.status, commitment.verified_on) == ("disputed", None)
    disputed = public_figures(page, body_url, cohort)
    assert disputed["gap"] == claimed["gap"]  # a dispute leaves the claim unconfirmed
    assert disputed["cohort"] == answered["cohort"]

    # The officer fixes it and claims again; the chair confirms.
    page.context.clear_cookies()
    sign_in(page, base, OFFICER)
    claim("Қалған үш емханада жүйе қалпына келтірілді.", "act-2.pdf")
    commitment.refresh_from_db()
    assert (commitment.status, commitment.claims.count()) == ("claimed", 2)

    verify(CHAIR, "confirmed", "Қайта тексеру: жүйе барлық емханада жұмыс істейді.")
    commitment.refresh_from_db()
    assert (commitment.status, commitment.verified_on) == ("verified", today)

    confirmed = public_figures(page, body_url, cohort)
    assert confirmed["axe"] == []
    assert confirmed["gap"] == (before["gap"][0] + 1, before["gap"][1] + 1, before["gap"][2])
    assert confirmed["cohort"] == (before["cohort"][0] + 1, before["cohort"][1] + 1)
    assert confirmed["response"] == answered["response"]
    assert confirmed["accepted"] == answered["accepted"]
    assert confirmed["promise_keeping"] == before["promise_keeping"]


def test_detail_page_of_an_answered_recommendation_shows_the_answer_and_the_commitment(page, demo_site):
    today = timezone.localdate()
    recommendation = sent_recommendation("Дәріханалардағы кезек туралы ұсыным", today - timedelta(days=5))
    dispatch = Dispatch.objects.select_related("body").get(recommendation=recommendation)
    services.response_give(
        dispatch=dispatch,
        answer="accepted",
        text="Министрлік ұсынымды қабылдайды.",
        commitments=[
            services.CommitmentInput(
                "Дәріханалар желісін кеңейту", "Фармация департаменті", today + timedelta(days=30)
            )
        ],
        acting_user=User.objects.get(email=OFFICER),
    )
    english(OFFICER)
    sign_in(page, demo_site.url, OFFICER)
    response = page.goto(f"{demo_site.url}/recommendations/{recommendation.pk}/")
    assert response.status == 200
    assert page.locator("main").get_by_text("Дәріханалар желісін кеңейту").count() == 1
    commitment = dispatch.commitments.get()
    assert page.locator(f"a[href='/recommendations/move/{commitment.pk}/']").count() == 1
