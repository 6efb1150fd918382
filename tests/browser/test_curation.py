"""Curation in a real browser: revert after an edit, a refused conflicting revert, a proposal from
an anonymous visitor through acceptance and a second curator's approval, and a problem report."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from tests.browser.conftest import _database_url

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CURATORS = {"alice": "alice-pw-1", "bruno": "bruno-pw-2"}


@pytest.fixture(scope="session")
def curators(site_url):
    """Two curators in the browser tests' database."""
    code = "from django.contrib.auth import get_user_model\nU = get_user_model()\n" + "".join(
        f"U.objects.filter(username={name!r}).exists() or "
        f"U.objects.create_superuser({name!r}, '{name}@example.org', {password!r})\n"
        for name, password in CURATORS.items()
    )
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_DEBUG": "1"}
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    subprocess.run([*manage, "shell", "-c", code], env=env, check=True, cwd=settings.BASE_DIR)
    return CURATORS


def signed_in(browser, site_url, name):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(site_url + "/admin/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", CURATORS[name])
    page.click("input[type=submit]")
    assert "/admin/login/" not in page.url
    return page


def messages(page) -> str:
    """The admin's messages after a step (waits for the page that shows them)."""
    return page.locator(".messagelist").inner_text()


def serious(page) -> list:
    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]


def practice_admin_url(page, site_url) -> tuple[str, str]:
    """A curated practice's public URL and its admin page, through the "Edit in admin" link."""
    page.goto(site_url + "/practices/?q=remittances")
    public = site_url + page.locator(".card h3 a").first.get_attribute("href")
    page.goto(public)
    page.get_by_role("link", name="Edit in admin").click()
    assert re.search(r"/admin/practices/practice/\d+/change/", page.url)
    return public, page.url


def test_revert_after_an_edit_restores_values_and_relations(
    browser, site_url, curators, screenshot_dir
):
    page = signed_in(browser, site_url, "alice")
    public, admin_url = practice_admin_url(page, site_url)
    old_title = page.input_value("#id_title")
    themes = page.locator("#id_themes option:checked")
    old_themes = sorted(themes.all_inner_texts())
    assert old_themes
    version = int(re.search(r"\d+", page.locator("#id_loaded_version").input_value()).group())

    page.fill("#id_title", old_title + " (edited)")
    page.locator("#id_themes").select_option([], force=True)  # every theme removed...
    first_other = page.locator("#id_themes option").filter(has_not_text=old_themes[0]).first
    page.locator("#id_themes").select_option(first_other.get_attribute("value"), force=True)
    page.fill("#id_change_reason", "Trying an edit")
    page.locator("input[name=_save]").first.click()
    assert "was changed successfully" in messages(page)

    page.goto(public)
    assert page.locator("h1").inner_text() == old_title + " (edited)"
    assert "Trying an edit" in page.locator(".changes").inner_text()
    assert "a curator" in page.locator(".changes").inner_text()

    page.goto(admin_url.replace("/change/", "/history/"))
    page.screenshot(path=str(screenshot_dir / "admin-history.png"), full_page=True)
    assert "Trying an edit" in page.content()
    assert "removed" in page.locator("#change-history").inner_text()
    rows = page.locator("#change-history tbody tr")
    rows.filter(has=page.locator(f"td:text-is('{version}')")).first.locator("a").first.click()
    page.locator("#revert-changes").wait_for()
    page.fill("#id_change_reason", "Back to the reviewed text")
    page.screenshot(path=str(screenshot_dir / "admin-revert.png"), full_page=True)
    page.get_by_role("button", name=f"Revert to version {version}").click()
    assert "Reverted to version" in messages(page)

    page.goto(admin_url)
    assert page.input_value("#id_title") == old_title
    assert sorted(page.locator("#id_themes option:checked").all_inner_texts()) == old_themes
    page.goto(public)
    assert page.locator("h1").inner_text() == old_title
    page.context.close()


def test_a_conflicting_revert_is_refused_with_a_clear_message(browser, site_url, curators):
    alice = signed_in(browser, site_url, "alice")
    _, admin_url = practice_admin_url(alice, site_url)
    alice.goto(admin_url.replace("/change/", "/history/"))
    alice.locator("#change-history tbody tr").last.locator("a").first.click()  # the oldest
    alice.locator("#revert-form").wait_for()

    bruno = signed_in(browser, site_url, "bruno")
    bruno.goto(admin_url)
    bruno.fill("#id_summary", bruno.input_value("#id_summary") + " Bruno's edit.")
    bruno.locator("input[name=_save]").first.click()
    assert "was changed successfully" in messages(bruno)

    alice.locator("#revert-form input[type=submit]").click()
    alert = alice.locator(".errornote")
    assert "while you were editing it" in alert.inner_text()
    assert "bruno" in alert.inner_text()
    bruno.goto(admin_url)
    assert "Bruno's edit." in bruno.input_value("#id_summary")
    alice.context.close()
    bruno.context.close()


