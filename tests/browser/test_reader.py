"""A reader checks a record against its source in a real browser: from a practice's page, one
click on a citation lands on the highlighted passage in the document's reader; a search within
the document finds passages; the reader fits a phone's width."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PRACTICE = "/practices/malawi-health-worker-retention/"


def test_a_citation_leads_to_its_highlighted_passage(page, site_url, screenshot_dir):
    page.goto(site_url + PRACTICE)
    # Its citations of the Brussels report (another test may have added one of another document).
    citation = page.locator(
        ".citations li", has=page.locator(".cite-meta a[href^='/sources/brussels-report/']")
    ).first
    excerpt = citation.locator("blockquote").inner_text().strip("“” ")
    citation.locator(".cite-meta a").first.click()
    expect(page).to_have_url(re.compile(r"/sources/brussels-report/\?page=\d+#l-\d+$"))
    anchor = page.evaluate("location.hash")
    target = page.locator(f"{anchor}")
    expect(target).to_have_class(re.compile(r"\bcited\b"))
    expect(target.locator("mark").first).to_be_visible()
    assert excerpt.split()[0] in target.locator("mark").first.inner_text()
    assert page.evaluate("document.querySelector(':target').id") == anchor[1:]
    expect(target.locator(f".cited-by a[href='{PRACTICE}']")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "reader-from-citation.png"))


def test_a_reader_searches_within_the_document(page, site_url, screenshot_dir):
    page.goto(site_url + "/sources/brussels-report/")
    field = page.get_by_label("Search this document")
    field.fill("brain drain")
    field.press("Enter")
    hits = page.locator(".doc-hits li")
    assert hits.count() > 0
    expect(hits.first.locator("mark").first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "reader-search.png"), full_page=True)
    hits.first.locator("a").first.click()
    anchor = page.evaluate("location.hash")
    assert (
        page.evaluate("document.querySelector(':target') && document.querySelector(':target').id")
        == anchor[1:]
    )


def test_the_reader_fits_a_phone(browser, site_url, screenshot_dir):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(site_url + PRACTICE)
        page.locator(".citations .cite-meta a").first.click()
        page.wait_for_load_state("load")
        assert page.evaluate("document.querySelector(':target') !== null")
        width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(screenshot_dir / "reader-phone.png"))
        assert width <= 390, width
    finally:
        context.close()
