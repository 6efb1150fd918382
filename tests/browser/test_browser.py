"""What a visitor does, in a real browser: open each page type, filter, search, follow links,
and meet no serious accessibility violation (axe-core)."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGE_TYPES = {
    "home": "/",
    "overview": "/overview/",
    "theme-index": "/themes/",
    "theme": "/themes/remittances-diaspora/",
    "practice-list": "/practices/",
    "practice": None,  # the first practice of the list
    "meeting": "/meetings/gfmd-2007/",
    "roundtable": "/roundtables/gfmd-2007-roundtable-1/",
    "session": "/sessions/gfmd-2007-session-1-1/",
    "recommendation-list": "/recommendations/",
    "rcp-list": "/rcps/",
    "rcp": "/rcps/colombo-process/",
    "country-index": "/countries/",
    "country": "/countries/phl/",
    "search": "/search/?q=remittances",
    "sources": "/sources/",
    "source": "/sources/a-63-269/",  # its findings, options and the documents it names
    "recommendation": "/recommendations/gfmd-2007-3-4-rec-6/",  # with a follow-up entry
    "not-found": "/no-such-page/",
}


def first_practice_url(page, site_url) -> str:
    page.goto(site_url + "/practices/")
    return page.locator(".card h3 a").first.get_attribute("href")


@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_page_type_is_accessible_and_captured(page, site_url, screenshot_dir, name):
    path = PAGE_TYPES[name] or first_practice_url(page, site_url)
    response = page.goto(site_url + path)
    assert response.status == (404 if name == "not-found" else 200)
    assert page.locator("h1").count() == 1
    assert page.locator("main").count() == 1
    page.screenshot(path=str(screenshot_dir / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    serious = [
        v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}
    ]
    assert not serious, results.generate_report()


def test_phone_layout_has_no_horizontal_scroll(page, site_url, screenshot_dir):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(site_url + "/practices/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    page.screenshot(path=str(screenshot_dir / "practice-list-phone.png"), full_page=True)


def test_filter_by_facet_then_remove_chip(page, site_url):
    page.goto(site_url + "/practices/")
    total = int(re.search(r"\d+", page.locator(".result-count").inner_text()).group())
    page.locator("fieldset", has_text="Scope").locator("input[type=checkbox]").first.check()
    page.get_by_role("button", name="Apply").click()
    assert "scope=" in page.url
    filtered = int(re.search(r"\d+", page.locator(".result-count").inner_text()).group())
    assert 0 < filtered < total
    page.locator(".chip").first.click()
    assert int(re.search(r"\d+", page.locator(".result-count").inner_text()).group()) == total


def test_search_from_the_header(page, site_url):
    page.goto(site_url + "/")
    page.get_by_label("Search the knowledge base").fill("Soderkoping")
    page.get_by_label("Search the knowledge base").press("Enter")
    assert page.locator("h2", has_text="Regional consultative processes").count() == 1
    assert page.locator("mark").count() >= 0


def test_theme_to_practice_to_session_to_people(page, site_url):
    page.goto(site_url + "/themes/")
    page.get_by_role("link", name="Policy and institutional coherence and partnerships").click()
    page.get_by_role("link", name=re.compile("Filter practices on this theme")).click()
    page.locator(".card h3 a").first.click()
    assert page.get_by_role("heading", name="Where this comes from").count() == 1
    sessions = page.locator("h2:has-text('Discussed at') + ul a")
    if sessions.count() == 0:
        page.goto(site_url + "/practices/?session=3.2")
        page.locator(".card h3 a").first.click()
        sessions = page.locator("h2:has-text('Discussed at') + ul a")
    sessions.first.click()
    assert page.get_by_role("heading", name="People").count() == 1


def test_keyboard_reaches_skip_link_first(page, site_url):
    page.goto(site_url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to content"


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/api/docs/", ".swagger-ui .opblock"),
        ("/api/redoc/", "redoc .api-content, .redoc-wrap"),
        ("/admin/login/", "#login-form"),
        ("/api/v1/practices/", ".response-info"),
    ],
)
def test_docs_admin_and_browsable_api_work_under_the_csp(
    page, site_url, screenshot_dir, path, ready
):
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    response = page.goto(site_url + path)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(ready, timeout=15_000)
    name = path.strip("/").replace("/", "-") or "root"
    page.screenshot(path=str(screenshot_dir / f"{name}.png"))
    # ReDoc's "powered by" badge asks for a logo from its makers' site: the policy blocks it, as it
    # should, and the docs work without it. Anything else the policy blocks is a failure.
    blocked = [
        v for v in violations if not v.startswith("Loading the image 'https://cdn.redoc.ly/")
    ]
    assert blocked == []
