"""Public pages speak the visitor's words: no internal field names in curators' notes, no model
names, and one name for a country on every page."""

import re

import pytest
from django.apps import apps

from gfmd.models import Country, SourceDocument

pytestmark = pytest.mark.django_db

IDENTIFIER = re.compile(r"\b[a-z]+_[a-z_]+\b")


def test_curator_notes_name_no_fields():
    found = []
    for model in apps.get_models():
        names = {field.name for field in model._meta.get_fields()}
        if "curator_note" not in names:
            continue
        for pk, note in model._default_manager.exclude(curator_note="").values_list(
            "pk", "curator_note"
        ):
            found += [(model.__name__, pk, word) for word in IDENTIFIER.findall(note)]
    assert not found


def test_sources_list_what_cites_them_in_plain_words(client):
    for source in SourceDocument.objects.all():
        body = client.get(source.get_absolute_url()).content.decode()
        assert not re.search(r">(Rcp|Horizontalissue|Practice|Recommendation)<", body)
    body = client.get("/sources/brussels-report/").content.decode()
    assert "Horizontal issues" in body or "Practices" in body


def test_a_country_has_one_name_everywhere(client):
    drc = Country.objects.get(iso3="COD")
    assert str(drc) == "Democratic Republic of the Congo"
    assert str(Country.objects.get(iso3="TZA")) == "Tanzania"
    page = client.get("/countries/cod/").content.decode()
    assert "<h1>Democratic Republic of the Congo</h1>" in page
    assert "<dt>ISO name</dt><dd>Congo, The Democratic Republic of the</dd>" in page
    facets = {f.name: f for f in client.get("/practices/").context["facets"]}
    labels = {v.value: v.label for v in facets["country"].values}
    if "COD" in labels:
        assert labels["COD"] == "Democratic Republic of the Congo"
    assert all(", " not in label or label.startswith("Bonaire") for label in labels.values())


def test_the_country_list_has_no_empty_heading(client):
    """By default only countries with records are listed, and so are only their sub-regions;
    with all=1 every state is, under every sub-region."""
    for query, least in (("", 1), ("?all=1", 20)):
        body = client.get(f"/countries/{query}").content.decode()
        headings = re.findall(r"<h3>(.*?)</h3>\s*<ul class=\"country-list\">(.*?)</ul>", body, re.S)
        assert len(headings) >= least
        assert all("<li>" in items for _, items in headings), [
            name for name, items in headings if "<li>" not in items
        ]
    # "South America" had a heading over an empty list: no practice names a country of it.
    assert "<h3>South America</h3>" in client.get("/countries/?all=1").content.decode()
