"""Finding things in a real browser: disjunctive facet counts, the phone layout (results first,
filters behind "Filters"), and the keyboard (skip to results, focus on the count after filtering).
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def result_count(page) -> int:
    return int(
        re.search(r"[\d,]+", page.locator(".result-count").inner_text()).group().replace(",", "")
    )


def facet(page, legend: str):
    return page.locator("fieldset.facet", has=page.locator("legend", has_text=legend))


def value_count(row) -> int:
    # text_content: a value folded behind "Show more" is not rendered, but its count is there
    return int(row.locator(".count").text_content())


def test_counts_are_what_ticking_a_value_gives(page, site_url):
    page.goto(site_url + "/practices/?theme=health-workforce")
    selected = result_count(page)
    # Another facet's count is exactly what ticking it gives.
    region = facet(page, "Region").locator("li").first
    expected = value_count(region)
    region.locator("input").check()
    page.get_by_role("button", name="Apply").click()
    assert result_count(page) == expected
    # Within the theme facet, values that share no practice with the selection stay listed with
    # their own count, and ticking one adds to what is shown (values combine with OR).
    page.goto(site_url + "/practices/?theme=health-workforce")
    gender = facet(page, "Theme").locator("li", has_text="Gender")
    assert gender.count() == 1 and value_count(gender) > 0
    gender_alone = value_count(gender)
    if not gender.is_visible():
        facet(page, "Theme").locator("summary").click()
    gender.locator("input").check()
    page.get_by_role("button", name="Apply").click()
    assert max(selected, gender_alone) <= result_count(page) <= selected + gender_alone
    # A ticked value stays listed, ticked, with its count.
    assert facet(page, "Theme").locator("input:checked").count() == 2


def test_phone_shows_results_first_with_filters_behind_a_disclosure(
    browser, site_url, screenshot_dir
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        for path in ("/practices/", "/recommendations/", "/rcps/"):
            page.goto(site_url + path)
            count = page.locator(".result-count").bounding_box()
            assert count["y"] + count["height"] <= 844, path  # the count on the first screen
            first = page.locator(".list-main .card, .list-main li h2, .list-main tbody tr").first
            assert first.bounding_box()["y"] < 1.5 * 844, path
            summary = page.locator(".filters-disclosure > summary")
            assert summary.is_visible()
            assert not page.locator(".filters-disclosure form").is_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.goto(site_url + "/practices/")
        page.screenshot(path=str(screenshot_dir / "practice-list-phone-first-screen.png"))
        page.locator(".filters-disclosure > summary").click()
        scope = facet(page, "Scope").locator("li").first
        expected = value_count(scope)
        scope.locator("input").check()
        page.get_by_role("button", name="Apply").click()
        assert result_count(page) == expected
        page.screenshot(path=str(screenshot_dir / "practice-list-phone-filtered.png"))
    finally:
        context.close()


def test_keyboard_skips_to_results(page, site_url):
    page.goto(site_url + "/practices/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to results"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "results"
    page.keyboard.press("Tab")
    link = page.evaluate("document.activeElement.closest('.card, .chips') !== null")
    assert link


def test_after_applying_filters_focus_is_on_the_result_count(page, site_url):
    page.goto(site_url + "/practices/")
    facet(page, "Scope").locator("input").first.check()
    page.get_by_role("button", name="Apply").click()
    assert page.url.endswith("#results")
    expect(page.locator("#results")).to_be_focused()  # once the page's deferred script ran


@pytest.mark.parametrize(
    "path",
    ["/practices/?theme=health-workforce", "/search/?q=health+workers+africa", "/search/?q=puebla"],
)
def test_finding_pages_are_accessible(page, site_url, path):
    page.goto(site_url + path)
    results = Axe().run(page)
    serious = [
        v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}
    ]
    assert not serious, results.generate_report()
