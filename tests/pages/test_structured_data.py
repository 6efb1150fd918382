"""schema.org JSON-LD on every record page, and a sitemap of every public record page."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from practices.models import Practice
from tests.factories import make_practice
from tests.pages.test_citing import PAGES

pytestmark = pytest.mark.django_db


def json_ld(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


@pytest.mark.parametrize("url", PAGES)
def test_every_record_page_embeds_json_ld(client, url):
    data = json_ld(client.get(url).content.decode())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] in {"CreativeWork", "Event", "Organization", "Country"}
    assert data["name"]
    assert data["url"] == f"http://testserver{url}"


def test_practice_json_ld_has_places_organisations_and_its_source(client):
    data = json_ld(client.get("/practices/malawi-health-worker-retention/").content.decode())
    assert data["@type"] == "CreativeWork"
    assert [place["identifier"] for place in data["spatialCoverage"]] == ["MWI"]
    (source,) = data["isBasedOn"]
    assert source["name"].startswith("Report of the first meeting")
    assert source["datePublished"] == "2008"
    assert source["url"] == "http://testserver/sources/brussels-report/"


def test_meeting_json_ld_is_an_event_with_dates_and_place(client):
    data = json_ld(client.get("/meetings/gfmd-2007/").content.decode())
    assert data["@type"] == "Event"
    assert data["startDate"] == "2007-07-09"
    assert data["location"]["containedInPlace"]["identifier"] == "BEL"


def test_json_ld_cannot_be_closed_by_a_curators_text(client):
    practice = make_practice(summary="</script><script>alert(1)</script> & more")
    html = client.get(practice.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in html
    assert json_ld(html)["description"].startswith("</script><script>alert(1)</script> & more")


def test_sitemap_lists_every_public_record_page(client):
    draft = make_practice(published=False)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = {loc.text for loc in ET.fromstring(response.content).findall("s:url/s:loc", ns)}
    for url in PAGES:
        assert f"http://testserver{url}" in locations
    practices = {loc for loc in locations if "/practices/" in loc}
    assert len(practices) == Practice.objects.published().count()
    assert f"http://testserver{draft.get_absolute_url()}" not in locations
