"""The factories make records their models accept, with keys no curated record has."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

FACTORIES = [
    factories.make_country,
    factories.make_organisation,
    factories.make_source,
    lambda: factories.make_citation(factories.make_theme()),
    factories.make_theme,
    lambda: factories.make_theme(parent=factories.make_theme()),
    factories.make_meeting,
    factories.make_roundtable,
    factories.make_session,
    factories.make_participation,
    factories.make_horizontal_issue,
    factories.make_actor,
    factories.make_recommendation,
    lambda: factories.make_recommendation(horizontal_issue=factories.make_horizontal_issue()),
    factories.make_rcp,
    factories.make_practice,
]


IDS = [
    "country",
    "organisation",
    "source",
    "citation",
    "theme",
    "subtheme",
    "meeting",
    "roundtable",
    "session",
    "participation",
    "horizontal-issue",
    "actor",
    "recommendation",
    "issue-recommendation",
    "rcp",
    "practice",
]


@pytest.mark.parametrize("make", FACTORIES, ids=IDS)
def test_a_made_record_passes_model_validation(make):
    record = make()
    record.full_clean()  # field choices, lengths and the model's own clean()


def test_made_records_do_not_clash():
    countries = [factories.make_country() for _ in range(30)]
    assert len({c.iso3 for c in countries}) == len({c.iso2 for c in countries}) == 30
    session = factories.make_session()
    second = factories.make_session(session.roundtable)
    assert (session.code, second.code) == ("1.1", "1.2")
    assert factories.make_recommendation(session).number == "1"
    assert factories.make_recommendation(session).number == "2"
