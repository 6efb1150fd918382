"""The French and Spanish interface in a real browser: chosen from the browser's language or
with the switcher (no script needed), readable at desktop and phone widths, and with no serious
accessibility violation (axe-core)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.slow]

H1 = {"fr": "Bonnes pratiques", "es": "Buenas prácticas"}
NOTICE = {"fr": "sont en anglais", "es": "están en inglés"}
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def serious_violations(page) -> list:
    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("language", ["fr", "es"])
def test_home_list_and_practice_in_the_browsers_language(
    browser, site_url, screenshot_dir, language, width
):
    context = browser.new_context(locale=language, viewport=WIDTHS[width])
    page = context.new_page()
    try:
        page.goto(site_url + "/")
        assert page.locator("html").get_attribute("lang") == language
        assert NOTICE[language] in page.locator(".content-language-notice").inner_text()
        page.screenshot(path=str(screenshot_dir / f"{language}-home-{width}.png"), full_page=True)
        assert not serious_violations(page)

        page.goto(site_url + "/practices/")
        assert page.locator("h1").inner_text() == H1[language]
        page.screenshot(path=str(screenshot_dir / f"{language}-practices-{width}.png"))
        assert not serious_violations(page)

        page.locator(".card h3 a").first.click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("h1").count() == 1
        page.screenshot(
            path=str(screenshot_dir / f"{language}-practice-{width}.png"), full_page=True
        )
        assert not serious_violations(page)
        # No horizontal scroll on a phone, whatever the length of the translated words.
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= WIDTHS[width]["width"]
    finally:
        context.close()


def test_the_switcher_works_without_javascript(browser, site_url, screenshot_dir):
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site_url + "/rcps/?region=africa")
        assert page.locator("html").get_attribute("lang") == "en-gb"
        with page.expect_navigation():
            page.get_by_role("button", name="Español").click()
        assert page.url == site_url + "/rcps/?region=africa"
        assert page.locator("html").get_attribute("lang") == "es"
        assert page.locator("h1").inner_text() == "Procesos consultivos regionales sobre migración"
        # Remembered: the next page is in Spanish too, though the browser asks for English.
        page.goto(site_url + "/practices/")
        assert page.locator("h1").inner_text() == H1["es"]
        page.get_by_role("button", name="Français").focus()
        # The form's POST answers with a redirect back to this page: wait for that page.
        with page.expect_navigation(url=site_url + "/practices/"):
            page.keyboard.press("Enter")
        assert page.locator("h1").inner_text() == H1["fr"]
        page.screenshot(path=str(screenshot_dir / "fr-switched.png"))
    finally:
        context.close()
