"""Every record page can be cited: by content negotiation on its URL, by a download link, and in
its "Cite this page" block, with the source's year and section."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/practices/malawi-health-worker-retention/",
    "/recommendations/gfmd-2007-1-1-rec-1/",
    "/rcps/colombo-process/",
    "/meetings/gfmd-2007/",
    "/roundtables/gfmd-2007-roundtable-1/",
    "/sessions/gfmd-2007-session-1-1/",
    "/countries/phl/",
    "/organisations/iom/",
]
TYPES = {
    "bibtex": "application/x-bibtex",
    "ris": "application/x-research-info-systems",
    "csl-json": "application/vnd.citationstyles.csl+json",
}


@pytest.mark.parametrize("url", PAGES)
def test_every_record_page_has_a_cite_block_with_downloads(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "Accept" in response["Vary"]
    html = response.content.decode()
    block = re.search(r'<section class="suggested-citation".*?</section>', html, re.S).group(0)
    assert "Cite this page" in block
    for name, media_type in TYPES.items():
        assert f'href="?cite={name}" type="{media_type}" download' in block
        download = client.get(url, {"cite": name})
        assert download["Content-Type"] == f"{media_type}; charset=utf-8"
        assert download["Content-Disposition"].startswith('attachment; filename="gfmd-practices-')


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("name", list(TYPES))
def test_content_negotiation_on_the_record_url(client, url, name):
    response = client.get(url, HTTP_ACCEPT=TYPES[name])
    assert response.status_code == 200
    assert response["Content-Type"].startswith(TYPES[name])
    assert "Accept" in response["Vary"]
    assert f"http://testserver{url}" in response.content.decode()


def test_bibtex_carries_the_source_year_and_section(client):
    text = client.get(
        "/practices/malawi-health-worker-retention/", HTTP_ACCEPT=TYPES["bibtex"]
    ).content.decode()
    assert text.startswith("@misc{gfmd-practices-practice-malawi-health-worker-retention,\n")
    assert "  year = {2008},\n" in text  # the Brussels report of the 2007 meeting: 2008
    assert "Bruylant, Brussels, 2008), III 2.2.1 Roundtable 1 > Session 1.1" in text
    assert text.count("III 2.2.1 Roundtable 1 > Session 1.1 > Panel discussion") == 1
    assert text.count("{") == text.count("}")


def test_ris_is_tagged_lines_ending_in_er(client):
    text = client.get("/rcps/colombo-process/", {"cite": "ris"}).content.decode()
    lines = text.split("\r\n")
    assert lines[0] == "TY  - GEN"
    assert lines[-2] == "ER  - " and lines[-1] == ""
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines[:-1])
    assert any(line.startswith("PY  - ") for line in lines)


def test_csl_json_imports_as_an_item(client):
    """A newcomer's journey: import a citation into a reference manager (CSL-JSON, as Zotero
    and citeproc read it)."""
    items = json.loads(
        client.get(
            "/sessions/gfmd-2007-session-1-1/", HTTP_ACCEPT=TYPES["csl-json"]
        ).content.decode()
    )
    (item,) = items
    assert item["title"].startswith("Highly skilled migration")
    assert item["issued"] == {"date-parts": [[2008]]}
    assert item["URL"] == "http://testserver/sessions/gfmd-2007-session-1-1/"
    assert item["source"].startswith("Report of the first meeting")
    assert item["section"].startswith("III 2.2.1")


def test_unknown_cite_format_is_a_400_naming_the_formats(client):
    response = client.get("/practices/malawi-health-worker-retention/", {"cite": "endnote"})
    assert response.status_code == 400
    assert "bibtex, ris, csl-json" in response.content.decode()


def test_a_browser_gets_the_page(client):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/practices/malawi-health-worker-retention/", HTTP_ACCEPT=accept)
    assert response["Content-Type"].startswith("text/html")


def test_a_citation_names_the_paragraph_of_the_passage_quoted(client):
    # The IOM is cited from paragraph 43 of A/63/269: the citation says so, once, and the
    # CSL-JSON note gives it too; a passage placed only by lines of the text adds nothing.
    html = client.get("/organisations/iom/").content.decode()
    based_on = re.search(r"Based on [^<]*", html).group(0)
    assert "para. 43" in based_on and "para. 43, para. 43" not in based_on
    assert not re.search(r"\bline \d", based_on)
    item = json.loads(client.get("/organisations/iom/", {"cite": "csl-json"}).content)[0]
    assert "para. 43" in item["note"]
    assert item.get("locator", "para.").startswith(("para.", "p. "))
