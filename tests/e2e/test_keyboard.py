"""Keyboard only: a member signs in and files a problem without touching the mouse."""

from __future__ import annotations

from django.conf import settings

from kenes.core.models import User
from kenes.issues.models import Issue


def tab_to(page, selector: str, *, limit: int = 120) -> None:
    """Press Tab until the element matching ``selector`` has the focus (as a keyboard user would)."""
    target = page.locator(selector).first
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} was never reached with the Tab key")


def test_member_files_a_problem_with_the_keyboard_only(page, demo_site):
    User.objects.filter(email="council-member@demo.kenes.kz").update(preferred_language="en")
    page.goto(demo_site.url + "/accounts/login/")
    tab_to(page, "#id_username")
    page.keyboard.type("council-member@demo.kenes.kz")
    page.keyboard.press("Tab")
    page.keyboard.type(settings.KENES_DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/account/")

    page.goto(demo_site.url + "/councils/pc-min-health/")
    tab_to(page, "a[href='/issues/council/pc-min-health/new/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/new/")
    tab_to(page, "#id_title")
    page.keyboard.type("Ауылдық амбулаторияда дәрігер жоқ")
    page.keyboard.press("Tab")
    page.keyboard.type("Ауылдық амбулаторияда екі жылдан бері тұрақты дәрігер жоқ, науқастар қалаға барады.")
    # The focus is visible on every control on the way (WCAG 2.4.7).
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    tab_to(page, "button[value=file]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/issues/*/")
    assert Issue.objects.filter(title="Ауылдық амбулаторияда дәрігер жоқ").exists()
