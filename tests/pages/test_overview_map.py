"""The overview's world map is a file of its own, cacheable per data version, with its table."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_overview_links_the_map_rather_than_inlining_it(client):
    response = client.get("/overview/")
    body = response.content.decode()
    assert len(response.content) < 100_000
    img = re.search(r'<img class="world-map" src="([^"]+)"[^>]* alt="([^"]+)"', body)
    assert img and "table below" in img.group(2)
    assert "<caption>Good practices by implementing country</caption>" in body
    svg = client.get(img.group(1).replace("&amp;", "&"))
    assert svg.status_code == 200
    assert svg["Content-Type"].startswith("image/svg+xml")
    assert "max-age" in svg["Cache-Control"]
    assert svg.content.startswith(b"<svg") and b"/practices/?country=PHL" in svg.content


def test_the_map_without_the_version_is_not_kept(client):
    svg = client.get("/overview/map.svg")
    assert svg.status_code == 200
    assert "max-age=86400" not in svg.get("Cache-Control", "")
