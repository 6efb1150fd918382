"""Facet counts tell the truth, on the curated data: a value's count is the number of records the
list shows when that value is ticked alone in its facet, the other facets' selections kept (the
disjunctive rule); a parent theme counts its sub-themes' records, as its filter selects them."""

import re

import pytest

pytestmark = pytest.mark.django_db

SELECTIONS = [
    ("/practices/", {}),
    ("/practices/", {"theme": ["health-workforce"]}),
    ("/practices/", {"theme": ["health-workforce"], "region": ["africa"], "scope": ["national"]}),
    ("/recommendations/", {"status": ["proposed"], "theme": ["remittances-diaspora"]}),
    ("/rcps/", {"region": ["africa"]}),
]


@pytest.mark.parametrize(("url", "selection"), SELECTIONS)
def test_a_count_is_what_ticking_the_value_gives(client, url, selection):
    response = client.get(url, selection)
    assert response.status_code == 200
    checked = 0
    for facet in response.context["facets"]:
        for value in facet.values[:3] + facet.values[-1:]:
            params = {name: values for name, values in selection.items() if name != facet.name}
            params[facet.name] = [value.value]
            ticked = client.get(url, params)
            assert ticked.context["result_count"] == value.count, (facet.name, value)
            checked += 1
    assert checked >= 4


def test_selected_values_stay_listed_even_at_zero(client):
    # Ticked values stay listed and checked; a country no practice has shows its zero.
    response = client.get("/practices/", {"country": "PHL", "scope": ["national", "bilateral"]})
    facets = {facet.name: facet for facet in response.context["facets"]}
    scopes = {v.value: (v.count, v.selected) for v in facets["scope"].values}
    assert scopes["national"][1] and scopes["bilateral"][1]
    assert {"regional", "global"} & set(scopes)  # the unselected scopes stay offered too
    response = client.get("/practices/", {"theme": "gender", "country": "ATA"})
    facets = {facet.name: facet for facet in response.context["facets"]}
    themes = {v.value: (v.count, v.selected) for v in facets["theme"].values}
    countries = {v.value: (v.count, v.selected) for v in facets["country"].values}
    assert countries["ATA"] == (0, True)
    assert themes["gender"][1]
    assert response.context["result_count"] == 0


def test_a_parent_theme_agrees_everywhere(client):
    slug = "human-capital-labour-mobility"
    listed = client.get("/practices/", {"theme": slug}).context["result_count"]
    facets = {f.name: f for f in client.get("/practices/").context["facets"]}
    counted = {v.value: v.count for v in facets["theme"].values}[slug]
    page = client.get(f"/themes/{slug}/").content.decode()
    themes = client.get("/themes/").content.decode()
    recommendations = client.get("/recommendations/", {"theme": slug}).context["result_count"]
    assert listed == counted > 9
    assert f"Practices ({listed})" in page
    assert f"Recommendations ({recommendations})" in page
    assert re.search(
        rf"labour mobility</strong></a> <span class=\"count\">{listed} practices", themes
    )


def test_long_facets_fold_behind_show_more(client):
    body = client.get("/practices/").content.decode()
    assert '<details class="facet-more"' in body
    assert re.search(r"<summary>Show \d+ more</summary>", body)
    # A value ticked among the folded ones opens its list.
    facets = {f.name: f for f in client.get("/practices/").context["facets"]}
    folded = facets["country"].more[-1].value
    body = client.get("/practices/", {"country": folded}).content.decode()
    assert '<details class="facet-more" open>' in body


@pytest.mark.parametrize("url", ["/practices/", "/recommendations/", "/rcps/"])
def test_every_filtered_list_has_the_facet_panel(client, url):
    body = client.get(url).content.decode()
    assert '<details class="filters-disclosure">' in body
    assert 'type="checkbox"' in body
    assert "<select multiple" not in body and "---------" not in body
    assert 'action="#results"' in body
    assert 'id="results" tabindex="-1"' in body
    assert '<a class="skip-link" href="#results">Skip to results</a>' in body


def test_practices_offer_a_year_range_and_meetings(client):
    body = client.get("/practices/", {"start_year_min": "2000"}).content.decode()
    assert 'name="start_year_min" value="2000"' in body
    assert 'name="start_year_max"' in body
    facets = {f.name: f for f in client.get("/practices/").context["facets"]}
    assert facets["meeting"].values
