"""A secretary plans a sitting, builds the agenda, records attendance and a decision, drafts the
minutes; the chair approves them; the PDF downloads; the public page shows it all."""

import pytest
from django.utils import timezone

from tests.e2e.conftest import axe_violations, screenshot
from tests.e2e.test_registry_import import sign_in

pytestmark = pytest.mark.e2e


def test_secretary_runs_a_sitting_and_the_public_sees_the_minutes(page, demo_site):
    base = demo_site.url
    sign_in(page, base, "council-secretary@demo.kenes.kz")
    page.goto(base + "/meetings/council/pc-min-health/add/")
    page.locator("#id_title_kk").fill("Кезектен тыс отырыс")
    today = timezone.localtime()  # held today: a meeting can be marked held on its day
    page.locator("#id_starts_at").fill(today.strftime("%Y-%m-%dT00:05"))
    page.locator("#id_place").fill("Астана, Денсаулық сақтау министрлігі")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/manage/")
    manage_url = page.url

    page.locator("#id_title").fill("Өңірлердегі емханаларда кезек күту мәселесі")
    page.locator("#id_presenter").fill("Омарова Г. С.")
    page.locator("form:has(input[value=item]) button[type=submit]").click()
    page.wait_for_url("**/manage/**")
    page.locator("button[name=fire][value=publish_agenda]").click()
    page.wait_for_load_state()
    assert page.locator("#attendance select").count() >= 10
    assert axe_violations(page) == []

    selects = page.locator("#attendance select")
    for index in range(selects.count()):
        selects.nth(index).select_option("in_person")
    page.locator("form:has(input[value=attendance]) button[type=submit]").click()
    page.wait_for_load_state()
    present = selects.count()

    page.locator("#decisions textarea").first.fill(
        "Денсаулық сақтау министрлігіне кезекті қысқарту жөнінде ұсыным жіберілсін."
    )
    page.locator("#decisions input[name=votes_for]").first.fill(str(present))
    page.locator("#decisions input[name=votes_against]").first.fill("0")
    page.locator("#decisions input[name=votes_abstained]").first.fill("0")
    page.locator("#decisions button[type=submit]").first.click()
    page.wait_for_load_state()
    page.locator("button[name=fire][value=hold]").click()
    page.wait_for_load_state()
    page.locator("form:has(input[value=draft_minutes]) button").click()
    page.wait_for_load_state()
    assert "Өңірлердегі емханаларда" in page.locator("#minutes textarea").input_value()
    screenshot(page, "meeting-manage-kk")

    page.context.clear_cookies()
    sign_in(page, base, "council-chair@demo.kenes.kz")
    page.goto(manage_url)
    page.locator("button[name=fire][value=approve_minutes]").click()
    page.wait_for_load_state()
    pdf = page.request.get(manage_url.replace("manage/", "minutes.pdf"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")

    page.context.clear_cookies()
    page.goto(manage_url.replace("manage/", ""))
    text = page.locator("main").inner_text()
    assert "Өңірлердегі емханаларда кезек күту мәселесі" in text
    assert "кезекті қысқарту" in text
    assert page.locator("a[href$='minutes.pdf']").count() == 1
    assert axe_violations(page) == []
    screenshot(page, "meeting-public-kk")
