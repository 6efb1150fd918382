"""The pictures: shades follow the counts, the legend matches them, labels are escaped."""

import pytest

from gfmd.lib.charts import NONE, SHADES, Bar, bar_chart, legend, shade, world_map

pytestmark = pytest.mark.django_db


def test_shades_grow_with_counts_and_legend_uses_the_same_bins():
    highest = 18
    rows = legend(highest)
    assert rows[0] == (NONE, "0")
    colours = [colour for colour, _ in rows[1:]]
    assert colours == sorted(set(colours), key=SHADES.index)
    for count in range(1, highest + 1):
        colour = shade(count, highest)
        (label,) = [text for c, text in rows[1:] if c == colour]
        low, _, high = label.partition("–")
        assert int(low) <= count <= int(high or low)


def test_chart_escapes_labels_and_links_bars():
    svg = bar_chart([Bar("<script>x</script>", 3, "/practices/?theme=a")], title="T")
    assert "<script>x" not in svg
    assert 'href="/practices/?theme=a"' in svg


def test_world_map_links_countries_with_practices():
    svg = world_map({"PHL": 5}, {"PH": "PHL"}, link="/practices/?country=", title="Map")
    assert 'href="/practices/?country=PHL"' in svg
    assert svg.count("<a ") == 1


def test_overview_page(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get("/overview/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="world-map"' in body and "Practices by theme" in body
    assert "The same numbers as a table" in body
