"""A curator cites by selecting words: search a document's passages in the admin, open one,
select the words, attach the citation to a record, save; the record's page then quotes them and
links to the passage. Words not in the passage are refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CURATOR

pytestmark = pytest.mark.browser

WORDS = "national focal points in charge of coordinating positions"


def log_in(page, site_url):
    page.goto(site_url + "/admin/login/")
    page.fill("#id_username", CURATOR[0])
    page.fill("#id_password", CURATOR[1])
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def select_in_passage(page, words):
    page.evaluate(
        """(words) => {
          const node = document.getElementById('passage-text').firstChild;
          const start = node.textContent.indexOf(words);
          const range = document.createRange();
          range.setStart(node, start);
          range.setEnd(node, start + words.length);
          const selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
        }""",
        words,
    )
    page.dispatch_event("#passage-text", "mouseup")


def open_passage(page, site_url):
    page.goto(site_url + "/admin/gfmd/passage/?q=achievements+designate+focal+charge")
    page.get_by_role("link", name="Cite…").first.click()
    page.wait_for_selector("#passage-text")
    page.wait_for_load_state("load")  # the page's script (deferred) has run


def test_a_curator_cites_by_selecting_words(page, site_url, screenshot_dir):
    log_in(page, site_url)
    open_passage(page, site_url)
    select_in_passage(page, WORDS)
    expect(page.locator("#id_excerpt")).to_have_value(WORDS)
    page.screenshot(path=str(screenshot_dir / "admin-cite-by-selection.png"), full_page=True)
    page.select_option("#id_kind", "practices.practice")
    page.fill("#id_record", "malawi-health-worker-retention")
    page.click("input[name=attach]")
    page.wait_for_selector("#practice_form")
    excerpts = page.eval_on_selector_all(
        "textarea[name$='-excerpt']", "els => els.map(e => e.value)"
    )
    assert WORDS in excerpts  # the new citation's row, filled in
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    page.goto(site_url + "/practices/malawi-health-worker-retention/")
    quote = page.locator(".citations li", has_text=WORDS)
    assert quote.count() == 1
    link = quote.locator("a").first
    assert link.get_attribute("href") == "/sources/a-63-269/?page=1#p-14"
    link.click()
    assert page.locator("#p-14 mark", has_text=WORDS).count() == 1


def test_words_not_in_the_passage_are_refused(page, site_url):
    log_in(page, site_url)
    open_passage(page, site_url)
    page.fill("#id_excerpt", "The Forum agreed that every nurse should be paid double by 2010.")
    page.click("button[value='practices.practice']")
    expect(page.locator(".errorlist", has_text="not in para. 14")).to_have_count(1)
