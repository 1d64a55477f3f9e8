"""Keyboard only: a state-body officer signs in and answers a recommendation ("accepted", with one
commitment) without touching the mouse. The recommendation is prepared with the services (there is
no page to adopt and send one); everything the officer does goes through Tab, Shift+Tab, typing,
Space, Enter and the arrow keys."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from kenes.core.models import User
from kenes.recommendations.models import Commitment, Dispatch
from tests.e2e.test_recommendation_flow import OFFICER, sent_recommendation

pytestmark = pytest.mark.e2e

TITLE = "Ауылдық амбулаторияларды дәрігермен қамтамасыз ету туралы ұсыным"


def tab_to(page, selector: str, *, limit: int = 120, key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until the element matching ``selector`` has the focus."""
    target = page.locator(selector).first
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{selector} was never reached with the {key} key")


def assert_focus_visible(page) -> None:
    """The focused control shows it (WCAG 2.4.7): it matches :focus-visible and has an outline."""
    visible, outline = page.evaluate(
        "() => [document.activeElement.matches(':focus-visible'),"
        " getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert visible, "the focused element does not match :focus-visible"
    assert outline != "none", "the focused element has no outline"


def focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_officer_answers_a_recommendation_with_the_keyboard_only(page, demo_site):
    today = timezone.localdate()
    recommendation = sent_recommendation(TITLE, today - timedelta(days=2))
    dispatch = Dispatch.objects.get(recommendation=recommendation)
    User.objects.filter(email=OFFICER).update(preferred_language="en")
    base = demo_site.url

    page.goto(base + "/accounts/login/")
    tab_to(page, "#id_username")
    assert_focus_visible(page)
    page.keyboard.type(OFFICER)
    page.keyboard.press("Tab")
    page.keyboard.type(settings.KENES_DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/account/")

    # From the task list to the recommendation, and on to its answer form.
    page.goto(base + "/recommendations/tasks/body/")
    tab_to(page, f"main a[href='/recommendations/{recommendation.pk}/']")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/recommendations/{recommendation.pk}/")
    tab_to(page, f"a[href='/recommendations/dispatch/{dispatch.pk}/answer/']")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**/answer/")

    # The answer: the radio group is one Tab stop; the arrow keys move within it and select.
    tab_to(page, "input[name=answer]")
    assert_focus_visible(page)
    page.keyboard.press("ArrowDown")  # → partially accepted
    assert page.locator("input[name=answer][value=partially]").is_checked()
    page.keyboard.press("ArrowUp")  # back → accepted
    page.keyboard.press("Space")
    assert page.locator("input[name=answer][value=accepted]").is_checked()
    assert focused_id(page) == "id_answer_0"

    page.keyboard.press("Tab")
    assert focused_id(page) == "id_text"
    assert_focus_visible(page)
    page.keyboard.type("Министрлік ұсынымды қабылдайды: ауылдық амбулаторияларға дәрігерлер жіберіледі.")
    tab_to(page, "#id_action_1")
    assert_focus_visible(page)
    page.keyboard.type("Ауылдық амбулаторияларға жас мамандарды бөлу")
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_unit_1"
    page.keyboard.type("Кадр саясаты департаменті")
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_promised_1"
    assert_focus_visible(page)
    promised = today + timedelta(days=60)
    # Chromium's date field in the default en-US locale: month, day, year segments.
    page.keyboard.type(promised.strftime("%m%d%Y"))
    assert page.locator("#id_promised_1").input_value() == promised.isoformat()

    # Back with Shift+Tab (through the date's day and month segments) to check the unit, then forward.
    tab_to(page, "#id_unit_1", key="Shift+Tab", limit=5)
    assert page.locator("#id_unit_1").input_value() == "Кадр саясаты департаменті"
    tab_to(page, "main form button[type=submit]")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/recommendations/{recommendation.pk}/")

    dispatch.refresh_from_db()
    assert (dispatch.answer, dispatch.answered_on) == ("accepted", today)
    response = dispatch.responses.get()
    assert response.text.startswith("Министрлік ұсынымды қабылдайды")
    commitment = Commitment.objects.get(dispatch=dispatch)
    assert (commitment.action, commitment.responsible_unit, commitment.promised_on) == (
        "Ауылдық амбулаторияларға жас мамандарды бөлу",
        "Кадр саясаты департаменті",
        promised,
    )
    assert commitment.response == response