def test_a_proposal_is_published_only_after_acceptance_and_a_second_approval(
    browser, site_url, curators, screenshot_dir
):
    visitor = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    visitor.goto(site_url + "/propose/")
    assert visitor.locator("h1").count() == 1
    assert serious(visitor) == []
    title = "Browser-proposed circular migration scheme"
    visitor.fill("#id_title", title)
    visitor.fill("#id_description", "A scheme proposed by a visitor in a browser test.")
    visitor.fill("#id_where", "Spain and Colombia")
    visitor.fill("#id_implementers", "Two governments")
    visitor.select_option("#id_scope", "bilateral")
    visitor.select_option("#id_type", "programme")
    visitor.locator("#id_themes input").first.check()
    visitor.fill("#id_source_url", "https://example.org/a-report.pdf")
    visitor.fill("#id_name", "Visitor Name")
    visitor.fill("#id_email", "visitor@example.org")
    visitor.screenshot(path=str(screenshot_dir / "propose-phone.png"), full_page=True)
    # Chromium's full-page capture resizes the page to its whole height and back; with a field
    # focused (the e-mail, just filled) the page is left scrolled to its end in a state where a
    # click at the button's place reaches the form around it instead, and nothing is sent. No
    # visitor's page is ever in that state: scrolled back to the top, the click below scrolls to
    # the button as it does on any page.
    visitor.evaluate("window.scrollTo(0, 0)")
    visitor.get_by_role("button", name="Send the proposal").click()
    visitor.wait_for_url("**/received/**")
    reference = visitor.locator(".reference").inner_text()
    assert reference.startswith("P-")
    assert serious(visitor) == []
    visitor.goto(site_url + "/search/?q=circular+migration+scheme+browser")
    assert title not in visitor.content()

    alice = signed_in(browser, site_url, "alice")
    alice.goto(site_url + "/admin/curation/proposal/")
    alice.get_by_role("link", name=reference).click()
    alice.wait_for_load_state()
    assert "visitor@example.org" in alice.locator("#content-main").inner_text()
    alice.fill("#id_curator_note", "Checked against the report")
    alice.get_by_role("button", name="Accept: make a draft practice").click()
    assert "the draft practice" in messages(alice)
    alice.locator(".messagelist a").first.click()
    practice_url = alice.url
    assert alice.input_value("#id_title") == title

    slug = alice.input_value("#id_slug")
    public = f"{site_url}/practices/{slug}/"
    assert visitor.goto(public).status == 404
    alice.goto(public)
    assert "only curators see this page" in alice.locator(".curator-bar").inner_text()

    def act(page, action):
        page.goto(site_url + "/admin/practices/practice/?q=" + title.replace(" ", "+"))
        page.locator("input.action-select").first.check()
        page.select_option("select[name=action]", action)
        page.locator("button[name=index]").click()

    act(alice, "submit_for_review")
    assert "Sent for review: 1" in messages(alice)
    act(alice, "approve_and_publish")
    assert "another curator must approve it" in messages(alice)
    assert visitor.goto(public).status == 404

    bruno = signed_in(browser, site_url, "bruno")
    bruno.goto(site_url + "/admin/practices/practice/")
    assert re.search(r"[1-9]\d* in review", bruno.locator("#review-queue").inner_text())
    act(bruno, "approve_and_publish")
    assert "Published: 1" in messages(bruno)
    assert visitor.goto(public).status == 200
    assert visitor.locator("h1").inner_text() == title
    assert "Visitor Name" not in visitor.content()
    assert practice_url
    for page in (visitor, alice, bruno):
        page.context.close()


def test_a_problem_report_reaches_the_queue(browser, site_url, curators, page):
    page.goto(site_url + "/practices/")
    page.locator(".card h3 a").first.click()
    record = page.locator("h1").inner_text()
    page.get_by_role("link", name="Report a problem with this page").click()
    assert record in page.locator(".lead").inner_text()
    assert serious(page) == []
    page.fill("#id_problem", "The start year looks wrong.")
    page.fill("#id_correction", "It began a year later.")
    page.fill("#id_source", "The report, the same section.")
    page.fill("#id_name", "Reporter")
    page.fill("#id_email", "reporter@example.org")
    page.get_by_role("button", name="Send the report").click()
    reference = page.locator(".reference").inner_text()
    assert reference.startswith("R-")

    alice = signed_in(browser, site_url, "alice")
    alice.goto(site_url + "/admin/curation/problemreport/")
    alice.get_by_role("link", name=reference).click()
    assert "The start year looks wrong." in alice.locator("#content-main").inner_text()
    alice.context.close()
