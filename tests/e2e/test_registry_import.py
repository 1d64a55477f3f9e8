"""A secretary imports a members file with two bad rows, fixes them, re-imports, and the public
council page shows the new composition."""

import pytest
from django.conf import settings

from kenes.core.tabular import write_xlsx
from tests.e2e.conftest import axe_violations, screenshot

pytestmark = pytest.mark.e2e

HEADERS = ["Тегі", "Аты", "Әкесінің аты", "Рөлі", "Сектор", "Ұйым", "Өкілеттік басталуы", "Келісім"]


def members_xlsx(rows) -> dict:
    return {
        "name": "members.xlsx",
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": write_xlsx(HEADERS, rows),
    }


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(settings.KENES_DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/account/")


def test_secretary_fixes_a_bad_file_and_the_public_sees_the_new_members(page, demo_site):
    sign_in(page, demo_site.url, "council-secretary@demo.kenes.kz")
    page.goto(demo_site.url + "/councils/import/?council=pc-min-health")
    assert axe_violations(page) == []

    bad = [
        ["Жаңабаева", "Меруерт", "Асқарқызы", "мүше", "ҮЕҰ", "ҚБ «Таза өмір»", "15.09.2026", "иә"],
        ["Төлеуов", "", "Бекұлы", "мүше", "азамат", "", "15.09.2026", "иә"],
        ["Ли", "Виктор", "", "бастық", "бизнес", "", "31 ақпан 2026", "иә"],
    ]
    page.locator("#id_file").set_input_files(members_xlsx(bad))
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("table caption", timeout=15_000)
    refused = page.locator("table tbody").inner_text()
    assert "3" in refused and "4" in refused  # the two bad rows by their line numbers
    assert page.locator("button[name=apply]").count() == 0
    screenshot(page, "import-refused-kk")

    good = [
        bad[0],
        ["Төлеуов", "Нұрлан", "Бекұлы", "мүше", "азамат", "", "15.09.2026", "иә"],
        ["Ли", "Виктор", "", "мүше", "бизнес", "", "28 ақпан 2026", "иә"],
    ]
    page.goto(demo_site.url + "/councils/import/?council=pc-min-health")
    page.locator("#id_file").set_input_files(members_xlsx(good))
    page.locator("main form button[type=submit]").click()
    apply_button = page.locator("button[name=apply]")
    apply_button.wait_for(timeout=15_000)
    screenshot(page, "import-preview-kk")
    apply_button.click()
    page.wait_for_selector(".message.success", timeout=15_000)

    page.context.clear_cookies()
    page.goto(demo_site.url + "/councils/pc-min-health/")
    composition = page.locator(".composition").inner_text()
    for name in ("Жаңабаева Меруерт Асқарқызы", "Төлеуов Нұрлан Бекұлы", "Ли Виктор"):
        assert name in composition
    screenshot(page, "council-after-import-kk")
