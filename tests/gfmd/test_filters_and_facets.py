"""The filter form class is made once per FilterSet, and each form still checks its own values;
the facets counted in one query agree with the list they count."""

import pytest
from django.http import QueryDict

from gfmd.lib.filters import every_value_checked
from practices.filters import PracticeFilter
from practices.models import Practice
from tests.factories import make_theme

pytestmark = pytest.mark.django_db


def test_one_form_class_serves_every_request_and_each_form_has_its_own_fields():
    theme = make_theme()
    filterset_class = every_value_checked(PracticeFilter)
    good = filterset_class(QueryDict(f"theme={theme.slug}"), queryset=Practice.objects.all())
    bad = filterset_class(QueryDict("theme=no-such-theme"), queryset=Practice.objects.all())
    assert type(good.form) is type(bad.form)
    assert good.form.fields["theme"] is not bad.form.fields["theme"]
    assert good.is_valid()
    assert [t.slug for t in good.form.cleaned_data["theme"]] == [theme.slug]
    assert not bad.is_valid()
    assert "no-such-theme" in str(bad.errors["theme"])


def test_a_theme_added_after_the_form_class_was_made_is_a_valid_value():
    filterset_class = every_value_checked(PracticeFilter)
    filterset_class(QueryDict(""), queryset=Practice.objects.all()).form  # noqa: B018
    theme = make_theme()
    later = filterset_class(QueryDict(f"theme={theme.slug}"), queryset=Practice.objects.all())
    assert later.is_valid()


# Each facet's count is what the list gives with that value chosen in place of the facet's own
# choice: checked against the list itself, for the first values of every facet.
COMBINATIONS = [
    {},
    {"theme": "human-capital-labour-mobility", "region": "africa"},
    {"scope": "bilateral", "theme": "health-workforce"},
    {"q": "health workers", "region": "asia"},
]


@pytest.mark.parametrize("chosen", COMBINATIONS)
def test_a_facet_count_is_the_list_count_with_that_value_chosen(client, chosen):
    facets = client.get("/api/v1/practices/facets/", chosen).json()
    checked = 0
    for facet in facets:
        for value in [v for v in facet["values"] if v["count"]][:3]:
            params = {**chosen, facet["name"]: value["value"], "page_size": 1}
            listed = client.get("/api/v1/practices/", params).json()["count"]
            assert listed == value["count"], (facet["name"], value["value"])
            checked += 1
    assert checked
