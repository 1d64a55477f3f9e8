"""Open the home page, switch language, sign in as the demo secretary and see the role."""

import pytest
from django.conf import settings

from tests.e2e.conftest import axe_violations, screenshot

pytestmark = pytest.mark.e2e


def test_visitor_switches_language_and_secretary_sees_the_role(page, demo_site):
    page.goto(demo_site.url + "/")
    assert page.get_attribute("html", "lang") == "kk"
    assert page.locator("h1").inner_text() == "Қазақстанның қоғамдық кеңестері"
    header = page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert header == "rgb(0, 85, 127)", "the stylesheet did not load"
    assert page.evaluate("typeof htmx") == "object", "htmx did not load"
    screenshot(page, "home-kk")

    page.get_by_role("button", name="Русский").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "ru"
    assert page.locator("h1").inner_text() == "Общественные советы Казахстана"
    screenshot(page, "home-ru")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("h1").inner_text() == "Public councils of Kazakhstan"

    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail address").fill("council-secretary@demo.kenes.kz")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_label("E-mail address").input_value() == "council-secretary@demo.kenes.kz"
    assert page.locator(".form-errors").is_visible()

    page.get_by_label("Password").fill(settings.KENES_DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")
    # The secretary's saved language (Kazakh) wins once signed in.
    assert page.get_attribute("html", "lang") == "kk"
    roles = page.locator(".roles").inner_text()
    assert "Кеңес хатшысы" in roles
    assert "Денсаулық сақтау министрлігі" in roles
    screenshot(page, "account-secretary-kk")


def test_skip_link_is_the_first_stop_for_keyboard_users(page, demo_site):
    page.goto(demo_site.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


MAIN_PAGES = [
    "/",
    "/councils/",
    "/councils/pc-min-health/",
    "/regions/",
    "/regions/71/",
    "/accounts/login/",
    "/search/?q=астана",
    "/issues/",
    "/issues/?q=су",
    "/issues/1/",
    "/issues/council/pc-min-health/submit/",
    "/problems/",
    "/problems/1/",
    "/recommendations/awaiting/",
    "/recommendations/1/",
    "/recommendations/scoreboard/",
    "/recommendations/accountability/body/min-health/",
]


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_main_pages_have_no_serious_accessibility_violations(page, demo_site, language):
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": demo_site.url}]
    )
    found = {}
    for path in MAIN_PAGES:
        page.goto(demo_site.url + path)
        assert page.get_attribute("html", "lang") == language
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    assert found == {}


def test_layout_fits_a_phone_screen(browser, demo_site):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(demo_site.url + "/councils/")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    screenshot(page, "councils-phone")
    context.close()
    assert overflow <= 0


def test_pages_run_under_the_content_security_policy(browser, demo_site):
    """No inline script or style is blocked: the pages need nothing the policy forbids."""
    context = browser.new_context()
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in MAIN_PAGES + ["/meetings/?view=month", "/meetings/series/"]:
        response = page.goto(demo_site.url + path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto(demo_site.url + "/councils/")
    page.locator("#id_level").select_option("local")  # htmx swaps the results in
    page.wait_for_load_state("networkidle")
    context.close()
    assert violations == []


def test_visitor_switches_language_on_cached_pages_without_javascript(browser, demo_site):
    from django.core.cache import cache
    from django.test import override_settings

    cache.clear()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        with override_settings(KENES_PAGE_CACHE_SECONDS=60):
            page.goto(demo_site.url + "/councils/")
            # Another visitor (no browser cache in between) is served from the page cache.
            again = context.request.get(demo_site.url + "/councils/")
            assert again.headers["x-page-cache"] == "hit"
            for name, language in [("Русский", "ru"), ("English", "en"), ("Қазақша", "kk")]:
                page.get_by_role("button", name=name).click()
                page.wait_for_load_state()
                assert page.url == demo_site.url + "/councils/"
                assert page.get_attribute("html", "lang") == language
    finally:
        context.close()
        cache.clear()
